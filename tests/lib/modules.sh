#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build this project's modules against a kernel build directory, in a copy
# of the sources kept next to that kernel in the cache (so the debug and
# the plain kernel each get their own objects), one copy per checkout (so
# two checkouts tested at once do not build in each other's copy).
#
#   modules.sh <kernel-build-dir>     prints the directory holding the .ko
set -euo pipefail

kdir=${1:?usage: modules.sh <kernel-build-dir>}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$kdir/tpm-oot-modules-$(echo "$top" | sha256sum | cut -c1-12)
mkdir -p "$out"
# Mirror the sources; --checksum keeps make's timestamps meaningful.
rsync -a --checksum --delete --exclude='*.o' --exclude='*.ko' \
	--exclude='*.mod*' --exclude='.*.cmd' --exclude='Module.symvers' \
	--exclude='modules.order' --exclude='.tmp*' \
	--include='/Kbuild' --include='/*.c' --include='/include/***' \
	--include='/tests/' --include='/tests/*.c' --include='/tests/*.h' --exclude='*' \
	"$top/" "$out/" 2>/dev/null || {
	rm -rf "$out"; mkdir -p "$out"
	cp -a "$top"/Kbuild "$top"/*.c "$top"/include "$out"/
	mkdir -p "$out/tests" && cp -a "$top"/tests/*.c "$top"/tests/*.h "$out/tests/"
}
log=$out/build.log
if ! make -C "$kdir" M="$out" W=1 modules >"$log" 2>&1; then
	echo "modules: build against $kdir failed; see $log" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
if grep -q 'warning:' "$log"; then
	echo "modules: warnings in $log:" >&2
	grep 'warning:' "$log" >&2
	exit 1
fi
echo "$out"
