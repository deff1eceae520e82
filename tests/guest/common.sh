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

# exited <name> <status>: a helper's exit status is a check of its own, so
# that one dying after (or before) its last check cannot pass unseen.
exited() {
	[ "$2" = 0 ] && pass "$1-exit" || fail "$1-exit" "exited with $2"
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
	local k=/sys/kernel/debug/kmemleak out
	SUITE=harness
	if [ ! -w $k ]; then
		[ "$TPMTEST_FLAVOUR" = debug ] && fail kmemleak "no $k on the debug kernel"
		return 0
	fi
	echo "guest: kmemleak scan"
	# Two scans: an object must look unreferenced in both to be reported.
	# A kmemleak that turned itself off refuses the scan (EPERM, EBUSY).
	if ! { echo scan >$k && sleep 1 && echo scan >$k; } 2>/tmp/kmemleak.err; then
		fail kmemleak-clean "the scan was refused: $(cat /tmp/kmemleak.err)"
		return 0
	fi
	out=$(cat $k)
	if [ -z "$out" ]; then
		pass kmemleak-clean
	else
		echo "$out"
		fail kmemleak-clean "$(echo "$out" | grep -c 'unreferenced object') unreferenced objects"
	fi
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
