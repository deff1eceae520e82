#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hot-unplug stress (tests/stress/tpm-stress.c): vtpm churn with servers
# killed or closing, then TIS unbind/bind, with clients hammering the
# device throughout.  TPMTEST_STRESS_CYCLES sets the vtpm cycles,
# TPMTEST_STRESS_TIS_CYCLES the unbind/bind ones (tpm-tis or tpm-crb).
# Checks: 2
SUITE=stress
. "$TPMTEST_REPO/tests/guest/lib.sh"
stress=$TPMTEST_TOOLS/tpm-stress
vcycles=${TPMTEST_STRESS_CYCLES:-200}
tcycles=${TPMTEST_STRESS_TIS_CYCLES:-20}

# run_stress <label> <args...>: print the figures, pass on exit 0
run_stress() {
	local label=$1 out rc
	shift
	out=$(timeout "${TPMTEST_SUITE_TIMEOUT:-600}" "$stress" "$@" 2>&1)
	rc=$?
	echo "$out" | sed "s/^/guest:   $label: /"
	echo "$out" >>/tmp/stress-figures
	if [ $rc = 0 ]; then pass "$label ($(echo "$out" | grep -o '[0-9]* cycles' | head -n 1))"
	else fail "$label" "exit $rc: $(echo "$out" | grep -v '^\(mode\|outcomes\|worst\)' | head -n 3 | tr '\n' ' ')"; fi
}

dev=$(bus_device)
if [ -n "$dev" ]; then
	run_stress "$BUS_DRIVER-unbind-bind" bus -n "$tcycles" -c 4 -d "$dev" -D "$BUS_DIR"
else
	fail "$BUS_DRIVER-unbind-bind" "no device bound in $BUS_DIR"
fi

unload_backend
load_vtpm && wait_for_dev /dev/vtpmx || { fail setup "no /dev/vtpmx"; exit 0; }
run_stress vtpm-churn vtpm -n "$vcycles" -c 4
