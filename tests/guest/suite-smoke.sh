#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own tools/testing/selftests/tpm2 SmokeTest, unchanged.
SUITE=smoke
. "$TPMTEST_REPO/tests/guest/lib.sh"
# Copied to tmpfs: the tests write log files next to themselves.
cp -r "$TPMTEST_KSRC/tools/testing/selftests/tpm2" /tmp/selftests-tpm2 &&
	cd /tmp/selftests-tpm2 || { fail run "no selftests"; exit 0; }
# The SmokeTest class, as 6.12's test_smoke.sh runs it (6.1's script also
# runs AsyncTest, which needs /dev/tpmrm0).
out=$(timeout 300 python3 -m unittest -v tpm2_tests.SmokeTest 2>&1)
rc=$?
echo "$out" | sed 's/^/guest:   /'
n=$(echo "$out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in.*/\1/p')
if [ "$rc" = 0 ] && echo "$out" | grep -q '^OK' && [ "${n:-0}" -gt 0 ]; then
	pass "SmokeTest ($n cases)"
else
	fail SmokeTest "exit $rc, $(echo "$out" | grep -E '^(FAIL|ERROR):' | tr '\n' ' ')"
fi
