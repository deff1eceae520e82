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
parts=${TPMTEST_BENCH_PARTS:-tis vtpm rm}
tss=device:/dev/tpmrm0

# record <target> <round> <name> <command...>: one measurement; its line
# goes to the log, and it is a check.
record() {
	local target=$1 round=$2 name=$3 out
	shift 3
	if out=$("$@" 2>&1); then
		echo "guest: bench target=$target round=$round $out"
		pass "$target/$name/round-$round"
	else
		fail "$target/$name/round-$round" "$(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
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

unload_driver
for r in $(seq "$rounds"); do
	if [ $((r % 2)) = 1 ]; then order="upstream ours"; else order="ours upstream"; fi
	for drv in $order; do
		echo "guest: bench round $r: $drv"
		case " $parts " in *" tis "*) tis_round "$drv" "$r" ;; esac
		case " $parts " in *" vtpm "*) vtpm_round "$drv" "$r" ;; esac
		case " $parts " in *" rm "*) rm_round "$drv" "$r" ;; esac
		case " $parts " in *" crb "*) crb_round "$drv" "$r" ;; esac
	done
done
