#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Time the kernel's TPM users through tpm_kuser.ko (tests/tpm_kuser.c).

  kuser.py <op> <n> [<device>]
      n calls of <op> (extend, random, pcrread), one per write to
      /sys/kernel/debug/tpm_kuser/run, each timed by the module; with a
      <device> (/dev/tpmrm0), a TPM2_GetRandom from user space through it
      after each call, as when user space uses the TPM beside IMA or the
      hwrng (upstream ends its session at each such write)
  kuser.py phases <n>
      n protected extends one at a time, each step timed by the module
      (the session made ready, the command built, its HMAC, the round
      trip, the response checked): where one call's time goes
  kuser.py loop <op> <n>
      one write of "<op> n": n calls in a row inside the kernel (also
      sessmath: the session's arithmetic for one extend, no TPM; phases:
      each step's mean)

Prints "op=<op> n=<n> user=<0|1> first_us=<> mean_us=<> median_us=<>"
(phases: then "<step>_us=<median>" for each step; loop: "op=<op> n=<n>
loop_us_per_op=<>"); exit status 1 if a call failed.
"""
import os
import statistics
import struct
import sys

RUN = '/sys/kernel/debug/tpm_kuser/run'
RESULT = '/sys/kernel/debug/tpm_kuser/result'
GET_RANDOM = struct.pack('>HIIH', 0x8001, 12, 0x17B, 8)


def call(op, n, steps=None):
    """One write of "op n"; the module's ns per call (and each step's ns
    appended to steps[name], for phases)."""
    with open(RUN, 'w') as f:
        f.write('%s %d' % (op, n))
    with open(RESULT) as f:
        fields = f.read().split()
    if fields[4] != '0':
        raise OSError('%s failed: %s' % (op, ' '.join(fields)))
    for kv in fields[6:]:
        name, ns = kv.split('=')
        if steps is not None:
            steps.setdefault(name, []).append(int(ns))
    return int(fields[3])


def calls(op, n, dev=None):
    fd = os.open(dev, os.O_RDWR) if dev else None
    times = []
    steps = {}
    for _ in range(n):
        times.append(call(op, 1, steps))
        if fd is not None:
            os.write(fd, GET_RANDOM)
            rsp = os.read(fd, 4096)
            if struct.unpack('>I', rsp[6:10])[0]:
                raise OSError('GetRandom through %s: 0x%x' % (dev, struct.unpack('>I', rsp[6:10])[0]))
    if fd is not None:
        os.close(fd)
    print('op=%s n=%d user=%d first_us=%.0f mean_us=%.0f median_us=%.0f' %
          (op, n, fd is not None, times[0] / 1000, statistics.mean(times[1:] or times) / 1000,
           statistics.median(times[1:] or times) / 1000) +
          ''.join(' %s_us=%.1f' % (k, statistics.median(v[1:] or v) / 1000)
                  for k, v in steps.items()))


def main():
    try:
        if sys.argv[1] == 'loop':
            op, n, steps = sys.argv[2], int(sys.argv[3]), {}
            per_op = call(op, n, steps)
            print('op=%s n=%d loop_us_per_op=%.1f' % (op, n, per_op / 1000) +
                  ''.join(' %s_us=%.1f' % (k, v[0] / n / 1000) for k, v in steps.items()))
        else:
            calls(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
    except OSError as e:
        print(e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
