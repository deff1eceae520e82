#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unbind the TIS device while /dev/tpm0 is open: the holder gets EPIPE;
# binding it again brings the TPM back.
SUITE=unbind
. "$TPMTEST_REPO/tests/guest/lib.sh"
dev=$(tis_device)
[ -n "$dev" ] || { fail find-device "no MSFT0101 device bound to tpm_tis"; exit 0; }
drv=/sys/bus/platform/drivers/tpm_tis

python3 "$G/tpmdev.py" holder /tmp/holder.ctl >/tmp/holder.out 2>&1 &
holder=$!
wait_for_dev /tmp/holder.ctl.ready || { fail holder "holder did not start"; }
echo "$dev" >"$drv/unbind"
[ -e /dev/tpm0 ] && fail unbind-removes-node "/dev/tpm0 still present" || pass unbind-removes-node
touch /tmp/holder.ctl.go
wait "$holder"
rc=$?
sed 's/^/guest:   /' /tmp/holder.out
if [ $rc = 0 ]; then pass holder-gets-epipe; else fail holder-gets-epipe "$(tail -n 1 /tmp/holder.out)"; fi

echo "$dev" >"$drv/bind"
if wait_for_dev /dev/tpm0 && tpm2_getrandom 8 --hex >/dev/null 2>&1; then
	pass rebind
else
	fail rebind "/dev/tpm0 did not come back working"
fi
