#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The firmware carries out a Physical Presence request the driver passed
# it (OVMF: tests/guest.sh --firmware ovmf).  First boot: a key made
# persistent in the owner hierarchy, the TPM clear (5) requested through
# ppi/request and read back, then a reboot.  OVMF finds the request, asks
# for F12 (tests/lib/fwkeys.py presses it), clears the TPM and resets.
# Second boot: ours and then upstream's modules read ppi/response as the
# request's success and ppi/request as none pending, the same bytes, and
# the persistent key is gone.
# 2 checks in the first boot; 1 per driver and 2 in the second:
# Checks: 6
# Reboots: yes
SUITE=ppiclear
. "$TPMTEST_REPO/tests/guest/lib.sh"
ppi=/sys/class/tpm/tpm0/ppi
handle=0x81000101
export TPM2TOOLS_TCTI=device:/dev/tpm0

persistent() {
	tpm2_getcap handles-persistent
}

first_boot() {
	if [ "$TPMTEST_FIRMWARE" != ovmf ]; then
		fail setup "needs --firmware ovmf (SeaBIOS carries out no PPI request)"
		return
	fi
	if tpm2_createprimary -Q -C o -G ecc -c /tmp/primary.ctx &&
	   tpm2_evictcontrol -Q -C o -c /tmp/primary.ctx $handle &&
	   persistent | grep -qx -e "- $handle"; then
		pass key-made
	else
		fail key-made "$(persistent 2>&1 | tr '\n' ' ')"
	fi
	if echo 5 >$ppi/request 2>/tmp/err && [ "$(cat $ppi/request)" = 5 ]; then
		pass request-written
	else
		fail request-written "$(cat /tmp/err) request $(cat $ppi/request 2>&1)"
	fi
	again_next_boot
}

# response_checks <who>: what the loaded driver reads of the firmware's
# answer, kept in /tmp/<who>.response.
response_checks() {
	local who=$1
	cat $ppi/response >"/tmp/$who.response" 2>&1
	[ "$(cat "/tmp/$who.response")" = "5 0: Success" ] &&
		[ "$(cat $ppi/request 2>&1)" = 0 ] && pass "$who-response" ||
		fail "$who-response" "response $(cat "/tmp/$who.response") request $(cat $ppi/request 2>&1)"
}

second_boot() {
	local left
	both_drivers response_checks
	cmp -s /tmp/ours.response /tmp/upstream.response && pass same-response ||
		fail same-response "ours: $(cat /tmp/ours.response) upstream: $(cat /tmp/upstream.response)"
	if left=$(persistent 2>&1) && ! echo "$left" | grep -q "$handle"; then
		pass tpm-cleared
	else
		fail tpm-cleared "$(echo "$left" | tr '\n' ' ')"
	fi
}

case $TPMTEST_BOOT in
1) first_boot ;;
2) second_boot ;;
*) fail boot "boot $TPMTEST_BOOT: the suite runs in two" ;;
esac
