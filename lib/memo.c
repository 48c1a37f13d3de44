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

#include "memo.h"
#include "private.h"

#define ALLOC_OVERHEAD 16

struct mentry {
	size_t hash;
	int kind;
	int pending;
	int shared;             /* val is a fa_memo_shared_new() block */
	unsigned char *key;
	size_t klen;
	void *val;
	size_t vlen;
	size_t bytes;
	struct mentry *next;            /* hash chain */
	struct mentry *newer, *older;   /* LRU, settled entries only */
};

struct fa_memo {
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct mentry **buckets;
	size_t nbuckets, count, bytes, max_bytes;
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

static size_t hash_bytes(int kind, const unsigned char *p, size_t n)
{
	size_t h = 1469598103934665603ull ^ (size_t)kind;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

int fa_memo_new(struct fa_memo **out, size_t max_bytes)
{
	*out = NULL;
	struct fa_memo *m = calloc(1, sizeof(*m));
	if (!m)
		return FROMAUTH_E_NOMEM;
	m->nbuckets = 64;
	m->max_bytes = max_bytes;
	if (getrandom(&m->nonce, sizeof(m->nonce), GRND_NONBLOCK) != sizeof(m->nonce))
		m->nonce = (unsigned long long)time(NULL) * 2654435761u ^
			   (unsigned long long)(uintptr_t)m;
	m->nonce |= 1;  /* 0 means "no memo" to callers */
	if (!(m->buckets = calloc(m->nbuckets, sizeof(*m->buckets))) ||
	    pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m->buckets);
		free(m);
		return FROMAUTH_E_NOMEM;
	}
	if (pthread_cond_init(&m->done, NULL) != 0) {
		pthread_mutex_destroy(&m->lock);
		free(m->buckets);
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

void fa_memo_free(struct fa_memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct mentry *e = m->buckets[i], *next; e; e = next) {
			next = e->next;
			mentry_free(e);
		}
	pthread_cond_destroy(&m->done);
	pthread_mutex_destroy(&m->lock);
	free(m->buckets);
	free(m);
}

static struct mentry **find(struct fa_memo *m, int kind, const void *key, size_t klen,
			    size_t hash)
{
	struct mentry **l = &m->buckets[hash & (m->nbuckets - 1)];
	for (; *l; l = &(*l)->next) {
		struct mentry *e = *l;
		if (e->hash == hash && e->kind == kind && e->klen == klen &&
		    !memcmp(e->key, key, klen))
			break;
	}
	return l;
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
	struct mentry **l = find(m, e->kind, e->key, e->klen, e->hash);
	*l = e->next;
	lru_unlink(m, e);
	m->bytes -= e->bytes;
	m->count--;
	mentry_free(e);
}

static void maybe_grow(struct fa_memo *m)
{
	if (m->count < m->nbuckets)
		return;
	size_t n = m->nbuckets * 2;
	struct mentry **b = calloc(n, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct mentry *e = m->buckets[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
}

int fa_memo_get(struct fa_memo *m, int kind, const void *key, size_t klen,
		void *val, size_t vlen)
{
	if (!m)
		return 0;
	size_t hash = hash_bytes(kind, key, klen);
	pthread_mutex_lock(&m->lock);
	for (;;) {
		struct mentry **l = find(m, kind, key, klen, hash);
		struct mentry *e = *l;
		if (!e) {
			e = calloc(1, sizeof(*e));
			if (!e || !(e->key = malloc(klen ? klen : 1))) {
				free(e);
				break;          /* compute without coordination */
			}
			memcpy(e->key, key, klen);
			e->klen = klen;
			e->kind = kind;
			e->hash = hash;
			e->pending = 1;
			*l = e;
			m->count++;
			maybe_grow(m);
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
	size_t hash = hash_bytes(kind, key, klen);
	void *copy = malloc(vlen ? vlen : 1);
	pthread_mutex_lock(&m->lock);
	struct mentry *e = *find(m, kind, key, klen, hash);
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
	struct mentry *e = *find(m, kind, key, klen, hash);
	if (e && e->pending)
		unlink_entry(m, e);
	pthread_cond_broadcast(&m->done);
	pthread_mutex_unlock(&m->lock);
}

void *fa_memo_get_shared(struct fa_memo *m, int kind, const void *key, size_t klen)
{
	if (!m)
		return NULL;
	size_t hash = hash_bytes(kind, key, klen);
	void *val = NULL;
	pthread_mutex_lock(&m->lock);
	for (;;) {
		struct mentry **l = find(m, kind, key, klen, hash);
		struct mentry *e = *l;
		if (!e) {
			e = calloc(1, sizeof(*e));
			if (!e || !(e->key = malloc(klen ? klen : 1))) {
				free(e);
				break;          /* compute without coordination */
			}
			memcpy(e->key, key, klen);
			e->klen = klen;
			e->kind = kind;
			e->hash = hash;
			e->pending = 1;
			*l = e;
			m->count++;
			maybe_grow(m);
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
	size_t hash = hash_bytes(kind, key, klen);
	pthread_mutex_lock(&m->lock);
	struct mentry *e = *find(m, kind, key, klen, hash);
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
	size_t n = m->count;
	pthread_mutex_unlock(&m->lock);
	return n;
}

size_t fa_memo_count_kind(struct fa_memo *m, int kind)
{
	size_t n = 0;
	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nbuckets; i++)
		for (const struct mentry *e = m->buckets[i]; e; e = e->next)
			n += e->kind == kind && !e->pending;
	pthread_mutex_unlock(&m->lock);
	return n;
}
