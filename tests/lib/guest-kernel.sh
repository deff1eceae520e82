#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and cache a guest kernel from Debian's linux-source package.
#
#   guest-kernel.sh <debug|plain> [kernel-series]
#
# Prints the build directory on stdout. The cache lives outside the repo
# (TPM_OOT_CACHE, default ~/.cache/tpm-oot) and is keyed by kernel version,
# flavour and the hash of the config fragments, so changing a fragment
# builds a new kernel and never reuses a stale one.
set -euo pipefail

flavour=${1:?usage: guest-kernel.sh <debug|plain> [series]}
series=${2:-${KVER:-6.12}}
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}
tarball=/usr/src/linux-source-$series.tar.xz
src=$cache/linux-source-$series

log() { echo "guest-kernel: $*" >&2; }

case $flavour in
debug) frags=("$here/kernel/base.config" "$here/kernel/debug.config") ;;
plain) frags=("$here/kernel/base.config") ;;
*) log "unknown flavour '$flavour' (debug or plain)"; exit 2 ;;
esac
# What one kernel series needs on top (tests/kernel/series-<series>.config).
[ -f "$here/kernel/series-$series.config" ] &&
	frags+=("$here/kernel/series-$series.config")

if [ ! -f "$tarball" ]; then
	log "$tarball missing: apt-get install linux-source-$series"
	exit 1
fi

mkdir -p "$cache"
if [ ! -f "$src/.extracted" ]; then
	log "extracting $tarball into $cache"
	rm -rf "$src"
	tar -C "$cache" -xf "$tarball"
	touch "$src/.extracted"
fi

version=$(make -s -C "$src" kernelversion)
key=$(cat "${frags[@]}" "$0" | sha256sum | cut -c1-12)
out=$cache/build-$version-$flavour-$key
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out"
blog=$out/build.log
log "building $version ($flavour) in $out; log: $blog"
{
	make -C "$src" O="$out" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
	make -C "$src" O="$out" olddefconfig
} >"$blog" 2>&1 || { log "configuration failed; see $blog"; exit 1; }

# Every option the fragments ask for must have survived olddefconfig;
# a silently dropped option makes a kernel that boots but tests nothing.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) opt=${line%=n}
		if grep -q "^$opt=" "$out/.config"; then
			log "option $opt is set but the fragment wants it off"
			missing=1
		fi ;;
	CONFIG_*) if ! grep -qx "$line" "$out/.config"; then
			log "option $line did not survive olddefconfig"
			missing=1
		fi ;;
	esac
done < <(cat "${frags[@]}")
[ "$missing" = 0 ] || { log "config check failed; see $out/.config"; exit 1; }

make -C "$src" O="$out" -j"$(nproc)" bzImage modules >>"$blog" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	sleep 20
	kill -0 "$pid" 2>/dev/null || break
	# Early on only HOSTCC and the like are in the log: a grep that finds
	# nothing must not end the script (set -e) and orphan the build.
	last=$(grep -E '^\s+(CC|LD|AR|AS)' "$blog" | tail -n 1 | tr -s ' ' || true)
	log "[$(grep -cE '^\s+CC' "$blog") files compiled]$last"
done
if ! wait "$pid"; then
	log "kernel build failed; last lines of $blog:"
	tail -n 20 "$blog" >&2
	exit 1
fi
touch "$out/.done"
log "done: $out/arch/x86/boot/bzImage"
echo "$out"
