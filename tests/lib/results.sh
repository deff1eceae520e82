#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# results.sh <console-log> <label>: count the guest's TEST- lines, treat any
# kernel report in the log as one more failure, and print the summary.
# Exits 0 only if nothing failed and something passed.
set -uo pipefail
log=$1
label=$2

# What the debug kernel says when it finds something wrong
# (KERNEL_REPORTS, shared with the guest's own check of its log).
# shellcheck source=tests/guest/common.sh
. "$(dirname "$0")/../guest/common.sh"
reports=$KERNEL_REPORTS

passed=$(grep -c '^TEST-PASS:' "$log")
failed=$(grep -c '^TEST-FAIL:' "$log")
# The kernel's lines: from its banner to its last words on a reboot.  The
# firmware's between two boots are not its (OVMF's PPI prompt says
# "WARNING:").  A check's own result line may quote a tool's "WARNING:";
# it is counted already and is not the kernel's either.
kernel_lines() {
	awk '/Linux version / {k = 1} k && !/^TEST-/ {print NR ": " $0}
	     /^reboot: machine restart/ {k = 0}' "$log"
}
if kernel_lines | grep -Eq "$reports"; then
	echo "TEST-FAIL: $label/kernel-reports: the guest kernel reported problems:"
	kernel_lines | grep -E -A20 "$reports" | head -n 60
	failed=$((failed + 1))
else
	echo "TEST-PASS: $label/kernel-reports: none"
	passed=$((passed + 1))
fi
# Every suite asked for must have started ...
run_env=$(dirname "$log")/env
if [ -f "$run_env" ]; then
	for suite in $(sed -n 's/^TPMTEST_SUITES="\(.*\)"$/\1/p' "$run_env"); do
		if ! grep -qx "guest: suite $suite" "$log"; then
			echo "TEST-FAIL: $label/$suite: the suite never started"
			failed=$((failed + 1))
		fi
	done
fi
# ... and every suite that ran must have reported at least the checks it
# declares (a line "# Checks: N" in tests/guest/suite-<name>.sh: the
# fewest any of its configurations reports), so that a helper that dies
# early cannot shrink the run unseen.
suites_dir=${TPMTEST_SUITES_DIR:-$(dirname "$0")/../guest}
for suite in $(sed -n 's/^guest: suite \([a-z0-9-]*\)$/\1/p' "$log"); do
	n=$(grep -c "^TEST-[A-Z]*: $suite/" "$log")
	want=$(sed -n 's/^# Checks: \([0-9][0-9]*\).*/\1/p' "$suites_dir/suite-$suite.sh" 2>/dev/null | head -n 1)
	if [ -z "$want" ] || [ "$want" -lt 1 ]; then
		echo "TEST-FAIL: $label/$suite-count: suite-$suite.sh declares no number of checks (# Checks: N)"
		failed=$((failed + 1))
	elif [ "$n" -lt "$want" ]; then
		echo "TEST-FAIL: $label/$suite-count: the suite reported $n checks of the $want it declares"
		failed=$((failed + 1))
	fi
done
if ! grep -q '^guest: done' "$log"; then
	echo "TEST-FAIL: $label/guest-finished: the guest did not finish; see $log"
	failed=$((failed + 1))
fi
echo "$label: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 1 ]
