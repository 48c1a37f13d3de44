/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SPF record tree of a domain, not tied to one IP: the analysis the
 * check reports (record count, syntax, +all, ptr, lookups and void
 * lookups of the whole include/redirect tree) and the address ranges a
 * service's own record authorizes (merging an include is remedy.c's).
 * Records are read with our own parser (spf-screen.c); libspf2 is not
 * involved, nothing here depends on a client address.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "memo.h"
#include "private.h"
#include "spf-record.h"
#include "spf.h"

#define TREE_DEPTH 10           /* deeper than any evaluation gets */
#define TREE_RECORDS 64         /* records fetched for one analysis */
#define MAX_RANGES 1024
#define MX_TARGETS 10

/* Fetch the SPF record(s) at @domain. *text is the one record or NULL.
 * With @a, copies of all of them (at most FA_SPF_MAX_KEPT) go to
 * a->records, so the check can say which one to keep. */
static int fetch_record_all(struct fa_dns_req *req, const char *domain,
			    int *status, size_t *count, char **text, size_t *len,
			    struct fa_spf_analysis *a)
{
	struct fa_dns_answer *ans = NULL;
	int rc = fa_dns_query(req, domain, FA_RR_TXT, &ans, NULL);

	*count = 0;
	*text = NULL;
	*len = 0;
	if (rc)
		return rc;
	*status = ans->status;
	const struct fa_dns_rr *found = NULL;
	for (size_t i = 0; i < ans->count; i++) {
		const struct fa_dns_rr *r = &ans->rrs[i];
		if (r->type == FA_RR_TXT &&
		    fa_spf_is_record((const char *)r->data, r->len)) {
			++*count;
			found = r;
			/* one with a NUL byte cannot be named as a line */
			if (a && a->records_kept < FA_SPF_MAX_KEPT &&
			    !memchr(r->data, '\0', r->len)) {
				char *copy = malloc(r->len + 1);
				if (!copy) {
					fa_dns_answer_release(ans);
					return FROMAUTH_E_NOMEM;
				}
				memcpy(copy, r->data, r->len);
				copy[r->len] = '\0';
				a->records[a->records_kept++] = copy;
			}
		} else if (a && !a->lookalike && r->type == FA_RR_TXT && r->len > 6 &&
			   !strncasecmp((const char *)r->data, "v=spf1", 6) &&
			   !memchr(r->data, '\0', r->len)) {
			if (!(a->lookalike = malloc(r->len + 1))) {
				fa_dns_answer_release(ans);
				return FROMAUTH_E_NOMEM;
			}
			memcpy(a->lookalike, r->data, r->len);
			a->lookalike[r->len] = '\0';
		}
	}
	if (*status == FA_DNS_OK && ans->count == 0)
		*status = FA_DNS_NODATA;
	if (*count == 1) {
		*text = malloc(found->len + 1);
		if (!*text) {
			fa_dns_answer_release(ans);
			return FROMAUTH_E_NOMEM;
		}
		memcpy(*text, found->data, found->len);
		(*text)[found->len] = '\0';
		*len = found->len;
	}
	fa_dns_answer_release(ans);
	return 0;
}

static int fetch_record(struct fa_dns_req *req, const char *domain,
			int *status, size_t *count, char **text, size_t *len)
{
	return fetch_record_all(req, domain, status, count, text, len, NULL);
}

/* Is the lookup of @name/@type void (NXDOMAIN or no records)?
 * Returns 1 void, 0 not, -1 temporary failure. */
static int lookup_void(struct fa_dns_req *req, const char *name, uint16_t type)
{
	struct fa_dns_answer *ans = NULL;
	if (fa_dns_query(req, name, type, &ans, NULL) != 0)
		return 1;  /* not a valid name: nothing can be there */
	int st = ans->status;
	size_t n = ans->count;
	fa_dns_answer_release(ans);
	if (fa_dns_status_is_temporary(st))
		return -1;
	return st != FA_DNS_OK || n == 0;
}

/* RFC 7208 4.6.4: what a receiver allows one evaluation, and so one
 * analysis; past it the receiver stops with permerror and so do we. */
#define LOOKUP_LIMIT 10
#define VOID_LIMIT 2

struct walk {
	struct fa_dns_req *req;
	struct fa_spf_analysis *a;
	const char *path[TREE_DEPTH + 1];
	size_t depth;
	size_t fetched;
	int stopped;
};

/* Where a receiver evaluating a client that matches nothing stops: past
 * a limit, at a temporary failure, at an error that is permanent.  From
 * then on no more DNS; terms of records already read are still counted,
 * so the counts are lower bounds once a term is skipped (a->cut). */
static void stop_walk(struct walk *w)
{
	w->stopped = 1;
}

static void set_error(struct walk *w, const char *domain, const char *what)
{
	stop_walk(w);
	if (w->a->syntax_error)
		return;
	size_t n = strlen(domain) + strlen(what) + 16;
	w->a->syntax_error = malloc(n);
	if (w->a->syntax_error)
		snprintf(w->a->syntax_error, n, "%s: %s", domain, what);
}

static void count_void(struct walk *w, int v)
{
	if (v < 0) {
		w->a->temperror = 1;
		stop_walk(w);
	} else if (v > 0 && ++w->a->void_lookups > VOID_LIMIT) {
		stop_walk(w);
	}
}

static int walk_record(struct walk *w, const char *domain,
		       const struct fa_spf_record *rec);

/* Follow include:/redirect= to @target. */
static int walk_target(struct walk *w, const char *target)
{
	int status;
	size_t count, len;
	char *text = NULL;
	char *name = fa_domain_normalize(target);

	if (!name)
		return FROMAUTH_E_NOMEM;
	for (size_t i = 0; i < w->depth; i++)
		if (!strcmp(w->path[i], name)) {
			w->a->loop = 1;
			set_error(w, name, "include/redirect loop");
			free(name);
			return 0;
		}
	if (w->depth >= TREE_DEPTH || w->fetched >= TREE_RECORDS) {
		w->a->too_deep = 1;
		stop_walk(w);
		free(name);
		return 0;
	}
	w->fetched++;
	int rc = fetch_record(w->req, name, &status, &count, &text, &len);
	if (rc == FROMAUTH_E_NOMEM) {
		free(name);
		return rc;
	}
	if (rc || fa_dns_status_is_temporary(status)) {
		w->a->temperror = 1;
		stop_walk(w);
	} else if (status != FA_DNS_OK) {
		w->a->void_lookups++;
		w->a->missing_target = 1;
		set_error(w, name, "include/redirect target has no SPF record");
	} else if (count != 1) {
		w->a->missing_target = 1;
		set_error(w, name, count ? "more than one SPF record"
				   : "include/redirect target has no SPF record");
	} else {
		char err[256];
		const struct fa_spf_record *rec = NULL;
		void *ref = NULL;
		rc = fa_spf_record_parse_shared(fa_dns_memo(w->req->dns), text, len, &rec, &ref,
						err, sizeof(err));
		if (rc == FROMAUTH_E_NOMEM) {
			free(text);
			free(name);
			return rc;
		}
		if (rc) {
			set_error(w, name, err);
		} else {
			w->path[w->depth++] = name;
			rc = walk_record(w, name, rec);
			w->depth--;
			fa_memo_shared_release(ref);
		}
	}
	free(text);
	free(name);
	return rc == FROMAUTH_E_NOMEM ? rc : 0;
}

/* @rec's DNS-querying term @i of 0..rec->count in evaluation order
 * (redirect= after every mechanism), or NULL: none there, or a redirect=
 * ignored beside all (RFC 7208 6.1). */
static const struct fa_spf_term *dns_term(const struct fa_spf_record *rec, size_t i,
					  int has_all)
{
	const struct fa_spf_term *t = i < rec->count ? &rec->terms[i] : rec->redirect;
	if (!t || (t->kind == FA_SPF_REDIRECT && (i < rec->count || has_all)) ||
	    !fa_spf_term_queries_dns(t))
		return NULL;
	return t;
}

/* The questions the loop below asks for @rec's a, mx and exists terms,
 * asked together first: one round trip rather than one each.  Only up to
 * the lookup limit, where the walk stops for sure; a void or failed
 * answer may stop it earlier, after which a few of these were asked for
 * nothing.  Only for the domain's own record, and not for include
 * targets: those are mostly a service's records, cached already, and
 * looking them up twice costs more than it saves. */
static void prefetch_terms(struct walk *w, const char *domain, const struct fa_spf_record *rec,
			   int has_all)
{
	struct fa_dns_question q[FA_DNS_PREFETCH_MAX];
	size_t n = 0, lookups = w->a->lookups;
	for (size_t i = 0; i <= rec->count && n + 2 <= FA_DNS_PREFETCH_MAX; i++) {
		const struct fa_spf_term *t = dns_term(rec, i, has_all);
		if (!t)
			continue;
		if (++lookups > LOOKUP_LIMIT)
			break;
		const char *target = t->value ? t->value : domain;
		if (t->has_macro)
			continue;
		switch (t->kind) {
		case FA_SPF_A:
			q[n++] = (struct fa_dns_question){ target, FA_RR_A };
			q[n++] = (struct fa_dns_question){ target, FA_RR_AAAA };
			break;
		case FA_SPF_MX:
			q[n++] = (struct fa_dns_question){ target, FA_RR_MX };
			break;
		case FA_SPF_EXISTS:
			q[n++] = (struct fa_dns_question){ target, FA_RR_A };
			break;
		default:
			break;
		}
	}
	/* One or two (a bare a: its A is the existence probe's) are not
	 * worth the bookkeeping. */
	if (n > 2)
		fa_dns_prefetch(w->req, q, n);
}

static int walk_record(struct walk *w, const char *domain,
		       const struct fa_spf_record *rec)
{
	int has_all = fa_spf_record_has_all(rec);

	if (!w->stopped && w->depth == 1)
		prefetch_terms(w, domain, rec, has_all);

	for (size_t i = 0; i <= rec->count; i++) {
		const struct fa_spf_term *t = dns_term(rec, i, has_all);
		int rc = 0;

		if (!t)
			continue;
		const char *target = t->value ? t->value : domain;
		if (t->kind == FA_SPF_PTR)
			w->a->uses_ptr = 1;
		if (++w->a->lookups > LOOKUP_LIMIT)
			stop_walk(w);
		if (t->has_macro)
			continue;
		if (w->stopped) {
			w->a->cut = 1;  /* a term whose DNS is not asked */
			continue;
		}
		switch (t->kind) {
		case FA_SPF_INCLUDE:
		case FA_SPF_REDIRECT:
			rc = walk_target(w, target);
			break;
		case FA_SPF_A: {
			int v4 = lookup_void(w->req, target, FA_RR_A);
			int v6 = v4 < 0 ? -1 : lookup_void(w->req, target, FA_RR_AAAA);
			count_void(w, v4 < 0 || v6 < 0 ? -1 : v4 && v6);
			break;
		}
		case FA_SPF_MX:
			count_void(w, lookup_void(w->req, target, FA_RR_MX));
			break;
		case FA_SPF_EXISTS:
			count_void(w, lookup_void(w->req, target, FA_RR_A));
			break;
		default:
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int analyze(struct fa_dns_req *req, const char *domain,
		   const char *record, struct fa_spf_analysis **out)
{
	struct fa_spf_analysis *a;
	const struct fa_spf_record *rec = NULL;
	void *ref = NULL;
	char *text = NULL;
	size_t len = 0;
	char err[256];
	int rc;

	*out = NULL;
	if (fa_domain_check(domain, NULL, 0) != 0)
		return FROMAUTH_E_DOMAIN;
	a = calloc(1, sizeof(*a));
	if (!a)
		return FROMAUTH_E_NOMEM;
	char *name = fa_domain_normalize(domain);
	if (!name) {
		free(a);
		return FROMAUTH_E_NOMEM;
	}
	if (record) {
		a->dns_status = FA_DNS_OK;
		a->record_count = fa_spf_is_record(record, strlen(record)) ? 1 : 0;
		text = a->record_count ? strdup(record) : NULL;
		len = text ? strlen(text) : 0;
		if (a->record_count && !text) {
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
	} else {
		rc = fetch_record_all(req, name, &a->dns_status, &a->record_count,
				      &text, &len, a);
		if (rc)
			goto out;
		if (fa_dns_status_is_temporary(a->dns_status))
			a->temperror = 1;
	}
	rc = 0;
	if (!text)
		goto out;
	a->record = text;
	text = NULL;
	/* Through the memo: a check reads the domain's record several times
	 * (its analysis, the costs of its terms, each fix tried). */
	rc = fa_spf_record_parse_shared(fa_dns_memo(req->dns), a->record, len, &rec, &ref,
					err, sizeof(err));
	if (rc == FROMAUTH_E_RECORD) {
		a->syntax_error = strdup(err);
		rc = a->syntax_error ? 0 : FROMAUTH_E_NOMEM;
		goto out;
	}
	if (rc)
		goto out;
	for (size_t i = 0; i < rec->count; i++)
		if (rec->terms[i].kind == FA_SPF_ALL && rec->terms[i].qualifier == '+')
			a->plus_all = 1;
	struct walk w = { .req = req, .a = a };
	w.path[w.depth++] = name;
	rc = walk_record(&w, name, rec);
out:
	fa_memo_shared_release(ref);
	free(text);
	free(name);
	if (rc) {
		fa_spf_analysis_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int fa_spf_analyze(struct fa_dns_req *req, const char *domain,
		   struct fa_spf_analysis **out)
{
	if (!out)
		return FROMAUTH_E_INVAL;
	*out = NULL;
	if (!req || !domain)
		return FROMAUTH_E_INVAL;
	return analyze(req, domain, NULL, out);
}

int fa_spf_analyze_record(struct fa_dns_req *req, const char *domain,
			  const char *record, struct fa_spf_analysis **out)
{
	if (!out)
		return FROMAUTH_E_INVAL;
	*out = NULL;
	if (!req || !domain || !record)
		return FROMAUTH_E_INVAL;
	return analyze(req, domain, record, out);
}

void fa_spf_analysis_free(struct fa_spf_analysis *a)
{
	if (!a)
		return;
	free(a->record);
	free(a->syntax_error);
	for (size_t i = 0; i < a->records_kept; i++)
		free(a->records[i]);
	free(a->lookalike);
	for (size_t i = 0; i < a->cost_count; i++)
		free(a->costs[i].term);
	free(a->costs);
	free(a);
}

/* ---- the ranges a service's record authorizes ---- */

struct ranges {
	struct fa_cidr *v;
	size_t n, cap;
	int nomem;
};

static void add_range(struct ranges *r, int family, const unsigned char *addr,
		      int prefix)
{
	struct fa_cidr c = { .family = family };
	size_t bytes = family == AF_INET ? 4 : 16;
	unsigned int max = family == AF_INET ? 32 : 128;

	c.prefix = prefix < 0 || (unsigned int)prefix > max ? max : (unsigned int)prefix;
	memcpy(c.addr, addr, bytes);
	for (size_t i = 0; i < bytes; i++) {
		unsigned int bit0 = (unsigned int)i * 8;
		if (bit0 >= c.prefix)
			c.addr[i] = 0;
		else if (bit0 + 8 > c.prefix)
			c.addr[i] &= (unsigned char)(0xff << (8 - (c.prefix - bit0)));
	}
	for (size_t i = 0; i < r->n; i++)
		if (!memcmp(&r->v[i], &c, sizeof(c)))
			return;
	if (r->n >= MAX_RANGES || r->nomem)
		return;
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		struct fa_cidr *nv = realloc(r->v, ncap * sizeof(*nv));
		if (!nv) {
			r->nomem = 1;
			return;
		}
		r->v = nv;
		r->cap = ncap;
	}
	r->v[r->n++] = c;
}

/* The ranges of the addresses of @name; returns 1 void, 0 not, -1
 * temporary failure (as lookup_void). */
static int add_host_ranges(struct fa_dns_req *req, struct ranges *r,
			   const char *name, int cidr4, int cidr6, int keep)
{
	static const uint16_t types[] = { FA_RR_A, FA_RR_AAAA };
	int found = 0, temp = 0;
	for (size_t t = 0; t < 2; t++) {
		struct fa_dns_answer *ans = NULL;
		if (fa_dns_query(req, name, types[t], &ans, NULL) != 0)
			continue;
		temp |= fa_dns_status_is_temporary(ans->status);
		for (size_t i = 0; ans->status == FA_DNS_OK && i < ans->count; i++) {
			const struct fa_dns_rr *rr = &ans->rrs[i];
			found = 1;
			if (keep && rr->type == FA_RR_A && rr->len == 4)
				add_range(r, AF_INET, rr->data, cidr4);
			else if (keep && rr->type == FA_RR_AAAA && rr->len == 16)
				add_range(r, AF_INET6, rr->data, cidr6);
		}
		fa_dns_answer_release(ans);
		if (temp)
			break;
	}
	return temp ? -1 : !found;
}

/* The walk of the service's tree, bounded as an evaluation is. */
struct expansion {
	struct fa_dns_req *req;
	struct ranges *r;
	size_t fetched;
	unsigned int lookups, voids;
	int stopped;
	int temp;       /* stopped by a temporary failure: ranges may be missing */
};

static void expand_void(struct expansion *x, int v)
{
	x->temp |= v < 0;
	if (v < 0 || (v > 0 && ++x->voids > VOID_LIMIT))
		x->stopped = 1;
}

/* Walk @domain's record in evaluation order; ranges of terms that pass
 * are kept when @keep (a non-'+' include authorizes nothing, but a
 * receiver follows it and counts its lookups all the same). */
static void expand(struct expansion *x, const char *domain, size_t depth, int keep,
		   const char *record)
{
	int status = FA_DNS_OK;
	size_t count = 1, len = 0;
	char *text = NULL;
	const struct fa_spf_record *rec = NULL;
	void *ref = NULL;
	struct ranges *r = x->r;

	if (depth > TREE_DEPTH || x->fetched >= TREE_RECORDS || r->nomem) {
		x->stopped = 1;
		return;
	}
	++x->fetched;
	int rc = 0;
	if (record) {
		/* a record not published yet, read as if it were at @domain */
		if (!(text = strdup(record)))
			rc = FROMAUTH_E_NOMEM;
		len = text ? strlen(text) : 0;
	} else {
		rc = fetch_record(x->req, domain, &status, &count, &text, &len);
	}
	if (!rc && count == 1)
		rc = fa_spf_record_parse_shared(fa_dns_memo(x->req->dns), text, len, &rec, &ref,
						NULL, 0);
	if (rc || count != 1) {
		/* a receiver stops here: temperror or permerror */
		r->nomem |= rc == FROMAUTH_E_NOMEM;
		x->temp |= !rc && count == 0 && fa_dns_status_is_temporary(status);
		free(text);
		x->stopped = 1;
		return;
	}
	free(text);
	int has_all = fa_spf_record_has_all(rec);
	for (size_t i = 0; i <= rec->count && !x->stopped && !r->nomem; i++) {
		const struct fa_spf_term *t = i < rec->count ? &rec->terms[i] : rec->redirect;

		if (!t || (t->kind == FA_SPF_REDIRECT && (i < rec->count || has_all)))
			continue;  /* redirect= last, ignored beside all */
		const char *target = t->value ? t->value : domain;
		int pass = keep && t->qualifier == '+';
		if (fa_spf_term_queries_dns(t) && ++x->lookups > LOOKUP_LIMIT) {
			x->stopped = 1;
			break;
		}
		if (t->has_macro)
			continue;
		switch (t->kind) {
		case FA_SPF_IP4:
			if (pass)
				add_range(r, AF_INET, t->addr, t->cidr4);
			break;
		case FA_SPF_IP6:
			if (pass)
				add_range(r, AF_INET6, t->addr, t->cidr6);
			break;
		case FA_SPF_A:
			expand_void(x, add_host_ranges(x->req, r, target, t->cidr4,
						       t->cidr6, pass));
			break;
		case FA_SPF_MX: {
			struct fa_dns_answer *ans = NULL;
			if (fa_dns_query(x->req, target, FA_RR_MX, &ans, NULL) != 0) {
				x->stopped = 1;
				break;
			}
			size_t names = 0;
			for (size_t k = 0; ans->status == FA_DNS_OK && k < ans->count; k++)
				names += ans->rrs[k].type == FA_RR_MX;
			x->temp |= fa_dns_status_is_temporary(ans->status);
			if (fa_dns_status_is_temporary(ans->status) || names > MX_TARGETS)
				x->stopped = 1;  /* temperror; permerror (4.6.4) */
			else
				expand_void(x, names == 0);
			for (size_t k = 0; !x->stopped && k < ans->count; k++)
				if (ans->rrs[k].type == FA_RR_MX &&
				    add_host_ranges(x->req, r, (const char *)ans->rrs[k].data,
						    t->cidr4, t->cidr6, pass) < 0)
					x->stopped = x->temp = 1;
			fa_dns_answer_release(ans);
			break;
		}
		case FA_SPF_EXISTS: {
			int v = lookup_void(x->req, target, FA_RR_A);
			expand_void(x, v);
			break;
		}
		case FA_SPF_INCLUDE:
			expand(x, target, depth + 1, pass, NULL);
			break;
		case FA_SPF_REDIRECT:
			expand(x, target, depth + 1, keep, NULL);
			break;
		default:
			break;
		}
	}
	fa_memo_shared_release(ref);
}

static int expand_ranges(struct fa_dns_req *req, const char *domain, const char *record,
			 struct fa_cidr **out, size_t *count, int *temperror)
{
	struct ranges r = { 0 };

	if (!out || !count)
		return FROMAUTH_E_INVAL;
	*out = NULL;
	*count = 0;
	if (temperror)
		*temperror = 0;
	if (!req || !domain)
		return FROMAUTH_E_INVAL;
	if (fa_domain_check(domain, NULL, 0) != 0)
		return FROMAUTH_E_DOMAIN;
	char *name = fa_domain_normalize(domain);
	if (!name)
		return FROMAUTH_E_NOMEM;
	struct expansion x = { .req = req, .r = &r };
	expand(&x, name, 0, 1, record);
	free(name);
	if (r.nomem) {
		free(r.v);
		return FROMAUTH_E_NOMEM;
	}
	*out = r.v;
	*count = r.n;
	if (temperror)
		*temperror = x.temp;
	return 0;
}

int fa_spf_expand_ranges(struct fa_dns_req *req, const char *domain,
			 struct fa_cidr **out, size_t *count, int *temperror)
{
	return expand_ranges(req, domain, NULL, out, count, temperror);
}

int fa_spf_expand_record_ranges(struct fa_dns_req *req, const char *domain,
				const char *record, struct fa_cidr **out, size_t *count,
				int *temperror)
{
	if (!record) {
		if (out)
			*out = NULL;
		return FROMAUTH_E_INVAL;
	}
	return expand_ranges(req, domain, record, out, count, temperror);
}

/* ---- what each term costs ---- */

int fa_spf_term_costs(struct fa_dns_req *req, const char *domain, struct fa_spf_analysis *a,
		      unsigned int max_queries)
{
	unsigned int start = atomic_load(&req->queries);
	const struct fa_spf_record *rec = NULL;
	void *ref = NULL;
	if (!a || !a->record || a->costs)
		return 0;
	if (fa_spf_record_parse_shared(fa_dns_memo(req->dns), a->record, strlen(a->record), &rec,
				       &ref, NULL, 0) != 0)
		return 0;       /* a broken record: nothing to count */
	int rc = 0;
	int has_all = fa_spf_record_has_all(rec);
	size_t dns = 0;
	for (size_t i = 0; i < rec->count; i++)
		dns += fa_spf_term_queries_dns(&rec->terms[i]);
	/* far past any receiver: reading every tree would be a flood */
	if (dns > 2 * LOOKUP_LIMIT)
		max_queries = 0;
	a->costs = calloc(rec->count + 1, sizeof(*a->costs));
	if (!a->costs) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i <= rec->count; i++) {
		const struct fa_spf_term *t = i < rec->count ? &rec->terms[i] : rec->redirect;
		if (!t || (t->kind == FA_SPF_REDIRECT && (i < rec->count || has_all)) ||
		    !fa_spf_term_queries_dns(t))
			continue;
		struct fa_spf_cost *c = &a->costs[a->cost_count];
		c->lookups = 1;
		if ((t->kind == FA_SPF_INCLUDE || t->kind == FA_SPF_REDIRECT) && !t->has_macro &&
		    atomic_load(&req->queries) - start >= max_queries) {
			c->cut = 1;     /* not read: at least the term itself */
		} else if ((t->kind == FA_SPF_INCLUDE || t->kind == FA_SPF_REDIRECT) && !t->has_macro) {
			struct fa_spf_analysis *sub = NULL;
			rc = analyze(req, t->value ? t->value : domain, NULL, &sub);
			if (rc == FROMAUTH_E_NOMEM)
				goto out;
			if (rc == 0) {
				c->lookups += sub->lookups;
				c->cut = sub->cut || sub->temperror;
			}
			fa_spf_analysis_free(sub);
			rc = 0;
		}
		char q[2] = { t->explicit_qualifier ? t->qualifier : 0, 0 };
		if (asprintf(&c->term, "%s%s", q, t->text) < 0) {
			c->term = NULL;
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		a->cost_count++;
	}
out:
	fa_memo_shared_release(ref);
	if (rc) {
		for (size_t i = 0; i < a->cost_count; i++)
			free(a->costs[i].term);
		free(a->costs);
		a->costs = NULL;
		a->cost_count = 0;
	}
	return rc;
}
