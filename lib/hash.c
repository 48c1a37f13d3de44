/* SPDX-License-Identifier: BSD-2-Clause */
/* FNV-1a, a word-at-a-time hash and the chained hash table; see hash.h. */
#include <stdint.h>
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

/* Multiply-xorshift mixing, as in splitmix64 and murmur's finalizer. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return h;
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);       /* any alignment */
	return w;
}

static inline uint64_t load32(const unsigned char *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return w;
}

size_t fa_hash_words(size_t seed, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = (uint64_t)seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ull);
	uint64_t w = 0;
	if (len >= 8) {
		/* two words a round, on two independent chains (records run
		 * to hundreds of bytes) */
		uint64_t g = h ^ 0x2545f4914f6cdd1dull;
		const unsigned char *end = p + len;
		for (; end - p >= 16; p += 16) {
			h = (h ^ load64(p)) * 0xff51afd7ed558ccdull;
			g = (g ^ load64(p + 8)) * 0xc2b2ae3d27d4eb4full;
			h ^= h >> 29;
			g ^= g >> 31;
		}
		if (end - p >= 8) {
			h = (h ^ load64(p)) * 0xff51afd7ed558ccdull;
			h ^= h >> 29;
			p += 8;
		}
		h ^= g * 0x9e3779b97f4a7c15ull;
		/* the last 1 to 7 bytes as the top of the last 8, which were
		 * hashed already in part: no byte-sized copy */
		size_t rest = (size_t)(end - p);
		if (rest)
			w = load64(end - 8) >> (64 - 8 * rest);
	} else if (len >= 4) {
		/* the first and the last 4, overlapping: every byte */
		w = load32(p) | load32(p + len - 4) << 32;
	} else if (len) {
		w = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
	}
	return (size_t)mix((h ^ w) * 0xc4ceb9fe1a85ec53ull);
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
