/* Hostile I/O tests: port sweeps of every size, and MMIO through every
 * instruction form lhv's decoder knows (vmm/emul/x86_decode.h), checked
 * against what the instruction does on hardware, registers, memory and
 * flags; and forms it does not know, which must stop the VM with
 * reason=error (one per VM: see tests/vmm/hostile.sh). */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/hostile.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tests.h"

/* port_sweep: IN of every port below 0x1000 at sizes 1, 2 and 4 and of
 * every 0x101st above; OUT of 0 to the same bytes, except the exit port
 * 0xf4-0xf7 and the console 0x3f8-0x3ff. Afterwards the UART must still
 * work. Values are not judged: unmodelled ports read anything. */
enum verdict t_port_sweep(void)
{
	unsigned n = 0;
	bool lhv = tk_is_lhv();
	for (uint32_t p = 0; p < 0x10000; p += p < 0x1000 ? 1 : 0x101) {
		(void)inb((uint16_t)p);
		n++;
		/* QEMU's 16550 asserts on wider accesses (hw/char/serial.c). */
		if (lhv || p + 3 < 0x3f8 || p > 0x3ff) {
			(void)inw((uint16_t)p);
			(void)inl((uint16_t)p);
			n += 2;
		}
		if ((p >= 0xf4 && p <= 0xf7) || (p >= 0x3f8 && p <= 0x3ff))
			continue;
		/* Bare, 0 to port 0x92 closes the A20 gate: the kernel above
		 * 1 MiB would vanish. lhv does not model the gate. */
		if (p == 0x92 && !lhv)
			continue;
		outb((uint16_t)p, 0);
		n++;
	}
	/* The sweep unmasked the 8259s (0 to 0x21/0xa1) and started the
	 * PIT; bare, IRQ0 would arrive as vector 8. Mask them again. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	/* The console survived. */
	outb(0x3ff, 0xa5);
	if (inb(0x3ff) != 0xa5)
		return tk_fail("UART scratch register lost after the sweep");
	tk_printf("INFO port_sweep %u accesses\n", n);
	return V_PASS;
}

/* The I/O APIC serves as a register with byte granularity (IOREGSEL, 8
 * bits read/write) and one with 32 (IOWIN on redirection entry 23, low
 * half: the writable bits below; bit 16 (mask) is kept set so the pin
 * never fires). */
#define IOA ((volatile uint8_t *)0xfec00000u)
#define IOREGSEL 0xfec00000u
#define IOWIN 0xfec00010u
#define RTE23_LO 0x3e
#define RTE_MASK_BITS 0x0001afffu
#define EFL_ARITH 0x8d5u        /* CF PF AF ZF SF OF */

static uint32_t win_set(uint32_t v)
{
	*(volatile uint8_t *)IOREGSEL = RTE23_LO;
	*(volatile uint32_t *)IOWIN = v | 0x10000;
	return *(volatile uint32_t *)IOWIN;
}

static uint32_t win_get(void)
{
	*(volatile uint8_t *)IOREGSEL = RTE23_LO;
	return *(volatile uint32_t *)IOWIN;
}

/* The flags an ALU operation leaves, computed the same way on RAM. */
#define RAM_FLAGS(op, a, b, size) ({                                               \
	uint32_t m_ = (a), fl_;                                                     \
	__asm__ volatile(op size " %2, %1; pushfl; popl %0"                         \
			 : "=r"(fl_), "+m"(m_) : "ri"(b) : "cc");                  \
	fl_ & EFL_ARITH; })

struct form_ctx {
	struct fails *f;
	const char *name;
};

static void expect(struct form_ctx *c, uint32_t got, uint32_t want, const char *what)
{
	if (got != want)
		fail_note(c->f, "%s: %s 0x%x, want 0x%x", c->name, what, got, want);
}

/* mmio: every decoded form on the I/O APIC's registers. */
enum verdict t_mmio(void)
{
	struct fails f = { 0 };
	struct form_ctx c = { &f, "" };
	uint32_t r, fl, want_fl, base = 0x10020;
	volatile uint8_t *sel = (volatile uint8_t *)IOREGSEL;

	/* 89/8B: MOV r/m32 both ways. */
	c.name = "mov 89/8b";
	expect(&c, win_set(0x12345) & RTE_MASK_BITS, 0x12345 & RTE_MASK_BITS, "read back");
	/* C7: MOV m32, imm32. */
	c.name = "mov c7";
	*sel = RTE23_LO;
	__asm__ volatile("movl $0x1a0ff, (%0)" : : "r"(IOWIN) : "memory");
	expect(&c, win_get() & RTE_MASK_BITS, 0x1a0ff, "read back");
	/* 01/09/21/29/31 and 81/83 group 1, with the flags they leave. */
	static const struct { const char *name; int op; uint32_t src; } alu[] = {
		{ "add 01", 0, 0x11 }, { "or 09", 1, 0x300 }, { "and 21", 2, 0x1ff0f },
		{ "sub 29", 3, 0x20 }, { "xor 31", 4, 0x0f0f },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(alu); i++) {
		c.name = alu[i].name;
		uint32_t m = win_set(base), s = alu[i].src;
		switch (alu[i].op) {
		case 0: __asm__ volatile("addl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(s) : "cc", "memory");
			want_fl = RAM_FLAGS("add", m, s, "l"); m += s; break;
		case 1: __asm__ volatile("orl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(s) : "cc", "memory");
			want_fl = RAM_FLAGS("or", m, s, "l"); m |= s; break;
		case 2: __asm__ volatile("andl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(s) : "cc", "memory");
			want_fl = RAM_FLAGS("and", m, s, "l"); m &= s; break;
		case 3: __asm__ volatile("subl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(s) : "cc", "memory");
			want_fl = RAM_FLAGS("sub", m, s, "l"); m -= s; break;
		default: __asm__ volatile("xorl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(s) : "cc", "memory");
			want_fl = RAM_FLAGS("xor", m, s, "l"); m ^= s; break;
		}
		expect(&c, win_get() & RTE_MASK_BITS, m & RTE_MASK_BITS, "result");
		/* AF is undefined after logic ops. */
		uint32_t mask = alu[i].op == 1 || alu[i].op == 2 || alu[i].op == 4 ? EFL_ARITH & ~0x10u : EFL_ARITH;
		expect(&c, fl & mask, want_fl & mask, "flags");
	}
	c.name = "add 81 imm32";
	uint32_t m = win_set(base);
	__asm__ volatile("addl $0x101, (%0)" : : "r"(IOWIN) : "cc", "memory");
	expect(&c, win_get() & RTE_MASK_BITS, (m + 0x101) & RTE_MASK_BITS, "result");
	c.name = "sub 83 imm8";
	m = win_set(base);
	__asm__ volatile("subl $-2, (%0)" : : "r"(IOWIN) : "cc", "memory");
	expect(&c, win_get() & RTE_MASK_BITS, (m + 2) & RTE_MASK_BITS, "result");
	c.name = "and 83 imm8";
	m = win_set(0x1a0ff);
	__asm__ volatile("andl $0x7f, (%0)" : : "r"(IOWIN) : "cc", "memory");
	expect(&c, win_get() & 0xff, 0x7f, "result");
	/* CMP/TEST 39/85/81 /7/F7 /0: flags only, memory unchanged. */
	c.name = "cmp 39";
	m = win_set(base);
	__asm__ volatile("cmpl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(m) : "cc", "memory");
	expect(&c, fl & 0x41, 0x40, "ZF/CF (equal)");
	__asm__ volatile("cmpl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(m + 1) : "cc", "memory");
	expect(&c, fl & 0x41, 0x01, "ZF/CF (below)");
	c.name = "cmp 81 /7";
	__asm__ volatile("cmpl $0x7fffffff, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN) : "cc", "memory");
	expect(&c, fl & 0x41, 0x01, "ZF/CF");
	c.name = "test 85";
	__asm__ volatile("testl %2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN), "r"(0x40000u) : "cc", "memory");
	expect(&c, fl & 0x40, 0x40, "ZF (no common bit)");
	c.name = "test f7 /0";
	__asm__ volatile("testl $0x10000, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOWIN) : "cc", "memory");
	expect(&c, fl & 0x40, 0, "ZF (mask bit)");
	expect(&c, win_get() & RTE_MASK_BITS, m & RTE_MASK_BITS, "memory after cmp/test");
	/* XCHG 87. */
	c.name = "xchg 87";
	m = win_set(base);
	r = 0x1a055;
	__asm__ volatile("xchgl %0, (%1)" : "+r"(r) : "r"(IOWIN) : "memory");
	expect(&c, r & RTE_MASK_BITS, m & RTE_MASK_BITS, "register");
	expect(&c, win_get() & RTE_MASK_BITS, 0x1a055, "memory");
	/* A1/A3: MOV with a 32-bit offset; A0/A2 the byte forms on IOREGSEL. */
	c.name = "mov a1/a3";
	*sel = RTE23_LO;
	r = 0x1a077;
	__asm__ volatile("movl %%eax, 0xfec00010" : : "a"(r) : "memory");
	__asm__ volatile("movl 0xfec00010, %%eax" : "=a"(r) : : "memory");
	expect(&c, r & RTE_MASK_BITS, 0x1a077, "read back");
	c.name = "mov a0/a2";
	r = 0x5500 | 0x3c;
	__asm__ volatile("movb %%al, 0xfec00000" : : "a"(r) : "memory");
	r = 0xdeadbeef;
	__asm__ volatile("movb 0xfec00000, %%al" : "+a"(r) : : "memory");
	expect(&c, r, 0xdeadbe3c, "EAX (AL merged)");
	/* 88/8A/C6 and the byte ALU forms on IOREGSEL, high-byte registers. */
	c.name = "mov 88 ah";
	r = 0x2b00;
	__asm__ volatile("movb %%ah, (%1)" : "+a"(r) : "r"(IOREGSEL) : "memory");
	expect(&c, *sel, 0x2b, "IOREGSEL");
	c.name = "mov 8a bh";
	r = 0x11223344;
	__asm__ volatile("movb (%1), %%bh" : "+b"(r) : "r"(IOREGSEL) : "memory");
	expect(&c, r, 0x11222b44, "EBX");
	c.name = "mov c6";
	__asm__ volatile("movb $0xf0, (%0)" : : "r"(IOREGSEL) : "memory");
	expect(&c, *sel, 0xf0, "IOREGSEL");
	c.name = "movzx 0f b6";
	__asm__ volatile("movzbl (%1), %0" : "=r"(r) : "r"(IOREGSEL) : "memory");
	expect(&c, r, 0xf0, "register");
	c.name = "movsx 0f be";
	__asm__ volatile("movsbl (%1), %0" : "=r"(r) : "r"(IOREGSEL) : "memory");
	expect(&c, r, 0xfffffff0u, "register");
	if (!tk_is_lhv()) {
		/* Narrower accesses to the APICs are model-specific (SDM
		 * 11.4.1); QEMU reads 0. lhv returns the bytes of the register
		 * (docs/devices.md): checked there. */
		win_set(0);
		return fail_verdict(&f);
	}
	c.name = "movsx 0f bf";
	win_set(0x0a0f1);                       /* low 16 bits 0xa0f1: negative */
	*sel = RTE23_LO;
	__asm__ volatile("movswl (%1), %0" : "=r"(r) : "r"(IOWIN) : "memory");
	expect(&c, r, 0xffffa0f1u, "register");
	c.name = "movzx 0f b7";
	__asm__ volatile("movzwl (%1), %0" : "=r"(r) : "r"(IOWIN) : "memory");
	expect(&c, r, 0xa0f1, "register");
	c.name = "mov 66 8b";
	r = 0x12345678;
	__asm__ volatile("movw (%1), %w0" : "+r"(r) : "r"(IOWIN) : "memory");
	expect(&c, r, 0x1234a0f1u, "register (upper half kept)");
	c.name = "add 00";
	*sel = 0x10;
	r = 0x05;
	__asm__ volatile("addb %b0, (%1)" : : "q"(r), "r"(IOREGSEL) : "cc", "memory");
	expect(&c, *sel, 0x15, "IOREGSEL");
	c.name = "or 80 /1";
	__asm__ volatile("orb $0x20, (%0)" : : "r"(IOREGSEL) : "cc", "memory");
	expect(&c, *sel, 0x35, "IOREGSEL");
	c.name = "xor 30";
	r = 0xff;
	__asm__ volatile("xorb %b0, (%1)" : : "q"(r), "r"(IOREGSEL) : "cc", "memory");
	expect(&c, *sel, 0xca, "IOREGSEL");
	c.name = "cmp 38";
	r = 0xca;
	__asm__ volatile("cmpb %b2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOREGSEL), "q"(r) : "cc", "memory");
	expect(&c, fl & 0x40, 0x40, "ZF");
	c.name = "test 84";
	r = 0x01;
	__asm__ volatile("testb %b2, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOREGSEL), "q"(r) : "cc", "memory");
	expect(&c, fl & 0x40, 0x40, "ZF");
	c.name = "test f6 /0";
	__asm__ volatile("testb $0x80, (%1); pushfl; popl %0" : "=r"(fl) : "r"(IOREGSEL) : "cc", "memory");
	expect(&c, fl & 0xc0, 0x80, "ZF/SF");
	c.name = "xchg 86";
	r = 0x3e;
	__asm__ volatile("xchgb %b0, (%1)" : "+q"(r) : "r"(IOREGSEL) : "memory");
	expect(&c, r & 0xff, 0xca, "register");
	expect(&c, *sel, 0x3e, "IOREGSEL");
	/* STOS without REP: ES:EDI stored, EDI stepped by DF. */
	c.name = "stos ab";
	uint32_t di = IOWIN;
	__asm__ volatile("cld; stosl" : "+D"(di) : "a"(0x1a0aau) : "memory");
	expect(&c, di, IOWIN + 4, "EDI");
	expect(&c, win_get() & RTE_MASK_BITS, 0x1a0aa, "IOWIN");
	c.name = "stos aa std";
	di = IOREGSEL;
	__asm__ volatile("std; stosb; cld" : "+D"(di) : "a"(0x3eu) : "memory");
	expect(&c, di, IOREGSEL - 1, "EDI");
	expect(&c, *sel, 0x3e, "IOREGSEL");
	/* Segment override and SIB with displacement. */
	c.name = "mov fs: sib disp";
	win_set(0x1a0bb);
	r = 0;
	__asm__ volatile("movl %%fs:0x10(%1,%2,1), %0" : "=r"(r) : "r"(IOREGSEL - 0x20), "r"(0x20u) : "memory");
	expect(&c, r & RTE_MASK_BITS, 0x1a0bb, "register");
	/* The LAPIC: narrower reads get their bytes; narrower writes are ignored. */
	c.name = "lapic byte read";
	uint32_t ver = lapic_read(LAPIC_VERSION);
	expect(&c, *(volatile uint8_t *)(LAPIC_BASE + LAPIC_VERSION + 2), (ver >> 16) & 0xff, "byte 2");
	win_set(0);                                     /* leave pin 23 masked, vector 0 */
	return fail_verdict(&f);
}

/* mmio_bad=<form>: one instruction form the decoder does not take, on
 * the I/O APIC. lhv stops the VM (reason=error); coming back is a FAIL. */
enum verdict t_mmio_bad(void)
{
	char form[16] = "lock";
	param_str("mmio_bad", form, sizeof(form));
	tk_printf("INFO mmio_bad form=%s\n", form);
	tk_printf("TEST mmio_bad RUNNING\n");
	serial_drain();
	uint32_t r = 0x10000;
	if (!strcmp(form, "lock"))
		__asm__ volatile("lock orl %0, (%1)" : : "r"(r), "r"(IOWIN) : "memory");
	else if (!strcmp(form, "inc"))
		__asm__ volatile("incl (%0)" : : "r"(IOWIN) : "memory");
	else if (!strcmp(form, "movs"))
		__asm__ volatile("movsl" : : "S"(IOWIN), "D"(IOWIN) : "memory");
	else if (!strcmp(form, "bts"))
		__asm__ volatile("btsl $3, (%0)" : : "r"(IOWIN) : "memory");
	else if (!strcmp(form, "repstos"))
		__asm__ volatile("rep stosl" : "+c"(r) : "D"(IOWIN), "a"(0) : "memory");
	else
		return tk_fail("unknown mmio_bad form '%s'", form);
	return tk_fail("form '%s' on MMIO did not stop the VM", form);
}

static bool acpi_sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

/* acpi: the firmware's ACPI tables are there for any kernel, whatever
 * loaded it: an RSDP with a valid checksum on a 16-byte boundary in the
 * BIOS area 0xE0000-0xFFFFF (ACPI 5.2.5.1), its RSDT naming a FACP whose
 * PM timer (PM_TMR_BLK) counts. kvm-unit-tests' s3 and vmexit
 * inl_from_pmtimer look there; lhv gave Multiboot guests none. */
enum verdict t_acpi(void)
{
	const uint8_t *rsdp = NULL;
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16) {
		const uint8_t *p = (const uint8_t *)a;
		if (!memcmp(p, "RSD PTR ", 8) && acpi_sum_ok(p, 20)) {
			rsdp = p;
			break;
		}
	}
	if (!rsdp)
		return tk_fail("no RSDP in 0xe0000-0xfffff");
	const uint8_t *rsdt = (const uint8_t *)*(const uint32_t *)(rsdp + 16);
	uint32_t len = *(const uint32_t *)(rsdt + 4);
	if (memcmp(rsdt, "RSDT", 4) || len < 36 || !acpi_sum_ok(rsdt, len))
		return tk_fail("RSDP at 0x%x: bad RSDT at 0x%x", (uint32_t)rsdp, (uint32_t)rsdt);
	const uint8_t *facp = NULL;
	for (uint32_t i = 36; i + 4 <= len; i += 4) {
		const uint8_t *t = (const uint8_t *)*(const uint32_t *)(rsdt + i);
		if (!memcmp(t, "FACP", 4))
			facp = t;
	}
	if (!facp || *(const uint32_t *)(facp + 4) < 80 || !acpi_sum_ok(facp, *(const uint32_t *)(facp + 4)))
		return tk_fail("RSDT at 0x%x: no valid FACP", (uint32_t)rsdt);
	uint32_t facs = *(const uint32_t *)(facp + 36), pmt = *(const uint32_t *)(facp + 76);
	if (!facs || memcmp((const void *)facs, "FACS", 4))
		return tk_fail("FACP: no FACS (0x%x)", facs);
	if (!pmt || pmt > 0xfffc)
		return tk_fail("FACP: PM timer port 0x%x", pmt);
	uint32_t t0 = inl((uint16_t)pmt) & 0xffffff, t1 = t0;
	for (unsigned i = 0; i < 1000000 && t1 == t0; i++)
		t1 = inl((uint16_t)pmt) & 0xffffff;
	if (t1 == t0)
		return tk_fail("PM timer at port 0x%x stuck at 0x%x", pmt, t0);
	tk_printf("INFO acpi RSDP 0x%x RSDT 0x%x FACP 0x%x PM timer 0x%x\n", (uint32_t)rsdp,
		  (uint32_t)rsdt, (uint32_t)facp, pmt);
	return V_PASS;
}
