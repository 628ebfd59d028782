/* The pure parts of KVM's paravirtual ABI (see pv_abi.h). */
#include "vmm/pv/pv_abi.h"

static uint64_t walk_cluster(uint64_t bits, uint64_t min, unsigned width, uint32_t max_id,
			     unsigned (*fn)(void *ctx, uint32_t apic_id), void *ctx)
{
	uint64_t n = 0;
	if (min > max_id)
		return 0;
	/* i <= max_id - min keeps min + i from wrapping and within range. */
	for (unsigned i = 0; i < width && bits; i++, bits >>= 1)
		if ((bits & 1) && i <= max_id - min)
			n += fn(ctx, (uint32_t)(min + i));
	return n;
}

uint64_t pv_ipi_walk(uint64_t lo, uint64_t hi, uint64_t min, bool long_mode, uint32_t max_id,
		     unsigned (*fn)(void *ctx, uint32_t apic_id), void *ctx)
{
	unsigned width = long_mode ? 64 : 32;
	if (!long_mode) {
		lo = (uint32_t)lo;
		hi = (uint32_t)hi;
		min = (uint32_t)min;
	}
	uint64_t n = walk_cluster(lo, min, width, max_id, fn, ctx);
	/* The high bitmap starts one cluster above min (if that exists). */
	if (min + width > min)
		n += walk_cluster(hi, min + width, width, max_id, fn, ctx);
	return n;
}

/* Little-endian fields of the record, stored as the guest reads them. The
 * record is 64-byte aligned, so each field is naturally aligned. */
static inline void st_u32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)p, v, __ATOMIC_RELEASE);
}

uint8_t pv_steal_record(uint8_t *rec, uint64_t steal_delta_ns)
{
	uint8_t old = __atomic_exchange_n(rec + KVM_ST_PREEMPTED, 0, __ATOMIC_ACQ_REL);
	uint32_t version = __atomic_load_n((uint32_t *)(void *)(rec + KVM_ST_VERSION), __ATOMIC_RELAXED);
	/* A guest may have left it odd (it should zero the record): make
	 * sure it is odd during the update and even after, as KVM does. */
	version += (version & 1) + 1;
	st_u32(rec + KVM_ST_VERSION, version);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint64_t *steal = (uint64_t *)(void *)(rec + KVM_ST_STEAL);
	__atomic_store_n(steal, __atomic_load_n(steal, __ATOMIC_RELAXED) + steal_delta_ns,
			 __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	st_u32(rec + KVM_ST_VERSION, version + 1);
	return old;
}

void pv_steal_mark_preempted(uint8_t *rec)
{
	__atomic_fetch_or(rec + KVM_ST_PREEMPTED, (uint8_t)KVM_VCPU_PREEMPTED, __ATOMIC_ACQ_REL);
}
