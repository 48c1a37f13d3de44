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
