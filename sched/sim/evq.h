/* The simulator's event queue: a binary min-heap ordered by (time, seq).
 * seq is a global counter, so simultaneous events run in the order they were
 * posted and the run never depends on addresses or heap layout. Stale events
 * are not removed; their owners carry a generation number instead. */
#ifndef SCHED_SIM_EVQ_H
#define SCHED_SIM_EVQ_H
#include <stdint.h>

enum sim_ev_kind { EV_TIMER, EV_KICK, EV_BOOT, EV_GUEST, EV_WAKE, EV_END };

struct sim_ev {
	uint64_t time, seq;
	uint32_t kind, id, gen;
};

struct sim_evq {
	struct sim_ev *a;
	uint64_t n, cap, seq, posted;
};

void sim_evq_init(struct sim_evq *q);
void sim_evq_free(struct sim_evq *q);
void sim_evq_post(struct sim_evq *q, uint64_t time, uint32_t kind, uint32_t id, uint32_t gen);
/* Pops the earliest event into *ev; 0 when empty. */
int sim_evq_pop(struct sim_evq *q, struct sim_ev *ev);
static inline uint64_t sim_evq_next_time(const struct sim_evq *q) { return q->n ? q->a[0].time : UINT64_MAX; }
#endif
