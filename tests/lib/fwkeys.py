#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fwkeys.py <console-log> <qmp-socket> <key> <failures>: the user at the
keyboard of a guest that reboots through its firmware (tests/guest.sh, a
suite with "# Reboots: yes").

Follows the guest's console log.  Each time the firmware asks for F12 to
confirm a change (OVMF's Physical Presence prompt, "Press F12 ..."),
presses <key> (a QEMU qcode: f12 confirms, esc rejects) through QEMU's
QMP socket.  It also watches the boots: after the guest says it reboots,
the next boot must come up within REBOOT_LIMIT seconds (a firmware
waiting for a key nobody gives), and no boot may start that nobody asked
for (a kernel that panics before the harness counts its boot would
otherwise boot again and again).  Either, or a key QEMU refused, is a
failure: a line in <failures> (tests/guest.sh adds it to the run's log
and prints it), and QEMU is told to quit.  Runs until the guest is done;
tests/guest.sh stops it when QEMU is gone.  Exit status 0, or 1 if it
could not do its part.
"""
import json
import os
import re
import socket
import sys
import time

REBOOT_LIMIT = int(os.environ.get("TPM_OOT_REBOOT_LIMIT", "600"))
PROMPT = re.compile(rb"Press F12 ")


def qmp(path, command, arguments=None):
    """Run one QMP command; return its reply (OSError or ValueError if QEMU
    is gone or answers nothing sensible within 10 s)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
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


def fail(failures, sock, what):
    """A failure of the run: said, and QEMU told to quit."""
    with open(failures, "a") as f:
        f.write("TEST-FAIL: harness/%s\n" % what)
    print("fwkeys: " + what, flush=True)
    try:
        qmp(sock, "quit")
    except (OSError, ValueError):
        pass


def count(pattern, text):
    return len(re.findall(pattern, text))


def main():
    log, sock, key, failures = sys.argv[1:5]
    prompts = 0
    rebooted_at = None
    while True:
        time.sleep(0.5)
        try:
            with open(log, "rb") as f:
                text = f.read()
        except OSError:
            continue
        for _ in range(len(PROMPT.findall(text)) - prompts):
            prompts += 1
            try:
                reply = qmp(sock, "send-key",
                            {"keys": [{"type": "qcode", "data": key}]})
            except (OSError, ValueError) as e:
                print("fwkeys: prompt %d: QMP: %s" % (prompts, e), flush=True)
                return 1
            print("fwkeys: prompt %d: sent %s: %s" % (prompts, key, reply), flush=True)
            if "error" in reply:
                fail(failures, sock, "fwkeys: QEMU refused key %s: %s" % (key, reply["error"]))
                return 0
        if re.search(rb"(?m)^guest: done", text):
            return 0
        # Boot k says "up", then "rebooting": k of each while boot k + 1
        # has yet to come up.  Each boot but the first follows a reboot.
        ups = count(rb"(?m)^guest: up", text)
        reboots = count(rb"(?m)^guest: rebooting", text)
        # The kernel's banner, at the start of its line but for the
        # firmware's screen-clearing escapes before it.
        banners = count(rb"(?m)^(?:\x1b\[[0-9;=]*[A-Za-z])*Linux version ", text)
        if banners > reboots + 1:
            fail(failures, sock, "boot-unasked: %d kernels booted after %d reboots asked for"
                 % (banners, reboots))
            return 0
        if ups and reboots >= ups:
            rebooted_at = rebooted_at or time.monotonic()
        else:
            rebooted_at = None
        if rebooted_at is not None and time.monotonic() - rebooted_at > REBOOT_LIMIT:
            fail(failures, sock, "reboot-timeout: no boot came up %d s after the guest "
                 "rebooted (a firmware prompt unanswered?)" % REBOOT_LIMIT)
            return 0


if __name__ == "__main__":
    sys.exit(main())
