/* lhvagent: the guest side of lhv's observation calls (docs/hypercalls.md,
 * "Observation calls"). A static program /init runs when the kernel command
 * line says lhv.agent=1 (docs/linux.md); the VM's module line must say
 * user_hc=agent for lhv to accept calls from user space.
 *
 *   lhvagent register      tell lhv where this kernel keeps its per-CPU
 *                          __preempt_count, current_task and idle_threads
 *                          (from /proc/kallsyms), and hand it the kernel's
 *                          text symbols for the trace
 *   lhvagent begin NAME    wait until every VM with an agent got here
 *                          (the n-th begin of each), then open phase NAME
 *   lhvagent end NAME      close phase NAME
 *
 * It prints "LHV-AGENT: ..." lines and exits 0, or 1 with the reason
 * (not under lhv, calls refused, bad arguments). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cpuid.h>
#include "lhv_hc.h"
#include <sys/klog.h>

#define HC_REGISTER 0x4C480100u
#define HC_SYMS     0x4C480101u
#define HC_MARK     0x4C480102u
#define HC_SYNC     0x4C480103u
#define HC_EPERM    (-1L)
#define HC_ENOSYS   (-1000L)
#define ABI_VERSION 1
#define CHUNK_MAX   65536
#define LABEL_MAX   24
#define SYNC_FILE   "/tmp/lhvagent.sync"
#define SYNC_WAIT_S 120

static int say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("LHV-AGENT: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
	return 0;
}

/* A hypervisor that speaks KVM's interface (lhv does): CPUID's hypervisor
 * bit and the 0x40000000 signature. VMCALL elsewhere could fault. */
static int under_kvm_abi(void)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return 0;
	lhv_hc_init();
	__cpuid(0x40000000, a, b, c, d);
	char sig[13];
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	return !strcmp(sig, "KVMKVMKVM");
}

static int refused(const char *what, long r)
{
	if (r == HC_EPERM)
		return say("%s: refused from user space (the VM's module line needs user_hc=agent)", what), 1;
	if (r == HC_ENOSYS)
		return say("%s: this hypervisor has no observation calls", what), 1;
	return say("%s: error %ld", what, r), 1;
}

struct text { char *p; size_t len, cap; };

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2 + 4096;
		t->p = realloc(t->p, t->cap);
		if (!t->p) {
			perror("lhvagent: realloc");
			exit(1);
		}
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
}

/* Which spinlock the guest chose, from its kernel log (Linux 6.1
 * arch/x86/kernel/kvm.c: "kvm-guest: PV spinlocks enabled", "... disabled,
 * no host support", "... disabled, forced by \"nopvspin\" parameter"). */
static void say_spinlock(void)
{
	int len = klogctl(10, NULL, 0);           /* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf = len > 0 ? malloc((size_t)len + 1) : NULL;
	int n = buf ? klogctl(3, buf, len) : -1;  /* SYSLOG_ACTION_READ_ALL */
	const char *found = NULL;
	if (n > 0) {
		buf[n] = 0;
		for (char *l = strtok(buf, "\n"); l && !found; l = strtok(NULL, "\n"))
			if (strstr(l, "PV spinlocks"))
				found = strstr(l, "PV spinlocks");
	}
	say("spinlock: %s", found ? found : "none");
	free(buf);
}

static int do_register(void)
{
	say_spinlock();
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f)
		return say("register: /proc/kallsyms: %s", strerror(errno)), 1;
	uint64_t pc = 0, cur = 0, idle = 0, hot = 0;
	unsigned long ntext = 0;
	struct text t = { 0 };
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char name[256], type;
		unsigned long long addr;
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || strchr(line, '['))
			continue;      /* module symbols carry "[module]" */
		if (!strcmp(name, "__preempt_count"))
			pc = addr;
		else if (!strcmp(name, "current_task"))
			cur = addr;
		else if (!strcmp(name, "idle_threads"))
			idle = addr;
		else if (!strcmp(name, "pcpu_hot"))
			hot = addr;
		if ((type == 't' || type == 'T') && addr) {
			char out[300];
			int n = snprintf(out, sizeof(out), "%llx %s\n", addr, name);
			text_add(&t, out, (size_t)n);
			ntext++;
		}
	}
	fclose(f);
	/* Linux 6.2 and later keep both in struct pcpu_hot (current_task at
	 * offset 0, preempt_count at 8: arch/x86/include/asm/current.h). */
	if (!pc && hot) {
		pc = hot + 8;
		cur = hot;
	}
	if (!pc)
		return say("register: no __preempt_count in /proc/kallsyms (addresses hidden? kptr_restrict)"), 1;
	long r = lhv_hc(HC_REGISTER, pc, cur, idle, ABI_VERSION);
	if (r)
		return refused("register", r);
	say("registered preempt_count=%#llx current_task=%#llx idle_threads=%#llx",
	    (unsigned long long)pc, (unsigned long long)cur, (unsigned long long)idle);
	/* FNV-1a over the table: VMs with the same kernel (no KASLR) send it once. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < t.len; i++)
		h = (h ^ (unsigned char)t.p[i]) * 0x100000001b3ull;
	r = lhv_hc(HC_SYMS, 0, 0, h, 0);
	if (r == 1)
		return say("symbols: %lu, already in the trace (hash %016llx)", ntext, (unsigned long long)h);
	if (r == 2)
		return say("symbols: %lu, not sent (lhv writes no trace)", ntext);
	if (r)
		return refused("symbols", r);
	size_t off = 0;
	while (off < t.len) {
		size_t n = t.len - off < CHUNK_MAX ? t.len - off : CHUNK_MAX;
		while (t.p[off + n - 1] != '\n')      /* whole lines per chunk */
			n--;
		r = lhv_hc(HC_SYMS, (uint64_t)(uintptr_t)(t.p + off), n, h, 0);
		if (r)
			return refused("symbols", r);
		off += n;
	}
	say("symbols: %lu sent, %zu bytes (hash %016llx)", ntext, t.len, (unsigned long long)h);
	free(t.p);
	return 0;
}

/* The label in three registers, little-endian, NUL-padded; characters
 * outside [A-Za-z0-9._-] become '_'. */
static void pack_label(const char *name, uint64_t regs[3])
{
	char l[LABEL_MAX] = { 0 };
	for (size_t i = 0; i < LABEL_MAX && name[i]; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';
		l[i] = ok ? c : '_';
	}
	memcpy(regs, l, sizeof(l));
}

static int do_begin(const char *name)
{
	/* The n-th begin of this boot: every VM runs the same list, so the
	 * n-th begins meet. */
	unsigned long n = 0;
	FILE *f = fopen(SYNC_FILE, "r");
	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	n++;
	f = fopen(SYNC_FILE, "w");
	if (f) {
		fprintf(f, "%lu\n", n);
		fclose(f);
	}
	struct timespec start, now, nap = { 0, 5000000 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	long r;
	while ((r = lhv_hc(HC_SYNC, n, 0, 0, 0)) == 1) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > SYNC_WAIT_S) {
			say("begin %s: the other VMs did not arrive within %d s; going on", name, SYNC_WAIT_S);
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (r != 0 && r != 1)
		return refused("sync", r);
	uint64_t l[3];
	pack_label(name, l);
	r = lhv_hc(HC_MARK, 1, l[0], l[1], l[2]);
	return r ? refused("begin", r) : 0;
}

static int do_end(const char *name)
{
	uint64_t l[3];
	pack_label(name, l);
	long r = lhv_hc(HC_MARK, 2, l[0], l[1], l[2]);
	return r ? refused("end", r) : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "register") && argc != 3)) {
		fprintf(stderr, "usage: lhvagent register | begin NAME | end NAME\n");
		return 2;
	}
	if (!under_kvm_abi())
		return say("not under a KVM-compatible hypervisor: nothing to do"), 1;
	if (!strcmp(argv[1], "register"))
		return do_register();
	if (!strcmp(argv[1], "begin"))
		return do_begin(argv[2]);
	if (!strcmp(argv[1], "end"))
		return do_end(argv[2]);
	fprintf(stderr, "lhvagent: unknown command '%s'\n", argv[1]);
	return 2;
}
