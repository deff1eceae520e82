#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fuzzer (tests/fuzz/tpm-fuzz.c), reproducible by seed: mutated
# commands and hostile I/O through /dev/tpm0 and /dev/tpmrm0 (TIS, TPM
# 2.0), through a TPM 1.2 vtpm proxy chip served by swtpm, then hostile
# vtpm proxy servers with clients.  Sizes: TPMTEST_FUZZ_OPS client ops per
# node, TPMTEST_FUZZ_CYCLES server cycles, seed TPMTEST_FUZZ_SEED.
# Checks: 4
SUITE=fuzz
. "$TPMTEST_REPO/tests/guest/lib.sh"
fuzz=$TPMTEST_TOOLS/tpm-fuzz
ops=${TPMTEST_FUZZ_OPS:-20000}
cycles=${TPMTEST_FUZZ_CYCLES:-120}
seed=${TPMTEST_FUZZ_SEED:-1}
echo "guest:   fuzz seed $seed (TPMTEST_FUZZ_SEED=$seed reproduces this run)"
# Upstream's tpm_tis forwards 6..9 byte commands, which hang QEMU's tpm-tis.
tis=()
[ "$TPMTEST_DRIVER" = upstream ] && tis=(-u)

# run_fuzz <label> <args...>: print the output, pass with the figures on exit 0
run_fuzz() {
	local label=$1 out rc
	shift
	out=$(timeout "${TPMTEST_SUITE_TIMEOUT:-600}" "$fuzz" "$@" 2>&1)
	rc=$?
	echo "$out" | sed "s/^/guest:   $label: /"
	if [ $rc = 0 ]; then
		pass "$label ($(echo "$out" | sed -n 's/^result: //p' | tail -n 1))"
	else
		fail "$label" "exit $rc: $(echo "$out" | grep -E '^(BAD|giving up|post: .*(FAILED|NO|left|lists [1-9]))' | head -n 4 | tr '\n' ' ')$(echo "$out" | sed -n 's/^result: //p' | tail -n 1)"
	fi
}

run_fuzz tpm0 client -d /dev/tpm0 -s "$seed" -n "$ops" "${tis[@]}"
run_fuzz tpmrm0 client -d /dev/tpmrm0 -f 4 -s "$seed" -n "$ops" -c /dev/tpm0 "${tis[@]}"

unload_backend
load_vtpm && wait_for_dev /dev/vtpmx || { fail setup "no /dev/vtpmx"; exit 0; }

# A TPM 1.2 through the vtpm proxy, served by swtpm.
rm -rf /tmp/fuzz-st12
mkdir -p /tmp/fuzz-st12
swtpm chardev --vtpm-proxy --tpmstate dir=/tmp/fuzz-st12 \
	--log file=/tmp/fuzz-swtpm12.log >/tmp/fuzz-swtpm12.out 2>&1 &
swtpm12=$!
if wait_for_dev /dev/tpm0 100; then
	run_fuzz vtpm-tpm12 client -1 -d /dev/tpm0 -s "$seed" -n "$ops"
	kill -0 $swtpm12 2>/dev/null ||
		fail vtpm-tpm12-swtpm "swtpm died during the run: $(tail -n 2 /tmp/fuzz-swtpm12.out | tr '\n' ' ')"
else
	fail vtpm-tpm12 "swtpm made no /dev/tpm0: $(tr '\n' ' ' </tmp/fuzz-swtpm12.out)"
fi
kill $swtpm12 2>/dev/null
wait $swtpm12 2>/dev/null
for _ in $(seq 100); do [ -e /dev/tpm0 ] || break; sleep 0.1; done
[ -e /dev/tpm0 ] && fail vtpm-tpm12-gone "/dev/tpm0 still there 10 s after swtpm ended"

run_fuzz server server -s "$seed" -n "$cycles" -c 4
