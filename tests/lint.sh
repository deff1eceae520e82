#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks on the kernel sources: checkpatch --strict, kernel-doc
# -Wall (kbuild skips it for external modules), and a sparse (C=2) W=1
# build.  Prints TEST- lines like the guest suites.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=${KVER:-6.12}
kbuild=$("$top/tests/lib/guest-kernel.sh" debug "$series") || exit 1
ksrc=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}/linux-source-$series
cd "$top" || exit 1
# Kernel sources only: the user-space test tools are not kernel code.
mapfile -t files < <(git ls-files -- ':(glob)*.c' ':(glob)include/*.h' ':(glob)tests/*.c' ':(glob)tests/*.h' 2>/dev/null
		     ls ./*.c include/*.h tests/*.c tests/*.h 2>/dev/null)
mapfile -t files < <(printf '%s\n' "${files[@]}" | sed 's|^\./||' | grep -v '\.mod\.c$' | sort -u)

cp=(perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse -q -f)
# The compatibility header is the one place allowed to test versions.
compat=include/tpm-compat.h
out=$("${cp[@]}" $(printf '%s\n' "${files[@]}" | grep -vx "$compat") 2>&1
      "${cp[@]}" --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_WITH_FLOW_CONTROL,EXPORT_SYMBOL,MACRO_ARG_UNUSED "$compat" 2>&1)
out=$(echo "$out" | grep -v "^total: 0 errors, 0 warnings, 0 checks" | grep -v "^$")
if [ -z "$out" ]; then echo "TEST-PASS: lint/checkpatch"
else echo "$out" | head -n 20; echo "TEST-FAIL: lint/checkpatch: $(echo "$out" | wc -l) findings"; fi

cfiles=()
for f in "${files[@]}"; do [[ $f == *.c ]] && cfiles+=("$f"); done
out=$(perl "$ksrc/scripts/kernel-doc" -none -Wall "${cfiles[@]}" 2>&1)
if [ -z "$out" ]; then echo "TEST-PASS: lint/kernel-doc"
else echo "$out" | head -n 20; echo "TEST-FAIL: lint/kernel-doc: $(echo "$out" | wc -l) findings"; fi

sdir=$kbuild/tpm-oot-sparse-$(echo "$top" | sha256sum | cut -c1-12)
rm -rf "$sdir"; mkdir -p "$sdir"
cp -a Kbuild ./*.c include "$sdir"/
mkdir -p "$sdir/tests" && cp -a tests/*.c tests/*.h "$sdir/tests/"
# A missing sparse, or a build that fails, is a failure, not silence.
if ! command -v sparse >/dev/null; then
	echo "TEST-FAIL: lint/sparse-W1: sparse is not installed (tests/lib/deps.sh installs it)"
else
	all=$(make -C "$kbuild" M="$sdir" C=2 W=1 modules 2>&1)
	rc=$?
	out=$(echo "$all" | grep -E 'warning|error')
	if [ $rc = 0 ] && [ -z "$out" ]; then echo "TEST-PASS: lint/sparse-W1"
	else
		echo "${out:-$(echo "$all" | tail -n 5)}" | head -n 20
		echo "TEST-FAIL: lint/sparse-W1: make exited with $rc, $(echo -n "$out" | grep -c .) findings"
	fi
fi

# The reference pages parse as reStructuredText, with no warning.
if ! /usr/bin/python3 -c 'import docutils' 2>/dev/null; then
	echo "TEST-FAIL: lint/rst: docutils is not installed (tests/lib/deps.sh installs python3-docutils)"
elif out=$(/usr/bin/python3 "$top/tests/lib/rstcheck.py" Documentation/*.rst 2>&1); then
	echo "TEST-PASS: lint/rst"
else
	echo "$out" | head -n 20; echo "TEST-FAIL: lint/rst: $(echo "$out" | grep -c .) findings"
fi

# The core's files call downwards only, in Kbuild's order (see include/tpm.h).
out=$(python3 "$top/tests/lib/layering.py" Kbuild "$sdir" 2>&1)
if [ $? = 0 ]; then echo "TEST-PASS: lint/layering"
else echo "$out" | head -n 20; echo "TEST-FAIL: lint/layering: $(echo "$out" | grep -c 'calls up')"; fi

# Every guest suite declares how many checks it reports at least, and the
# harness (tests/lib/results.sh) fails a boot where one reports fewer: a
# suite that reports one check of the two it declares fails, one that
# reports both passes.
missing=$(grep -L '^# Checks: [1-9][0-9]*' tests/guest/suite-*.sh)
tmp=$(mktemp -d)
printf '#!/bin/bash\n# Checks: 2\n' >"$tmp/suite-probe.sh"
printf 'guest: suite probe\nTEST-PASS: probe/one\nguest: done\n' >"$tmp/short.log"
printf 'guest: suite probe\nTEST-PASS: probe/one\nTEST-FAIL: probe/two: x\nguest: done\n' >"$tmp/whole.log"
short=$(TPMTEST_SUITES_DIR=$tmp "$top/tests/lib/results.sh" "$tmp/short.log" probe)
whole=$(TPMTEST_SUITES_DIR=$tmp "$top/tests/lib/results.sh" "$tmp/whole.log" probe)
# ... and finds a kernel report wherever it is in the console: one early
# in a long log (a reader that stops at the first match fails the pipe
# under pipefail, which read as no report), while OVMF's Physical
# Presence prompt between two boots is not one.
{ echo 'WARNING: CPU: 0 PID: 1 at probe.c:1 probe'
  head -c 1000000 /dev/zero | tr '\0' a | fold -w 80; echo
  echo 'guest: done'; } >"$tmp/report.log"
{ echo 'WARNING: Clearing erases information stored on the TPM. You will lose all created keys'
  echo 'TEST-PASS: probe/one'; echo 'guest: done'; } >"$tmp/prompt.log"
report=$(TPMTEST_SUITES_DIR=$tmp "$top/tests/lib/results.sh" "$tmp/report.log" probe)
prompt=$(TPMTEST_SUITES_DIR=$tmp "$top/tests/lib/results.sh" "$tmp/prompt.log" probe)
rm -rf "$tmp"
if echo "$report" | grep -q '^TEST-FAIL: probe/kernel-reports' &&
   echo "$prompt" | grep -q '^TEST-PASS: probe/kernel-reports'; then
	echo "TEST-PASS: lint/results-reports"
else
	echo "TEST-FAIL: lint/results-reports: a report early in a long log: $(echo "$report" | grep kernel-reports); OVMF's prompt: $(echo "$prompt" | grep kernel-reports)"
fi
if [ -n "$missing" ]; then
	echo "TEST-FAIL: lint/suite-counts: no '# Checks: N' in $(echo "$missing" | tr '\n' ' ')"
elif ! echo "$short" | grep -q '^TEST-FAIL: probe/probe-count: the suite reported 1 checks of the 2'; then
	echo "TEST-FAIL: lint/suite-counts: a suite short of its checks passed: $short"
elif echo "$whole" | grep '^TEST-FAIL' | grep -q count; then
	echo "TEST-FAIL: lint/suite-counts: a whole suite failed its count: $whole"
else
	echo "TEST-PASS: lint/suite-counts"
fi
