#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test tools (tests/stress/*.c, tests/bench/*.c) on the host;
# the guest runs them from the host's file system.  Prints the directory.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}/tools
mkdir -p "$out"
for src in "$top"/tests/stress/*.c "$top"/tests/bench/*.c; do
	[ -f "$src" ] || continue
	bin=$out/$(basename "$src" .c)
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		gcc -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$src" >&2
	fi
done
echo "$out"
