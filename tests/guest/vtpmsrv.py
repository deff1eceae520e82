#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A small vtpm proxy server for the guest tests.

  vtpmsrv.py serve <info-file>   create a TPM 2.0 proxy device, write its
                                 number to <info-file>, answer commands
  vtpmsrv.py hold <info-file>    the same, but leave the first client
                                 command unanswered (the test kills us)
  vtpmsrv.py canned12 <info-file>
                                 a TPM 1.2 proxy device answering only what
                                 upstream sends at start-up, as minimal
                                 servers in existing test suites do:
                                 TPM_GetCapability(TIS_TIMEOUT, DURATION)
                                 with a size field of 0 before the values,
                                 PCRRead (upstream reads a PCR after the
                                 self test) and GetRandom with bytes,
                                 success to everything else

Answers: success to start-up, self test, shutdown and set-locality;
GetRandom with bytes; TPM_RC_COMMAND_CODE to anything else, among them
the TPM2_CreatePrimary of the null key a core with CONFIG_TCG_TPM2_HMAC
sends at registration (the chip is then unprotected).  The first
command that is not the driver's is the one "hold" leaves unanswered, so
the hwrng must be off (tpm.hwrng=0) for the chip the test holds.
"""
import fcntl
import os
import signal
import struct
import sys

VTPM_PROXY_IOC_NEW_DEV = 0xC014A100     # _IOWR(0xa1, 0x00, 5 * u32)
VTPM_PROXY_FLAG_TPM2 = 1
ST_NO_SESSIONS = 0x8001
CC_SELF_TEST, CC_STARTUP, CC_SHUTDOWN = 0x143, 0x144, 0x145
CC_GET_CAPABILITY, CC_GET_RANDOM = 0x17A, 0x17B
CC_CREATE_PRIMARY = 0x131
CC_SET_LOCALITY = 0x20001000
RC_COMMAND_CODE = 0x143
# What the driver sends on its own at registration and unplug (this server
# refuses GetCapability, so the chip gets no /dev/tpmrmN).
DRIVER_CCS = (CC_SELF_TEST, CC_STARTUP, CC_SHUTDOWN, CC_SET_LOCALITY,
              CC_GET_CAPABILITY, CC_CREATE_PRIMARY)


def header(rc, body=b''):
    return struct.pack('>HII', ST_NO_SESSIONS, 10 + len(body), rc) + body


def answer(cmd):
    cc = struct.unpack('>I', cmd[6:10])[0]
    if cc in (CC_GET_CAPABILITY, CC_CREATE_PRIMARY):
        return header(RC_COMMAND_CODE)
    if cc in DRIVER_CCS:
        return header(0)
    if cc == CC_GET_RANDOM:
        n = min(struct.unpack('>H', cmd[10:12])[0], 64)
        return header(0, struct.pack('>H', n) + os.urandom(n))
    return header(RC_COMMAND_CODE)


TAG_RSP_COMMAND = 0xC4
ORD_PCR_READ, ORD_GET_RANDOM, ORD_GET_CAPABILITY = 0x15, 0x46, 0x65
CAP_PROP_TIS_TIMEOUT, CAP_PROP_TIS_DURATION = 0x115, 0x120
CANNED_TIMEOUTS = (750000, 2000000, 750000, 750000)      # microseconds
CANNED_DURATIONS = (2000000, 20000000, 60000000)


def answer12(cmd):
    """The canned TPM 1.2: its GetCapability answers say 0 bytes follow."""
    ordinal = struct.unpack('>I', cmd[6:10])[0]
    body = b''
    if ordinal == ORD_GET_CAPABILITY and len(cmd) >= 22:
        prop = struct.unpack('>I', cmd[18:22])[0]
        values = {CAP_PROP_TIS_TIMEOUT: CANNED_TIMEOUTS,
                  CAP_PROP_TIS_DURATION: CANNED_DURATIONS}.get(prop, ())
        body = struct.pack('>I', 0) + b''.join(struct.pack('>I', v) for v in values)
    elif ordinal == ORD_PCR_READ:
        body = bytes(20)
    elif ordinal == ORD_GET_RANDOM and len(cmd) >= 14:
        n = min(struct.unpack('>I', cmd[10:14])[0], 64)
        body = struct.pack('>I', n) + os.urandom(n)
    return struct.pack('>HII', TAG_RSP_COMMAND, 10 + len(body), 0) + body


def main(mode, info):
    vtpmx = os.open('/dev/vtpmx', os.O_RDWR)
    flags = 0 if mode == 'canned12' else VTPM_PROXY_FLAG_TPM2
    arg = struct.pack('<5I', flags, 0, 0, 0, 0)
    _, num, fd, major, minor = struct.unpack('<5I', fcntl.ioctl(vtpmx, VTPM_PROXY_IOC_NEW_DEV, arg))
    os.close(vtpmx)
    with open(info + '.tmp', 'w') as f:
        f.write('%d %d %d\n' % (num, major, minor))
    os.rename(info + '.tmp', info)
    while True:
        try:
            cmd = os.read(fd, 4096)
        except OSError:
            return 0        # EPIPE: the chip went away
        cc = struct.unpack('>I', cmd[6:10])[0]
        if mode == 'hold' and cc not in DRIVER_CCS:
            open(info + '.holding', 'w').close()
            while True:
                signal.pause()
        os.write(fd, answer12(cmd) if mode == 'canned12' else answer(cmd))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
