# SPDX-License-Identifier: GPL-2.0
"""What the vtpm proxy servers in front of swtpm share (excl.py, interpose.py).

new_device(info): a TPM 2.0 vtpm proxy device; its number goes to the file
info (written whole, then renamed), its server's file descriptor back.
exchange(sock, cmd): cmd to swtpm over its unixio socket; its response.
relay(info, path, answer): a device (new_device(info)) whose commands go to
answer(sock, cmd, cc) with sock connected to swtpm at path, until the chip
goes away.
LOCALITY: the proxy's own TPM2_SetLocality, answered by the server, with
SUCCESS: the response to it.
"""
import fcntl
import os
import socket
import struct

VTPM_PROXY_IOC_NEW_DEV = 0xC014A100     # _IOWR(0xa1, 0x00, 5 * u32)
VTPM_PROXY_FLAG_TPM2 = 1
LOCALITY = 0x20001000
SUCCESS = struct.pack('>HII', 0x8001, 10, 0)


def new_device(info):
    vtpmx = os.open('/dev/vtpmx', os.O_RDWR)
    arg = struct.pack('<5I', VTPM_PROXY_FLAG_TPM2, 0, 0, 0, 0)
    _, num, fd, _, _ = struct.unpack('<5I', fcntl.ioctl(vtpmx, VTPM_PROXY_IOC_NEW_DEV, arg))
    os.close(vtpmx)
    with open(info + '.tmp', 'w') as f:
        f.write('%d\n' % num)
    os.rename(info + '.tmp', info)
    return fd


def recv_all(sock, n):
    out = b''
    while len(out) < n:
        part = sock.recv(n - len(out))
        if not part:
            raise EOFError('swtpm closed the socket')
        out += part
    return out


def exchange(sock, cmd):
    sock.sendall(cmd)
    hdr = recv_all(sock, 10)
    return hdr + recv_all(sock, struct.unpack('>I', hdr[2:6])[0] - 10)


def relay(info, path, answer):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    fd = new_device(info)
    while True:
        try:
            cmd = os.read(fd, 4096)
        except OSError:
            return 0        # the chip went away
        cc = struct.unpack('>I', cmd[6:10])[0]
        if cc == LOCALITY:  # the proxy's own, not the TPM's
            os.write(fd, SUCCESS)
            continue
        os.write(fd, answer(sock, cmd, cc))
