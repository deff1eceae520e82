#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fuzzer in the guest (see tests/fuzz/tpm-fuzz.c and
# tests/guest/suite-fuzz.sh).
#
#   tests/fuzz/run.sh [--long] [--seed N] [--ops N] [--cycles N]
#                     [--driver ours|upstream] [--kernel debug|plain]
#
# Default: the CHECK_FULL size (20,000 client ops per node, 120 server
# cycles, seed 1; make check runs 5,000 and 40).  --long: 200,000 ops per node and 2000 server cycles.
# A failing run prints its seed; the same --seed (and sizes) repeats it.
set -euo pipefail
ops=20000
cycles=120
seed=1
args=()
usage() {
	echo "usage: $0 [--long] [--seed N] [--ops N] [--cycles N] [--driver ours|upstream] [--kernel debug|plain]" >&2
	exit 2
}
number() {
	case $1 in ''|*[!0-9]*) usage ;; esac
	echo "$1"
}
while [ $# -gt 0 ]; do
	case $1 in
	--long) ops=200000; cycles=2000; shift ;;
	--seed) seed=$(number "${2:-}"); shift 2 ;;
	--ops) ops=$(number "${2:-}"); shift 2 ;;
	--cycles) cycles=$(number "${2:-}"); shift 2 ;;
	--driver|--kernel) [ $# -ge 2 ] || usage; args+=("$1" "$2"); shift 2 ;;
	*) usage ;;
	esac
done
# Generous bounds: on the debug kernel a client op takes a few ms, a
# server cycle about a second; the long run takes hours.
export TPMTEST_TIMEOUT=$((900 + ops * 3 / 40 + cycles * 3))
exec "$(dirname "$0")/../guest.sh" "${args[@]}" \
	--env TPMTEST_FUZZ_OPS="$ops" --env TPMTEST_FUZZ_CYCLES="$cycles" \
	--env TPMTEST_FUZZ_SEED="$seed" \
	--env TPMTEST_SUITE_TIMEOUT="$TPMTEST_TIMEOUT" fuzz
