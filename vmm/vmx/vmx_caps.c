/* VMX capability negotiation: see vmx_caps.h for the rules (SDM A.3-A.5). */
#include "vmm/vmx/vmx_caps.h"
#include "vmm/vmx/vmcs.h"

/* Bounded string builder: appends what fits, always terminates, counts the
 * full length (so callers can size buffers like with snprintf). */
struct vmx_sbuf {
	char *buf;
	size_t size, len;
};

static void sb_add(struct vmx_sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->size && b->len + 1 < b->size) {
		size_t room = b->size - 1 - b->len;
		size_t k = n < room ? n : room;
		memcpy(b->buf + b->len, s, k);
		b->buf[b->len + k] = '\0';
	}
	b->len += n;
}

static void sb_add_uint(struct vmx_sbuf *b, unsigned v)
{
	char tmp[12];
	int i = (int)sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	sb_add(b, tmp + i);
}

/* Controls lhv cannot run without. "initial" ones are set in every VMCS;
 * the others are toggled at run time and only need to be allowed. */
struct vmx_req {
	uint8_t word;
	bool initial;
	uint32_t bits;
	const char *name;
};

static const struct vmx_req vmx_required[] = {
	{ VMX_CTL_PIN, true, PIN_EXTINT_EXITING, "external-interrupt exiting" },
	{ VMX_CTL_PIN, true, PIN_NMI_EXITING, "NMI exiting" },
	{ VMX_CTL_PROC, true, PROC_HLT_EXITING, "HLT exiting" },
	/* Guests see no MONITOR/MWAIT and no performance counters (CPUID):
	 * the instructions must exit so they fault as on such a CPU, and a
	 * guest cannot park a pCPU in MWAIT or read the host's counters. */
	{ VMX_CTL_PROC, true, PROC_MWAIT_EXITING, "MWAIT exiting" },
	{ VMX_CTL_PROC, true, PROC_MONITOR_EXITING, "MONITOR exiting" },
	{ VMX_CTL_PROC, true, PROC_RDPMC_EXITING, "RDPMC exiting" },
	{ VMX_CTL_PROC, false, PROC_INTR_WINDOW_EXITING, "interrupt-window exiting" },
	{ VMX_CTL_PROC, true, PROC_IO_BITMAPS, "I/O bitmaps" },
	{ VMX_CTL_PROC, true, PROC_MSR_BITMAPS, "MSR bitmaps" },
	{ VMX_CTL_PROC, true, PROC_SECONDARY_CTLS, "secondary controls" },
	{ VMX_CTL_PROC2, true, PROC2_EPT, "EPT" },
	{ VMX_CTL_PROC2, true, PROC2_UNRESTRICTED_GUEST, "unrestricted guest" },
	{ VMX_CTL_EXIT, true, EXIT_HOST_ADDR_SPACE_SIZE, "64-bit host" },
	{ VMX_CTL_EXIT, true, EXIT_ACK_INTR_ON_EXIT, "acknowledge interrupt on exit" },
	{ VMX_CTL_EXIT, true, EXIT_SAVE_IA32_EFER, "save IA32_EFER on exit" },
	{ VMX_CTL_EXIT, true, EXIT_LOAD_IA32_EFER, "load IA32_EFER on exit" },
	{ VMX_CTL_EXIT, true, EXIT_SAVE_IA32_PAT, "save IA32_PAT on exit" },
	{ VMX_CTL_EXIT, true, EXIT_LOAD_IA32_PAT, "load IA32_PAT on exit" },
	{ VMX_CTL_ENTRY, false, ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest" },
	{ VMX_CTL_ENTRY, true, ENTRY_LOAD_IA32_EFER, "load IA32_EFER on entry" },
	{ VMX_CTL_ENTRY, true, ENTRY_LOAD_IA32_PAT, "load IA32_PAT on entry" },
};

/* Optional controls, in dependency order: an entry is used only when every
 * feature in `needs` was taken before it. APIC virtualization needs "use TPR
 * shadow" (SDM 27.2.1.1); saving the timer needs the timer. */
struct vmx_opt {
	uint8_t word;
	uint32_t bits;
	unsigned feat, needs;
};

static const struct vmx_opt vmx_optional[] = {
	{ VMX_CTL_PIN, PIN_VIRTUAL_NMIS, VMX_FEAT_VNMI, 0 },
	{ VMX_CTL_PIN, PIN_PREEMPTION_TIMER, VMX_FEAT_PREEMPT_TIMER, 0 },
	{ VMX_CTL_EXIT, EXIT_SAVE_PREEMPT_TIMER, VMX_FEAT_SAVE_PREEMPT, VMX_FEAT_PREEMPT_TIMER },
	{ VMX_CTL_PROC, PROC_TPR_SHADOW, VMX_FEAT_TPR_SHADOW, 0 },
	{ VMX_CTL_PROC2, PROC2_APIC_REG_VIRT, VMX_FEAT_APIC_REG_VIRT, VMX_FEAT_TPR_SHADOW },
	{ VMX_CTL_PROC2, PROC2_VIRT_INTR_DELIVERY, VMX_FEAT_VID, VMX_FEAT_TPR_SHADOW },
	{ VMX_CTL_PROC2, PROC2_VIRT_X2APIC_MODE, VMX_FEAT_X2APIC_VIRT, VMX_FEAT_TPR_SHADOW },
	{ VMX_CTL_PROC2, PROC2_PAUSE_LOOP_EXITING, VMX_FEAT_PLE, 0 },
	{ VMX_CTL_PROC2, PROC2_RDTSCP, VMX_FEAT_RDTSCP, 0 },
	{ VMX_CTL_PROC2, PROC2_INVPCID, VMX_FEAT_INVPCID, 0 },
	{ VMX_CTL_PROC2, PROC2_XSAVES, VMX_FEAT_XSAVES, 0 },
	{ VMX_CTL_PROC2, PROC2_VPID, VMX_FEAT_VPID, 0 },
};

static const char *const vmx_feat_names[] = {
	"vpid", "preempt-timer", "save-preempt-timer", "ple", "tpr-shadow",
	"apic-reg-virt", "virt-intr-delivery", "x2apic-virt", "rdtscp",
	"invpcid", "xsaves", "ept-ad", "ept-2m", "ept-1g", "invept-single",
	"vnmi",
};

const char *vmx_feature_name(unsigned feat)
{
	for (unsigned i = 0; i < ARRAY_SIZE(vmx_feat_names); i++)
		if (feat == 1u << i)
			return vmx_feat_names[i];
	return "?";
}

/* Bits that are reserved-as-1 in the non-TRUE MSRs (A.2). lhv wants them
 * set except CR3-load/store exiting, which it clears when the TRUE MSR
 * allows it. */
static const uint32_t vmx_default1[VMX_CTL_COUNT] = {
	[VMX_CTL_PIN] = PIN_DEFAULT1,
	[VMX_CTL_PROC] = PROC_DEFAULT1 & ~(uint32_t)(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING),
	[VMX_CTL_PROC2] = 0,
	[VMX_CTL_EXIT] = EXIT_DEFAULT1,
	[VMX_CTL_ENTRY] = ENTRY_DEFAULT1,
};

static const char *const vmx_ctl_names[VMX_CTL_COUNT] = {
	"pin-based", "processor-based", "secondary", "VM-exit", "VM-entry",
};

static void vmx_load_allowed(const struct vmx_cap_msrs *m, struct vmx_config *c)
{
	bool t = (m->basic & VMX_BASIC_TRUE_CTLS) != 0;
	uint64_t raw[VMX_CTL_COUNT] = {
		[VMX_CTL_PIN] = t ? m->true_pinbased : m->pinbased,
		[VMX_CTL_PROC] = t ? m->true_procbased : m->procbased,
		[VMX_CTL_PROC2] = 0,
		[VMX_CTL_EXIT] = t ? m->true_exit : m->exit,
		[VMX_CTL_ENTRY] = t ? m->true_entry : m->entry,
	};

	/* The secondary MSR exists only if the primary controls can activate
	 * it (A.3.3). */
	if ((raw[VMX_CTL_PROC] >> 32) & PROC_SECONDARY_CTLS)
		raw[VMX_CTL_PROC2] = m->procbased2;
	c->true_ctls = t;
	for (int w = 0; w < VMX_CTL_COUNT; w++) {
		c->allowed0[w] = (uint32_t)raw[w];
		c->allowed1[w] = (uint32_t)(raw[w] >> 32);
	}
}

static void sb_problem(struct vmx_sbuf *b, int *n, const char *what)
{
	sb_add(b, *n ? ", " : "VMX: missing required features: ");
	sb_add(b, what);
	(*n)++;
}

static void vmx_check_required(const struct vmx_config *c, uint64_t eptcap,
			       struct vmx_sbuf *b, int *n)
{
	for (unsigned i = 0; i < ARRAY_SIZE(vmx_required); i++) {
		const struct vmx_req *r = &vmx_required[i];
		if ((c->allowed1[r->word] & r->bits) != r->bits)
			sb_problem(b, n, r->name);
	}
	if (!(c->allowed1[VMX_CTL_PROC2] & PROC2_EPT))
		return;         /* the EPT capability MSR is meaningless */
	if (!(eptcap & EPT_CAP_WALK4))
		sb_problem(b, n, "EPT 4-level walk");
	if (!(eptcap & EPT_CAP_MT_WB))
		sb_problem(b, n, "EPT write-back memory type");
	if (!(eptcap & EPT_CAP_INVEPT) ||
	    !(eptcap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		sb_problem(b, n, "INVEPT");
}

static void vmx_check_basic(const struct vmx_cap_msrs *m, struct vmx_config *c,
			    struct vmx_sbuf *b, int *n)
{
	c->revision_id = VMX_BASIC_REVISION(m->basic);
	c->vmcs_size = VMX_BASIC_VMCS_SIZE(m->basic);
	/* lhv allocates one 4 KiB page anywhere in memory, cached WB (A.1). */
	if (c->vmcs_size == 0 || c->vmcs_size > 4096)
		sb_problem(b, n, "VMCS region of at most 4 KiB");
	if (m->basic & VMX_BASIC_32BIT_ADDR)
		sb_problem(b, n, "64-bit VMXON/VMCS addresses");
	if (VMX_BASIC_MEMTYPE(m->basic) != EPT_MT_WB)
		sb_problem(b, n, "write-back VMCS memory type");
	for (int w = 0; w < VMX_CTL_COUNT; w++) {
		if (c->allowed0[w] & ~c->allowed1[w]) {
			sb_problem(b, n, "consistent capability MSR for ");
			sb_add(b, vmx_ctl_names[w]);
			sb_add(b, " controls");
		}
	}
}

static bool vmx_opt_usable(const struct vmx_opt *o, const struct vmx_config *c,
			   uint64_t eptcap, unsigned disable)
{
	if (disable & o->feat)
		return false;
	if ((c->allowed1[o->word] & o->bits) != o->bits)
		return false;
	if ((c->features & o->needs) != o->needs)
		return false;
	/* VPID is useless without a way to flush its TLB entries. */
	if (o->feat == VMX_FEAT_VPID)
		return (eptcap & VPID_CAP_INVVPID) &&
		       (eptcap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL));
	return true;
}

static void vmx_pick_optional(const struct vmx_cap_msrs *m, unsigned disable,
			      struct vmx_config *c, uint32_t *want)
{
	uint64_t cap = m->ept_vpid_cap;

	for (unsigned i = 0; i < ARRAY_SIZE(vmx_optional); i++) {
		const struct vmx_opt *o = &vmx_optional[i];
		if (vmx_opt_usable(o, c, cap, disable)) {
			want[o->word] |= o->bits;
			c->features |= o->feat;
		}
	}
	if (c->features & VMX_FEAT_PREEMPT_TIMER)
		c->preempt_shift = VMX_MISC_PREEMPT_SHIFT(m->misc);
	if (c->features & VMX_FEAT_VPID)
		c->invvpid_type = (cap & VPID_CAP_INVVPID_SINGLE) ?
			INVVPID_SINGLE_CONTEXT : INVVPID_ALL_CONTEXT;

	/* EPT capabilities that need no control bit. */
	if ((cap & EPT_CAP_AD) && !(disable & VMX_FEAT_EPT_AD))
		c->features |= VMX_FEAT_EPT_AD;
	if ((cap & EPT_CAP_2M) && !(disable & VMX_FEAT_EPT_2M))
		c->features |= VMX_FEAT_EPT_2M;
	if ((cap & EPT_CAP_1G) && !(disable & VMX_FEAT_EPT_1G))
		c->features |= VMX_FEAT_EPT_1G;
	if ((cap & EPT_CAP_INVEPT_SINGLE) && !(disable & VMX_FEAT_INVEPT_SINGLE))
		c->features |= VMX_FEAT_INVEPT_SINGLE;
	c->invept_type = (c->features & VMX_FEAT_INVEPT_SINGLE) ?
		INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT;
}

int vmx_caps_compute(const struct vmx_cap_msrs *m, unsigned disable,
		     struct vmx_config *c, char *err, size_t errlen)
{
	struct vmx_sbuf b = { err, errlen, 0 };
	uint32_t want[VMX_CTL_COUNT] = { 0 };
	int problems = 0;

	memset(c, 0, sizeof(*c));
	if (errlen)
		err[0] = '\0';
	vmx_load_allowed(m, c);
	vmx_check_basic(m, c, &b, &problems);
	vmx_check_required(c, m->ept_vpid_cap, &b, &problems);
	if (problems)
		return -1;

	for (unsigned i = 0; i < ARRAY_SIZE(vmx_required); i++)
		if (vmx_required[i].initial)
			want[vmx_required[i].word] |= vmx_required[i].bits;
	/* The EPT capability MSR is valid only now that EPT is known to be
	 * allowed; VPID shares it (A.10). */
	vmx_pick_optional(m, disable, c, want);

	for (int w = 0; w < VMX_CTL_COUNT; w++) {
		uint32_t asked = want[w] | vmx_default1[w];
		c->ctl[w] = (asked | c->allowed0[w]) & c->allowed1[w];
		c->forced[w] = c->ctl[w] & ~asked;
	}
	c->cr0_fixed0 = m->cr0_fixed0;
	c->cr0_fixed1 = m->cr0_fixed1;
	c->cr4_fixed0 = m->cr4_fixed0;
	c->cr4_fixed1 = m->cr4_fixed1;
	return 0;
}

size_t vmx_caps_describe(const struct vmx_config *c, char *buf, size_t len)
{
	struct vmx_sbuf b = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		bool want_on = pass == 0;
		sb_add(&b, want_on ? "on:" : "; off:");
		for (unsigned i = 0; i < ARRAY_SIZE(vmx_feat_names); i++) {
			if (((c->features >> i) & 1) != want_on)
				continue;
			sb_add(&b, " ");
			sb_add(&b, vmx_feat_names[i]);
			if (want_on && (1u << i) == VMX_FEAT_PREEMPT_TIMER) {
				sb_add(&b, "(tsc>>");
				sb_add_uint(&b, c->preempt_shift);
				sb_add(&b, ")");
			}
		}
	}
	return b.len;
}

bool vmx_ctl_allowed(const struct vmx_config *c, enum vmx_ctl w, uint32_t bits)
{
	return w < VMX_CTL_COUNT && (c->allowed1[w] & bits) == bits;
}

static uint64_t vmx_cr0_must1(const struct vmx_config *c, bool unrestricted)
{
	uint64_t must1 = c->cr0_fixed0;

	if (unrestricted)
		must1 &= ~(CR0_PE | CR0_PG);
	return must1;
}

uint64_t vmx_cr0_fixup(const struct vmx_config *c, uint64_t cr0, bool unrestricted)
{
	return (cr0 | vmx_cr0_must1(c, unrestricted)) & c->cr0_fixed1;
}

uint64_t vmx_cr4_fixup(const struct vmx_config *c, uint64_t cr4)
{
	return (cr4 | c->cr4_fixed0) & c->cr4_fixed1;
}

bool vmx_cr0_valid(const struct vmx_config *c, uint64_t cr0, bool unrestricted)
{
	/* Paging without protection is invalid even for unrestricted guests
	 * (27.3.1.1). */
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		return false;
	return vmx_cr0_fixup(c, cr0, unrestricted) == cr0;
}

bool vmx_cr4_valid(const struct vmx_config *c, uint64_t cr4)
{
	return vmx_cr4_fixup(c, cr4) == cr4;
}
