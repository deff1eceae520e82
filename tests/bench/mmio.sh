#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TIS register accesses per GetRandom(32), ours and upstream's: QEMU traces
# every MMIO read and write of tpm-tis while the guest runs 100 and then 300
# commands; the difference over 200 commands leaves out boot and probe.
#
#   tests/bench/mmio.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}
out=$cache/bench/mmio
mkdir -p "$out"
count() { grep -c "$1" "$2" || true; }
for drv in upstream ours; do
	for n in 100 300; do
		trace=$out/$drv-$n.log
		rm -f "$trace"
		TPM_OOT_QEMU_ARGS="-trace tpm_tis_mmio_read -trace tpm_tis_mmio_write -D $trace" \
			"$top/tests/guest.sh" --kernel plain --driver "$drv" \
			--env TPMTEST_N=$n mmio >"$out/$drv-$n.out" 2>&1 ||
			{ echo "mmio: guest run failed; see $out/$drv-$n.out" >&2; exit 1; }
	done
	r=$(( $(count tpm_tis_mmio_read "$out/$drv-300.log") - $(count tpm_tis_mmio_read "$out/$drv-100.log") ))
	w=$(( $(count tpm_tis_mmio_write "$out/$drv-300.log") - $(count tpm_tis_mmio_write "$out/$drv-100.log") ))
	awk -v d="$drv" -v r="$r" -v w="$w" 'BEGIN {
		printf "%-9s %5.1f reads %5.1f writes %5.1f accesses per GetRandom(32)\n",
		       d, r / 200, w / 200, (r + w) / 200 }'
done
