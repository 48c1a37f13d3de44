/* SPDX-License-Identifier: BSD-2-Clause */
/* Per-context memo: a hash table of byte keys with an LRU list over a
 * byte cap and pending entries for single-flight (see memo.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "memo.h"
#include "private.h"

#define ALLOC_OVERHEAD 16

struct mentry {
	struct fa_hnode node;           /* in the table, by kind and key */
	int kind;
	int pending;
	unsigned char *key;
	size_t klen;
	void *val;
	size_t vlen;
	size_t bytes;
	struct mentry *newer, *older;   /* LRU, settled entries only */
};

struct fa_memo {
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct fa_htable table;
	size_t bytes, max_bytes;
	struct mentry *newest, *oldest;
};

static size_t hash_bytes(int kind, const void *p, size_t n)
{
	return fa_fnv1a(FA_FNV1A_INIT ^ (size_t)kind, p, n);
}

int fa_memo_new(struct fa_memo **out, size_t max_bytes)
{
	*out = NULL;
	struct fa_memo *m = calloc(1, sizeof(*m));
	if (!m)
		return FROMAUTH_E_NOMEM;
	m->max_bytes = max_bytes;
	if (fa_htable_init(&m->table, 64) != FROMAUTH_OK) {
		free(m);
		return FROMAUTH_E_NOMEM;
	}
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		fa_htable_fini(&m->table, NULL);
		free(m);
		return FROMAUTH_E_NOMEM;
	}
	if (pthread_cond_init(&m->done, NULL) != 0) {
		pthread_mutex_destroy(&m->lock);
		fa_htable_fini(&m->table, NULL);
		free(m);
		return FROMAUTH_E_NOMEM;
	}
	*out = m;
	return FROMAUTH_OK;
}

static void mentry_free(struct mentry *e)
{
	free(e->key);
	free(e->val);
	free(e);
}

static void node_free(struct fa_hnode *n)
{
	mentry_free(FA_CONTAINER_OF(n, struct mentry, node));
}

void fa_memo_free(struct fa_memo *m)
{
	if (!m)
		return;
	fa_htable_fini(&m->table, node_free);
	pthread_cond_destroy(&m->done);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static struct mentry *find(struct fa_memo *m, int kind, const void *key, size_t klen,
			   size_t hash)
{
	for (struct fa_hnode *n = fa_htable_chain(&m->table, hash); n; n = n->next) {
		struct mentry *e = FA_CONTAINER_OF(n, struct mentry, node);
		if (n->hash == hash && e->kind == kind && e->klen == klen &&
		    !memcmp(e->key, key, klen))
			return e;
	}
	return NULL;
}

static void lru_unlink(struct fa_memo *m, struct mentry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else if (m->newest == e)
		m->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else if (m->oldest == e)
		m->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct fa_memo *m, struct mentry *e)
{
	e->older = m->newest;
	e->newer = NULL;
	if (m->newest)
		m->newest->newer = e;
	else
		m->oldest = e;
	m->newest = e;
}

static void unlink_entry(struct fa_memo *m, struct mentry *e)
{
	fa_htable_remove(&m->table, &e->node);
	lru_unlink(m, e);
	m->bytes -= e->bytes;
	mentry_free(e);
}

int fa_memo_get(struct fa_memo *m, int kind, const void *key, size_t klen,
		void *val, size_t vlen)
{
	if (!m)
		return 0;
	size_t hash = hash_bytes(kind, key, klen);
	pthread_mutex_lock(&m->lock);
	for (;;) {
		struct mentry *e = find(m, kind, key, klen, hash);
		if (!e) {
			e = calloc(1, sizeof(*e));
			if (!e || !(e->key = malloc(klen ? klen : 1))) {
				free(e);
				break;          /* compute without coordination */
			}
			memcpy(e->key, key, klen);
			e->klen = klen;
			e->kind = kind;
			e->pending = 1;
			fa_htable_insert(&m->table, &e->node, hash);
			break;
		}
		if (!e->pending) {
			if (e->vlen != vlen)
				break;          /* a caller's bug; never mix sizes */
			memcpy(val, e->val, vlen);
			lru_unlink(m, e);
			lru_push(m, e);
			pthread_mutex_unlock(&m->lock);
			return 1;
		}
		pthread_cond_wait(&m->done, &m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return 0;
}

void fa_memo_put(struct fa_memo *m, int kind, const void *key, size_t klen,
		 const void *val, size_t vlen)
{
	if (!m)
		return;
	size_t hash = hash_bytes(kind, key, klen);
	void *copy = malloc(vlen ? vlen : 1);
	pthread_mutex_lock(&m->lock);
	struct mentry *e = find(m, kind, key, klen, hash);
	if (e && e->pending) {
		if (copy) {
			memcpy(copy, val, vlen);
			e->val = copy;
			copy = NULL;
			e->vlen = vlen;
			e->pending = 0;
			e->bytes = sizeof(*e) + klen + vlen + 3 * ALLOC_OVERHEAD;
			m->bytes += e->bytes;
			lru_push(m, e);
			while (m->bytes > m->max_bytes && m->oldest && m->oldest != e)
				unlink_entry(m, m->oldest);
		} else {
			unlink_entry(m, e);
		}
	}
	pthread_cond_broadcast(&m->done);
	pthread_mutex_unlock(&m->lock);
	free(copy);
}

void fa_memo_abandon(struct fa_memo *m, int kind, const void *key, size_t klen)
{
	if (!m)
		return;
	size_t hash = hash_bytes(kind, key, klen);
	pthread_mutex_lock(&m->lock);
	struct mentry *e = find(m, kind, key, klen, hash);
	if (e && e->pending)
		unlink_entry(m, e);
	pthread_cond_broadcast(&m->done);
	pthread_mutex_unlock(&m->lock);
}

size_t fa_memo_count(struct fa_memo *m)
{
	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	size_t n = m->table.count;
	pthread_mutex_unlock(&m->lock);
	return n;
}
