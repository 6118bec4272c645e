#!/usr/bin/env python3
"""mkmodbtf.py VMLINUX OUT: write a module's split BTF (as in
/sys/kernel/btf/<module>) on base VMLINUX with one type,
struct xdpld_mod_thing { int a; int b; }.  Prints the new type's id."""
import struct, sys

SIZES = {1: lambda v: 4, 2: lambda v: 0, 3: lambda v: 12, 4: lambda v: 12 * v,
         5: lambda v: 12 * v, 6: lambda v: 8 * v, 7: lambda v: 0, 8: lambda v: 0,
         9: lambda v: 0, 10: lambda v: 0, 11: lambda v: 0, 12: lambda v: 0,
         13: lambda v: 8 * v, 14: lambda v: 4, 15: lambda v: 12 * v, 16: lambda v: 0,
         17: lambda v: 4, 18: lambda v: 0, 19: lambda v: 12 * v}

base = open(sys.argv[1], "rb").read()
magic, ver, flags, hdr_len, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", base)
assert magic == 0xeB9F, "not little-endian BTF"
types = base[hdr_len + toff:hdr_len + toff + tlen]
strs = base[hdr_len + soff:hdr_len + soff + slen]
pos, tid, int_id = 0, 1, None
while pos < len(types):
    name_off, info, size = struct.unpack_from("<III", types, pos)
    kind, vlen = (info >> 24) & 0x1f, info & 0xffff
    if kind == 1 and int_id is None and strs[name_off:name_off + 4] == b"int\0":
        int_id = tid
    pos += 12 + SIZES[kind](vlen)
    tid += 1
assert int_id, "no int in the base"
s = b"\0xdpld_mod_thing\0a\0b\0"
t = struct.pack("<III", slen + 1, (4 << 24) | 2, 8)
t += struct.pack("<III", slen + 17, int_id, 0) + struct.pack("<III", slen + 19, int_id, 32)
hdr = struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, len(t), len(t), len(s))
open(sys.argv[2], "wb").write(hdr + t + s)
print(tid)
