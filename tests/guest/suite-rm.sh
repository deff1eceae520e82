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

# tpm2-tools, $procs processes at once, each creating, loading and using
# keys in a loop, and a policy session passed from one tool to the next
# (saved to a file, loaded again); no object is flushed by hand.
worker() {
	local d=/tmp/rm-worker-$1 i
	mkdir -p "$d" && cd "$d" || return 1
	export TPM2TOOLS_TCTI=device:/dev/tpmrm0
	echo "message $1" >msg
	for i in $(seq "$loops"); do
		tpm2_createprimary -C o -G ecc -c primary.ctx &&
		tpm2_create -C primary.ctx -G ecc -u key.pub -r key.priv &&
		tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx &&
		tpm2_sign -c key.ctx -g sha256 -o sig msg &&
		tpm2_verifysignature -c key.ctx -g sha256 -m msg -s sig &&
		tpm2_startauthsession -S session.ctx &&
		tpm2_policypcr -S session.ctx -l sha256:0,1 -L policy &&
		tpm2_flushcontext session.ctx &&
		[ "$(stat -c %s policy)" = 32 ] || { echo "worker $1: loop $i failed"; return 1; }
	done >"$d.log" 2>&1
}
pids=()
for p in $(seq "$procs"); do
	worker "$p" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
if [ $bad = 0 ]; then pass "tpm2-tools-$procs-processes ($loops loops each)"
else fail "tpm2-tools-$procs-processes" "$bad failed: $(cat /tmp/rm-worker-*.log | grep -i 'error\|failed' | head -n 3 | tr '\n' ' ')"; fi
# Nothing the workers did is left in the TPM.
left=$(TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getcap handles-transient 2>&1; TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getcap handles-saved-session 2>&1)
if [ -z "$left" ]; then pass tpm2-tools-nothing-left
else fail tpm2-tools-nothing-left "$(echo "$left" | tr '\n' ' ')"; fi

# sysfs: the attributes and links user space reads.
sys=/sys/class/tpm/tpm0
v=$(cat $sys/tpm_version_major 2>&1)
[ "$v" = 2 ] && pass sysfs-version-major || fail sysfs-version-major "'$v'"
if [ -e $sys/device/driver ] && [ "$(cat $sys/dev)" = "$(stat -c '%t:%T' /dev/tpm0 | python3 -c 'import sys; a,b=sys.stdin.read().split(":"); print("%d:%d" % (int(a,16), int(b,16)))')" ]; then
	pass sysfs-device-link
else
	fail sysfs-device-link "$(ls -l $sys/ 2>&1 | tr '\n' ' ')"
fi
rm=/sys/class/tpmrm/tpmrm0
if [ -e $rm/device/driver ] && [ -e /sys/class/tpm/tpm0/device/tpmrm/tpmrm0 ] ||
   [ -e $rm/device/driver ]; then pass sysfs-tpmrm
else fail sysfs-tpmrm "$(ls -l $rm/ 2>&1 | tr '\n' ' ')"; fi

# The hwrng: current, readable, and different each time.
hw=/sys/class/misc/hw_random
cur=$(cat $hw/rng_current 2>&1)
[ "$cur" = tpm-rng-0 ] && pass hwrng-current || fail hwrng-current "rng_current '$cur'"
a=$(head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \n')
b=$(head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \n')
if [ ${#a} = 64 ] && [ "$a" != "$b" ]; then pass hwrng-read
else fail hwrng-read "'$a' then '$b'"; fi
