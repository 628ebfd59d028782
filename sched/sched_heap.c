/* Pairing heap (Fredman, Sedgewick, Sleator, Tarjan 1986), two-pass variant,
 * written iteratively so the stack depth stays constant in the hypervisor. */
#include "sched/sched_heap.h"

/* Link two roots; the loser becomes the leftmost child of the winner. */
static struct sched_heap_node *heap_meld(struct sched_heap_node *a, struct sched_heap_node *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (sched_heap_less(b, a)) {
		struct sched_heap_node *t = a;
		a = b;
		b = t;
	}
	b->prev = a;
	b->next = a->child;
	if (a->child)
		a->child->prev = b;
	a->child = b;
	a->next = NULL;
	a->prev = NULL;
	return a;
}

/* Merge a sibling list: pair left to right, then meld the pairs right to
 * left. The pairs are chained through `prev` in reverse for the second pass. */
static struct sched_heap_node *heap_merge_list(struct sched_heap_node *first)
{
	struct sched_heap_node *pairs = NULL;

	while (first) {
		struct sched_heap_node *a = first, *b = first->next;
		first = b ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b)
			b->next = b->prev = NULL;
		a = heap_meld(a, b);
		a->prev = pairs; /* temporary back chain */
		pairs = a;
	}
	struct sched_heap_node *root = NULL;
	while (pairs) {
		struct sched_heap_node *up = pairs->prev;
		pairs->prev = NULL;
		root = heap_meld(root, pairs);
		pairs = up;
	}
	return root;
}

void sched_heap_insert(struct sched_heap *h, struct sched_heap_node *n)
{
	n->child = n->next = n->prev = NULL;
	h->root = heap_meld(h->root, n);
	h->count++;
}

struct sched_heap_node *sched_heap_pop(struct sched_heap *h)
{
	struct sched_heap_node *n = h->root;

	if (n)
		sched_heap_remove(h, n);
	return n;
}

void sched_heap_remove(struct sched_heap *h, struct sched_heap_node *n)
{
	struct sched_heap_node *sub = heap_merge_list(n->child);

	if (n == h->root) {
		h->root = sub;
	} else {
		/* Unlink n from its sibling list, then meld its subtree at the root. */
		if (n->prev->child == n)
			n->prev->child = n->next;
		else
			n->prev->next = n->next;
		if (n->next)
			n->next->prev = n->prev;
		h->root = heap_meld(h->root, sub);
	}
	n->child = n->next = n->prev = NULL;
	h->count--;
}
