#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own tools/testing/selftests/tpm2, unchanged: SmokeTest on
# /dev/tpm0, SpaceTest on /dev/tpmrm0, AsyncTest on both (O_NONBLOCK).
# Checks: 3
SUITE=smoke
. "$TPMTEST_REPO/tests/guest/lib.sh"
# Copied to tmpfs: the tests write log files next to themselves.
cp -r "$TPMTEST_KSRC/tools/testing/selftests/tpm2" /tmp/selftests-tpm2 &&
	cd /tmp/selftests-tpm2 || { fail run "no selftests"; exit 0; }
[ -e /dev/tpmrm0 ] || fail tpmrm0 "no /dev/tpmrm0"

for class in SmokeTest SpaceTest AsyncTest; do
	out=$(timeout 300 python3 -m unittest -v "tpm2_tests.$class" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/guest:   /'
	n=$(echo "$out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in.*/\1/p')
	if [ "$rc" = 0 ] && echo "$out" | grep -q '^OK$' && [ "${n:-0}" -gt 0 ]; then
		pass "$class ($n cases)"
	else
		fail "$class" "exit $rc, $(echo "$out" | grep -E '^(FAIL|ERROR):' | tr '\n' ' ')"
	fi
done
