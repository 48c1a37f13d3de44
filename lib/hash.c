/* SPDX-License-Identifier: BSD-2-Clause */
/* FNV-1a and the chained hash table; see hash.h. */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "private.h"

size_t fa_fnv1a(size_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= (size_t)1099511628211ull;
	}
	return h;
}

size_t fa_fnv1a_str(const char *s)
{
	return fa_fnv1a(FA_FNV1A_INIT, s, strlen(s));
}

int fa_htable_init(struct fa_htable *t, size_t nbuckets)
{
	size_t n = 1;
	while (n < nbuckets)
		n *= 2;
	t->count = 0;
	t->nbuckets = n;
	t->buckets = calloc(n, sizeof(*t->buckets));
	return t->buckets ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
}

void fa_htable_fini(struct fa_htable *t, void (*drop)(struct fa_hnode *node))
{
	for (size_t i = 0; t->buckets && i < t->nbuckets; i++) {
		for (struct fa_hnode *n = t->buckets[i], *next; n; n = next) {
			next = n->next;
			if (drop)
				drop(n);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = t->count = 0;
}

struct fa_hnode *fa_htable_chain(const struct fa_htable *t, size_t hash)
{
	return t->buckets[hash & (t->nbuckets - 1)];
}

static void grow(struct fa_htable *t)
{
	size_t n = t->nbuckets * 2;
	struct fa_hnode **b = calloc(n, sizeof(*b));
	if (!b)
		return;         /* longer chains, still correct */
	for (size_t i = 0; i < t->nbuckets; i++) {
		for (struct fa_hnode *e = t->buckets[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

void fa_htable_insert(struct fa_htable *t, struct fa_hnode *node, size_t hash)
{
	if (t->count >= t->nbuckets)
		grow(t);
	struct fa_hnode **head = &t->buckets[hash & (t->nbuckets - 1)];
	node->hash = hash;
	node->next = *head;
	*head = node;
	t->count++;
}

void fa_htable_remove(struct fa_htable *t, struct fa_hnode *node)
{
	struct fa_hnode **l = &t->buckets[node->hash & (t->nbuckets - 1)];
	while (*l && *l != node)
		l = &(*l)->next;
	if (*l) {
		*l = node->next;
		node->next = NULL;
		t->count--;
	}
}
