#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Physical Presence Interface (QEMU's ppi=on, the default), ours and
# then upstream's modules in the same boot: /sys/class/tpm/tpm0/ppi/ with
# upstream's six files and modes, the version QEMU's _DSM reports (1.3),
# its transition action (reboot), no recent request; a request written:
# under OVMF, which allows the TPM clear (5) with the user's confirmation,
# it is read back and withdrawn (0); under SeaBIOS, which implements no
# operation, it is refused (EPERM); the operations lists OVMF allows (5
# among them) or none; a TPM 1.2's ppi/ linked in its bus device too.
# Both drivers must show the same bytes in every file.
# 5 checks per driver (6 with a TPM 1.2), then 1:
# Checks: 11
SUITE=ppi
. "$TPMTEST_REPO/tests/guest/lib.sh"
ppi=/sys/class/tpm/tpm0/ppi
files="version request transition_action response tcg_operations vs_operations"

# ppi_checks <who>: the checks on the loaded driver's files, each file's
# contents kept in /tmp/<who>.<file>.
ppi_checks() {
	local who=$1 f modes=
	for f in $files; do
		modes="$modes $f=$(stat -c %a "$ppi/$f" 2>&1)"
		cat "$ppi/$f" >"/tmp/$who.$f" 2>&1
	done
	[ "$modes" = " version=444 request=664 transition_action=444 response=444 tcg_operations=444 vs_operations=444" ] &&
		pass "$who-files" || fail "$who-files" "$modes"
	[ "$(cat "/tmp/$who.version")" = 1.3 ] && pass "$who-version" ||
		fail "$who-version" "$(cat "/tmp/$who.version")"
	[ "$(cat "/tmp/$who.transition_action")" = "2: Reboot" ] &&
		[ "$(cat "/tmp/$who.response")" = "0: No Recent Request" ] &&
		[ "$(cat "/tmp/$who.request")" = 0 ] &&
		pass "$who-state" || fail "$who-state" "$(cat "/tmp/$who.transition_action" \
			"/tmp/$who.response" "/tmp/$who.request" | tr '\n' '|')"
	if [ "$TPMTEST_FIRMWARE" = ovmf ]; then
		if echo 5 >"$ppi/request" 2>err && [ "$(cat "$ppi/request")" = 5 ] &&
		   echo 0 >"$ppi/request" 2>>err && [ "$(cat "$ppi/request")" = 0 ]; then
			pass "$who-request"
		else
			fail "$who-request" "$(cat err) request $(cat "$ppi/request" 2>&1)"
		fi
		grep -qx '5 3: User required' "/tmp/$who.tcg_operations" &&
			[ ! -s "/tmp/$who.vs_operations" ] && pass "$who-operations" ||
			fail "$who-operations" "$(head -c 300 "/tmp/$who.tcg_operations" | tr '\n' '|')"
	else
		if echo 5 >"$ppi/request" 2>err; then
			fail "$who-request" "accepted; SeaBIOS implements no operation"
		else
			grep -q 'not permitted' err && [ "$(cat "$ppi/request")" = 0 ] &&
				pass "$who-request" || fail "$who-request" "$(cat err)"
		fi
		[ ! -s "/tmp/$who.tcg_operations" ] && [ ! -s "/tmp/$who.vs_operations" ] &&
			pass "$who-operations" ||
			fail "$who-operations" "$(head -c 300 "/tmp/$who.tcg_operations" | tr '\n' '|')"
	fi
	if [ "$TPMTEST_TPM" = 1.2 ]; then
		cmp -s "$ppi/version" /sys/class/tpm/tpm0/device/ppi/version &&
			pass "$who-legacy-link" ||
			fail "$who-legacy-link" "$(ls /sys/class/tpm/tpm0/device/ 2>&1 | tr '\n' ' ')"
	fi
}

both_drivers ppi_checks
diff=
for f in $files; do
	cmp -s "/tmp/ours.$f" "/tmp/upstream.$f" || diff="$diff $f"
done
[ -z "$diff" ] && pass same-files || fail same-files "ours and upstream's differ:$diff"
