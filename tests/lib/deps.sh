#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the build and the guest tests need, from Debian's archive.
# Does nothing when everything is there already.
set -euo pipefail

# The kernel sources: KVERS (a list), else KVER, else 6.12.
pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio kmod
      python3 qemu-system-x86 swtpm swtpm-tools libtpms0 tpm2-tools
      busybox-static rsync util-linux procps sparse
      tpm2-abrmd libtss2-tcti-tabrmd0 dbus tpm2-openssl systemd keyutils
      python3-docutils ovmf)
for series in ${KVERS:-${KVER:-6.12}}; do
	pkgs+=("linux-source-$series")
done

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	"${missing[@]}" >&2
