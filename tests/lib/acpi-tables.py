#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A DSDT that gives QEMU's tpm-crb the layout other firmware describes,
as an initrd for the kernel's ACPI table upgrade (tests/guest.sh --acpi).

  acpi-tables.py <layout> <out.cpio>

QEMU's tpm-crb has its registers at 0xfed40000, the control area at
0xfed40040 and one buffer for commands and responses at 0xfed40080 of
0xf80 bytes, all in one _CRS region of 0x1000 bytes.  The DSDT written here
keeps the device where QEMU serves it and describes it as other machines'
firmware does (layouts):

  split-trim  two _CRS regions, as AMD firmware TPMs have: the registers
              (Memory32Fixed, 0x80 bytes) and the buffer's (a 64-bit
              QWordMemory descriptor) of 0xb80 bytes, shorter than the
              0xf80 the device reports: a broken BIOS, which upstream
              survives by trimming the buffer to its region (still room
              for the largest context blob a resource manager moves)
  outside     one region of 0x80 bytes with the registers only: the buffer
              is outside every region and is mapped as the device reports

The table is a whole DSDT (QEMU's other devices are not described: the
guest boots with pci=noacpi and finds the rest without ACPI), with
QEMU's OEM ids and a higher OEM revision, which is what the kernel's
table upgrade (CONFIG_ACPI_TABLE_UPGRADE) replaces a table with.  The
cpio is uncompressed (newc) with the table at kernel/firmware/acpi/, as
Documentation/admin-guide/acpi/initrd_table_override.rst asks.
"""
import struct
import sys

REGS = 0xfed40000
BUF = REGS + 0x80
# The OEM revision the guest checks to know the table was taken
# (QEMU's is 1; the kernel takes only a higher one).
OEM_REVISION = 0x7470_6d02


def pkg_length(body):
    """PkgLength (ACPI 6.4, 20.2.4) in front of @body: it counts itself."""
    n = len(body)
    if n + 1 < 0x40:
        return bytes([n + 1]) + body
    for extra in (1, 2, 3):
        total = n + 1 + extra
        if total < 1 << (4 + 8 * extra):
            head = [(extra << 6) | (total & 0xf)]
            head += [(total >> (4 + 8 * i)) & 0xff for i in range(extra)]
            return bytes(head) + body
    raise ValueError('package too long')


def integer(v):
    if v in (0, 1):
        return bytes([v])
    for prefix, fmt in ((0x0a, '<B'), (0x0b, '<H'), (0x0c, '<I'), (0x0e, '<Q')):
        if v < 1 << (8 * struct.calcsize(fmt)):
            return bytes([prefix]) + struct.pack(fmt, v)
    raise ValueError(v)


def name(seg, value):
    return b'\x08' + seg + value


def string(s):
    return b'\x0d' + s.encode() + b'\x00'


def buffer(data):
    return b'\x11' + pkg_length(integer(len(data)) + data)


def package(items):
    return b'\x12' + pkg_length(bytes([len(items)]) + b''.join(items))


def scope(path, body):
    return b'\x10' + pkg_length(path + body)


def device(seg, body):
    return b'\x5b\x82' + pkg_length(seg + body)


def memory32_fixed(base, length):
    """Memory32Fixed(ReadWrite, base, length)"""
    return struct.pack('<BHBII', 0x86, 9, 1, base, length)


def qword_memory(base, length):
    """QWordMemory(ResourceConsumer, PosDecode, MinFixed, MaxFixed,
    NonCacheable, ReadWrite, 0, base, base + length - 1, 0, length)"""
    body = struct.pack('<BBBQQQQQ', 0, 0x0d, 0x01, 0, base,
                       base + length - 1, 0, length)
    return struct.pack('<BH', 0x8a, len(body)) + body


LAYOUTS = {
    'split-trim': [memory32_fixed(REGS, 0x80), qword_memory(BUF, 0xb80)],
    'outside': [memory32_fixed(REGS, 0x80)],
}


def table(sig, revision, body):
    """An ACPI table with QEMU's OEM ids, its checksum made good."""
    head = struct.pack('<4sIBB6s8sI4sI', sig, 36 + len(body), revision, 0,
                       b'BOCHS ', b'BXPC    ', OEM_REVISION, b'TPMT', 1)
    raw = bytearray(head + body)
    raw[9] = -sum(raw) & 0xff
    return bytes(raw)


def dsdt(layout):
    crs = b''.join(LAYOUTS[layout]) + b'\x79\x00'
    tpm = device(b'TPM_', name(b'_HID', string('MSFT0101')) +
                 name(b'_UID', integer(1)) +
                 name(b'_STA', integer(0xf)) +
                 name(b'_CRS', buffer(crs)))
    # _S5: what QEMU's PIIX4 and ICH9 power off with (the guest's last step).
    s5 = name(b'_S5_', package([integer(0)] * 4))
    return table(b'DSDT', 2, scope(b'\\_SB_', tpm) + s5)


def cpio(files):
    """An uncompressed newc archive of {path: bytes}."""
    out = b''
    for ino, (path, data) in enumerate(list(files.items()) + [('TRAILER!!!', b'')]):
        mode = 0o100644 if data else 0
        fields = (ino + 1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                  len(path) + 1, 0)
        rec = b'070701' + b''.join(b'%08X' % f for f in fields)
        rec += path.encode() + b'\x00'
        rec += b'\x00' * (-len(rec) % 4) + data
        out += rec + b'\x00' * (-len(rec) % 4)
    return out


def main(argv):
    if len(argv) != 3 or argv[1] not in LAYOUTS:
        sys.stderr.write('usage: acpi-tables.py <%s> <out.cpio>\n' %
                         '|'.join(LAYOUTS))
        return 2
    with open(argv[2], 'wb') as f:
        f.write(cpio({'kernel/firmware/acpi/dsdt.aml': dsdt(argv[1])}))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
