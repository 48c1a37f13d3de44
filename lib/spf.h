/* SPDX-License-Identifier: BSD-2-Clause */
/* SPF adapter: libspf2 on the project's DNS layer (lib/spf.c is the only
 * file that includes libspf2's headers). */
#ifndef FROMAUTH_SPF_H
#define FROMAUTH_SPF_H

#include <stddef.h>

#include "cidr.h"
#include "dns.h"
#include "private.h"

/* One check_host() evaluation: the public struct fromauth_spf is defined
 * in spf.c; accessors are the public fromauth_spf_* functions. */

/* check_host() for @ip with DNS accounted to @req. */
int fa_spf_eval(struct fa_dns_req *req, const char *ip, const char *mail_from,
		const char *helo, struct fromauth_spf **out,
		char *errbuf, size_t errlen);

/* The domain whose record fa_spf_eval() of @mail_from asks first,
 * malloc'd, for fa_dns_prefetch(); NULL for input it refuses. */
char *fa_spf_first_qname(const char *mail_from);

/* The evaluation needed the HELO name (%{h}) and none was given: its
 * permerror is the caller's missing input, not the record's fault. */
int fa_spf_needs_helo(const struct fromauth_spf *spf);
/* Evaluations the calling thread took from the context's memo of whole
 * evaluations (tests tell a hit from an evaluation by it). */
unsigned long fa_spf_eval_memo_hits(void);

/* Where lib/json.c keeps the text of fromauth_spf_json(), built on first
 * use (the evaluation frees it). */
char *const *fa_spf_json_slot(const struct fromauth_spf *spf);

/* Analysis of the SPF record tree at a domain (not tied to one IP). */
struct fa_spf_analysis {
	int dns_status;         /* of the top-level TXT lookup */
	size_t record_count;    /* "v=spf1" TXT records at the domain */
	char *record;           /* the record when exactly one, else NULL */
	char *syntax_error;     /* first syntax error in the tree, or NULL */
	int plus_all;           /* the top record ends in +all */
	int uses_ptr;           /* some record in the tree uses ptr */
	unsigned int lookups;   /* DNS-querying terms of the whole tree */
	unsigned int void_lookups;
	int temperror;          /* some lookup of the tree failed temporarily */
	int loop;               /* an include/redirect leads back to itself */
	int too_deep;           /* the tree was cut (depth or record bound) */
	int missing_target;     /* an include/redirect target has no (one) record */
	int cut;                /* stopped where a receiver stops and left
				 * terms unresolved: lookups and void_lookups
				 * are lower bounds */
	/* Copies of every SPF record at the domain when there are several
	 * (fa_spf_analyze() only; at most FA_SPF_MAX_KEPT). */
#define FA_SPF_MAX_KEPT 8
	char *records[FA_SPF_MAX_KEPT];
	size_t records_kept;
	/* A TXT record there that starts with "v=spf1" but no space after
	 * it, so it is no SPF record (fa_spf_analyze() only), or NULL. */
	char *lookalike;
	/* What each DNS-querying term of the record costs, filled in by
	 * fa_spf_term_costs() on demand. */
	struct fa_spf_cost *costs;
	size_t cost_count;
};

struct fa_spf_cost {
	char *term;             /* as written, with its qualifier */
	unsigned int lookups;   /* the term and, for include:/redirect=, its tree */
	int cut;                /* its tree was cut short: at least that many */
};

/*
 * Counting is static: every DNS-querying term of every record reached
 * through literal include:/redirect= (redirect only where the record has
 * no "all"), in evaluation order, as if no term matched.  Void lookups:
 * include/redirect targets that do not exist, a:/mx:/exists: names
 * without records (a: void when neither A nor AAAA exists).  Terms with
 * macros count as lookups but are not followed.  The walk asks DNS only
 * as far as a receiver gets (RFC 7208 4.6.4: 10 DNS-querying terms, 2
 * void lookups; a temporary failure or a broken record stops it too):
 * at most 1 + 2 x 10 queries.  Past that point it only counts the terms
 * of the records already read (*cut).  0, FROMAUTH_E_DOMAIN or _NOMEM.
 */
int fa_spf_analyze(struct fa_dns_req *req, const char *domain,
		   struct fa_spf_analysis **out);
/* The same for @record as if it were published at @domain (a merged
 * record before it is published). */
int fa_spf_analyze_record(struct fa_dns_req *req, const char *domain,
			  const char *record, struct fa_spf_analysis **out);
void fa_spf_analysis_free(struct fa_spf_analysis *a);

/* Fill @a->costs: for each DNS-querying term of @a->record at @domain in
 * evaluation order, what it costs against the 10-lookup limit (1, plus
 * an include:/redirect= target's own tree, analyzed on its own so later
 * terms are counted too).  Once filled, nothing is asked again.  Past
 * @max_queries network queries the remaining trees are not read: those
 * terms count 1, cut.  0 or FROMAUTH_E_NOMEM. */
int fa_spf_term_costs(struct fa_dns_req *req, const char *domain, struct fa_spf_analysis *a,
		      unsigned int max_queries);

/* The ranges @record authorizes as if it were published at @domain, as
 * fa_spf_expand_ranges() does for a published one. */
int fa_spf_expand_record_ranges(struct fa_dns_req *req, const char *domain,
				const char *record, struct fa_cidr **out, size_t *count,
				int *temperror);

/* The ranges a service sends from, from the SPF tree at @domain
 * (ip4/ip6/a/mx through include and redirect; only terms that pass, no
 * macros; at most 1024 ranges, duplicates dropped).  *out is malloc'd;
 * 0 ranges when the domain has no usable record.  *@temperror (may be
 * NULL) is set when a lookup failed temporarily, so ranges may be
 * missing. */
int fa_spf_expand_ranges(struct fa_dns_req *req, const char *domain,
			 struct fa_cidr **out, size_t *count, int *temperror);

#endif
