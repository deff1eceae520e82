#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An attacker on the TPM's bus, for the session suite.

  interpose.py serve <info-file> <swtpm socket> <traffic-log> <mode-file>
      a TPM 2.0 vtpm proxy device whose commands go to swtpm (its unixio
      server socket); writes the device's number to <info-file>, every
      command and response to <traffic-log> ("C <hex>", "R <hex>"), and
      changes responses as <mode-file> (one word, read for each) says:
        none    nothing
        random  TPM2_GetRandom: every byte it returns becomes 0x5a
        pcr     TPM2_PCR_Read: every byte of the digest becomes 0x5a
        unseal  TPM2_Unseal: every byte of the data becomes 0x5a
        replay  TPM2_GetRandom: answered with the previous one's response
        nonce   a response with sessions: a byte of its last nonce flipped
        nullkey TPM2_CreatePrimary in the null hierarchy of the kernel's
                template (its unique area empty): one byte put in the
                unique area, so that the TPM makes another key (the
                attacker's, as far as the kernel can tell)
        refuse  TPM2_StartAuthSession: not sent on, answered TPM_RC_SIZE
                for the caller's nonce (what a TPM wanting other nonces
                says)
        refuse16
                the same for a nonce shorter than 32 bytes only (a TPM
                that wants digest-sized nonces)
        cutstart
                TPM2_StartAuthSession: sent on, and the TPM's success cut
                short (its nonce 8 bytes shorter than it says): the TPM
                has a session the caller cannot use
      (the traffic log has what the TPM sent, and the refusals)
  interpose.py seen <traffic-log> <hex>
      exit 0 if any 16 bytes in a row of them appear in a command or
      response logged
  interpose.py unseal-leak <traffic-log>
      exit 0 if the data of the last TPM2_Unseal response logged appears
      in a TPM2_Create command logged (the key sealed, then unsealed, in
      clear); 1 if not; 2 if there is no such response
  interpose.py kernel-session <traffic-log>
      the handle of the session in the last TPM2_GetRandom with sessions
      logged (the kernel's: no tool sends one in the suite)
  interpose.py start-flushed <traffic-log>
      exit 0 if a TPM2_FlushContext of the last session
      TPM2_StartAuthSession started follows it in the log
  interpose.py flush <device> <handle>
      TPM2_FlushContext of <handle> through <device>; exit 0 if it was
      flushed, 1 if refused (the response code printed), 2 if the device
      failed
  interpose.py try-session <device> <handle>
      a TPM2_GetRandom naming <handle> as its session, sent through
      <device>: exit 0 if it was refused (by the kernel or the TPM), 1 if
      it got random bytes
Exit status 0 unless something failed; what failed is printed.
"""
import os
import struct
import sys
import vtpmfwd

CC_CREATE, CC_UNSEAL, CC_GET_RANDOM, CC_PCR_READ = 0x153, 0x15E, 0x17B, 0x17E
CC_START_AUTH_SESSION, CC_CREATE_PRIMARY, RH_NULL = 0x176, 0x131, 0x40000007
CC_FLUSH_CONTEXT = 0x165
ST_SESSIONS = 0x8002
# TPM_RC_SIZE (format 1) about parameter 3, StartAuthSession's nonceCaller.
RC_SIZE_NONCE = 0x095 + 0x040 + 0x300


def params_at(rsp):
    """Where a response's parameters start (after parameterSize)."""
    tag = struct.unpack('>H', rsp[0:2])[0]
    return 14 if tag == ST_SESSIONS else 10


def fill_2b(rsp, off):
    """The TPM2B at off, every byte 0x5a."""
    n = struct.unpack('>H', rsp[off:off + 2])[0]
    rsp[off + 2:off + 2 + n] = b'\x5a' * n


def pcr_digest_at(rsp):
    """The first digest of a PCR_Read response (its TPM2B)."""
    off = params_at(rsp) + 4
    count = struct.unpack('>I', rsp[off:off + 4])[0]
    off += 4
    for _ in range(count):
        off += 3 + rsp[off + 2]
    return off + 4


def tamper(mode, cc, rsp, last_random):
    rsp = bytearray(rsp)
    if len(rsp) <= 10 or struct.unpack('>I', rsp[6:10])[0] != 0:
        return bytes(rsp)
    if mode == 'random' and cc == CC_GET_RANDOM:
        fill_2b(rsp, params_at(rsp))
    elif mode == 'pcr' and cc == CC_PCR_READ:
        fill_2b(rsp, pcr_digest_at(rsp))
    elif mode == 'unseal' and cc == CC_UNSEAL:
        fill_2b(rsp, params_at(rsp))
    elif mode == 'replay' and cc == CC_GET_RANDOM and last_random:
        return last_random
    elif mode == 'nonce' and struct.unpack('>H', rsp[0:2])[0] == ST_SESSIONS:
        # The last session: nonce, attributes, then a 32-byte HMAC.
        rsp[-(2 + 32 + 1 + 2)] ^= 0x01
    elif mode == 'cutstart' and cc == CC_START_AUTH_SESSION and len(rsp) > 24:
        # sessionHandle, then nonceTPM, 8 bytes short of its size.
        rsp = rsp[:-8]
        struct.pack_into('>I', rsp, 2, len(rsp))
    return bytes(rsp)


def tamper_cmd(mode, cc, cmd):
    """The kernel's null key template: password session (9 bytes), empty
    sensitive area (4), then TPM2B_PUBLIC at 33 whose unique x is at 57."""
    if (mode != 'nullkey' or cc != CC_CREATE_PRIMARY or len(cmd) < 61 or
            struct.unpack('>I', cmd[10:14])[0] != RH_NULL or
            cmd[57:61] != b'\0\0\0\0'):
        return cmd
    cmd = bytearray(cmd[:57] + b'\x00\x01\x01' + cmd[59:])
    struct.pack_into('>I', cmd, 2, len(cmd))
    struct.pack_into('>H', cmd, 33, struct.unpack('>H', cmd[33:35])[0] + 1)
    return bytes(cmd)


def nonce_size(cmd):
    """TPM2_StartAuthSession's nonceCaller size (after its two handles)."""
    return struct.unpack('>H', cmd[18:20])[0]


def mode_of(path):
    try:
        return open(path).read().strip()
    except OSError:
        return 'none'


def serve(info, path, log, modefile):
    last = {}
    with open(log, 'a') as out:
        def answer(sock, cmd, cc):
            mode = mode_of(modefile)
            if cc == CC_START_AUTH_SESSION and (
                    mode == 'refuse' or
                    (mode == 'refuse16' and nonce_size(cmd) < 32)):
                rsp = struct.pack('>HII', 0x8001, 10, RC_SIZE_NONCE)
                out.write('C %s\nR %s\n' % (cmd.hex(), rsp.hex()))
                out.flush()
                return rsp
            cmd = tamper_cmd(mode, cc, cmd)
            rsp = vtpmfwd.exchange(sock, cmd)
            out.write('C %s\nR %s\n' % (cmd.hex(), rsp.hex()))
            out.flush()
            sent = tamper(mode, cc, rsp, last.get('random'))
            if cc == CC_GET_RANDOM:
                last['random'] = rsp
            return sent
        return vtpmfwd.relay(info, path, answer)


def seen(log, hexbytes):
    want = hexbytes.strip().lower()
    pieces = {want[i:i + 32] for i in range(0, len(want) - 31, 2)}
    for line in open(log):
        data = line.split()[1]
        if any(p in data for p in pieces):
            return 0
    return 1


def unseal_leak(log):
    lines = [line.split() for line in open(log)]
    data = None
    for i, (kind, h) in enumerate(lines):
        if kind == 'R' and i and int(lines[i - 1][1][12:20], 16) == CC_UNSEAL:
            rsp = bytes.fromhex(h)
            if struct.unpack('>I', rsp[6:10])[0] == 0:
                off = params_at(rsp)
                n = struct.unpack('>H', rsp[off:off + 2])[0]
                data = rsp[off + 2:off + 2 + n].hex()
    if not data:
        print('no TPM2_Unseal response in the log')
        return 2
    for kind, h in lines:
        if kind == 'C' and int(h[12:20], 16) == CC_CREATE and data in h:
            return 0
    return 1


def kernel_session(log):
    handle = None
    for line in open(log):
        kind, h = line.split()
        # tag, size, code, authorizationSize, then the session's handle
        if (kind == 'C' and h[0:4] == '8002' and
                int(h[12:20], 16) == CC_GET_RANDOM):
            handle = h[28:36]
    if not handle:
        print('no TPM2_GetRandom with a session in the log')
        return 1
    print('0x' + handle)
    return 0


def start_flushed(log):
    lines = [line.split() for line in open(log)]
    handle, flushed = None, False
    for i, (kind, h) in enumerate(lines):
        if (kind == 'R' and i and h[12:20] == '00000000' and
                int(lines[i - 1][1][12:20], 16) == CC_START_AUTH_SESSION):
            handle, flushed = h[20:28], False
        elif (kind == 'C' and handle and int(h[12:20], 16) == CC_FLUSH_CONTEXT and
              h[20:28] == handle):
            flushed = True
    if not handle:
        print('no session started in the log')
        return 1
    if not flushed:
        print('session 0x%s started, never flushed' % handle)
    return 0 if flushed else 1


def try_session(dev, handle):
    # GetRandom(8) with the session, for encryption, and an empty HMAC.
    area = struct.pack('>IHBH', int(handle, 16), 0, 0x41, 0)
    body = struct.pack('>I', len(area)) + area + struct.pack('>H', 8)
    cmd = struct.pack('>HII', ST_SESSIONS, 10 + len(body), CC_GET_RANDOM) + body
    fd = os.open(dev, os.O_RDWR)
    try:
        os.write(fd, cmd)
        rsp = os.read(fd, 4096)
    except OSError as e:
        print('refused by the kernel: %s' % e)
        return 0
    finally:
        os.close(fd)
    rc = struct.unpack('>I', rsp[6:10])[0]
    print('the TPM answered 0x%x' % rc)
    return 0 if rc else 1


def flush(dev, handle):
    cmd = struct.pack('>HIII', 0x8001, 14, 0x165, int(handle, 16))
    try:
        fd = os.open(dev, os.O_RDWR)
        try:
            os.write(fd, cmd)
            rsp = os.read(fd, 4096)
        finally:
            os.close(fd)
    except OSError as e:
        print('TPM2_FlushContext of %s: %s' % (handle, e))
        return 2
    rc = struct.unpack('>I', rsp[6:10])[0]
    if rc:
        print('TPM2_FlushContext of %s: 0x%x' % (handle, rc))
    return 1 if rc else 0


if __name__ == '__main__':
    fn = {'flush': flush, 'serve': serve, 'seen': seen, 'unseal-leak': unseal_leak,
          'kernel-session': kernel_session, 'try-session': try_session,
          'start-flushed': start_flushed}
    sys.exit(fn[sys.argv[1]](*sys.argv[2:]))
