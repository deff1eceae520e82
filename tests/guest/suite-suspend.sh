#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Suspend to RAM (ACPI S3) with clients holding /dev/tpm0 and /dev/tpmrm0;
# the checks are tpm-suspend.c's.  Works for either family (tests/guest.sh
# --tpm 1.2 for a TPM 1.2).
#
# This suite ends the guest.  virtio-9p has no freeze/restore, so the root
# file system is gone after a suspend; the test tool (static), busybox and
# common.sh are copied to tmpfs first, and busybox finishes the run from
# there (modules out, kmemleak, power off).  It must be the last suite of
# its boot.
# Checks: 5
SUITE=suspend
. "$TPMTEST_REPO/tests/guest/lib.sh"
if [ "${TPMTEST_SUITES##* }" != suspend ]; then
	fail setup "must be the last suite of its boot (the 9p root does not survive a suspend)"
	exit 0
fi
family=$(cat /sys/class/tpm/tpm0/tpm_version_major)
d=/tmp/suspend
mkdir -p "$d/bin"
cp /bin/busybox "$TPMTEST_TOOLS/tpm-suspend" "$G/common.sh" \
	"$G/suspend-end.sh" "$d/" || { fail setup "cannot copy to tmpfs"; exit 0; }
"$d/busybox" --install -s "$d/bin"
# busybox poweroff appends to /var/log/wtmp: keep that lookup off 9p too.
mount -t tmpfs wtmp /var/log || { fail setup "cannot mount tmpfs on /var/log"; exit 0; }
echo "guest: TPM $family.x; suspending to RAM, then finishing from tmpfs"
cd "$d" && PATH=$d/bin:$d exec "$d/busybox" sh "$d/suspend-end.sh" "$family"
