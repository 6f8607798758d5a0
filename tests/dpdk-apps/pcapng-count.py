#!/usr/bin/env python3
"""pcapng-count.py FILE LEN: walks every block of a pcapng file (section
header first, lengths checked at both ends) and prints how many Enhanced
Packet Blocks it holds; exits 1 on a malformed file or a packet whose
captured or original length is not LEN."""
import struct
import sys

SHB, EPB = 0x0A0D0D0A, 6


def count(path, want_len):
    data = open(path, 'rb').read()
    if len(data) < 12 or struct.unpack_from('<I', data, 0)[0] != SHB:
        raise ValueError('no section header block')
    endian = '<' if struct.unpack_from('<I', data, 8)[0] == 0x1A2B3C4D else '>'
    off, packets = 0, 0
    while off < len(data):
        btype, blen = struct.unpack_from(endian + 'II', data, off)
        if blen < 12 or blen % 4 or off + blen > len(data):
            raise ValueError(f'bad block length {blen} at {off}')
        if struct.unpack_from(endian + 'I', data, off + blen - 4)[0] != blen:
            raise ValueError(f'trailing length mismatch at {off}')
        if btype == EPB:
            caplen, origlen = struct.unpack_from(endian + 'II', data, off + 20)
            if caplen != want_len or origlen != want_len:
                raise ValueError(f'packet {packets}: {caplen}/{origlen} B, want {want_len}')
            packets += 1
        off += blen
    return packets


if __name__ == '__main__':
    try:
        print(count(sys.argv[1], int(sys.argv[2])))
    except (OSError, ValueError, struct.error) as e:
        print(f'pcapng-count: {e}', file=sys.stderr)
        sys.exit(1)
