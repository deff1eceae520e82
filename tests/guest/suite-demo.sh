#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make run` shows: TPM commands going through /dev/tpm0.
# Checks: 1
SUITE=demo
. "$TPMTEST_REPO/tests/guest/lib.sh"
w=$(mktemp -d)
cd "$w" || exit 1
say() { echo "guest: $*"; }
show() { say "\$ $*"; "$@" 2>&1 | sed 's/^/guest:     /'; return "${PIPESTATUS[0]}"; }

say "/dev/tpm0: $(ls -l /dev/tpm0)"
say "TPM family: $(cat /sys/class/tpm/tpm0/tpm_version_major), bound to $(basename "$(readlink /sys/class/tpm/tpm0/device/driver)")"
show tpm2_getrandom 16 --hex && echo && pass random
show tpm2_pcrread sha256:0,1,2,3 && pass pcrread
show tpm2_createprimary -C o -c primary.ctx -Q && pass createprimary
tpm2_flushcontext -t
show tpm2_create -C primary.ctx -G ecc -u key.pub -r key.priv -Q && pass create
tpm2_flushcontext -t
show tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx -Q && pass load
tpm2_flushcontext -t
echo "hello from the guest" >msg
show tpm2_sign -c key.ctx -g sha256 -o sig.bin msg && pass sign
tpm2_flushcontext -t
show tpm2_verifysignature -c key.ctx -g sha256 -m msg -s sig.bin && say "signature verified" && pass verify
tpm2_flushcontext -t
