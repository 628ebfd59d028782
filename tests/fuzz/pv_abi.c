/* Fuzz target: the pure parts of KVM's paravirtual ABI (vmm/pv/pv_abi.c,
 * docs/hypercalls.md "Bad input"), with the guest's arbitrary arguments.
 * Input: operations, each an opcode byte and its arguments:
 * - steal-time MSR value (u64): accepted exactly when no reserved bit
 *   (1-5) is set, so the record address is 64-byte aligned;
 * - KVM_HC_SEND_IPI's ICR (u64): delivered exactly with a physical
 *   destination and no shorthand;
 * - KVM_HC_SEND_IPI's bitmaps lo, hi, lowest ID min, mode and the VM's
 *   highest APIC ID: the walk names exactly the IDs a reference computes
 *   without wrapping (bit i of lo is min + i, of hi min + width + i, width
 *   64 in long mode, else 32 with every argument truncated to 32 bits),
 *   each once, in increasing order, none above max_id, and returns the sum
 *   of the callback's results;
 * - the steal-time record update on a 64-byte record the guest wrote
 *   (exactly 64 bytes on the heap, aligned): returns the old `preempted`,
 *   clears it, adds the steal delta, leaves `version` even and advanced by
 *   2 (3 from an odd value the guest left), and changes no other byte;
 * - marking the record preempted: bit 0 of `preempted` set, nothing else
 *   changed. */
#include "tests/fuzz/fuzz.h"
#include "vmm/pv/pv_abi.h"

struct walk {
	uint32_t ids[128];
	uint32_t n;
	uint64_t sum;
	uint8_t salt;
};

static unsigned record(void *ctx, uint32_t id)
{
	struct walk *w = ctx;
	FUZZ_CHECK(w->n < 128, "more than 128 IDs named by two bitmaps");
	w->ids[w->n++] = id;
	unsigned r = (id ^ w->salt) & 3; /* what "delivered" returned */
	w->sum += r;
	return r;
}

static void walk(struct fz *f)
{
	uint64_t lo = fz_u64(f), hi = fz_u64(f), min = fz_u64(f);
	uint8_t m = fz_u8(f);
	uint32_t max_id = fz_u32(f);
	bool lm = m & 1;
	struct walk w = { .salt = (uint8_t)(m >> 1) };

	/* Arguments near the ends of their ranges are the interesting ones. */
	if (m & 0x80)
		min = UINT64_MAX - (min & 0xff);
	if (m & 0x40)
		max_id = (uint32_t)(min + (max_id & 0xff));
	uint64_t ret = pv_ipi_walk(lo, hi, min, lm, max_id, record, &w);
	FUZZ_CHECK(ret == w.sum, "walk returned %llu, the deliveries sum to %llu", (unsigned long long)ret,
		   (unsigned long long)w.sum);

	unsigned width = lm ? 64 : 32;
	uint64_t b[2] = { lm ? lo : (uint32_t)lo, lm ? hi : (uint32_t)hi }, base = lm ? min : (uint32_t)min;
	uint32_t k = 0;
	for (unsigned c = 0; c < 2; c++) {
		for (unsigned i = 0; i < width; i++) {
			unsigned __int128 id = (unsigned __int128)base + c * width + i;
			if (!(b[c] >> i & 1) || id > max_id)
				continue;
			FUZZ_CHECK(k < w.n && w.ids[k] == (uint32_t)id,
				   "lo %llx hi %llx min %llx max %u %s: ID %llu %s", (unsigned long long)lo,
				   (unsigned long long)hi, (unsigned long long)min, max_id, lm ? "64-bit" : "32-bit",
				   (unsigned long long)id, k < w.n ? "named out of order or replaced" : "missing");
			k++;
		}
	}
	FUZZ_CHECK(k == w.n, "lo %llx hi %llx min %llx max %u: %u IDs named, %u expected (extra: %u)",
		   (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)min, max_id, w.n, k,
		   w.n > k ? w.ids[k] : 0);
}

static void steal(struct fz *f, uint8_t *rec, bool mark)
{
	uint8_t before[KVM_ST_SIZE];
	uint8_t guest = fz_u8(f);
	/* The guest may write anything into its record between updates. */
	if (guest & 1)
		for (unsigned i = 0; i < KVM_ST_SIZE; i++)
			rec[i] = fz_u8(f);
	memcpy(before, rec, sizeof(before));
	if (mark) {
		pv_steal_mark_preempted(rec);
		before[KVM_ST_PREEMPTED] |= KVM_VCPU_PREEMPTED;
		FUZZ_CHECK(!memcmp(before, rec, KVM_ST_SIZE), "marking preempted changed more than bit 0 of preempted");
		return;
	}
	uint64_t delta = fz_u64(f), s0, s1;
	uint32_t v0, v1;
	memcpy(&s0, before + KVM_ST_STEAL, 8);
	memcpy(&v0, before + KVM_ST_VERSION, 4);
	uint8_t old = pv_steal_record(rec, delta);
	memcpy(&s1, rec + KVM_ST_STEAL, 8);
	memcpy(&v1, rec + KVM_ST_VERSION, 4);
	FUZZ_CHECK(old == before[KVM_ST_PREEMPTED] && rec[KVM_ST_PREEMPTED] == 0,
		   "returned preempted 0x%02x (was 0x%02x), left 0x%02x", old, before[KVM_ST_PREEMPTED],
		   rec[KVM_ST_PREEMPTED]);
	FUZZ_CHECK(s1 == s0 + delta, "steal %llu + %llu gave %llu", (unsigned long long)s0, (unsigned long long)delta,
		   (unsigned long long)s1);
	FUZZ_CHECK(!(v1 & 1) && v1 == v0 + (v0 & 1) + 2, "version %u became %u", v0, v1);
	for (unsigned i = 0; i < KVM_ST_SIZE; i++)
		if (i != KVM_ST_PREEMPTED && (i < KVM_ST_STEAL || i >= KVM_ST_STEAL + 8) &&
		    (i < KVM_ST_VERSION || i >= KVM_ST_VERSION + 4))
			FUZZ_CHECK(rec[i] == before[i], "byte %u of the record changed", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t *rec = aligned_alloc(64, KVM_ST_SIZE); /* the record is 64-byte aligned */

	if (!rec)
		abort();
	memset(rec, 0, KVM_ST_SIZE);
	for (unsigned ops = 0; fz_left(&f) && ops < 4096; ops++) {
		uint8_t o = fz_u8(&f);
		switch (o % 5) {
		case 0: {
			uint64_t v = fz_u64(&f);
			bool ok = pv_steal_msr_ok(v);
			FUZZ_CHECK(ok == !(v & 0x3e), "steal-time MSR 0x%llx %s", (unsigned long long)v,
				   ok ? "accepted" : "refused");
			if (ok)
				FUZZ_CHECK(!((v & KVM_STEAL_VALID_BITS) % 64) && (v & ~KVM_STEAL_VALID_BITS) <= KVM_MSR_ENABLED,
					   "accepted 0x%llx is not an aligned address plus the enable bit",
					   (unsigned long long)v);
			break;
		}
		case 1: {
			uint64_t icr = fz_u64(&f);
			bool ok = pv_ipi_icr_ok(icr);
			FUZZ_CHECK(ok == (!(icr >> 11 & 1) && !(icr >> 18 & 3)), "ICR 0x%llx %s", (unsigned long long)icr,
				   ok ? "accepted" : "refused");
			break;
		}
		case 2:
			walk(&f);
			break;
		default:
			steal(&f, rec, o % 5 == 4);
			break;
		}
	}
	free(rec);
	return 0;
}
