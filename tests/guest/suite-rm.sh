#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# /dev/tpmrm0: the spaces (tpmrm.py), the selftests' SmokeTest through it,
# tpm2-tools from several processes at once; sysfs and the hwrng.
SUITE=rm
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
procs=${TPMTEST_RM_PROCS:-4}
loops=${TPMTEST_RM_LOOPS:-3}

[ -c /dev/tpmrm0 ] && pass tpmrm0-exists || { fail tpmrm0-exists "no /dev/tpmrm0"; exit 0; }
python3 "$G/tpmrm.py" spaces
out=$(timeout 300 python3 "$G/tpmrm.py" smoke 2>&1)
echo "$out" | grep -v '^TEST-' | sed 's/^/guest:   /'
echo "$out" | grep '^TEST-' || fail SmokeTest-on-tpmrm0 "no result"

rm_tools_check "$procs" "$loops"

# sysfs: the attributes and links user space reads.
devnum() { stat -c '%t %T' "$1" | { read -r a b; echo "$((16#$a)):$((16#$b))"; }; }
sys=/sys/class/tpm/tpm0
v=$(cat $sys/tpm_version_major 2>&1)
[ "$v" = 2 ] && pass sysfs-version-major || fail sysfs-version-major "'$v'"
if [ -e $sys/device/driver ] && [ "$(cat $sys/dev)" = "$(devnum /dev/tpm0)" ]; then
	pass sysfs-device-link
else
	fail sysfs-device-link "$(ls -l $sys/ 2>&1 | tr '\n' ' ')"
fi
rm=/sys/class/tpmrm/tpmrm0
if [ -e $rm/device/driver ] && [ "$(cat $rm/dev)" = "$(devnum /dev/tpmrm0)" ]; then pass sysfs-tpmrm
else fail sysfs-tpmrm "$(ls -l $rm/ 2>&1 | tr '\n' ' ')"; fi

# The hwrng: current, readable, and different each time.
hw=/sys/class/misc/hw_random
cur=$(cat $hw/rng_current 2>&1)
if no_hwrng_expected; then
	[ "$cur" = none ] && pass "hwrng-none (upstream's AMD quirk)" ||
		fail hwrng-none "rng_current '$cur'"
else
	[ "$cur" = tpm-rng-0 ] && pass hwrng-current || fail hwrng-current "rng_current '$cur'"
	a=$(head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \n')
	b=$(head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \n')
	if [ ${#a} = 64 ] && [ "$a" != "$b" ]; then pass hwrng-read
	else fail hwrng-read "'$a' then '$b'"; fi
fi
