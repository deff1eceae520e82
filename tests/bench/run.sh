#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the swtpm floor on the host, then one boot of the plain
# (non-debug) guest running the same workloads through upstream's modules
# and ours (tests/guest/suite-bench.sh); prints the table
# (tests/bench/table.py) with the register accesses per command
# (tests/bench/mmio.sh), and keeps it in $cache/bench/.
#
#   tests/bench/run.sh [--rounds N] [--secs S] [--cpu MODEL]
#                      [--parts "tis vtpm rm crb session session-crb"]
#
# --cpu: QEMU's CPU model for the guest, qemu64 (QEMU's default) unless
# told.  "max" gives it what TCG emulates of a current x86 (SSSE3, AVX2,
# BMI2, which the kernel's SHA-256 uses; not SHA-NI, which QEMU 7.2's TCG
# lacks): measured in Documentation/benchmark.rst, emulated AVX2 hashes no
# faster than the generic C, and each call's first use of it costs an FPU
# state save and restore, which TCG emulates slowly.
#
# --parts picks the guest's parts: tis (the TIS workloads), vtpm (the
# proxy), rm (TPM2_Sign through /dev/tpm0 and /dev/tpmrm0, the tpm2-tools
# workflow through /dev/tpmrm0 and tpm2-abrmd), crb (the CRB interface, in
# a second boot with tpm-crb), session (the kernel's TPM users with and
# without the HMAC session, listed after the table); all but session-crb
# by default: the session part again in the tpm-crb boot, whose command
# buffer is memory, where TIS moves every 4 bytes through a register.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=2
secs=3
cpu=qemu64
parts="tis vtpm rm crb session"
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--parts) parts=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	*) echo "usage: $0 [--rounds N] [--secs S] [--cpu MODEL] [--parts \"tis vtpm rm crb session session-crb\"]" >&2; exit 2 ;;
	esac
done
cache=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}
"$top/tests/lib/deps.sh"
tools=$("$top/tests/lib/tools.sh")
out=$cache/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw=$out/raw

# The floor: swtpm answering over its socket, no guest in between.
mkdir -p "$out/floor-state"
swtpm socket --tpm2 --tpmstate dir="$out/floor-state" \
	--server type=unixio,path="$out/floor.sock" \
	--flags not-need-init,startup-clear >"$out/floor.log" 2>&1 &
swtpm_pid=$!
trap 'kill $swtpm_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -S "$out/floor.sock" ] && break; sleep 0.1; done
for r in $(seq "$rounds"); do
	for w in getrandom pcr-read pcr-extend nv-read create-primary sign-ecc sign-rsa; do
		line=$("$tools/tpm-bench" -u "$out/floor.sock" -t "$secs" "$w")
		echo "target=floor round=$r $line" | tee -a "$raw"
	done
done
kill $swtpm_pid
wait $swtpm_pid 2>/dev/null || true

# bench_boot <iface> <parts>: one boot of the plain guest running them.
bench_boot() {
	TPMTEST_TIMEOUT=$((1500 + rounds * secs * 120)) \
		"$top/tests/guest.sh" --kernel plain --driver ours --iface "$1" --cpu "$cpu" \
		--env TPMTEST_BENCH_ROUNDS="$rounds" --env TPMTEST_BENCH_SECS="$secs" \
		--env TPMTEST_BENCH_PARTS="$2" \
		--env TPMTEST_SUITE_TIMEOUT=$((1200 + rounds * secs * 120)) bench
}

set +e
rc=0
tis_parts=$(echo " $parts " | sed 's/ crb / /; s/ session-crb / /; s/^ *//; s/ *$//')
crb_parts=
case " $parts " in *" crb "*) crb_parts=crb ;; esac
case " $parts " in *" session-crb "*) crb_parts="$crb_parts session" ;; esac
: >"$out/guest.log"
: >"$out/guest-crb.log"
if [ -n "$tis_parts" ]; then
	bench_boot tis "$tis_parts" | tee -a "$out/guest.log"
	rc=${PIPESTATUS[0]}
fi
if [ -n "$crb_parts" ]; then
	bench_boot crb "$crb_parts" | tee -a "$out/guest-crb.log"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
fi
set -e
sed -n 's/^guest: bench \(target=\)/\1/p' "$out/guest.log" "$out/guest-crb.log" >>"$raw"
sed -n 's/^guest: session-bench \(target=\)/\1/p' "$out/guest.log" >"$out/session"
sed -n 's/^guest: session-bench \(target=\)/\1/p' "$out/guest-crb.log" >"$out/session-crb"
mmio_args=()
case " $parts " in *" session "*) mmio_args=(extend) ;; esac
"$top/tests/bench/mmio.sh" "${mmio_args[@]}" >"$out/mmio" || rc=1

{
	echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "guest: Linux $(sed -n 's/^guest: up, boot [0-9]*, kernel \([^,]*\),.*/\1/p' "$out/guest.log" "$out/guest-crb.log" | head -n 1) (no debug options), QEMU $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}') TCG, 2 vCPUs, CPU model $cpu; swtpm $(swtpm --version | grep -o "version [0-9.]*" | cut -d" " -f2); $rounds rounds of ${secs} s per workload"
	python3 "$top/tests/bench/table.py" "$raw"
	echo "TIS register accesses (QEMU trace, tests/bench/mmio.sh):"
	cat "$out/mmio"
	if [ -s "$out/session" ]; then
		echo "The kernel's TPM users with the HMAC session (tpm2-session.c): microseconds per call, medians over rounds"
		echo "(-user: each call follows a /dev/tpmrm0 command; -loop: extends in one loop in the kernel)"
		python3 "$top/tests/bench/session.py" "$out/session"
	fi
	if [ -s "$out/session-crb" ]; then
		echo "The same on tpm-crb (the command buffer is memory: the session's 96 more bytes cost no register access)"
		python3 "$top/tests/bench/session.py" "$out/session-crb"
	fi
} | tee "$out/table"
echo "bench: raw figures and table in $out"
exit "$rc"
