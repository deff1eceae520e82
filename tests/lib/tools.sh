#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test tools (tests/stress/*.c, tests/bench/*.c, tests/guest/*.c,
# with the shared tests/lib/tpmtool.h) on the host, statically linked (the
# suspend suite runs one from tmpfs after the 9p root is gone); the guest
# runs them from the host's file system.  Prints the directory, one per
# checkout: a guest running one checkout's tools must not see them
# replaced by another's.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}/tools/$(echo "$top" | sha256sum | cut -c1-12)
mkdir -p "$out"
for src in "$top"/tests/stress/*.c "$top"/tests/bench/*.c "$top"/tests/guest/*.c "$top"/tests/fuzz/*.c; do
	[ -f "$src" ] || continue
	bin=$out/$(basename "$src" .c)
	# Keyed by content: the cache outlives checkouts of other commits.
	sum=$(cat "$src" "$top/tests/lib/tpmtool.h" "$0" | sha256sum)
	if [ ! -x "$bin" ] || [ "$(cat "$bin.sum" 2>/dev/null)" != "$sum" ]; then
		gcc -O2 -Wall -Wextra -Werror -pthread -static -I"$top/tests/lib" \
			-o "$bin.tmp" "$src" >&2
		mv "$bin.tmp" "$bin"
		echo "$sum" >"$bin.sum"
	fi
done
echo "$out"
