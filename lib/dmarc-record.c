/* SPDX-License-Identifier: BSD-2-Clause */
/* DMARC record parser and validator; see dmarc-record.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc-record.h"
#include "private.h"
#include "taglist.h"

/* Longest tag name or value quoted back in a problem sentence. */
#define QUOTE_MAX 40

static int is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A span of the record: not NUL-terminated, may hold any byte. */
struct span {
	const char *s;
	size_t len;
};

/* Trim white space as the tag-list has it (taglist.h): WSP, or a CRLF
 * followed by WSP, so a folded rua= list splits like an unfolded one. */
static struct span trim(struct span sp)
{
	size_t n;
	while ((n = fa_taglist_space(sp.s, sp.len, 0)) > 0) {
		sp.s += n;
		sp.len -= n;
	}
	for (int wsp = 0;;) {
		if (sp.len > 0 && is_wsp((unsigned char)sp.s[sp.len - 1])) {
			sp.len--;
			wsp = 1;
		} else if (wsp && sp.len >= 2 && sp.s[sp.len - 2] == '\r' &&
			   sp.s[sp.len - 1] == '\n') {
			sp.len -= 2;
			wsp = 0;
		} else {
			break;
		}
	}
	return sp;
}

static int span_is(struct span sp, const char *word)
{
	size_t n = strlen(word);
	return sp.len == n && strncasecmp(sp.s, word, n) == 0;
}

/* Printable copy of a span for messages, bounded (buflen >= 4 * QUOTE_MAX + 4). */
static void quote(struct span sp, char *buf, size_t buflen)
{
	size_t n = sp.len > QUOTE_MAX ? QUOTE_MAX : sp.len;
	if (buflen < 4 * QUOTE_MAX + 4) {
		if (buflen)
			buf[0] = '\0';
		return;
	}
	size_t o = fa_escape_bytes(buf, sp.s, n);
	if (n < sp.len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

int fa_dmarc_record_problem(struct fa_dmarc_record *rec, const char *fmt, ...)
{
	if (rec->problem_count >= FA_DMARC_MAX_PROBLEMS) {
		rec->problems_dropped = 1;
		return 0;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return FROMAUTH_E_NOMEM;
	rec->problems[rec->problem_count++] = msg;
	return 0;
}

int fa_dmarc_record_is_dmarc(const char *txt, size_t len)
{
	size_t i = 0;
	if (!txt)
		return 0;
	/* The ABNF allows no leading space; receivers commonly do. */
	while (i < len && is_wsp((unsigned char)txt[i]))
		i++;
	if (i >= len || (txt[i] != 'v' && txt[i] != 'V'))
		return 0;
	i++;
	while (i < len && is_wsp((unsigned char)txt[i]))
		i++;
	if (i >= len || txt[i] != '=')
		return 0;
	i++;
	while (i < len && is_wsp((unsigned char)txt[i]))
		i++;
	/* %s"DMARC1": case-sensitive. */
	if (len - i < 6 || memcmp(txt + i, "DMARC1", 6) != 0)
		return 0;
	i += 6;
	while (i < len && is_wsp((unsigned char)txt[i]))
		i++;
	return i == len || txt[i] == ';';
}

int fa_dmarc_record_looks_like_dmarc(const char *txt, size_t len)
{
	if (!txt)
		return 0;
	if (len > 512)
		len = 512;
	for (size_t i = 0; i + 5 <= len; i++)
		if (strncasecmp(txt + i, "dmarc", 5) == 0)
			return 1;
	return len >= 2 && (txt[0] == 'p' || txt[0] == 'P') && txt[1] == '=';
}

static int policy_value(struct span v)
{
	if (span_is(v, "none"))
		return FROMAUTH_DMARC_POLICY_NONE;
	if (span_is(v, "quarantine"))
		return FROMAUTH_DMARC_POLICY_QUARANTINE;
	if (span_is(v, "reject"))
		return FROMAUTH_DMARC_POLICY_REJECT;
	return 0;
}

/* One character out of @allowed, case-insensitive; 0 if not. */
static char flag_value(struct span v, const char *allowed)
{
	if (v.len != 1)
		return 0;
	char c = (char)tolower((unsigned char)v.s[0]);
	return strchr(allowed, c) && c ? c : 0;
}

/* fo: "0" / "1" / "d" / "s", colon-separated (RFC 7489 6.3). */
static int fo_valid(struct span v)
{
	size_t i = 0;
	for (;;) {
		while (i < v.len && is_wsp((unsigned char)v.s[i]))
			i++;
		if (i >= v.len || !strchr("01dsDS", v.s[i]) || !v.s[i])
			return 0;
		i++;
		while (i < v.len && is_wsp((unsigned char)v.s[i]))
			i++;
		if (i == v.len)
			return 1;
		if (v.s[i] != ':')
			return 0;
		i++;
	}
}

/* rf: Keyword *(":" Keyword); returns 0 if malformed, 1 if every format
 * is afrf, 2 if a well-formed unknown format is named. */
static int rf_check(struct span v)
{
	int unknown = 0;
	size_t i = 0;
	for (;;) {
		while (i < v.len && is_wsp((unsigned char)v.s[i]))
			i++;
		size_t start = i;
		while (i < v.len && (isalnum((unsigned char)v.s[i]) || v.s[i] == '-'))
			i++;
		if (i == start)
			return 0;
		struct span kw = { v.s + start, i - start };
		if (!span_is(kw, "afrf"))
			unknown = 1;
		while (i < v.len && is_wsp((unsigned char)v.s[i]))
			i++;
		if (i == v.len)
			return unknown ? 2 : 1;
		if (v.s[i] != ':')
			return 0;
		i++;
	}
}

static int all_digits(struct span v, size_t maxlen)
{
	if (v.len == 0 || v.len > maxlen)
		return 0;
	for (size_t i = 0; i < v.len; i++)
		if (!isdigit((unsigned char)v.s[i]))
			return 0;
	return 1;
}

/* Value of a span that all_digits() accepted with at most 19 digits. */
static unsigned long long span_number(struct span v)
{
	unsigned long long n = 0;
	for (size_t i = 0; i < v.len; i++)
		n = n * 10 + (unsigned long long)(v.s[i] - '0');
	return n;
}

static char *span_dup(struct span sp)
{
	char *out = malloc(sp.len + 1);
	if (!out)
		return NULL;
	memcpy(out, sp.s, sp.len);
	out[sp.len] = '\0';
	return out;
}

/*
 * One URI of rua=/ruf=.  Returns 0 (added or a problem recorded) or
 * FROMAUTH_E_NOMEM.
 */
static int parse_uri(struct fa_dmarc_record *rec, const char *tag,
		     struct span u, struct fa_dmarc_uri *list, size_t *count)
{
	char q[QUOTE_MAX * 4 + 8];
	quote(u, q, sizeof(q));
	if (u.len == 0)
		return fa_dmarc_record_problem(rec, "%s= has an empty URI in its list", tag);
	for (size_t i = 0; i < u.len; i++) {
		unsigned char c = (unsigned char)u.s[i];
		if (c <= 0x20 || c >= 0x7f)
			return fa_dmarc_record_problem(rec,
				"%s= URI \"%s\" contains a space or a non-ASCII byte", tag, q);
	}
	/* RFC 7489's optional size limit "!10m"; obsolete in RFC 9989. */
	const char *bang = memchr(u.s, '!', u.len);
	if (bang) {
		struct span sz = { bang + 1, u.len - (size_t)(bang + 1 - u.s) };
		if (sz.len > 0 && strchr("kmgtKMGT", sz.s[sz.len - 1]))
			sz.len--;
		if (!all_digits(sz, 20))
			return fa_dmarc_record_problem(rec,
				"%s= URI \"%s\" has a malformed !size suffix", tag, q);
		u.len = (size_t)(bang - u.s);
	}
	size_t i = 0;
	while (i < u.len && (isalnum((unsigned char)u.s[i]) || u.s[i] == '+' ||
			     u.s[i] == '-' || u.s[i] == '.'))
		i++;
	if (i == 0 || i >= u.len || u.s[i] != ':' || !isalpha((unsigned char)u.s[0]))
		return fa_dmarc_record_problem(rec,
			"%s= entry \"%s\" is not a URI (expected mailto:address)", tag, q);
	struct span scheme = { u.s, i };
	if (!span_is(scheme, "mailto"))
		return fa_dmarc_record_problem(rec,
			"%s= URI \"%s\" is not a mailto: URI; receivers are only required to support mailto:",
			tag, q);
	struct span addr = { u.s + i + 1, u.len - i - 1 };
	const char *qm = memchr(addr.s, '?', addr.len);
	if (qm)
		addr.len = (size_t)(qm - addr.s);
	const char *at = NULL;
	for (size_t k = 0; k < addr.len; k++)
		if (addr.s[k] == '@')
			at = addr.s + k;
	if (!at || at == addr.s || at + 1 >= addr.s + addr.len)
		return fa_dmarc_record_problem(rec,
			"%s= URI \"%s\" does not hold an address local@domain", tag, q);
	struct span host = { at + 1, (size_t)(addr.s + addr.len - at - 1) };
	char hostbuf[256];
	if (host.len >= sizeof(hostbuf))
		return fa_dmarc_record_problem(rec,
			"%s= URI \"%s\" has an over-long domain", tag, q);
	memcpy(hostbuf, host.s, host.len);
	hostbuf[host.len] = '\0';
	/* A report domain has at least two labels ("a.example", "a.example."). */
	const char *dot = strchr(hostbuf, '.');
	if (fa_domain_check(hostbuf, NULL, 0) != 0 || !dot || dot[1] == '\0')
		return fa_dmarc_record_problem(rec,
			"%s= URI \"%s\" has an invalid domain", tag, q);
	if (*count >= FA_DMARC_MAX_URIS)
		return fa_dmarc_record_problem(rec,
			"%s= lists more than %d URIs; the rest are not checked",
			tag, FA_DMARC_MAX_URIS);
	struct fa_dmarc_uri *out = &list[*count];
	out->uri = span_dup(u);
	out->host = fa_domain_normalize(hostbuf);
	if (!out->uri || !out->host) {
		free(out->uri);
		free(out->host);
		out->uri = out->host = NULL;
		return FROMAUTH_E_NOMEM;
	}
	(*count)++;
	return 0;
}

static int parse_uri_list(struct fa_dmarc_record *rec, const char *tag,
			  struct span v, struct fa_dmarc_uri *list, size_t *count)
{
	size_t start = 0;
	for (size_t i = 0; i <= v.len; i++) {
		if (i < v.len && v.s[i] != ',')
			continue;
		struct span u = trim((struct span){ v.s + start, i - start });
		int rc = parse_uri(rec, tag, u, list, count);
		if (rc)
			return rc;
		start = i + 1;
	}
	return 0;
}

/* Bits for duplicate detection, in this order. */
static const char *const known_tags[] = {
	"v", "p", "sp", "np", "adkim", "aspf", "pct", "t", "psd",
	"fo", "rf", "ri", "rua", "ruf",
};

static int parse_tag(struct fa_dmarc_record *rec, struct span name,
		     struct span v, unsigned int *seen)
{
	char qn[QUOTE_MAX * 4 + 8], qv[QUOTE_MAX * 4 + 8];
	quote(name, qn, sizeof(qn));
	quote(v, qv, sizeof(qv));

	size_t idx;
	for (idx = 0; idx < FA_ARRAY_SIZE(known_tags); idx++)
		if (span_is(name, known_tags[idx]))
			break;
	if (idx == FA_ARRAY_SIZE(known_tags))
		return fa_dmarc_record_problem(rec,
			"unknown tag \"%s\" is ignored", qn);
	const char *tag = known_tags[idx];
	if (*seen & (1u << idx)) {
		if (idx == 0)
			return fa_dmarc_record_problem(rec,
				"v= appears more than once");
		return fa_dmarc_record_problem(rec,
			"tag %s= appears more than once; only the first is used", tag);
	}
	*seen |= 1u << idx;
	if (idx == 0)
		return fa_dmarc_record_problem(rec,
			"v=DMARC1 must be the first tag, it is not");
	int bad_bytes = 0;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.s[i];
		size_t space = fa_taglist_space(v.s, v.len, i);
		if (space)
			i += space - 1;         /* WSP and folds separate values */
		else if (c < 0x20 || c >= 0x7f)
			bad_bytes = 1;
	}
	if (v.len == 0 || bad_bytes) {
		/* An unusable policy value still counts as an invalid one. */
		if (idx == 1)
			rec->p_bad = 1;
		else if (idx == 2)
			rec->sp_bad = 1;
		else if (idx == 3)
			rec->np_bad = 1;
		if (v.len == 0)
			return fa_dmarc_record_problem(rec, "tag %s= has no value", tag);
		return fa_dmarc_record_problem(rec,
			"value of %s= contains a control or non-ASCII byte", tag);
	}

	int pol;
	char c;
	switch (idx) {
	case 1: case 2: case 3:
		pol = policy_value(v);
		if (!pol) {
			if (idx == 1)
				rec->p_bad = 1;
			else if (idx == 2)
				rec->sp_bad = 1;
			else
				rec->np_bad = 1;
			return fa_dmarc_record_problem(rec,
				"%s=%s is not a policy: use none, quarantine or reject",
				tag, qv);
		}
		if (idx == 1)
			rec->p = pol;
		else if (idx == 2)
			rec->sp = pol;
		else
			rec->np = pol;
		return 0;
	case 4: case 5:
		c = flag_value(v, "rs");
		if (!c)
			return fa_dmarc_record_problem(rec,
				"%s=%s is invalid: use r (relaxed) or s (strict)", tag, qv);
		if (idx == 4)
			rec->adkim = c;
		else
			rec->aspf = c;
		return 0;
	case 6:
		if (!all_digits(v, 3) || span_number(v) > 100)
			return fa_dmarc_record_problem(rec,
				"pct=%s is invalid: use a whole number from 0 to 100", qv);
		rec->pct = (int)span_number(v);
		return 0;
	case 7:
		c = flag_value(v, "yn");
		if (!c)
			return fa_dmarc_record_problem(rec,
				"t=%s is invalid: use y or n", qv);
		rec->t = c;
		return 0;
	case 8:
		c = flag_value(v, "ynu");
		if (!c)
			return fa_dmarc_record_problem(rec,
				"psd=%s is invalid: use y, n or u", qv);
		rec->psd = c;
		return 0;
	case 9:
		if (!fo_valid(v))
			return fa_dmarc_record_problem(rec,
				"fo=%s is invalid: use 0, 1, d or s, separated by ':'", qv);
		rec->fo = span_dup(v);
		return rec->fo ? 0 : FROMAUTH_E_NOMEM;
	case 10:
		switch (rf_check(v)) {
		case 0:
			return fa_dmarc_record_problem(rec,
				"rf=%s is malformed: use afrf", qv);
		case 2:
			return fa_dmarc_record_problem(rec,
				"rf=%s names a report format other than afrf, the only one defined", qv);
		}
		rec->rf = span_dup(v);
		return rec->rf ? 0 : FROMAUTH_E_NOMEM;
	case 11:
		if (!all_digits(v, 10) || span_number(v) > 4294967295ull)
			return fa_dmarc_record_problem(rec,
				"ri=%s is invalid: use a number of seconds", qv);
		rec->ri = (long long)span_number(v);
		return 0;
	case 12:
		return parse_uri_list(rec, "rua", v, rec->rua, &rec->rua_count);
	case 13:
		return parse_uri_list(rec, "ruf", v, rec->ruf, &rec->ruf_count);
	}
	return 0;
}

static int parse_record(const char *txt, size_t len, struct fa_dmarc_record *rec)
{
	int rc;
	memset(rec, 0, sizeof(*rec));
	rec->adkim = rec->aspf = 'r';
	rec->t = 'n';
	rec->psd = 'u';
	rec->pct = -1;
	rec->ri = -1;
	if (!txt)
		len = 0;
	rec->text = fa_escape_dup(txt ? txt : "", len);
	if (!rec->text)
		return FROMAUTH_E_NOMEM;

	if (!fa_dmarc_record_is_dmarc(txt, len)) {
		rc = fa_dmarc_record_problem(rec,
			"the record does not start with v=DMARC1 (exact, upper case), so receivers ignore it");
		if (rc)
			return rc;
	}
	if (len > 0 && is_wsp((unsigned char)txt[0])) {
		rc = fa_dmarc_record_problem(rec, "the record starts with white space");
		if (rc)
			return rc;
	}

	unsigned int seen = 0;
	struct fa_taglist tl;
	struct fa_tag tag;
	fa_taglist_init(&tl, txt, len);
	while (fa_taglist_next(&tl, &tag)) {
		if (tag.error == FA_TAG_EMPTY) {
			/* One trailing ';' is allowed, empty tags in between not. */
			rc = fa_dmarc_record_problem(rec,
				"empty tag at offset %zu (two ';' in a row?)", tag.start);
			if (rc)
				return rc;
			continue;
		}
		char qs[QUOTE_MAX * 4 + 8];
		quote((struct span){ tag.spec, tag.spec_len }, qs, sizeof(qs));
		if (tag.error == FA_TAG_NO_EQUALS) {
			rc = fa_dmarc_record_problem(rec,
				"\"%s\" is not a tag=value pair", qs);
		} else if (tag.error == FA_TAG_BAD_NAME) {
			rc = fa_dmarc_record_problem(rec,
				"\"%s\" has a malformed tag name", qs);
		} else {
			struct span name = { tag.name, tag.name_len };
			struct span value = { tag.value, tag.value_len };
			if (tag.index == 0 && span_is(name, "v")) {
				seen |= 1u;
				rc = 0;     /* checked by fa_dmarc_record_is_dmarc() */
			} else {
				rc = parse_tag(rec, name, value, &seen);
			}
		}
		if (rc)
			return rc;
	}
	if (!(seen & 2u) && fa_dmarc_record_is_dmarc(txt, len)) {
		rc = fa_dmarc_record_problem(rec,
			"the record has no p= tag; receivers treat it as p=none if rua= holds a valid address, else apply no policy");
		if (rc)
			return rc;
	}
	return 0;
}

int fa_dmarc_record_parse(const char *txt, size_t len,
			  struct fa_dmarc_record *rec)
{
	int rc = parse_record(txt, len, rec);
	if (rc)
		fa_dmarc_record_clear(rec);     /* nothing half-built is kept */
	return rc;
}

void fa_dmarc_record_clear(struct fa_dmarc_record *rec)
{
	if (!rec)
		return;
	free(rec->text);
	free(rec->fo);
	free(rec->rf);
	for (size_t i = 0; i < rec->rua_count; i++) {
		free(rec->rua[i].uri);
		free(rec->rua[i].host);
	}
	for (size_t i = 0; i < rec->ruf_count; i++) {
		free(rec->ruf[i].uri);
		free(rec->ruf[i].host);
	}
	for (size_t i = 0; i < rec->problem_count; i++)
		free(rec->problems[i]);
	memset(rec, 0, sizeof(*rec));
}

int fa_dmarc_record_policies(const struct fa_dmarc_record *rec,
			     int *p, int *sp, int *np)
{
	/* RFC 9989 4.10.1: a missing p= counts like an invalid one. */
	if (!rec->p || rec->sp_bad || rec->np_bad) {
		if (rec->rua_count == 0)
			return 0;
		*p = *sp = *np = FROMAUTH_DMARC_POLICY_NONE;
		return 1;
	}
	*p = rec->p;
	*sp = rec->sp ? rec->sp : *p;
	*np = rec->np ? rec->np : *sp;
	return 1;
}
