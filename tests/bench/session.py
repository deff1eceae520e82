#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The session part of make bench as a table (tests/bench/run.sh).

  session.py <file>
      <file>: the guest's "target=<t> round=<r> op=<op> ..." lines
      (tests/guest/suite-bench.sh, session_round); prints, per operation,
      the median over rounds of each target's median microseconds per
      call (extend-loop: per extend; trusted: seal and unseal); then
      where a protected extend's time goes (kuser.py phases): each
      step's median, one call at a time and in a loop; then each round's
      ratios for a PCR extend against issue 26's goals, and in how many
      rounds they were met
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
            continue
        if op == 'phases':
            kind = op + ('-loop' if 'loop_us_per_op' in f else '')
            for k, v in f.items():
                if k.endswith('_us') and k not in ('first_us', 'mean_us', 'median_us'):
                    out.setdefault(('%s %s' % (kind, k[:-3]), t), []).append(float(v))
            continue
        if 'loop_us_per_op' in f:
            out.setdefault((op + '-loop', t), []).append(float(f['loop_us_per_op']))
        else:
            name = op + ('-user' if f.get('user') == '1' else '')
            out.setdefault((name, t), []).append(int(f['median_us']))
    return out


def table(data, ops, targets, title):
    print('%-20s' % title + ''.join('%16s' % t for t in targets) +
          '   ours-hmac1/upstream')
    for op in ops:
        vals = [statistics.median(data[(op, t)]) if (op, t) in data else None
                for t in targets]
        cells = ''.join('%16s' % ('-' if v is None else ('%d' % v if v >= 100 else '%.1f' % v))
                        for v in vals)
        up = data.get((op, 'upstream-hmac1'))
        ours = data.get((op, 'ours-hmac1'))
        ratio = ('%.2f' % (statistics.median(ours) / statistics.median(up))
                 if up and ours else '-')
        print('%-20s%s%22s' % (op, cells, ratio))


STEPS = ['begin', 'build', 'fill', 'send', 'check']

# Issue 26's goals for a PCR extend: ours protected at most 1.3x ours
# unprotected, and at least 5x faster than upstream's protected.
GOALS = [('extend', 'one call at a time'), ('extend-loop', 'in a loop')]
MAX_COST, MIN_GAIN = 1.3, 5.0


def per_round(path):
    """{(op, target, round): us per extend} for the goals' rows"""
    out = {}
    for line in open(path):
        f = dict(kv.split('=', 1) for kv in line.split() if '=' in kv)
        if f.get('op') != 'extend' or f.get('user') == '1':
            continue
        v = float(f['loop_us_per_op']) if 'loop_us_per_op' in f else float(f['median_us'])
        out[(f['op'] + ('-loop' if 'loop_us_per_op' in f else ''), f['target'], f['round'])] = v
    return out


def goals(path):
    """Each round's ratios (its targets ran back to back) and how many met the goals."""
    data = per_round(path)
    for op, what in GOALS:
        rounds = sorted({r for o, _, r in data if o == op}, key=int)
        cost, gain = [], []
        for r in rounds:
            p, u, up = (data.get((op, t, r)) for t in ('ours-hmac1', 'ours-hmac0', 'upstream-hmac1'))
            if p and u:
                cost.append(p / u)
            if p and up:
                gain.append(up / p)
        if not cost and not gain:
            continue
        print('Goals, PCR extend %s, round by round (%d rounds): protected/unprotected %s '
              '(at most %.1f: met in %d of %d); upstream/ours protected %s (at least %.0f: '
              'met in %d of %d)' %
              (what, len(rounds), ' '.join('%.2f' % c for c in cost), MAX_COST,
               sum(c <= MAX_COST for c in cost), len(cost),
               ' '.join('%.1f' % g for g in gain), MIN_GAIN,
               sum(g >= MIN_GAIN for g in gain), len(gain)))


def main(path):
    data = rows(path)
    targets = [t for t in ORDER if any(k[1] == t for k in data)]
    ops = sorted({op for op, _ in data if not op.startswith('phases')},
                 key=lambda o: (o.split('-')[0], o))
    table(data, ops, targets, 'call')
    for kind, what in (('phases', 'one call at a time'), ('phases-loop', 'in a loop')):
        steps = ['%s %s' % (kind, s) for s in STEPS if any(k[0] == '%s %s' % (kind, s) for k in data)]
        if steps:
            print('Where a protected extend\'s time goes, %s (us per step: the session made '
                  'ready, the command built, its HMAC, the round trip, the response checked)' % what)
            table(data, steps, targets, 'step')
    goals(path)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
