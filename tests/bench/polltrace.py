#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a TIS command's round trip goes, from QEMU's trace.

  polltrace.py <trace>...

Each trace is QEMU's log of tpm_tis_mmio_read, tpm_tis_mmio_write,
tpm_emulator_handle_request and tpm_util_show_buffer with timestamps
(-msg timestamp=on), as tests/bench/mmio.sh "poll" takes it.  For every
command after the first 50 (the boot's and the probe's drop out), from
the guest's write of TPM_STS.tpmGo: when QEMU's backend thread took the
command, when swtpm's answer was in QEMU's buffer, and when the driver
read STS with dataAvail; and how many reads of STS said "not yet".
Prints the quartiles, in microseconds, per trace.
"""
import re
import statistics
import sys

LINE = re.compile(r'^\d+@(\d+)\.(\d+):(tpm_\w+)\s*(.*)$')
ACCESS = re.compile(r'(read|write)\.\d\(0x([0-9a-f]+)\)\s*=\s*0x([0-9a-f]+)')
STS = 0x18
GO, AVAIL, VALID = 0x20, 0x10, 0x80
SKIP = 50


class Command:
    def __init__(self, go):
        self.go = go
        self.backend = None
        self.answered = None
        self.nos = 0


def commands(path):
    """Each command's (backend, answered, seen, reads said no)."""
    out, cur = [], None
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            t = int(m.group(1)) * 1e6 + int(m.group(2))
            event, rest = m.group(3), m.group(4)
            if cur is None and event != 'tpm_tis_mmio_write':
                continue
            if event == 'tpm_emulator_handle_request':
                cur.backend = cur.backend or t - cur.go
                continue
            if event == 'tpm_util_show_buffer':
                if 'From TPM' in rest:
                    cur.answered = t - cur.go
                continue
            a = ACCESS.search(rest)
            if not a or int(a.group(2), 16) & 0xfff != STS:
                continue
            val = int(a.group(3), 16)
            if a.group(1) == 'write':
                if val & GO:
                    cur = Command(t)
            elif (val & (AVAIL | VALID)) == (AVAIL | VALID):
                if cur.backend is not None and cur.answered is not None:
                    out.append((cur.backend, cur.answered, t - cur.go, cur.nos))
                cur = None
            else:
                cur.nos += 1
    return out[SKIP:]


def quartiles(xs):
    q = statistics.quantiles(xs, n=4)
    return '%.0f [%.0f-%.0f]' % (q[1], q[0], q[2])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        c = commands(path)
        if len(c) < 4:
            sys.exit('polltrace: %d commands in %s' % (len(c), path))
        cols = list(zip(*c))
        print('%s: %d commands; from tpmGo, us: backend took it %s, '
              'answer in QEMU %s, driver saw it %s; reads said not yet %s' %
              (path, len(c), quartiles(cols[0]), quartiles(cols[1]),
               quartiles(cols[2]), quartiles(cols[3])))


if __name__ == '__main__':
    main()
