/* SPDX-License-Identifier: BSD-2-Clause */
/* Per-context memo: a hash table of byte keys with an LRU list over a
 * byte cap and pending entries for single-flight (see memo.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/random.h>
#include <time.h>
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
	int shared;             /* val is a fa_memo_shared_new() block */
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
	unsigned long long nonce;
};

/* Header of a shared value; the caller's bytes follow it. */
struct shared {
	atomic_size_t refs;
	void (*dtor)(void *val);
	max_align_t align[];
};

static struct shared *shared_of(void *val)
{
	return (struct shared *)((char *)val - offsetof(struct shared, align));
}

void *fa_memo_shared_new(size_t len, void (*dtor)(void *val))
{
	struct shared *sh = calloc(1, sizeof(*sh) + (len ? len : 1));
	if (!sh)
		return NULL;
	atomic_init(&sh->refs, 1);
	sh->dtor = dtor;
	return sh->align;
}

void fa_memo_shared_release(void *val)
{
	if (!val)
		return;
	struct shared *sh = shared_of(val);
	if (atomic_fetch_sub_explicit(&sh->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (sh->dtor)
		sh->dtor(val);
	free(sh);
}

static void *shared_retain(void *val)
{
	atomic_fetch_add_explicit(&shared_of(val)->refs, 1, memory_order_relaxed);
	return val;
}

/* Keys are whole records (hostile ones too): a hash seeded by the
 * memo's random nonce, eight bytes a step. */
static size_t hash_bytes(const struct fa_memo *m, int kind, const void *p, size_t n)
{
	return fa_hash_words((size_t)m->nonce ^ (size_t)kind, p, n);
}

int fa_memo_new(struct fa_memo **out, size_t max_bytes)
{
	*out = NULL;
	struct fa_memo *m = calloc(1, sizeof(*m));
	if (!m)
		return FROMAUTH_E_NOMEM;
	m->max_bytes = max_bytes;
	if (getrandom(&m->nonce, sizeof(m->nonce), GRND_NONBLOCK) != sizeof(m->nonce))
		m->nonce = (unsigned long long)time(NULL) * 2654435761u ^
			   (unsigned long long)(uintptr_t)m;
	m->nonce |= 1;  /* 0 means "no memo" to callers */
	if (fa_htable_init(&m->table, 64) != FROMAUTH_OK) {
		free(m);
		return FROMAUTH_E_NOMEM;
	}
	if (fa_mutex_init(&m->lock) != 0) {
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
	if (e->shared)
		fa_memo_shared_release(e->val);
	else
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

/* A placeholder others wait on while the first asker computes; with the
 * lock held. */
static void add_pending(struct fa_memo *m, int kind, const void *key, size_t klen,
			size_t hash)
{
	struct mentry *e = calloc(1, sizeof(*e));
	if (!e || !(e->key = malloc(klen ? klen : 1))) {
		free(e);
		return;
	}
	memcpy(e->key, key, klen);
	e->klen = klen;
	e->kind = kind;
	e->pending = 1;
	fa_htable_insert(&m->table, &e->node, hash);
}

int fa_memo_get(struct fa_memo *m, int kind, const void *key, size_t klen,
		void *val, size_t vlen)
{
	if (!m)
		return 0;
	size_t hash = hash_bytes(m, kind, key, klen);
	pthread_mutex_lock(&m->lock);
	for (;;) {
		struct mentry *e = find(m, kind, key, klen, hash);
		if (!e) {
			/* the caller computes; without memory, uncoordinated */
			add_pending(m, kind, key, klen, hash);
			break;
		}
		if (!e->pending) {
			if (e->vlen != vlen || e->shared)
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
	size_t hash = hash_bytes(m, kind, key, klen);
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

void fa_memo_drop_shared(struct fa_memo *m, int kind, const void *key, size_t klen,
			 const void *val)
{
	if (!m || !val)
		return;
	size_t hash = hash_bytes(m, kind, key, klen);
	pthread_mutex_lock(&m->lock);
	struct mentry *e = find(m, kind, key, klen, hash);
	if (e && !e->pending && e->shared && e->val == val)
		unlink_entry(m, e);
	pthread_mutex_unlock(&m->lock);
}

void fa_memo_abandon(struct fa_memo *m, int kind, const void *key, size_t klen)
{
	if (!m)
		return;
	size_t hash = hash_bytes(m, kind, key, klen);
	pthread_mutex_lock(&m->lock);
	struct mentry *e = find(m, kind, key, klen, hash);
	if (e && e->pending)
		unlink_entry(m, e);
	pthread_cond_broadcast(&m->done);
	pthread_mutex_unlock(&m->lock);
}

void *fa_memo_get_shared(struct fa_memo *m, int kind, const void *key, size_t klen)
{
	if (!m)
		return NULL;
	size_t hash = hash_bytes(m, kind, key, klen);
	void *val = NULL;
	pthread_mutex_lock(&m->lock);
	for (;;) {
		struct mentry *e = find(m, kind, key, klen, hash);
		if (!e) {
			/* the caller computes; without memory, uncoordinated */
			add_pending(m, kind, key, klen, hash);
			break;
		}
		if (!e->pending) {
			if (e->shared) {
				/* retained under the lock: eviction cannot
				 * free it between finding and retaining */
				val = shared_retain(e->val);
				lru_unlink(m, e);
				lru_push(m, e);
			}
			break;
		}
		pthread_cond_wait(&m->done, &m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return val;
}

void fa_memo_put_shared(struct fa_memo *m, int kind, const void *key, size_t klen,
			void *val, size_t bytes)
{
	if (!m || !val) {
		fa_memo_abandon(m, kind, key, klen);
		return;
	}
	size_t hash = hash_bytes(m, kind, key, klen);
	pthread_mutex_lock(&m->lock);
	struct mentry *e = find(m, kind, key, klen, hash);
	if (e && e->pending) {
		e->val = shared_retain(val);
		e->shared = 1;
		e->vlen = 0;
		e->pending = 0;
		e->bytes = sizeof(*e) + klen + bytes + 3 * ALLOC_OVERHEAD;
		m->bytes += e->bytes;
		lru_push(m, e);
		while (m->bytes > m->max_bytes && m->oldest && m->oldest != e)
			unlink_entry(m, m->oldest);
	}
	pthread_cond_broadcast(&m->done);
	pthread_mutex_unlock(&m->lock);
}

unsigned long long fa_memo_nonce(const struct fa_memo *m)
{
	return m ? m->nonce : 0;
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

size_t fa_memo_count_kind(struct fa_memo *m, int kind)
{
	size_t n = 0;
	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->table.nbuckets; i++)
		for (const struct fa_hnode *hn = m->table.buckets[i]; hn; hn = hn->next) {
			const struct mentry *e = FA_CONTAINER_OF(hn, const struct mentry, node);
			n += e->kind == kind && !e->pending;
		}
	pthread_mutex_unlock(&m->lock);
	return n;
}
