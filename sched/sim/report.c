/* Results: human-readable lines, then one JSON object as the last line.
 * Only virtual-time quantities are printed, so output is reproducible. */
#include "sched/sim/sim.h"
#include <stdio.h>
#include <stdlib.h>

struct totals {
	uint64_t run, steal, cs, lhp, lwp, long_waits, long_waits_wall, long_spin, spin;
	uint64_t preempt, migr, disp, wakeups, lat_sum, lat_n, lat_max;
};

struct vm_totals {
	struct totals t;
	double cpu; /* pCPUs' worth of run time */
};

static void add_vcpu(struct totals *t, const struct sim_vcpu *v)
{
	struct sched_stats st;

	sched_vcpu_stats(&v->sv, &st);
	t->run += st.run_ns;
	t->steal += st.steal_ns;
	t->preempt += st.preemptions;
	t->migr += st.migrations;
	t->disp += st.dispatches;
	t->wakeups += st.wakeups;
	t->lat_sum += st.wake_lat_sum_ns;
	t->lat_n += st.wakeups_dispatched;
	t->lat_max = MAX(t->lat_max, st.wake_lat_max_ns);
	t->cs += v->cs;
	t->lhp += v->lhp;
	t->lwp += v->lwp;
	t->long_waits += v->long_waits;
	t->long_waits_wall += v->long_waits_wall;
	t->long_spin += v->long_spin_ns;
	t->spin += v->spin_ns;
}

static double frac(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

/* Jain's index of per-VM CPU time divided by weight: 1 = shares exactly
 * proportional to weights, 1/n = one VM got everything. */
static double jain(const struct sim *s, const struct vm_totals *vt)
{
	double sum = 0, sq = 0;
	uint32_t n = s->cfg->nr_vms;

	for (uint32_t i = 0; i < n; i++) {
		double w = s->vms[i].sv.weight ? s->vms[i].sv.weight : SCHED_DEFAULT_WEIGHT;
		double x = (double)vt[i].t.run / w;
		sum += x;
		sq += x * x;
	}
	return sq > 0 ? sum * sum / (n * sq) : 1.0;
}

static void print_vm(const struct sim *s, uint32_t i, const struct vm_totals *vt, const struct totals *all)
{
	const struct sched_vm *vm = &s->vms[i].sv;
	const struct totals *t = &vt->t;

	printf("vm %u: vcpus=%u weight=%u cap=%u cpu=%.4f share=%.4f steal_frac=%.4f cs=%llu "
	       "lhp=%llu long_waits=%llu spin_frac=%.4f preemptions=%llu\n",
	       i, vm->nr_vcpus, vm->weight ? vm->weight : SCHED_DEFAULT_WEIGHT, vm->cap, vt->cpu,
	       frac(t->run, all->run), frac(t->steal, t->run + t->steal), (unsigned long long)t->cs,
	       (unsigned long long)t->lhp, (unsigned long long)t->long_waits, frac(t->spin, t->run),
	       (unsigned long long)t->preempt);
}

static void print_vcpu(const struct sim *s, const struct sim_vcpu *v)
{
	struct sched_stats st;

	sched_vcpu_stats(&v->sv, &st);
	printf("vcpu %u.%u: run_ms=%.3f steal_ms=%.3f dispatches=%llu preemptions=%llu migrations=%llu "
	       "wake_lat_max_us=%.1f cs=%llu lhp=%llu\n",
	       v->vm, v->sv.index, st.run_ns / 1e6, st.steal_ns / 1e6, (unsigned long long)st.dispatches,
	       (unsigned long long)st.preemptions, (unsigned long long)st.migrations,
	       st.wake_lat_max_ns / 1e3, (unsigned long long)v->cs, (unsigned long long)v->lhp);
}

#define U(x) ((unsigned long long)(x))

static void print_json(const struct sim *s, const struct totals *t, const struct vm_totals *vt, double fair)
{
	const struct sim_config *c = s->cfg;
	double secs = c->duration_ns / 1e9;

	printf("{\"sched\":\"%s\",\"pcpus\":%u,\"vms\":%u,\"vcpus\":%u,\"seconds\":%.3f,\"seed\":%llu,"
	       "\"lock\":\"%s\",\"throughput\":%llu,\"throughput_per_s\":%.1f,\"lhp\":%llu,\"lwp\":%llu,"
	       "\"long_waits\":%llu,\"long_waits_wall\":%llu,\"long_wait_frac\":%.6f,\"spin_frac\":%.6f,"
	       "\"preemptions\":%llu,\"migrations\":%llu,\"dispatches\":%llu,\"fairness\":%.6f,"
	       "\"util\":%.6f,\"steal_frac\":%.6f,\"wakeups\":%llu,\"wake_lat_max_us\":%.3f,"
	       "\"wake_lat_mean_us\":%.3f,\"events\":%llu,\"checks\":%llu,\"per_vm\":[",
	       sched_active_name(), c->pcpus, c->nr_vms, s->nr_vcpus, secs, U(c->seed),
	       c->lock == SIM_LOCK_TICKET ? "ticket" : "tas", U(t->cs), t->cs / secs, U(t->lhp), U(t->lwp),
	       U(t->long_waits), U(t->long_waits_wall), frac(t->long_spin, t->run), frac(t->spin, t->run),
	       U(t->preempt), U(t->migr), U(t->disp), fair,
	       frac(t->run, (uint64_t)c->pcpus * c->duration_ns), frac(t->steal, t->run + t->steal),
	       U(t->wakeups), t->lat_max / 1e3, t->lat_n ? t->lat_sum / 1e3 / t->lat_n : 0.0,
	       U(s->events), U(s->checks));
	for (uint32_t i = 0; i < c->nr_vms; i++)
		printf("%s{\"cpu\":%.4f,\"share\":%.4f,\"cs\":%llu,\"lhp\":%llu,\"long_waits\":%llu}",
		       i ? "," : "", vt[i].cpu, frac(vt[i].t.run, t->run), U(vt[i].t.cs), U(vt[i].t.lhp),
		       U(vt[i].t.long_waits));
	printf("]}\n");
}

void sim_report(const struct sim *s)
{
	const struct sim_config *c = s->cfg;
	struct totals all = { 0 };
	struct vm_totals *vt = calloc(c->nr_vms, sizeof(*vt));

	for (uint32_t i = 0; i < c->nr_vms; i++) {
		const struct sim_vm *vm = &s->vms[i];
		for (uint32_t k = 0; k < vm->sv.nr_vcpus; k++) {
			add_vcpu(&vt[i].t, &s->vcpus[vm->first + k]);
			add_vcpu(&all, &s->vcpus[vm->first + k]);
		}
		vt[i].cpu = (double)vt[i].t.run / (double)c->duration_ns;
	}
	double fair = jain(s, vt);
	printf("hvsim: sched=%s pcpus=%u vms=%u vcpus=%u seconds=%.3f seed=%llu lock=%s locks=%u "
	       "compute_us=%.1f hold_us=%.1f sleep_prob=%.3f\n",
	       sched_active_name(), c->pcpus, c->nr_vms, s->nr_vcpus, c->duration_ns / 1e9, U(c->seed),
	       c->lock == SIM_LOCK_TICKET ? "ticket" : "tas", c->locks, c->compute_ns / 1e3,
	       c->hold_ns / 1e3, c->sleep_prob);
	if (c->nr_vms <= 64)
		for (uint32_t i = 0; i < c->nr_vms; i++)
			print_vm(s, i, &vt[i], &all);
	if (c->per_vcpu)
		for (uint32_t i = 0; i < s->nr_vcpus; i++)
			print_vcpu(s, &s->vcpus[i]);
	printf("total: throughput=%llu lhp=%llu lwp=%llu long_waits=%llu long_wait_frac=%.4f "
	       "spin_frac=%.4f preemptions=%llu migrations=%llu fairness=%.4f util=%.4f "
	       "wake_lat_max_us=%.1f events=%llu\n",
	       U(all.cs), U(all.lhp), U(all.lwp), U(all.long_waits), frac(all.long_spin, all.run),
	       frac(all.spin, all.run), U(all.preempt), U(all.migr), fair,
	       frac(all.run, (uint64_t)c->pcpus * c->duration_ns), all.lat_max / 1e3, U(s->events));
	print_json(s, &all, vt, fair);
	free(vt);
}
