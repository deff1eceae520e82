#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The harness's end-of-boot check (kernel_report_check in common.sh) on
# itself, first in its boot: a report in the kernel's log that the console
# does not show (a debug-level line) fails dmesg-clean, and a taint beyond
# our modules' flags fails taint-clean, while their flags alone pass.  The
# report is cleared from the log afterwards, so the boot's own check sees
# only what the other suites leave.
# Checks: 4
SUITE=selfcheck
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
if dmesg | grep -Eq "$KERNEL_REPORTS"; then
	fail log-clean-before "the kernel's log has reports already; not cleared"
	exit 0
fi
echo "<7>WARNING: tpm-oot harness self-check, not a real report" >/dev/kmsg
out=$(kernel_report_check)
echo "$out" | grep -q '^TEST-FAIL: harness/dmesg-clean' &&
	pass dmesg-report-fails || fail dmesg-report-fails "$out"
dmesg -C
out=$(kernel_report_check)
echo "$out" | grep -q '^TEST-PASS: harness/dmesg-clean' &&
	pass dmesg-cleared-passes || fail dmesg-cleared-passes "$out"

echo 512 >/tmp/tainted		# W: a WARN happened
out=$(TPMTEST_TAINTED=/tmp/tainted kernel_report_check)
echo "$out" | grep -q '^TEST-FAIL: harness/taint-clean' &&
	pass taint-warn-fails || fail taint-warn-fails "$out"
echo $(( (1 << 12) | (1 << 13) | (1 << 18) )) >/tmp/tainted	# O, E, N
out=$(TPMTEST_TAINTED=/tmp/tainted kernel_report_check)
echo "$out" | grep -q '^TEST-PASS: harness/taint-clean' &&
	pass taint-ours-passes || fail taint-ours-passes "$out"
