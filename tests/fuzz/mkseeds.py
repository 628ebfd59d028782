#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets: tests/fuzz/corpus/<name>/.

Each seed is a valid input of the unit tests (the same information, image,
table or register sequence, built the same way) wrapped in the target's own
input format (the parameter bytes its comment describes, then the payload).
The instruction seeds are read out of tests/unit/vmm/emul/test_decode.c's
table. The seeds are committed; run this again after changing a target's
input format:

    tests/fuzz/mkseeds.py            # rewrites tests/fuzz/corpus/
"""
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def u8(v): return struct.pack("<B", v & 0xff)
def u16(v): return struct.pack("<H", v & 0xffff)
def u32(v): return struct.pack("<I", v & 0xffffffff)
def u64(v): return struct.pack("<Q", v & 0xffffffffffffffff)


class Mem:
    """A little-endian byte image with absolute addresses from base."""

    def __init__(self, base, size, fill=0):
        self.base = base
        self.b = bytearray([fill]) * size

    def w(self, addr, data):
        o = addr - self.base
        self.b[o:o + len(data)] = data

    def bytes(self):
        return bytes(self.b)


def csum(data):
    return (-sum(data)) & 0xff


seeds = {}


def seed(target, name, data):
    seeds.setdefault(target, []).append((name, bytes(data)))


# ---- boot side -------------------------------------------------------------

def mb2_info():
    """A GRUB-like multiboot2 information (tests/unit/boot/test_mb2.c)."""
    tags = b""

    def tag(t, payload):
        nonlocal tags
        tags += u32(t) + u32(8 + len(payload)) + payload
        tags += b"\0" * (-len(tags) % 8)

    tag(1, b"console=ttyS0 loglevel=debug\0")
    tag(2, b"GRUB 2.06\0")
    tag(3, u32(0x200000) + u32(0x280000) + b"vm=web vcpus=2 mem=256M\0")
    tag(3, u32(0x300000) + u32(0x300000) + b"\0")
    ents = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0x7ee0000, 1)]
    tag(6, u32(24) + u32(0) + b"".join(u64(b) + u64(l) + u32(t) + u32(0) for b, l, t in ents))
    rsdp = bytearray(b"RSD PTR " + b"\0" + b"BOCHS " + b"\0" + u32(0x7fe0000))
    rsdp[8] = csum(rsdp)
    tag(14, bytes(rsdp))
    tag(0, b"")
    return u32(8 + len(tags)) + u32(0) + tags


def pvh_mem(version):
    """Start info, modules, memory map, strings (tests/unit/boot/test_pvh.c)."""
    m = Mem(0x1000, 0x200, 0xcc)
    m.w(0x1000, u32(0x336ec578) + u32(version) + u32(0) + u32(2) + u64(0x1040) +
        u64(0x1100) + u64(0xf5a30) + u64(0x10a0) + u32(3) + u32(0))
    m.w(0x1040, u64(0x200000) + u64(0x80000) + u64(0x1140) + u64(0))
    m.w(0x1060, u64(0x300000) + u64(0x1000) + u64(0) + u64(0))
    for i, (a, s, t) in enumerate([(0, 0x9fc00, 1), (0xf0000, 0x10000, 2), (0x100000, 0x7f00000, 1)]):
        m.w(0x10a0 + 24 * i, u64(a) + u64(s) + u32(t) + u32(0))
    m.w(0x1100, b"console=ttyS0 maxcpus=2\0")
    m.w(0x1140, b"vm=guest vcpus=1 mem=64M\0")
    return m.bytes()


def acpi_mem():
    """RSDP, XSDT, RSDT, MADT, FADT, DSDT as tests/unit/hw/test_acpi.c builds
    them, packed from 0xE0000."""
    base = 0xe0000
    XSDT, RSDT, MADT, FADT, DSDT = base + 0x30, base + 0x70, base + 0x100, base + 0x200, base + 0x340
    m = Mem(base, 0x400)

    def sdt(sig, body, rev):
        t = bytearray(sig + u32(36 + len(body)) + u8(rev) + b"\0" + b"LHVOEM" + b"\0" * 20 + body)
        t[9] = csum(t)
        return bytes(t)

    m.w(XSDT, sdt(b"XSDT", u64(MADT) + u64(0) + u64(FADT), 1))
    m.w(RSDT, sdt(b"RSDT", u32(MADT) + u32(FADT), 1))
    madt = u32(0xfee00000) + u32(1)
    madt += bytes([0, 8, 0, 0]) + u32(1) + bytes([0, 8, 1, 2]) + u32(1) + bytes([0, 8, 2, 4]) + u32(0)
    madt += bytes([1, 12, 8, 0]) + u32(0xfec00000) + u32(0)
    madt += bytes([2, 10, 0, 0]) + u32(2) + u16(0) + bytes([2, 10, 0, 9]) + u32(9) + u16(0x0d)
    madt += bytes([0x7f, 4, 1, 2])
    madt += bytes([9, 16, 0, 0]) + u32(300) + u32(1) + u32(5)
    madt += bytes([5, 12, 0, 0]) + u64(0xfee10000)
    m.w(MADT, sdt(b"APIC", madt, 3))
    fadt = bytearray(276 - 36)

    def put(off, data):
        fadt[off - 36:off - 36 + len(data)] = data
    put(40, u32(DSDT))
    put(46, u16(9))
    put(64, u32(0x604))
    put(76, u32(0x608))
    put(89, u8(2))
    put(91, u8(4))
    put(112, u32((1 << 8) | (1 << 10)))
    put(116, bytes([1, 8, 0, 1]) + u64(0xcf9))
    put(128, u8(6))
    m.w(FADT, sdt(b"FACP", bytes(fadt), 6))
    aml = bytes([0x10, 0x0a]) + b"\\_SB_" + bytes([0x70]) + b"_S5_" + bytes([0x60])
    aml += bytes([0x08]) + b"\\_S5_" + bytes([0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00])
    m.w(DSDT, sdt(b"DSDT", aml, 2))
    rsdp = bytearray(b"RSD PTR " + b"\0" + b"QEMUxx" + u8(2) + u32(RSDT) + u32(36) + u64(XSDT) + b"\0" * 4)
    rsdp[8] = csum(rsdp[:20])
    rsdp[32] = csum(rsdp)
    m.w(base, bytes(rsdp))
    return m.bytes()


def mb1_elf():
    """An ELF32 Multiboot kernel (tests/unit/vmm/load/test_mb1.c's two
    segments and a PT_NOTE), compacted into 0x600 bytes."""
    m = Mem(0, 0x600)
    m.w(0, b"\x7fELF\x01\x01\x01")
    m.w(16, u16(2) + u16(3) + u32(1) + u32(0x100010) + u32(52))
    m.w(40, u16(52) + u16(32) + u16(3))
    segs = [(1, 0x200, 0x100000, 0x100000, 0x200, 0x300),
            (1, 0x400, 0x101000, 0x101000, 0x100, 0x100),
            (4, 0, 0, 0, 0x10, 0x10)]
    for i, (t, off, va, pa, fs, ms) in enumerate(segs):
        m.w(52 + 32 * i, u32(t) + u32(off) + u32(va) + u32(pa) + u32(fs) + u32(ms) + u32(5) + u32(0x1000))
    flags = 0x3
    m.w(0x100, u32(0x1BADB002) + u32(flags) + u32(-(0x1BADB002 + flags)))
    return m.bytes()


def mb1_aout():
    """A Multiboot a.out-kludge kernel: the header's address fields."""
    m = Mem(0, 0x400, 0x90)
    flags = 0x10003
    m.w(0x40, u32(0x1BADB002) + u32(flags) + u32(-(0x1BADB002 + flags)) +
        u32(0x100040) + u32(0x100000) + u32(0) + u32(0x102000) + u32(0x100080))
    return m.bytes()


def mb1_params(nres, nmods, ram, res, gpa, info_len, mods, cmdlen, flags=0):
    p = u8((nres & 3) | (nmods & 3) << 2 | flags) + u32(ram >> 12)
    for s, l in res:
        p += u32(s) + u32(l)
    p += u32(gpa) + u16(info_len)
    for s, l in mods:
        p += u32(s) + u32(l)
    p += u16(cmdlen)
    assert len(p) == 53
    return p


def bzimage(setup_sects=1, reloc=1, pref=0x1000000, payload=0x400, version=0x020f):
    """A fake bzImage as tests/unit/vmm/load/test_linux_boot.c's good()."""
    ss = setup_sects or 4
    n = (ss + 1) * 512 + payload
    p = bytearray((i * 7 + 3) & 0xff for i in range(n))
    p[0x1f1:0x290] = b"\0" * (0x290 - 0x1f1)
    p[0x1f1] = setup_sects
    p[0x1f4:0x1f8] = u32(payload // 16)
    p[0x1fa:0x1fc] = u16(0xffff)
    p[0x1fe:0x200] = u16(0xaa55)
    p[0x200] = 0xeb
    p[0x201] = 0x6a
    p[0x202:0x206] = b"HdrS"
    p[0x206:0x208] = u16(version)
    p[0x211] = 1
    p[0x214:0x218] = u32(0x100000)
    p[0x22c:0x230] = u32(0x7fffffff)
    p[0x230:0x234] = u32(0x200000)
    p[0x234] = reloc
    p[0x235] = 21
    p[0x236:0x238] = u16(0x7f)
    p[0x238:0x23c] = u32(2047)
    p[0x258:0x260] = u64(pref)
    p[0x260:0x264] = u32(0x2000000)
    return bytes(p)


def linux_params(nres, ram, cmdlen, initrd, rsdp, res, pt_gpa, map_units, flags=0):
    p = u8((nres & 3) | flags) + u32(ram >> 12) + u16(cmdlen) + u32(initrd) + u64(rsdp)
    for s, l, t in res:
        p += u32(s) + u32(l) + u8(t)
    p += (u64(pt_gpa) if flags & 8 else u32(pt_gpa)) + u16(map_units)
    return p


def pvh_elf(entry_note_size=8):
    """A vmlinux-like ELF64 with one executable PT_LOAD and the Xen PVH entry
    note (tests/unit/vmm/load/test_loader_pvh.c), in 0x400 bytes."""
    m = Mem(0, 0x400)
    m.w(0, b"\x7fELF\x02\x01\x01")
    m.w(16, u16(2) + u16(62) + u32(1) + u64(0xffffffff81000000) + u64(64) + u64(0) +
        u32(0) + u16(64) + u16(56) + u16(2))
    # PT_LOAD R+X at 16 MiB, PT_NOTE.
    m.w(64, u32(1) + u32(5) + u64(0x200) + u64(0xffffffff81000000) + u64(0x1000000) +
        u64(0x200) + u64(0x1000) + u64(0x200000))
    note = u32(4) + u32(entry_note_size) + u32(18) + b"Xen\0"
    note += u64(0x1000010) if entry_note_size == 8 else u32(0x1000010)
    m.w(120, u32(4) + u32(4) + u64(0x100) + u64(0) + u64(0) + u64(len(note)) + u64(len(note)) + u64(4))
    m.w(0x100, note)
    m.w(0x200, b"\x90" * 0x200)
    return m.bytes()


def pvh_params(nres, ram, cmdlen, initrd, rsdp, res, flags=0):
    p = u8((nres & 3) | flags) + u32(ram >> 12) + u16(cmdlen) + u32(initrd) + u64(rsdp)
    for s, l, t in res:
        p += u32(s) + u32(l) + u8(t)
    return p


NORES3 = [(0, 0, 0)] * 3


def boot_seeds():
    seed("mb2", "grub", u8(160) + mb2_info())
    seed("mb2", "grub-short-err", u8(16) + mb2_info())
    seed("pvh", "qemu-v1", u8(160) + pvh_mem(1))
    seed("pvh", "qemu-v0", u8(160) + pvh_mem(0))
    for i, line in enumerate([
            b'  a=1\tflag  name="two words" =x k= ""  -- guest  tail -- x',
            b"loglevel=debug maxcpus=4 tsc_khz=2000000 sched=gang debug_fault=yes mem=512M quiet",
            b"bogus=1 loglevel=banana maxcpus=0 mem=4KiB quiet=1",
            b'mem=0x10000000 maxcpus=0x40 sched="free" debug_fault=off --',
            b"--x -- console=ttyS0"]):
        seed("cmdline", "line%d" % i, u8(3) + line)
    free = 900 << 20
    for i, line in enumerate([
            b"vm=web vcpus=2 mem=256M",
            b'  vm=db_2-x  vcpus=64 mem=3M weight=65535 cap=6400 slice=30  -- console=ttyS0 "quoted arg"  ',
            b"vm=a vcpus=1 mem=2M slice=500us weight=1 cap=100 --",
            b"vm=a vcpus=0x2 mem=0x200000",
            b"vm=web initrd",
            b"vm=kut module -- NR_CPUS=2 MEMSIZE=32",
            b"vm=web vcpu=2 mem=1G"]):
        seed("vmcfg", "line%d" % i, u64(free) + u8(199) + line)
    seed("mb1", "elf", mb1_params(1, 2, 64 << 20, [(0x800000, 0x10000), (0, 0)], 0x9000, 4096,
                                  [(0x1000000, 0x10000), (0x1100000, 0x2000), (0, 0)], 20) + mb1_elf())
    seed("mb1", "aout", mb1_params(0, 3, 64 << 20, [(0, 0), (0, 0)], 0x9000, 1024,
                                   [(0x1000000, 0x10000), (0x1100000, 0x2000), (0x1200000, 0x10)], 300, 16) + mb1_aout())
    acpi = (0xe0000, 0x1000, 3)
    seed("linux", "relocatable", linux_params(1, 256 << 20, 30, 0x100000, 0xe0000, [acpi] + NORES3[1:],
                                             0x10000, 128) + bzimage())
    seed("linux", "fixed-pref", linux_params(3, 64 << 20, 2047, 0x80000, 0, [acpi, (0x3000000, 0x100000, 2),
                                                                           (0x3f00000, 0x100000, 4)],
                                            0x10000, 32, 4) + bzimage(reloc=0, pref=0x100000, version=0x020c))
    # Page tables whose end wraps past 2^64 (refused since the fix).
    seed("linux", "pt-wrap", linux_params(0, 0, 0, 0, 0, NORES3, 0xfffffffffffff000, 1, 8))
    seed("linux", "pt-high", linux_params(0, 2 << 30, 0, 0, 0, NORES3, 0x7ff00000, 1024, 8) + bzimage(setup_sects=0))
    seed("loader_pvh", "vmlinux", pvh_params(1, 512 << 20, 40, 0x200000, 0xe0000, [acpi] + NORES3[1:]) + pvh_elf())
    seed("loader_pvh", "note4", pvh_params(3, 64 << 20, 0, 0, 0, [acpi, (0x2000000, 0x10000, 2),
                                                                (0x3ff0000, 0x10000, 4)], 4) + pvh_elf(4))
    seed("acpi", "qemu-like", u8(160) + acpi_mem())
    for name, n, flags, gpa, short in [("2cpus", 2, 0, 0xe0000, 0), ("300cpus", 300, 1, 0xe0000, 0),
                                       ("1024cpus", 1024, 0, 0xe0000, 0), ("gpa64", 1, 2, 0xe0000, 0)]:
        seed("acpi_build", name, u16(n) + u8(flags) + (u64(gpa) if flags & 2 else u32(gpa)) + u16(short))


# ---- guest side ------------------------------------------------------------

def decode_seeds():
    src = open(os.path.join(ROOT, "tests", "unit", "vmm", "emul", "test_decode.c")).read()
    rows = re.findall(r'\{\s*(16|32|64),\s*"[^"]*",\s*\{([^}]*)\}', src)
    mode = {"16": 0, "32": 1, "64": 2}
    picked = rows[::7]          # every seventh row keeps the corpus small
    for i, (m, body) in enumerate(picked):
        insn = bytes(int(x, 16) for x in re.findall(r"0x([0-9a-fA-F]+)", body))
        seed("decode", "t%02d" % i, u8(mode[m]) + u64(0x1122334455667788) + u64(0x80) + u64(0x202) + insn)


def vioapic_seeds():
    def rte(pin, v):
        return (u8(0) + u8(0x10 + 2 * pin + 1) + u8(1) + u32(v >> 32) +
                u8(0) + u8(0x10 + 2 * pin) + u8(1) + u32(v))
    edge = rte(2, (1 << 56) | 0x30)
    level = rte(9, (0 << 56) | (1 << 15) | 0x41)
    ops = edge + level + u8(6) + u8(2) + u8(4) + u8(9) + u8(7) + u8(0x41) + u8(5) + u8(9) + u8(7) + u8(0x41)
    ops += u8(0) + u8(0x01) + u8(3) + u8(0x10) + u8(0) + u8(0x14) + u8(3) + u8(0x10)
    seed("vioapic", "linux", u8(4) + ops)
    # Linux's remote-IRR unstick: switch the level pin to edge and back.
    seed("vioapic", "unstick", u8(0) + level + u8(4) + u8(9) + rte(9, 0x41) + rte(9, (1 << 15) | 0x41))


def vpic_seeds():
    def w(chip, a0, v): return u8((chip << 1) | a0) + u8(v)
    def r(chip, a0): return u8(8 | (chip << 1) | a0) + u8(0)
    ops = w(0, 0, 0x11) + w(0, 1, 0x20) + w(0, 1, 0x04) + w(0, 1, 0x01)
    ops += w(1, 0, 0x11) + w(1, 1, 0x28) + w(1, 1, 0x02) + w(1, 1, 0x01)
    ops += w(0, 1, 0xfb) + r(0, 1) + w(1, 1, 0xff) + r(1, 1)
    ops += w(0, 0, 0x0b) + r(0, 0) + w(0, 0, 0x0c) + r(0, 0) + w(0, 0, 0x20)
    ops += u8(16) + u8(0xff) + u8(24) + u8(0) + u8(18) + u8(0xff) + u8(26) + u8(0)
    seed("vpic", "linux-init", ops)
    seed("vpic", "single", w(0, 0, 0x13) + w(0, 1, 0x08) + w(0, 1, 0x01) + w(0, 1, 0x00) + r(0, 1))


def vpit_seeds():
    def out(port, v): return u8({0x40: 0, 0x41: 1, 0x42: 2, 0x43: 3, 0x61: 4}[port] << 2 | 0) + u8(v)
    def inp(port): return u8({0x40: 0, 0x41: 1, 0x42: 2, 0x43: 3, 0x61: 4}[port] << 2 | 1)
    def step(ns): return u8(2) + u32(ns)
    def late(ns): return u8(3) + u64(ns)
    periodic = out(0x43, 0x34) + out(0x40, 4773 & 0xff) + out(0x40, 4773 >> 8)
    periodic += step(10000000) + inp(0x40) + inp(0x40) + out(0x43, 0x00) + inp(0x40) + inp(0x40)
    periodic += step(30000000) + late(5000000000) + out(0x43, 0x30) + out(0x40, 0) + out(0x40, 0)
    seed("vpit", "linux-periodic", u64(5000000000) + periodic)
    calib = out(0x61, 0x01) + out(0x43, 0xb0) + out(0x42, 0x9b) + out(0x42, 0x2e)
    calib += step(1000000) + inp(0x61) + step(9000000) + inp(0x61) + out(0x43, 0xe8) + inp(0x42)
    calib += inp(0x42) + out(0x61, 0x00)
    seed("vpit", "calibrate", u64(0) + calib)
    tiny = out(0x43, 0x34) + out(0x40, 2) + out(0x40, 0) + step(1000000) + step(0x3ffffff)
    tiny += out(0x43, 0x17) + out(0x40, 0x99) + step(1000000) + out(0x43, 0x1a) + out(0x40, 0x10)
    seed("vpit", "tiny-count", u64(123456789) + tiny)


def vrtc_seeds():
    def idx(i): return u8(0) + u8(i)
    def data(v): return u8(1) + u8(v)
    def rd(): return u8(2)
    def wb(reg_index, v): return u8(3 | reg_index << 3) + u8(v)   # regs[] order in vrtc.c
    def step(ns): return u8(4) + u64(ns)
    ops = b"".join(idx(i) + rd() for i in (0, 2, 4, 6, 7, 8, 9, 0x32, 0x0a, 0x0b, 0x0c, 0x0d))
    ops += wb(0, 0x30) + wb(1, 0x45) + wb(2, 0x12) + wb(4, 0x29) + wb(5, 0x02) + wb(6, 0x24)
    ops += step(86400 * 10**9) + idx(0x0b) + data(0x06) + wb(2, 0x11) + idx(0x0b) + data(0x00) + wb(2, 0x92)
    ops += idx(0x0f) + data(0x0a) + idx(0x8f) + rd()
    seed("vrtc", "linux", u64(256 << 20) + ops)
    end = wb(7, 0x99) + wb(6, 0x99) + wb(5, 0x12) + wb(4, 0x31) + wb(2, 0x23) + wb(1, 0x59) + wb(0, 0x59)
    seed("vrtc", "year-9999", u64(6 << 30) + end + step(2 * 366 * 86400 * 10**9) + wb(0, 0x05) + u8(5) + u64(253402300799))


def vacpi_pm_seeds():
    def wr(off, size, v): return u8(0 | (size - 1) << 2) + u8(off) + u32(v)
    def rd(off, size): return u8(1 | (size - 1) << 2) + u8(off)
    def step(ns): return u8(2) + u8(0) + u32(ns)
    ops = rd(4, 2) + wr(2, 2, 0x0121) + rd(2, 2) + wr(0, 2, 0xffff)
    ops += rd(8, 4) + step(1000000) + rd(8, 4) + rd(10, 2) + step(4000000) + rd(8, 4)
    ops += wr(5, 1, 0x34) + wr(4, 2, (5 << 10) | (1 << 13))
    seed("vacpi_pm", "linux-poweroff", u64(10**9) + ops)
    seed("vacpi_pm", "wide", u64(0) + wr(3, 4, 0xffffffff) + rd(1, 4) + rd(6, 4) + rd(11, 4))


def vuart_seeds():
    def w(off, v): return u8(8 | off) + u8(v)
    def r(off): return u8(off) + u8(0)
    init = w(3, 0x80) + w(0, 1) + w(1, 0) + w(3, 0x03) + w(2, 0xc7) + w(4, 0x0b) + w(1, 0x02) + r(2) + r(5)
    text = b"".join(w(0, c) for c in b"hello, world\r\n\x07tab\there\n")
    loop = w(4, 0x1f) + w(0, 0x5a) + r(5) + r(0) + r(6) + w(4, 0x0b) + w(7, 0xaa) + r(7)
    seed("vuart", "linux-8250", u8(3) + init + text + loop + r(2) + w(1, 0) + r(2))
    seed("vuart", "long-line", u8(50) + b"".join(w(0, 0x41 + i % 26) for i in range(210)) + w(0, 10))


def vlapic_seeds():
    def mmio_w(cpu, off, v): return u8(0) + u8(cpu) + u16(off) + u8(2) + u32(v)
    def mmio_r(cpu, off): return u8(1) + u8(cpu) + u16(off) + u8(2)
    def wrmsr(cpu, sel, extra, v): return u8(2) + u8(cpu) + u8(sel) + (u8(extra) if sel >= 2 else b"") + u64(v)
    def step(ns): return u8(8) + u8(0) + u32(ns)
    def late(ns): return u8(9) + u8(0) + u64(ns)
    def ack(cpu): return u8(6) + u8(cpu)
    boot = mmio_w(0, 0xf0, 0x1ff) + mmio_w(0, 0x3e0, 0xb) + mmio_w(0, 0x320, 0x200ec) + mmio_w(0, 0x380, 1000000)
    boot += step(3000000) + ack(0) + mmio_r(0, 0x390) + mmio_w(0, 0xb0, 0) + mmio_r(0, 0x200 + 0x70)
    # INIT, SIPI, SIPI to vCPU 1 (destination in ICR2 first).
    boot += mmio_w(0, 0x310, 1 << 24) + mmio_w(0, 0x300, 0x4500) + mmio_w(0, 0x310, 1 << 24) + mmio_w(0, 0x300, 0x4608)
    # A level interrupt from the I/O APIC, acknowledged and EOIed.
    boot += u8(4) + u8(0) + u8(0) + u8(0x10) + u8(0x41) + ack(0) + mmio_w(0, 0xb0, 0) + late(10**9)
    seed("vlapic", "linux-xapic", u8(1) + u64(10**9) + u64(0) + boot)
    x2 = wrmsr(0, 0, 0, 0xfee00000 | (1 << 8) | (1 << 10) | (1 << 11)) + wrmsr(0, 2, 0x0f, 0x1ff)
    x2 += wrmsr(0, 2, 0x32, (2 << 17) | 0xef) + wrmsr(0, 1, 0, 5 * 10**9) + step(0xffffff) + late(10**10)
    x2 += wrmsr(0, 2, 0x30, (1 << 32) | 0x40fd) + ack(1) + wrmsr(0, 2, 0x3f, 0x31) + ack(0)
    x2 += u8(11) + u8(1) + u8(1) + u8(0xb) + u8(0x30) + u8(0) + u32(1) + step(0xffffff)
    seed("vlapic", "x2apic-tscdl", u8(0x05) + u64(10**9) + u64(-(10**6)) + x2)


def sched_seeds():
    """Machines like the scheduler unit tests' (tests/sched/): two or three
    VMs on 2-4 pCPUs, every vCPU woken, then time steps, exits, hints,
    stops and a VM removal, under each policy (index into the registry's
    list, whatever its order)."""
    def vm(nv, weight=256, cap=0, slice_sel=0, flags=0, vcpus=None):
        b = u8(nv - 1) + u16(weight) + u8(cap) + u8(slice_sel) + u8(flags)
        for a, c in (vcpus or [(0, 0)] * nv):
            b += u8(a) + u8(c)
        return b

    def op(o, a=0, b=0): return u8(o) + u8(a) + u8(b)
    def step(us): return op(0 | 1 << 6, us & 0xff, us >> 8)      # us * 32 ns
    def exit_(p, why, g=0): return op(2 | why << 3, p, g)
    def hint(p, h, arg, g=0x21): return op(3) + u8(p) + u8(h) + u8(g) + u32(arg)
    def wake(i): return op(4, i)
    def stop(i): return op(5, i, 0)
    def rm(i): return op(6, i)
    ops = b"".join(wake(i) for i in range(8)) + step(30000) + exit_(0, 1) + exit_(1, 2) + step(5000)
    ops += hint(0, 0, 1) + hint(1, 1, 1) + hint(0, 2, 1) + hint(1, 4, 0) + step(40000)
    ops += hint(0, 5, 0) + hint(1, 6, 300) + step(60000) + stop(3) + wake(3) + exit_(2, 0, 0xe3) + step(1000)
    ops += stop(0) + stop(1) + stop(2) + stop(3) + rm(0) + rm(0) + wake(0) + step(65535)
    for pol in range(6):
        seed("sched", "mix-%d" % pol, u8(pol) + u8(3) + u8(0) + u8(0) + u8(2) +
             vm(4, flags=1) + vm(2, weight=512, cap=130) + vm(1, slice_sel=40) + ops)
    # Pins, vCPU caps and late timers; knobs of pdelay and relaxed.
    pins = [(1 | 0 << 2, 0), (1 | 1 << 2, 0x80 | 50), (3 | 0 << 2, 0)]
    knobs = u8(0) + u8(0 | 1 << 2) + u32(500) + u8(3) + u8(0 | 1 << 2) + u32(200) + u8(250) + u8(2 | 8 << 2) + u32(0) + b"pdelay.x"
    for pol in range(6):
        seed("sched", "pins-%d" % pol, u8(pol) + u8(1) + u8(200) + u8(3) + knobs + u8(1) +
             vm(3, vcpus=pins) + vm(2) + ops)


def pv_abi_seeds():
    """A Linux guest's calls: its steal-time MSR, PV IPIs to a few CPUs in
    64-bit mode, the record at dispatches, a preemption."""
    ops = u8(0) + u64(0x7ffd000 | 1) + u8(0) + u64(0x7ffd008 | 1)
    ops += u8(1) + u64(0xfb) + u8(1) + u64(0x8fb) + u8(1) + u64(0x800fb)
    ops += u8(2) + u64(0b1011) + u64(1) + u64(0) + u8(1) + u32(127)
    ops += u8(2) + u64(0xffffffff) + u64(0) + u64(0xfffffff0) + u8(0) + u32(0xffffffff)
    ops += u8(3) + u8(0) + u64(1000000) + u8(4) + u8(0) + u8(3) + u8(0) + u64(5)
    rec = u64(123) + u32(7) + u32(0) + u8(3) + b"\0" * 47
    ops += u8(3) + u8(1) + rec + u64(2 ** 64 - 1)
    seed("pv_abi", "linux", ops)


def gpa_seeds():
    """A 16 MiB VM (8 chunks, reversed), what lhv does with guest memory:
    a kvmclock record (32 bytes) and a hint area inside a chunk, a page-walk
    read across a chunk boundary, a loader write across two, LHV_SPIN,
    LHV_BALLOON and LHV_SPEED with Linux-like arguments (tests/fuzz/gpa.c
    describes the format)."""
    head = u8(7) + bytes([0] * 7)                  # Fisher-Yates: each j = 0
    def at_chunk(k, d): return u8(0) + u8(d) + u8(k)   # gpa = k * 2 MiB + d
    def ln16(n): return u8(1) + u16(n)
    ops = u8(0) + at_chunk(1, 0x40) + u8(0) + u8(32)       # gpa_to_hva, 32 bytes
    ops += u8(1) + at_chunk(2, 0xf8) + ln16(16)            # read 2 MiB - 8 .. +8
    ops += u8(2) + at_chunk(3, 0x80) + u8(2) + u32(2 * 1024 * 1024 + 256) + u8(9)
    ops += u8(3) + u8(1) + at_chunk(4, 0x40) + u8(1)       # hint area, version 1
    ops += u8(3) + u8(0) + u8(1) + u8(0xc0) + u8(0)        # end of RAM - 64, bad version
    ops += u8(4) + u8(1) + u8(3) + u8(4) + u8(1) + u32(2000) + u32(1024)
    seed("gpa", "vm16", head + ops)


def main():
    boot_seeds()
    decode_seeds()
    vioapic_seeds()
    vpic_seeds()
    vpit_seeds()
    vrtc_seeds()
    vacpi_pm_seeds()
    vuart_seeds()
    vlapic_seeds()
    sched_seeds()
    pv_abi_seeds()
    gpa_seeds()
    for target, items in sorted(seeds.items()):
        d = os.path.join(OUT, target)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        for name, data in items:
            with open(os.path.join(d, name), "wb") as fh:
                fh.write(data)
        print("%-11s %2d seeds, %5d bytes" % (target, len(items), sum(len(x) for _, x in items)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
