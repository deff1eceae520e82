#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The project's KUnit suites, built as modules against this (debug) kernel,
# loaded one by one with no real chip registered; each suite's KTAP comes
# from debugfs and is read by the kernel's own kunit.py.  One check per
# case, as tests/kunit.sh prints them from UML; the detectors of the debug
# kernel (KASAN, lockdep, kmemleak) watch the fakes and the code alike.
# Checks: 100
SUITE=kunit
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
dir=$TPMTEST_MODDIR
kunitpy=$TPMTEST_KSRC/tools/testing/kunit/kunit.py
debugfs=/sys/kernel/debug/kunit

[ "$TPMTEST_DRIVER" = ours ] || { fail setup "KUnit tests our modules only"; exit 0; }
[ -d "$debugfs" ] || { fail setup "no $debugfs: a kernel without CONFIG_KUNIT_DEBUGFS"; exit 0; }
# One module per tests/*_kunit.c of this checkout; a source without its
# module is a failure, a module without its source (stale) is not loaded.
# The session's suite needs a kernel with CONFIG_TCG_TPM2_HMAC (6.12 here).
hmac=$(grep -c '^CONFIG_TCG_TPM2_HMAC=y' "$TPMTEST_KBUILD/.config")
mods=
for src in "$TPMTEST_REPO"/tests/*_kunit.c; do
	case $src:$hmac in *tpm_session_kunit.c:0) continue ;; esac
	ko=$dir/tests/$(basename "$src" .c).ko
	if [ -f "$ko" ]; then mods="$mods $ko"
	else fail "$(basename "$src" .c)" "not built: no $ko"; fi
done
[ -n "$mods" ] || { fail setup "no test modules in $dir/tests"; exit 0; }

# No real chip while the fakes run: the default chip is theirs.  The TIS
# core stays (tpm_tis_kunit uses it); ours tpm_crb is loaded for
# tpm_crb_kunit and must leave this boot's device alone if it is TIS.
[ -d /sys/module/tpm_tis ] && { rmmod tpm_tis || { fail setup "rmmod tpm_tis"; exit 0; }; }
[ -d /sys/module/tpm_crb ] && { rmmod tpm_crb || { fail setup "rmmod tpm_crb"; exit 0; }; }
load_mods tpm_tis_core tpm_crb || { fail setup "insmod tpm_tis_core tpm_crb"; exit 0; }
if [ -e /dev/tpm0 ]; then fail setup "/dev/tpm0 present while the fakes run"; exit 0; fi

# Each module's suites, as debugfs shows them (a KTAP document each), are
# joined into one document for kunit.py: its plan, then each suite's
# subtest numbered in turn.
all=/tmp/kunit.ktap
body=/tmp/kunit.body
: >"$body"
n=0
for ko in $mods; do
	name=$(basename "$ko" .ko)
	before=" $(ls "$debugfs" | tr '\n' ' ') "
	t0=$SECONDS
	if ! insmod "$ko"; then fail "$name" "insmod failed"; continue; fi
	echo "guest:   $name: $((SECONDS - t0)) s"
	new=
	for d in $(ls "$debugfs"); do
		case $before in *" $d "*) ;; *) new="$new $d" ;; esac
	done
	[ -n "$new" ] || fail "$name" "registered no suite"
	for s in $new; do
		n=$((n + 1))
		# Drop the document's own header; renumber its last line.
		sed -e '1,2d' -e "\$s/^\(not ok\|ok\) 1 /\1 $n /" \
			"$debugfs/$s/results" >>"$body"
		awk -v s="$s" '
		     /^    ok [0-9]+ / { print "TEST-PASS: kunit/" s "/" $3 }
		     /^    not ok [0-9]+ / { print "TEST-FAIL: kunit/" s "/" $4 ": see the KTAP below" }' \
			"$debugfs/$s/results"
	done
	rmmod "$name" || fail "$name" "rmmod failed"
done
rmmod tpm_crb 2>/dev/null
printf 'KTAP version 1\n1..%d\n' "$n" | cat - "$body" >"$all"
grep -q '^    not ok ' "$all" && sed 's/^/guest:   /' "$all"

# kunit.py's verdict on the whole (a crash midway leaves cases missing
# from a plan, which the per-case lines above cannot show).  It must have
# read the document without a complaint, and as many cases as there are
# case lines.
out=$(python3 "$kunitpy" parse "$all" 2>&1)
rc=$?
echo "$out" | sed -n '/=====/,$p' | sed 's/^/guest:   /'
ran=$(echo "$out" | sed -n 's/.*Testing complete\. Ran \([0-9]*\) tests.*/\1/p')
# kunit.py counts the leaves: a parameterised case's results (indented
# eight spaces, before the case's own line) instead of the case.
cases=$(awk '/^        (not )?ok [0-9]+ / { leaves++; nested = 1; next }
	     /^    (not )?ok [0-9]+ / { if (!nested) leaves++; nested = 0 }
	     END { print leaves + 0 }' "$all")
if [ $rc != 0 ] || [ $n = 0 ]; then
	fail kunit.py "exit $rc: $(echo "$out" | grep -E 'FAILED|CRASHED|ERROR|not ok' | head -n 3 | tr '\n' ' ')"
elif echo "$out" | grep -q '\[ERROR\]'; then
	fail kunit.py "$(echo "$out" | grep '\[ERROR\]' | head -n 3 | tr '\n' ' ')"
elif [ "$ran" != "$cases" ]; then
	fail kunit.py "kunit.py ran ${ran:-no} tests, the document has $cases case lines"
else
	pass "kunit.py ($n suites, $ran cases)"
fi
