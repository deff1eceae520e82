#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tpm-crb as other firmware describes it (tests/guest.sh --iface crb
# --acpi <layout>, tests/lib/acpi-tables.py), ours and upstream's modules
# one after the other in the same boot.  First that the kernel took the
# layout's DSDT; then for each driver: the memory it claims is the
# layout's (split-trim: the registers' region and the buffer's region, cut
# to 0xb80 bytes; outside: the registers' region and the buffer as the
# device reports it, 0xf80 bytes); a command one byte longer than that
# buffer is refused with E2BIG and one that fills it is not (the TPM
# answers it); probed again, the driver reports the cut buffer as a
# firmware bug, and a good layout not;
# tpm2-tools work (a primary key, its context saved and flushed); then,
# against what the device has in /proc/iomem with no driver bound, the
# ranges each driver claimed.
# 1, then 4 per driver, then 1 per driver:
# Checks: 11
SUITE=crblayout
. "$TPMTEST_REPO/tests/guest/lib.sh"
export TPM2TOOLS_TCTI=device:/dev/tpm0

case $TPMTEST_ACPI in
split-trim) limit=$((0xb80)) claims="fed40000-fed4007f fed40080-fed40bff" fwbug=1 ;;
outside) limit=$((0xf80)) claims="fed40000-fed4007f fed40080-fed40fff" fwbug=0 ;;
*) fail layout "no --acpi layout this suite knows: '$TPMTEST_ACPI'"; exit 0 ;;
esac

# The table in effect is the layout's: its OEM revision is the one
# acpi-tables.py writes (QEMU's is 1).
rev=$(od -An -tx4 -j24 -N4 /sys/firmware/acpi/tables/DSDT | tr -d ' ')
[ "$rev" = 74706d02 ] && pass table ||
	fail table "the DSDT's OEM revision is $rev: the kernel kept QEMU's ($(dmesg | grep -m1 'Table Upgrade\|ACPI OVERRIDE'))"

# The ranges of /proc/iomem entries named after the device, sorted.
iomem_ranges() {
	grep 'MSFT0101' /proc/iomem | awk '{print $1}' | sort
}
# fw_bug_lines <who>: how many times that driver has said the buffer
# runs past its region (the two drivers' words).
fw_bug_lines() {
	local words="cut to the end of its region"
	[ "$1" = upstream ] && words="does not cover the entire"
	dmesg | grep 'MSFT0101' | grep 'Firmware Bug' | grep -c "$words"
}

layout_checks() {
	local who=$1 got n0 out
	# The device probed again, its messages counted across the probe.
	n0=$(fw_bug_lines "$who")
	if ! unload_backend || ! load_driver; then
		fail "$who-reprobe" "the driver did not bind again"
		return
	fi
	got=$(( $(fw_bug_lines "$who") > n0 ))
	[ "$got" = "$fwbug" ] && pass "$who-firmware-bug-$fwbug" ||
		fail "$who-firmware-bug-$fwbug" "the cut buffer reported: $got, expected $fwbug"
	iomem_ranges >"/tmp/iomem.$who"
	out=$(python3 "$G/crbsend.py" $((limit + 1)) 2>&1)
	[ "$out" = "errno E2BIG" ] && pass "$who-refuses-$((limit + 1))" ||
		fail "$who-refuses-$((limit + 1))" "a command longer than the buffer: $out"
	out=$(python3 "$G/crbsend.py" "$limit" 2>&1)
	case $out in
	"answer 0x"*) pass "$who-takes-$limit" ;;
	*) fail "$who-takes-$limit" "a command that fills the buffer: $out" ;;
	esac
	if out=$(tpm2_createprimary -C o -G ecc -c /tmp/primary.ctx 2>&1 &&
		 tpm2_flushcontext -t 2>&1 && tpm2_getrandom 32 --hex 2>&1 &&
		 tpm2_pcrread sha256:0 2>&1); then
		pass "$who-tools"
	else
		fail "$who-tools" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

both_drivers layout_checks
unload_driver || fail unload "rmmod failed"
iomem_ranges >/tmp/iomem.unbound
for who in ours upstream; do
	got=$(comm -23 "/tmp/iomem.$who" /tmp/iomem.unbound | tr '\n' ' ' | sed 's/ $//')
	echo "guest:   $who claims: $got"
	[ "$got" = "$claims" ] && pass "$who-claims" ||
		fail "$who-claims" "claimed '$got', the layout's is '$claims'"
done
