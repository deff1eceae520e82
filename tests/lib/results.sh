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
# Every line of the console but two kinds: a check's own result line may
# quote a tool's "WARNING:" (it is counted already), and OVMF's Physical
# Presence prompt between two boots has a "WARNING:" line of its own.
# (grep reads all its input, not -q: with pipefail, a reader that stops
# at the first match fails the pipe, which read as no report at all.)
console_lines() {
	grep -nv -e '^TEST-' \
		-e '^WARNING: Clearing erases information stored on the TPM\. ' "$log"
}
if console_lines | grep -E "$reports" >/dev/null; then
	echo "TEST-FAIL: $label/kernel-reports: the guest kernel reported problems:"
	console_lines | grep -E -A20 "$reports" | head -n 60
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
# (A suite that runs in two boots of a run is counted once.)
for suite in $(sed -n 's/^guest: suite \([a-z0-9-]*\)$/\1/p' "$log" | sort -u); do
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
