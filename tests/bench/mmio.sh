#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TIS register accesses per GetRandom(32), ours and upstream's: QEMU traces
# every MMIO read and write of tpm-tis while the guest runs 100 and then 300
# commands; the difference over 200 commands leaves out boot and probe.
# With "extend", also a kernel user's PCR extends with our session on and
# off.  With "poll", only where those extends' round trips go: QEMU's
# trace with timestamps, read by tests/bench/polltrace.py (from tpmGo to
# QEMU's backend taking the command, to swtpm's answer, to the driver
# seeing it).
#
#   tests/bench/mmio.sh [extend|poll]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}
out=$cache/bench/mmio
mkdir -p "$out"
count() { grep -c "$1" "$2" || true; }
# run <label> <guest.sh options...>: the accesses per command of one
# workload, from two boots of 100 and 300 commands.
run() {
	local label=$1 n trace r w
	shift
	for n in 100 300; do
		trace=$out/$label-$n.log
		rm -f "$trace"
		TPM_OOT_QEMU_ARGS="-trace tpm_tis_mmio_read -trace tpm_tis_mmio_write -D $trace" \
			"$top/tests/guest.sh" --kernel plain "$@" --env TPMTEST_N=$n mmio \
			>"$out/$label-$n.out" 2>&1 ||
			{ echo "mmio: guest run failed; see $out/$label-$n.out" >&2; exit 1; }
	done
	r=$(( $(count tpm_tis_mmio_read "$out/$label-300.log") - $(count tpm_tis_mmio_read "$out/$label-100.log") ))
	w=$(( $(count tpm_tis_mmio_write "$out/$label-300.log") - $(count tpm_tis_mmio_write "$out/$label-100.log") ))
	awk -v d="$label" -v r="$r" -v w="$w" 'BEGIN {
		printf "%-16s %5.1f reads %5.1f writes %5.1f accesses per command\n",
		       d, r / 200, w / 200, (r + w) / 200 }'
}
# With "poll": 400 extends each way, their timings.
if [ "${1:-}" = poll ]; then
	for h in 1 0; do
		trace=$out/poll-hmac$h.log
		rm -f "$trace"
		TPM_OOT_QEMU_ARGS="-msg timestamp=on -trace tpm_tis_mmio_read -trace tpm_tis_mmio_write -trace tpm_emulator_handle_request -trace tpm_util_show_buffer -D $trace" \
			"$top/tests/guest.sh" --kernel plain --driver ours --env TPMTEST_MMIO_OP=extend \
			--env TPMTEST_HMAC=$h --env TPMTEST_N=400 mmio >"$out/poll-hmac$h.out" 2>&1 ||
			{ echo "mmio: guest run failed; see $out/poll-hmac$h.out" >&2; exit 1; }
	done
	exec python3 "$top/tests/bench/polltrace.py" "$out/poll-hmac1.log" "$out/poll-hmac0.log"
fi
for drv in upstream ours; do
	run "$drv" --driver "$drv"
done
# With "extend": PCR extends by a kernel user, ours with its session and
# without (what the session adds on the bus).
if [ "${1:-}" = extend ]; then
	for h in 1 0; do
		run "extend-hmac$h" --driver ours --env TPMTEST_MMIO_OP=extend --env TPMTEST_HMAC=$h
	done
fi
