#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TPM 1.2 behind tpm-tis (tests/guest.sh --tpm 1.2): the PNP0C31 device
# bound, round trips and sysfs through /dev/tpm0, the hwrng, then unbind
# with a client holding /dev/tpm0 open, and bind again.
# Checks: 24
SUITE=tis12
. "$TPMTEST_REPO/tests/guest/lib.sh"
[ "$TPMTEST_TPM" = 1.2 ] || { fail setup "run with tests/guest.sh --tpm 1.2"; exit 0; }
# QEMU describes a TPM 1.2 as PNP0C31, which ACPI gives to the PNP bus.
drv=/sys/bus/pnp/drivers/tpm_tis
dev=$(basename "$(ls -d $drv/[0-9]*:* 2>/dev/null | head -n 1)")
[ -n "$dev" ] && grep -qix PNP0C31 "$drv/$dev/id" ||
	{ fail find-device "no PNP0C31 device bound to tpm_tis"; exit 0; }
pass pnp0c31-bound
echo "guest:   durations $(cat /sys/class/tpm/tpm0/durations)"
echo "guest:   timeouts $(cat /sys/class/tpm/tpm0/timeouts)"

python3 "$G/tpm12.py" checks /dev/tpm0 tis12 tis
exited tpm12-checks $?
[ "$(head -c 32 /dev/hwrng | wc -c)" = 32 ] && pass hwrng || fail hwrng "short read"

rm -f /tmp/tis12.ctl*
python3 "$G/tpm12.py" holder /dev/tpm0 /tmp/tis12.ctl >/tmp/tis12-holder.out 2>&1 &
holder=$!
wait_for_dev /tmp/tis12.ctl.ready 100 || fail holder "the holder did not start"
echo "$dev" >"$drv/unbind"
[ -e /dev/tpm0 ] && fail unbind-removes-node "/dev/tpm0 still there" || pass unbind-removes-node
touch /tmp/tis12.ctl.go
if wait $holder; then pass holder-epipe
else fail holder-epipe "$(tail -n 1 /tmp/tis12-holder.out)"; fi
echo "$dev" >"$drv/bind"
if wait_for_dev /dev/tpm0; then
	python3 "$G/tpm12.py" checks /dev/tpm0 tis12 rebound
	exited tpm12-checks-rebound $?
else
	fail rebind "/dev/tpm0 did not come back"
fi
