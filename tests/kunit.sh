#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make kunit`: run the KUnit suites with kunit.py on a UML kernel.
#
#   tests/kunit.sh [kunit.py run options, e.g. a suite glob: 'tpm_tis_core']
#
# The project is linked into a kernel tree of its own (extracted from
# Debian's linux-source, cached) as drivers/char/tpm_oot, and kunit.py
# builds and runs it with tests/.kunitconfig.  Prints the KTAP lines and
# kunit.py's summary, then "kunit: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=${KVER:-6.12}
cache=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}
tree=$cache/kunit-src-$series
tarball=/usr/src/linux-source-$series.tar.xz

"$top/tests/lib/deps.sh" || exit 1
if [ ! -f "$tree/.extracted" ]; then
	echo "kunit: extracting $tarball into $tree" >&2
	rm -rf "$tree" "$cache/kunit-tmp"
	mkdir -p "$cache/kunit-tmp"
	tar -C "$cache/kunit-tmp" -xf "$tarball" || exit 1
	mv "$cache/kunit-tmp/linux-source-$series" "$tree"
	rmdir "$cache/kunit-tmp"
	touch "$tree/.extracted"
fi
ln -sfn "$top" "$tree/drivers/char/tpm_oot"
grep -q tpm_oot "$tree/drivers/char/Kconfig" ||
	sed -i '$ i source "drivers/char/tpm_oot/Kconfig"' "$tree/drivers/char/Kconfig"
grep -q tpm_oot "$tree/drivers/char/Makefile" ||
	echo 'obj-y += tpm_oot/' >>"$tree/drivers/char/Makefile"

out=$cache/kunit-check-$series.log
cd "$tree" || exit 1
extra=()
[ -f "$top/tests/kernel/kunit-series-$series.config" ] &&
	extra=(--kunitconfig="$top/tests/kernel/kunit-series-$series.config")
python3 tools/testing/kunit/kunit.py run --build_dir="$cache/kunit-build-$series" \
	--kunitconfig="$top/tests/.kunitconfig" "${extra[@]}" --raw_output=all \
	"$@" >"$out" 2>&1
rc=$?
# KTAP lines for the reader, then the summary kunit.py prints.
python3 tools/testing/kunit/kunit.py parse "$out" 2>&1 | tail -n +1 |
	sed -n '/=====/,$p' | tail -n 60
# One TEST- line per case, named suite/case, like the guest suites: the
# suites' lines are indented four spaces, a parameterised case's own
# results (one per parameter) eight, and summed up in the case's line.
awk '/^    # Subtest: / { suite = $3 }
     /^    ok [0-9]+ / { print "TEST-PASS: kunit/" suite "/" $3 }
     /^    not ok [0-9]+ / { print "TEST-FAIL: kunit/" suite "/" $4 }' "$out"
passed=$(grep -cE '^    ok [0-9]+ ' "$out")
failed=$(grep -cE '^    not ok [0-9]+ ' "$out")
# A sanitizer or lockdep report fails the run even if every case passed.
# Only what the kernel says once the tests start counts: UML's own boot
# (virt-pci without a device) warns before that on every run.
reports='BUG:|WARNING:|KASAN|possible circular locking|possible recursive locking|'
reports+='inconsistent lock state|suspicious RCU usage|sleeping function called'
if sed -n '/KTAP version/,$p' "$out" | grep -Eq "$reports"; then
	echo "TEST-FAIL: kunit/kernel-reports: see $out"
	sed -n '/KTAP version/,$p' "$out" | grep -En -A10 "$reports" | head -n 40
	failed=$((failed + 1))
else
	echo "TEST-PASS: kunit/kernel-reports: none"
fi
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
	echo "TEST-FAIL: kunit/run: kunit.py failed (exit $rc); see $out"
	failed=1
fi
echo "kunit: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
