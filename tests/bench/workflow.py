#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark's TSS workflow, as a user runs it: tpm2-tools
createprimary, create, load, sign and verifysignature (ECC P-256), each a
process, the keys handed on in context files.

  workflow.py SECS [MIN]

Runs the chain again and again for SECS seconds (at least MIN times,
default 10) through the TCTI that TPM2TOOLS_TCTI names, and prints one
line as tpm-bench does: workload=workflow ops=... rate=... p50_us=...
(one op is the whole chain).  Any tool failing ends the run with status 1.
"""
import os
import subprocess
import sys
import tempfile
import time


def chain(d, msg):
    def p(name):
        return os.path.join(d, name)
    return [
        ['tpm2_createprimary', '-Q', '-C', 'o', '-G', 'ecc', '-c', p('prim.ctx')],
        ['tpm2_create', '-Q', '-C', p('prim.ctx'), '-G', 'ecc',
         '-u', p('key.pub'), '-r', p('key.priv')],
        ['tpm2_load', '-Q', '-C', p('prim.ctx'), '-u', p('key.pub'),
         '-r', p('key.priv'), '-c', p('key.ctx')],
        ['tpm2_sign', '-Q', '-c', p('key.ctx'), '-g', 'sha256',
         '-o', p('sig'), msg],
        ['tpm2_verifysignature', '-Q', '-c', p('key.ctx'), '-g', 'sha256',
         '-m', msg, '-s', p('sig')],
    ]


def main():
    secs = float(sys.argv[1])
    least = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    d = tempfile.mkdtemp(prefix='workflow-')
    msg = os.path.join(d, 'msg')
    with open(msg, 'wb') as f:
        f.write(b'signed by the benchmark\n')
    steps = chain(d, msg)
    lat = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs or len(lat) < least:
        start = time.monotonic()
        for step in steps:
            r = subprocess.run(step, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
            if r.returncode:
                sys.stderr.write('%s: status %d: %s' % (
                    step[0], r.returncode, r.stderr.decode(errors='replace')))
                return 1
        lat.append(time.monotonic() - start)
    total = time.monotonic() - t0
    lat.sort()
    n = len(lat)
    print('workload=workflow mode=block clients=1 ops=%d secs=%.2f rate=%.2f '
          'p50_us=%.0f p99_us=%.0f max_us=%.0f' %
          (n, total, n / total, lat[n // 2] * 1e6, lat[n * 99 // 100] * 1e6,
           lat[-1] * 1e6))
    return 0


if __name__ == '__main__':
    sys.exit(main())
