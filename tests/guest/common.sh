# SPDX-License-Identifier: GPL-2.0
#
# The guest helpers that must also work in busybox sh from tmpfs, where the
# suspend suite finishes the guest after the 9p root is gone: POSIX sh
# (plus "local"), no tool but busybox applets.  lib.sh sources this.

pass() { echo "TEST-PASS: $SUITE/$1"; }
fail() {
	local name=$1
	shift
	echo "TEST-FAIL: $SUITE/$name: $*"
}

unload_driver() {
	local m
	for m in trusted tpm_vtpm_proxy tpm_tis tpm_tis_core tpm_crb tpm; do
		if [ -d "/sys/module/$m" ]; then
			rmmod "$m" || return 1
		fi
	done
	return 0
}

kmemleak_clear() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
}

kmemleak_report() {
	SUITE=harness
	if [ ! -w /sys/kernel/debug/kmemleak ]; then
		[ "$TPMTEST_FLAVOUR" = debug ] && fail kmemleak "no /sys/kernel/debug/kmemleak on the debug kernel"
		return 0
	fi
	pass kmemleak-scanned
	echo "guest: kmemleak scan"
	# Two scans: an object must look unreferenced in both to be reported.
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
}

# The end of every run: modules out, leaks reported, power off.  No sync
# (-n): nothing is written but tmpfs, and after a suspend a sync would wait
# forever on the 9p root.
guest_finish() {
	unload_driver
	kmemleak_report
	echo "guest: done"
	busybox poweroff -f -n
}
