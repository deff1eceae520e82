#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fwkeys.py <console-log> <qmp-socket> <key>: the user at the keyboard of a
guest that reboots through its firmware (tests/guest.sh, a suite with
"# Reboots: yes").

Follows the guest's console log.  Each time the firmware asks for a key to
confirm a change (OVMF's Physical Presence prompt, "Press F12 ..." or
"Press F10 ..."), presses <key> (a QEMU qcode: f12, f10, esc) through
QEMU's QMP socket.  After the guest says it reboots, the next boot must
come up within REBOOT_LIMIT seconds, else the run fails (a line in the
log) and QEMU is told to quit: a firmware waiting for a key nobody gives
must not hold the run until its overall limit.  Ends when the guest is
done or QEMU is gone.
"""
import json
import os
import re
import socket
import sys
import time

REBOOT_LIMIT = int(os.environ.get("TPM_OOT_REBOOT_LIMIT", "600"))
PROMPT = re.compile(rb"Press F1[02] ")


def qmp(path, command, arguments=None):
    """Run one QMP command; return its reply (raises OSError if QEMU is gone)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        f = s.makefile("rwb")
        f.readline()                            # the greeting
        for cmd in ({"execute": "qmp_capabilities"},
                    {"execute": command, "arguments": arguments or {}}):
            f.write(json.dumps(cmd).encode() + b"\n")
            f.flush()
            while True:                         # skip events
                reply = json.loads(f.readline())
                if "return" in reply or "error" in reply:
                    break
        return reply


def main():
    log, sock, key = sys.argv[1:4]
    prompts = 0
    rebooted_at = None
    while True:
        time.sleep(0.5)
        try:
            with open(log, "rb") as f:
                text = f.read()
        except OSError:
            continue
        # A prompt counts as soon as it is printed (the firmware may wait
        # for the key before it ends the line); the guest's lines once whole.
        done = text[:text.rfind(b"\n") + 1]
        for _ in range(len(PROMPT.findall(text)) - prompts):
            prompts += 1
            try:
                reply = qmp(sock, "send-key",
                            {"keys": [{"type": "qcode", "data": key}]})
            except OSError:
                return 0
            print(f"fwkeys: prompt {prompts}: sent {key}: {reply}", flush=True)
        if b"\nguest: done" in b"\n" + done:
            return 0
        # Boot k says "up", then "rebooting": k of each while boot k + 1
        # has yet to come up.
        ups = len(re.findall(rb"(?m)^guest: up", done))
        reboots = len(re.findall(rb"(?m)^guest: rebooting", done))
        if ups and reboots >= ups:
            rebooted_at = rebooted_at or time.monotonic()
        else:
            rebooted_at = None
        if rebooted_at is not None and time.monotonic() - rebooted_at > REBOOT_LIMIT:
            with open(log, "ab") as f:
                f.write(b"TEST-FAIL: harness/reboot-timeout: no boot came up %d s after "
                        b"the guest rebooted (a firmware prompt unanswered?)\n" % REBOOT_LIMIT)
            try:
                qmp(sock, "quit")
            except OSError:
                pass
            return 0


if __name__ == "__main__":
    sys.exit(main())
