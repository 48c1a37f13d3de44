/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fixes: every record line a finding proposes is built here, and
 * self-verified remediation (SPEC section 3 step 8) publishes every
 * concrete fix on an overlay layer over the context, for the check to run
 * the same evaluation again on it.  The layer shares the context's cache,
 * so the second run asks the network only for what the fixes changed.
 */
#include <arpa/inet.h>
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
#include "profile.h"
#include "remedy.h"
#include "result.h"
#include "spf-record.h"
#include "spf.h"

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
	char *extra = NULL, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&extra, fmt, ap);
	va_end(ap);
	if (n < 0 || asprintf(&msg, "%s %s", f->message, extra) < 0) {
		if (n >= 0)
			free(extra);
		r->nomem = 1;
		return;
	}
	free(extra);
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

/* ---- DKIM ---- */

char *fa_remedy_dkim_key(const struct fromauth_dkim *k, const char *shown_target,
			 int *needs_input)
{
	char owner[600], rdata[300];
	snprintf(owner, sizeof(owner), "%s._domainkey.%s", fromauth_dkim_selector(k),
		 fromauth_dkim_domain(k));
	const char *target = fa_dkim_expected_target(k);
	*needs_input = 0;
	if (shown_target) {
		/* A target with a per-account part: the fix shows <name>. */
		snprintf(rdata, sizeof(rdata), "%s.", shown_target);
		*needs_input = 1;
		return fa_rr_line(owner, "CNAME", rdata);
	}
	if (target) {
		snprintf(rdata, sizeof(rdata), "%s.", target);
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

/* Rank of a DMARC record to keep among several: valid first, then the
 * stronger policy (a fix never weakens DMARC), then fewer problems. */
static long dmarc_keep_rank(const char *text)
{
	struct fa_dmarc_record rec;
	if (fa_dmarc_record_parse(text, strlen(text), &rec) != 0)
		return -1;
	int p = 0, sp = 0, np = 0;
	int valid = fa_dmarc_record_policies(&rec, &p, &sp, &np) && rec.problem_count == 0;
	long rank = (long)valid * 1000 + (long)p * 100 - (long)rec.problem_count;
	fa_dmarc_record_clear(&rec);
	return rank;
}

void fa_remedy_dmarc_duplicates(struct fromauth_result *r, struct fa_finding *f,
				const struct fromauth_dmarc *d)
{
	size_t n = fa_dmarc_duplicate_count(d), keep = 0;
	if (!f || n < 2)
		return;
	long best = dmarc_keep_rank(fa_dmarc_duplicate(d, 0));
	for (size_t i = 1; i < n; i++) {
		long rank = dmarc_keep_rank(fa_dmarc_duplicate(d, i));
		if (rank > best) {
			best = rank;
			keep = i;
		}
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
	fa_finding_append(r, f, "Keep \"%s\".", fa_dmarc_duplicate(d, keep));
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
