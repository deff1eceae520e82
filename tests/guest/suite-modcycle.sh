#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unload and load the modules several times; the TPM answers each time.
# Checks: 9
SUITE=modcycle
. "$TPMTEST_REPO/tests/guest/lib.sh"
cycles=${TPMTEST_MODCYCLES:-5}

# Both interface drivers loaded: the other one, loaded first while the
# device is free, binds nothing; this one then takes the device, and
# keeps it when the other leaves.
# shellcheck disable=SC2086
if ! unload_driver || ! load_mods tpm $OTHER_MODS; then
	fail other-driver-binds-nothing "cannot load $OTHER_MODS"
elif [ -e /dev/tpm0 ]; then
	fail other-driver-binds-nothing "$OTHER_MODS made /dev/tpm0 of this boot's device"
else
	pass "other-driver-binds-nothing ($OTHER_MODS)"
	if load_driver && [ -n "$(bus_device)" ]; then pass both-drivers-loaded
	else fail both-drivers-loaded "$IFACE_MODS did not take the device beside $OTHER_MODS"; fi
	for m in $(echo "$OTHER_MODS" | tr ' ' '\n' | tac); do rmmod "$m"; done
	if tpm2_getrandom 8 --hex >/dev/null 2>&1; then pass other-driver-unloaded
	else fail other-driver-unloaded "the TPM stopped answering when $OTHER_MODS left"; fi
fi
ok=0
for i in $(seq "$cycles"); do
	if ! unload_driver; then fail "cycle-$i" "rmmod failed"; break; fi
	if [ -e /dev/tpm0 ]; then fail "cycle-$i" "/dev/tpm0 still there after rmmod"; break; fi
	if ! load_driver; then fail "cycle-$i" "reload failed"; break; fi
	if ! tpm2_getrandom 8 --hex >/dev/null 2>&1; then fail "cycle-$i" "getrandom failed"; break; fi
	ok=$((ok + 1))
done
[ "$ok" = "$cycles" ] && pass "$cycles-cycles"
# rmmod of the backend while /dev/tpm0 and /dev/tpmrm0 are open is safe:
# the holders get EPIPE (upstream once had a use-after-free exactly here,
# on tpmrm).  rmmod of the core while they are open must be refused.
python3 "$G/tpmdev.py" holder /tmp/rmmod.ctl >/tmp/rmmod-holder.out 2>&1 &
holder=$!
python3 "$G/tpmrm.py" holder /tmp/rmmod-rm.ctl >/tmp/rmmod-rmholder.out 2>&1 &
rmholder=$!
wait_for_dev /tmp/rmmod.ctl.ready 100 || fail rmmod-backend-while-open "holder did not start"
wait_for_dev /tmp/rmmod-rm.ctl.ready 100 || fail rmmod-backend-while-open "tpmrm holder did not start"
if unload_backend; then pass rmmod-backend-while-open
else fail rmmod-backend-while-open "rmmod $IFACE_MODS failed with /dev/tpm0 open"; fi
if rmmod tpm 2>/dev/null; then fail rmmod-core-while-open "rmmod tpm succeeded with /dev/tpm0 open"
else pass rmmod-core-while-open; fi
touch /tmp/rmmod.ctl.go /tmp/rmmod-rm.ctl.go
if wait "$holder"; then pass holder-epipe-after-rmmod
else fail holder-epipe-after-rmmod "$(tail -n 1 /tmp/rmmod-holder.out)"; fi
if wait "$rmholder"; then pass tpmrm-holder-epipe-after-rmmod
else fail tpmrm-holder-epipe-after-rmmod "$(tail -n 1 /tmp/rmmod-rmholder.out)"; fi
if unload_driver && load_driver && tpm2_getrandom 8 --hex >/dev/null 2>&1; then pass reload-after-rmmod-while-open
else fail reload-after-rmmod-while-open "the TPM did not come back"; fi
