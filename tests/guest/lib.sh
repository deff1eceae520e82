# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest-side suites.  Each check prints one line,
# "TEST-PASS: <name>" or "TEST-FAIL: <name>: <why>"; the host counts them.

G=$TPMTEST_REPO/tests/guest
TCTI=device:/dev/tpm0
export TPM2TOOLS_TCTI=$TCTI

pass() { echo "TEST-PASS: $SUITE/$1"; }
fail() { echo "TEST-FAIL: $SUITE/$1: ${*:2}"; }

# check <name> <command...>: pass if the command succeeds
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}


load_driver() {
	local m
	if [ "$TPMTEST_DRIVER" = upstream ]; then
		for m in tpm tpm_tis_core tpm_tis; do
			insmod "$TPMTEST_KBUILD/drivers/char/tpm/$m.ko" || return 1
		done
	else
		for m in tpm tpm_tis_core tpm_tis; do
			insmod "$TPMTEST_MODDIR/$m.ko" || return 1
		done
	fi
	wait_for_dev /dev/tpm0
}

unload_driver() {
	local m
	for m in tpm_tis tpm_tis_core tpm; do
		if [ -d "/sys/module/$m" ]; then
			rmmod "$m" || return 1
		fi
	done
	return 0
}

# wait_for_dev <path> [tenths of a second]
wait_for_dev() {
	local i
	for i in $(seq "${2:-50}"); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

tis_device() {
	basename "$(ls -d /sys/bus/platform/drivers/tpm_tis/MSFT0101:* 2>/dev/null | head -n 1)"
}

run_suite() {
	SUITE=$1
	echo "guest: suite $SUITE"
	if ! load_driver; then
		fail load "modules did not load or /dev/tpm0 did not appear"
		unload_driver
		return
	fi
	timeout 600 bash "$G/suite-$SUITE.sh" || fail suite "exited with $?"
	unload_driver || fail unload "rmmod failed"
}

kmemleak_clear() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
}

kmemleak_report() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo "guest: kmemleak scan"
	# Two scans: an object must look unreferenced in both to be reported.
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
}
