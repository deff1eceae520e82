# SPDX-License-Identifier: GPL-2.0
#
# suspend-end.sh <family>: run by busybox sh from tmpfs (see
# suite-suspend.sh): the suspend checks, then the end of the guest, with
# nothing from the 9p root.
d=$(dirname "$0")
# shellcheck source=tests/guest/common.sh
. "$d/common.sh"
SUITE=suspend
timeout 300 "$d/tpm-suspend" "$1" 5
exited tpm-suspend $?
unload_driver || fail unload "rmmod failed"
guest_finish
