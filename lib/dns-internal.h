/* SPDX-License-Identifier: BSD-2-Clause */
/* Pieces of the DNS layer shared by dns.c, dns-cache.c and dns-overlay.c;
 * nothing outside the layer includes this. */
#ifndef FROMAUTH_DNS_INTERNAL_H
#define FROMAUTH_DNS_INTERNAL_H

#include <ldns/ldns.h>
#include <pthread.h>

#include "dns.h"

/* Longest CNAME chain followed; more is treated as a loop (SERVFAIL). */
#define FA_DNS_MAX_CNAMES 8
/* Cap on cached TTLs, and the negative TTL when no SOA says one. */
#define FA_DNS_MAX_TTL 86400u
#define FA_DNS_DEFAULT_NEG_TTL 60u

/* Records, answers */
int fa_rr_from_ldns(const ldns_rr *rr, struct fa_dns_rr *out);
void fa_rr_clear(struct fa_dns_rr *rr);
int fa_rr_copy(const struct fa_dns_rr *src, struct fa_dns_rr *dst);
/* Presentation rdata, as ldns prints it, made from the wire form (the
 * layer keeps no text); malloc'd, NULL on failure. */
char *fa_rr_text(const struct fa_dns_rr *rr);
struct fa_dns_answer *fa_answer_new(const char *qname, uint16_t type, int status);
int fa_answer_add_rr(struct fa_dns_answer *ans, const struct fa_dns_rr *rr);
int fa_answer_add_cname(struct fa_dns_answer *ans, const char *target);

/* The network path's packet handling, here so the fuzzer can reach it.
 * A reply is ours when it has our ID, QR set, opcode QUERY and exactly our
 * question (name without regard to case, type, class IN); 0 and *out, or
 * FROMAUTH_E_RECORD for anything else (unparseable included). */
int fa_dns_reply_parse(const uint8_t *buf, size_t len, uint16_t id,
		       const ldns_rdf *qname, uint16_t type, ldns_pkt **out);
/* The answer to @key/@type in @pkt: the CNAME chain from @key, then the
 * records at its end; records of other owners are ignored.  NULL: no
 * memory. */
struct fa_dns_answer *fa_dns_answer_from_pkt(const ldns_pkt *pkt,
					     const char *key, uint16_t type);

/* Canonical key of a presentation-format name: lower case, no trailing
 * dot, escapes as ldns prints them.  NULL for a name ldns rejects. */
char *fa_dns_name_key(const char *name);
char *fa_dns_rdf_key(const ldns_rdf *dname);

/* Overlay: records by owner name; read-only once queries start. */
struct fa_overlay;
struct fa_overlay_node {
	char *name;
	struct fa_dns_rr *rrs;
	size_t count, cap;
	int timeout;            /* missing types time out */
	struct fa_overlay_node *next;
};
int fa_overlay_new(struct fa_overlay **out);
void fa_overlay_free(struct fa_overlay *ov);
int fa_overlay_add_ldns(struct fa_overlay *ov, const ldns_rr *rr);
int fa_overlay_add_timeout(struct fa_overlay *ov, const char *key);
/* Exact node, or the wildcard that covers @key (RFC 4592); NULL if none. */
const struct fa_overlay_node *fa_overlay_find(const struct fa_overlay *ov,
					      const char *key);
/* Does the name exist in the overlay, as an owner or an ancestor of one? */
int fa_overlay_name_exists(const struct fa_overlay *ov, const char *key);

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
/* Lower or raise the byte cap; lowering evicts at once. */
void fa_cache_set_max_bytes(struct fa_cache *cache, size_t max_bytes);
size_t fa_cache_size(struct fa_cache *cache);    /* entries */
size_t fa_cache_bytes(struct fa_cache *cache);   /* as the cap counts them */

struct fa_nameserver {
	ldns_rdf *addr;
	uint16_t port;
};

struct fa_dns {
	const struct fa_dns *parent;    /* overlay below ours (clones) */
	struct fa_overlay *overlay;
	struct fa_cache *cache;         /* owned unless parent is set */
	struct fa_nameserver *ns;
	size_t ns_count;
	int ns_explicit;                /* set by the user, else resolv.conf */
	pthread_mutex_t ns_lock;        /* lazy resolv.conf read */
	int ns_loaded;
	unsigned int timeout_ms, tries, deadline_ms;
	int offline;
	const void *psl;                /* the context's PSL, opaque here */
	struct fa_memo *memo;           /* the context's memo (memo.h) */
};

#endif
