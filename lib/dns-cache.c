/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TTL cache shared by every check on a context.  One mutex guards the
 * table; answers themselves are immutable and reference-counted, so a
 * reader holds no lock while it uses one.  A key being fetched is marked
 * pending: concurrent askers wait for that fetch instead of sending the
 * same query again (thousands of checks of one domain make one query).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns-internal.h"
#include "private.h"

struct entry {
	char *key;
	struct fa_dns_answer *ans;      /* NULL while pending or after failure */
	uint64_t expires_ms;
	int pending;
	struct entry *next;
};

struct fa_cache {
	pthread_mutex_t lock;
	pthread_cond_t done;            /* broadcast when a fetch completes */
	struct entry **buckets;
	size_t nbuckets, count, max_entries;
};

static size_t hash_key(const char *key)
{
	size_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return h;
}

int fa_cache_new(struct fa_cache **out, size_t max_entries)
{
	struct fa_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return FROMAUTH_E_NOMEM;
	c->nbuckets = 1024;
	c->max_entries = max_entries;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!c->buckets || pthread_mutex_init(&c->lock, NULL) != 0 ||
	    pthread_cond_init(&c->done, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		free(c->buckets);
		free(c);
		return FROMAUTH_E_NOMEM;
	}
	pthread_condattr_destroy(&attr);
	*out = c;
	return FROMAUTH_OK;
}

static void entry_free(struct entry *e)
{
	fa_dns_answer_release(e->ans);
	free(e->key);
	free(e);
}

void fa_cache_free(struct fa_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct entry *e = c->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			entry_free(e);
		}
	}
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

static struct entry *find(struct fa_cache *c, const char *key, struct entry ***link)
{
	struct entry **l = &c->buckets[hash_key(key) % c->nbuckets];
	for (; *l; l = &(*l)->next)
		if (!strcmp((*l)->key, key))
			break;
	if (link)
		*link = l;
	return *l;
}

/* Drop expired entries; if the table is still full, drop settled ones in
 * bucket order.  Called with the lock held, only when over the bound. */
static void evict(struct fa_cache *c, uint64_t now)
{
	for (int pass = 0; pass < 2 && c->count >= c->max_entries; pass++) {
		for (size_t i = 0; i < c->nbuckets && c->count >= c->max_entries; i++) {
			struct entry **l = &c->buckets[i];
			while (*l) {
				struct entry *e = *l;
				if (!e->pending && (pass == 1 || e->expires_ms <= now)) {
					*l = e->next;
					entry_free(e);
					c->count--;
				} else {
					l = &e->next;
				}
			}
		}
	}
}

enum fa_cache_outcome fa_cache_acquire(struct fa_cache *c, const char *key,
				       uint64_t deadline_ms,
				       struct fa_dns_answer **out)
{
	*out = NULL;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		uint64_t now = fa_now_ms();
		struct entry **link;
		struct entry *e = find(c, key, &link);
		if (!e) {
			if (c->count >= c->max_entries)
				evict(c, now);
			e = calloc(1, sizeof(*e));
			if (!e || !(e->key = strdup(key))) {
				/* No room to coordinate: fetch without caching. */
				free(e);
				pthread_mutex_unlock(&c->lock);
				return FA_CACHE_FETCH;
			}
			e->pending = 1;
			e->next = c->buckets[hash_key(key) % c->nbuckets];
			c->buckets[hash_key(key) % c->nbuckets] = e;
			c->count++;
			pthread_mutex_unlock(&c->lock);
			return FA_CACHE_FETCH;
		}
		if (!e->pending) {
			if (e->ans && e->expires_ms > now) {
				*out = fa_dns_answer_ref(e->ans);
				pthread_mutex_unlock(&c->lock);
				return FA_CACHE_HIT;
			}
			/* Expired: this asker refreshes it. */
			fa_dns_answer_release(e->ans);
			e->ans = NULL;
			e->pending = 1;
			pthread_mutex_unlock(&c->lock);
			return FA_CACHE_FETCH;
		}
		/* Someone is fetching it: wait, within our own deadline. */
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
			pthread_cond_timedwait(&c->done, &c->lock, &ts);
		} else {
			pthread_cond_wait(&c->done, &c->lock);
		}
		/* A completed fetch leaves its answer even when it is not to be
		 * kept (temporary failures): a waiter takes it. */
		e = find(c, key, NULL);
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
	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, key, NULL);
	if (e) {
		fa_dns_answer_release(e->ans);
		e->ans = ans ? fa_dns_answer_ref(ans) : NULL;
		e->pending = 0;
		if (ttl > FA_DNS_MAX_TTL)
			ttl = FA_DNS_MAX_TTL;
		e->expires_ms = fa_now_ms() + (uint64_t)ttl * 1000u;
	}
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
}

size_t fa_cache_size(struct fa_cache *c)
{
	pthread_mutex_lock(&c->lock);
	size_t n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}
