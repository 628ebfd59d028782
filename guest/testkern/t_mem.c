/* mem: EPT isolation. Fill every usable RAM word above 1 MiB that is not the
 * kernel or the loader's data with pattern ^ address, then verify all of it;
 * again with the inverse. All ranges are written before any is read, so a
 * guest page aliased to another (in this VM, or one shared with another VM
 * running with a different pattern=) fails the verify.
 *
 * Parameters: pattern=<hex> (default 0x5a5a5a5a), mem_limit=<MiB> (test at
 * most this much; 0 or absent: all). */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define MiB (1u << 20)
#define PAGE 4096u
#define MAX_RANGES 64

extern const char __kernel_start[], __kernel_end[];

static struct phys_range ranges[MAX_RANGES];
static unsigned nranges;
static bool too_many;

static void add_range(uint32_t a, uint32_t b)
{
	a = (a + PAGE - 1) & ~(PAGE - 1);
	b &= ~(PAGE - 1);
	if (a >= b)
		return;
	if (nranges == MAX_RANGES) {
		too_many = true;
		return;
	}
	ranges[nranges++] = (struct phys_range){ a, b };
}

/* [a, b) minus the exclusions from index k on. */
static void add_minus(uint32_t a, uint32_t b, const struct phys_range *ex,
		      unsigned nex, unsigned k)
{
	for (; k < nex; k++) {
		if (ex[k].end <= a || ex[k].start >= b)
			continue;
		if (ex[k].start > a)
			add_minus(a, ex[k].start, ex, nex, k + 1);
		if (ex[k].end < b)
			add_minus(ex[k].end, b, ex, nex, k + 1);
		return;
	}
	add_range(a, b);
}

static void collect(void)
{
	struct phys_range ex[BI_MAX_EXCL + 1];
	unsigned nex = 0;
	ex[nex++] = (struct phys_range){ (uint32_t)__kernel_start, (uint32_t)__kernel_end };
	for (unsigned i = 0; i < bootinfo.nexcl; i++)
		ex[nex++] = bootinfo.excl[i];

	/* Physical addresses are 32 bits here (paging off): stop below 4 GiB. */
	const uint64_t top = 0x100000000ull - PAGE;
	if (bootinfo.nregions) {
		for (unsigned i = 0; i < bootinfo.nregions; i++) {
			const struct mem_region *r = &bootinfo.regions[i];
			uint64_t a = r->base, b = r->base + r->len;
			if (r->type != MMAP_RAM || b <= MiB || a >= top)
				continue;
			if (a < MiB)
				a = MiB;
			if (b > top)
				b = top;
			add_minus((uint32_t)a, (uint32_t)b, ex, nex, 0);
		}
	} else if (bootinfo.flags & MB_INFO_MEM) {
		uint64_t b = MiB + ((uint64_t)bootinfo.mem_upper << 10);
		add_minus(MiB, (uint32_t)(b > top ? top : b), ex, nex, 0);
	}
}

/* The two hot loops: one 32-bit access per word, nothing else. */
static void fill(uint32_t a, uint32_t b, uint32_t pat)
{
	for (volatile uint32_t *p = (volatile uint32_t *)a; (uint32_t)p < b; p++)
		*p = pat ^ (uint32_t)p;
}

struct bad {
	uint32_t count, addr, want, got;
};

static void verify(uint32_t a, uint32_t b, uint32_t pat, struct bad *bad)
{
	for (volatile uint32_t *p = (volatile uint32_t *)a; (uint32_t)p < b; p++) {
		uint32_t got = *p, want = pat ^ (uint32_t)p;
		if (__builtin_expect(got != want, 0)) {
			if (!bad->count++)
				*bad = (struct bad){ 1, (uint32_t)p, want, got };
		}
	}
}

enum verdict t_mem(void)
{
	uint32_t pattern = 0x5a5a5a5a, limit_mib = 0;
	param_hex("pattern", &pattern);
	param_u32("mem_limit", &limit_mib);
	collect();
	if (too_many)
		return tk_fail("more than %u ranges to test", MAX_RANGES);

	/* Apply mem_limit by trimming ranges in address order. */
	uint32_t left = limit_mib ? limit_mib << 8 : 0xffffffffu; /* pages */
	uint32_t pages = 0;
	for (unsigned i = 0; i < nranges; i++) {
		uint32_t np = (ranges[i].end - ranges[i].start) / PAGE;
		if (np > left) {
			np = left;
			ranges[i].end = ranges[i].start + np * PAGE;
		}
		left -= np;
		pages += np;
	}
	if (!pages)
		return tk_fail("no usable RAM above the kernel in the memory map");

	for (int pass = 0; pass < 2; pass++) {
		uint32_t pat = pass ? ~pattern : pattern;
		for (unsigned i = 0; i < nranges; i++)
			fill(ranges[i].start, ranges[i].end, pat);
		struct bad bad = { 0, 0, 0, 0 };
		for (unsigned i = 0; i < nranges; i++)
			verify(ranges[i].start, ranges[i].end, pat, &bad);
		if (bad.count)
			return tk_fail("pass %d: %u bad words, first at 0x%x: want 0x%x got 0x%x"
				       " (got ^ addr = 0x%x)", pass + 1, bad.count, bad.addr,
				       bad.want, bad.got, bad.got ^ bad.addr);
	}
	tk_printf("INFO mem checked %u MiB (%u KiB) in %u ranges, pattern=0x%x, 2 passes\n",
		  pages >> 8, pages << 2, nranges, pattern);
	for (unsigned i = 0; i < nranges; i++)
		tk_printf("INFO mem range 0x%x-0x%x\n", ranges[i].start, ranges[i].end);
	return V_PASS;
}
