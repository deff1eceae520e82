#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TPM 1.2: swtpm without --tpm2 as a vtpm proxy server (what
# `swtpm chardev --vtpm-proxy` gives by default), beside a TPM 2.0 one;
# round trips, sysfs, the hwrng, and unplug with an open client.
# Checks: 21
SUITE=tpm12
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
unload_backend
[ -d /sys/module/tpm_vtpm_proxy ] || load_vtpm
wait_for_dev /dev/vtpmx || { fail setup "no /dev/vtpmx"; exit 0; }

mkdir -p /tmp/st12 /tmp/st20
swtpm chardev --vtpm-proxy --tpmstate dir=/tmp/st12 \
	--log file=/tmp/swtpm12.log >/tmp/swtpm12.out 2>&1 &
swtpm12=$!
wait_for_dev /dev/tpm0 100 || { fail vtpm-creates-tpm0 "$(cat /tmp/swtpm12.out)"; exit 0; }
pass vtpm-creates-tpm0
swtpm chardev --vtpm-proxy --tpm2 --tpmstate dir=/tmp/st20 \
	--log file=/tmp/swtpm20.log >/tmp/swtpm20.out 2>&1 &
swtpm20=$!
wait_for_dev /dev/tpm1 100 && pass vtpm-tpm2-beside || fail vtpm-tpm2-beside "no /dev/tpm1"

python3 "$G/tpm12.py" checks /dev/tpm0 tpm12 vtpm
exited tpm12-checks $?
if TPM2TOOLS_TCTI=device:/dev/tpmrm1 tpm2_getrandom 8 --hex >/dev/null 2>&1; then
	pass vtpm-tpm2-works-beside
else
	fail vtpm-tpm2-works-beside "tpm2_getrandom on /dev/tpmrm1 failed"
fi
cur=$(cat /sys/class/misc/hw_random/rng_current)
if [ "$cur" = tpm-rng-0 ] && [ "$(head -c 32 /dev/hwrng | wc -c)" = 32 ]; then pass vtpm-hwrng
else fail vtpm-hwrng "rng_current '$cur'"; fi

# Unplug with a client holding /dev/tpm0: EPIPE, the node goes, the hwrng
# moves to the TPM 2.0.
rm -f /tmp/tpm12.ctl*
python3 "$G/tpm12.py" holder /dev/tpm0 /tmp/tpm12.ctl >/tmp/tpm12-holder.out 2>&1 &
holder=$!
wait_for_dev /tmp/tpm12.ctl.ready 100 || fail vtpm-holder "the holder did not start"
kill -9 $swtpm12
wait $swtpm12 2>/dev/null
for i in $(seq 50); do [ -e /dev/tpm0 ] || break; sleep 0.1; done
[ -e /dev/tpm0 ] && fail vtpm-tpm0-gone "/dev/tpm0 still there" || pass vtpm-tpm0-gone
touch /tmp/tpm12.ctl.go
if wait $holder; then pass vtpm-holder-epipe
else fail vtpm-holder-epipe "$(tail -n 1 /tmp/tpm12-holder.out)"; fi
cur=$(cat /sys/class/misc/hw_random/rng_current)
[ "$cur" = tpm-rng-1 ] && pass vtpm-hwrng-moves || fail vtpm-hwrng-moves "rng_current '$cur'"
kill $swtpm20
wait $swtpm20 2>/dev/null

# A minimal TPM 1.2 server of the kind existing test suites use: its
# TPM_GetCapability answers carry a size field of 0 before the values.
# Upstream registers it; so must we (with a warning), and use its values.
rm -f /tmp/canned12.info
python3 "$G/vtpmsrv.py" canned12 /tmp/canned12.info >/tmp/canned12.out 2>&1 &
canned=$!
wait_for_dev /tmp/canned12.info 100
num=$(cut -d' ' -f1 /tmp/canned12.info 2>/dev/null)
if [ -n "$num" ] && wait_for_dev "/dev/tpm$num" 100; then
	pass canned-server-registers
	t=$(cat "/sys/class/tpm/tpm$num/timeouts" 2>/dev/null)
	d=$(cat "/sys/class/tpm/tpm$num/durations" 2>/dev/null)
	# The server's values in microseconds, as jiffies give them back
	# (rounded up to a tick of at most 10 ms), as reported.
	# With upstream's modules the values are shown, not counted as a check.
	if [ "$TPMTEST_DRIVER" != ours ]; then
		echo "guest:   upstream: timeouts $t; durations $d"
	elif echo "$t $d" | awk '{
		split("750000 2000000 750000 750000 x 2000000 20000000 60000000 x", want)
		for (i = 1; i <= 9; i++) {
			if (want[i] == "x") { if ($i != "[original]") exit 1; continue }
			if ($i < want[i] || $i > want[i] + 10000) exit 1
		}
		exit 0 }'; then
		pass canned-server-values "timeouts $t; durations $d"
	else
		fail canned-server-values "timeouts '$t', durations '$d'"
	fi
	if python3 - "/dev/tpm$num" <<'PY'
import os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, struct.pack('>HIII', 0xC1, 14, 0x46, 8))
rsp = os.read(fd, 4096)
tag, size, rc, n = struct.unpack('>HIII', rsp[:14])
sys.exit(0 if size == len(rsp) == 22 and rc == 0 and n == 8 else 1)
PY
	then pass canned-server-getrandom
	else fail canned-server-getrandom "no GetRandom(8) through /dev/tpm$num"; fi
else
	fail canned-server-registers "$(dmesg | grep -i 'tpm' | tail -n 3 | tr '\n' ' ')"
fi
kill $canned 2>/dev/null
wait $canned 2>/dev/null || true
