#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test guest.  The root file system is the host's, read-only
# over 9p; everything written goes to tmpfs.  $TPMTEST_RUN (from the kernel
# command line) names the host's run directory, whose "env" file says what
# to do.  Always ends by powering off, or by rebooting when a suite asked to
# run again after the firmware had its turn (tests/guest.sh gives such a
# run a writable share, mounted on /run/state, that outlives the boot).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev

# The run's settings, read while the host's /tmp is still visible.
set -a
. "$TPMTEST_RUN/env"
set +a

# Scratch space is tmpfs on /tmp and /run.  The host paths the run needs
# (the repository, the cache, the run directory) stay reachable even if
# they live under the host's /tmp: they are moved onto the new tmpfs.
mount -t tmpfs run /run
keep=()
for p in "$TPMTEST_RUN" "$TPMTEST_REPO" "$TPMTEST_KBUILD" "$TPMTEST_KSRC" \
	 "$TPMTEST_MODDIR" "$TPMTEST_TOOLS"; do
	case $p in /tmp/*) ;; *) continue ;; esac
	mkdir -p "/run/keep/${#keep[@]}"
	mount --bind "$p" "/run/keep/${#keep[@]}" && keep+=("$p")
done
mount -t tmpfs tmp /tmp
for i in "${!keep[@]}"; do
	mkdir -p "${keep[$i]}"
	mount --move "/run/keep/$i" "${keep[$i]}"
done
mount -t debugfs debugfs /sys/kernel/debug
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
ip link set lo up 2>/dev/null

# shellcheck source=/dev/null
. "$TPMTEST_REPO/tests/guest/lib.sh"

# Which boot of the run this is, and its suites: the first boot's are the
# run's; a later boot's are those the boot before it asked for.  A boot
# nobody asked for (a reset, a panic) runs nothing and fails.
TPMTEST_BOOT=1
if [ "${TPMTEST_REBOOT:-0}" = 1 ]; then
	mkdir -p /run/state
	mount -t 9p -o trans=virtio,version=9p2000.L state /run/state ||
		{ echo "TEST-FAIL: harness/state-share: not mounted"; busybox poweroff -f -n; }
	TPMTEST_BOOT=$(( $(cat /run/state/boots 2>/dev/null || echo 0) + 1 ))
	echo "$TPMTEST_BOOT" >/run/state/boots ||
		{ echo "TEST-FAIL: harness/state-share: the boot count not written"; busybox poweroff -f -n; }
	if [ "$TPMTEST_BOOT" -gt 1 ]; then
		TPMTEST_SUITES=$(cat "/run/state/suites-$TPMTEST_BOOT" 2>/dev/null)
		[ -n "$TPMTEST_SUITES" ] ||
			echo "TEST-FAIL: harness/reboot: boot $TPMTEST_BOOT, which no suite asked for"
	fi
fi
export TPMTEST_BOOT TPMTEST_SUITES

# Whatever kmemleak found during boot is not ours to report.
kmemleak_clear

echo "guest: up, boot $TPMTEST_BOOT, kernel $(uname -r), driver $TPMTEST_DRIVER"
cd /tmp || exit 1
if [ "$TPMTEST_MODE" = shell ]; then
	load_driver
	echo "guest: modules loaded; /dev/tpm0 is ready. Exit the shell to power off."
	setsid -c /bin/bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
else
	for suite in $TPMTEST_SUITES; do
		run_suite "$suite"
	done
fi
guest_finish
