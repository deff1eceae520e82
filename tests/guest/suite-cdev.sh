#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# /dev/tpm0's system-call semantics: bad writes, partial reads, O_NONBLOCK.
# Checks: 14
exec python3 "$TPMTEST_REPO/tests/guest/tpmdev.py" cdev
