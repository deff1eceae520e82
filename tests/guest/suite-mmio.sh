#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Register accesses per command (tests/bench/mmio.sh): TPMTEST_N commands
# while QEMU traces the TIS registers.  TPMTEST_MMIO_OP: getrandom (the
# default: GetRandom round trips through /dev/tpm0) or extend (PCR
# extends by a kernel user, tests/tpm_kuser.ko, with the kernel's session
# on or off as TPMTEST_HMAC says, 1 or 0).
# Checks: 1
SUITE=mmio
. "$TPMTEST_REPO/tests/guest/lib.sh"
n=${TPMTEST_N:-100}
case ${TPMTEST_MMIO_OP:-getrandom} in
getrandom)
	if out=$("$TPMTEST_TOOLS/tpm-bench" -w 0 -n "$n" getrandom 2>&1); then
		pass "getrandom-x$n"
	else
		fail "getrandom-x$n" "$out"
	fi ;;
extend)
	# The parameter counts for chips registered after it: the chip again.
	if echo "${TPMTEST_HMAC:-1}" >/sys/module/tpm/parameters/hmac &&
	   unload_backend && load_driver &&
	   insmod "$TPMTEST_MODDIR/tests/tpm_kuser.ko" &&
	   out=$(python3 "$G/../bench/kuser.py" loop extend "$n" 2>&1); then
		pass "extend-hmac${TPMTEST_HMAC:-1}-x$n"
	else
		fail "extend-hmac${TPMTEST_HMAC:-1}-x$n" "$out"
	fi
	rmmod tpm_kuser 2>/dev/null ;;
*) fail op "unknown TPMTEST_MMIO_OP '$TPMTEST_MMIO_OP'" ;;
esac
