/* Intrusive pairing heap: O(1) insert, O(log n) amortised delete-min and
 * delete of any node, no allocation (nodes live in the policies' private
 * per-vCPU/per-VM storage). Ordered by (key, tie); `tie` must be unique so
 * the order never depends on insertion order or addresses. */
#ifndef SCHED_SCHED_HEAP_H
#define SCHED_SCHED_HEAP_H
#include "core/lib.h"

struct sched_heap_node {
	struct sched_heap_node *child, *next;
	struct sched_heap_node *prev; /* left sibling, or parent if leftmost */
	uint64_t key, tie;
};

struct sched_heap {
	struct sched_heap_node *root;
	uint64_t count;
};

static inline void sched_heap_init(struct sched_heap *h) { h->root = NULL; h->count = 0; }
static inline struct sched_heap_node *sched_heap_min(const struct sched_heap *h) { return h->root; }

/* Heap order: (key, tie). */
static inline bool sched_heap_less(const struct sched_heap_node *a, const struct sched_heap_node *b)
{
	return a->key != b->key ? a->key < b->key : a->tie < b->tie;
}

void sched_heap_insert(struct sched_heap *h, struct sched_heap_node *n);
void sched_heap_remove(struct sched_heap *h, struct sched_heap_node *n);
struct sched_heap_node *sched_heap_pop(struct sched_heap *h);

#endif
