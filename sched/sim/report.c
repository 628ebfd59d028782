/* Results: human-readable lines, then one JSON object as the last line.
 * Only virtual-time quantities are printed, so output is reproducible. */
#include "sched/sim/sim.h"
#include <stdio.h>
#include <stdlib.h>

struct totals {
	uint64_t run, steal, cs, lhp, lwp, long_waits, long_waits_wall, long_spin, spin;
	uint64_t preempt, migr, disp, wakeups, lat_sum, lat_n, lat_max, chunks;
	uint64_t delays, delay_ns, yields_on_time, overruns, costops, costop_ns, spin_exits;
	uint64_t spin_reports, pv_halts, kicks, directed_yields, balloons, balloon_ns;
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
	t->delays += st.delays;
	t->delay_ns += st.delay_ns;
	t->yields_on_time += st.yields_on_time;
	t->overruns += st.overruns;
	t->costops += st.costops;
	t->costop_ns += st.costop_ns;
	t->spin_exits += st.spin_exits;
	t->spin_reports += st.spin_reports;
	t->pv_halts += st.pv_halts;
	t->kicks += st.kicks;
	t->directed_yields += st.directed_yields;
	t->balloons += st.balloons;
	t->balloon_ns += st.balloon_ns;
	t->chunks += v->chunks;
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

/* A VM's work done: critical sections (spin), compute chunks (cpu),
 * completed phases (barrier). */
static uint64_t vm_throughput(const struct sim *s, uint32_t i, const struct totals *t)
{
	switch (s->vms[i].workload) {
	case SIM_WL_CPU: return t->chunks;
	case SIM_WL_BARRIER: return s->vms[i].phases;
	case SIM_WL_SPIN: break;
	}
	return t->cs;
}

/* Mean time between barriers, ms (0 before the first). */
static double phase_ms(const struct sim_vm *vm)
{
	return vm->phases ? vm->phase_sum / 1e6 / vm->phases : 0.0;
}

static void print_vm(const struct sim *s, uint32_t i, const struct vm_totals *vt, const struct totals *all)
{
	const struct sched_vm *vm = &s->vms[i].sv;
	const struct totals *t = &vt->t;

	uint64_t changes, ns[SCHED_NR_MODES];
	sched_vm_mode(vm, &changes, ns);

	printf("vm %u: vcpus=%u weight=%u cap=%u cpu=%.4f share=%.4f steal_frac=%.4f cs=%llu "
	       "lhp=%llu long_waits=%llu spin_frac=%.4f preemptions=%llu workload=%s throughput=%llu",
	       i, vm->nr_vcpus, vm->weight ? vm->weight : SCHED_DEFAULT_WEIGHT, vm->cap, vt->cpu,
	       frac(t->run, all->run), frac(t->steal, t->run + t->steal), (unsigned long long)t->cs,
	       (unsigned long long)t->lhp, (unsigned long long)t->long_waits, frac(t->spin, t->run),
	       (unsigned long long)t->preempt, sim_workload_name(s->vms[i].workload),
	       (unsigned long long)vm_throughput(s, i, t));
	if (s->vms[i].workload == SIM_WL_BARRIER)
		printf(" phase_ms=%.3f", phase_ms(&s->vms[i]));
	if (changes)
		printf(" mode_changes=%llu cosched_frac=%.4f", (unsigned long long)changes,
		       frac(ns[SCHED_MODE_COSCHED], ns[SCHED_MODE_FREE] + ns[SCHED_MODE_COSCHED]));
	printf("\n");
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
	       "\"wake_lat_mean_us\":%.3f,\"events\":%llu,\"checks\":%llu,",
	       sched_active_name(), c->pcpus, c->nr_vms, s->nr_vcpus, secs, U(c->seed),
	       sim_lock_name(c->lock), U(t->cs), t->cs / secs, U(t->lhp), U(t->lwp),
	       U(t->long_waits), U(t->long_waits_wall), frac(t->long_spin, t->run), frac(t->spin, t->run),
	       U(t->preempt), U(t->migr), U(t->disp), fair,
	       frac(t->run, (uint64_t)c->pcpus * c->duration_ns), frac(t->steal, t->run + t->steal),
	       U(t->wakeups), t->lat_max / 1e3, t->lat_n ? t->lat_sum / 1e3 / t->lat_n : 0.0,
	       U(s->events), U(s->checks));
	uint64_t changes = 0;
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		uint64_t ch;
		sched_vm_mode(&s->vms[i].sv, &ch, NULL);
		changes += ch;
	}
	printf("\"delays\":%llu,\"delay_ms\":%.3f,\"yields_on_time\":%llu,\"overruns\":%llu,"
	       "\"costops\":%llu,\"costop_frac\":%.6f,\"spin_exits\":%llu,\"spin_reports\":%llu,"
	       "\"pv_halts\":%llu,\"kicks\":%llu,\"directed_yields\":%llu,\"balloons\":%llu,"
	       "\"balloon_frac\":%.6f,\"mode_changes\":%llu,\"idle_frac\":%.6f,\"per_vm\":[",
	       U(t->delays), t->delay_ns / 1e6, U(t->yields_on_time), U(t->overruns), U(t->costops),
	       frac(t->costop_ns, t->run + t->steal), U(t->spin_exits), U(t->spin_reports), U(t->pv_halts),
	       U(t->kicks), U(t->directed_yields), U(t->balloons),
	       frac(t->balloon_ns, (uint64_t)s->nr_vcpus * c->duration_ns), U(changes),
	       1.0 - frac(t->run, (uint64_t)c->pcpus * c->duration_ns));
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		uint64_t ns[SCHED_NR_MODES], ch;
		sched_vm_mode(&s->vms[i].sv, &ch, ns);
		printf("%s{\"cpu\":%.4f,\"share\":%.4f,\"cs\":%llu,\"lhp\":%llu,\"long_waits\":%llu,"
		       "\"workload\":\"%s\",\"throughput\":%llu,\"throughput_per_s\":%.1f,\"long_wait_frac\":%.6f,"
		       "\"phase_ms\":%.3f,\"mode_changes\":%llu,\"cosched_frac\":%.6f}",
		       i ? "," : "", vt[i].cpu, frac(vt[i].t.run, t->run), U(vt[i].t.cs), U(vt[i].t.lhp),
		       U(vt[i].t.long_waits), sim_workload_name(s->vms[i].workload),
		       U(vm_throughput(s, i, &vt[i].t)), vm_throughput(s, i, &vt[i].t) / secs,
		       frac(vt[i].t.long_spin, vt[i].t.run), phase_ms(&s->vms[i]), U(ch),
		       frac(ns[SCHED_MODE_COSCHED], ns[SCHED_MODE_FREE] + ns[SCHED_MODE_COSCHED]));
	}
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
	       sim_lock_name(c->lock), c->locks, c->compute_ns / 1e3,
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
