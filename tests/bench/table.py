#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fold tpm-bench lines into the benchmark table.

Input lines: "target=<name> round=<r> workload=... rate=... p50_us=..."
(tests/bench/run.sh writes them).  Each figure is the median over rounds.
Prints the table and the issue's targets, met or not.
"""
import statistics
import sys

ROWS = [  # (path, workload, floor workload)
    ("tis", "getrandom", "getrandom"),
    ("tis", "pcr-read", "pcr-read"),
    ("tis", "pcr-extend", "pcr-extend"),
    ("tis", "nv-read", "nv-read"),
    ("tis", "create-primary", "create-primary"),
    ("tis-nonblock", "getrandom", "getrandom"),
    ("vtpm-c", "getrandom", None),
    ("vtpm-swtpm", "getrandom", "getrandom"),
    ("crb", "getrandom", "getrandom"),
    ("crb", "pcr-read", "pcr-read"),
    ("crb", "create-primary", "create-primary"),
]


def parse(path):
    runs = {}
    for line in open(path):
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "target" not in fields or "rate" not in fields:
            continue
        key = (fields["target"], fields["workload"])
        runs.setdefault(key, []).append(fields)
    return runs


def median(runs, key, field):
    vals = [float(r[field]) for r in runs.get(key, [])]
    return statistics.median(vals) if vals else None


def fmt(v, width, prec=0):
    return f"{v:{width}.{prec}f}" if v is not None else f"{'-':>{width}}"


def ratio(a, b):
    return a / b if a is not None and b else None


def main():
    runs = parse(sys.argv[1])
    print(f"{'path':<13}{'workload':<15}{'floor/s':>9} |"
          f"{'upstream/s':>11}{'p50':>8}{'p99':>8}{'cpu':>7} |"
          f"{'ours/s':>9}{'p50':>8}{'p99':>8}{'cpu':>7} |"
          f"{'ours/up':>8}{'ours/floor':>11}")
    for path, wl, floor_wl in ROWS:
        floor = median(runs, ("floor", floor_wl), "rate") if floor_wl else None
        cells = []
        for drv in ("upstream", "ours"):
            key = (f"{drv}/{path}", wl)
            cells.append([median(runs, key, f) for f in
                          ("rate", "p50_us", "p99_us", "sys_us")])
        up, ours = cells
        print(f"{path:<13}{wl:<15}{fmt(floor, 9)} |"
              f"{fmt(up[0], 11)}{fmt(up[1], 8)}{fmt(up[2], 8)}{fmt(up[3], 7)} |"
              f"{fmt(ours[0], 9)}{fmt(ours[1], 8)}{fmt(ours[2], 8)}{fmt(ours[3], 7)} |"
              f"{fmt(ratio(ours[0], up[0]), 8, 2)}{fmt(ratio(ours[0], floor), 11, 3)}")
    print("rates in round trips/s; p50/p99 in us per round trip; cpu: guest busy time"
          " (all vCPUs, /proc/stat) in us per round trip; medians over rounds")

    def rate(drv, path, wl="getrandom", field="rate"):
        return median(runs, (f"{drv}/{path}", wl), field)

    checks = [
        ("GetRandom via TIS >= 5x upstream",
         ratio(rate("ours", "tis"), rate("upstream", "tis")), 5, ">="),
        ("GetRandom via CRB >= 4x upstream",
         ratio(rate("ours", "crb"), rate("upstream", "crb")), 4, ">="),
        ("vtpm proxy (C server) >= 2x upstream",
         ratio(rate("ours", "vtpm-c"), rate("upstream", "vtpm-c")), 2, ">="),
        ("CreatePrimary p99 <= upstream",
         ratio(rate("ours", "tis", "create-primary", "p99_us"),
               rate("upstream", "tis", "create-primary", "p99_us")), 1, "<="),
    ]
    for path, wl, _ in ROWS:
        if path == "crb" and wl != "getrandom":
            continue
        checks.append((f"cpu per round trip <= upstream ({path} {wl})",
                       ratio(rate("ours", path, wl, "sys_us"),
                             rate("upstream", path, wl, "sys_us")), 1, "<="))
    checks += rm_table(runs)
    for name, val, limit, op in checks:
        if val is None:
            state = "not measured"
        else:
            met = val >= limit if op == ">=" else val <= limit
            state = f"{val:.2f} ({'met' if met else 'NOT met'})"
        print(f"target: {name}: {state}")


RM_ROWS = [  # (path, workload, what)
    ("tis", "sign-ecc", "/dev/tpm0, 1 client"),
    ("tpmrm", "sign-ecc", "/dev/tpmrm0, 1 client"),
    ("tpmrm-4", "sign-ecc", "/dev/tpmrm0, 4 clients"),
    ("tis", "sign-rsa", "/dev/tpm0, 1 client"),
    ("tpmrm", "sign-rsa", "/dev/tpmrm0, 1 client"),
    ("tpmrm-4", "sign-rsa", "/dev/tpmrm0, 4 clients"),
    ("tpmrm", "workflow", "tpm2-tools on /dev/tpmrm0"),
    ("abrmd", "workflow", "tpm2-tools, tpm2-abrmd on /dev/tpm0"),
]


def rm_table(runs):
    """The resource manager's rows (TPM2_Sign, the tpm2-tools workflow) and
    the issue's goals for them."""
    def get(drv, path, wl, field="rate"):
        return median(runs, (f"{drv}/{path}", wl), field)

    if not any(get(d, p, w) for p, w, _ in RM_ROWS for d in ("ours", "upstream")):
        return []
    print()
    print(f"{'resource manager':<44}|{'upstream/s':>11}{'p50':>9}{'p99':>9} |"
          f"{'ours/s':>9}{'p50':>9}{'p99':>9} |{'ours/up':>8}")
    for path, wl, what in RM_ROWS:
        up = [get("upstream", path, wl, f) for f in ("rate", "p50_us", "p99_us")]
        ours = [get("ours", path, wl, f) for f in ("rate", "p50_us", "p99_us")]
        label = f"{wl} {what}"
        prec = 2 if wl == "workflow" else 1
        print(f"{label:<44}|{fmt(up[0], 11, prec)}{fmt(up[1], 9)}{fmt(up[2], 9)} |"
              f"{fmt(ours[0], 9, prec)}{fmt(ours[1], 9)}{fmt(ours[2], 9)} |"
              f"{fmt(ratio(ours[0], up[0]), 8, 2)}")
    print("sign: TPM2_Sign round trips/s (all clients together), p50/p99 in us;"
          " workflow: whole chains/s, p50/p99 in us per chain")
    checks = []
    for wl in ("sign-ecc", "sign-rsa"):
        checks.append((f"{wl}: /dev/tpm0 / /dev/tpmrm0 <= 1.25 (ours, 1 client)",
                       ratio(get("ours", "tis", wl), get("ours", "tpmrm", wl)),
                       1.25, "<="))
        checks.append((f"{wl}: tpmrm0 >= 5x upstream's tpmrm0 (1 client)",
                       ratio(get("ours", "tpmrm", wl), get("upstream", "tpmrm", wl)),
                       5, ">="))
        checks.append((f"{wl}: 4 clients on tpmrm0 >= upstream's (rate)",
                       ratio(get("ours", "tpmrm-4", wl), get("upstream", "tpmrm-4", wl)),
                       1, ">="))
        checks.append((f"{wl}: 4 clients on tpmrm0 p99 <= upstream's",
                       ratio(get("ours", "tpmrm-4", wl, "p99_us"),
                             get("upstream", "tpmrm-4", wl, "p99_us")), 1, "<="))
    checks.append(("workflow: ours tpmrm0 faster than tpm2-abrmd (rate)",
                   ratio(get("ours", "tpmrm", "workflow"), get("ours", "abrmd", "workflow")),
                   1, ">="))
    return checks


if __name__ == "__main__":
    main()
