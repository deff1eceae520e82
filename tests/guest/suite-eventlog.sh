#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The firmware's event log of a TPM 2.0, ours and upstream's modules one
# after the other in the same boot.  Under OVMF (tests/guest.sh --firmware
# ovmf) QEMU's ACPI log area stays empty and the log is the one the EFI
# stub handed over, with the final events joined: OVMF logs its
# ExitBootServices events into PCR 5 after the stub took its copy, so
# only a joined log replays to PCR 5.  Under SeaBIOS the log is the ACPI
# table's.  Each driver's binary_bios_measurements must parse with
# tpm2_eventlog and replay to exactly what tpm2_pcrread reads for every
# PCR the log touches; under OVMF it must hold UEFI events and the ones
# logged after the stub's copy; both drivers must show the same bytes.
# 6 checks per driver (7 under OVMF), then 1:
# Checks: 13
SUITE=eventlog
. "$TPMTEST_REPO/tests/guest/lib.sh"
K=$G/kernelusers.py
seclog=/sys/kernel/security/tpm0
export TPM2TOOLS_TCTI=device:/dev/tpm0

# log_checks <who>: the checks on the loaded driver's log, kept in
# /tmp/<who>.bin.
log_checks() {
	local who=$1 n
	if ! cp "$seclog/binary_bios_measurements" "/tmp/$who.bin" 2>err; then
		fail "$who-file" "$(ls "$seclog" 2>&1) $(cat err)"
		return
	fi
	pass "$who-file"
	# A crypto agile log has no ascii file (upstream shows none either).
	[ -e "$seclog/ascii_bios_measurements" ] &&
		fail "$who-no-ascii" "a TPM 2.0 log has ascii_bios_measurements" ||
		pass "$who-no-ascii"
	if ! tpm2_eventlog "/tmp/$who.bin" >"/tmp/$who.yaml" 2>err; then
		fail "$who-parsed" "$(cat err)"
		return
	fi
	n=$(grep -c '^- EventNum:' "/tmp/$who.yaml")
	echo "guest:   $who: $n events, $(wc -c <"/tmp/$who.bin") bytes"
	[ "$n" -ge 10 ] && pass "$who-parsed" || fail "$who-parsed" "only $n events"
	tpm2_pcrread >"/tmp/$who.pcrs" 2>err || { fail "$who-pcrread" "$(cat err)"; return; }
	pass "$who-pcrread"
	if python3 "$K" replay "/tmp/$who.yaml" "/tmp/$who.pcrs" >replay.out 2>&1; then
		pass "$who-replays-to-pcrs"
		echo "guest:   $(tail -n 1 replay.out)"
	else
		fail "$who-replays-to-pcrs" "$(head -n 5 replay.out | tr '\n' ' ')"
	fi
	n=$(grep -c 'EventType: EV_EFI_' "/tmp/$who.yaml")
	if [ "$TPMTEST_FIRMWARE" = ovmf ]; then
		[ "$n" -gt 0 ] && pass "$who-uefi-events" ||
			fail "$who-uefi-events" "no EV_EFI_ event in the log"
		grep -q 'Exit Boot Services Invocation' "/tmp/$who.yaml" &&
			pass "$who-final-events" ||
			fail "$who-final-events" "no ExitBootServices event: the final events are missing"
	else
		[ "$n" = 0 ] && pass "$who-bios-events" ||
			fail "$who-bios-events" "$n EV_EFI_ events under SeaBIOS"
	fi
}

both_drivers log_checks
cmp -s /tmp/ours.bin /tmp/upstream.bin && pass same-log ||
	fail same-log "ours and upstream's binary_bios_measurements differ"
