#!/usr/bin/env python3
"""Shrink an ELF64 kernel for GRUB to load faster: cut the zeros at the end
of each PT_LOAD segment's file image (the loader zero-fills up to p_memsz
anyway) and drop what follows the last segment (section headers, which
loading by program headers never reads).

    trim-vmlinux.py IN OUT

Debian's vmlinux keeps its .bss and .init.scratch as file bytes (about
23 MiB of zeros for the generic kernel); under Bochs GRUB reads every byte
from the emulated CD, so the trimmed file boots the same kernel about 40%
sooner to the hypervisor's start. Segments keep their file offsets, so the
PVH note (a PT_NOTE inside the first segment) stays where it was."""
import struct
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = bytearray(open(sys.argv[1], 'rb').read())
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        sys.exit(f'{sys.argv[1]}: not a little-endian ELF64 file')
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    end = phoff + phentsize * phnum
    for i in range(phnum):
        ph = phoff + i * phentsize
        ptype, = struct.unpack_from('<I', data, ph)
        off, filesz = struct.unpack_from('<Q', data, ph + 8)[0], struct.unpack_from('<Q', data, ph + 32)[0]
        if ptype == 1:                      # PT_LOAD
            seg = data[off:off + filesz]
            keep = len(seg.rstrip(b'\0'))
            keep = (keep + 7) & ~7           # whole words: nothing meaningful changes
            keep = min(keep, filesz)
            struct.pack_into('<Q', data, ph + 32, keep)
            filesz = keep
        end = max(end, off + filesz)
    # No section headers any more (e_shoff, e_shnum, e_shstrndx).
    struct.pack_into('<Q', data, 0x28, 0)
    struct.pack_into('<HH', data, 0x3c, 0, 0)
    with open(sys.argv[2] + '.tmp', 'wb') as f:
        f.write(data[:end])
    import os
    os.replace(sys.argv[2] + '.tmp', sys.argv[2])
    print(f'{sys.argv[2]}: {end} bytes (from {len(data)})')


if __name__ == '__main__':
    main()
