#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The exclusive open of /dev/tpmN, seen from the TPM's side.

  excl.py forward <info-file> <log-file> <swtpm socket>
      a TPM 2.0 vtpm proxy device whose commands go to swtpm (its
      unixio server socket); writes the device's number to <info-file>
      and each command code the TPM receives to <log-file>, a line each
  excl.py holder <dev> <excl|shared|readonly> <n>
      open <dev> (O_EXCL for writing, without O_EXCL, or O_EXCL read-only),
      say "open" on stdout, wait for a line on stdin, then send n
      TPM2_GetTestResult commands 50 ms apart, each answered, and close
  excl.py client <dev> <n>
      n TPM2_GetRandom(8) through <dev> (a /dev/tpmrmN), each waited for
      as long as the kernel takes: a client that gives up sooner (the
      tpm2-tss device TCTI's one-second probe at start) would test itself,
      not whether the kernel lets the command through after the hold
  excl.py between <log-file>
      the command codes the TPM received between the first and the last
      TPM2_GetTestResult, one per line (none: nothing came between)
Exit status 0 unless something failed; what failed is printed.
"""
import os
import struct
import sys
import time
import vtpmfwd

CC_GET_TEST_RESULT = 0x17C
CC_GET_RANDOM = 0x17B


def forward(info, log, path):
    with open(log, 'a') as out:
        def answer(sock, cmd, cc):
            out.write('%08x\n' % cc)
            out.flush()
            return vtpmfwd.exchange(sock, cmd)
        return vtpmfwd.relay(info, path, answer)


def others_done(path, want=4):
    try:
        return len(open(path).read().split('\n')) > want
    except OSError:
        return False


def holder(dev, mode, n, until=None):
    """n commands at least; with until (a file the others each add a
    line to), also until the others are done or 100 s have passed, so that
    a slow host cannot start them only after the holder is through."""
    flags = {'excl': os.O_RDWR | os.O_EXCL, 'shared': os.O_RDWR,
             'readonly': os.O_RDONLY | os.O_EXCL}[mode]
    fd = os.open(dev, flags)
    print('open', flush=True)
    sys.stdin.readline()
    if mode == 'readonly':
        os.close(fd)
        return 0
    cmd = struct.pack('>HII', 0x8001, 10, CC_GET_TEST_RESULT)
    stop = time.monotonic() + 100
    sent = 0
    while sent < int(n) or (until and not others_done(until) and
                            time.monotonic() < stop):
        sent += 1
        os.write(fd, cmd)
        rsp = os.read(fd, 4096)
        if len(rsp) < 10 or struct.unpack('>I', rsp[6:10])[0] != 0:
            print('GetTestResult answered %s' % rsp[:10].hex(), flush=True)
            return 1
        time.sleep(0.05)
    os.close(fd)
    print('done', flush=True)
    return 0


def client(dev, n):
    cmd = struct.pack('>HIIH', 0x8001, 12, CC_GET_RANDOM, 8)
    fd = os.open(dev, os.O_RDWR)
    for _ in range(int(n)):
        os.write(fd, cmd)
        rsp = os.read(fd, 4096)
        if len(rsp) != 20 or struct.unpack('>I', rsp[6:10])[0] != 0:
            print('GetRandom answered %s' % rsp[:10].hex(), flush=True)
            return 1
    os.close(fd)
    return 0


def between(log):
    ccs = [int(line, 16) for line in open(log).read().split()]
    marks = [i for i, cc in enumerate(ccs) if cc == CC_GET_TEST_RESULT]
    if not marks:
        print('no TPM2_GetTestResult in the log')
        return 1
    for cc in ccs[marks[0]:marks[-1] + 1]:
        if cc != CC_GET_TEST_RESULT:
            print('%08x' % cc)
    return 0


if __name__ == '__main__':
    fn = {'forward': forward, 'holder': holder, 'client': client,
          'between': between}
    sys.exit(fn[sys.argv[1]](*sys.argv[2:]))
