#include "sched/sim/evq.h"
#include <stdio.h>
#include <stdlib.h>

void sim_evq_init(struct sim_evq *q)
{
	q->n = q->seq = q->posted = 0;
	q->cap = 1024;
	q->a = malloc(q->cap * sizeof(*q->a));
	if (!q->a) {
		fprintf(stderr, "hvsim: out of memory\n");
		exit(1);
	}
}

void sim_evq_free(struct sim_evq *q) { free(q->a); }

static int ev_less(const struct sim_ev *a, const struct sim_ev *b)
{
	return a->time != b->time ? a->time < b->time : a->seq < b->seq;
}

void sim_evq_post(struct sim_evq *q, uint64_t time, uint32_t kind, uint32_t id, uint32_t gen)
{
	if (q->n == q->cap) {
		q->cap *= 2;
		q->a = realloc(q->a, q->cap * sizeof(*q->a));
		if (!q->a) {
			fprintf(stderr, "hvsim: out of memory\n");
			exit(1);
		}
	}
	struct sim_ev ev = { time, q->seq++, kind, id, gen };
	uint64_t i = q->n++;
	while (i) {
		uint64_t up = (i - 1) / 2;
		if (!ev_less(&ev, &q->a[up]))
			break;
		q->a[i] = q->a[up];
		i = up;
	}
	q->a[i] = ev;
	q->posted++;
}

int sim_evq_pop(struct sim_evq *q, struct sim_ev *out)
{
	if (!q->n)
		return 0;
	*out = q->a[0];
	struct sim_ev last = q->a[--q->n];
	uint64_t i = 0;
	for (;;) {
		uint64_t c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && ev_less(&q->a[c + 1], &q->a[c]))
			c++;
		if (!ev_less(&q->a[c], &last))
			break;
		q->a[i] = q->a[c];
		i = c;
	}
	q->a[i] = last;
	return 1;
}
