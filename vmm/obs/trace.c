/* Per-pCPU trace rings and their drain through port 0xE9; see trace.h. */
#include "vmm/obs/trace.h"
#include "vmm/vm/vm.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/spinlock.h"
#include "hw/tsc.h"
#include "hw/x86.h"

bool trace_opt;

struct trace_ring {
	struct trace_rec *rec;
	volatile uint64_t head;     /* records produced (the owner pCPU writes) */
	volatile uint64_t tail;     /* records written out (under out_lock) */
	uint64_t lost;              /* dropped since the last TR_DROP record */
};

static struct trace_ring rings[MAX_PCPUS];
static unsigned nrings;
static bool enabled;
static spinlock_t out_lock = SPINLOCK_INIT;

bool trace_on(void)
{
	return enabled;
}

/* The wire: one byte per OUT, REP OUTSB for a whole buffer. */
static void out_bytes(const char *p, size_t n)
{
	__asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"((uint16_t)TRACE_PORT) : "memory");
}

static void out_str(const char *s)
{
	out_bytes(s, strlen(s));
}

void trace_init(unsigned n, const char *policy)
{
	if (!trace_opt)
		return;
	if (n > MAX_PCPUS)
		n = MAX_PCPUS;
	size_t pages = DIV_ROUND_UP(TRACE_RING_RECS * sizeof(struct trace_rec), PAGE_SIZE);
	for (unsigned i = 0; i < n; i++) {
		uint64_t pa = page_alloc_contig(pages);
		if (!pa) {
			pr_warn("trace: no memory for %u rings of %zu KiB: tracing off", n,
				(size_t)(pages * PAGE_SIZE >> 10));
			for (unsigned j = 0; j < i; j++)
				page_free(virt_to_phys(rings[j].rec), pages);
			return;
		}
		rings[i].rec = phys_to_virt(pa);
	}
	nrings = n;
	char line[160];
	fmt_snprintf(line, sizeof(line), "\nlhvtrace %u pcpus=%u tsc_khz=%llu policy=%s\n",
		     TRACE_FMT_VERSION, n, (unsigned long long)tsc_khz_get(), policy);
	out_str(line);
	for (unsigned i = 0; i < nvms; i++) {
		fmt_snprintf(line, sizeof(line), "V %x %x %s\n", vms[i]->id, vms[i]->nvcpus, vms[i]->name);
		out_str(line);
	}
	enabled = true;
	pr_info("trace: on, %u rings of %u records, port %#x", n, TRACE_RING_RECS, TRACE_PORT);
}

static bool push(struct trace_ring *r, const struct trace_rec *rec)
{
	uint64_t h = r->head;
	if (h - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= TRACE_RING_RECS)
		return false;
	r->rec[h & (TRACE_RING_RECS - 1)] = *rec;
	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
	return true;
}

void trace_emit(const struct trace_rec *rec)
{
	if (!enabled)
		return;
	unsigned me = cpu_id();
	if (me >= nrings)
		return;
	struct trace_ring *r = &rings[me];
	uint64_t f = irq_save();
	if (r->lost) {
		struct trace_rec x = { .ns = rec->ns, .type = TR_DROP, .a = (uint32_t)MIN(r->lost, 0xffffffffull) };
		if (push(r, &x))
			r->lost = 0;
	}
	if (r->lost || !push(r, rec))
		r->lost++;
	irq_restore(f);
}

/* Write out up to max records of ring i (out_lock held). */
static void drain_ring(unsigned i, uint64_t max)
{
	struct trace_ring *r = &rings[i];
	char buf[2048];
	size_t n = 0;
	uint64_t t = r->tail, h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	for (; t != h && max; t++, max--) {
		if (n + TRACE_LINE_MAX > sizeof(buf)) {
			out_bytes(buf, n);
			n = 0;
		}
		n += trace_fmt_rec(buf + n, i, t, &r->rec[t & (TRACE_RING_RECS - 1)]);
	}
	out_bytes(buf, n);
	__atomic_store_n(&r->tail, t, __ATOMIC_RELEASE);
}

void trace_drain_some(void)
{
	unsigned me = cpu_id();
	if (!enabled || me >= nrings)
		return;
	struct trace_ring *r = &rings[me];
	if (r->head - r->tail < TRACE_DRAIN_MIN)
		return;
	uint64_t f = irq_save();
	if (spin_trylock(&out_lock)) {
		drain_ring(me, TRACE_DRAIN_MAX);
		spin_unlock(&out_lock);
	}
	irq_restore(f);
}

void trace_drain_own(void)
{
	unsigned me = cpu_id();
	if (!enabled || me >= nrings || rings[me].head == rings[me].tail)
		return;
	uint64_t f = spin_lock_irqsave(&out_lock);
	drain_ring(me, ~0ull);
	spin_unlock_irqrestore(&out_lock, f);
}

void trace_drain_all(void)
{
	if (!enabled)
		return;
	uint64_t f = spin_lock_irqsave(&out_lock);
	for (unsigned i = 0; i < nrings; i++)
		drain_ring(i, ~0ull);
	spin_unlock_irqrestore(&out_lock, f);
}

void trace_text(unsigned vm, const char *text, size_t len)
{
	if (!enabled)
		return;
	char pre[16];
	fmt_snprintf(pre, sizeof(pre), "Y %x ", vm);
	uint64_t f = spin_lock_irqsave(&out_lock);
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		out_str(pre);
		out_bytes(text + start, i + 1 - start);
		start = i + 1;
	}
	spin_unlock_irqrestore(&out_lock, f);
}
