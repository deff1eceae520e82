#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tpm2-tools through device:/dev/tpm0, each result checked.
# Checks: 14
SUITE=tools
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
w=$(mktemp -d)
cd "$w" || exit 1

# /dev/tpm0 has no resource manager: flush what each step leaves loaded.
flush() {
	timeout 60 tpm2_flushcontext -t >/dev/null 2>&1 || fail flush "flushcontext -t: $?"
	timeout 60 tpm2_flushcontext -s >/dev/null 2>&1 || fail flush "flushcontext -s: $?"
}

hex=$(tpm2_getrandom 16 --hex 2>&1)
if [[ $hex =~ ^[0-9a-f]{32}$ ]]; then pass getrandom; else fail getrandom "got '$hex'"; fi
a=$(tpm2_getrandom 16 --hex 2>/dev/null)
if [ -n "$a" ] && [ "$a" != "$hex" ]; then pass getrandom-differs
else fail getrandom-differs "two reads gave '$a' and '$hex'"; fi

check pcrread tpm2_pcrread sha256:0,1,2

# PCR 16 is resettable: reset, extend with a known digest, compare with
# SHA-256(zeros || digest) computed here.
digest=$(printf 'tpm-oot' | sha256sum | cut -c1-64)
want=$(python3 -c "import hashlib,sys; print(hashlib.sha256(bytes(32)+bytes.fromhex(sys.argv[1])).hexdigest())" "$digest")
if tpm2_pcrreset 16 >/dev/null 2>&1 && tpm2_pcrextend "16:sha256=$digest" >/dev/null 2>&1; then
	got=$(tpm2_pcrread sha256:16 2>&1 | sed -n 's/.*16 *: *0x//p' | tr 'A-F' 'a-f')
	if [ "$got" = "$want" ]; then pass pcrextend; else fail pcrextend "pcr16 '$got', want '$want'"; fi
else
	fail pcrextend "reset or extend failed"
fi

check createprimary tpm2_createprimary -C o -c primary.ctx
flush
check create tpm2_create -C primary.ctx -G ecc -u key.pub -r key.priv
flush
check load tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx
flush
echo "message to sign" >msg
check sign tpm2_sign -c key.ctx -g sha256 -o sig.bin msg
flush
check verifysignature tpm2_verifysignature -c key.ctx -g sha256 -m msg -s sig.bin
flush
echo "another message" >msg2
if timeout 60 tpm2_verifysignature -c key.ctx -g sha256 -m msg2 -s sig.bin >/dev/null 2>&1; then
	fail verify-rejects-wrong-message "a signature verified for the wrong message"
else
	pass verify-rejects-wrong-message
fi
flush

idx=0x1500016
head -c 32 /dev/urandom >nv.in
check nvdefine tpm2_nvdefine "$idx" -C o -s 32 -a "ownerread|ownerwrite"
check nvwrite tpm2_nvwrite "$idx" -C o -i nv.in
if tpm2_nvread "$idx" -C o -s 32 -o nv.out >/dev/null 2>&1 && cmp -s nv.in nv.out; then
	pass nvread
else
	fail nvread "read back differs from what was written"
fi
check nvundefine tpm2_nvundefine "$idx" -C o
cd / && rm -rf "$w"
