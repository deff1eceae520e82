# SPDX-License-Identifier: GPL-2.0
#
# The guest helpers that must also work in busybox sh from tmpfs, where the
# suspend suite finishes the guest after the 9p root is gone: POSIX sh
# (plus "local"), no tool but busybox applets.  lib.sh sources this.

# What the debug kernel says when it finds something wrong: the host's
# scan of the console (tests/lib/results.sh) and the guest's own of dmesg
# (kernel_report_check) both use it.
KERNEL_REPORTS='BUG:|kernel BUG at|WARNING:|cut here|KASAN|UBSAN|'
KERNEL_REPORTS=$KERNEL_REPORTS'general protection fault|Oops|Kernel panic|'
KERNEL_REPORTS=$KERNEL_REPORTS'possible circular locking|possible recursive locking|'
KERNEL_REPORTS=$KERNEL_REPORTS'inconsistent lock state|suspicious RCU usage|detected stall|'
KERNEL_REPORTS=$KERNEL_REPORTS'blocked for more than|unreferenced object|suspected memory leak|'
KERNEL_REPORTS=$KERNEL_REPORTS'soft lockup|hard LOCKUP|list_add corruption|list_del corruption|'
KERNEL_REPORTS=$KERNEL_REPORTS'ODEBUG:|scheduling while atomic|sleeping function called|'
KERNEL_REPORTS=$KERNEL_REPORTS'Out of memory|invoked oom-killer'

# The taint flags loading this project's modules sets, by name: O (an
# out-of-tree module), E (an unsigned one), N (a KUnit test).
TAINT_OURS=$(( (1 << 12) | (1 << 13) | (1 << 18) ))

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

# At the end of every boot, the kernel's own view, which no interleaving
# on the console can hide: its taint (but for the flags our modules set)
# and its log.
kernel_report_check() {
	local t out
	SUITE=harness
	t=$(cat "${TPMTEST_TAINTED:-/proc/sys/kernel/tainted}")
	if [ $(( t & ~TAINT_OURS )) = 0 ]; then
		pass taint-clean
	else
		fail taint-clean "tainted $t: $(( t & ~TAINT_OURS )) beyond O, E and N"
	fi
	out=$(dmesg | grep -E "$KERNEL_REPORTS")
	if [ -z "$out" ]; then
		pass dmesg-clean
	else
		fail dmesg-clean "$(echo "$out" | head -n 3 | tr '\n' ' ')"
	fi
}

# The end of every boot: modules out, leaks reported, then a reboot if a
# suite asked to run again after it (again_next_boot), else power off.  No
# sync (-n): nothing is written but tmpfs and the state share, and after a
# suspend a sync would wait forever on the 9p root.
guest_finish() {
	unload_driver
	kmemleak_report
	kernel_report_check
	if [ "${TPMTEST_REBOOT:-0}" = 1 ] && [ -s /run/state/next ]; then
		mv /run/state/next "/run/state/suites-$((TPMTEST_BOOT + 1))"
		echo "guest: rebooting after boot $TPMTEST_BOOT"
		busybox reboot -f -n
	fi
	echo "guest: done"
	busybox poweroff -f -n
}
