#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The session part of make bench as a table (tests/bench/run.sh).

  session.py <file>
      <file>: the guest's "target=<t> round=<r> op=<op> ..." lines
      (tests/guest/suite-bench.sh, session_round); prints, per operation,
      the median over rounds of each target's median microseconds per
      call (extend-loop: per extend; trusted: seal and unseal)
"""
import statistics
import sys

ORDER = ['upstream-hmac1', 'ours-hmac1', 'ours-hmac0']


def rows(path):
    """{(op, target): [value per round]}"""
    out = {}
    for line in open(path):
        f = dict(kv.split('=', 1) for kv in line.split() if '=' in kv)
        op, t = f.get('op'), f.get('target')
        if not op or not t:
            continue
        if op == 'trusted':
            out.setdefault(('trusted seal', t), []).append(int(f['seal_us']))
            out.setdefault(('trusted unseal', t), []).append(int(f['unseal_us']))
        elif 'loop_us_per_op' in f:
            out.setdefault((op + '-loop', t), []).append(float(f['loop_us_per_op']))
        else:
            name = op + ('-user' if f.get('user') == '1' else '')
            out.setdefault((name, t), []).append(int(f['median_us']))
    return out


def main(path):
    data = rows(path)
    ops = sorted({op for op, _ in data}, key=lambda o: (o.split('-')[0], o))
    targets = [t for t in ORDER if any(k[1] == t for k in data)]
    print('%-16s' % 'call' + ''.join('%16s' % t for t in targets) +
          '   ours-hmac1/upstream')
    for op in ops:
        vals = [statistics.median(data[(op, t)]) if (op, t) in data else None
                for t in targets]
        cells = ''.join('%16s' % ('-' if v is None else '%d' % v) for v in vals)
        up = data.get((op, 'upstream-hmac1'))
        ours = data.get((op, 'ours-hmac1'))
        ratio = ('%.2f' % (statistics.median(ours) / statistics.median(up))
                 if up and ours else '-')
        print('%-16s%s%22s' % (op, cells, ratio))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
