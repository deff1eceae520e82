#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The core's files call downwards only.

    layering.py <Kbuild> <object dir>

tpm.ko's objects, as Kbuild's tpm-y lists them, lowest first: every
symbol an object uses from another of them must be defined by one listed
before it.  Prints each call upwards (or sideways to a later file) and
exits 1 if there is any.
"""
import re
import subprocess
import sys


def tpm_objects(kbuild):
    text = open(kbuild).read().replace('\\\n', ' ')
    m = re.search(r'^tpm-y\s*:=\s*(.*)$', text, re.M)
    return m.group(1).split()


def symbols(obj):
    out = subprocess.run(['nm', obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'TDBR':
            defined.add(f[2])
        elif len(f) == 2 and f[0] == 'U':
            used.add(f[1])
    return defined, used


def main():
    objs = tpm_objects(sys.argv[1])
    syms = [symbols(f'{sys.argv[2]}/{o}') for o in objs]
    bad = 0
    for i, (_, used) in enumerate(syms):
        for j, (defined, _) in enumerate(syms):
            if j <= i:
                continue
            for s in sorted(used & defined):
                print(f'{objs[i]} calls up into {objs[j]}: {s}')
                bad += 1
    print(f'{len(objs)} files, {bad} calls upwards')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
