#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The vectors of tests/tpm_session_kunit.c, computed without the kernel.

  session-vectors.py

Prints each vector as the C array the KUnit file holds: KDFa, KDFe, two
sealed commands (a PCR extend; a TPM2_Create with a passphrase and its
first parameter encrypted), two sealed, encrypted GetRandom responses and
responses with no parameters (two extends', a TPM2_HierarchyControl's,
and one of that made with an extend's rpHash),
with Python's hmac and hashlib and the cryptography package's AES-CFB,
following TPM 2.0 Part 1 (11.4.9 KDFa, 11.4.10 KDFe, 19.6 HMAC sessions,
21 session-based encryption).  The NIST SP 800-108 vector is printed as a
check of KDFa's counter loop.
"""
import hashlib
import hmac
import struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
try:
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:
    from cryptography.hazmat.primitives.ciphers.modes import CFB


# The session's nonces: 16 bytes, as tpm2-session.c's TPM2_SESS_NONCE.
N = 16


def H(b):
    return hashlib.sha256(b).digest()


def kdfa(key, label, u, v, n):
    out, i = b'', 1
    while len(out) < n:
        out += hmac.new(key, struct.pack('>I', i) + label + b'\0' + u + v +
                        struct.pack('>I', n * 8), hashlib.sha256).digest()
        i += 1
    return out[:n]


def kdfe(z, label, pu, pv):
    return H(struct.pack('>I', 1) + z + label + b'\0' + pu + pv)


def cfb(key, iv, data):
    e = Cipher(algorithms.AES(key), CFB(iv)).encryptor()
    return e.update(data) + e.finalize()


def c(name, b):
    s = ''.join('\\x%02x' % x for x in b)
    lines = [s[i:i + 64] for i in range(0, len(s), 64)]
    print('static const u8 %s[] =\n\t"' % name + '"\n\t"'.join(lines) + '";')


def main():
    k = bytes.fromhex('dd1d91b7d90b2bd3138533ce92b272fbf8a369316aefe242e659cc0ae238afe0')
    info = bytes.fromhex('01322b96b30acd197979444e468e1c5c6859bf1b1cf951b7e725303e237e46b8'
                         '64a145fab25e517b08f8683d0315bb2911d80a0e8aba17f3b413faac')
    c('nist_out', hmac.new(k, struct.pack('>I', 1) + info, hashlib.sha256).digest()[:16])
    c('kdfa_out', kdfa(bytes(range(32)), b'ATH', b'\x11' * 32, b'\x22' * 32, 48))
    c('kdfe_out', kdfe(b'\x33' * 32, b'SECRET', b'\x44' * 32, b'\x55' * 32))
    sk, tn, on, sh = b'\x66' * 32, b'\x77' * N, b'\x88' * N, 0x02000000

    def command(cc, handle, name, attrs, key, params):
        cp = H(struct.pack('>I', cc) + name + params)
        mac = hmac.new(key, cp + on + tn + bytes([attrs]), hashlib.sha256).digest()
        area = struct.pack('>IH', sh, N) + on + bytes([attrs]) + struct.pack('>H', 32) + mac
        body = struct.pack('>I', handle) + struct.pack('>I', len(area)) + area + params
        return struct.pack('>HII', 0x8002, 10 + len(body), cc) + body

    c('extend_cmd', command(0x182, 16, struct.pack('>I', 16), 0x01, sk,
                            struct.pack('>IH', 1, 0x0b) + b'\x99' * 32))
    secret, pw = b'secret data!', b'pass'
    kiv = kdfa(sk + pw, b'CFB', on, tn, 32)
    params = struct.pack('>H', len(secret)) + cfb(kiv[:16], kiv[16:], secret) + b'\0\0'
    c('create_cmd', command(0x153, 0x81000001, b'\x00\x0b' + b'\xaa' * 32, 0x21,
                            sk + pw, params))
    def random(nt, ours, rnd):
        kiv = kdfa(sk, b'CFB', nt, ours, 32)
        params = struct.pack('>H', len(rnd)) + cfb(kiv[:16], kiv[16:], rnd)
        rp = H(struct.pack('>II', 0, 0x17b) + params)
        mac = hmac.new(sk, rp + nt + ours + b'\x41', hashlib.sha256).digest()
        body = (struct.pack('>I', len(params)) + params + struct.pack('>H', N) + nt +
                b'\x41' + struct.pack('>H', 32) + mac)
        return struct.pack('>HII', 0x8002, 10 + len(body), 0) + body

    c('random_rsp', random(b'\xbb' * N, on, b'0123456789abcdef'))
    c('random_rsp2', random(b'\xbc' * N, b'\x89' * N, b'fedcba9876543210'))

    def no_params(cc, nt, ours):
        rp = H(struct.pack('>II', 0, cc))
        mac = hmac.new(sk, rp + nt + ours + b'\x01', hashlib.sha256).digest()
        body = (struct.pack('>IH', 0, N) + nt + b'\x01' + struct.pack('>H', 32) + mac)
        return struct.pack('>HII', 0x8002, 10 + len(body), 0) + body

    c('extend_rsp1', no_params(0x182, b'\xcc' * N, on))
    c('extend_rsp2', no_params(0x182, b'\xdd' * N, b'\x89' * N))
    c('hc_rsp', no_params(0x121, b'\xee' * N, b'\x8a' * N))
    c('hc_rsp_stale', no_params(0x182, b'\xee' * N, b'\x8a' * N))


if __name__ == '__main__':
    main()
