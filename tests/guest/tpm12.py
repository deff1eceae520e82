#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of a TPM 1.2 behind /dev/tpmN, run inside the test guest.

  tpm12.py checks <dev> <suite> <prefix>
                                  round trips (GetRandom, PCRRead, Extend
                                  checked against SHA-1 computed here),
                                  O_NONBLOCK, sysfs
  tpm12.py holder <dev> <ctl>     hold <dev> open across an unplug and
                                  expect EPIPE
"""
import errno
import hashlib
import os
import re
import select
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpmdev import OURS, Suite, expect_errno, hold  # noqa: E402

TAG_RQU_COMMAND, TAG_RSP_COMMAND = 0xC1, 0xC4
ORD_EXTEND, ORD_PCR_READ, ORD_GET_RANDOM = 0x14, 0x15, 0x46
PCR = 10        # a PCR no firmware measures into


def command(ordinal, body=b''):
    return struct.pack('>HII', TAG_RQU_COMMAND, 10 + len(body), ordinal) + body


def transact(fd, cmd, nonblock=False):
    os.write(fd, cmd)
    if nonblock:
        p = select.poll()
        p.register(fd, select.POLLIN)
        if not p.poll(10000):
            raise AssertionError('no POLLIN within 10 s')
    rsp = os.read(fd, 4096)
    tag, size, rc = struct.unpack('>HII', rsp[:10])
    if tag != TAG_RSP_COMMAND or size != len(rsp):
        raise AssertionError('bad response header %r' % rsp[:10])
    if rc:
        raise AssertionError('ordinal 0x%x: TPM error 0x%x' % (struct.unpack('>I', cmd[6:10])[0], rc))
    return rsp[10:]


def get_random(fd, n, nonblock=False):
    body = transact(fd, command(ORD_GET_RANDOM, struct.pack('>I', n)), nonblock)
    (got,) = struct.unpack('>I', body[:4])
    if got != n or len(body) != 4 + n:
        raise AssertionError('GetRandom(%d) gave %d bytes' % (n, got))
    return body[4:]


def pcr_read(fd, i):
    body = transact(fd, command(ORD_PCR_READ, struct.pack('>I', i)))
    if len(body) != 20:
        raise AssertionError('PCRRead gave %d bytes' % len(body))
    return body


def checks(dev, name, prefix):
    suite = Suite(name)

    class S:
        @staticmethod
        def run(label, fn):
            suite.run(prefix + '-' + label, fn)
    s = S
    fd = os.open(dev, os.O_RDWR)
    try:
        def t_random():
            a, b = get_random(fd, 16), get_random(fd, 16)
            if a == b:
                raise AssertionError('two reads gave the same bytes')

        def t_extend():
            before = pcr_read(fd, PCR)
            digest = hashlib.sha1(b'tpm-oot 1.2').digest()
            body = transact(fd, command(ORD_EXTEND, struct.pack('>I', PCR) + digest))
            want = hashlib.sha1(before + digest).digest()
            if body != want or pcr_read(fd, PCR) != want:
                raise AssertionError('PCR %d is %s, want %s' % (PCR, body.hex(), want.hex()))

        def t_nonblock():
            os.set_blocking(fd, False)
            try:
                get_random(fd, 8, nonblock=True)
            finally:
                os.set_blocking(fd, True)

        def t_exclusive():
            expect_errno(errno.EBUSY, os.open, dev, os.O_RDWR)

        def t_set_locality():
            # The vtpm proxy's private ordinal, with the TPM 1.2 tag.
            cmd = struct.pack('>HIIB', TAG_RQU_COMMAND, 11, 0x20001000, 3)
            expect_errno(errno.EINVAL if OURS else errno.EFAULT, os.write, fd, cmd)
            get_random(fd, 8)

        s.run('getrandom', t_random)
        s.run('pcrread', lambda: pcr_read(fd, 0))
        s.run('extend', t_extend)
        s.run('nonblock', t_nonblock)
        s.run('exclusive-open', t_exclusive)
        if prefix == 'vtpm':
            s.run('set-locality-refused', t_set_locality)
    finally:
        os.close(fd)

    sysfs = '/sys/class/tpm/%s/' % os.path.basename(dev)

    def t_version():
        v = open(sysfs + 'tpm_version_major').read().strip()
        if v != '1':
            raise AssertionError('tpm_version_major %r' % v)

    def t_durations():
        v = open(sysfs + 'durations').read()
        m = re.fullmatch(r'(\d+) (\d+) (\d+) \[(adjusted|original)\]\n', v)
        if not m or not 0 < int(m[1]) <= int(m[2]) <= int(m[3]):
            raise AssertionError('durations %r' % v)

    def t_timeouts():
        v = open(sysfs + 'timeouts').read()
        m = re.fullmatch(r'(\d+) (\d+) (\d+) (\d+) \[(adjusted|original)\]\n', v)
        if not m or not all(int(x) > 0 for x in m.groups()[:4]):
            raise AssertionError('timeouts %r' % v)

    def t_no_tpmrm():
        rm = dev.replace('tpm', 'tpmrm')
        if os.path.exists(rm):
            raise AssertionError('%s exists for a TPM 1.2' % rm)

    s.run('sysfs-version-major', t_version)
    s.run('sysfs-durations', t_durations)
    s.run('sysfs-timeouts', t_timeouts)
    s.run('no-tpmrm', t_no_tpmrm)
    return 0


def holder(dev, ctl):
    fd = os.open(dev, os.O_RDWR)
    get_random(fd, 8)
    return hold(fd, ctl, command(ORD_GET_RANDOM, struct.pack('>I', 8)), dev)


if __name__ == '__main__':
    if sys.argv[1:2] == ['checks']:
        sys.exit(checks(sys.argv[2], sys.argv[3], sys.argv[4]))
    if sys.argv[1:2] == ['holder']:
        sys.exit(holder(sys.argv[2], sys.argv[3]))
    sys.exit('usage: tpm12.py checks <dev> <suite> <prefix> | holder <dev> <ctl>')
