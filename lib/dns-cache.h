/* SPDX-License-Identifier: BSD-2-Clause */
/* The answer cache of the DNS layer (dns-cache.c). */
#ifndef FROMAUTH_DNS_CACHE_H
#define FROMAUTH_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dns-rr.h"

/* Cache shared by every user of a context; in-flight queries for the same
 * key are made once, the other askers wait for that answer.  Bounded by a
 * byte cap, least recently used entries evicted first. */
struct fa_cache;
enum fa_cache_outcome {
	FA_CACHE_HIT,           /* *out holds a reference */
	FA_CACHE_FETCH,         /* caller must fetch and call fa_cache_complete */
	FA_CACHE_EXPIRED_WAIT,  /* deadline passed waiting for another fetch */
};
/* Default byte cap.  A customer domain's answers take about 5 KB, so a
 * run over 100,000 domains keeps the last 25,000 or so beside the shared
 * records, and the process stays well under 300 MiB. */
#define FA_CACHE_DEFAULT_BYTES (128u << 20)
int fa_cache_new(struct fa_cache **out, size_t max_bytes);
void fa_cache_free(struct fa_cache *cache);
enum fa_cache_outcome fa_cache_acquire(struct fa_cache *cache, const char *key,
				       uint64_t deadline_ms,
				       struct fa_dns_answer **out);
/* Publish the fetch's answer (NULL on failure) to waiters; cache it for
 * @ttl seconds (0: don't keep). */
void fa_cache_complete(struct fa_cache *cache, const char *key,
		       struct fa_dns_answer *ans, uint32_t ttl);
/* Is @key's answer cached and unexpired, or being fetched?  Makes no
 * entry and never waits. */
int fa_cache_known(struct fa_cache *cache, const char *key);
/* Cache @ans, fetched without fa_cache_acquire(), for @ttl seconds
 * unless @key is known (as above) or @ttl is 0.  1 when it was kept. */
int fa_cache_offer(struct fa_cache *cache, const char *key,
		   struct fa_dns_answer *ans, uint32_t ttl);
/* Lower or raise the byte cap; lowering evicts at once. */
void fa_cache_set_max_bytes(struct fa_cache *cache, size_t max_bytes);
size_t fa_cache_size(struct fa_cache *cache);    /* entries */
size_t fa_cache_bytes(struct fa_cache *cache);   /* as the cap counts them */

#endif
