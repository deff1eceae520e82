#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one command of a given size through /dev/tpm0 (suite-crblayout.sh).

  crbsend.py <bytes>

The command is a TPM2_GetRandom whose header says <bytes> and whose tail
is zeros: the TPM answers it (with an error for the extra bytes), so what
decides whether it gets there is only its size against the driver's
command buffer.  Prints "answer 0x<rc>" with the TPM's response code, or
"errno <name>" when the write or the read fails.
"""
import errno
import os
import struct
import sys


def main():
    size = int(sys.argv[1])
    cmd = struct.pack('>HIIH', 0x8001, size, 0x17B, 8)
    cmd += bytes(size - len(cmd))
    fd = os.open('/dev/tpm0', os.O_RDWR)
    try:
        os.write(fd, cmd)
        rsp = os.read(fd, 4096)
    except OSError as e:
        print('errno %s' % errno.errorcode.get(e.errno, e.errno))
        return 0
    finally:
        os.close(fd)
    if len(rsp) < 10:
        print('short %d' % len(rsp))
        return 0
    print('answer 0x%x' % struct.unpack('>I', rsp[6:10])[0])
    return 0


if __name__ == '__main__':
    sys.exit(main())
