/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one DNS layer (SPEC section 5), on ldns.  It knows nothing of mail:
 * SPF, DKIM and DMARC all ask it for records.  Order of consultation:
 * overlay, then the shared cache, then the network.
 *
 * Thread safety: after configuration, fa_dns_query() may be called from
 * any number of threads on one struct fa_dns.  Answers are immutable and
 * reference-counted, shared between the cache and its readers.
 */
#ifndef FROMAUTH_DNS_H
#define FROMAUTH_DNS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum fa_dns_source {
	FA_DNS_FROM_OVERLAY = 0,
	FA_DNS_FROM_CACHE = 1,
	FA_DNS_FROM_NETWORK = 2,
};

#include "dns-rr.h"

/* The most questions one fa_dns_prefetch() asks. */
#define FA_DNS_PREFETCH_MAX 8

/* Per-check (or per-call) accounting and deadline.  Counters are atomic:
 * the independent lookups of one check may run on several threads. */
struct fa_dns_req {
	struct fa_dns *dns;
	uint64_t deadline_ms;   /* fa_now_ms() bound, 0 = none */
	atomic_uint queries;    /* packets sent on the network */
	atomic_uint cache_hits;
	atomic_uint overlay_hits;
	atomic_uint lookups;    /* fa_dns_query() calls */
	/* An allocation failed where the caller could not say so (inside
	 * a library's callback): the check must fail with NOMEM. */
	atomic_int nomem;
	/* Cache keys fetched by fa_dns_prefetch() for this request: their
	 * first lookup took the answer from the network, not the cache. */
	uint64_t prefetched[FA_DNS_PREFETCH_MAX];
	atomic_uint prefetched_unclaimed;       /* bit i: prefetched[i] */
};

struct fa_dns;

int fa_dns_new(struct fa_dns **out);
void fa_dns_free(struct fa_dns *dns);

/* Configuration; not thread-safe against concurrent queries. */
int fa_dns_add_nameserver(struct fa_dns *dns, const char *addr);
int fa_dns_set_timeout(struct fa_dns *dns, unsigned int ms);
int fa_dns_set_tries(struct fa_dns *dns, unsigned int tries);
int fa_dns_set_deadline(struct fa_dns *dns, unsigned int ms);
int fa_dns_set_offline(struct fa_dns *dns, int offline);
int fa_dns_add_zone_file(struct fa_dns *dns, const char *path,
			 char *errbuf, size_t errlen);
int fa_dns_add_record(struct fa_dns *dns, const char *rr,
		      char *errbuf, size_t errlen);
/* Delete a record (owner, type and rdata as a master-file line) from
 * what the overlay below and the network answer; see dns-overlay.h. */
int fa_dns_delete_record(struct fa_dns *dns, const char *rr,
			 char *errbuf, size_t errlen);
int fa_dns_add_timeout_name(struct fa_dns *dns, const char *name);
int fa_dns_is_offline(const struct fa_dns *dns);
/* A Public Suffix List the context carries for the DMARC adapter; this
 * layer never reads it.  Clones see their bottom context's. */
void fa_dns_set_psl(struct fa_dns *dns, const void *psl);
const void *fa_dns_psl(const struct fa_dns *dns);
/* Likewise the context's memo of derived facts (memo.h), owned by the
 * context; NULL: nothing memoized. */
struct fa_memo;
void fa_dns_set_memo(struct fa_dns *dns, struct fa_memo *memo);
struct fa_memo *fa_dns_memo(const struct fa_dns *dns);

/* A copy of @dns's configuration and overlay with an empty cache of its
 * own, to which more overlay records can be added ("what if I published
 * this?") without touching @dns. */
int fa_dns_clone_overlay(const struct fa_dns *dns, struct fa_dns **out);

/* Start accounting for one check; the deadline comes from the config. */
void fa_dns_req_init(struct fa_dns_req *req, struct fa_dns *dns);

/* Note on @req that an allocation failed (fa_dns_query does it itself). */
static inline void fa_dns_req_nomem(struct fa_dns_req *req)
{
	atomic_store(&req->nomem, 1);
}

/*
 * Look up @name/@type.  DNS failures are answers with a status; the return
 * value is 0 or a negative fromauth_error (bad name, no memory, no resolver
 * configuration).  *out must be released with fa_dns_answer_release().
 * @source may be NULL.  A call never waits longer than timeout x tries, nor
 * past the request's deadline.
 */
int fa_dns_query(struct fa_dns_req *req, const char *name, uint16_t type,
		 struct fa_dns_answer **out, enum fa_dns_source *source);

/*
 * The one existence probe (SPEC's non-existent domain, RFC 8020): A, AAAA
 * and MX of @name.  *nonexistent: 1 all three are NXDOMAIN, 0 the name
 * exists (an answer other than NXDOMAIN or a temporary failure; the probe
 * stops there), -1 could not tell.  Returns 0 or a fa_dns_query() error.
 */
int fa_dns_name_nonexistent(struct fa_dns_req *req, const char *name, int *nonexistent);

/* The first question of that probe, for fa_dns_prefetch(). */
#define FA_DNS_EXISTENCE_FIRST_TYPE FA_RR_A

/* One question for fa_dns_prefetch(). */
struct fa_dns_question {
	const char *name;
	uint16_t type;
};

/*
 * Ask the questions the lookups of a request are about to ask, all at
 * once on one socket, and cache the answers, so that those lookups wait
 * for one round trip instead of one each.  Only the questions that would
 * go to the network as they are (no overlay layer at the name, not
 * cached, not offline) are asked, each at most once; at most
 * FA_DNS_PREFETCH_MAX.  Any question not answered cleanly (silence,
 * truncation, a server failure) is left to its lookup, which asks it as
 * it always did.  Returns nothing: it only saves time.
 */
void fa_dns_prefetch(struct fa_dns_req *req, const struct fa_dns_question *qs, size_t n);

/*
 * The same questions, sent for a request that does not exist yet (a
 * batch worker's next address, sent before it checks the current one):
 * the replies wait in the socket meanwhile.  NULL when the request will
 * have to prefetch itself (offline, no memory); with all of them known
 * already nothing is sent.  Unlike fa_dns_prefetch()
 * nothing in the cache waits for these replies, so no other lookup ever
 * waits for this thread; a lookup on this thread of one of them takes
 * the replies first.
 */
struct fa_dns_ahead;
struct fa_dns_ahead *fa_dns_send_ahead(struct fa_dns *dns, const struct fa_dns_question *qs,
				       size_t n);
/* Take the replies (waiting for any still to come, within the first
 * try's time), cache them, and count them for @req (NULL: for nobody) as
 * fa_dns_prefetch() does; frees @ahead.  On the thread that sent it. */
void fa_dns_ahead_finish(struct fa_dns_ahead *ahead, struct fa_dns_req *req);


/*
 * The answer as a complete wire-format DNS response (question @name/@type
 * IN, rcode from the status, the records in the answer section), as
 * libopendkim's DNS hooks want it.  Returns 0, or FROMAUTH_E_RANGE when it
 * does not fit in @buflen.
 */
int fa_dns_answer_to_wire(const struct fa_dns_answer *ans, uint16_t id,
			  unsigned char *buf, size_t buflen, size_t *outlen);

/* Is the status a temporary failure (timeout, servfail)? */
static inline int fa_dns_status_is_temporary(int status)
{
	return status == FA_DNS_TIMEOUT || status == FA_DNS_SERVFAIL;
}

#endif
