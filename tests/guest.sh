#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test guest (QEMU, TCG) with swtpm behind tpm-tis and run guest
# suites in it, or give an interactive shell.
#
#   tests/guest.sh [--kernel debug|plain] [--driver ours|upstream]
#                  [--tpm 2.0|1.2] [--iface tis|crb] [--provision]
#                  [--firmware seabios|ovmf] [--acpi <layout>]
#                  [--cpu <model>] [--env NAME=VALUE]... [--shell] [suite...]
#
# Suites are tests/guest/suite-<name>.sh.  --tpm 1.2 puts a TPM 1.2 swtpm
# behind tpm-tis instead of the TPM 2.0 one; --iface crb puts the TPM 2.0
# behind tpm-crb (the CRB interface) instead of tpm-tis; --provision gives
# it an EK (and a TPM 1.2 an owner) with swtpm_setup first; --firmware
# ovmf boots through UEFI (OVMF, which measures the boot and hands the
# kernel's EFI stub its TCG2 log) instead of SeaBIOS; --acpi gives the
# guest kernel a DSDT that describes tpm-crb as other firmware does
# (tests/lib/acpi-tables.py: split-trim, outside), through an initrd the
# kernel takes ACPI tables from; --cpu picks QEMU's CPU model (qemu64,
# QEMU's own, unless told; "max" has the SSSE3, AVX2 and BMI2 that the
# kernel's SHA-256 can use, which qemu64 lacks).  Prints each check's result and
# ends with "N passed, N failed"; a kernel report (KASAN, lockdep, WARNING,
# BUG, hung task, kmemleak) in the guest's log counts as a failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=debug
driver=ours
family=2.0
mode=suites
iface=tis
provision=0
firmware=seabios
acpi=
cpu=qemu64
suites=()
extra_env=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) flavour=$2; shift 2 ;;
	--driver) driver=$2; shift 2 ;;
	--tpm) family=$2; shift 2 ;;
	--shell) mode=shell; shift ;;
	--provision) provision=1; shift ;;
	--iface) iface=$2; shift 2 ;;
	--firmware) firmware=$2; shift 2 ;;
	--acpi) acpi=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--env) extra_env+=("$2"); shift 2 ;;
	-h|--help) sed -n '3,24p' "$0"; exit 0 ;;
	*) suites+=("$1"); shift ;;
	esac
done
[ ${#suites[@]} -gt 0 ] || suites=(tools smoke rm cdev unbind modcycle vtpm tpm12 stress)
case $driver in ours|upstream) ;; *) echo "--driver ours|upstream" >&2; exit 2 ;; esac
case $family in 2.0) tpm2=(--tpm2) ;; 1.2) tpm2=() ;; *) echo "--tpm 2.0|1.2" >&2; exit 2 ;; esac
case $iface in tis|crb) ;; *) echo "--iface tis|crb" >&2; exit 2 ;; esac
[ "$iface:$family" = crb:1.2 ] && { echo "tpm-crb is TPM 2.0 only" >&2; exit 2; }
case $firmware in
seabios) bios=() ;;
ovmf) bios=(-bios /usr/share/ovmf/OVMF.fd) ;;
*) echo "--firmware seabios|ovmf" >&2; exit 2 ;;
esac

cache=${TPM_OOT_CACHE:-$HOME/.cache/tpm-oot}
series=${KVER:-6.12}
"$top/tests/lib/deps.sh"
kbuild=$("$top/tests/lib/guest-kernel.sh" "$flavour" "$series")
moddir=$("$top/tests/lib/modules.sh" "$kbuild")
tools=$("$top/tests/lib/tools.sh")

run=$(mktemp -d "$cache/runs/run-XXXXXX" 2>/dev/null) || {
	mkdir -p "$cache/runs"; run=$(mktemp -d "$cache/runs/run-XXXXXX"); }
log=$run/console.log
cat >"$run/env" <<ENV
TPMTEST_REPO=$top
TPMTEST_KBUILD=$kbuild
TPMTEST_KSRC=$cache/linux-source-$series
TPMTEST_MODDIR=$moddir
TPMTEST_DRIVER=$driver
TPMTEST_FLAVOUR=$flavour
TPMTEST_MODE=$mode
TPMTEST_SUITES="${suites[*]}"
TPMTEST_TOOLS=$tools
TPMTEST_TPM=$family
TPMTEST_IFACE=$iface
TPMTEST_FIRMWARE=$firmware
TPMTEST_ACPI=$acpi
ENV
for e in "${extra_env[@]}"; do
	case $e in TPMTEST_*=*) printf '%s=%q\n' "${e%%=*}" "${e#*=}" >>"$run/env" ;;
	*) echo "--env takes TPMTEST_NAME=VALUE, not '$e'" >&2; exit 2 ;; esac
done

# The install suite: the kernel's own modules, then ours installed as a
# user installs them (make install: updates/, depmod), in a module tree of
# the run's that the suite puts over the guest's /lib/modules.
if [[ " ${suites[*]} " == *" install "* ]]; then
	rsync -a --include='/Makefile' --include='/Kbuild' --include='/*.c' \
		--include='/include/***' --exclude='*' "$top/" "$run/src/"
	{ make -C "$kbuild" INSTALL_MOD_PATH="$run/modroot" modules_install &&
	  make -C "$run/src" -j"$(nproc)" KDIR="$kbuild" \
		INSTALL_MOD_PATH="$run/modroot" install; } >"$run/install.log" 2>&1 ||
		{ echo "make install failed; see $run/install.log" >&2; exit 1; }
fi

# A suite that runs again after the guest reboots through its firmware
# ("# Reboots: yes" in its header): the run gets a writable share that
# outlives a boot (the guest's /run/state), QEMU resets instead of exiting
# on a reboot, and tests/lib/fwkeys.py answers the firmware's prompts
# (TPM_OOT_FW_KEY, f12 by default: OVMF's key to confirm a PPI request).
reboot=0
for name in "${suites[@]}"; do
	grep -qx '# Reboots: yes' "$top/tests/guest/suite-$name.sh" 2>/dev/null && reboot=1
done
if [ "$reboot" = 1 ]; then
	case " ${suites[*]} " in *" suspend "*)
		echo "a suite that reboots the guest needs the 9p shares: not with suspend" >&2
		exit 2 ;;
	esac
	echo TPMTEST_REBOOT=1 >>"$run/env"
	mkdir -p "$run/state"
fi

initrd=()
if [ -n "$acpi" ]; then
	[ "$iface" = crb ] || { echo "--acpi describes tpm-crb: use --iface crb" >&2; exit 2; }
	# The test's DSDT has the TPM device and _S5 only: no PPI _DSM, no _S3.
	case " ${suites[*]} " in *" ppi "*|*" suspend "*)
		echo "--acpi replaces QEMU's DSDT (no PPI, no S3): not with ppi or suspend" >&2
		exit 2 ;;
	esac
	python3 "$top/tests/lib/acpi-tables.py" "$acpi" "$run/acpi.cpio" || exit 2
	initrd=(-initrd "$run/acpi.cpio")
fi

mkdir -p "$run/tpmstate"
# --provision: a TPM as a platform ships it.  A TPM 1.2 gets an EK and an
# owner, with the well-known owner and SRK secrets (what the kernel's
# trusted keys use by default); a TPM 2.0 gets its EK.
if [ "$provision" = 1 ]; then
	prov=(--createek)
	[ "$family" = 1.2 ] && prov=(--take-ownership --owner-well-known --srk-well-known)
	swtpm_setup "${tpm2[@]}" "${prov[@]}" --tpmstate "$run/tpmstate" \
		--overwrite >"$run/swtpm_setup.out" 2>&1 ||
		{ echo "swtpm_setup failed; see $run/swtpm_setup.out" >&2; exit 1; }
fi
swtpm socket "${tpm2[@]}" --tpmstate dir="$run/tpmstate" \
	--ctrl type=unixio,path="$run/swtpm.sock" --terminate \
	--log file="$run/swtpm.log",level=1 --flags not-need-init \
	>"$run/swtpm.out" 2>&1 &
swtpm_pid=$!
trap 'kill $swtpm_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -S "$run/swtpm.sock" ] && break; sleep 0.1; done
[ -S "$run/swtpm.sock" ] || { echo "swtpm did not start; see $run/swtpm.out" >&2; exit 1; }

qemu=(qemu-system-x86_64 -accel tcg -cpu "$cpu" -m 2048 -smp 2 -nographic "${bios[@]}"
	-kernel "$kbuild/arch/x86/boot/bzImage" "${initrd[@]}"
	-append "console=ttyS0 root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=$top/tests/guest/init.sh pci=noacpi panic=-1 loglevel=6 watchdog_thresh=30 rcupdate.rcu_cpu_stall_timeout=60 TPMTEST_RUN=$run"
	-fsdev local,id=rootfs,path=/,readonly=on,security_model=none,multidevs=remap
	-device virtio-9p-pci,fsdev=rootfs,mount_tag=root
	-chardev socket,id=chrtpm,path="$run/swtpm.sock"
	-tpmdev emulator,id=tpm0,chardev=chrtpm
	-device "tpm-$iface,tpmdev=tpm0")
if [ "$reboot" = 1 ]; then
	qemu+=(-fsdev "local,id=state,path=$run/state,security_model=none"
		-device virtio-9p-pci,fsdev=state,mount_tag=state
		-qmp "unix:$run/qmp.sock,server=on,wait=off")
else
	qemu+=(-no-reboot)
fi
# Extra QEMU arguments, e.g. to count register accesses:
# TPM_OOT_QEMU_ARGS="-trace tpm_tis_mmio_read -trace tpm_tis_mmio_write -D /tmp/t"
# shellcheck disable=SC2206
qemu+=(${TPM_OOT_QEMU_ARGS:-})

echo "guest: $flavour kernel, $driver modules, TPM $family on tpm-$iface, $firmware, CPU $cpu; console log: $log" >&2
if [ $mode = shell ]; then
	"${qemu[@]}"
	exit 0
fi

limit=${TPMTEST_TIMEOUT:-2400}
# A guest that said it is done but did not power off within a minute is
# stopped (and counted) instead of holding the run until the limit.
: >"$log"
# Its output goes nowhere: a sleep of it left behind must not hold the
# caller's pipe open (make check's step waited out its 60 s).
(
	until grep -q '^guest: done' "$log" 2>/dev/null; do sleep 2; done
	sleep 60
	if pkill -f "qemu-system-x86_64.*TPMTEST_RUN=$run "; then
		echo "TEST-FAIL: harness/guest-poweroff: the guest did not power off after it was done" >>"$log"
	fi
) >/dev/null 2>&1 &
watcher=$!
keys=
if [ "$reboot" = 1 ]; then
	python3 "$top/tests/lib/fwkeys.py" "$log" "$run/qmp.sock" "${TPM_OOT_FW_KEY:-f12}" \
		"$run/fwkeys.fail" >"$run/fwkeys.log" 2>&1 &
	keys=$!
fi
set +e
timeout "$limit" "${qemu[@]}" </dev/null 2>&1 | sed -u 's/\r$//' | tee -a "$log" |
	grep --line-buffered -E '^(TEST-|guest:)'
qrc=${PIPESTATUS[0]}
set -e
kill "$watcher" 2>/dev/null || true
# fwkeys.py still at its post, or gone of itself with its work done.
if [ -n "$keys" ]; then
	if kill "$keys" 2>/dev/null; then
		wait "$keys" 2>/dev/null || true
	elif ! wait "$keys"; then
		echo "TEST-FAIL: harness/fwkeys: exited with an error; see $run/fwkeys.log" >>"$run/fwkeys.fail"
	fi
	if [ -s "$run/fwkeys.fail" ]; then tee -a "$log" <"$run/fwkeys.fail"; fi
fi
[ "$qrc" = 124 ] && echo "TEST-FAIL: harness/guest-timeout: guest still running after ${limit}s" | tee -a "$log"

"$top/tests/lib/results.sh" "$log" "$driver/$flavour"
