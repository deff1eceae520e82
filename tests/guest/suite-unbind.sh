#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unbind the TIS device while /dev/tpm0 and /dev/tpmrm0 are open (the
# latter with an object and a session in its space): the holders get
# EPIPE, the hwrng goes; binding it again brings the TPM back.
# Checks: 8
SUITE=unbind
. "$TPMTEST_REPO/tests/guest/lib.sh"
dev=$(bus_device)
[ -n "$dev" ] || { fail find-device "no MSFT0101 device bound to $BUS_DRIVER"; exit 0; }
drv=$BUS_DIR

python3 "$G/tpmdev.py" holder /tmp/holder.ctl >/tmp/holder.out 2>&1 &
holder=$!
python3 "$G/tpmrm.py" holder /tmp/rmholder.ctl >/tmp/rmholder.out 2>&1 &
rmholder=$!
wait_for_dev /tmp/holder.ctl.ready 100 || fail holder "holder did not start"
wait_for_dev /tmp/rmholder.ctl.ready 100 || fail rm-holder "tpmrm holder did not start"
echo "$dev" >"$drv/unbind"
[ -e /dev/tpm0 ] && fail unbind-removes-node "/dev/tpm0 still present" || pass unbind-removes-node
[ -e /dev/tpmrm0 ] && fail unbind-removes-rm-node "/dev/tpmrm0 still present" || pass unbind-removes-rm-node
touch /tmp/holder.ctl.go /tmp/rmholder.ctl.go
wait "$holder"
rc=$?
sed 's/^/guest:   /' /tmp/holder.out
if [ $rc = 0 ]; then pass holder-gets-epipe; else fail holder-gets-epipe "$(tail -n 1 /tmp/holder.out)"; fi
wait "$rmholder"
rc=$?
sed 's/^/guest:   /' /tmp/rmholder.out
if [ $rc = 0 ]; then pass tpmrm-holder-gets-epipe; else fail tpmrm-holder-gets-epipe "$(tail -n 1 /tmp/rmholder.out)"; fi

# The hwrng went with the chip: no current rng, reads fail cleanly.
cur=$(cat /sys/class/misc/hw_random/rng_current 2>&1)
[ "$cur" = none ] && pass hwrng-gone || fail hwrng-gone "rng_current '$cur'"
if head -c 16 /dev/hwrng >/dev/null 2>/tmp/hwrng.err; then fail hwrng-read-fails "read worked with no TPM"
else pass "hwrng-read-fails ($(tr -d '\n' </tmp/hwrng.err | sed 's/.*: //'))"; fi

echo "$dev" >"$drv/bind"
if wait_for_dev /dev/tpm0 && tpm2_getrandom 8 --hex >/dev/null 2>&1; then
	pass rebind
else
	fail rebind "/dev/tpm0 did not come back working"
fi
if wait_for_dev /dev/tpmrm0 && TPM2TOOLS_TCTI=device:/dev/tpmrm0 tpm2_getrandom 8 --hex >/dev/null 2>&1 &&
   { no_hwrng_expected || [ "$(head -c 16 /dev/hwrng | wc -c)" = 16 ]; }; then
	pass rebind-tpmrm-hwrng
else
	fail rebind-tpmrm-hwrng "/dev/tpmrm0 or the hwrng did not come back"
fi
