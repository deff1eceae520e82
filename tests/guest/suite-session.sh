#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own session (tpm2-session.c, CONFIG_TCG_TPM2_HMAC) against
# an attacker on the bus: a vtpm proxy server (interpose.py) in front of
# swtpm logs every byte and changes answers on request -- the bytes of a
# GetRandom, of a PCR value, of unsealed data; a response replayed; the
# session's nonce.  With protection on (tpm.hmac=1, the default), every
# change is caught and none reaches the caller, and neither the hwrng's
# bytes nor a trusted key's cross the bus in clear; the null key whose
# name sysfs shows is the TPM's.  With it off (tpm.hmac=0), the same
# changes get through and the same bytes are seen: the control that shows
# the checks can see them.  Nobody else reaches the kernel's session: a
# /dev/tpmrmN client naming its handle is refused by the resource manager,
# a /dev/tpmN client finds it saved away (TPM_RC_REFERENCE_S0), and the
# kernel's next command goes through it still; a /dev/tpmN client that
# flushes it (the raw TPM) costs the kernel a new session.  A
# session the TPM started but whose answer is refused is flushed.  A TPM
# that refuses the kernel's session at registration leaves the chip
# unprotected, saying so, and working, the session tried once with each
# nonce size; one that refuses 16-byte nonces gets digest-sized ones, and
# is protected.  The kernel users: the hwrng, trusted keys and tpm_kuser.ko
# (tpm_pcr_extend(), tpm_pcr_read(), tpm_get_random()).
# Checks: 36
SUITE=session
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
I=$G/interpose.py
log=/tmp/session.traffic
modefile=/tmp/session.mode
kuser=/sys/kernel/debug/tpm_kuser
zeros=$(printf '0%.0s' $(seq 68))	# null_name without a session

[ "$TPMTEST_DRIVER" = ours ] || { fail setup "the session suite tests our modules"; exit 0; }
[ -e /sys/module/tpm/parameters/hmac ] ||
	{ fail setup "tpm.ko has no session (a kernel without CONFIG_TCG_TPM2_HMAC)"; exit 0; }
unload_backend || { fail setup "cannot unload the interface driver"; exit 0; }
[ -d /sys/module/tpm_vtpm_proxy ] || load_vtpm
wait_for_dev /dev/vtpmx || { fail setup "no /dev/vtpmx"; exit 0; }
[ -d /sys/module/tpm_kuser ] || insmod "$TPMTEST_MODDIR/tests/tpm_kuser.ko" ||
	{ fail setup "insmod tpm_kuser"; exit 0; }
for m in cryptomgr hmac sha1_generic; do load_kmod "$m" 2>/dev/null; done
[ -d /sys/module/trusted ] && rmmod trusted
blob=
swtpm_socket session || { fail setup "$(cat /tmp/session-swtpm.out)"; exit 0; }

# kuser <op>: one call through tpm_kuser; its result line on stdout.
kuser() {
	echo "$1 1" >"$kuser/run" 2>/dev/null || return 1
	cat "$kuser/result"
}

# hwrng96: 96 bytes from /dev/hwrng, hex; fails on a short read.  The
# hwrng core hands out what is left of its last read first (perhaps
# another chip's): the traffic is searched for any 16 of them in a row,
# and the changes are made through tpm_kuser, whose every call reaches
# the TPM.
hwrng96() {
	local h
	h=$(head -c 96 /dev/hwrng 2>/dev/null | od -An -tx1 -v | tr -d ' \n')
	[ ${#h} = 192 ] && echo "$h"
}

# start <hmac> <label> [<mode>]: the interposer's chip, registered with
# tpm.hmac=<hmac>, the interposer in <mode> (none) from the start.
start() {
	echo "${3:-none}" >"$modefile"
	: >"$log"
	rm -f /tmp/session.info
	echo "$1" >/sys/module/tpm/parameters/hmac
	python3 "$I" serve /tmp/session.info /tmp/session.sock "$log" "$modefile" \
		>/tmp/session-srv.out 2>&1 &
	srv=$!
	wait_for_dev /tmp/session.info 100 || { fail "$2-setup" "$(cat /tmp/session-srv.out)"; return 1; }
	num=$(cat /tmp/session.info)
	wait_for_dev "/dev/tpmrm$num" 100 || { fail "$2-setup" "no /dev/tpmrm$num"; return 1; }
	export TPM2TOOLS_TCTI=device:/dev/tpmrm$num
	# trusted.ko takes the default chip when it loads: this one.
	load_kmod trusted || { fail "$2-setup" "no trusted.ko"; return 1; }
	[ "$(cat /sys/class/misc/hw_random/rng_current)" = "tpm-rng-$num" ] ||
		{ fail "$2-setup" "the hwrng is not tpm-rng-$num"; return 1; }
	SPK=0x81000001
	tpm2_readpublic -Q -c $SPK >/dev/null 2>&1 ||
		{ tpm2_createprimary -Q -C o -G ecc -c /tmp/session-spk.ctx &&
		  tpm2_evictcontrol -Q -C o -c /tmp/session-spk.ctx $SPK >/dev/null; } ||
		{ fail "$2-setup" "no storage key"; return 1; }
}

stop() {
	echo none >"$modefile"
	keyctl clear @u
	rmmod trusted
	kill "$srv"
	wait "$srv" 2>/dev/null
}

# The null key: what tpm2_createprimary makes from the same template in
# the null hierarchy has the name sysfs shows.
null_key_is_the_tpms() {
	local want
	tpm2_createprimary -Q -C n -g sha256 -G ecc256:null:aes128cfb \
		-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt' \
		-c /tmp/session-null.ctx || return 1
	want=$(tpm2_readpublic -c /tmp/session-null.ctx -n /tmp/session-null.name >/dev/null &&
	       od -An -tx1 -v /tmp/session-null.name | tr -d ' \n')
	tpm2_flushcontext /tmp/session-null.ctx
	[ "$(cat /sys/class/tpm/tpm$num/null_name)" = "$want" ] ||
		{ echo "null_name $(cat /sys/class/tpm/tpm$num/null_name), the TPM's $want"; return 1; }
}

# honest <label>: the kernel users' commands, nothing changed; the bytes
# the hwrng gave and a trusted key's unsealed data, in the traffic or not.
honest() {
	local l=$1 r v t
	r=$(hwrng96) || { fail "$l-hwrng" "short read"; return 1; }
	pass "$l-hwrng"
	python3 "$I" seen "$log" "$r"
	leak_random=$?
	if kuser extend >/dev/null && v=$(kuser pcrread) &&
	   t=$(tpm2_pcrread sha256:16 | sed -n 's/.*16 *: *0x//p' | tr 'A-F' 'a-f') &&
	   [ "$(echo "$v" | cut -d' ' -f6)" = "$t" ]; then
		pass "$l-extend-read"
	else
		fail "$l-extend-read" "kernel read '$v', tpm2_pcrread '$t'"
	fi
	if keyctl add trusted "$l-k" "new 32 keyhandle=$SPK" @u >/dev/null &&
	   blob=$(keyctl pipe "%trusted:$l-k") &&
	   keyctl add trusted "$l-k2" "load $blob keyhandle=$SPK" @u >/dev/null; then
		pass "$l-trusted"
	else
		fail "$l-trusted" "seal or unseal failed"
	fi
	python3 "$I" unseal-leak "$log"
	leak_key=$?
}

# tampered <mode> <op...>: the op, with the interposer in <mode>.
tampered() {
	local mode=$1
	shift
	echo "$mode" >"$modefile"
	out=$("$@" 2>&1)
	local rc=$?
	echo none >"$modefile"
	return $rc
}

# null_key_changes: a session start meets a null key whose name is not
# null_name (a TPM reset, or a key the attacker made): refused, and the
# chip goes on unprotected for nothing; a wrong name written to null_name
# is refused; the new key's name, as logged, accepted; then the real key
# is the changed one, and is accepted back the same way.
null_key_changes() {
	local was new
	was=$(cat /sys/class/tpm/tpm$num/null_name)
	tampered nonce kuser random
	tampered nullkey kuser random && fail on-null-key-changed "got $out" ||
		pass on-null-key-changed
	new=$(dmesg | sed -n 's/.*the null key changed.*until \([0-9a-f]*\),.*/\1/p' | tail -n 1)
	if [ -n "$new" ] && [ "$new" != "$was" ] &&
	   ! echo "$was" >/sys/class/tpm/tpm$num/null_name 2>/dev/null; then
		pass on-null-key-wrong-name
	else
		fail on-null-key-wrong-name "logged '$new', had '$was'"
	fi
	echo "$new" >/sys/class/tpm/tpm$num/null_name &&
		tampered nullkey kuser random >/dev/null &&
		[ "$(cat /sys/class/tpm/tpm$num/null_name)" = "$new" ] &&
		pass on-null-key-accepted || fail on-null-key-accepted "$out"
	# The real key now differs from the accepted one: refused until its
	# name (the one certified first) is written back.
	tampered nonce kuser random
	if ! kuser random >/dev/null && echo "$was" >/sys/class/tpm/tpm$num/null_name &&
	   kuser random >/dev/null; then
		pass on-null-key-back
	else
		fail on-null-key-back "$(cat $kuser/result)"
	fi
}

# Protection on.
if start 1 on; then
	why=$(null_key_is_the_tpms 2>&1) && pass on-null-key || fail on-null-key "$why"
	honest on
	[ "$leak_random" = 1 ] && pass on-hwrng-not-in-clear ||
		fail on-hwrng-not-in-clear "the hwrng's bytes crossed the bus in clear"
	[ "$leak_key" = 1 ] && pass on-key-not-in-clear ||
		fail on-key-not-in-clear "the unsealed key crossed the bus in clear ($leak_key)"
	# Who else could use the kernel's session: neither can.
	if ks=$(python3 "$I" kernel-session "$log"); then
		why=$(python3 "$I" try-session "/dev/tpmrm$num" "$ks") &&
			pass on-space-cannot-use || fail on-space-cannot-use "$ks: $why"
		why=$(python3 "$I" try-session "/dev/tpm$num" "$ks") &&
			pass on-tpm0-cannot-use || fail on-tpm0-cannot-use "$ks: $why"
		kuser random >/dev/null && [ "$(python3 "$I" kernel-session "$log")" = "$ks" ] &&
			pass on-session-kept || fail on-session-kept "$(cat $kuser/result)"
		# /dev/tpmN reaches the whole TPM: a flush of the kernel's
		# saved session goes through (the TPM sees it), and costs the
		# kernel a new session, which its next command starts.
		n=$(grep -c "^C .\{12\}00000176" "$log")
		why=$(python3 "$I" flush "/dev/tpm$num" "$ks")
		[ $? = 0 ] && grep -q "^C .\{12\}00000165${ks#0x}" "$log" &&
			kuser random >/dev/null &&
			[ "$(grep -c "^C .\{12\}00000176" "$log")" = "$((n + 1))" ] &&
			pass on-tpm0-flush-recovers ||
			fail on-tpm0-flush-recovers "$why $(cat $kuser/result)"
	else
		fail on-space-cannot-use "$ks"
	fi
	n0=$(dmesg | grep -c 'failed its check')
	tampered random kuser random && fail on-random "got $out" || pass on-random
	tampered pcr kuser pcrread && fail on-pcr "got $out" || pass on-pcr
	tampered unseal keyctl add trusted on-k3 "load $blob keyhandle=$SPK" @u &&
		fail on-unseal "the changed key loaded" || pass on-unseal
	kuser random >/dev/null
	tampered replay kuser random && fail on-replay "got $out" || pass on-replay
	tampered nonce kuser random && fail on-nonce "got $out" || pass on-nonce
	n=$(($(dmesg | grep -c 'failed its check') - n0))
	[ "$n" -ge 5 ] && pass on-reported || fail on-reported "$n of 5 reported"
	# Each catch dropped the session; the next use starts another.
	kuser random >/dev/null && kuser extend >/dev/null && pass on-recovers ||
		fail on-recovers "$(cat $kuser/result)"
	null_key_changes
	# The next session's start answered with a nonce cut short: the
	# command fails, and the session the TPM made is flushed.  (The
	# changed nonce first, caught, drops the session in use.)
	if tampered nonce kuser random; then
		fail on-start-cut "a changed nonce got through: $out"
	elif tampered cutstart kuser random; then
		fail on-start-cut "got $out"
	else
		why=$(python3 "$I" start-flushed "$log") && kuser random >/dev/null &&
			pass on-start-cut || fail on-start-cut "$why $(cat $kuser/result)"
	fi

	stop
fi

# A TPM that refuses the kernel's session (TPM_RC_SIZE for its nonce):
# the chip is registered unprotected, with a message and no null_name; the
# kernel users work; the session was tried at registration with 16- and
# 32-byte nonces, and not again at each command.
n0=$(dmesg | grep -c 'kernel commands unprotected: no salted')
if start 1 refuse refuse; then
	n=$(($(dmesg | grep -c 'kernel commands unprotected: no salted') - n0))
	[ "$n" = 1 ] && [ "$(cat /sys/class/tpm/tpm$num/null_name)" = "$zeros" ] &&
		pass refuse-unprotected ||
		fail refuse-unprotected "$n messages, null_name $(cat /sys/class/tpm/tpm$num/null_name)"
	kuser random >/dev/null && kuser extend >/dev/null && kuser pcrread >/dev/null &&
		keyctl add trusted refuse-k "new 32 keyhandle=$SPK" @u >/dev/null &&
		pass refuse-works || fail refuse-works "$(cat $kuser/result)"
	n=$(grep -c "^C .\{12\}00000176" "$log")
	[ "$n" = 2 ] && pass refuse-tried-once ||
		fail refuse-tried-once "$n TPM2_StartAuthSession commands"
	stop
fi

# A TPM that wants digest-sized nonces: the kernel's session has them
# (the last start's nonceCaller is 32 bytes), and it protects.
if start 1 refuse16 refuse16; then
	size=$(sed -n 's/^C .\{12\}00000176.\{16\}\(....\).*/\1/p' "$log" | tail -n 1)
	[ "$size" = 0020 ] &&
		[ "$(cat /sys/class/tpm/tpm$num/null_name)" != "$zeros" ] &&
		pass refuse16-protected || fail refuse16-protected "nonce size 0x$size"
	if kuser random >/dev/null && kuser extend >/dev/null &&
	   ! tampered random kuser random; then
		pass refuse16-works
	else
		fail refuse16-works "$out $(cat $kuser/result)"
	fi
	stop
fi

# Protection off: the control.
if start 0 off; then
	[ "$(cat /sys/class/tpm/tpm$num/null_name)" = "$zeros" ] &&
		pass off-no-null-key || fail off-no-null-key "$(cat /sys/class/tpm/tpm$num/null_name)"
	honest off
	[ "$leak_random" = 0 ] && pass off-hwrng-in-clear ||
		fail off-hwrng-in-clear "the hwrng's bytes are not in the traffic: the check is blind"
	[ "$leak_key" = 0 ] && pass off-key-in-clear ||
		fail off-key-in-clear "the unsealed key is not in the traffic: the check is blind ($leak_key)"
	five=$(printf '5a%.0s' $(seq 32))
	tampered random kuser random && [ "$(echo "$out" | cut -d' ' -f6)" = "$five" ] &&
		pass off-random-gets-through ||
		fail off-random-gets-through "got '$out'"
	tampered pcr kuser pcrread && [ "$(echo "$out" | cut -d' ' -f6)" = "$five" ] &&
		pass off-pcr-gets-through || fail off-pcr-gets-through "got '$out'"
	r1=$(kuser random | cut -d' ' -f6)
	tampered replay kuser random && [ "$(echo "$out" | cut -d' ' -f6)" = "$r1" ] &&
		pass off-replay-gets-through || fail off-replay-gets-through "got '$out', before '$r1'"
	stop
	echo 1 >/sys/module/tpm/parameters/hmac
fi
rmmod tpm_kuser
kill $swtpm
wait $swtpm 2>/dev/null
