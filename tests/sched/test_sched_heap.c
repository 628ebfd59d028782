/* Pairing heap: pops come out in (key, tie) order after random inserts and
 * removals of arbitrary nodes. */
#include "sched/sched_heap.h"
#include "tests/unit/check.h"

#define N 2000

static struct sched_heap_node nodes[N];
static bool in_heap[N];

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(void)
{
	struct sched_heap h;
	uint64_t seed = 88172645463325252ull;

	sched_heap_init(&h);
	CHECK(sched_heap_pop(&h) == NULL);
	for (uint32_t i = 0; i < N; i++) {
		nodes[i].key = rnd(&seed) % 500; /* many equal keys: ties matter */
		nodes[i].tie = i;
		sched_heap_insert(&h, &nodes[i]);
		in_heap[i] = true;
	}
	/* Remove a third at random, including non-roots. */
	for (uint32_t k = 0; k < N / 3; k++) {
		uint32_t i = (uint32_t)(rnd(&seed) % N);
		if (!in_heap[i])
			continue;
		sched_heap_remove(&h, &nodes[i]);
		in_heap[i] = false;
		if (k % 7 == 0) { /* and re-insert some with a new key */
			nodes[i].key = rnd(&seed) % 500;
			sched_heap_insert(&h, &nodes[i]);
			in_heap[i] = true;
		}
	}
	uint64_t left = 0;
	for (uint32_t i = 0; i < N; i++)
		left += in_heap[i];
	CHECK_EQ(h.count, left);
	struct sched_heap_node *prev = NULL, *n;
	uint64_t popped = 0, bad = 0;
	while ((n = sched_heap_pop(&h))) {
		if (prev && (prev->key > n->key || (prev->key == n->key && prev->tie > n->tie)))
			bad++;
		prev = n;
		popped++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(popped, left);
	CHECK_EQ(h.count, 0);
	return check_done("test_sched_heap");
}
