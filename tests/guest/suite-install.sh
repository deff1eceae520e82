#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installed as a user installs them: tests/guest.sh ran `make install`
# (INSTALL_MOD_PATH=<run>/modroot) into a module tree that also holds the
# kernel's own TPM modules, of the same names.  modprobe, with that tree
# as its root (-d: the guest's root is the host's, read-only, and may
# have no /lib/modules to mount over), must load ours by name with their
# dependencies, the kernel's trusted.ko on top, and take them out again.
# Checks: 7
SUITE=install
. "$TPMTEST_REPO/tests/guest/lib.sh"
root=$TPMTEST_RUN/modroot
tree=$root/lib/modules/$(uname -r)
mp() { modprobe -d "$root" "$@"; }
# run_suite loaded the modules by path: out, to be loaded by name.
unload_driver || fail unload-first "rmmod failed"
# Both are there; depmod chose updates/.
f=$(modinfo -b "$root" -n tpm 2>&1)
[ -e "$tree/kernel/drivers/char/tpm/tpm.ko" ] && [ "$f" = "$tree/updates/tpm.ko" ] &&
	pass chosen-by-depmod || fail chosen-by-depmod "tpm is $f"
mp "$BUS_DRIVER" 2>err && pass modprobe || fail modprobe "$(cat err)"
# Ours, not the kernel's: out of tree (taint O), with a parameter only
# ours has.
grep -q O /sys/module/tpm/taint 2>/dev/null &&
	[ -e /sys/module/tpm/parameters/uid_sessions ] &&
	pass ours-loaded || fail ours-loaded "taint $(cat /sys/module/tpm/taint 2>&1)"
bad=
for m in $IFACE_MODS; do
	g=$(modinfo -b "$root" -n "$m" 2>&1)
	[ "$g" = "$tree/updates/$m.ko" ] && [ -d "/sys/module/$m" ] || bad="$bad $m: $g"
done
[ -z "$bad" ] && pass deps-ours || fail deps-ours "$bad"
wait_for_dev /dev/tpm0 && tpm2_getrandom -T device:/dev/tpm0 8 >/dev/null 2>err &&
	pass works || fail works "$(cat err)"
# What trusted.ko asks the kernel for (hmac(sha1)) the kernel would look
# for in /lib/modules: loaded from the tree first.
mp -a cryptomgr hmac sha1_generic 2>/dev/null
mp trusted 2>err && [ -d /sys/module/trusted ] && pass kernel-trusted-on-ours ||
	fail kernel-trusted-on-ours "$(cat err) $(dmesg | tail -n 3 | tr '\n' ' ')"
# kmod leaves tpm itself loaded after "modprobe -r tpm_tis" (in use
# while it looked); named, it goes.
mp -r trusted 2>err && mp -r "$BUS_DRIVER" tpm 2>>err && [ ! -d /sys/module/tpm ] &&
	pass modprobe-r ||
	fail modprobe-r "$(cat err) left: $(ls /sys/module | grep tpm | tr '\n' ' ')"
