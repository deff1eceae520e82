#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# /dev/tpmN opened with O_EXCL for writing holds the TPM alone: through
# the vtpm proxy, whose server (excl.py forward, in front of swtpm) logs
# every command the TPM receives, a holder sends its commands while
# /dev/tpmrmN clients, a /dev/hwrng reader and a trusted key are made;
# none of theirs arrives between the holder's first and last, and all of
# them complete afterwards.  The controls: without O_EXCL (a resource
# manager daemon's open) or read-only, the others' commands go on
# meanwhile, as upstream's do.
# Checks: 5
SUITE=excl
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
X=$G/excl.py
log=/tmp/excl.cmds
unload_backend || { fail setup "cannot unload the interface driver"; exit 0; }
[ -d /sys/module/tpm_vtpm_proxy ] || load_vtpm
wait_for_dev /dev/vtpmx || { fail setup "no /dev/vtpmx"; exit 0; }
swtpm_socket excl || { fail setup "$(cat /tmp/excl-swtpm.out)"; exit 0; }
python3 "$X" forward /tmp/excl.info "$log" /tmp/excl.sock >/tmp/excl-fwd.out 2>&1 &
fwd=$!
wait_for_dev /tmp/excl.info 100 || { fail setup "$(cat /tmp/excl-fwd.out)"; exit 0; }
num=$(cat /tmp/excl.info)
wait_for_dev "/dev/tpmrm$num" 100 || { fail setup "no /dev/tpmrm$num"; exit 0; }
export TPM2TOOLS_TCTI=device:/dev/tpmrm$num
SPK=0x81000001
tpm2_createprimary -Q -C o -G ecc -c /tmp/excl-spk.ctx &&
	tpm2_evictcontrol -Q -C o -c /tmp/excl-spk.ctx $SPK >/dev/null ||
	{ fail setup "no storage key"; exit 0; }
for m in cryptomgr hmac sha1_generic trusted; do load_kmod "$m" 2>/dev/null; done
[ -d /sys/module/trusted ] || { fail setup "no trusted.ko"; exit 0; }
# The /dev/hwrng reader must be this chip's, or it tests nothing.
[ "$(cat /sys/class/misc/hw_random/rng_current)" = "tpm-rng-$num" ] ||
	{ fail setup "the hwrng is $(cat /sys/class/misc/hw_random/rng_current), not tpm-rng-$num"; exit 0; }

# others: the foreign users, in the background; their statuses in
# /tmp/excl-others, one line each whatever the outcome.  The /dev/tpmrmN
# clients wait for their answers as long as the kernel takes (tpm2-tools
# would give up after its TCTI's one-second probe at start).
others() {
	rm -f /tmp/excl-others
	for i in 1 2; do
		( python3 "$X" client "/dev/tpmrm$num" 3 >/tmp/excl-client$i.out 2>&1
		  echo "tpmrm$i $? $(head -c 200 /tmp/excl-client$i.out | tr '\n' ' ')" >>/tmp/excl-others ) &
	done
	( head -c 64 /dev/hwrng | wc -c | grep -qx 64; echo "hwrng $?" >>/tmp/excl-others ) &
	( keyctl add trusted "excl-$1" "new 32 keyhandle=$SPK" @u >/dev/null
	  echo "trusted $?" >>/tmp/excl-others ) &
}

# hold <mode> <label>: a holder in <mode>, the others started while it
# holds; then what came between its first and last command.
hold() {
	local mode=$1 l=$2 bad until=
	: >"$log"
	rm -f /tmp/excl-others
	# Shared, the holder goes on until the others are done, however slow
	# the host is to start them: they must come between.
	[ "$mode" = shared ] && until=/tmp/excl-others
	coproc H { python3 "$X" holder "/dev/tpm$num" "$mode" 60 $until 2>&1; }
	read -r -t 60 line <&"${H[0]}"
	[ "$line" = open ] || { fail "$l-open" "$line"; return 1; }
	# The holder's commands take three seconds at least: the others
	# start while they go on.
	echo go >&"${H[1]}"
	sleep 0.3
	others "$l"
	read -r -t 120 line <&"${H[0]}"
	[ "$mode" = readonly ] || [ "$line" = done ] ||
		{ fail "$l-holder" "$line"; return 1; }
	wait "$H_PID" || { fail "$l-holder-exit" "exited with $?"; return 1; }
	# Every other user finishes, and succeeds.
	for i in $(seq 600); do
		[ "$(grep -c . /tmp/excl-others 2>/dev/null)" = 4 ] && break
		sleep 0.1
	done
	bad=$(awk '$2 != 0' /tmp/excl-others
	      [ "$(grep -c . /tmp/excl-others)" = 4 ] ||
		echo "only $(grep -c . /tmp/excl-others) of 4 finished: $(cut -d' ' -f1 /tmp/excl-others | tr '\n' ' ')")
	[ -z "$bad" ] && pass "$l-others-complete" || fail "$l-others-complete" "$bad"
	between=$(python3 "$X" between "$log") ||
		{ fail "$l-log" "$between"; return 1; }
}

hold excl excl &&
	{ [ -z "$between" ] && pass excl-nothing-between ||
	  fail excl-nothing-between "$(echo "$between" | sort | uniq -c | tr '\n' ' ')"; }
hold shared shared &&
	{ [ -n "$between" ] && pass shared-others-go-on ||
	  fail shared-others-go-on "nothing came between: the check cannot see interleaving"; }
# O_EXCL without write access is a shared open: a client goes on at once.
coproc R { python3 "$X" holder "/dev/tpm$num" readonly 0 2>&1; }
read -r -t 60 line <&"${R[0]}"
if [ "$line" = open ] && timeout 20 tpm2_getrandom --hex 8 >/dev/null 2>&1; then
	pass readonly-excl-is-shared
else
	fail readonly-excl-is-shared "$line"
fi
echo go >&"${R[1]}"
wait "$R_PID" || fail readonly-holder-exit "exited with $?"

keyctl clear @u
rmmod trusted
tpm2_evictcontrol -Q -C o -c $SPK >/dev/null 2>&1
# The server first: its chip goes away with it.  (Killing swtpm first
# leaves the server waiting for a command that may never come.)
kill $fwd
wait $fwd 2>/dev/null
kill $swtpm
wait $swtpm 2>/dev/null
