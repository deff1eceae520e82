#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (tests/bench/run.sh): the same workloads through upstream's
# modules and ours in one boot, in rounds that alternate the order
# (upstream first, then ours first, ...) so that drift cancels.  Each
# measurement prints "guest: bench target=<driver>/<path> round=<r> ..."
# and is a check: every response in it was verified.
# Checks: 1
SUITE=bench
. "$TPMTEST_REPO/tests/guest/lib.sh"
bench=$TPMTEST_TOOLS/tpm-bench
rounds=${TPMTEST_BENCH_ROUNDS:-2}
secs=${TPMTEST_BENCH_SECS:-3}
workloads="getrandom pcr-read pcr-extend nv-read create-primary"
parts=${TPMTEST_BENCH_PARTS:-tis vtpm rm session}
# The session part: calls of each kernel user's function, and extends in
# one loop inside the kernel.
session_calls=${TPMTEST_BENCH_SESSION_CALLS:-200}
session_loop=${TPMTEST_BENCH_SESSION_LOOP:-10000}
tss=device:/dev/tpmrm0

# record_as <kind> <target> <round> <name> <command...>: one measurement;
# its line ("guest: <kind> ...") goes to the log, and it is a check.
record_as() {
	local kind=$1 target=$2 round=$3 name=$4 out
	shift 4
	if out=$("$@" 2>&1); then
		echo "guest: $kind target=$target round=$round $out"
		pass "$target/$name/round-$round"
	else
		fail "$target/$name/round-$round" "$(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
}

# record <target> <round> <name> <command...>: a line of the table.
record() {
	record_as bench "$@"
}

# measure <target> <round> <tpm-bench args...>
measure() {
	local target=$1 round=$2
	shift 2
	record "$target" "$round" "${*: -1}" timeout 300 "$bench" "$@"
}

tis_round() {
	local drv=$1 r=$2 w
	TPMTEST_DRIVER=$drv load_driver || { fail "$drv/tis-load" "no /dev/tpm0"; return; }
	for w in $workloads; do
		measure "$drv/tis" "$r" -t "$secs" "$w"
	done
	measure "$drv/tis-nonblock" "$r" -t "$secs" -N getrandom
	unload_driver || fail "$drv/tis-unload" "rmmod failed"
}

# The CRB interface (a boot with tpm-crb: tests/bench/run.sh's crb part).
crb_round() {
	local drv=$1 r=$2 w
	TPMTEST_DRIVER=$drv load_driver || { fail "$drv/crb-load" "no /dev/tpm0"; return; }
	for w in getrandom pcr-read create-primary; do
		measure "$drv/crb" "$r" -t "$secs" "$w"
	done
	unload_driver || fail "$drv/crb-unload" "rmmod failed"
}

# vtpm_server <label> <command...>: time GetRandom through the device the
# server creates; the server is stopped afterwards.
vtpm_server() {
	local target=$1 r=$2 pid dev
	shift 2
	"$@" >/tmp/bench-server.out 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		dev=$(ls /sys/class/tpm 2>/dev/null | head -n 1)
		[ -n "$dev" ] && [ -e "/dev/$dev" ] && break
		dev=
		sleep 0.1
	done
	if [ -z "$dev" ]; then
		fail "$target/server" "no device: $(tail -n 2 /tmp/bench-server.out | tr '\n' ' ')"
	else
		measure "$target" "$r" -d "/dev/$dev" -t "$secs" getrandom
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

vtpm_round() {
	local drv=$1 r=$2
	if ! TPMTEST_DRIVER=$drv load_mods tpm tpm_vtpm_proxy ||
	   ! wait_for_dev /dev/vtpmx; then
		fail "$drv/vtpm-load" "no /dev/vtpmx"
		unload_driver
		return
	fi
	vtpm_server "$drv/vtpm-c" "$r" "$bench" vtpm-server
	rm -rf /tmp/bench-vtpm-state
	mkdir -p /tmp/bench-vtpm-state
	vtpm_server "$drv/vtpm-swtpm" "$r" swtpm chardev --vtpm-proxy --tpm2 \
		--tpmstate dir=/tmp/bench-vtpm-state
	unload_driver || fail "$drv/vtpm-unload" "rmmod failed"
}

# workflow <target> <round> <tcti>: the tpm2-tools chain (tests/bench/workflow.py).
workflow() {
	record "$1" "$2" workflow env TPM2TOOLS_TCTI="$3" timeout 900 \
		python3 "$TPMTEST_REPO/tests/bench/workflow.py" "$secs"
}

# The resource manager: TPM2_Sign with a loaded key through /dev/tpm0 and
# /dev/tpmrm0 (one client; four on four files), and the tpm2-tools
# workflow through /dev/tpmrm0 and through tpm2-abrmd on /dev/tpm0.
rm_round() {
	local drv=$1 r=$2 w
	TPMTEST_DRIVER=$drv load_driver || { fail "$drv/rm-load" "no /dev/tpm0"; return; }
	for w in sign-ecc sign-rsa; do
		measure "$drv/tis" "$r" -t "$secs" "$w"
		measure "$drv/tpmrm" "$r" -d /dev/tpmrm0 -t "$secs" "$w"
		measure "$drv/tpmrm-4" "$r" -d /dev/tpmrm0 -c 4 -t "$secs" "$w"
	done
	workflow "$drv/tpmrm" "$r" "$tss"
	if abrmd_start; then
		workflow "$drv/abrmd" "$r" "$ABRMD_TCTI"
	else
		fail "$drv/abrmd-start" "$(tail -n 2 /tmp/abrmd.log | tr '\n' ' ')"
	fi
	abrmd_stop
	unload_driver || fail "$drv/rm-unload" "rmmod failed"
}

# record_session <target> <round> <name> <command...>: a line of the
# session part (not the table's: tests/bench/run.sh lists them).
record_session() {
	record_as session-bench "$@"
}

# trusted_times <target> <round>: five trusted keys sealed (new) and
# loaded (unsealed) under a storage key, the mean of each.
trusted_times() {
	local l=$1 r=$2 i t0 t1 seal=0 unseal=0 blob spk=0x81000001
	TPM2TOOLS_TCTI=$tss tpm2_readpublic -Q -c $spk >/dev/null 2>&1 ||
		{ TPM2TOOLS_TCTI=$tss tpm2_createprimary -Q -C o -G ecc -c /tmp/bench-spk.ctx &&
		  TPM2TOOLS_TCTI=$tss tpm2_evictcontrol -Q -C o -c /tmp/bench-spk.ctx $spk >/dev/null; } ||
		{ fail "$l/trusted/round-$r" "no storage key"; return; }
	# What trusted.ko asks the crypto API for at init: loaded first (the
	# guest cannot autoload; some are built in).
	for i in cryptomgr hmac sha1_generic; do load_kmod "$i" 2>/dev/null; done
	load_kmod trusted || { fail "$l/trusted/round-$r" "no trusted.ko"; return; }
	for i in 1 2 3 4 5; do
		t0=${EPOCHREALTIME/./}
		keyctl add trusted "bench$i" "new 32 keyhandle=$spk" @u >/dev/null ||
			{ fail "$l/trusted/round-$r" "seal failed"; return; }
		t1=${EPOCHREALTIME/./}
		seal=$((seal + t1 - t0))
		blob=$(keyctl pipe "%trusted:bench$i")
		t0=${EPOCHREALTIME/./}
		keyctl add trusted "bench$i-l" "load $blob keyhandle=$spk" @u >/dev/null ||
			{ fail "$l/trusted/round-$r" "unseal failed"; return; }
		t1=${EPOCHREALTIME/./}
		unseal=$((unseal + t1 - t0))
	done
	keyctl clear @u
	echo "guest: session-bench target=$l round=$r op=trusted n=5 seal_us=$((seal / 5)) unseal_us=$((unseal / 5))"
	pass "$l/trusted/round-$r"
}

# The kernel's own session (tpm2-session.c, CONFIG_TCG_TPM2_HMAC): calls
# of tpm_pcr_extend(), tpm_get_random() and tpm_pcr_read() through
# tpm_kuser.ko, alone and each followed by a /dev/tpmrm0 command (which
# ends upstream's session), extends in one loop, and trusted keys; ours
# protected (tpm.hmac=1) and unprotected (tpm.hmac=0), and upstream's
# (protected, as its option makes it).
session_round() {
	local drv=$1 r=$2 h l op k=$TPMTEST_REPO/tests/bench/kuser.py
	grep -q '^CONFIG_TCG_TPM2_HMAC=y' "$TPMTEST_KBUILD/.config" || return 0
	# Ours protected and unprotected back to back, which goes first
	# turning round by round (the ratio is taken within a round).
	local hmacs="1 0"
	[ $((r % 2)) = 0 ] && hmacs="0 1"
	[ "$drv" = ours ] || hmacs=1
	for h in $hmacs; do
		l=$drv-hmac$h
		if ! TPMTEST_DRIVER=$drv load_mods tpm; then
			fail "$l/session-load" "tpm.ko"
			return
		fi
		[ "$drv" = ours ] && echo "$h" >/sys/module/tpm/parameters/hmac
		if ! TPMTEST_DRIVER=$drv load_driver ||
		   ! insmod "$TPMTEST_MODDIR/tests/tpm_kuser.ko"; then
			fail "$l/session-load" "no /dev/tpm0 or no tpm_kuser"
			unload_driver
			return
		fi
		for op in extend random pcrread; do
			record_session "$l" "$r" "$op" python3 "$k" "$op" "$session_calls"
			record_session "$l" "$r" "$op-user" python3 "$k" "$op" "$session_calls" /dev/tpmrm0
		done
		record_session "$l" "$r" extend-loop python3 "$k" loop extend "$session_loop"
		# Where a protected extend's time goes, step by step, one
		# call at a time and in a loop.
		record_session "$l" "$r" phases python3 "$k" phases "$session_calls"
		record_session "$l" "$r" phases-loop python3 "$k" loop phases "$session_loop"
		# The session's arithmetic alone (no TPM), once per round.
		[ "$l" = ours-hmac1 ] &&
			record_session "$l" "$r" sessmath-loop python3 "$k" loop sessmath "$session_loop"
		trusted_times "$l" "$r"
		rmmod tpm_kuser
		[ "$drv" = ours ] && echo 1 >/sys/module/tpm/parameters/hmac
		unload_driver || fail "$l/session-unload" "rmmod failed"
	done
}

unload_driver
for r in $(seq "$rounds"); do
	if [ $((r % 2)) = 1 ]; then order="upstream ours"; else order="ours upstream"; fi
	for drv in $order; do
		echo "guest: bench round $r: $drv"
		case " $parts " in *" tis "*) tis_round "$drv" "$r" ;; esac
		case " $parts " in *" vtpm "*) vtpm_round "$drv" "$r" ;; esac
		case " $parts " in *" rm "*) rm_round "$drv" "$r" ;; esac
		case " $parts " in *" crb "*) crb_round "$drv" "$r" ;; esac
		case " $parts " in *" session "*) session_round "$drv" "$r" ;; esac
	done
done
