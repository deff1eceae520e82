#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# compat-check.sh [series]: build this tree against the debug guest
# kernel's headers (KVER, default 6.12) as an older point release of its series
# had them, so that include/tpm-compat.h is known to cover the stable
# series and not only its newest release.  The headers are shadowed, not
# copied: an edited <linux/tpm.h> and <linux/version.h> in a directory put
# before the kernel's own include paths.  Each revert must apply, the
# build must have read the shadowed headers, and it must be clean (W=1).
# Prints TEST- lines.
#
#   6.12.63: before "tpm: Cap the number of PCR banks" (6.12.64) and the
#            int tpm_buf_append_name() (6.12.66)
#   6.1.45:  before the PCR banks cap (6.1.160), the AMD fTPM hwrng flag
#            (6.1.46) and <kunit/visibility.h> (6.1.63)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$("$top/tests/lib/guest-kernel.sh" debug "${1:-${KVER:-6.12}}") || exit 1
ksrc=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}/linux-source-${1:-${KVER:-6.12}}
version=$(make -s -C "$kdir" kernelversion 2>/dev/null)
case $version in
6.12.*) old=63 ;;
6.1.*) old=45 ;;
*) echo "TEST-FAIL: compat/series: no older release known for $version"; exit 1 ;;
esac
series=${version%.*}
name=compat/$series.$old

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh=$work/shadow/linux
mkdir -p "$sh" "$work/src/tests"
cp "$ksrc/include/linux/tpm.h" "$sh/tpm.h"
# The PCR banks: a pointer, TPM_MAX_DIGEST_SIZE, no TPM2_MAX_PCR_BANKS.
sed -i -e 's/^#define TPM2_MAX_DIGEST_SIZE\tSHA512_DIGEST_SIZE$/#define TPM_MAX_DIGEST_SIZE SHA512_DIGEST_SIZE/' \
	-e '/^#define TPM2_MAX_PCR_BANKS\t/d' \
	-e 's/u8 digest\[TPM2_MAX_DIGEST_SIZE\];/u8 digest[TPM_MAX_DIGEST_SIZE];/' \
	-e 's/struct tpm_bank_info allocated_banks\[TPM2_MAX_PCR_BANKS\];/struct tpm_bank_info *allocated_banks;/' \
	"$sh/tpm.h"
reverted=0
grep -q 'struct tpm_bank_info \*allocated_banks;' "$sh/tpm.h" &&
	! grep -q TPM2_MAX_PCR_BANKS "$sh/tpm.h" && reverted=1
if [ "$series" = 6.12 ]; then
	perl -0pi -e 's/int tpm_buf_append_name\(struct tpm_chip \*chip, struct tpm_buf \*buf,\n\t\t\tu32 handle, u8 \*name\);/void tpm_buf_append_name(struct tpm_chip *chip, struct tpm_buf *buf,\n\t\t\t u32 handle, u8 *name);/' "$sh/tpm.h"
	grep -q '^void tpm_buf_append_name' "$sh/tpm.h" || reverted=0
else
	sed -i '/TPM_CHIP_FLAG_HWRNG_DISABLED/d' "$sh/tpm.h"
	# 6.1.45 has no <kunit/visibility.h>: an include of it must fail.
	mkdir -p "$work/shadow/kunit"
	echo '#error "<kunit/visibility.h> came in 6.1.63"' >"$work/shadow/kunit/visibility.h"
fi
code=$(( (6 << 16) + (${series#6.} << 8) + old ))
sed -e "s/^#define LINUX_VERSION_CODE .*/#define LINUX_VERSION_CODE $code/" \
	-e "s/^#define LINUX_VERSION_SUBLEVEL .*/#define LINUX_VERSION_SUBLEVEL $old/" \
	"$kdir/include/generated/uapi/linux/version.h" >"$sh/version.h"
grep -q "LINUX_VERSION_CODE $code\$" "$sh/version.h" || reverted=0
if [ "$reverted" != 1 ]; then
	echo "TEST-FAIL: $name: the header reverts did not apply to $ksrc/include/linux/tpm.h"
	exit 1
fi

cp -a "$top"/Kbuild "$top"/*.c "$top"/include "$work/src/"
cp -a "$top"/tests/*.c "$top"/tests/*.h "$work/src/tests/"
out=$(make -C "$kdir" M="$work/src" W=1 NOSTDINC_FLAGS="-nostdinc -I$work/shadow" \
	KBUILD_MODPOST_NOFINAL=1 modules 2>&1)
rc=$?
found=$(echo "$out" | grep -E 'warning:|error:')
if [ $rc != 0 ] || [ -n "$found" ]; then
	echo "${found:-$(echo "$out" | tail -n 10)}" | head -n 20
	echo "TEST-FAIL: $name: the build against $series.$old's headers failed (make exited with $rc)"
	exit 1
fi
# The shadowed headers were the ones read.
if ! grep -q "$work/shadow/linux/tpm.h" "$work/src/.tpm-chip.o.cmd" ||
   ! grep -q "$work/shadow/linux/version.h" "$work/src/.tpm-chip.o.cmd"; then
	echo "TEST-FAIL: $name: the build did not read the shadowed headers"
	exit 1
fi
echo "TEST-PASS: $name: builds clean against $series.$old's <linux/tpm.h>"
