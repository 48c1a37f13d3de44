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

/* The evaluation needed the HELO name (%{h}) and none was given: its
 * permerror is the caller's missing input, not the record's fault. */
int fa_spf_needs_helo(const struct fromauth_spf *spf);

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

/* The ranges a service sends from, from the SPF tree at @domain
 * (ip4/ip6/a/mx through include and redirect; only terms that pass, no
 * macros; at most 1024 ranges, duplicates dropped).  *out is malloc'd;
 * 0 ranges when the domain has no usable record.  *@temperror (may be
 * NULL) is set when a lookup failed temporarily, so ranges may be
 * missing. */
int fa_spf_expand_ranges(struct fa_dns_req *req, const char *domain,
			 struct fa_cidr **out, size_t *count, int *temperror);

#endif
