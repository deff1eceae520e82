#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hot-unplug stress in the guest (see tests/stress/tpm-stress.c).
#
#   tests/stress/run.sh [--long] [--driver ours|upstream] [--kernel debug|plain]
#
# Default: 200 vtpm cycles and 20 TIS unbind/bind cycles (a few minutes on
# the debug kernel).  --long: 10,000 vtpm cycles and 500 TIS cycles.
set -euo pipefail
vtpm=200
tis=20
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--long) vtpm=10000; tis=500; shift ;;
	--driver|--kernel) args+=("$1" "$2"); shift 2 ;;
	*) echo "usage: $0 [--long] [--driver ours|upstream] [--kernel debug|plain]" >&2; exit 2 ;;
	esac
done
# Generous bounds: the long run takes most of an hour on the debug kernel.
export TPMTEST_TIMEOUT=$((600 + vtpm / 2 + tis * 4))
exec "$(dirname "$0")/../guest.sh" "${args[@]}" \
	--env TPMTEST_STRESS_CYCLES=$vtpm --env TPMTEST_STRESS_TIS_CYCLES=$tis \
	--env TPMTEST_SUITE_TIMEOUT=$TPMTEST_TIMEOUT stress
