#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The vtpm proxy: swtpm serves /dev/tpm0 through it; killing the server
# unplugs the chip; clients sleeping on it are woken.
# Checks: 40
SUITE=vtpm
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
unload_backend || { fail setup "cannot unload the interface driver"; exit 0; }
load_vtpm || { fail setup "cannot load tpm_vtpm_proxy"; exit 0; }
wait_for_dev /dev/vtpmx || { fail setup "no /dev/vtpmx"; exit 0; }

# kill_gone_ms <pid> <path>: SIGKILL the process, then print how long
# until the path disappears, in ms (or "never" after 5 s).
kill_gone_ms() {
	python3 - "$1" "$2" <<'PY'
import os, signal, sys, time
t0 = time.monotonic()
os.kill(int(sys.argv[1]), signal.SIGKILL)
while os.path.exists(sys.argv[2]):
    if time.monotonic() - t0 > 5:
        print('never'); sys.exit()
    time.sleep(0.005)
print(int((time.monotonic() - t0) * 1000))
PY
}

# 1. swtpm as the server: the usual clients work through it.
mkdir -p /tmp/vtpm-state
swtpm chardev --vtpm-proxy --tpm2 --tpmstate dir=/tmp/vtpm-state \
	--log file=/tmp/vtpm-swtpm.log >/tmp/vtpm-swtpm.out 2>&1 &
swtpm=$!
if wait_for_dev /dev/tpm0 100; then pass swtpm-creates-tpm0
else fail swtpm-creates-tpm0 "$(cat /tmp/vtpm-swtpm.out)"; exit 0; fi
check getrandom tpm2_getrandom 16 --hex
check pcrread tpm2_pcrread sha256:0,16
check createprimary tpm2_createprimary -C o -c /tmp/vtpm-primary.ctx
tpm2_flushcontext -t >/dev/null 2>&1
python3 "$G/tpmdev.py" cdev | sed 's|TEST-\([A-Z]*\): \(cdev[-a-z]*\)/|TEST-\1: vtpm/\2-|'
python3 "$G/tpmdev.py" set-locality
python3 "$G/tpmrm.py" spaces | sed 's|TEST-\([A-Z]*\): rm/|TEST-\1: vtpm/rm-|'
# The kernel's selftests and tpm2-tools from several processes through
# the proxy (and its resource manager): what the smoke and rm suites run
# on tpm-tis, so make check runs only a short tpm2-tools check here (the
# one on 6.1, which runs no rm suite) and leaves the rest to CHECK_FULL=1
# (TPMTEST_VTPM_CLIENTS=0).
if [ "${TPMTEST_VTPM_CLIENTS:-1}" != 1 ]; then
	rm_tools_check 2 1
else
	cp -r "$TPMTEST_KSRC/tools/testing/selftests/tpm2" /tmp/vtpm-selftests
	out=$(cd /tmp/vtpm-selftests && timeout 300 bash ./test_smoke.sh 2>&1)
	if echo "$out" | grep -q '^OK'; then pass SmokeTest
	else fail SmokeTest "$(echo "$out" | grep -E '^(FAIL|ERROR)' | tr '\n' ' ')"; fi
	for class in SpaceTest AsyncTest; do
		out=$(cd /tmp/vtpm-selftests && timeout 300 python3 -m unittest -v "tpm2_tests.$class" 2>&1)
		if echo "$out" | grep -q '^OK$'; then pass "$class"
		else fail "$class" "$(echo "$out" | grep -E '^(FAIL|ERROR)' | tr '\n' ' ')"; fi
	done
	rm_tools_check 4 2
fi

# 2. SIGKILL the server with /dev/tpmrm0 held open (an object and a
# session in the space): /dev/tpm0 goes away within a second, the holder
# gets EPIPE.
rm -f /tmp/vtpm-rm.ctl*
python3 "$G/tpmrm.py" holder /tmp/vtpm-rm.ctl >/tmp/vtpm-rmholder.out 2>&1 &
rmholder=$!
wait_for_dev /tmp/vtpm-rm.ctl.ready 100 || fail rm-holder "tpmrm holder did not start"
ms=$(kill_gone_ms "$swtpm" /dev/tpm0)
if [ "$ms" != never ] && [ "$ms" -lt 1000 ]; then pass "tpm0-gone-after-kill (${ms} ms)"
else fail tpm0-gone-after-kill "after SIGKILL /dev/tpm0 stayed ($ms)"; fi
wait "$swtpm" 2>/dev/null
[ -e /dev/tpmrm0 ] && fail tpmrm0-gone-after-kill "/dev/tpmrm0 still there" || pass tpmrm0-gone-after-kill
touch /tmp/vtpm-rm.ctl.go
if wait "$rmholder"; then pass tpmrm-holder-epipe-after-kill
else fail tpmrm-holder-epipe-after-kill "$(tail -n 1 /tmp/vtpm-rmholder.out)"; fi

# 3. Sleepers: a reader waiting for a command the server never answers,
# and a poller with no command, both woken when the server is killed.
rm -f /tmp/vtpm-info*
# The hwrng would read from the chip too: the held command must be ours.
hwrng_param=/sys/module/tpm/parameters/hwrng
if [ "$TPMTEST_DRIVER" = ours ]; then echo 0 >$hwrng_param; fi
python3 "$G/vtpmsrv.py" hold /tmp/vtpm-info &
srv=$!
wait_for_dev /tmp/vtpm-info 100 && wait_for_dev /dev/tpm0 100 ||
	{ fail hold-server "the test server did not start"; kill -9 $srv; exit 0; }
python3 "$G/tpmdev.py" sleepers /tmp/vtpm-info "$srv" >/tmp/sleepers.out 2>&1
rc=$?
grep -v '^TEST-' /tmp/sleepers.out | sed 's/^/guest:   /'
grep '^TEST-' /tmp/sleepers.out
[ $rc = 0 ] || fail sleepers "exit $rc"
wait "$srv" 2>/dev/null
[ -e /dev/tpm0 ] && fail hold-server-gone "/dev/tpm0 still there" || pass hold-server-gone
if [ "$TPMTEST_DRIVER" = ours ]; then echo 1 >$hwrng_param; fi
