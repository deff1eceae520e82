# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest-side suites.  Each check prints one line,
# "TEST-PASS: <name>" or "TEST-FAIL: <name>: <why>"; the host counts them.

G=$TPMTEST_REPO/tests/guest
TCTI=device:/dev/tpm0
export TPM2TOOLS_TCTI=$TCTI

# pass, fail, unload_driver, kmemleak_*, guest_finish
# shellcheck source=tests/guest/common.sh
. "$G/common.sh"

# Where every task sleeps: printed when a check times out.
dump_tasks() {
	local p
	for p in /proc/[0-9]*; do
		[ -r "$p/stack" ] || continue
		echo "guest: task ${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" | cut -c1-60) state=$(awk '/^State/ {print $2}' "$p/status")"
		sed 's/^/guest:     /' "$p/stack"
	done 2>/dev/null
}

# waiting_tasks: the user processes but the harness's own (the shells,
# sleep, timeout), each as name:where it sleeps in the kernel, on one line:
# what a suite that ran out of time was waiting for.
waiting_tasks() {
	local p comm cmd
	for p in /proc/[0-9]*; do
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-50)
		[ -n "$cmd" ] || continue
		case $comm in bash|sh|sleep|timeout|init.sh|tee|cat) continue ;; esac
		printf '[%s]:%s ' "${cmd% }" "$(cat "$p/wchan" 2>/dev/null)"
	done
}

# check <name> <command...>: pass if the command succeeds within 120 s
check() {
	local name=$1 out rc
	shift
	( sleep 110; dump_tasks ) &
	local watchdog=$!
	out=$(timeout 120 "$@" 2>&1)
	rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	if [ $rc = 0 ]; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}


# The interface QEMU presents (tests/guest.sh --iface): its driver's
# modules, in load order, and the bus driver the device binds to.
# OTHER_MODS: the other interface's, which must leave this device alone.
case ${TPMTEST_IFACE:-tis} in
crb) IFACE_MODS="tpm_crb" BUS_DRIVER=tpm_crb OTHER_MODS="tpm_tis_core tpm_tis" ;;
*) IFACE_MODS="tpm_tis_core tpm_tis" BUS_DRIVER=tpm_tis OTHER_MODS="tpm_crb" ;;
esac
# Where the device's driver binds it: upstream's tpm_crb is an ACPI
# driver, ours and both tpm_tis are platform drivers.
BUS_DIR=/sys/bus/platform/drivers/$BUS_DRIVER
[ "$TPMTEST_DRIVER:$BUS_DRIVER" = upstream:tpm_crb ] &&
	BUS_DIR=/sys/bus/acpi/drivers/tpm_crb

# no_hwrng_expected: upstream's tpm_crb registers no hwrng on an AMD CPU
# (its quirk for AMD fTPMs, PA-410), and QEMU's TCG CPU is AuthenticAMD.
no_hwrng_expected() {
	[ "$TPMTEST_DRIVER:$BUS_DRIVER" = upstream:tpm_crb ] &&
		grep -qm1 AuthenticAMD /proc/cpuinfo
}

# load_mods <module...>: the driver under test's modules, those not
# loaded yet, in the order given, after the guest kernel's modules they
# need.  With CONFIG_TCG_TPM2_HMAC, tpm.ko needs the AES-CFB library and
# asks the crypto API for ECDH P-256 by name (upstream's also for the
# default RNG, the HMAC-SHA512 DRBG, to draw its keys): the guest cannot
# autoload.
load_mods() {
	local m dep dir=$TPMTEST_MODDIR
	[ "$TPMTEST_DRIVER" = upstream ] && dir=$TPMTEST_KBUILD/drivers/char/tpm
	for m in "$@"; do
		[ -d "/sys/module/$m" ] && continue
		for dep in $(modinfo -F depends "$dir/$m.ko" | tr ',' ' '); do
			case $dep in tpm|tpm_tis_core) ;; *) load_kmod "$dep" || return 1 ;; esac
		done
		if [ "$m" = tpm ]; then
			for dep in ecdh_generic sha512_generic drbg; do
				grep -q "/$dep\.o\$" "$TPMTEST_KBUILD/modules.order" || continue
				load_kmod "$dep" || return 1
			done
		fi
		insmod "$dir/$m.ko" || return 1
	done
}

load_driver() {
	# shellcheck disable=SC2086
	load_mods tpm $IFACE_MODS && wait_for_dev /dev/tpm0
}

# unload_backend: the interface driver's modules out (the core stays).
unload_backend() {
	local m
	for m in $(echo "$IFACE_MODS" | tr ' ' '\n' | tac); do
		[ -d "/sys/module/$m" ] && { rmmod "$m" || return 1; }
	done
	return 0
}

load_vtpm() {
	if [ "$TPMTEST_DRIVER" = upstream ]; then
		insmod "$TPMTEST_KBUILD/drivers/char/tpm/tpm_vtpm_proxy.ko"
	else
		insmod "$TPMTEST_MODDIR/tpm_vtpm_proxy.ko"
	fi
}

# load_kmod <name>: a module of the guest kernel itself (trusted, say),
# after the modules it depends on; tpm is the driver under test's, loaded
# already.  Modules found by name through the build's modules.order.
load_kmod() {
	local m=$1 rel dep
	[ -d "/sys/module/$m" ] && return 0
	# A module's file may spell its name with - where the name has _.
	rel=$(grep -m1 -E "(^|/)${m//_/[-_]}\.(o|ko)\$" "$TPMTEST_KBUILD/modules.order") ||
		{ echo "load_kmod: no module $m" >&2; return 1; }
	rel=$TPMTEST_KBUILD/${rel%.*}.ko
	for dep in $(modinfo -F depends "$rel" | tr ',' ' '); do
		[ "$dep" = tpm ] || load_kmod "$dep" || return 1
	done
	insmod "$rel"
}

# swtpm_socket <name>: a TPM 2.0 swtpm serving /tmp/<name>.sock, its
# state in /tmp/<name>-state, its pid in $swtpm; what it said on failure
# is in /tmp/<name>-swtpm.out.
swtpm_socket() {
	mkdir -p "/tmp/$1-state"
	swtpm socket --tpm2 --tpmstate dir="/tmp/$1-state" --flags not-need-init \
		--server type=unixio,path="/tmp/$1.sock" --log file="/tmp/$1-swtpm.log" \
		>"/tmp/$1-swtpm.out" 2>&1 &
	swtpm=$!
	wait_for_dev "/tmp/$1.sock" 100
}

# wait_for_dev <path> [tenths of a second]
wait_for_dev() {
	local i
	for i in $(seq "${2:-50}"); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# bus_device: the MSFT0101 device bound to the interface's driver.
bus_device() {
	basename "$(ls -d "$BUS_DIR"/MSFT0101:* 2>/dev/null | head -n 1)"
}

# both_drivers <fn>: "<fn> <driver>" with the modules the boot loaded, then
# with the other driver's (ours or upstream's), in the same boot.  A swap
# that fails would compare a driver with itself: it stops the suite.
both_drivers() {
	local fn=$1 other=upstream
	[ "$TPMTEST_DRIVER" = upstream ] && other=ours
	"$fn" "$TPMTEST_DRIVER"
	unload_driver || { fail "$other-swap" "rmmod failed"; exit 0; }
	TPMTEST_DRIVER=$other
	load_driver || { fail "$other-load" "$other's modules did not load"; exit 0; }
	"$fn" "$other"
}

# again_next_boot: run this suite again in the next boot, after the guest
# reboots through its firmware ($TPMTEST_BOOT says which boot a run is).
# Only in a run guest.sh set up for it (the suite's "# Reboots: yes").
again_next_boot() {
	if [ "${TPMTEST_REBOOT:-0}" != 1 ]; then
		fail reboot "this run cannot reboot (no '# Reboots: yes' in suite-$SUITE.sh)"
		return 1
	fi
	echo "$SUITE" >>/run/state/next
}

run_suite() {
	SUITE=$1
	echo "guest: suite $SUITE"
	if ! load_driver; then
		fail load "modules did not load or /dev/tpm0 did not appear"
		unload_driver
		return
	fi
	local t0=$SECONDS limit=${TPMTEST_SUITE_TIMEOUT:-600} watchdog rc=0
	# A suite still running a minute before its limit says what its
	# processes wait for (in its failures), then where every task sleeps.
	( sleep $((limit - 60)); echo "guest: suite $SUITE near its limit"
	  fail stuck "waiting: $(waiting_tasks)"; dump_tasks ) &
	watchdog=$!
	timeout "$limit" bash "$G/suite-$SUITE.sh" || rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	[ "$rc" = 0 ] || fail suite "exited with $rc"
	unload_driver || fail unload "rmmod failed"
	echo "guest: suite $SUITE took $((SECONDS - t0)) s;" \
		"$(awk '/MemAvailable|^Slab/ {printf "%s %d MiB ", $1, $2 / 1024}' /proc/meminfo)"
}

# kernel_has_session: tpm0 has the kernel's own session (tpm2-session.c):
# null_name shows a key.
kernel_has_session() {
	grep -q '[1-9a-f]' /sys/class/tpm/tpm0/null_name 2>/dev/null
}

# rm_tools_check <procs> <loops>: tpm2-tools through device:/dev/tpmrm0,
# <procs> processes at once, each creating, loading and using keys in a
# loop, and a policy session passed from one tool to the next (saved to a
# file, loaded again); no object is flushed by hand.  Then nothing may be
# left in the TPM (looked at through /dev/tpm0).
rm_tools_worker() {
	local d=/tmp/rm-worker-$1 i
	mkdir -p "$d" && cd "$d" || return 1
	export TPM2TOOLS_TCTI=device:/dev/tpmrm0
	echo "message $1" >msg
	for i in $(seq "$2"); do
		tpm2_createprimary -C o -G ecc -c primary.ctx &&
		tpm2_create -C primary.ctx -G ecc -u key.pub -r key.priv &&
		tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx &&
		tpm2_sign -c key.ctx -g sha256 -o sig msg &&
		tpm2_verifysignature -c key.ctx -g sha256 -m msg -s sig &&
		tpm2_startauthsession -S session.ctx &&
		tpm2_policypcr -S session.ctx -l sha256:0,1 -L policy &&
		tpm2_flushcontext session.ctx &&
		[ "$(stat -c %s policy)" = 32 ] || { echo "worker $1: loop $i failed"; return 1; }
	done >"$d.log" 2>&1
}

rm_tools_check() {
	local procs=$1 loops=$2 p bad=0 left pids=()
	rm -rf /tmp/rm-worker-*
	for p in $(seq "$procs"); do
		rm_tools_worker "$p" "$loops" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
	if [ $bad = 0 ]; then pass "tpm2-tools-$procs-processes ($loops loops each)"
	else fail "tpm2-tools-$procs-processes" "$bad failed: $(cat /tmp/rm-worker-*.log | grep -i 'error\|failed' | head -n 3 | tr '\n' ' ')"; fi
	left=$(TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getcap handles-transient 2>&1
	       TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getcap handles-saved-session 2>&1)
	# But for the kernel's own session (CONFIG_TCG_TPM2_HMAC), saved.
	if [ "$(echo "$left" | grep -c .)" = 1 ] && kernel_has_session; then left=; fi
	if [ -z "$left" ]; then pass tpm2-tools-nothing-left
	else fail tpm2-tools-nothing-left "$(echo "$left" | tr '\n' ' ')"; fi
}

# abrmd_start: tpm2-abrmd on /dev/tpm0, on a D-Bus session bus of its own;
# clients reach it through the TCTI $ABRMD_TCTI.  abrmd_stop ends both.
ABRMD_TCTI=tabrmd:bus_type=session
abrmd_start() {
	local addr
	addr=$(dbus-daemon --session --fork --print-address=1 --print-pid=3 \
	       3>/tmp/abrmd-dbus.pid) || return 1
	export DBUS_SESSION_BUS_ADDRESS=$addr
	tpm2-abrmd --session --allow-root --tcti=device:/dev/tpm0 \
		>/tmp/abrmd.log 2>&1 &
	abrmd_pid=$!
	for _ in $(seq 100); do
		tpm2_getrandom -T "$ABRMD_TCTI" --hex 4 >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

abrmd_stop() {
	[ -n "${abrmd_pid:-}" ] && kill "$abrmd_pid" 2>/dev/null &&
		wait "$abrmd_pid" 2>/dev/null
	abrmd_pid=
	kill "$(cat /tmp/abrmd-dbus.pid 2>/dev/null)" 2>/dev/null
	unset DBUS_SESSION_BUS_ADDRESS
}
