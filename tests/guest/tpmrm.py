#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of /dev/tpmrm0, run inside the test guest.

  tpmrm.py spaces           isolation and bookkeeping of the spaces
  tpmrm.py smoke            the selftests' SmokeTest, every client on
                            /dev/tpmrm0 instead of /dev/tpm0
  tpmrm.py holder <ctl>     hold /dev/tpmrm0 open, an object and a session
                            in its space, across an unplug; expect EPIPE
  tpmrm.py hog              open /dev/tpmrm0 files and start sessions in
                            them until one is refused; print "refused
                            after <n> rc 0x<rc>", hold them until a line
                            comes on stdin

Uses the kernel's tools/testing/selftests/tpm2/tpm2.py as the client.
"""
import errno
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.environ.get('TPMTEST_KSRC', '/nonexistent'),
                                'tools/testing/selftests/tpm2'))
sys.dont_write_bytecode = True
import tpm2  # noqa: E402  (the path is set just above)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpmdev import OURS, Suite, check_response, expect_errno, get_random_cmd, hold  # noqa: E402

HR_SAVED_SESSION = 0x03000000
SE_HMAC = 0x00
RM_LAYER = 11 << 16
RC_COMMAND_CODE = 0x143
RC_OBJECT_MEMORY = 0x902
RC_SESSION_MEMORY = 0x903
CC_CONTEXT_LOAD, CC_CONTEXT_SAVE = 0x161, 0x162
# What a space holds.  Upstream keeps a space's contexts loaded together,
# so it allows what the TPM has slots for (3 each in swtpm) and answers the
# next with the TPM's own error; ours keeps them saved between commands.
SPACE_OBJECTS = 16 if OURS else 3
SPACE_SESSIONS = 4 if OURS else 3
FULL_OBJECTS = RM_LAYER | RC_OBJECT_MEMORY if OURS else RC_OBJECT_MEMORY
FULL_SESSIONS = RM_LAYER | RC_SESSION_MEMORY if OURS else RC_SESSION_MEMORY


def space():
    return tpm2.Client(tpm2.Client.FLAG_SPACE)


def rc_of(fn, *args):
    try:
        fn(*args)
    except tpm2.ProtocolError as e:
        return e.rc
    return 0


def expect_refused(fn, *args):
    """Naming a handle the space does not own: EINVAL from us; upstream
    passes some such commands to the TPM, which answers with an error."""
    try:
        fn(*args)
    except tpm2.ProtocolError as e:
        if OURS:
            raise AssertionError('TPM error 0x%x, want EINVAL' % e.rc)
        return
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise
        return
    raise AssertionError('a foreign handle was accepted')


def seal_unseal(c, parent):
    data, auth = b'sealed in a space', b'pw'
    blob = c.seal(parent, data, auth, None)
    got = c.unseal(parent, blob, auth, None)
    if got != data:
        raise AssertionError('unsealed %r, want %r' % (got, data))


def transient(c):
    return c.get_cap(tpm2.TPM2_CAP_HANDLES, tpm2.HR_TRANSIENT)


def t_many_objects():
    # More objects than the TPM has slots (3 in swtpm), all usable, while
    # another space works beside them; the next one is refused cleanly.
    a, b = space(), space()
    # Unseal loads one more object: leave it a slot.
    n = min(SPACE_OBJECTS - 1, 6)
    keys = [a.create_root_key() for _ in range(n)]
    if sorted(transient(a)) != sorted(keys):
        raise AssertionError('listed %r, created %r' % (transient(a), keys))
    kb = b.create_root_key()
    seal_unseal(a, keys[0])
    seal_unseal(b, kb)
    seal_unseal(a, keys[-1])
    if transient(b) != [kb]:
        raise AssertionError('space b lists %r, want [%08x]' % (transient(b), kb))
    for _ in range(n, SPACE_OBJECTS):
        a.create_root_key()
    rc = rc_of(a.create_root_key)
    if rc != FULL_OBJECTS:
        raise AssertionError('object %d: rc 0x%x, want 0x%x' % (SPACE_OBJECTS + 1, rc, FULL_OBJECTS))
    seal_unseal(b, kb)
    a.close()
    b.close()


def t_handles_private():
    a, b = space(), space()
    for _ in range(3):
        a.create_root_key()
    kb = b.create_root_key()
    # a's third object has no counterpart in b.
    expect_refused(b.flush_context, kb + 2)
    b.flush_context(kb)
    if transient(b):
        raise AssertionError('flushed object still listed: %r' % transient(b))
    expect_refused(b.flush_context, kb)
    if len(transient(a)) != 3:
        raise AssertionError('space a lost objects: %r' % transient(a))
    a.close()
    b.close()


def t_sessions_private():
    a, b = space(), space()
    s = a.start_auth_session(tpm2.TPM2_SE_POLICY)
    a.policy_password(s)
    d1 = a.get_policy_digest(s)
    expect_refused(b.get_policy_digest, s)
    if not OURS:
        # Upstream passes FlushContext of another space's session to the
        # TPM, which flushes it: space b can end space a's session.
        b.flush_context(s)
        expect_refused(a.get_policy_digest, s)
        a.close()
        b.close()
        return
    expect_refused(b.flush_context, s)
    if a.get_policy_digest(s) != d1:
        raise AssertionError('the policy digest changed between commands')
    a.flush_context(s)
    expect_refused(a.flush_context, s)
    a.close()
    b.close()


def t_session_limit():
    a = space()
    sessions = [a.start_auth_session(tpm2.TPM2_SE_POLICY) for _ in range(SPACE_SESSIONS)]
    rc = rc_of(a.start_auth_session, tpm2.TPM2_SE_POLICY)
    if rc != FULL_SESSIONS:
        raise AssertionError('session %d: rc 0x%x, want 0x%x' %
                             (SPACE_SESSIONS + 1, rc, FULL_SESSIONS))
    # The refused one was flushed from the TPM; the others still work.
    for s in sessions:
        a.policy_password(s)
        a.get_policy_digest(s)
    a.close()


def t_refused_commands():
    a = space()
    for cc in (0x20001000, 0x0000FFFF):
        cmd = struct.pack('>HIIB', tpm2.TPM2_ST_SESSIONS, 11, cc, 0)
        rc = rc_of(a.send_cmd, cmd)
        if rc != RM_LAYER | RC_COMMAND_CODE:
            raise AssertionError('command 0x%x: rc 0x%x' % (cc, rc))
    a.close()


def t_context_save_load():
    a = space()
    k = a.create_root_key()
    rsp = a.send_cmd(struct.pack('>HIII', tpm2.TPM2_ST_NO_SESSIONS, 14,
                                 CC_CONTEXT_SAVE, k))
    ctx = rsp[10:]
    a.flush_context(k)
    rsp = a.send_cmd(struct.pack('>HII', tpm2.TPM2_ST_NO_SESSIONS,
                                 10 + len(ctx), CC_CONTEXT_LOAD) + ctx)
    (k2,) = struct.unpack('>I', rsp[10:14])
    if transient(a) != [k2]:
        raise AssertionError('after ContextLoad listed %r, want [%08x]' % (transient(a), k2))
    seal_unseal(a, k2)
    a.close()


def kernel_sessions(chip='tpm0'):
    """The kernel's own session (CONFIG_TCG_TPM2_HMAC): 1 if the chip has
    one (null_name shows a key), else 0.  /dev/tpm0 finds it saved."""
    try:
        name = open('/sys/class/tpm/%s/null_name' % chip).read().strip()
    except OSError:
        return 0
    return 1 if name.strip('0') else 0


def t_nothing_left():
    # Spaces closed with objects and sessions in them leave nothing in
    # the TPM: look through /dev/tpm0, which sees the TPM as it is (but
    # for the kernel's own session, saved).
    a = space()
    a.create_root_key()
    a.start_auth_session(tpm2.TPM2_SE_POLICY)
    a.start_auth_session(SE_HMAC)
    a.close()
    raw = tpm2.Client()
    try:
        left = {name: raw.get_cap(tpm2.TPM2_CAP_HANDLES, ht) for name, ht in
                (('transient', tpm2.HR_TRANSIENT),
                 ('loaded sessions', tpm2.HR_LOADED_SESSION),
                 ('saved sessions', HR_SAVED_SESSION))}
    finally:
        raw.close()
    if len(left['saved sessions']) <= kernel_sessions():
        left['saved sessions'] = []
    left = {k: v for k, v in left.items() if v}
    if left:
        raise AssertionError('left in the TPM: %r' % left)


def t_tpm0_sees_nothing():
    # What a space keeps loaded between its commands is out of the TPM
    # before any /dev/tpm0 command: that user lists none of it, flushing
    # every transient handle (tpm2_flushcontext -t) flushes none of it,
    # and the space goes on.
    a = space()
    k = a.create_root_key()
    s = a.start_auth_session(tpm2.TPM2_SE_POLICY)
    seal_unseal(a, k)
    a.policy_password(s)
    raw = tpm2.Client()
    try:
        seen = (raw.get_cap(tpm2.TPM2_CAP_HANDLES, tpm2.HR_TRANSIENT) +
                raw.get_cap(tpm2.TPM2_CAP_HANDLES, tpm2.HR_LOADED_SESSION))
        for h in raw.get_cap(tpm2.TPM2_CAP_HANDLES, tpm2.HR_TRANSIENT):
            raw.flush_context(h)
    finally:
        raw.close()
    if seen:
        raise AssertionError('/dev/tpm0 saw %r' % ['%08x' % h for h in seen])
    seal_unseal(a, k)
    a.get_policy_digest(s)
    a.close()


def t_many_opens():
    clients = [space() for _ in range(8)]
    for c in clients:
        check_response(c.send_cmd(get_random_cmd()))
    for c in clients:
        c.close()


def spaces():
    s = Suite('rm')
    s.run('many-objects-one-space', t_many_objects)
    s.run('object-handles-private', t_handles_private)
    s.run('sessions-private', t_sessions_private)
    s.run('session-limit', t_session_limit)
    s.run('refused-commands', t_refused_commands)
    s.run('context-save-load', t_context_save_load)
    s.run('tpm0-sees-no-space-context', t_tpm0_sees_nothing)
    s.run('many-opens', t_many_opens)
    s.run('nothing-left-in-tpm', t_nothing_left)
    return 0


def smoke():
    init = tpm2.Client.__init__

    def init_space(self, flags=0):
        init(self, flags | tpm2.Client.FLAG_SPACE)
    tpm2.Client.__init__ = init_space
    import tpm2_tests
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(tpm2_tests.SmokeTest)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    if result.wasSuccessful() and result.testsRun:
        print('TEST-PASS: rm/SmokeTest-on-tpmrm0 (%d cases)' % result.testsRun)
        return 0
    print('TEST-FAIL: rm/SmokeTest-on-tpmrm0: %d failed, %d errors' %
          (len(result.failures), len(result.errors)))
    return 1


def holder(ctl):
    c = space()
    c.create_root_key()
    c.start_auth_session(tpm2.TPM2_SE_POLICY)
    # hold() closes the descriptor; the client object only forgets it.
    fd = os.dup(c.tpm.fileno())
    c.close()
    return hold(fd, ctl, get_random_cmd(), '/dev/tpmrm0')


def hog():
    files, n = [], 0
    while True:
        c = space()
        files.append(c)
        for _ in range(SPACE_SESSIONS):
            try:
                c.start_auth_session(SE_HMAC)
            except tpm2.ProtocolError as e:
                print('refused after %d rc 0x%x' % (n, e.rc), flush=True)
                sys.stdin.readline()
                return 0
            n += 1
        if len(files) > 256:
            print('refused after %d rc none' % n, flush=True)
            return 1


if __name__ == '__main__':
    if sys.argv[1:2] == ['spaces']:
        sys.exit(spaces())
    if sys.argv[1:2] == ['smoke']:
        sys.exit(smoke())
    if sys.argv[1:2] == ['holder']:
        sys.exit(holder(sys.argv[2]))
    if sys.argv[1:2] == ['hog']:
        sys.exit(hog())
    sys.exit('usage: tpmrm.py spaces | smoke | holder <ctl> | hog')
