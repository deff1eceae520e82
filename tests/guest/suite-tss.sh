#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real TSS clients as their users run them, on /dev/tpmrm0: systemd-creds
# (sealed to the TPM, and to PCR 16 as well), the tpm2-openssl provider
# (keys made and used from four processes at once, a TLS server whose key
# is in the TPM) and tpm2-abrmd on /dev/tpm0 with tpm2-tools through it.
# Checks: 6
SUITE=tss
. "$TPMTEST_REPO/tests/guest/lib.sh"
set -u
w=$(mktemp -d)
cd "$w" || exit 1
export TPM2TOOLS_TCTI=device:/dev/tpmrm0
export TPM2OPENSSL_TCTI=device:/dev/tpmrm0
prov=(-provider tpm2 -provider default)

# systemd-creds: a credential only this TPM opens; one bound to PCR 16
# too, which stops opening once PCR 16 is extended.
creds() {
	timeout 300 systemd-creds --tpm2-device=/dev/tpmrm0 "$@"
}
printf 'tpm-oot secret %s' "$RANDOM" >plain
tpm2_pcrreset 16 >/dev/null 2>&1
if creds encrypt --with-key=tpm2 --name=tss plain cred 2>err &&
   creds decrypt --name=tss cred out 2>>err && cmp -s plain out; then
	pass systemd-creds-tpm2
else
	fail systemd-creds-tpm2 "$(tail -n 2 err | tr '\n' ' ')"
fi
if creds encrypt --with-key=tpm2 --tpm2-pcrs=16 --name=pcr plain cred16 2>err &&
   creds decrypt --name=pcr cred16 out16 2>>err && cmp -s plain out16; then
	pass systemd-creds-pcr16
else
	fail systemd-creds-pcr16 "$(tail -n 2 err | tr '\n' ' ')"
fi
tpm2_pcrextend "16:sha256=$(printf x | sha256sum | cut -c1-64)" >/dev/null 2>&1
if creds decrypt --name=pcr cred16 gone 2>err; then
	fail systemd-creds-pcr16-refused "opened after PCR 16 was extended"
elif creds decrypt --name=tss cred out2 2>>err && cmp -s plain out2; then
	pass systemd-creds-pcr16-refused
else
	fail systemd-creds-pcr16-refused "the unbound credential failed: $(tail -n 1 err)"
fi
tpm2_pcrreset 16 >/dev/null 2>&1

# tpm2-openssl: four processes, each making a key in the TPM and signing
# with it five times; every signature checked with the public key alone.
ossl_worker() {
	local i=$1 n
	openssl genpkey "${prov[@]}" -algorithm EC -pkeyopt group:P-256 \
		-out "key$i.pem" 2>"err$i" &&
	openssl pkey "${prov[@]}" -in "key$i.pem" -pubout -out "pub$i.pem" 2>>"err$i" ||
		return 1
	# The signature from the TPM: the base provider has none of its own.
	for n in 1 2 3 4 5; do
		printf 'message %s %s' "$i" "$n" | openssl dgst -sha256 -binary >"dig$i"
		openssl pkeyutl -provider tpm2 -provider base -sign \
			-inkey "key$i.pem" -in "dig$i" -out "sig$i" 2>>"err$i" &&
		openssl pkeyutl -verify -pubin -inkey "pub$i.pem" -in "dig$i" \
			-sigfile "sig$i" >/dev/null 2>>"err$i" || return 1
	done
}
pids=()
for i in 1 2 3 4; do
	timeout 600 bash -c "$(declare -p prov); $(declare -f ossl_worker); ossl_worker $i" &
	pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { bad=1; why="worker $((i + 1)): $(tail -n 1 "err$((i + 1))")"; }
done
[ $bad = 0 ] && pass openssl-keys-4-processes || fail openssl-keys-4-processes "$why"

# A TLS server whose key is in the TPM; a client that checks its
# certificate, once the server listens (port 4433 in /proc/net/tcp).
listening() {
	grep -q ':1151 00000000:0000 0A' /proc/net/tcp
}
ip link set lo up 2>/dev/null || busybox ip link set lo up 2>/dev/null
if openssl req "${prov[@]}" -new -x509 -key key1.pem -subj /CN=tpm-oot \
	-days 1 -out cert.pem 2>err; then
	timeout 300 openssl s_server "${prov[@]}" -key key1.pem -cert cert.pem \
		-accept 127.0.0.1:4433 -www >server.log 2>&1 &
	srv=$!
	for _ in $(seq 300); do listening && break; sleep 0.1; done
	got=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 120 openssl s_client \
		-connect 127.0.0.1:4433 -CAfile cert.pem -verify_return_error \
		-quiet 2>>err | head -n 1)
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	case $got in
	HTTP/1.0\ 200*) pass openssl-tls-server ;;
	*) fail openssl-tls-server "client got '$got': $(tail -n 3 err | tr '\n' ' '); server: $(grep -iv 'cache\|session\|^ *[0-9]' server.log | tail -n 3 | tr '\n' ' ')" ;;
	esac
else
	fail openssl-tls-server "no certificate: $(tail -n 1 err)"
fi

# tpm2-abrmd on /dev/tpm0, tpm2-tools through it: the anchor the
# benchmark compares /dev/tpmrm0 with.
if abrmd_start; then
	if out=$(TPM2TOOLS_TCTI=$ABRMD_TCTI timeout 600 python3 \
		 "$TPMTEST_REPO/tests/bench/workflow.py" 0 2 2>&1); then
		pass abrmd-tools
	else
		fail abrmd-tools "$(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
else
	fail abrmd-tools "abrmd did not start: $(tail -n 2 /tmp/abrmd.log | tr '\n' ' ')"
fi
abrmd_stop
