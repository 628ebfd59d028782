/* Host tests for vmm/pv/pv_abi.c: the KVM_HC_SEND_IPI destination walk
 * (clusters, the 32-bit mode truncation, IDs past the VM, sums that must
 * not wrap), the ICR and steal-MSR checks, and the steal-time record
 * update (seqcount, accumulation, the atomic preempted byte). */
#include "tests/unit/check.h"
#include "vmm/pv/pv_abi.h"
#include <string.h>

/* Records the IDs fn was called with; "delivers" to even IDs only. */
static uint32_t seen[300];
static unsigned nseen;

static unsigned record(void *ctx, uint32_t id)
{
	(void)ctx;
	if (nseen < 300)
		seen[nseen++] = id;
	return (id & 1) == 0;
}

static uint64_t walk(uint64_t lo, uint64_t hi, uint64_t min, bool lm, uint32_t max)
{
	nseen = 0;
	return pv_ipi_walk(lo, hi, min, lm, max, record, NULL);
}

static void test_ipi_walk(void)
{
	/* Bit i of a0 is APIC ID min + i. */
	CHECK_EQ(walk(0x5, 0, 0, true, 7), 2);          /* IDs 0, 2: both even */
	CHECK_EQ(nseen, 2);
	CHECK_EQ(seen[0], 0);
	CHECK_EQ(seen[1], 2);
	CHECK_EQ(walk(0x3, 0, 4, true, 7), 1);          /* IDs 4 (even), 5 */
	CHECK_EQ(nseen, 2);
	CHECK_EQ(seen[1], 5);
	/* IDs past the VM's last APIC ID are skipped, not delivered. */
	CHECK_EQ(walk(~0ull, ~0ull, 0, true, 3), 2);
	CHECK_EQ(nseen, 4);
	/* 64-bit mode: the high bitmap starts 64 IDs above min. */
	CHECK_EQ(walk(0, 1, 0, true, 100), 1);
	CHECK_EQ(nseen, 1);
	CHECK_EQ(seen[0], 64);
	/* 32-bit mode: clusters of 32 and every argument truncated. */
	CHECK_EQ(walk(0x100000001ull, 1, 0, false, 100), 2);
	CHECK_EQ(nseen, 2);
	CHECK_EQ(seen[0], 0);
	CHECK_EQ(seen[1], 32);
	CHECK_EQ(walk(1, 0, 0x100000002ull, false, 100), 1);   /* min truncated to 2 */
	CHECK_EQ(seen[0], 2);
	/* min beyond the last ID: nothing at all. */
	CHECK_EQ(walk(~0ull, ~0ull, 8, true, 7), 0);
	CHECK_EQ(nseen, 0);
	/* Sums near the top of the range never wrap around to low IDs. */
	CHECK_EQ(walk(~0ull, ~0ull, ~0ull - 3, true, ~0u), 0);
	CHECK_EQ(nseen, 0);
	CHECK_EQ(walk(~0ull, ~0ull, 0xfffffffeull, true, ~0u), 1);
	CHECK_EQ(nseen, 2);                              /* 0xfffffffe, 0xffffffff */
	CHECK_EQ(walk(~0ull, ~0ull, 0xffffffffull, false, ~0u), 0);
	CHECK_EQ(nseen, 1);                              /* the high cluster would wrap */
	/* Empty bitmaps deliver nothing. */
	CHECK_EQ(walk(0, 0, 0, true, 63), 0);
	CHECK_EQ(nseen, 0);
}

static void test_checks(void)
{
	CHECK(pv_steal_msr_ok(0));
	CHECK(pv_steal_msr_ok(0x1000 | KVM_MSR_ENABLED));
	CHECK(pv_steal_msr_ok(0xffffffffffffffc1ull));
	for (unsigned b = 1; b <= 5; b++)
		CHECK(!pv_steal_msr_ok(0x1000 | (1ull << b) | 1));
	CHECK(pv_ipi_icr_ok(0x40));                     /* fixed, vector 0x40 */
	CHECK(pv_ipi_icr_ok(0x400));                    /* NMI */
	CHECK(!pv_ipi_icr_ok(0x40 | PV_ICR_LOGICAL));
	CHECK(!pv_ipi_icr_ok(0x40 | (1ull << 18)));     /* self */
	CHECK(!pv_ipi_icr_ok(0x40 | (3ull << 18)));     /* all but self */
	CHECK_EQ(PV_ICR_VECTOR(0x4fd), 0xfd);
	CHECK_EQ(PV_ICR_MODE(0x4fd), 4);
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void test_record(void)
{
	_Alignas(64) uint8_t rec[64];
	memset(rec, 0, sizeof(rec));
	CHECK_EQ(pv_steal_record(rec, 1000), 0);
	CHECK_EQ(get32(rec + KVM_ST_VERSION), 2);
	CHECK_EQ(get64(rec + KVM_ST_STEAL), 1000);
	CHECK_EQ(pv_steal_record(rec, 234), 0);
	CHECK_EQ(get32(rec + KVM_ST_VERSION), 4);
	CHECK_EQ(get64(rec + KVM_ST_STEAL), 1234);
	/* Taken off while runnable, then the guest asks for a flush: the next
	 * dispatch returns both bits and leaves the byte 0. */
	pv_steal_mark_preempted(rec);
	CHECK_EQ(rec[KVM_ST_PREEMPTED], KVM_VCPU_PREEMPTED);
	rec[KVM_ST_PREEMPTED] |= KVM_VCPU_FLUSH_TLB;
	CHECK_EQ(pv_steal_record(rec, 0), KVM_VCPU_PREEMPTED | KVM_VCPU_FLUSH_TLB);
	CHECK_EQ(rec[KVM_ST_PREEMPTED], 0);
	CHECK_EQ(get32(rec + KVM_ST_VERSION), 6);
	/* An odd version the guest left: odd during the update, even after. */
	uint32_t odd = 7;
	memcpy(rec + KVM_ST_VERSION, &odd, 4);
	pv_steal_record(rec, 1);
	CHECK_EQ(get32(rec + KVM_ST_VERSION), 10);
	CHECK_EQ(get64(rec + KVM_ST_STEAL), 1235);
	/* Nothing outside the first 17 bytes is touched. */
	for (unsigned i = KVM_ST_PREEMPTED + 1; i < 64; i++)
		CHECK_EQ(rec[i], 0);
	CHECK_EQ(get32(rec + KVM_ST_FLAGS), 0);
}

int main(void)
{
	test_ipi_walk();
	test_checks();
	test_record();
	return check_done("test_pv_abi");
}
