#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Register accesses per command (tests/bench/mmio.sh): TPMTEST_N GetRandom
# round trips through /dev/tpm0 while QEMU traces the TIS registers.
# Checks: 1
SUITE=mmio
. "$TPMTEST_REPO/tests/guest/lib.sh"
if out=$("$TPMTEST_TOOLS/tpm-bench" -w 0 -n "${TPMTEST_N:-100}" getrandom 2>&1); then
	pass "getrandom-x${TPMTEST_N:-100}"
else
	fail "getrandom-x${TPMTEST_N:-100}" "$out"
fi
