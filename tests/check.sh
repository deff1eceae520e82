#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the tests, sized for the project's budget (under 60
# minutes on a fresh 2-core machine, kernel builds included).  Static
# checks, then on Linux 6.12 the guest suites on the debug kernel with our
# modules (the KUnit suites among them, loaded as modules), on tpm-tis, on
# tpm-crb and with a TPM 1.2, and a baseline of upstream's modules in the
# same kernel; then the same source on Linux 6.1.  Ends with "N passed, N
# failed"; exits 0 only if everything passed.
#
#   CHECK_FULL=1                    everything: every suite in every boot,
#                                   upstream's whole baseline (tpm-tis,
#                                   TPM 1.2, tpm-crb), long fuzz and churn
#   CHECK_DRIVERS="ours upstream"   which module sets to run on 6.12 (6.1
#                                   runs ours)
#   CHECK_KVERS="6.12 6.1"          which kernels to test (default both)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Every kernel's source, now: 6.1's builds in the background while the
# 6.12 boots run, where it could not install its package itself.
KVERS="${CHECK_KVERS:-6.12 6.1}" "$top/tests/lib/deps.sh" || exit 1

logdir=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}/check
mkdir -p "$logdir"
all=$logdir/all.log
: >"$all"

# took: the time since make check began, as "M min S s".
took() {
	echo "$((SECONDS / 60)) min $((SECONDS % 60)) s"
}

# step <name> <command...>: run a step; its TEST- lines are counted, and
# a step that fails without saying why (no TEST-FAIL line of its own)
# counts as one more failure; one that said why is not counted twice.
step() {
	local name=$1 rc out=$logdir/step.log
	shift
	echo "== $name (at $(took))"
	"$@" 2>&1 | tee "$out" | grep --line-buffered -E '^(TEST-|guest: suite|guest-kernel:|modules:|deps:|kunit:|[a-z/]+: [0-9]+ passed)'
	rc=${PIPESTATUS[0]}
	cat "$out" >>"$all"
	if [ "$rc" != 0 ] && ! grep -q '^TEST-FAIL:' "$out"; then
		echo "TEST-FAIL: step/$name: exited with $rc" | tee -a "$all"
	fi
}

# prebuild <series>: that series' debug kernel builds in the background at
# the lowest priority while the 6.12 boots run (they keep the CPUs; it
# takes what they leave while they sleep and wait on swtpm); its steps
# wait for it first (await_prebuild).  A cached kernel returns at once.
prebuild_pid=
prebuild() {
	nice -n 19 "$top/tests/lib/guest-kernel.sh" debug "$1" \
		>"$logdir/kernel-$1.log" 2>&1 </dev/null &
	prebuild_pid=$!
}

await_prebuild() {
	local rc
	[ -n "$prebuild_pid" ] || return 0
	echo "== kernel $1, built beside the 6.12 boots (at $(took))"
	wait "$prebuild_pid"
	rc=$?
	prebuild_pid=
	grep '^guest-kernel: \(building\|done\)' "$logdir/kernel-$1.log"
	[ "$rc" = 0 ] ||
		echo "TEST-FAIL: step/kernel $1: its build failed; see $logdir/kernel-$1.log" | tee -a "$all"
}

full=${CHECK_FULL:-0}
if [ -n "${CHECK_CRB:-}" ]; then
	echo "check: CHECK_CRB is gone; CHECK_FULL=1 runs every CRB suite" >&2
	exit 2
fi
drivers=" ${CHECK_DRIVERS:-ours upstream} "
want() { case $drivers in *" $1 "*) return 0 ;; esac; return 1; }
# boot <ours|upstream> <label> <guest.sh options and suites...>: one boot
boot() {
	local driver=$1 label=$2
	shift 2
	step "$label, $driver, $KVER debug kernel" \
		"$top/tests/guest.sh" --kernel debug --driver "$driver" "$@"
}

# Sizes of the long runs: make check's, or the full ones (the suites' own
# defaults) with CHECK_FULL=1.  Figures for both are in Documentation/testing.rst.
# make check also leaves to CHECK_FULL=1 the selftests and tpm2-tools
# through the vtpm proxy (the smoke and rm suites run them on tpm-tis),
# and runs fewer module cycles and tpm2-tools loops.
# A new fuzz seed each run (FUZZ_SEED= to replay one); the suite prints it.
fuzz_seed=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "check: fuzz seed $fuzz_seed (FUZZ_SEED=$fuzz_seed make check replays it)"
sizes=(--env TPMTEST_FUZZ_SEED="$fuzz_seed")
[ "$full" = 1 ] || sizes+=(--env TPMTEST_FUZZ_OPS=5000 --env TPMTEST_FUZZ_CYCLES=40
	--env TPMTEST_STRESS_CYCLES=60 --env TPMTEST_STRESS_TIS_CYCLES=8
	--env TPMTEST_VTPM_CLIENTS=0 --env TPMTEST_MODCYCLES=2
	--env TPMTEST_RM_LOOPS=2)

# suspend ends its boot (the 9p root does not survive it), so it is last.
# kunit first: it needs the boot's device free of chips.  kernel next: it
# replays the firmware's event log against PCRs 0-7, and the kernel's
# SmokeTest extends PCR 1.
suites=(kunit kernel tools smoke rm cdev unbind modcycle vtpm tpm12)
# make check's share of them on 6.12 (tools: tpm2-tools through /dev/tpm0,
# with CHECK_FULL=1; the rm suite runs tpm2-tools through /dev/tpmrm0).
fast=(kunit kernel smoke rm cdev unbind modcycle vtpm tpm12)
# selfcheck (the harness's own end-of-boot check on itself, a second) goes
# first in ours' big boot on 6.12.
for kver in ${CHECK_KVERS:-6.12 6.1}; do
	export KVER=$kver
	if [ "$kver" = 6.12 ]; then
		step lint "$top/tests/lint.sh"
		case " ${CHECK_KVERS:-6.12 6.1} " in *" 6.1 "*) prebuild 6.1 ;; esac
		step "compat, $kver" "$top/tests/lib/compat-check.sh" "$kver"
		# The same KUnit suites under kunit.py on UML (make kunit).
		[ "$full" = 1 ] && step "kunit (UML), $kver" "$top/tests/kunit.sh"
		# The excl, stress, fuzz and tss suites run against ours only
		# (upstream has no exclusive open);
		# upstream's outcomes under unplug and hostile input are
		# measured by hand for comparison (see Documentation/stress.rst and fuzzing.rst), not asserted.
		if want ours; then
			# gap (about 5 minutes) and tss (real TSS clients,
			# 1.5 minutes) with CHECK_FULL=1 only.
			big=("${fast[@]}" install excl session stress fuzz suspend)
			[ "$full" = 1 ] && big=("${suites[@]}" install excl session gap stress fuzz tss suspend)
			boot ours "guest suites" "${sizes[@]}" selfcheck "${big[@]}"
			# tpm-crb: the suites about the device, with the
			# device described as other firmware does (two
			# regions, the buffer's cut short; crblayout runs
			# upstream's modules beside ours).  With CHECK_FULL=1
			# also QEMU's own description, and a buffer outside
			# every region.
			boot ours "tpm-crb, split regions" --iface crb --acpi split-trim \
				"${sizes[@]}" smoke unbind crblayout
			if [ "$full" = 1 ]; then
				boot ours "tpm-crb" --iface crb "${sizes[@]}" \
					tools smoke rm cdev unbind modcycle fuzz stress suspend
				boot ours "tpm-crb, buffer outside" --iface crb --acpi outside crblayout
			fi
			# ppi with a TPM 1.2 under SeaBIOS (about 2 minutes):
			# CHECK_FULL=1 only.
			ppi12=()
			[ "$full" = 1 ] && ppi12=(ppi)
			boot ours "TPM 1.2 on tpm-tis" --tpm 1.2 --provision tis12 kernel "${ppi12[@]}" suspend
			# UEFI: the event log the EFI stub hands over, and the
			# PPI OVMF implements, ours and then upstream's modules
			# in the same boot.  With CHECK_FULL=1 the same on
			# tpm-crb, then a TPM clear requested through ours,
			# which OVMF carries out as the guest reboots (ppiclear:
			# two more OVMF boots and a kernel boot, 4.5 minutes of
			# make check's 60).
			boot ours "OVMF, tpm-tis" --firmware ovmf eventlog ppi
			[ "$full" = 1 ] &&
				boot ours "OVMF, tpm-crb" --firmware ovmf --iface crb eventlog ppi ppiclear
		fi
		want upstream || continue
		if [ "$full" != 1 ]; then
			# The baseline: the kernel's users, unbind with files
			# open (the selftests and cdev with CHECK_FULL=1).
			boot upstream "guest suites" kernel unbind
			continue
		fi
		# Upstream's whole baseline.  Not kunit (ours only); not
		# kernel with TPM 1.2: upstream's own TPM 1.2 trusted keys WARN
		# in its tpm_buf_reset() on this kernel (see Documentation/testing.rst).  Not
		# suspend on tpm-crb: it reads /dev/hwrng, and upstream's
		# tpm_crb registers none on an AMD CPU (QEMU's TCG CPU is one).
		boot upstream "guest suites" "${suites[@]:1}" suspend
		boot upstream "TPM 1.2 on tpm-tis" --tpm 1.2 --provision tis12 suspend
		boot upstream "tpm-crb" --iface crb tools smoke rm cdev unbind modcycle
		continue
	fi
	# Another kernel: the same source, our modules.  tools (tpm2-tools
	# through /dev/tpm0) and the tss programs run on 6.12 only: nothing
	# in their path differs between the kernels.
	await_prebuild "$kver"
	step "compat, $kver" "$top/tests/lib/compat-check.sh" "$kver"
	# ppi: the files beside 6.1's upstream (SeaBIOS: no operation).
	older=(kunit kernel smoke cdev unbind ppi)
	if [ "$full" = 1 ]; then
		older=()
		for s in "${suites[@]}"; do [ "$s" = tools ] || older+=("$s"); done
		older+=(excl stress install ppi)
		step "kunit (UML), $kver" "$top/tests/kunit.sh"
	fi
	boot ours "guest suites" "${sizes[@]}" "${older[@]}" suspend
	# UEFI and CRB as other firmware describes it, in one boot: the
	# EFI stub's event log and the split regions, beside upstream's.
	boot ours "OVMF, tpm-crb, split regions" --firmware ovmf --iface crb \
		--acpi split-trim eventlog crblayout
	[ "$full" = 1 ] || continue
	boot ours "TPM 1.2 on tpm-tis" --tpm 1.2 --provision tis12 kernel suspend
	boot ours "tpm-crb" --iface crb smoke unbind modcycle suspend
	boot ours "OVMF, tpm-tis" --firmware ovmf ppi ppiclear
done

passed=$(grep -c '^TEST-PASS:' "$all")
failed=$(grep -c '^TEST-FAIL:' "$all")
if [ "$failed" != 0 ]; then
	echo "failures:"
	grep '^TEST-FAIL:' "$all"
fi
echo "log: $all"
echo "check: took $(took)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
