#!/usr/bin/env python3
"""tomatches.py IN.o OUT.o: IN.o with every type_exists CO-RE record (kind 8)
of .BTF.ext turned into type_matches (kind 12), as core_ref --matches does
in memory (clang 14 cannot emit TYPE_MATCHES).  Little-endian ELF64 only."""
import struct, sys

b = bytearray(open(sys.argv[1], "rb").read())
assert b[:4] == b"\x7fELF" and b[4] == 2 and b[5] == 1, "not a little-endian ELF64"
shoff, = struct.unpack_from("<Q", b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3a)
def shdr(i):
    return struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize)
stroff = shdr(shstrndx)[4]
n = 0
for i in range(shnum):
    name, _, _, _, off, size = shdr(i)[:6]
    end = b.index(b"\0", stroff + name)
    if bytes(b[stroff + name:end]) != b".BTF.ext":
        continue
    hdr_len, = struct.unpack_from("<I", b, off + 4)
    core_off, core_len = struct.unpack_from("<II", b, off + 24)
    p = off + hdr_len + core_off
    rec, = struct.unpack_from("<I", b, p)
    pos = 4
    while pos + 8 <= core_len:
        nr, = struct.unpack_from("<I", b, p + pos + 4)
        pos += 8
        for _ in range(nr):
            if struct.unpack_from("<I", b, p + pos + 12)[0] == 8:
                struct.pack_into("<I", b, p + pos + 12, 12)
                n += 1
            pos += rec
open(sys.argv[2], "wb").write(b)
print(n)
