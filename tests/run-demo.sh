#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: boot the guest (plain kernel), load our modules and use the
# TPM through /dev/tpm0 with tpm2-tools.
exec "$(dirname "$0")/guest.sh" --kernel "${KERNEL:-plain}" --driver "${DRIVER:-ours}" demo
