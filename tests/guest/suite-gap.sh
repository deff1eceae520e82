#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The context gap against swtpm through /dev/tpmrm0 (tests/guest/tpm-gap.c):
# tens of thousands of commands, so not part of make check; run it with
# `tests/guest.sh gap`.  TPMTEST_GAP_EXTRA: commands past the gap.
# Checks: 1
SUITE=gap
. "$TPMTEST_REPO/tests/guest/lib.sh"
"$TPMTEST_TOOLS/tpm-gap" -n "${TPMTEST_GAP_EXTRA:-100}" ||
	echo "guest: tpm-gap exited with $?"
