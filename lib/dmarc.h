/* SPDX-License-Identifier: BSD-2-Clause */
/* DMARC adapter: libopendmarc for record parsing, discovery (RFC 9989 tree
 * walk and RFC 7489 PSL) and alignment in the wrapper (only lib/dmarc.c
 * includes libopendmarc's header). */
#ifndef FROMAUTH_DMARC_H
#define FROMAUTH_DMARC_H

#include <stddef.h>

#include "dns.h"
#include "private.h"

/* struct fromauth_dmarc is defined in dmarc.c. */
/* A Public Suffix List file (libpsl's formats) for RFC 7489 discovery on
 * one context; free with fa_dmarc_psl_free(). */
int fa_dmarc_psl_load(const char *path, void **out, char *errbuf, size_t errlen);
void fa_dmarc_psl_free(void *list);

int fa_dmarc_eval(struct fa_dns_req *req, const char *domain,
		  struct fromauth_dmarc **out, char *errbuf, size_t errlen);

/* The names fa_dmarc_eval() of @domain asks first (its tree walk, which
 * stops early only at a psd= tag), at most @max, malloc'd into @names;
 * for fa_dns_prefetch().  Returns how many (0 when out of memory). */
size_t fa_dmarc_first_qnames(const char *domain, char **names, size_t max);

/* Facts the check reads (all owned by @dmarc). */
int fa_dmarc_temperror(const struct fromauth_dmarc *dmarc);
size_t fa_dmarc_record_count(const struct fromauth_dmarc *dmarc);
/* Problems found in the record (syntax, unknown tags), as sentences. */
size_t fa_dmarc_problem_count(const struct fromauth_dmarc *dmarc);
const char *fa_dmarc_problem(const struct fromauth_dmarc *dmarc, size_t i);
int fa_dmarc_testing(const struct fromauth_dmarc *dmarc);   /* t=y */
int fa_dmarc_pct(const struct fromauth_dmarc *dmarc);       /* -1 absent */
char fa_dmarc_adkim(const struct fromauth_dmarc *dmarc);    /* 'r' or 's' */
char fa_dmarc_aspf(const struct fromauth_dmarc *dmarc);
/* Set when RFC 7489 discovery reaches another record, org domain or
 * policy; a sentence saying how, else NULL. */
const char *fa_dmarc_discovery_differs(const struct fromauth_dmarc *dmarc);
/* rua/ruf destinations outside the domain lacking authorization. */
size_t fa_dmarc_unauthorized_count(const struct fromauth_dmarc *dmarc);
const char *fa_dmarc_unauthorized(const struct fromauth_dmarc *dmarc, size_t i);

/* Additions beyond the first design, for the check and the tool. */
/* Domain where several DMARC records were found (all discarded), or NULL. */
const char *fa_dmarc_multiple_domain(const struct fromauth_dmarc *dmarc);
/* The first TXT record reported as a failed attempt at DMARC (at D or
 * the organizational domain; "v=dmarc1; p=reject"), and in *at the
 * domain whose _dmarc holds it; NULL when none, or too long to show. */
const char *fa_dmarc_lookalike(const struct fromauth_dmarc *dmarc, const char **at);
/* The records found there, as text (0 when more than we keep, or one
 * holds a NUL byte). */
#define FA_DMARC_MAX_DUPLICATES 8
size_t fa_dmarc_duplicate_count(const struct fromauth_dmarc *dmarc);
const char *fa_dmarc_duplicate(const struct fromauth_dmarc *dmarc, size_t i);
/* The i-th unauthorized destination's host, and the owner name of the
 * authorization record it lacks ("<policy domain>._report._dmarc.<host>",
 * the fix is that name with TXT "v=DMARC1"). */
const char *fa_dmarc_unauthorized_host(const struct fromauth_dmarc *dmarc, size_t i);
const char *fa_dmarc_authorization_name(const struct fromauth_dmarc *dmarc, size_t i);
/* 1 when the policy came from a parent and D has NXDOMAIN for A, AAAA, MX. */
int fa_dmarc_nonexistent(const struct fromauth_dmarc *dmarc);
/* Which tag gave the applicable policy: "p", "sp", "np", or NULL. */
const char *fa_dmarc_policy_tag(const struct fromauth_dmarc *dmarc);
/* Value of "p", "sp" or "np" in the applied record (0 = absent). */
int fa_dmarc_tag_policy(const struct fromauth_dmarc *dmarc, const char *tag);
/* psd= of the applied record: 'y', 'n' or 'u'. */
char fa_dmarc_psd(const struct fromauth_dmarc *dmarc);
/* RFC 7489 organizational domain by the Public Suffix List. */
const char *fa_dmarc_psl_org_domain(const struct fromauth_dmarc *dmarc);
/* RFC 7489 discovery had a Public Suffix List to use. */
int fa_dmarc_psl_used(const struct fromauth_dmarc *dmarc);
/* Where lib/json.c keeps the text of fromauth_dmarc_json(), built on first
 * use (the result frees it). */
char *const *fa_dmarc_json_slot(const struct fromauth_dmarc *dmarc);

/*
 * The organizational domain alignment is judged against: the RFC 9989
 * discovery's, or, when the walk found no record at all (no DMARC to
 * apply yet), the registrable domain by the PSL, where the check advises
 * publishing the first record: alignment as it will be then.
 */
const char *fa_dmarc_alignment_org(const struct fromauth_dmarc *dmarc);

/*
 * Identifier alignment of @other (SPF MAIL FROM or DKIM d=) with the From
 * domain of @dmarc, relaxed or strict per @strict, using the organizational
 * domain of fa_dmarc_alignment_org().  *aligned is 0/1; returns 0 or an
 * error; a DNS failure while walking @other's tree gives *aligned = -1.
 */
int fa_dmarc_aligned(struct fa_dns_req *req, const struct fromauth_dmarc *dmarc,
		     const char *other, int strict, int *aligned);

#endif
