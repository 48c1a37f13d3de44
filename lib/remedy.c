/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fixes: every record line a finding proposes is built here, and
 * self-verified remediation (SPEC section 3 step 8) publishes every
 * concrete fix on an overlay layer over the context, for the check to run
 * the same evaluation again on it.  The layer shares the context's cache,
 * so the second run asks the network only for what the fixes changed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cidr.h"
#include "dkim.h"
#include "dmarc-record.h"
#include "dmarc.h"
#include "dns.h"
#include "dns-rr.h"
#include "profile.h"
#include "remedy.h"
#include "result.h"
#include "spf-record.h"
#include "spf.h"
#include "taglist.h"

/* ---- record lines ---- */

char *fa_rr_line(const char *owner, const char *type, const char *rdata)
{
	char *line = NULL;
	if (asprintf(&line, "%s. 3600 IN %s %s", owner, type, rdata) < 0)
		return NULL;
	return line;
}

char *fa_txt_rr_line(const char *owner, const char *text)
{
	size_t len = strlen(text);
	/* Worst case every byte escaped as \DDD, plus quotes per 255 bytes. */
	size_t cap = strlen(owner) + 32 + len * 4 + (len / 255 + 1) * 3 + 1;
	char *line = malloc(cap);
	if (!line)
		return NULL;
	size_t n = (size_t)snprintf(line, cap, "%s. 3600 IN TXT", owner);
	size_t i = 0;
	do {
		size_t chunk = len - i > 255 ? 255 : len - i;
		line[n++] = ' ';
		line[n++] = '"';
		n += fa_escape_bytes(line + n, text + i, chunk);
		line[n++] = '"';
		i += chunk;
	} while (i < len);
	line[n] = '\0';
	return line;
}

void fa_fix_add_owned(struct fromauth_result *r, struct fa_finding *f, char *line)
{
	if (!f || !line || fa_finding_add_fix(f, line) != FROMAUTH_OK)
		r->nomem = 1;
	free(line);
}

void fa_finding_append(struct fromauth_result *r, struct fa_finding *f,
		       const char *fmt, ...)
{
	/* Formatted once into a buffer, then joined: no vasprintf growing
	 * its text, no second printf for the join. */
	char buf[512], *extra = buf;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= sizeof(buf)) {
		va_start(ap, fmt);
		if (vasprintf(&extra, fmt, ap) < 0)
			n = -1;
		va_end(ap);
	}
	char *msg = n >= 0 ? fa_concat(f->message, " ", extra) : NULL;
	if (extra != buf && n >= 0)
		free(extra);
	if (!msg) {
		r->nomem = 1;
		return;
	}
	free(f->message);
	f->message = msg;
}

/* ---- merging the service into an SPF record ---- */

/* Index of the term of @terms spelled @m (@ml bytes, no qualifier),
 * case-insensitively; terms->count when none. */
static size_t match_term(const struct fa_spf_record *terms, const char *m, size_t ml)
{
	for (size_t k = 0; k < terms->count; k++) {
		const char *text = terms->terms[k].text;
		if (strlen(text) == ml && !strncasecmp(text, m, ml))
			return k;
	}
	return terms->count;
}

static size_t cap_of(const struct fa_spf_record *terms)
{
	size_t cap = 1;
	for (size_t i = 0; i < terms->count; i++)
		cap += strlen(terms->terms[i].text) + 2;
	return cap;
}

/* The terms, space-separated, skipping those marked in @skip (when
 * @use_skip); explicit non-'+' qualifiers kept.  malloc'd. */
static char *join_terms(const struct fa_spf_record *terms, const int *skip, int use_skip)
{
	char *out = calloc(1, cap_of(terms));
	if (!out)
		return NULL;
	for (size_t i = 0; i < terms->count; i++) {
		const struct fa_spf_term *t = &terms->terms[i];
		if (use_skip && skip[i])
			continue;
		if (*out)
			strcat(out, " ");
		if (t->explicit_qualifier && t->qualifier != '+')
			strncat(out, &t->qualifier, 1);
		strcat(out, t->text);
	}
	return out;
}

int fa_spf_merge_include(const char *record, const char *include,
			 char **merged)
{
	char err[256];

	if (!merged)
		return FROMAUTH_E_INVAL;
	*merged = NULL;
	if (!include || !*include)
		return FROMAUTH_E_DOMAIN;

	/* What to add: include:DOMAIN for a bare domain, else the terms as
	 * given ("include:x ip4:192.0.2.0/24"), which must be mechanisms. */
	char *add;
	if (!strchr(include, ':') && !strchr(include, ' ')) {
		if (fa_domain_check(include, NULL, 0) != 0)
			return FROMAUTH_E_DOMAIN;
		char *inc = fa_domain_normalize(include);
		if (!inc || asprintf(&add, "include:%s", inc) < 0)
			add = NULL;
		free(inc);
	} else {
		add = strdup(include);
	}
	if (!add)
		return FROMAUTH_E_NOMEM;
	char *check = NULL;
	struct fa_spf_record *terms = NULL;
	if (asprintf(&check, "v=spf1 %s", add) < 0) {
		free(add);
		return FROMAUTH_E_NOMEM;
	}
	int rc = fa_spf_record_parse(check, strlen(check), &terms, err, sizeof(err));
	free(check);
	for (size_t i = 0; rc == 0 && i < terms->count; i++)
		if (!fa_spf_term_queries_dns(&terms->terms[i]) &&
		    terms->terms[i].kind != FA_SPF_IP4 && terms->terms[i].kind != FA_SPF_IP6)
			rc = FROMAUTH_E_RECORD;  /* all, modifiers: not for merging */
	if (rc == 0 && terms->count == 0)
		rc = FROMAUTH_E_RECORD;
	free(add);
	if (rc) {
		fa_spf_record_free(terms);
		return rc;
	}

	size_t len = record ? strlen(record) : 0;
	if (record && (!fa_spf_is_record(record, len) || len > FA_SPF_MAX_RECORD)) {
		fa_spf_record_free(terms);
		return FROMAUTH_E_RECORD;
	}

	if (!record) {
		char *joined = join_terms(terms, NULL, 0);
		fa_spf_record_free(terms);
		if (!joined)
			return FROMAUTH_E_NOMEM;
		rc = asprintf(merged, "v=spf1 %s ~all", joined) < 0 ? FROMAUTH_E_NOMEM : 0;
		free(joined);
		if (rc)
			*merged = NULL;
		return rc;
	}

	/* Walk the record's terms.  The new terms go before the first all
	 * (any qualifier) or redirect=, else at the end.  A new term the
	 * record already has there, unqualified or '+', stays where it is;
	 * one it has after that point (never reached) or with another
	 * qualifier (it would not pass) is dropped, so the term lands where
	 * it decides.  The rest is kept as written. */
	char *out = malloc(len + cap_of(terms) + 2);
	int *present = calloc(terms->count ? terms->count : 1, sizeof(*present));
	if (!out || !present) {
		free(out);
		free(present);
		fa_spf_record_free(terms);
		return FROMAUTH_E_NOMEM;
	}
	memcpy(out, record, 6);         /* "v=spf1" */
	size_t n = 6;
	int inserted = 0;
	for (size_t i = 6; i <= len;) {
		while (i < len && record[i] == ' ')
			i++;
		size_t start = i;
		while (i < len && record[i] != ' ')
			i++;
		const char *t = record + start;
		size_t tl = i - start;
		const char *m = t;
		size_t ml = tl;
		char q = '+';
		if (ml && strchr("+-~?", *m)) {
			q = *m++;
			ml--;
		}
		int stop = tl == 0 || (ml == 3 && !strncasecmp(m, "all", 3)) ||
			   (tl > 9 && !strncasecmp(t, "redirect=", 9));
		if (stop && !inserted) {
			char *joined = join_terms(terms, present, 1);
			if (!joined) {
				rc = FROMAUTH_E_NOMEM;
				break;
			}
			if (*joined) {
				out[n++] = ' ';
				memcpy(out + n, joined, strlen(joined));
				n += strlen(joined);
			}
			free(joined);
			inserted = 1;
		}
		if (tl == 0)
			break;
		size_t k = match_term(terms, m, ml);
		if (k < terms->count) {
			if (q != '+' || inserted)
				continue;       /* dropped: re-added where it decides */
			present[k] = 1;
		}
		out[n++] = ' ';
		memcpy(out + n, t, tl);
		n += tl;
	}
	out[n] = '\0';
	free(present);
	fa_spf_record_free(terms);
	if (rc) {
		free(out);
		return rc;
	}
	*merged = out;
	return 0;
}

char *fa_remedy_spf_terms(const struct fromauth_profile *profile)
{
	const char *inc = fromauth_profile_spf_include(profile);
	if (inc) {
		char *t = NULL;
		return asprintf(&t, "include:%s", inc) < 0 ? NULL : t;
	}
	size_t n = 0;
	const struct fa_cidr *ranges = fa_profile_ranges(profile, &n);
	size_t cap = n * 56 + 1;
	char *t = calloc(1, cap);
	if (!t)
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		fa_cidr_format(&ranges[i], buf, sizeof(buf));
		/* One address is written as the platform gives it: ip4:ADDR. */
		if (ranges[i].prefix == (ranges[i].family == AF_INET ? 32u : 128u) && strchr(buf, '/'))
			*strchr(buf, '/') = '\0';
		len += (size_t)snprintf(t + len, cap - len, "%s%s:%s", i ? " " : "",
					ranges[i].family == AF_INET ? "ip4" : "ip6", buf);
	}
	return t;
}

int fa_remedy_spf_authorize(const struct fromauth_profile *profile, const char *domain,
			    const char *mail_from, const struct fa_spf_analysis *a,
			    char **line, char **merged, int *needs_input)
{
	const char *target = fromauth_profile_mail_from_target(profile);
	*line = *merged = NULL;
	*needs_input = 0;
	/* A custom return-path the service hosts: the CNAME is the fix. */
	if (target && (!a || a->record_count == 0)) {
		char rdata[300];
		char *t = fa_profile_expand(target, domain);
		snprintf(rdata, sizeof(rdata), "%s.", t ? t : target);
		free(t);
		*needs_input = fa_profile_mail_from_target_needs_input(profile);
		*line = fa_rr_line(mail_from, "CNAME", rdata);
		return *line ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
	}
	if (a && a->record_count > 1)
		return FROMAUTH_OK;     /* spf.multiple says what to do first */
	char *terms = fa_remedy_spf_terms(profile);
	if (!terms)
		return FROMAUTH_E_NOMEM;
	/* The merge also moves a service term that is in the wrong place
	 * or qualified wrongly (after -all, ?include:X). */
	int rc = fa_spf_merge_include(a ? a->record : NULL, terms, merged);
	free(terms);
	if (rc)
		return rc;
	if (!(*line = fa_txt_rr_line(mail_from, *merged))) {
		free(*merged);
		*merged = NULL;
		return FROMAUTH_E_NOMEM;
	}
	return FROMAUTH_OK;
}

/* ---- SPF records of the customer's that need changing ---- */

/* The octets a record may take so that the answer fits in a 512-octet
 * UDP response with the question and header (RFC 7208 section 3.4). */
#define FIT_OCTETS 450
#define LOOKUP_LIMIT 10

void fa_spf_fix_free(struct fa_spf_fix *fix)
{
	if (!fix)
		return;
	free(fix->record);
	for (size_t i = 0; i < fix->extra_count; i++) {
		free(fix->extra_owner[i]);
		free(fix->extra[i]);
	}
	free(fix->note);
	free(fix);
}

/* A growing string; a failed allocation sticks in ->nomem.  Appended in
 * place: a record flattened into a hundred ranges is built by as many
 * additions, and copying the whole string each time was most of a fix's
 * cost. */
struct sbuf {
	char *s;
	size_t len, cap;        /* strlen(s), and the bytes allocated */
	int nomem;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->nomem)
		return;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			break;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap : 64;
		while (cap <= b->len + (size_t)n)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s)
			break;
		b->s = s;
		b->cap = cap;
	}
	free(b->s);
	*b = (struct sbuf){ .nomem = 1 };
}

/* " " @q @s: a term appended without printf (a flattened include adds
 * one per range).  @q 0: no qualifier. */
static void sb_term(struct sbuf *b, char q, const char *s)
{
	if (b->nomem)
		return;
	size_t n = strlen(s);
	size_t need = b->len + n + 3;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		char *m = realloc(b->s, cap);
		if (!m) {
			free(b->s);
			*b = (struct sbuf){ .nomem = 1 };
			return;
		}
		b->s = m;
		b->cap = cap;
	}
	b->s[b->len++] = ' ';
	if (q)
		b->s[b->len++] = q;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* Empty again (a failure stays). */
static void sb_clear(struct sbuf *b)
{
	free(b->s);
	*b = (struct sbuf){ .nomem = b->nomem };
}

/* @s (malloc'd, taken) as the whole string. */
static void sb_set(struct sbuf *b, char *s)
{
	free(b->s);
	b->s = s;
	b->len = strlen(s);
	b->cap = b->len + 1;
}

static int sb_take(struct sbuf *b, char **out)
{
	*out = NULL;
	if (b->nomem)
		return FROMAUTH_E_NOMEM;
	*out = b->s;
	*b = (struct sbuf){ 0 };
	return 0;
}

static int same_domain(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	la -= la && a[la - 1] == '.';
	lb -= lb && b[lb - 1] == '.';
	return la == lb && !strncasecmp(a, b, la);
}

/* "ip4:ADDR" for one address, else "ip4:NET/PREFIX". */
static void range_term(const struct fa_cidr *c, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN + 16];
	memcpy(text, c->family == AF_INET ? "ip4:" : "ip6:", 4);
	fa_cidr_format(c, text + 4, sizeof(text) - 4);
	if (c->prefix == (c->family == AF_INET ? 32u : 128u) && strchr(text, '/'))
		*strchr(text, '/') = '\0';
	size_t n = strlen(text);
	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
}

static int cidr_within(const struct fa_cidr *outer, const struct fa_cidr *inner)
{
	if (outer->family != inner->family || outer->prefix > inner->prefix)
		return 0;
	unsigned int full = outer->prefix / 8, rest = outer->prefix % 8;
	if (memcmp(outer->addr, inner->addr, full))
		return 0;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return !rest || (outer->addr[full] & mask) == (inner->addr[full] & mask);
}

/* Every range of @in lies in one of @out (and there is one). */
static int ranges_cover(const struct fa_cidr *out, size_t nout, const struct fa_cidr *in,
			size_t nin)
{
	if (!nout || !nin)
		return 0;
	for (size_t i = 0; i < nin; i++) {
		size_t k = 0;
		while (k < nout && !cidr_within(&out[k], &in[i]))
			k++;
		if (k == nout)
			return 0;
	}
	return 1;
}

/* The service's ranges: the profile's, else its include's.  A lookup
 * that fails leaves none (nothing is then said to be covered). */
static int service_ranges(struct fa_dns_req *req, const struct fromauth_profile *profile,
			  struct fa_cidr **v, size_t *n)
{
	size_t pn = 0;
	const struct fa_cidr *pr = fa_profile_ranges(profile, &pn);
	*v = NULL;
	*n = 0;
	if (pn) {
		if (!(*v = malloc(pn * sizeof(**v))))
			return FROMAUTH_E_NOMEM;
		memcpy(*v, pr, pn * sizeof(**v));
		*n = pn;
		return 0;
	}
	const char *inc = fromauth_profile_spf_include(profile);
	int temp = 0;
	if (!inc)
		return 0;
	int rc = fa_spf_expand_ranges(req, inc, v, n, &temp);
	if (rc == FROMAUTH_E_NOMEM)
		return rc;
	if (rc || temp) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return 0;
}

/* Does @record at @mail_from authorize every range of the service?
 * 1, 0, or FROMAUTH_E_NOMEM. */
static int authorizes(struct fa_dns_req *req, const char *mail_from, const char *record,
		      const struct fa_cidr *svc, size_t nsvc)
{
	struct fa_cidr *v = NULL;
	size_t n = 0;
	int temp = 0;
	int rc = fa_spf_expand_record_ranges(req, mail_from, record, &v, &n, &temp);
	if (rc == FROMAUTH_E_NOMEM)
		return rc;
	int yes = rc == 0 && ranges_cover(v, n, svc, nsvc);
	free(v);
	return yes;
}

/* The record reads and stays within the void-lookup limit (and, with
 * @max_lookups, within that many lookups).  1, 0, FROMAUTH_E_NOMEM. */
static int within_limits(struct fa_dns_req *req, const char *mail_from, const char *record,
			 unsigned int max_lookups, unsigned int *lookups)
{
	struct fa_spf_analysis *a = NULL;
	int rc = fa_spf_analyze_record(req, mail_from, record, &a);
	if (rc)
		return rc == FROMAUTH_E_NOMEM ? rc : 0;
	int ok = a->record_count == 1 && !a->syntax_error && a->void_lookups <= 2 &&
		 !a->missing_target && (!max_lookups || a->lookups <= max_lookups);
	if (lookups)
		*lookups = a->lookups;
	fa_spf_analysis_free(a);
	return ok;
}

static void term_text(struct sbuf *b, const struct fa_spf_term *t)
{
	sb_term(b, t->explicit_qualifier ? t->qualifier : 0, t->text);
}

/* The budget is spent: say so in *why (when nothing is there yet). */
static int spent(const struct fa_spf_budget *b, char **why)
{
	if (fa_spf_budget_left(b))
		return 0;
	if (!*why && asprintf(why, "Working out the change would take more than %d further DNS queries, so none is proposed: simplify the record by hand.",
			      FA_SPF_REMEDY_QUERIES) < 0)
		*why = NULL;
	return 1;
}

/* Records with more DNS-querying terms of their own than this are
 * rewritten by hand: no receiver reads them, and weighing each term
 * would cost a query flood. */
#define MAX_DNS_TERMS (2 * LOOKUP_LIMIT)

static size_t dns_terms(const struct fa_spf_record *rec)
{
	size_t n = 0;
	for (size_t i = 0; i < rec->count; i++)
		n += fa_spf_term_queries_dns(&rec->terms[i]);
	return n;
}

static int too_many_terms(const struct fa_spf_record *rec, char **why)
{
	size_t n = dns_terms(rec);
	if (n <= MAX_DNS_TERMS)
		return 0;
	if (asprintf(why, "The record has %zu terms that query DNS, far over the limit of 10: rewrite it by hand with the senders you use.",
		     n) < 0)
		*why = NULL;
	return 1;
}

static int new_fix(struct fa_spf_fix **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : FROMAUTH_E_NOMEM;
}

static int set_why(char **why, const char *text)
{
	*why = strdup(text);
	return *why ? 0 : FROMAUTH_E_NOMEM;
}

/* A corrected record and its note, taken into a new *out. */
static int fix_of(struct sbuf *record, struct sbuf *note, struct fa_spf_fix **out)
{
	int rc = new_fix(out);
	if (rc == 0 && (rc = sb_take(record, &(*out)->record)) == 0)
		rc = sb_take(note, &(*out)->note);
	return rc;
}

/* On failure a builder hands back neither a fix nor a reason. */
static void drop_fix(struct fa_spf_fix **out, char **why)
{
	fa_spf_fix_free(*out);
	*out = NULL;
	free(*why);
	*why = NULL;
}

/* What an include:/redirect= term costs with its tree; *unknown when the
 * tree could not be read to the end. */
static int term_cost(struct fa_dns_req *req, const struct fa_spf_term *t, unsigned int *cost,
		     int *unknown)
{
	*cost = 1;
	*unknown = t->has_macro;
	if ((t->kind != FA_SPF_INCLUDE && t->kind != FA_SPF_REDIRECT) || t->has_macro)
		return 0;
	struct fa_spf_analysis *a = NULL;
	int rc = fa_spf_analyze(req, t->value, &a);
	if (rc == FROMAUTH_E_NOMEM)
		return rc;
	if (rc) {
		*unknown = 1;
		return 0;
	}
	*cost += a->lookups;
	*unknown = a->cut || a->temperror || a->syntax_error || a->record_count != 1;
	fa_spf_analysis_free(a);
	return 0;
}

int fa_remedy_spf_fit(struct fa_spf_budget *b, const struct fromauth_profile *profile,
		      const char *mail_from, const char *record,
		      struct fa_spf_fix **out, char **why)
{
	struct fa_dns_req *req = b->req;
	struct fa_spf_record *rec = NULL;
	struct fa_cidr *svc = NULL, **flat = NULL;
	size_t nsvc = 0, *nflat = NULL;
	unsigned int *cost = NULL;
	int *state = NULL;      /* 0 kept, 1 dropped, 2 flattened, 3 cannot flatten */
	char *merged = NULL;
	struct sbuf note = { 0 }, main = { 0 };
	struct sbuf chunk[FA_SPF_FIX_EXTRA] = { { 0 } };
	size_t nchunk = 0;
	*out = NULL;
	*why = NULL;

	char *terms = fa_remedy_spf_terms(profile);
	if (!terms)
		return FROMAUTH_E_NOMEM;
	/* the service stays in, added if it is not there yet */
	int rc = fa_spf_merge_include(record, terms, &merged);
	free(terms);
	if (rc == 0)
		rc = fa_spf_record_parse(merged, strlen(merged), &rec, NULL, 0);
	if (rc) {
		if (rc != FROMAUTH_E_NOMEM)
			rc = set_why(why, "The record cannot be read, so no smaller one can be proposed: correct it by hand first.");
		goto out;
	}
	if (too_many_terms(rec, why)) {
		rc = *why ? 0 : FROMAUTH_E_NOMEM;
		goto out;
	}
	size_t n = rec->count;
	cost = calloc(n + 1, sizeof(*cost));
	state = calloc(n + 1, sizeof(*state));
	flat = calloc(n + 1, sizeof(*flat));
	nflat = calloc(n + 1, sizeof(*nflat));
	if (!cost || !state || !flat || !nflat || (rc = service_ranges(req, profile, &svc, &nsvc))) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	const char *svc_inc = fromauth_profile_spf_include(profile);
	int has_all = fa_spf_record_has_all(rec);
	unsigned int total = 0;
	sb_add(&note, "Lookups per term:");
	for (size_t i = 0; i < n; i++) {
		const struct fa_spf_term *t = &rec->terms[i];
		int unknown = 0;
		if (!fa_spf_term_queries_dns(t) || (t->kind == FA_SPF_REDIRECT && has_all))
			continue;
		if (spent(b, why)) {
			rc = *why ? 0 : FROMAUTH_E_NOMEM;
			goto out;
		}
		if ((rc = term_cost(req, t, &cost[i], &unknown)))
			goto out;
		if (unknown)
			state[i] = 3;
		sb_add(&note, "%s %s%s (%s%u)", total ? "," : "", t->kind == FA_SPF_REDIRECT ||
		       !t->explicit_qualifier ? "" : (char[]){ t->qualifier, 0 }, t->text,
		       unknown ? "at least " : "", cost[i]);
		total += cost[i];
	}
	sb_add(&note, ".");
	/* First what costs lookups and adds nothing. */
	for (size_t i = 0; i < n; i++) {
		const struct fa_spf_term *t = &rec->terms[i];
		if (t->kind != FA_SPF_INCLUDE || t->has_macro ||
		    (svc_inc && same_domain(t->value, svc_inc)))
			continue;
		for (size_t k = 0; k < i && state[i] != 1; k++)
			if (rec->terms[k].kind == FA_SPF_INCLUDE && state[k] != 1 &&
			    !rec->terms[k].has_macro && same_domain(rec->terms[k].value, t->value)) {
				state[i] = 1;
				sb_add(&note, " Drop %s: it repeats an earlier include.", t->text);
			}
		if (state[i] == 1 || t->qualifier != '+' || !nsvc)
			continue;
		if (spent(b, why)) {
			rc = *why ? 0 : FROMAUTH_E_NOMEM;
			goto out;
		}
		int temp = 0;
		rc = fa_spf_expand_ranges(req, t->value, &flat[i], &nflat[i], &temp);
		if (rc == FROMAUTH_E_NOMEM)
			goto out;
		if (rc || temp) {
			free(flat[i]);
			flat[i] = NULL;
			nflat[i] = 0;
			rc = 0;
			state[i] = 3;
		} else if (ranges_cover(svc, nsvc, flat[i], nflat[i])) {
			state[i] = 1;
			sb_add(&note, " Drop %s: the service's addresses already cover all of its addresses.",
			       t->text);
		}
	}
	total = 0;
	for (size_t i = 0; i < n; i++)
		total += state[i] == 1 ? 0 : cost[i];
	/* Then flatten, the costliest include first, leaving room for the
	 * includes of a chain (@reserve) when the ranges need one. */
	unsigned int reserve = 0;
retry:
	while (total + reserve > LOOKUP_LIMIT) {
		size_t best = n;
		for (size_t i = 0; i < n; i++) {
			const struct fa_spf_term *t = &rec->terms[i];
			if (t->kind == FA_SPF_INCLUDE && !t->has_macro && state[i] == 0 &&
			    !(svc_inc && same_domain(t->value, svc_inc)) &&
			    (best == n || cost[i] > cost[best]))
				best = i;
		}
		if (best == n)
			break;
		if (!flat[best]) {
			int temp = 0;
			if (spent(b, why)) {
				rc = *why ? 0 : FROMAUTH_E_NOMEM;
				goto out;
			}
			rc = fa_spf_expand_ranges(req, rec->terms[best].value, &flat[best],
						  &nflat[best], &temp);
			if (rc == FROMAUTH_E_NOMEM)
				goto out;
			if (rc || temp) {
				rc = 0;
				state[best] = 3;
				continue;
			}
		}
		state[best] = 2;
		total -= cost[best];
		sb_add(&note, " Flatten %s into its %zu address range%s.", rec->terms[best].text,
		       nflat[best], nflat[best] == 1 ? "" : "s");
	}
	if (total + reserve > LOOKUP_LIMIT) {
		sb_add(&note, " Even with every include but the service's flattened the record needs %u lookups: remove by hand the a, mx and include terms of hosts that no longer send for you.",
		       total);
		rc = sb_take(&note, why);
		goto out;
	}
	/* The record, with the flattened ranges in place. */
	sb_add(&main, "v=spf1");
	for (size_t i = 0; i < n; i++) {
		const struct fa_spf_term *t = &rec->terms[i];
		if (state[i] == 1)
			continue;
		if (state[i] != 2) {
			term_text(&main, t);
			continue;
		}
		for (size_t k = 0; k < nflat[i]; k++) {
			char buf[80];
			range_term(&flat[i][k], buf, sizeof(buf));
			sb_term(&main, t->qualifier == '+' ? 0 : t->qualifier, buf);
		}
	}
	if (!main.nomem && main.len > FIT_OCTETS) {
		/* Too long for one answer: the flattened '+' ranges go to
		 * records of their own under M, included where the first
		 * flattened include was. */
		sb_clear(&main);
		sb_add(&main, "v=spf1");
		int placed = 0;
		for (size_t i = 0; i < n && !main.nomem; i++) {
			const struct fa_spf_term *t = &rec->terms[i];
			if (state[i] == 1)
				continue;
			if (state[i] != 2) {
				term_text(&main, t);
				continue;
			}
			for (size_t k = 0; k < nflat[i]; k++) {
				char buf[80];
				range_term(&flat[i][k], buf, sizeof(buf));
				if (t->qualifier != '+') {
					sb_term(&main, t->qualifier, buf);
					continue;
				}
				if (nchunk == 0 || strlen(chunk[nchunk - 1].s ? chunk[nchunk - 1].s : "") +
						   strlen(buf) + 7 > FIT_OCTETS) {
					if (nchunk == FA_SPF_FIX_EXTRA) {
						nchunk++;
						break;
					}
					sb_add(&chunk[nchunk++], "v=spf1");
				}
				sb_term(&chunk[nchunk - 1], 0, buf);
			}
			if (nchunk > FA_SPF_FIX_EXTRA)
				break;
			if (t->qualifier == '+' && !placed) {
				placed = 1;
				for (size_t k = 0; k < FA_SPF_FIX_EXTRA; k++)
					sb_add(&main, " include:_spf%zu.%s", k + 1, mail_from);
			}
		}
		/* Unused chunk names are dropped below. */
		if (nchunk <= FA_SPF_FIX_EXTRA && total + nchunk > LOOKUP_LIMIT &&
		    reserve < nchunk) {
			/* flatten more to make room for the chain */
			reserve = (unsigned int)nchunk;
			for (size_t k = 0; k < FA_SPF_FIX_EXTRA; k++) {
				free(chunk[k].s);
				chunk[k] = (struct sbuf){ 0 };
			}
			nchunk = 0;
			sb_clear(&main);
			goto retry;
		}
		if (nchunk > FA_SPF_FIX_EXTRA || total + nchunk > LOOKUP_LIMIT) {
			sb_add(&note, " The flattened ranges do not fit in %d records of their own within the limit: remove by hand the includes of providers you no longer use.",
			       FA_SPF_FIX_EXTRA);
			rc = sb_take(&note, why);
			goto out;
		}
		for (size_t k = nchunk; k < FA_SPF_FIX_EXTRA && !main.nomem; k++) {
			char name[300];
			snprintf(name, sizeof(name), " include:_spf%zu.%s", k + 1, mail_from);
			char *at = strstr(main.s, name);
			if (at)
				memmove(at, at + strlen(name), strlen(at + strlen(name)) + 1);
		}
		total += (unsigned int)nchunk;
	}
	if ((rc = new_fix(out)))
		goto out;
	for (size_t k = 0; k < nchunk; k++) {
		sb_add(&chunk[k], " -all");
		if ((rc = sb_take(&chunk[k], &(*out)->extra[k])) ||
		    asprintf(&(*out)->extra_owner[k], "_spf%zu.%s", k + 1, mail_from) < 0) {
			(*out)->extra_owner[k] = NULL;
			(*out)->extra_count = k + 1;
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		(*out)->extra_count = k + 1;
	}
	for (size_t i = 0; i < n; i++)
		(*out)->flattened |= state[i] == 2;
	if ((*out)->flattened)
		sb_add(&note, " Flattened ranges are a copy: keep them in step with the provider, who changes its ranges without telling you (the service's own include stays, so its changes are followed).");
	sb_add(&note, " The record then needs %u of 10 lookups%s.", total,
	       nchunk ? ", with the ranges in records of their own under your domain" : "");
	if ((rc = sb_take(&main, &(*out)->record)) == 0)
		rc = sb_take(&note, &(*out)->note);
out:
	if (rc || !*out || !(*out)->note) {
		fa_spf_fix_free(*out);
		*out = NULL;
	}
	if (rc) {
		free(*why);
		*why = NULL;
	}
	for (size_t i = 0; flat && rec && i < rec->count; i++)
		free(flat[i]);
	for (size_t k = 0; k < FA_SPF_FIX_EXTRA; k++)
		free(chunk[k].s);
	free(flat);
	free(nflat);
	free(cost);
	free(state);
	free(svc);
	free(main.s);
	free(note.s);
	free(merged);
	fa_spf_record_free(rec);
	return rc;
}

/* Is @t's lookup void: a name without records, a target without SPF?
 * 1, 0 (or could not tell), FROMAUTH_E_NOMEM. */
static int term_void(struct fa_dns_req *req, const char *mail_from, const struct fa_spf_term *t)
{
	struct fa_spf_analysis *a = NULL;
	int rc, dead;
	if (t->has_macro || !fa_spf_term_queries_dns(t) || t->kind == FA_SPF_PTR)
		return 0;
	if (t->kind == FA_SPF_INCLUDE || t->kind == FA_SPF_REDIRECT) {
		rc = fa_spf_analyze(req, t->value, &a);
		dead = rc == 0 && a->record_count == 0 && !a->temperror &&
		       (a->dns_status == FA_DNS_NXDOMAIN || a->dns_status == FA_DNS_NODATA);
	} else {
		char *one = NULL;
		if (asprintf(&one, "v=spf1 %s", t->text) < 0)
			return FROMAUTH_E_NOMEM;
		rc = fa_spf_analyze_record(req, mail_from, one, &a);
		free(one);
		dead = rc == 0 && a->void_lookups > 0 && !a->temperror;
	}
	fa_spf_analysis_free(a);
	return rc == FROMAUTH_E_NOMEM ? rc : dead;
}

int fa_remedy_spf_void(struct fa_spf_budget *b, const struct fromauth_profile *profile,
		       const char *mail_from, const char *record,
		       struct fa_spf_fix **out, char **why)
{
	struct fa_dns_req *req = b->req;
	struct fa_spf_record *rec = NULL;
	struct sbuf note = { 0 }, text = { 0 };
	size_t dropped = 0;
	*out = NULL;
	*why = NULL;
	int rc = fa_spf_record_parse(record, strlen(record), &rec, NULL, 0);
	if (rc)
		return rc == FROMAUTH_E_NOMEM ? rc : 0;
	if (too_many_terms(rec, why)) {
		rc = *why ? 0 : FROMAUTH_E_NOMEM;
		goto out;
	}
	const char *svc_inc = fromauth_profile_spf_include(profile);
	sb_add(&text, "v=spf1");
	for (size_t i = 0; i < rec->count; i++) {
		const struct fa_spf_term *t = &rec->terms[i];
		if (fa_spf_term_queries_dns(t) && spent(b, why)) {
			rc = *why ? 0 : FROMAUTH_E_NOMEM;
			goto out;
		}
		int dead = svc_inc && t->kind == FA_SPF_INCLUDE && !t->has_macro &&
			   same_domain(t->value, svc_inc) ? 0 : term_void(req, mail_from, t);
		if (dead < 0) {
			rc = dead;
			goto out;
		}
		if (!dead) {
			term_text(&text, t);
			continue;
		}
		sb_add(&note, "%s%s", dropped++ ? ", " : "Remove the terms whose names have no records: ",
		       t->text);
	}
	unsigned int lookups = 0;
	int ok = 0;
	if (!dropped) {
		rc = set_why(why, "None of the record's own terms names something missing: the void lookups are in an include's record, which its owner must fix, or remove that include by hand.");
		goto out;
	}
	if (spent(b, why)) {
		rc = *why ? 0 : FROMAUTH_E_NOMEM;
		goto out;
	}
	if (text.nomem || note.nomem || (ok = within_limits(req, mail_from, text.s, 0, &lookups)) < 0) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	if (!ok) {
		rc = set_why(why, "Without the terms that find nothing the record still has too many void lookups: remove more by hand.");
		goto out;
	}
	sb_add(&note, " (they can never match).");
	rc = fix_of(&text, &note, out);
out:
	if (rc)
		drop_fix(out, why);
	free(text.s);
	free(note.s);
	fa_spf_record_free(rec);
	return rc;
}

/* How many of @other's mechanisms @rec has, and how many it lacks. */
static void shared_terms(const struct fa_spf_record *rec, const struct fa_spf_record *other,
			 size_t *has, size_t *lacks)
{
	for (size_t i = 0; i < other->count; i++) {
		const struct fa_spf_term *t = &other->terms[i];
		if (t->kind == FA_SPF_ALL || t->kind >= FA_SPF_REDIRECT)
			continue;
		if (match_term(rec, t->text, strlen(t->text)) < rec->count)
			++*has;
		else
			++*lacks;
	}
}

int fa_remedy_spf_keep(struct fa_spf_budget *b, const struct fromauth_profile *profile,
		       const char *mail_from, char *const *records, size_t n,
		       size_t *keep, char **merged, char **why)
{
	struct fa_dns_req *req = b->req;
	struct fa_spf_record **recs = calloc(n ? n : 1, sizeof(*recs));
	long *rank = calloc(n ? n : 1, sizeof(*rank));
	struct fa_cidr *svc = NULL;
	size_t nsvc = 0;
	struct sbuf add = { 0 };
	int rc = 0, valid_count = 0, auth_count = 0;
	*keep = 0;
	*merged = *why = NULL;
	if (!recs || !rank || (rc = service_ranges(req, profile, &svc, &nsvc))) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = fa_spf_record_parse(records[i], strlen(records[i]), &recs[i], NULL, 0);
		if (rc == FROMAUTH_E_NOMEM)
			goto out;
		rc = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (recs[i] && (too_many_terms(recs[i], why) || spent(b, why))) {
			rc = *why ? 0 : FROMAUTH_E_NOMEM;
			*keep = n;      /* no choice */
			goto out;
		}
		int valid = recs[i] ? within_limits(req, mail_from, records[i], LOOKUP_LIMIT, NULL) : 0;
		int auth = valid > 0 && nsvc ? authorizes(req, mail_from, records[i], svc, nsvc) : 0;
		if (valid < 0 || auth < 0) {
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		size_t has = 0, lacks = 0;
		for (size_t k = 0; recs[i] && k < n; k++)
			if (k != i && recs[k])
				shared_terms(recs[i], recs[k], &has, &lacks);
		valid_count += valid;
		auth_count += auth;
		/* fewest of the others' terms missing, then most shared */
		rank[i] = (long)valid * 1000000 + (long)auth * 100000 -
			  (long)(lacks < 999 ? lacks : 999) * 100 + (long)(has < 99 ? has : 99);
		if (rank[i] > rank[*keep])
			*keep = i;
	}
	const char *rule = valid_count == 0
		? "none of them is valid, so the first one is kept"
		: valid_count == 1 ? "it is the only valid one"
		: auth_count == 1 ? "it is the valid one that authorizes the service"
		: "of the valid ones it holds the most of the other records' terms";
	if (asprintf(why, "Keep \"%s\": %s.", records[*keep], rule) < 0) {
		*why = NULL;
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	/* The others' mechanisms the kept one lacks: the customer published
	 * them for senders of theirs, so they move over when that stays
	 * valid. */
	for (size_t k = 0; recs[*keep] && k < n; k++) {
		if (k == *keep || !recs[k])
			continue;
		for (size_t i = 0; i < recs[k]->count; i++) {
			const struct fa_spf_term *t = &recs[k]->terms[i];
			if (t->kind == FA_SPF_ALL || t->kind >= FA_SPF_REDIRECT ||
			    t->qualifier != '+' ||
			    match_term(recs[*keep], t->text, strlen(t->text)) < recs[*keep]->count)
				continue;
			sb_add(&add, "%s%s", add.s ? " " : "", t->text);
		}
	}
	if (add.nomem) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	/* a space: one bare term ("mx") would read as a domain to include */
	if (add.s)
		sb_add(&add, " ");
	if (add.nomem) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	if (add.s && recs[*keep] && fa_spf_budget_left(b)) {
		char *m = NULL;
		rc = fa_spf_merge_include(records[*keep], add.s, &m);
		if (rc == FROMAUTH_E_NOMEM)
			goto out;
		int ok = rc == 0 ? within_limits(req, mail_from, m, LOOKUP_LIMIT, NULL) : 0;
		rc = 0;
		if (ok < 0) {
			free(m);
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		if (ok) {
			*merged = m;
			char *w = NULL;
			add.s[--add.len] = '\0';
			if (asprintf(&w, "%s It takes over the other records' %s, so their senders stay authorized.",
				     *why, add.s) < 0) {
				rc = FROMAUTH_E_NOMEM;
				goto out;
			}
			free(*why);
			*why = w;
		} else {
			free(m);
		}
	}
	/* The record that stays must authorize the service too. */
	const char *stays = *merged ? *merged : records[*keep];
	int auth = recs[*keep] && nsvc && fa_spf_budget_left(b)
		   ? authorizes(req, mail_from, stays, svc, nsvc) : 1;
	if (auth < 0) {
		rc = auth;
		goto out;
	}
	if (!auth) {
		char *terms = fa_remedy_spf_terms(profile), *m = NULL, *w = NULL;
		rc = terms ? fa_spf_merge_include(stays, terms, &m) : FROMAUTH_E_NOMEM;
		free(terms);
		if (rc == FROMAUTH_E_NOMEM)
			goto out;
		int ok = rc == 0 ? within_limits(req, mail_from, m, LOOKUP_LIMIT, NULL) : 0;
		rc = 0;
		if (ok > 0 && asprintf(&w, "%s The service is added to it.", *why) < 0)
			ok = FROMAUTH_E_NOMEM;
		if (ok < 0) {
			free(m);
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		if (ok) {
			free(*merged);
			*merged = m;
			free(*why);
			*why = w;
		} else {
			free(m);
		}
	}
out:
	if (rc) {
		free(*why);
		free(*merged);
		*why = *merged = NULL;
	}
	for (size_t i = 0; recs && i < n; i++)
		fa_spf_record_free(recs[i]);
	free(recs);
	free(rank);
	free(svc);
	free(add.s);
	return rc;
}

/* spf.syntax: what can be corrected without guessing: whitespace other
 * than spaces, the same redirect=/exp= twice. */
static int correct_syntax(const char *record, struct sbuf *text, struct sbuf *note, char **why)
{
	char *copy = strdup(record), *save = NULL;
	const char *redirect = NULL, *exp = NULL;
	int changed = 0, rc = 0;
	if (!copy)
		return FROMAUTH_E_NOMEM;
	for (char *p = copy; *p; p++)
		if (*p == '\t' || *p == '\r' || *p == '\n') {
			*p = ' ';
			changed = 1;
		}
	if (changed)
		sb_add(note, "Replace the tabs or line breaks between terms with spaces.");
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const char **seen = !strncasecmp(tok, "redirect=", 9) ? &redirect
				    : !strncasecmp(tok, "exp=", 4) ? &exp : NULL;
		if (seen && *seen) {
			if (strcasecmp(*seen, tok)) {
				if (asprintf(why, "The record has \"%s\" and \"%s\": which one is meant cannot be told, so keep one of them by hand.",
					     *seen, tok) < 0) {
					*why = NULL;
					rc = FROMAUTH_E_NOMEM;
				}
				goto out;
			}
			sb_add(note, "%sRemove the second \"%s\".", note->s ? " " : "", tok);
			continue;
		}
		if (seen)
			*seen = tok;
		if (!text->s) {
			sb_add(text, "%s", tok);
			continue;
		}
		char err[256] = "";
		char *one = NULL;
		if (asprintf(&one, "v=spf1 %s", tok) < 0) {
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		rc = fa_spf_record_parse(one, strlen(one), NULL, err, sizeof(err));
		free(one);
		if (rc == FROMAUTH_E_RECORD) {
			rc = 0;
			if (asprintf(why, "The term \"%s\" is not valid SPF (%s); what it was meant to be cannot be guessed, so correct or remove it by hand.",
				     tok, err) < 0) {
				*why = NULL;
				rc = FROMAUTH_E_NOMEM;
			}
			goto out;
		}
		if (rc)
			goto out;
		sb_add(text, " %s", tok);
	}
out:
	free(copy);
	return rc;
}

int fa_remedy_spf_correct(struct fa_spf_budget *b, const struct fromauth_profile *profile,
			  const char *mail_from, const char *record,
			  enum fa_spf_correction what, struct fa_spf_fix **out, char **why)
{
	struct fa_dns_req *req = b->req;
	struct fa_spf_record *rec = NULL;
	struct sbuf text = { 0 }, note = { 0 };
	struct fa_cidr *svc = NULL;
	size_t nsvc = 0;
	char *merged = NULL;
	int rc = 0;
	*out = NULL;
	*why = NULL;
	if (what == FA_SPF_FIX_SYNTAX) {
		rc = correct_syntax(record, &text, &note, why);
		if (rc || *why)
			goto out;
		if (!note.s && !note.nomem && !text.nomem &&
		    (rc = fa_spf_record_parse(text.s, strlen(text.s), NULL, NULL, 0)) != 0) {
			rc = rc == FROMAUTH_E_NOMEM ? rc
			     : set_why(why, "The error is not one that can be corrected without knowing what was meant: correct it by hand.");
			goto out;
		}
		/* nothing to correct in the terms (the caller's change, such
		 * as a space after v=spf1, is the fix): an empty note */
		if (!note.s)
			sb_add(&note, "%s", "");
	} else {
		rc = fa_spf_record_parse(record, strlen(record), &rec, NULL, 0);
		if (rc) {
			rc = rc == FROMAUTH_E_NOMEM ? rc : 0;
			goto out;
		}
		sb_add(&text, "v=spf1");
		int done = 0;
		for (size_t i = 0; i < rec->count; i++) {
			const struct fa_spf_term *t = &rec->terms[i];
			if (what == FA_SPF_FIX_PTR && t->kind == FA_SPF_PTR) {
				sb_add(&note, "%s%s", done++ ? ", " : "Remove ", t->text);
				continue;
			}
			if (what == FA_SPF_FIX_PLUS_ALL && t->kind == FA_SPF_ALL && t->qualifier == '+') {
				done++;
				sb_add(&text, " %%ALL%%");
				continue;
			}
			term_text(&text, t);
		}
		if (!done) {
			rc = set_why(why, what == FA_SPF_FIX_PTR
				     ? "The ptr term is in a record your record includes, not in yours: its owner must remove it, or remove that include by hand."
				     : "The +all is in a record your record includes, not in yours: its owner must remove it, or remove that include by hand.");
			goto out;
		}
		if (too_many_terms(rec, why) || spent(b, why)) {
			rc = *why ? 0 : FROMAUTH_E_NOMEM;
			goto out;
		}
		if (text.nomem || (rc = service_ranges(req, profile, &svc, &nsvc))) {
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		if (what == FA_SPF_FIX_PTR) {
			sb_add(&note, ": ptr matches hosts by their reverse DNS names, which cannot be written as fixed terms; list hosts other than the service that send for you as ip4:, ip6: or a: terms.");
		} else {
			/* Without +all, is the service still authorized? Then
			 * -all; else the service goes in and ~all, as other
			 * senders of yours may not be listed yet. */
			char *at = strstr(text.s, "%ALL%");
			memcpy(at, "?all ", 5);
			int auth = nsvc ? authorizes(req, mail_from, text.s, svc, nsvc) : 0;
			if (auth < 0) {
				rc = auth;
				goto out;
			}
			memcpy(at, auth ? "-all " : "~all ", 5);
			memmove(at + 4, at + 5, strlen(at + 5) + 1);
			sb_add(&note, auth
			       ? "Replace +all with -all: the rest of the record authorizes the service, and +all lets every host on the internet send as you."
			       : "Replace +all with ~all and add the service: +all lets every host on the internet send as you; ~all rather than -all because other senders of yours may not be listed yet.");
		}
	}
	if (text.nomem || note.nomem) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	/* The service must stay authorized by what replaces the record. */
	char *terms = fa_remedy_spf_terms(profile);
	if (!terms) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	int auth = 0;
	if (spent(b, why)) {
		free(terms);
		rc = *why ? 0 : FROMAUTH_E_NOMEM;
		goto out;
	}
	if (!nsvc && (rc = service_ranges(req, profile, &svc, &nsvc))) {
		free(terms);
		goto out;
	}
	auth = nsvc ? authorizes(req, mail_from, text.s, svc, nsvc) : 1;
	rc = auth < 0 ? auth : auth ? 0 : fa_spf_merge_include(text.s, terms, &merged);
	free(terms);
	if (rc == FROMAUTH_E_NOMEM)
		goto out;
	if (rc == 0 && merged) {
		sb_set(&text, merged);
		merged = NULL;
	}
	rc = 0;
	unsigned int lookups = 0;
	int ok = within_limits(req, mail_from, text.s, 0, &lookups);
	if (ok < 0) {
		rc = ok;
		goto out;
	}
	if (!ok) {
		rc = set_why(why, "The corrected record would still have an error: correct it by hand.");
		goto out;
	}
	rc = fix_of(&text, &note, out);
out:
	if (rc)
		drop_fix(out, why);
	free(text.s);
	free(note.s);
	free(merged);
	free(svc);
	fa_spf_record_free(rec);
	return rc;
}

/* ---- DKIM ---- */

/* ---- tag lists (RFC 6376 section 3.2) ---- */

/* @s (@len bytes) without the white space around it. */
static const char *trim_span(const char *s, size_t *len)
{
	while (*len && strchr(" \t\r\n", *s)) {
		s++;
		(*len)--;
	}
	while (*len && strchr(" \t\r\n", s[*len - 1]))
		(*len)--;
	return s;
}

/* Append "; " (unless first) and @fmt to the memstream @out. */
static void add_tag(FILE *out, int *first, const char *name, const char *value, size_t vlen)
{
	fprintf(out, "%s%s=%.*s", *first ? "" : "; ", name, (int)vlen, value);
	*first = 0;
}

char *fa_remedy_dkim_untested(const char *text)
{
	char *buf = NULL;
	size_t size = 0;
	int first = 1, found = 0;
	FILE *out = open_memstream(&buf, &size);
	if (!out)
		return NULL;
	struct fa_taglist tl;
	struct fa_tag t;
	fa_taglist_init(&tl, text, strlen(text));
	while (fa_taglist_next(&tl, &t)) {
		if (t.error == FA_TAG_EMPTY)
			continue;
		/* Tag names are case-sensitive (RFC 6376 section 3.2). */
		if (t.error || t.name_len != 1 || *t.name != 't') {
			fprintf(out, "%s%.*s", first ? "" : "; ", (int)t.spec_len, t.spec);
			first = 0;
			continue;
		}
		/* t=y:s keeps s. */
		char flags[64] = "";
		const char *v = t.value;
		size_t vl = t.value_len;
		for (const char *f = v; f < v + vl;) {
			const char *c = memchr(f, ':', (size_t)(v + vl - f));
			size_t fl = c ? (size_t)(c - f) : (size_t)(v + vl - f);
			const char *flag = trim_span(f, &fl);
			f = c ? c + 1 : v + vl;
			if (fl == 1 && (*flag == 'y' || *flag == 'Y')) {
				found = 1;
				continue;
			}
			if (fl && strlen(flags) + fl + 2 < sizeof(flags))
				snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%.*s",
					 *flags ? ":" : "", (int)fl, flag);
		}
		if (*flags)
			add_tag(out, &first, "t", flags, strlen(flags));
	}
	if (fclose(out) != 0 || !found) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* @a @b @c in @buf, cut to fit as snprintf("%s%s%s") would. */
static void join_into(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	size_t at = 0;
	for (int i = 0; i < 3; i++) {
		if (!part[i])
			part[i] = "(null)";     /* what glibc's printf shows */
		size_t n = strlen(part[i]);
		if (n > size - 1 - at)
			n = size - 1 - at;
		memcpy(buf + at, part[i], n);
		at += n;
	}
	buf[at] = '\0';
}

char *fa_remedy_dkim_key(const struct fromauth_dkim *k, const char *shown_target,
			 int *needs_input)
{
	char owner[600], rdata[300];
	/* Put together without printf: a check makes one per DKIM key. */
	join_into(owner, sizeof(owner), fromauth_dkim_selector(k), "._domainkey.",
		  fromauth_dkim_domain(k));
	const char *target = fa_dkim_expected_target(k);
	*needs_input = 0;
	if (shown_target) {
		/* A target with a per-account part: the fix shows <name>. */
		join_into(rdata, sizeof(rdata), shown_target, ".", "");
		*needs_input = 1;
		return fa_rr_line(owner, "CNAME", rdata);
	}
	if (target) {
		join_into(rdata, sizeof(rdata), target, ".", "");
		return fa_rr_line(owner, "CNAME", rdata);
	}
	/* Only the service knows the key: a placeholder, never applied. */
	*needs_input = 1;
	return fa_remedy_dkim_placeholder(owner);
}

char *fa_remedy_dkim_placeholder(const char *owner)
{
	return fa_txt_rr_line(owner, "v=DKIM1; k=rsa; p=<public key from the service>");
}

/* ---- DMARC ---- */

/* Does "v=DMARC1[; p=none]; @tag" parse without a problem? */
static int dmarc_tag_ok(const char *tag, int with_p)
{
	char *rec = NULL;
	if (asprintf(&rec, "v=DMARC1; %s%s", with_p ? "p=none; " : "", tag) < 0)
		return -1;
	struct fa_dmarc_record parsed;
	int ok = fa_dmarc_record_parse(rec, strlen(rec), &parsed) == 0;
	if (ok) {
		ok = parsed.problem_count == 0;
		fa_dmarc_record_clear(&parsed);
	} else {
		ok = -1;
	}
	free(rec);
	return ok;
}

/* A policy value as its author meant it: "Reject", "quarantaine". */
static const char *dmarc_policy_word(const char *v, size_t len)
{
	static const char *const words[] = { "none", "quarantine", "reject" };
	for (size_t i = 0; i < FA_ARRAY_SIZE(words); i++)
		if (len >= 3 && !strncasecmp(v, words[i], 3))
			return words[i];
	return NULL;
}

/* The valid form of tag @name = @v, or NULL (dropped); malloc'd in *out.
 * Returns 0, or FROMAUTH_E_NOMEM. */
static int dmarc_tag_fixed(const char *name, const char *v, size_t vlen, char **out)
{
	int with_p = strcmp(name, "p") != 0;
	*out = NULL;
	char *cand = NULL;
	/* As written, then lower case, then as a policy word. */
	for (int attempt = 0; attempt < 3 && !*out; attempt++) {
		if (asprintf(&cand, "%s=%.*s", name, (int)vlen, v) < 0)
			return FROMAUTH_E_NOMEM;
		if (attempt == 1)
			for (char *c = cand; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		if (attempt == 2) {
			const char *w = (!strcmp(name, "p") || !strcmp(name, "sp") ||
					 !strcmp(name, "np")) ? dmarc_policy_word(v, vlen) : NULL;
			free(cand);
			cand = NULL;
			if (!w)
				break;
			if (asprintf(&cand, "%s=%s", name, w) < 0)
				return FROMAUTH_E_NOMEM;
		}
		int ok = dmarc_tag_ok(cand, with_p);
		if (ok < 0) {
			free(cand);
			return FROMAUTH_E_NOMEM;
		}
		if (ok)
			*out = cand;
		else
			free(cand);
		cand = NULL;
	}
	if (*out || (strcmp(name, "rua") && strcmp(name, "ruf")))
		return FROMAUTH_OK;
	/* A URI list: each URI on its own, mailto: added where it is missing. */
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return FROMAUTH_E_NOMEM;
	int kept = 0, rc = FROMAUTH_OK;
	fprintf(f, "%s=", name);
	for (const char *u = v; u < v + vlen && rc == FROMAUTH_OK;) {
		const char *c = memchr(u, ',', (size_t)(v + vlen - u));
		size_t ul = c ? (size_t)(c - u) : (size_t)(v + vlen - u);
		const char *uri = trim_span(u, &ul);
		u = c ? c + 1 : v + vlen;
		for (int attempt = 0; attempt < 2 && ul; attempt++) {
			const char *pre = attempt ? "mailto:" : "";
			if (attempt && (!memchr(uri, '@', ul) || memchr(uri, ':', ul)))
				break;
			if (asprintf(&cand, "%s=%s%.*s", name, pre, (int)ul, uri) < 0) {
				rc = FROMAUTH_E_NOMEM;
				break;
			}
			int ok = dmarc_tag_ok(cand, 1);
			free(cand);
			cand = NULL;
			if (ok < 0) {
				rc = FROMAUTH_E_NOMEM;
			} else if (ok) {
				fprintf(f, "%s%s%.*s", kept++ ? "," : "", pre, (int)ul, uri);
				break;
			}
		}
	}
	if (fclose(f) != 0)
		rc = FROMAUTH_E_NOMEM;
	if (rc == FROMAUTH_OK && kept)
		*out = buf;
	else
		free(buf);
	return rc;
}

char *fa_remedy_dmarc_corrected(const char *text, int drop_testing)
{
	/* known tags, in the order of dmarc-record.c, to drop repeats */
	static const char *const known[] = {
		"p", "sp", "np", "adkim", "aspf", "pct", "t", "psd", "fo", "rf", "ri", "rua", "ruf",
	};
	int seen[FA_ARRAY_SIZE(known)] = { 0 };
	char *policy = NULL, *buf = NULL, *result = NULL;
	size_t size = 0;
	int rc = FROMAUTH_OK;
	FILE *rest = open_memstream(&buf, &size);
	if (!rest)
		return NULL;
	struct fa_taglist tl;
	struct fa_tag t;
	fa_taglist_init(&tl, text, strlen(text));
	while (rc == FROMAUTH_OK && fa_taglist_next(&tl, &t)) {
		/* empty, not tag=value: dropped */
		char name[8];
		if (t.error || t.name_len >= sizeof(name))
			continue;
		for (size_t i = 0; i < t.name_len; i++)
			name[i] = (char)tolower((unsigned char)t.name[i]);
		name[t.name_len] = '\0';
		const char *v = t.value;
		size_t vl = t.value_len;
		size_t k = 0;
		while (k < FA_ARRAY_SIZE(known) && strcmp(name, known[k]))
			k++;
		/* v= (written first by us), unknown tags and repeats (receivers
		 * use the first) go; so does t= when asked. */
		if (k == FA_ARRAY_SIZE(known) || seen[k]++ || (drop_testing && !strcmp(name, "t")))
			continue;
		char *fixed = NULL;
		rc = dmarc_tag_fixed(name, v, vl, &fixed);
		if (!fixed)
			continue;
		if (!strcmp(name, "p")) {
			policy = fixed;
		} else {
			fprintf(rest, "; %s", fixed);
			free(fixed);
		}
	}
	if (fclose(rest) != 0)
		rc = FROMAUTH_E_NOMEM;
	if (rc == FROMAUTH_OK &&
	    asprintf(&result, "v=DMARC1; %s%s", policy ? policy : "p=none", buf ? buf : "") < 0)
		result = NULL;
	free(policy);
	free(buf);
	if (!result)
		return NULL;
	/* Only a record with no problem left, and one that changes something. */
	struct fa_dmarc_record check;
	int good = fa_dmarc_record_parse(result, strlen(result), &check) == 0;
	if (good) {
		good = check.problem_count == 0 && strcmp(result, text) != 0;
		fa_dmarc_record_clear(&check);
	}
	if (!good) {
		free(result);
		return NULL;
	}
	return result;
}


char *fa_remedy_dmarc_start(const char *domain)
{
	char owner[300];
	snprintf(owner, sizeof(owner), "_dmarc.%s", domain);
	return fa_txt_rr_line(owner, "v=DMARC1; p=none");
}

char *fa_remedy_dmarc_authorize(const char *name)
{
	return fa_txt_rr_line(name, "v=DMARC1");
}

/* What decides which of several DMARC records to keep, strongest first:
 * a valid one; the stronger policy, p then sp then np (a fix never
 * weakens DMARC); one with rua= (reports keep coming); fewer problems. */
struct keep_rank {
	int valid, p, sp, np, rua, problems;
};

static struct keep_rank keep_rank_of(const char *text)
{
	struct keep_rank k = { 0, 0, 0, 0, 0, 99 };
	struct fa_dmarc_record rec;
	if (fa_dmarc_record_parse(text, strlen(text), &rec) != 0)
		return k;
	k.valid = rec.problem_count == 0 && fa_dmarc_record_policies(&rec, &k.p, &k.sp, &k.np);
	if (!k.valid)
		k.p = k.sp = k.np = 0;
	k.rua = rec.rua_count > 0;
	k.problems = (int)rec.problem_count;
	fa_dmarc_record_clear(&rec);
	return k;
}

/* > 0 when @a is to be kept rather than @b; *why says what decided. */
static int keep_compare(const struct keep_rank *a, const struct keep_rank *b, const char **why)
{
	const struct { int a, b; const char *why; } steps[] = {
		{ a->valid, b->valid, "the valid one" },
		{ a->p, b->p, "the stronger policy" },
		{ a->sp, b->sp, "the stronger subdomain policy (sp=)" },
		{ a->np, b->np, "the stronger policy for non-existent subdomains (np=)" },
		{ a->rua, b->rua, "the one that asks for reports (rua=)" },
		{ -a->problems, -b->problems, "the one with fewer problems" },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].a != steps[i].b) {
			if (steps[i].a > steps[i].b)
				*why = steps[i].why;
			return steps[i].a - steps[i].b;
		}
	return 0;
}

void fa_remedy_dmarc_duplicates(struct fromauth_result *r, struct fa_finding *f,
				const struct fromauth_dmarc *d)
{
	size_t n = fa_dmarc_duplicate_count(d), keep = 0;
	if (!f || n < 2)
		return;
	struct keep_rank best = keep_rank_of(fa_dmarc_duplicate(d, 0));
	const char *why = NULL;
	for (size_t i = 1; i < n; i++) {
		struct keep_rank k = keep_rank_of(fa_dmarc_duplicate(d, i));
		const char *w = NULL;
		if (keep_compare(&k, &best, &w) > 0) {
			best = k;
			keep = i;
		}
	}
	/* Why the kept one beats the best of the others. */
	for (size_t i = 0; i < n; i++) {
		struct keep_rank k = keep_rank_of(fa_dmarc_duplicate(d, i));
		const char *w = NULL;
		if (i != keep && keep_compare(&best, &k, &w) > 0 && w && !why)
			why = w;
	}
	char owner[300];
	snprintf(owner, sizeof(owner), "_dmarc.%s", fa_dmarc_multiple_domain(d));
	for (size_t i = 0; i < n; i++) {
		if (i == keep)
			continue;
		char *line = fa_txt_rr_line(owner, fa_dmarc_duplicate(d, i));
		if (!line || fa_finding_add_delete(f, line) != FROMAUTH_OK)
			r->nomem = 1;
		free(line);
	}
	if (!best.valid) {
		/* None is valid: keep one, corrected. */
		char *fixed = fa_remedy_dmarc_corrected(fa_dmarc_duplicate(d, keep), 0);
		char *old = fa_txt_rr_line(owner, fa_dmarc_duplicate(d, keep));
		char *line = fixed ? fa_txt_rr_line(owner, fixed) : NULL;
		if (fixed && (!old || !line || fa_finding_add_replace(f, old, line) != FROMAUTH_OK))
			r->nomem = 1;
		fa_finding_append(r, f, "None of them is valid: keep \"%s\"%s.",
				  fa_dmarc_duplicate(d, keep), fixed ? ", corrected as below" : "");
		free(fixed);
		free(old);
		free(line);
		return;
	}
	fa_finding_append(r, f, "Keep \"%s\"%s%s.", fa_dmarc_duplicate(d, keep),
			  why ? ", " : "", why ? why : "");
}


FROMAUTH_EXPORT int fromauth_dmarc_unauthorized_fix(const struct fromauth_dmarc *dmarc, size_t i,
						    char *buf, size_t len)
{
	if (!dmarc || !buf)
		return FROMAUTH_E_INVAL;
	if (i >= fromauth_dmarc_unauthorized_count(dmarc))
		return FROMAUTH_E_RANGE;
	char *line = fa_remedy_dmarc_authorize(fromauth_dmarc_unauthorized_record(dmarc, i));
	if (!line)
		return FROMAUTH_E_NOMEM;
	size_t n = strlen(line);
	int rc = n < len ? FROMAUTH_OK : FROMAUTH_E_RANGE;
	if (rc == FROMAUTH_OK)
		memcpy(buf, line, n + 1);
	free(line);
	return rc;
}

/* ---- what to set up at the service ---- */

/* @lead, then the vendor's step from the profile's key @which, when it
 * has one ("Unconfirmed" when no source confirms it).  malloc'd. */
static char *with_step(const struct fromauth_profile *p, const char *which, const char *lead,
		       const char *from, const char *domain)
{
	const char *at = from ? strchr(from, '@') : NULL;
	char local[128] = "";
	if (at)
		snprintf(local, sizeof(local), "%.*s", (int)(at - from), from);
	char *step = fa_profile_text(p, which, from, local, domain);
	char *out = NULL;
	if (asprintf(&out, "%s%s%s%s%s", lead, step ? ": " : ".", step ? step : "",
		     step && fa_profile_unconfirmed(p, which) ? " (unconfirmed: no source states this step)" : "",
		     step ? "." : "") < 0)
		out = NULL;
	free(step);
	return out;
}

static const char *service_name(const struct fromauth_profile *p)
{
	const char *n = fromauth_profile_name(p);
	return n && *n ? n : "the service";
}

char *fa_remedy_action_dkim(const struct fromauth_profile *p, const char *domain,
			    const char *from, int signs)
{
	char *lead = NULL;
	if (asprintf(&lead, "Authenticate %s for DKIM at %s, so that it signs with d=%s (a key in your own DNS)%s",
		     domain, service_name(p), domain,
		     signs ? " instead of its own domain" : "; if it cannot sign at all, DMARC can pass only through SPF") < 0)
		return NULL;
	char *out = with_step(p, "action-dkim", lead, from, domain);
	free(lead);
	return out;
}

char *fa_remedy_action_return_path(const struct fromauth_profile *p, const char *domain,
				   const char *from, const char *mail_from, int strict)
{
	char *lead = NULL;
	int n = strict
		? asprintf(&lead, "Have %s use %s itself as the return-path (MAIL FROM) domain instead of %s: aspf=s accepts no other name, not even a subdomain",
			   service_name(p), domain, mail_from)
		: asprintf(&lead, "Set up a custom return-path (MAIL FROM) domain under %s at %s instead of %s, so that SPF aligns",
			   domain, service_name(p), mail_from);
	if (n < 0)
		return NULL;
	char *out = strict ? lead : with_step(p, "action-return-path", lead, from, domain);
	if (!strict)
		free(lead);
	return out;
}

char *fa_remedy_action_service_spf(const struct fromauth_profile *p, const char *mail_from,
				   const char *ip, const char *result)
{
	char *out = NULL;
	if (asprintf(&out, "Tell %s that the SPF record of its bounce domain %s gives %s for its address %s.",
		     service_name(p), mail_from, result, ip) < 0)
		return NULL;
	return out;
}

char *fa_remedy_action_send_as(const struct fromauth_profile *p, const char *from,
			       const char *local, const char *domain)
{
	char *grant = fa_profile_text(p, "send-as-grant", from, local, domain);
	char *out = NULL;
	int n = grant
		? asprintf(&out, "Allow %s to send as %s: %s%s.", service_name(p), from, grant,
			   fa_profile_unconfirmed(p, "send-as-grant") ? " (unconfirmed: no source states this step)" : "")
		: asprintf(&out, "Allow this account at %s to send as %s: verify the address or its domain there.",
			   service_name(p), from);
	free(grant);
	return n < 0 ? NULL : out;
}

char *fa_remedy_action_spf_ranges(const struct fromauth_profile *p)
{
	char *out = NULL;
	if (asprintf(&out, "%s names no SPF include to add, so the fix lists the addresses the profile gives: confirm with %s that it sends from these only, and ask to be told when they change.",
		     service_name(p), service_name(p)) < 0)
		return NULL;
	return out;
}

/* ---- step 8 ---- */

static int remember_not_applied(struct fromauth_result *r, const char *line)
{
	char **l = realloc(r->fixes_not_applied,
			   (r->fixes_not_applied_count + 1) * sizeof(*l));
	if (!l)
		return FROMAUTH_E_NOMEM;
	r->fixes_not_applied = l;
	if (!(l[r->fixes_not_applied_count] = strdup(line)))
		return FROMAUTH_E_NOMEM;
	r->fixes_not_applied_count++;
	return FROMAUTH_OK;
}

int fa_remedy_layer(struct fa_dns *dns, struct fromauth_result *r, struct fa_dns **out)
{
	struct fa_dns *layer = NULL;
	*out = NULL;
	int rc = fa_dns_clone_overlay(dns, &layer);
	if (rc)
		return rc;

	/* Every operation in order: a replacement is the deletion of the old
	 * record and the addition of the new one, so the rest of its set
	 * stays, as on the real zone.  Actions are not DNS: nothing to apply. */
	for (size_t i = 0; rc == FROMAUTH_OK && i < r->finding_count; i++) {
		const struct fa_finding *f = &r->findings[i];
		for (size_t j = 0; rc == FROMAUTH_OK && j < f->op_count; j++) {
			const struct fa_fix_op *op = &f->ops[j];
			if (op->op == FROMAUTH_FIX_ACTION)
				continue;
			if (f->fix_needs_input) {
				if (op->op != FROMAUTH_FIX_DELETE)
					rc = remember_not_applied(r, op->rr);
				continue;
			}
			char err[256];
			if (op->op == FROMAUTH_FIX_REPLACE || op->op == FROMAUTH_FIX_DELETE)
				rc = fa_dns_delete_record(layer, op->old ? op->old : op->rr,
							  err, sizeof(err));
			if (rc == FROMAUTH_OK && op->op != FROMAUTH_FIX_DELETE)
				rc = fa_dns_add_record(layer, op->rr, err, sizeof(err));
			/* Our own fix lines must parse: a failure is our bug. */
			if (rc == FROMAUTH_E_RECORD)
				rc = FROMAUTH_E_INTERNAL;
		}
	}
	if (rc) {
		fa_dns_free(layer);
		return rc;
	}
	*out = layer;
	return FROMAUTH_OK;
}
