/* Host tests for vmm/vm_config.c (with core/cmdline.c and core/fmt.c). */
#include "tests/unit/check.h"
#include "vmm/vm/config.h"
#include <stdlib.h>

#define FREE MiB(900)

static struct vm_config cfg;
static char err[600];

static int parse(const char *line)
{
	err[0] = '\0';
	return vm_config_parse(line, FREE, &cfg, err, sizeof(err));
}

/* Parse, expect failure with exactly this message. */
static void expect_err(const char *line, const char *msg)
{
	int rc = parse(line);

	CHECK_EQ(rc, -1);
	CHECK(strcmp(err, msg) == 0);
	if (rc != -1 || strcmp(err, msg) != 0)
		fprintf(stderr, "  line: %s\n  got:  %s\n  want: %s\n", line, err, msg);
}

static void test_valid(void)
{
	CHECK_EQ(parse("vm=web vcpus=2 mem=256M"), 0);
	CHECK(strcmp(cfg.name, "web") == 0);
	CHECK_EQ(cfg.vcpus, 2);
	CHECK_EQ(cfg.mem, MiB(256));
	CHECK_EQ(cfg.weight, VM_WEIGHT_DEFAULT);
	CHECK_EQ(cfg.cap, 0);
	CHECK_EQ(cfg.slice_ns, 0);
	CHECK(!cfg.is_initrd);
	CHECK(!cfg.has_cmdline);
	CHECK_EQ(cfg.cmdline[0], 0);

	CHECK_EQ(parse("  vm=db_2-x  vcpus=64 mem=3M weight=65535 cap=6400 slice=30 "
		       "-- console=ttyS0 root=/dev/ram0  quiet  \n"), 0);
	CHECK(strcmp(cfg.name, "db_2-x") == 0);
	CHECK_EQ(cfg.vcpus, 64);
	CHECK_EQ(cfg.mem, MiB(4));      /* rounded up to 2 MiB */
	CHECK_EQ(cfg.weight, 65535);
	CHECK_EQ(cfg.cap, 6400);
	CHECK_EQ(cfg.slice_ns, 30000000);
	CHECK(cfg.has_cmdline);
	CHECK(strcmp(cfg.cmdline, "console=ttyS0 root=/dev/ram0  quiet") == 0);

	CHECK_EQ(parse("vm=a vcpus=1 mem=2M slice=500us weight=1 cap=100 --"), 0);
	CHECK_EQ(cfg.slice_ns, 500000);
	CHECK_EQ(cfg.weight, 1);
	CHECK(cfg.has_cmdline);
	CHECK_EQ(cfg.cmdline[0], 0);
	CHECK_EQ(parse("vm=a vcpus=1 mem=900M slice=1000ms"), 0);
	CHECK_EQ(cfg.slice_ns, 1000000000);
	CHECK_EQ(cfg.mem, MiB(900));
	CHECK_EQ(parse("vm=a vcpus=0x2 mem=0x200000"), 0);
	CHECK_EQ(cfg.vcpus, 2);
	/* The last of a repeated key wins. */
	CHECK_EQ(parse("vm=a vcpus=1 mem=8M vcpus=3"), 0);
	CHECK_EQ(cfg.vcpus, 3);
	/* 31 characters is the longest name. */
	CHECK_EQ(parse("vm=abcdefghijklmnopqrstuvwxyz01234 vcpus=1 mem=2M"), 0);
	CHECK_EQ(strlen(cfg.name), 31);

	CHECK_EQ(parse("vm=web initrd"), 0);
	CHECK(cfg.is_initrd);
	CHECK(strcmp(cfg.name, "web") == 0);
	CHECK_EQ(parse("initrd vm=web"), 0);
	CHECK(cfg.is_initrd);
	CHECK(!cfg.is_module);

	/* Multiboot modules: a name, and the module's string after "--". */
	CHECK_EQ(parse("vm=kut module"), 0);
	CHECK(cfg.is_module && !cfg.is_initrd && !cfg.has_cmdline);
	CHECK(strcmp(cfg.name, "kut") == 0);
	CHECK_EQ(parse("vm=kut module -- NR_CPUS=2 MEMSIZE=32"), 0);
	CHECK(cfg.is_module && cfg.has_cmdline);
	CHECK(strcmp(cfg.cmdline, "NR_CPUS=2 MEMSIZE=32") == 0);
}

static void test_errors(void)
{
	expect_err("vm=web vcpu=2 mem=64M", "vm=web: unknown option 'vcpu=2'; missing vcpus=<N>");
	expect_err("vm=web vcpus=0 mem=64M", "vm=web: vcpus=0 out of range (1..64)");
	expect_err("vm=web vcpus=65 mem=64M", "vm=web: vcpus=65 out of range (1..64)");
	expect_err("vm=web vcpus=two mem=64M",
		   "vm=web: bad value for 'vcpus': 'two' (expected a number); missing vcpus=<N>");
	expect_err("vcpus=1 mem=64M", "missing vm=<name>");
	expect_err("", "missing vm=<name>; missing vcpus=<N>; missing mem=<size>");
	expect_err("vm=we.b vcpus=1 mem=64M",
		   "bad vm name 'we.b' (expected 1-31 of A-Z a-z 0-9 _ -)");
	expect_err("vm= vcpus=1 mem=64M", "bad vm name '' (expected 1-31 of A-Z a-z 0-9 _ -)");
	expect_err("vm=abcdefghijklmnopqrstuvwxyz012345 vcpus=1 mem=2M",
		   "value for 'vm' too long: 32 characters (at most 31); missing vm=<name>");
	expect_err("vm=web vcpus=1 mem=64G", "vm=web: mem=64G exceeds free memory (900 MiB)");
	expect_err("vm=web vcpus=1 mem=901M", "vm=web: mem=901M exceeds free memory (900 MiB)");
	CHECK_EQ(parse("vm=web vcpus=1 mem=899M"), 0);   /* rounds up to exactly all */
	CHECK_EQ(cfg.mem, MiB(900));
	CHECK_EQ(vm_config_parse("vm=web vcpus=1 mem=899M", MiB(899) + 1, &cfg, err, sizeof(err)), -1);
	CHECK(strcmp(err, "vm=web: mem=899M exceeds free memory (899 MiB)") == 0);
	expect_err("vm=web vcpus=1 mem=1M", "vm=web: mem=1M is below the minimum (2 MiB)");
	expect_err("vm=web vcpus=1 mem=lots",
		   "vm=web: bad value 'mem=lots' (expected a size such as 512M)");
	expect_err("vm=web vcpus=1 mem=99999999999999999999",
		   "vm=web: bad value 'mem=99999999999999999999' (expected a size such as 512M)");
	expect_err("vm=web vcpus=1", "vm=web: missing mem=<size>");
	expect_err("vm=web mem=8M", "vm=web: missing vcpus=<N>");
	expect_err("vm=web vcpus=1 mem=8M weight=0", "vm=web: weight=0 out of range (1..65535)");
	expect_err("vm=web vcpus=1 mem=8M weight=65536", "vm=web: weight=65536 out of range (1..65535)");
	expect_err("vm=web vcpus=2 mem=8M cap=201", "vm=web: cap=201 out of range (0..200 for 2 vcpus)");
	expect_err("vm=web vcpus=1 mem=8M slice=50us", "vm=web: slice=50us out of range (100us..1000ms)");
	expect_err("vm=web vcpus=1 mem=8M slice=2000", "vm=web: slice=2000 out of range (100us..1000ms)");
	expect_err("vm=web vcpus=1 mem=8M slice=99999999999999999999ms",
		   "vm=web: bad value 'slice=99999999999999999999ms' (expected e.g. 10, 10ms or 500us)");
	expect_err("vm=web vcpus=1 mem=8M slice=5s",
		   "vm=web: bad value 'slice=5s' (expected e.g. 10, 10ms or 500us)");
	expect_err("vm=web vcpus=1 mem=8M slice=ms",
		   "vm=web: bad value 'slice=ms' (expected e.g. 10, 10ms or 500us)");
	expect_err("vm=web initrd mem=8M", "vm=web: option 'mem' not allowed on an initrd line");
	expect_err("vm=web initrd -- quiet",
		   "vm=web: a guest command line is not allowed on an initrd line");
	expect_err("vm=web initrd=1", "vm=web: option 'initrd' takes no value, got 'initrd=1'; "
		   "missing vcpus=<N>; missing mem=<size>");
	expect_err("vm=web module vcpus=2", "vm=web: option 'vcpus' not allowed on a module line");
	expect_err("vm=web module initrd", "vm=web: a line is either 'initrd' or 'module'");
	expect_err("vm=web module=x", "vm=web: option 'module' takes no value, got 'module=x'; "
		   "missing vcpus=<N>; missing mem=<size>");
	expect_err("vm=x vcpus=1 mem=8M vm=y$",
		   "bad vm name 'y$' (expected 1-31 of A-Z a-z 0-9 _ -)");

	/* Guest command line one byte too long. */
	size_t n = strlen("vm=g vcpus=1 mem=8M -- ") + VM_CMDLINE_MAX;
	char *line = malloc(n + 1);
	strcpy(line, "vm=g vcpus=1 mem=8M -- ");
	memset(line + strlen(line), 'x', VM_CMDLINE_MAX);
	line[n] = '\0';
	expect_err(line, "vm=g: guest command line too long: 2048 characters (at most 2047)");
	line[n - 1] = '\0';
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(strlen(cfg.cmdline), VM_CMDLINE_MAX - 1);
	free(line);

	/* Short error buffers are cut but terminated; NULL line is no crash. */
	char small[8];
	CHECK_EQ(vm_config_parse("vm=web vcpus=0 mem=1G", FREE, &cfg, small, sizeof(small)), -1);
	CHECK(strcmp(small, "vm=web:") == 0);
	CHECK(strcmp(cfg.name, "web") == 0);
	CHECK_EQ(vm_config_parse(NULL, FREE, &cfg, NULL, 0), -1);
}

/* pv=: the default is everything a KVM host offers; lists combine; the
 * names round-trip through vm_pv_names(). */
static void test_pv(void)
{
	char names[VM_PV_NAMES_MAX];

	CHECK_EQ(parse("vm=a vcpus=2 mem=8M"), 0);
	CHECK_EQ(cfg.pv, VM_PV_ALL);
	CHECK_EQ(parse("vm=a vcpus=2 mem=8M pv=none"), 0);
	CHECK_EQ(cfg.pv, 0);
	vm_pv_names(cfg.pv, names, sizeof(names));
	CHECK(strcmp(names, "none") == 0);
	CHECK_EQ(parse("vm=a vcpus=2 mem=8M pv=all"), 0);
	CHECK_EQ(cfg.pv, VM_PV_ALL);
	CHECK_EQ(parse("vm=a vcpus=2 mem=8M pv=all,realtime"), 0);
	CHECK_EQ(cfg.pv, VM_PV_ALL | VM_PV_REALTIME);
	vm_pv_names(cfg.pv, names, sizeof(names));
	CHECK(strcmp(names, "unhalt,steal,tlb,yield,ipi,realtime") == 0);
	CHECK_EQ(parse("vm=a vcpus=2 mem=8M pv=realtime"), 0);
	CHECK_EQ(cfg.pv, VM_PV_REALTIME);
	CHECK_EQ(parse("vm=a vcpus=2 mem=8M pv=ipi,unhalt,unhalt"), 0);
	CHECK_EQ(cfg.pv, VM_PV_IPI | VM_PV_UNHALT);
	vm_pv_names(cfg.pv, names, sizeof(names));
	CHECK(strcmp(names, "unhalt,ipi") == 0);
	CHECK_EQ(parse("vm=a vcpus=2 mem=8M pv=steal,tlb,yield"), 0);
	CHECK_EQ(cfg.pv, VM_PV_STEAL | VM_PV_TLB | VM_PV_YIELD);
	/* The last pv= wins, as for every option. */
	CHECK_EQ(parse("vm=a vcpus=2 mem=8M pv=none pv=unhalt"), 0);
	CHECK_EQ(cfg.pv, VM_PV_UNHALT);
	/* A short buffer is cut, never overrun. */
	char small[6];
	vm_pv_names(VM_PV_ALL, small, sizeof(small));
	CHECK(strlen(small) < sizeof(small));

	expect_err("vm=a vcpus=1 mem=8M pv=",
		   "vm=a: bad value 'pv=' (expected all, none or a list of unhalt,steal,tlb,yield,ipi,realtime)");
	expect_err("vm=a vcpus=1 mem=8M pv=steal,eoi",
		   "vm=a: bad value 'pv=steal,eoi' (expected all, none or a list of unhalt,steal,tlb,yield,ipi,realtime)");
	expect_err("vm=a vcpus=1 mem=8M pv=steal,",
		   "vm=a: bad value 'pv=steal,' (expected all, none or a list of unhalt,steal,tlb,yield,ipi,realtime)");
	expect_err("vm=a vcpus=1 mem=8M pv=,steal",
		   "vm=a: bad value 'pv=,steal' (expected all, none or a list of unhalt,steal,tlb,yield,ipi,realtime)");
	expect_err("vm=a vcpus=1 mem=8M pv=none,realtime",
		   "vm=a: bad value 'pv=none,realtime' (expected all, none or a list of unhalt,steal,tlb,yield,ipi,realtime)");
	expect_err("vm=a vcpus=1 mem=8M pv=ALL",
		   "vm=a: bad value 'pv=ALL' (expected all, none or a list of unhalt,steal,tlb,yield,ipi,realtime)");
	expect_err("vm=a vcpus=1 mem=8M pv=tlb",
		   "vm=a: pv=tlb: tlb needs steal (the guest uses it only with steal time)");
	expect_err("vm=a vcpus=1 mem=8M pv=unhalt,yield",
		   "vm=a: pv=unhalt,yield: yield needs steal (the guest uses it only with steal time)");
	expect_err("vm=a initrd pv=none", "vm=a: option 'pv' not allowed on an initrd line");
}

/* rdrand=: on by default; off hides RDRAND/RDSEED; anything else, or the
 * option on an initrd line, is refused. */
static void test_rdrand(void)
{
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M"), 0);
	CHECK(!cfg.no_rdrand);
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M rdrand=off"), 0);
	CHECK(cfg.no_rdrand);
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M rdrand=on"), 0);
	CHECK(!cfg.no_rdrand);
	expect_err("vm=a vcpus=1 mem=64M rdrand=no", "vm=a: bad value 'rdrand=no' (expected on or off)");
	expect_err("vm=a initrd rdrand=off", "vm=a: option 'rdrand' not allowed on an initrd line");
}

/* user_hc=: which hypercall groups the guest's user space may make. */
static void test_user_hc(void)
{
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M"), 0);
	CHECK_EQ(cfg.user_hc, 0);
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M user_hc=agent -- quiet"), 0);
	CHECK_EQ(cfg.user_hc, VM_USER_HC_AGENT);
	CHECK(strcmp(cfg.cmdline, "quiet") == 0);
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M user_hc=all"), 0);
	CHECK_EQ(cfg.user_hc, VM_USER_HC_ALL);
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M user_hc=none"), 0);
	CHECK_EQ(cfg.user_hc, 0);
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M user_hc=none,agent"), 0);
	CHECK_EQ(cfg.user_hc, VM_USER_HC_AGENT);
	expect_err("vm=a vcpus=1 mem=64M user_hc=agnet",
		   "vm=a: bad value 'user_hc=agnet' (expected none, all, or a list of: agent, lhp)");
	expect_err("vm=a vcpus=1 mem=64M user_hc=agent,",
		   "vm=a: bad value 'user_hc=agent,' (expected none, all, or a list of: agent, lhp)");
	expect_err("vm=a vcpus=1 mem=64M user_hc=",
		   "vm=a: bad value 'user_hc=' (expected none, all, or a list of: agent, lhp)");
	expect_err("vm=a initrd user_hc=agent", "vm=a: option 'user_hc' not allowed on an initrd line");
	/* lhp: lhv's LHP interface (0x4C480010-1F), alone or with agent;
	 * all opens both. */
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M user_hc=lhp"), 0);
	CHECK_EQ(cfg.user_hc, VM_USER_HC_LHP);
	CHECK_EQ(parse("vm=a vcpus=1 mem=64M user_hc=agent,lhp"), 0);
	CHECK_EQ(cfg.user_hc, VM_USER_HC_AGENT | VM_USER_HC_LHP);
	CHECK_EQ(VM_USER_HC_ALL & (VM_USER_HC_AGENT | VM_USER_HC_LHP), VM_USER_HC_AGENT | VM_USER_HC_LHP);
	expect_err("vm=a vcpus=1 mem=64M user_hc=lhpx",
		   "vm=a: bad value 'user_hc=lhpx' (expected none, all, or a list of: agent, lhp)");
}

/* pin= and vcpucap=: per-vCPU affinity bitmaps and caps. */
static void test_pin(void)
{
	CHECK_EQ(parse("vm=a vcpus=3 mem=64M"), 0);
	CHECK_EQ(cfg.pin[0], 0);
	CHECK_EQ(cfg.vcpu_cap[2], 0);
	CHECK_EQ(parse("vm=a vcpus=3 mem=64M pin=0-1,3"), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(cfg.pin[i], 0xbull);
	CHECK_EQ(cfg.pin[3], 0);
	CHECK_EQ(parse("vm=a vcpus=3 mem=64M pin=0:2,1:3,1:63"), 0);
	CHECK_EQ(cfg.pin[0], 1ull << 2);
	CHECK_EQ(cfg.pin[1], (1ull << 3) | (1ull << 63));
	CHECK_EQ(cfg.pin[2], 0);
	CHECK_EQ(parse("vm=a vcpus=3 mem=64M vcpucap=1:50,2:100"), 0);
	CHECK_EQ(cfg.vcpu_cap[0], 0);
	CHECK_EQ(cfg.vcpu_cap[1], 50);
	CHECK_EQ(cfg.vcpu_cap[2], 100);
	const char *pin_msg = "(expected pCPUs such as 0-1,3 or vcpu:pcpu pairs such as 0:2,1:3; pCPUs 0..63)";
	char want[300];
	const char *bad_pins[] = { "64", "1-0", "0-", "a", "0,", "0:1,2", ",1", "0:1:2", "" };
	for (unsigned i = 0; i < sizeof(bad_pins) / sizeof(bad_pins[0]); i++) {
		char line[100];
		snprintf(line, sizeof(line), "vm=a vcpus=3 mem=64M pin=%s", bad_pins[i]);
		snprintf(want, sizeof(want), "vm=a: bad value 'pin=%s' %s", bad_pins[i], pin_msg);
		expect_err(line, want);
	}
	expect_err("vm=a vcpus=2 mem=64M pin=2:0", "vm=a: pin=2:0: vCPU 2 does not exist (vcpus=2)");
	const char *cap_msg = "(expected vcpu:percent pairs such as 1:50, percent 1..100)";
	const char *bad_caps[] = { "1:0", "1:101", "1", "1:50,", "x:5", "" };
	for (unsigned i = 0; i < sizeof(bad_caps) / sizeof(bad_caps[0]); i++) {
		char line[100];
		snprintf(line, sizeof(line), "vm=a vcpus=3 mem=64M vcpucap=%s", bad_caps[i]);
		snprintf(want, sizeof(want), "vm=a: bad value 'vcpucap=%s' %s", bad_caps[i], cap_msg);
		expect_err(line, want);
	}
	expect_err("vm=a vcpus=2 mem=64M vcpucap=5:50",
		   "vm=a: vcpucap=5:50: vCPU 5 does not exist (vcpus=2)");
	expect_err("vm=a initrd pin=0", "vm=a: option 'pin' not allowed on an initrd line");
}

int main(void)
{
	test_valid();
	test_errors();
	test_pv();
	test_user_hc();
	test_rdrand();
	test_pin();
	return check_done("test_vmcfg");
}
