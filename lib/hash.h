/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one hash and hash table of the library: FNV-1a, and a chained table
 * whose nodes live inside the caller's entries (the DNS cache, the memo,
 * overlays).  The table doubles when it holds more nodes than buckets.
 * No locking: each user guards its table as it needs.
 */
#ifndef FROMAUTH_HASH_H
#define FROMAUTH_HASH_H

#include <stddef.h>

#define FA_FNV1A_INIT ((size_t)0xcbf29ce484222325ull)

/* Continue an FNV-1a hash @h (start with FA_FNV1A_INIT) over @len bytes. */
size_t fa_fnv1a(size_t h, const void *data, size_t len);
/* FNV-1a of a NUL-terminated string. */
size_t fa_fnv1a_str(const char *s);
/* A hash of @len bytes eight at a time, from @seed (a per-table random
 * number makes chains hard to aim at): for long keys such as whole
 * records, where FNV-1a's byte loop costs more than the lookup. */
size_t fa_hash_words(size_t seed, const void *data, size_t len);

/* The entry that holds node @ptr as its member @member. */
#define FA_CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct fa_hnode {
	struct fa_hnode *next;
	size_t hash;
};

struct fa_htable {
	struct fa_hnode **buckets;
	size_t nbuckets;        /* a power of two */
	size_t count;
};

/* Returns 0 or FROMAUTH_E_NOMEM; @nbuckets is rounded up to a power of two. */
int fa_htable_init(struct fa_htable *t, size_t nbuckets);
/* Hands every node to @drop (unless NULL), then frees the buckets. */
void fa_htable_fini(struct fa_htable *t, void (*drop)(struct fa_hnode *node));
/* The chain @hash belongs to: walk it with node->next, compare node->hash
 * first. */
struct fa_hnode *fa_htable_chain(const struct fa_htable *t, size_t hash);
/* Link @node under @hash.  Never fails: when the table cannot grow, the
 * chains get longer. */
void fa_htable_insert(struct fa_htable *t, struct fa_hnode *node, size_t hash);
/* Unlink @node, which must be in the table. */
void fa_htable_remove(struct fa_htable *t, struct fa_hnode *node);

#endif
