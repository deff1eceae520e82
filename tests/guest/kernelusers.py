#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of what the kernel's TPM users and the chip's files show.

  kernelusers.py split-blob <hex blob> <pub out> <priv out>
      a TPM 2.0 trusted key's blob (TSS2 private key, DER): its parts,
      for tpm2_load; prints the parent handle
  kernelusers.py pcrs <tpm2_pcrread output> <sysfs chip dir>
      every pcr-<bank>/<N> file equals what tpm2_pcrread shows, for each
      bank tpm2_pcrread shows with PCRs, and there is no other bank
  kernelusers.py replay <tpm2_eventlog output> <tpm2_pcrread output>
      the PCR values replayed from the event log equal the TPM's
  kernelusers.py log12 <binary log> <ascii log> <sysfs pcrs file>
      a TPM 1.2's log: one ascii line per event, with its PCR, digest and
      type; replayed, the PCRs it names equal the TPM's
  kernelusers.py tpm0-session
      a SHA-256 policy session started through /dev/tpm0 and left in the
      TPM, as nobody's space holds it; prints its handle
  kernelusers.py victim
      a /dev/tpmrm0 file with a primary key and a SHA-256 policy session,
      both used last (so left loaded); prints "ready <session handle>",
      waits for a line on stdin, then uses both again and prints "ok"
Exit status 0 if the check holds; otherwise what differs is printed.
"""
import hashlib
import os
import re
import struct
import sys


def der(buf, off):
    """(tag, content start, content end) of the DER item at off."""
    tag, n = buf[off], buf[off + 1]
    off += 2
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(buf[off:off + k], 'big')
        off += k
    return tag, off, off + n


def split_blob(hexfile, pub, priv):
    blob = bytes.fromhex(open(hexfile).read().strip())
    tag, off, end = der(blob, 0)
    assert tag == 0x30, 'not a SEQUENCE'
    items = []
    while off < end:
        t, s, e = der(blob, off)
        items.append((t, blob[s:e]))
        off = e
    ints = [v for t, v in items if t == 0x02]
    octets = [v for t, v in items if t == 0x04]
    assert len(ints) == 1 and len(octets) == 2, 'not a TSS2 private key'
    open(pub, 'wb').write(octets[0])
    open(priv, 'wb').write(octets[1])
    print('0x%08x' % int.from_bytes(ints[0], 'big'))
    return 0


def yaml_pcrs(path, after=None):
    """{bank: {pcr: HEX}} from tpm2_pcrread or tpm2_eventlog's pcrs:."""
    lines = open(path).read().splitlines()
    if after is not None:
        lines = lines[lines.index(after) + 1:] if after in lines else []
    pcrs, bank = {}, None
    for line in lines:
        m = re.match(r'^\s+(\w+):\s*$', line)
        if m:
            bank = m.group(1)
            pcrs.setdefault(bank, {})
            continue
        m = re.match(r'^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$', line)
        if m and bank:
            pcrs[bank][int(m.group(1))] = m.group(2).upper()
    return {b: v for b, v in pcrs.items() if v}


def check_pcrs(pcrread, chipdir):
    want = yaml_pcrs(pcrread)
    have = sorted(d[4:] for d in os.listdir(chipdir) if d.startswith('pcr-'))
    bad = 0
    if sorted(want) != have:
        print(f'banks: tpm2_pcrread {sorted(want)}, sysfs {have}')
        bad += 1
    for bank, values in want.items():
        for pcr, value in values.items():
            path = f'{chipdir}/pcr-{bank}/{pcr}'
            got = open(path).read() if os.path.exists(path) else '(none)\n'
            if got != value + '\n':
                print(f'{path}: {got.strip()!r}, tpm2_pcrread {value}')
                bad += 1
    print(f'{sum(len(v) for v in want.values())} PCRs in {len(want)} banks compared')
    return 1 if bad else 0


def replay(eventlog, pcrread):
    logged = yaml_pcrs(eventlog, 'pcrs:')
    tpm = yaml_pcrs(pcrread)
    bad = 0
    if not logged:
        print('tpm2_eventlog replayed no PCR')
        return 1
    for bank, values in logged.items():
        for pcr, value in values.items():
            if tpm.get(bank, {}).get(pcr) != value:
                print(f'{bank} PCR {pcr}: log {value}, TPM {tpm.get(bank, {}).get(pcr)}')
                bad += 1
    print(f'{sum(len(v) for v in logged.values())} replayed PCRs compared')
    return 1 if bad else 0


def log12(binary, ascii_, pcrs_file):
    log = open(binary, 'rb').read()
    lines = open(ascii_, 'rb').read().decode('latin-1').splitlines()
    tpm = {}
    for line in open(pcrs_file).read().splitlines():
        m = re.match(r'^PCR-(\d+): ((?:[0-9A-F]{2} ){20})$', line)
        if m:
            tpm[int(m.group(1))] = m.group(2).replace(' ', '').lower()
    off, n, bad, pcr = 0, 0, 0, {}
    while off + 32 <= len(log):
        idx, typ = struct.unpack_from('<II', log, off)
        digest = log[off + 8:off + 28]
        size, = struct.unpack_from('<I', log, off + 28)
        want = f'{idx:2d} {digest.hex()} {typ:02x} ['
        if n >= len(lines) or not lines[n].startswith(want) \
                or not lines[n].endswith(']'):
            print(f'event {n}: ascii {lines[n] if n < len(lines) else None!r}, want {want}...]')
            bad += 1
        if typ != 3:  # EV_NO_ACTION is not extended
            old = pcr.get(idx, b'\0' * 20)
            pcr[idx] = hashlib.sha1(old + digest).digest()
        off += 32 + size
        n += 1
    if off != len(log) or n != len(lines):
        print(f'{n} events in {off} of {len(log)} bytes, {len(lines)} ascii lines')
        bad += 1
    for idx, value in pcr.items():
        if tpm.get(idx) != value.hex():
            print(f'PCR {idx}: log {value.hex()}, TPM {tpm.get(idx)}')
            bad += 1
    print(f'{n} events, {len(pcr)} PCRs replayed')
    return 1 if bad or not n else 0


def selftests_client():
    """The kernel's selftests' TPM 2.0 client module."""
    sys.path.insert(0, os.path.join(os.environ.get('TPMTEST_KSRC', '/nonexistent'),
                                    'tools/testing/selftests/tpm2'))
    sys.dont_write_bytecode = True
    import tpm2
    return tpm2


def tpm0_session():
    tpm2 = selftests_client()
    c = tpm2.Client()
    print('0x%08x' % c.start_auth_session(tpm2.TPM2_SE_POLICY,
                                          tpm2.TPM2_ALG_SHA256))
    c.close()
    return 0


def victim():
    tpm2 = selftests_client()
    c = tpm2.Client(tpm2.Client.FLAG_SPACE)
    key = c.create_root_key()
    sess = c.start_auth_session(tpm2.TPM2_SE_POLICY, tpm2.TPM2_ALG_SHA256)
    # The resource manager leaves both loaded after their last use.
    c.get_policy_digest(sess)
    print('ready 0x%08x' % sess, flush=True)
    sys.stdin.readline()
    digest = c.get_policy_digest(sess)
    blob = c.seal(key, b'still mine', b'pw', None)
    if c.unseal(key, blob, b'pw', None) != b'still mine':
        print('the key unsealed something else')
        return 1
    if digest != bytes(32):
        print('the session is not as it was: %s' % digest.hex())
        return 1
    print('ok', flush=True)
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    return {'split-blob': split_blob, 'pcrs': check_pcrs, 'replay': replay,
            'log12': log12, 'tpm0-session': tpm0_session,
            'victim': victim}[cmd](*args)


if __name__ == '__main__':
    sys.exit(main())
