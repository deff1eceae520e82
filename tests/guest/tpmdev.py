#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of /dev/tpm0's system-call semantics, run inside the test guest.

  tpmdev.py cdev            write checks, partial reads, O_NONBLOCK, poll,
                            on /dev/tpm0 and on /dev/tpmrm0
  tpmdev.py holder <ctl>    hold /dev/tpm0 open across an unbind (see
                            suite-unbind.sh) and expect EPIPE afterwards
  tpmdev.py sleepers <info> <pid>
                            with vtpmsrv.py holding a command, block in
                            read and in poll, kill the server, and check
                            that both wake promptly with the right result
"""
import errno
import os
import select
import struct
import signal
import sys
import threading
import time

DEV = '/dev/tpm0'
RM_DEV = '/dev/tpmrm0'
OURS = os.environ.get('TPMTEST_DRIVER', 'ours') == 'ours'
TPM2_ST_NO_SESSIONS = 0x8001
TPM2_CC_GET_RANDOM = 0x017B


def get_random_cmd(n=16):
    return struct.pack('>HIIH', TPM2_ST_NO_SESSIONS, 12, TPM2_CC_GET_RANDOM, n)


def check_response(rsp, n=16):
    tag, size, rc = struct.unpack('>HII', rsp[:10])
    if tag != TPM2_ST_NO_SESSIONS or size != len(rsp) or rc != 0:
        raise ValueError('bad response header %r' % (rsp[:10],))
    (got,) = struct.unpack('>H', rsp[10:12])
    if got != n or len(rsp) != 12 + n:
        raise ValueError('GetRandom(%d) returned %d bytes' % (n, got))


def round_trip(fd, n=16):
    os.write(fd, get_random_cmd(n))
    rsp = os.read(fd, 4096)
    check_response(rsp, n)
    return rsp


def expect_errno(want, fn, *args):
    try:
        ret = fn(*args)
    except OSError as e:
        if e.errno != want:
            raise AssertionError('got %s, want %s' % (errno.errorcode.get(e.errno), errno.errorcode[want]))
        return
    raise AssertionError('succeeded (%r), want %s' % (ret, errno.errorcode[want]))


class Suite:
    def __init__(self, name):
        self.name = name
        self.failed = 0

    def run(self, label, fn):
        try:
            fn()
            print('TEST-PASS: %s/%s' % (self.name, label), flush=True)
        except Exception as e:  # any failure is this check's failure
            self.failed += 1
            print('TEST-FAIL: %s/%s: %s: %s' % (self.name, label, type(e).__name__, e), flush=True)


def with_dev(fn, flags=0, dev=DEV):
    def run():
        fd = os.open(dev, os.O_RDWR | flags)
        try:
            fn(fd)
        finally:
            os.close(fd)
    return run


def t_short_write(fd):
    expect_errno(errno.EINVAL, os.write, fd, get_random_cmd()[:5])
    expect_errno(errno.EINVAL, os.write, fd, get_random_cmd()[:9])
    round_trip(fd)


def t_too_big(fd):
    big = struct.pack('>HII', TPM2_ST_NO_SESSIONS, 4097, TPM2_CC_GET_RANDOM) + bytes(4087)
    expect_errno(errno.E2BIG, os.write, fd, big)
    round_trip(fd)


def t_header_claims_more(fd):
    cmd = struct.pack('>HIIH', TPM2_ST_NO_SESSIONS, 100, TPM2_CC_GET_RANDOM, 16)
    expect_errno(errno.EINVAL, os.write, fd, cmd)
    round_trip(fd)


def t_header_claims_less(fd):
    # As upstream: a write longer than its header says is taken, and the
    # command is what the header says (a client writing a fixed buffer, or
    # `echo -en` with padding).  GetRandom(16) followed by 2 stray bytes:
    if os.write(fd, get_random_cmd(16) + b'\xaa\xbb') != 14:
        raise AssertionError('the padded command was not taken whole')
    check_response(os.read(fd, 4096), 16)
    # A header of 10 bytes cuts GetRandom's parameter off: the TPM refuses.
    cmd = struct.pack('>HIIH', TPM2_ST_NO_SESSIONS, 10, TPM2_CC_GET_RANDOM, 16)
    if os.write(fd, cmd) != len(cmd):
        raise AssertionError('the command was not taken')
    rsp = os.read(fd, 4096)
    tag, size, rc = struct.unpack('>HII', rsp[:10])
    if size != len(rsp) or rc == 0:
        raise AssertionError('truncated GetRandom answered rc=0x%x size=%d' % (rc, size))
    # A header under 10 bytes is refused whatever was written.
    cmd = struct.pack('>HIIH', TPM2_ST_NO_SESSIONS, 8, TPM2_CC_GET_RANDOM, 16)
    if OURS:
        expect_errno(errno.EINVAL, os.write, fd, cmd)
    round_trip(fd)


def t_second_write_busy(fd):
    os.write(fd, get_random_cmd())
    expect_errno(errno.EBUSY, os.write, fd, get_random_cmd())
    check_response(os.read(fd, 4096))
    round_trip(fd)


def t_partial_reads(fd):
    os.write(fd, get_random_cmd(32))
    parts = [os.read(fd, 4), os.read(fd, 6), os.read(fd, 4096)]
    if [len(p) for p in parts] != [4, 6, 34]:
        raise AssertionError('part sizes %r' % ([len(p) for p in parts],))
    check_response(b''.join(parts), 32)
    if os.read(fd, 4096) != b'':
        raise AssertionError('read after the whole response returned data')


def t_partial_then_write(fd):
    os.write(fd, get_random_cmd())
    os.read(fd, 5)
    round_trip(fd)


def t_read_without_command(fd):
    if os.read(fd, 4096) != b'':
        raise AssertionError('read with no command returned data')


def t_exclusive_open(fd):
    expect_errno(errno.EBUSY, os.open, DEV, os.O_RDWR)


def t_shared_open(fd):
    # Every /dev/tpmrm0 file has its own space: any number may be open,
    # and one's pending response is not another's.
    fds = [os.open(RM_DEV, os.O_RDWR) for _ in range(3)]
    try:
        os.write(fd, get_random_cmd(8))
        for i, f in enumerate(fds):
            round_trip(f, 20 + i)
        check_response(os.read(fd, 4096), 8)
    finally:
        for f in fds:
            os.close(f)


def t_not_seekable(fd):
    expect_errno(errno.ESPIPE, os.lseek, fd, 0, os.SEEK_SET)


def t_nonblock(fd):
    p = select.poll()
    p.register(fd, select.POLLIN | select.POLLOUT)
    ev = dict(p.poll(1000)).get(fd, 0)
    if not ev & select.POLLOUT or ev & select.POLLIN:
        raise AssertionError('idle poll gave 0x%x' % ev)
    if os.write(fd, get_random_cmd()) != 12:
        raise AssertionError('short write')
    p.modify(fd, select.POLLIN)
    ev = dict(p.poll(10000)).get(fd, 0)
    if not ev & select.POLLIN:
        raise AssertionError('no POLLIN within 10 s (0x%x)' % ev)
    check_response(os.read(fd, 4096))


def t_nonblock_read_early(fd):
    # A read right after the write finds the response or gets EAGAIN.
    # Upstream may also return 0 bytes if its work item has not started.
    os.write(fd, get_random_cmd())
    try:
        rsp = os.read(fd, 4096)
    except BlockingIOError:
        rsp = None
    if rsp == b'' and OURS:
        raise AssertionError('read before completion returned 0 bytes, want EAGAIN')
    if not rsp:
        select.select([fd], [], [], 10)
        rsp = os.read(fd, 4096)
    check_response(rsp)


def t_nonblock_error_via_read(fd):
    # A command the TPM cannot run still answers with a TPM error, and the
    # device stays usable.
    bad = struct.pack('>HII', TPM2_ST_NO_SESSIONS, 10, 0x0000FFFF)
    os.write(fd, bad)
    select.select([fd], [], [], 10)
    rsp = os.read(fd, 4096)
    tag, size, rc = struct.unpack('>HII', rsp[:10])
    if rc == 0 or size != len(rsp):
        raise AssertionError('unknown command answered rc=0x%x size=%d' % (rc, size))
    t_nonblock(fd)


def set_locality():
    # The proxy's private command is the driver's, not the clients'.
    s = Suite('vtpm')

    def t(fd):
        cmd = struct.pack('>HIIB', 0x8002, 11, 0x20001000, 3)
        expect_errno(errno.EINVAL if OURS else errno.EFAULT, os.write, fd, cmd)
        round_trip(fd)
    s.run('set-locality-refused', with_dev(t))
    return 0


def cdev():
    for name, dev in (('cdev', DEV), ('cdev-rm', RM_DEV)):
        s = Suite(name)

        def run(label, fn, flags=0):
            s.run(label, with_dev(fn, flags, dev))
        run('short-write-EINVAL', t_short_write)
        run('over-4096-E2BIG', t_too_big)
        run('header-claims-more-EINVAL', t_header_claims_more)
        run('header-claims-less', t_header_claims_less)
        run('second-write-EBUSY', t_second_write_busy)
        run('partial-reads', t_partial_reads)
        run('write-after-partial-read', t_partial_then_write)
        run('read-without-command', t_read_without_command)
        if dev == DEV:
            run('exclusive-open-EBUSY', t_exclusive_open)
        else:
            run('shared-open', t_shared_open)
        run('not-seekable', t_not_seekable)
        run('nonblock-poll-read', t_nonblock, os.O_NONBLOCK)
        run('nonblock-early-read', t_nonblock_read_early, os.O_NONBLOCK)
        run('nonblock-tpm-error', t_nonblock_error_via_read, os.O_NONBLOCK)
        run('still-works', round_trip)
    return 0


def hold(fd, ctl, cmd, what):
    """Hold @fd across an unplug: say we are ready, wait until told to go
    (the test has unplugged the chip), then @cmd must fail with EPIPE; ours
    also gives EPIPE from read and HUP|ERR from poll, upstream's read is
    EOF.  Closes @fd; returns the exit status."""
    open(ctl + '.ready', 'w').close()
    try:
        for _ in range(300):
            if os.path.exists(ctl + '.go'):
                break
            time.sleep(0.1)
        else:
            raise AssertionError('never told to go')
        expect_errno(errno.EPIPE, os.write, fd, cmd)
        if OURS:
            expect_errno(errno.EPIPE, os.read, fd, 4096)
            p = select.poll()
            p.register(fd, select.POLLIN | select.POLLOUT)
            ev = dict(p.poll(0)).get(fd, 0)
            if not (ev & select.POLLHUP and ev & select.POLLERR):
                raise AssertionError('poll after unplug gave 0x%x, want HUP|ERR' % ev)
        elif os.read(fd, 4096) != b'':
            raise AssertionError('upstream read after unplug returned data')
    except AssertionError as e:
        print('holder: %s' % e)
        return 1
    finally:
        os.close(fd)
    print('holder: EPIPE on %s after unplug' % what)
    return 0


def holder(ctl):
    fd = os.open(DEV, os.O_RDWR)
    round_trip(fd)
    return hold(fd, ctl, get_random_cmd(), DEV)


def sleepers(info, srv_pid):
    num = int(open(info).read().split()[0])
    dev = '/dev/tpm%d' % num
    fd = os.open(dev, os.O_RDWR | os.O_NONBLOCK)
    os.write(fd, get_random_cmd())
    for _ in range(100):
        if os.path.exists(info + '.holding'):
            break
        time.sleep(0.05)
    else:
        print('TEST-FAIL: vtpm/sleepers: the server never got the command')
        return 1
    os.set_blocking(fd, True)
    got = {}

    def reader():
        try:
            got['read'] = os.read(fd, 4096)
        except OSError as e:
            got['read'] = e.errno
        got['read_t'] = time.monotonic()

    def poller():
        p = select.poll()
        p.register(fd, select.POLLIN)
        got['poll'] = dict(p.poll(10000)).get(fd, 0)
        got['poll_t'] = time.monotonic()

    threads = [threading.Thread(target=reader), threading.Thread(target=poller)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    if got:
        print('TEST-FAIL: vtpm/sleepers-block: returned before the unplug: %r' % got)
        return 1
    t0 = time.monotonic()
    os.kill(srv_pid, signal.SIGKILL)
    for t in threads:
        t.join(10)
    os.close(fd)
    ok = True
    want = (errno.ECANCELED,) if OURS else (errno.ECANCELED, errno.EPIPE)
    if got.get('read') in want:
        print('TEST-PASS: vtpm/reader-woken-%s (%d ms)' % (errno.errorcode[got['read']], (got['read_t'] - t0) * 1000))
    else:
        print('TEST-FAIL: vtpm/reader-woken: read gave %r' % (got.get('read'),))
        ok = False
    if not OURS:
        # Upstream wakes pollers only when a response arrives; the reader
        # took the error, so the poller sleeps out its 10 s timeout.
        if got.get('poll') == 0:
            print('TEST-PASS: vtpm/poller-not-woken-upstream (known difference)')
        else:
            print('TEST-FAIL: vtpm/poller-not-woken-upstream: %r' % (got,))
            ok = False
    elif 'poll_t' in got and got['poll_t'] - t0 < 5:
        print('TEST-PASS: vtpm/poller-woken (0x%x, %d ms)' % (got['poll'], (got['poll_t'] - t0) * 1000))
    else:
        print('TEST-FAIL: vtpm/poller-woken: %r' % (got,))
        ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    if sys.argv[1] == 'sleepers':
        sys.exit(sleepers(sys.argv[2], int(sys.argv[3])))
    if sys.argv[1] == 'cdev':
        sys.exit(cdev())
    if sys.argv[1] == 'set-locality':
        sys.exit(set_locality())
    if sys.argv[1] == 'holder':
        sys.exit(holder(sys.argv[2]))
    sys.exit('usage: tpmdev.py cdev | holder <ctl>')
