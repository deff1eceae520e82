#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# /dev/tpmrm0: the spaces (tpmrm.py), the selftests' SmokeTest through it,
# tpm2-tools from several processes at once; sysfs and the hwrng.
# Checks: 20
SUITE=rm
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
procs=${TPMTEST_RM_PROCS:-4}
loops=${TPMTEST_RM_LOOPS:-3}

[ -c /dev/tpmrm0 ] && pass tpmrm0-exists || { fail tpmrm0-exists "no /dev/tpmrm0"; exit 0; }
python3 "$G/tpmrm.py" spaces
exited spaces $?
out=$(timeout 300 python3 "$G/tpmrm.py" smoke 2>&1)
echo "$out" | grep -v '^TEST-' | sed 's/^/guest:   /'
echo "$out" | grep '^TEST-' || fail SmokeTest-on-tpmrm0 "no result"

rm_tools_check "$procs" "$loops"

# Fair shares: uid 1000 opens /dev/tpmrm0 files and starts sessions until
# refused; meanwhile uid 1001's salted-session workflow (tpm2-tools) must
# work.  The control, with no share to speak of: the same hog takes every
# session the TPM has, and the other uid's workflow fails, so the check
# can see starvation.
other_uid_works() {
	HOME=/tmp setpriv --reuid=1001 --regid=1001 --clear-groups sh -c '
		cd "$(mktemp -d)" &&
		tpm2_createprimary -Q -C o -G ecc -c prim.ctx &&
		tpm2_startauthsession --hmac-session -c prim.ctx -S s.ctx &&
		tpm2_getrandom -S s.ctx --hex 8 >/dev/null &&
		tpm2_flushcontext s.ctx' >/tmp/other-uid.out 2>&1
}

# hog_run <label>: start the hog, put what it says in $hog_said
# (The kernel's tree in the cache is root's: the hog imports the
# selftests' client from a copy.)
hog_run() {
	coproc HOG { TPMTEST_KSRC=/tmp/ksrc-copy HOME=/tmp \
		setpriv --reuid=1000 --regid=1000 --clear-groups \
		python3 "$G/tpmrm.py" hog 2>/tmp/hog.err; }
	read -r -t 120 hog_said <&"${HOG[0]}" || hog_said="(nothing)"
	case $hog_said in
	refused*) ;;
	*) hog_said="$hog_said $(tail -n 3 /tmp/hog.err | tr '\n' ' ')" ;;
	esac
	echo "guest:   $1: the hog was $hog_said"
}

# hog_end <label>: let the hog go; its exit status is a check.
hog_end() {
	local rc
	[ -n "${HOG[1]:-}" ] && echo >&"${HOG[1]}"
	wait "${HOG_PID:-}" 2>/dev/null
	rc=$?
	[ $rc = 0 ] && pass "$1-hog-exit" || fail "$1-hog-exit" "exited with $rc"
}

shares_check() {
	local param=/sys/module/tpm/parameters/uid_sessions rc
	export TPM2TOOLS_TCTI=device:/dev/tpmrm0
	mkdir -p /tmp/ksrc-copy/tools/testing/selftests
	cp -r "$TPMTEST_KSRC/tools/testing/selftests/tpm2" /tmp/ksrc-copy/tools/testing/selftests/
	chmod 0666 /dev/tpmrm0
	echo 100000 >$param
	hog_run "no share"
	if other_uid_works; then
		fail share-control "uid 1001 worked beside a hog with no share: $hog_said"
	else
		pass share-control
	fi
	hog_end share-control
	echo 0 >$param
	hog_run "the default share"
	rc=${hog_said##* rc }
	# The resource manager's SESSION_MEMORY, after a quarter of swtpm's
	# 64 active sessions.
	if [ "$rc" = 0xb0903 ] && [ "$(echo "$hog_said" | cut -d' ' -f3)" = 16 ]; then
		pass share-refuses
	else
		fail share-refuses "$hog_said"
	fi
	if other_uid_works; then
		pass share-other-uid-works
	else
		fail share-other-uid-works "$(tail -n 3 /tmp/other-uid.out | tr '\n' ' ')"
	fi
	hog_end share
	chmod 0600 /dev/tpmrm0
	export TPM2TOOLS_TCTI=$TCTI
}
[ "$TPMTEST_DRIVER" = ours ] && shares_check

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
