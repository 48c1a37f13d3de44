/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TTL cache shared by every check on a context.  One mutex guards the
 * table; answers themselves are immutable and reference-counted, so a
 * reader holds no lock while it uses one.  A key being fetched is marked
 * pending: concurrent askers wait for that fetch instead of sending the
 * same query again (thousands of checks of one domain make one query).
 *
 * Bounded by bytes, not entries: settled entries sit on an LRU list, and
 * an insert that takes the total over the cap drops entries from the cold
 * end, so the service's records that every check reads stay while one-off
 * customer records go.  Each insert evicts in amortized O(1); the hash
 * table doubles as it fills instead of keeping fixed buckets.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "dns-cache.h"
#include "hash.h"
#include "private.h"

/* Waiters sleep on one of a few condition variables chosen by key, so a
 * completed fetch wakes the askers of its key, not every waiter. */
#define WAIT_SLOTS 64
/* What malloc spends per allocation beyond the bytes asked for. */
#define ALLOC_OVERHEAD 16

struct entry {
	struct fa_hnode node;           /* in the table, by key */
	char *key;
	struct fa_dns_answer *ans;      /* NULL while pending or after failure */
	uint64_t expires_ms;
	size_t bytes;                   /* counted in the cache's total */
	int pending;
	struct entry *newer, *older;    /* LRU list; settled entries only */
};

struct fa_cache {
	pthread_mutex_t lock;
	pthread_cond_t done[WAIT_SLOTS];        /* a fetch of a key completed */
	struct fa_htable table;
	size_t bytes, max_bytes;
	struct entry *newest, *oldest;
	size_t seed;            /* of the key hash: random, as the keys are */
};

/* A word at a time (FNV-1a went a byte at a time, on every question),
 * seeded so that names chosen to collide cannot be. */
static size_t key_hash(const struct fa_cache *c, const char *key)
{
	return fa_hash_words(c->seed, key, strlen(key));
}

int fa_cache_new(struct fa_cache **out, size_t max_bytes)
{
	struct fa_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return FROMAUTH_E_NOMEM;
	c->max_bytes = max_bytes;
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != (ssize_t)sizeof(c->seed))
		c->seed = (size_t)time(NULL) * 2654435761u ^ (size_t)(uintptr_t)c;
	int ok = fa_htable_init(&c->table, 256) == FROMAUTH_OK;
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	ok = ok && fa_mutex_init(&c->lock) == 0;
	size_t conds = 0;
	for (; ok && conds < WAIT_SLOTS; conds++)
		ok = pthread_cond_init(&c->done[conds], &attr) == 0;
	pthread_condattr_destroy(&attr);
	if (!ok) {
		for (size_t i = 0; i + 1 < conds; i++)
			pthread_cond_destroy(&c->done[i]);
		fa_htable_fini(&c->table, NULL);
		free(c);
		return FROMAUTH_E_NOMEM;
	}
	*out = c;
	return FROMAUTH_OK;
}

static void entry_free(struct entry *e)
{
	fa_dns_answer_release(e->ans);
	free(e->key);
	free(e);
}

static void node_free(struct fa_hnode *n)
{
	entry_free(FA_CONTAINER_OF(n, struct entry, node));
}

void fa_cache_free(struct fa_cache *c)
{
	if (!c)
		return;
	fa_htable_fini(&c->table, node_free);
	for (size_t i = 0; i < WAIT_SLOTS; i++)
		pthread_cond_destroy(&c->done[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Memory an answer holds, as the cap counts it. */
static size_t answer_bytes(const struct fa_dns_answer *a)
{
	if (!a)
		return 0;
	size_t n = sizeof(*a) + ALLOC_OVERHEAD;
	if (a->qname)
		n += strlen(a->qname) + 1 + ALLOC_OVERHEAD;
	n += a->count * sizeof(*a->rrs) + ALLOC_OVERHEAD;
	for (size_t i = 0; i < a->count; i++) {
		const struct fa_dns_rr *rr = &a->rrs[i];
		n += rr->len + 1 + rr->wire_len + 2 * ALLOC_OVERHEAD;
	}
	n += a->cname_count * sizeof(char *);
	for (size_t i = 0; i < a->cname_count; i++)
		n += strlen(a->cnames[i]) + 1 + ALLOC_OVERHEAD;
	return n;
}

static struct entry *find(struct fa_cache *c, const char *key, size_t hash)
{
	for (struct fa_hnode *n = fa_htable_chain(&c->table, hash); n; n = n->next) {
		struct entry *e = FA_CONTAINER_OF(n, struct entry, node);
		if (n->hash == hash && !strcmp(e->key, key))
			return e;
	}
	return NULL;
}

static void lru_unlink(struct fa_cache *c, struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else if (c->newest == e)
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else if (c->oldest == e)
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct fa_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
}

static void remove_entry(struct fa_cache *c, struct entry *e)
{
	fa_htable_remove(&c->table, &e->node);
	lru_unlink(c, e);
	c->bytes -= e->bytes;
	entry_free(e);
}

/* Drop the least recently used settled entries until the total fits the
 * cap; @keep (just completed, its waiters still to read it) stays. */
static void evict(struct fa_cache *c, const struct entry *keep)
{
	while (c->bytes > c->max_bytes && c->oldest && c->oldest != keep)
		remove_entry(c, c->oldest);
}

enum fa_cache_outcome fa_cache_acquire(struct fa_cache *c, const char *key,
				       uint64_t deadline_ms,
				       struct fa_dns_answer **out)
{
	*out = NULL;
	size_t hash = key_hash(c, key);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		uint64_t now = fa_now_ms();
		struct entry *e = find(c, key, hash);
		if (!e) {
			e = calloc(1, sizeof(*e));
			if (!e || !(e->key = strdup(key))) {
				/* No room to coordinate: fetch without caching. */
				free(e);
				pthread_mutex_unlock(&c->lock);
				return FA_CACHE_FETCH;
			}
			e->pending = 1;
			e->bytes = sizeof(*e) + strlen(key) + 1 + 2 * ALLOC_OVERHEAD;
			fa_htable_insert(&c->table, &e->node, hash);
			c->bytes += e->bytes;
			pthread_mutex_unlock(&c->lock);
			return FA_CACHE_FETCH;
		}
		if (!e->pending) {
			if (e->ans && e->expires_ms > now) {
				*out = fa_dns_answer_ref(e->ans);
				lru_unlink(c, e);
				lru_push(c, e);
				pthread_mutex_unlock(&c->lock);
				return FA_CACHE_HIT;
			}
			/* Expired: this asker refreshes it. */
			size_t ab = answer_bytes(e->ans);
			c->bytes -= ab;
			e->bytes -= ab;
			fa_dns_answer_release(e->ans);
			e->ans = NULL;
			e->pending = 1;
			lru_unlink(c, e);
			pthread_mutex_unlock(&c->lock);
			return FA_CACHE_FETCH;
		}
		/* Someone is fetching it: wait, within our own deadline. */
		pthread_cond_t *done = &c->done[hash % WAIT_SLOTS];
		if (deadline_ms) {
			if (now >= deadline_ms) {
				pthread_mutex_unlock(&c->lock);
				return FA_CACHE_EXPIRED_WAIT;
			}
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			uint64_t wait = deadline_ms - now;
			ts.tv_sec += (time_t)(wait / 1000);
			ts.tv_nsec += (long)(wait % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(done, &c->lock, &ts);
		} else {
			pthread_cond_wait(done, &c->lock);
		}
		/* A completed fetch leaves its answer even when it is not to be
		 * kept (temporary failures): a waiter takes it. */
		e = find(c, key, hash);
		if (e && !e->pending && e->ans) {
			*out = fa_dns_answer_ref(e->ans);
			pthread_mutex_unlock(&c->lock);
			return FA_CACHE_HIT;
		}
	}
}

void fa_cache_complete(struct fa_cache *c, const char *key,
		       struct fa_dns_answer *ans, uint32_t ttl)
{
	size_t hash = key_hash(c, key);
	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, key, hash);
	if (e && e->pending) {
		e->ans = ans ? fa_dns_answer_ref(ans) : NULL;
		e->pending = 0;
		size_t ab = answer_bytes(e->ans);
		e->bytes += ab;
		c->bytes += ab;
		if (ttl > FA_DNS_MAX_TTL)
			ttl = FA_DNS_MAX_TTL;
		e->expires_ms = fa_now_ms() + (uint64_t)ttl * 1000u;
		lru_push(c, e);
		evict(c, e);
	}
	pthread_cond_broadcast(&c->done[hash % WAIT_SLOTS]);
	pthread_mutex_unlock(&c->lock);
}

static int known(struct entry *e, uint64_t now)
{
	return e && (e->pending || (e->ans && e->expires_ms > now));
}

int fa_cache_known(struct fa_cache *c, const char *key)
{
	size_t hash = key_hash(c, key);
	pthread_mutex_lock(&c->lock);
	int k = known(find(c, key, hash), fa_now_ms());
	pthread_mutex_unlock(&c->lock);
	return k;
}

int fa_cache_offer(struct fa_cache *c, const char *key, struct fa_dns_answer *ans,
		   uint32_t ttl)
{
	if (!ans || !ttl)
		return 0;
	size_t hash = key_hash(c, key);
	uint64_t now = fa_now_ms();
	/* Made before the lock, like an asker's entry; dropped if unused. */
	struct entry *made = NULL;
	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, key, hash);
	if (known(e, now)) {
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	if (!e) {
		pthread_mutex_unlock(&c->lock);
		made = calloc(1, sizeof(*made));
		if (!made || !(made->key = strdup(key))) {
			free(made);
			return 0;
		}
		pthread_mutex_lock(&c->lock);
		/* Someone may have come while we allocated. */
		if (known(e = find(c, key, hash), now)) {
			pthread_mutex_unlock(&c->lock);
			entry_free(made);
			return 0;
		}
	}
	if (e) {
		/* Expired and settled: its old answer goes. */
		size_t ab = answer_bytes(e->ans);
		c->bytes -= ab;
		e->bytes -= ab;
		fa_dns_answer_release(e->ans);
		lru_unlink(c, e);
		if (made)
			entry_free(made);
	} else {
		e = made;
		e->bytes = sizeof(*e) + strlen(key) + 1 + 2 * ALLOC_OVERHEAD;
		fa_htable_insert(&c->table, &e->node, hash);
		c->bytes += e->bytes;
	}
	e->ans = fa_dns_answer_ref(ans);
	size_t ab = answer_bytes(e->ans);
	e->bytes += ab;
	c->bytes += ab;
	if (ttl > FA_DNS_MAX_TTL)
		ttl = FA_DNS_MAX_TTL;
	e->expires_ms = now + (uint64_t)ttl * 1000u;
	lru_push(c, e);
	evict(c, e);
	pthread_mutex_unlock(&c->lock);
	return 1;
}

void fa_cache_set_max_bytes(struct fa_cache *c, size_t max_bytes)
{
	pthread_mutex_lock(&c->lock);
	c->max_bytes = max_bytes;
	evict(c, NULL);
	pthread_mutex_unlock(&c->lock);
}

size_t fa_cache_size(struct fa_cache *c)
{
	pthread_mutex_lock(&c->lock);
	size_t n = c->table.count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

size_t fa_cache_bytes(struct fa_cache *c)
{
	pthread_mutex_lock(&c->lock);
	size_t n = c->bytes;
	pthread_mutex_unlock(&c->lock);
	return n;
}
