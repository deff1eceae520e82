#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unload and load the modules several times; the TPM answers each time.
SUITE=modcycle
. "$TPMTEST_REPO/tests/guest/lib.sh"
cycles=${TPMTEST_MODCYCLES:-5}
ok=0
for i in $(seq "$cycles"); do
	if ! unload_driver; then fail "cycle-$i" "rmmod failed"; break; fi
	if [ -e /dev/tpm0 ]; then fail "cycle-$i" "/dev/tpm0 still there after rmmod"; break; fi
	if ! load_driver; then fail "cycle-$i" "reload failed"; break; fi
	if ! tpm2_getrandom 8 --hex >/dev/null 2>&1; then fail "cycle-$i" "getrandom failed"; break; fi
	ok=$((ok + 1))
done
[ "$ok" = "$cycles" ] && pass "$cycles-cycles"
# rmmod of the core while /dev/tpm0 is open must be refused, not crash.
exec 3<>/dev/tpm0
if rmmod tpm 2>/dev/null; then fail rmmod-core-while-open "rmmod tpm succeeded with /dev/tpm0 open"
else pass rmmod-core-while-open; fi
exec 3>&-
