/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The record screen: RFC 7208's grammar checked strictly, with bounds, on
 * bytes straight from DNS.  It never calls libspf2, so a record that fails
 * here is never compiled by it.
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

int fa_spf_is_record(const char *txt, size_t len)
{
	if (!txt || len < 6 || strncasecmp(txt, "v=spf1", 6) != 0)
		return 0;
	return len == 6 || txt[6] == ' ';
}

static int is_macro_letter(char c, int exp_text)
{
	switch (tolower((unsigned char)c)) {
	case 's': case 'l': case 'o': case 'd': case 'i': case 'p':
	case 'h': case 'v':
		return 1;
	case 'c': case 'r': case 't':
		return exp_text;
	}
	return 0;
}

static int is_delimiter(char c)
{
	return c && strchr(".-+,/_=", c) != NULL;
}

/* Scan a macro-string; *macros counts macro-expands, *ends_in_macro says
 * whether the last element is a macro-expand (domain-end allows it). */
static int scan_macro_string(const char *s, size_t len, int exp_text,
			     unsigned int *macros, int *ends_in_macro,
			     char *errbuf, size_t errlen)
{
	*macros = 0;
	*ends_in_macro = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != '%') {
			if (c < 0x21 || c > 0x7e) {
				if (!(exp_text && c == ' '))
					return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
							"byte 0x%02x is not allowed in a macro-string", c);
			}
			*ends_in_macro = 0;
			continue;
		}
		if (++*macros > FA_SPF_MAX_MACROS)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"more than %d macros in one term",
					FA_SPF_MAX_MACROS);
		if (i + 1 >= len)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"'%%' at the end of \"%.*s\"", (int)len, s);
		char n = s[i + 1];
		if (n == '%' || n == '_' || n == '-') {
			i++;
			*ends_in_macro = 1;
			continue;
		}
		if (n != '{')
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"'%%%c' is not a macro (use %%%% for a literal %%)",
					n >= 0x21 && n <= 0x7e ? n : '?');
		size_t j = i + 2;
		if (j >= len || !is_macro_letter(s[j], exp_text))
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"unknown macro letter in \"%.*s\"", (int)len, s);
		j++;
		size_t digits = 0;
		unsigned int value = 0;
		while (j < len && isdigit((unsigned char)s[j])) {
			value = value * 10 + (unsigned int)(s[j] - '0');
			if (++digits > 3)
				return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
						"macro transformer too large in \"%.*s\"",
						(int)len, s);
			j++;
		}
		/* RFC 7208 7.3: a DIGIT transformer must be nonzero; labels
		 * of a name number at most 127. */
		if (digits && (value == 0 || value > 128))
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"macro transformer %u out of range 1..128", value);
		if (j < len && (s[j] == 'r' || s[j] == 'R'))
			j++;
		while (j < len && is_delimiter(s[j]))
			j++;
		if (j >= len || s[j] != '}')
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"malformed macro in \"%.*s\"", (int)len, s);
		i = j;
		*ends_in_macro = 1;
	}
	return 0;
}

int fa_spf_macro_string_check(const char *s, size_t len, int exp_text,
			      char *errbuf, size_t errlen)
{
	unsigned int macros;
	int ends;
	return scan_macro_string(s, len, exp_text, &macros, &ends, errbuf, errlen);
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int is_toplabel(const char *s, size_t len)
{
	int alpha = 0, hyphen = 0;
	if (len == 0 || len > 63 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[len - 1]))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalpha(c))
			alpha = 1;
		else if (c == '-')
			hyphen = 1;
		else if (!isdigit(c))
			return 0;
	}
	return alpha || hyphen;
}

static int check_domain_spec(const char *s, size_t len, int *has_macro,
			     char *errbuf, size_t errlen)
{
	unsigned int macros;
	int ends_in_macro;

	if (len == 0)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"empty domain-spec");
	if (len > FA_SPF_MAX_VALUE)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"domain-spec of %zu bytes, the limit is %d",
				len, FA_SPF_MAX_VALUE);
	int rc = scan_macro_string(s, len, 0, &macros, &ends_in_macro,
				   errbuf, errlen);
	if (rc)
		return rc;
	*has_macro = macros > 0;
	if (ends_in_macro)
		return 0;
	size_t end = len;
	if (s[end - 1] == '.')
		end--;
	size_t dot = end;
	while (dot > 0 && s[dot - 1] != '.')
		dot--;
	if (dot == 0 || !is_toplabel(s + dot, end - dot))
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"\"%.*s\" does not end in a valid top label",
				(int)len, s);
	return 0;
}

/* "/N" with no leading zero, N <= max; returns the value or -1. */
static int parse_prefix(const char *s, size_t len, int max)
{
	if (len < 2 || len > 4 || s[0] != '/')
		return -1;
	if (s[1] == '0' && len > 2)
		return -1;
	int v = 0;
	for (size_t i = 1; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Find a trailing "/digits" in s[0..*len) and cut it off; returns its start
 * or -1. */
static long trailing_prefix(const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	if (i == 0 || s[i - 1] != '/')
		return -1;
	return (long)(i - 1);
}

static int parse_ip4(const char *s, size_t len, unsigned char out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		size_t start = i;
		unsigned int v = 0;
		while (i < len && isdigit((unsigned char)s[i]) && i - start < 3)
			v = v * 10 + (unsigned int)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return -1;
		out[part] = (unsigned char)v;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
	}
	return i == len ? 0 : -1;
}

struct mech_def {
	const char *name;
	enum fa_spf_term_kind kind;
};

static const struct mech_def mechanisms[] = {
	{ "all", FA_SPF_ALL },
	{ "include", FA_SPF_INCLUDE },
	{ "a", FA_SPF_A },
	{ "mx", FA_SPF_MX },
	{ "ptr", FA_SPF_PTR },
	{ "ip4", FA_SPF_IP4 },
	{ "ip6", FA_SPF_IP6 },
	{ "exists", FA_SPF_EXISTS },
};

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Parse one mechanism's arguments (@rest, after its name). */
static int parse_mechanism(struct fa_spf_term *t, const char *term,
			   size_t tlen, const char *rest, size_t rlen,
			   char *errbuf, size_t errlen)
{
	const char *spec = NULL;
	size_t speclen = 0;

	switch (t->kind) {
	case FA_SPF_ALL:
		if (rlen)
			goto bad;
		return 0;
	case FA_SPF_INCLUDE:
	case FA_SPF_EXISTS:
		if (rlen < 1 || rest[0] != ':')
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"\"%.*s\" needs \":domain\"", (int)tlen, term);
		spec = rest + 1;
		speclen = rlen - 1;
		break;
	case FA_SPF_PTR:
		if (rlen) {
			if (rest[0] != ':')
				goto bad;
			spec = rest + 1;
			speclen = rlen - 1;
		}
		break;
	case FA_SPF_A:
	case FA_SPF_MX: {
		size_t end = rlen;
		long p = trailing_prefix(rest, end);
		if (p >= 0 && p > 0 && rest[p - 1] == '/') {
			t->cidr6 = parse_prefix(rest + p, end - (size_t)p, 128);
			if (t->cidr6 < 0)
				goto bad;
			end = (size_t)p - 1;
			p = trailing_prefix(rest, end);
		} else if (end >= 2 && rest[end - 1] == '/') {
			goto bad;
		}
		if (p >= 0) {
			t->cidr4 = parse_prefix(rest + p, end - (size_t)p, 32);
			if (t->cidr4 < 0)
				goto bad;
			end = (size_t)p;
		}
		if (end) {
			if (rest[0] != ':')
				goto bad;
			spec = rest + 1;
			speclen = end - 1;
			if (speclen == 0)
				goto bad;
		}
		break;
	}
	case FA_SPF_IP4:
	case FA_SPF_IP6: {
		int v6 = t->kind == FA_SPF_IP6;
		if (rlen < 2 || rest[0] != ':')
			goto bad;
		const char *net = rest + 1;
		size_t nlen = rlen - 1;
		const char *slash = memchr(net, '/', nlen);
		if (slash) {
			int prefix = parse_prefix(slash, nlen - (size_t)(slash - net),
						  v6 ? 128 : 32);
			if (prefix < 0)
				goto bad;
			if (v6)
				t->cidr6 = prefix;
			else
				t->cidr4 = prefix;
			nlen = (size_t)(slash - net);
		}
		if (v6) {
			char buf[INET6_ADDRSTRLEN + 1];
			if (nlen == 0 || nlen >= sizeof(buf))
				goto bad;
			/* @net is not NUL-terminated: no strspn */
			for (size_t k = 0; k < nlen; k++)
				if (!isxdigit((unsigned char)net[k]) &&
				    net[k] != ':' && net[k] != '.')
					goto bad;
			memcpy(buf, net, nlen);
			buf[nlen] = '\0';
			if (inet_pton(AF_INET6, buf, t->addr) != 1)
				goto bad;
		} else if (parse_ip4(net, nlen, t->addr) != 0) {
			goto bad;
		}
		t->value = dup_n(net, nlen);
		return t->value ? 0 : FROMAUTH_E_NOMEM;
	}
	default:
		goto bad;
	}
	if (spec) {
		int rc = check_domain_spec(spec, speclen, &t->has_macro,
					   errbuf, errlen);
		if (rc)
			return rc;
		t->value = dup_n(spec, speclen);
		if (!t->value)
			return FROMAUTH_E_NOMEM;
	}
	return 0;
bad:
	return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
			"malformed mechanism \"%.*s\"", (int)tlen, term);
}

static int parse_term(struct fa_spf_record *rec, const char *term, size_t tlen,
		      char *errbuf, size_t errlen)
{
	struct fa_spf_term *t = &rec->terms[rec->count];
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	t->qualifier = '+';
	t->cidr4 = t->cidr6 = -1;

	/* name "=" makes a modifier */
	while (n < tlen && (isalnum((unsigned char)term[n]) || term[n] == '-' ||
			    term[n] == '_' || term[n] == '.'))
		n++;
	if (n < tlen && term[n] == '=' && n > 0 && isalpha((unsigned char)term[0])) {
		const char *val = term + n + 1;
		size_t vlen = tlen - n - 1;
		int rc;
		if (n == 8 && !strncasecmp(term, "redirect", 8))
			t->kind = FA_SPF_REDIRECT;
		else if (n == 3 && !strncasecmp(term, "exp", 3))
			t->kind = FA_SPF_EXP;
		else
			t->kind = FA_SPF_UNKNOWN_MODIFIER;
		if (t->kind == FA_SPF_UNKNOWN_MODIFIER) {
			if (vlen > FA_SPF_MAX_VALUE)
				return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
						"modifier \"%.*s\" longer than %d bytes",
						(int)n, term, FA_SPF_MAX_VALUE);
			rc = fa_spf_macro_string_check(val, vlen, 0, errbuf, errlen);
		} else {
			if ((t->kind == FA_SPF_REDIRECT && rec->redirect) ||
			    (t->kind == FA_SPF_EXP && rec->exp))
				return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
						"more than one %.*s= modifier",
						(int)n, term);
			rc = check_domain_spec(val, vlen, &t->has_macro,
					       errbuf, errlen);
		}
		if (rc)
			return rc;
		t->text = dup_n(term, tlen);
		t->value = dup_n(val, vlen);
		if (!t->text || !t->value)
			goto nomem;
		rec->count++;
		if (t->kind == FA_SPF_REDIRECT)
			rec->redirect = t;
		else if (t->kind == FA_SPF_EXP)
			rec->exp = t;
		return 0;
	}

	const char *p = term;
	size_t plen = tlen;
	if (plen && strchr("+-~?", *p)) {
		t->qualifier = *p;
		t->explicit_qualifier = 1;
		p++;
		plen--;
	}
	n = 0;
	while (n < plen && isalnum((unsigned char)p[n]))
		n++;
	size_t m;
	for (m = 0; m < FA_ARRAY_SIZE(mechanisms); m++)
		if (strlen(mechanisms[m].name) == n &&
		    !strncasecmp(p, mechanisms[m].name, n))
			break;
	if (m == FA_ARRAY_SIZE(mechanisms))
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"unknown mechanism \"%.*s\"", (int)tlen, term);
	t->kind = mechanisms[m].kind;
	int rc = parse_mechanism(t, term, tlen, p + n, plen - n, errbuf, errlen);
	if (rc) {
		free(t->value);
		t->value = NULL;
		return rc;
	}
	t->text = dup_n(p, plen);
	if (!t->text)
		goto nomem;
	rec->count++;
	return 0;
nomem:
	free(t->text);
	free(t->value);
	t->text = t->value = NULL;
	return FROMAUTH_E_NOMEM;
}

int fa_spf_record_parse(const char *txt, size_t len, struct fa_spf_record **out,
			char *errbuf, size_t errlen)
{
	struct fa_spf_record *rec;
	int rc = 0;

	if (out)
		*out = NULL;
	if (!txt)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD, "no record");
	if (len > FA_SPF_MAX_RECORD)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"record of %zu bytes, the limit is %d",
				len, FA_SPF_MAX_RECORD);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)txt[i];
		if (c >= 0x80)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"non-ASCII byte 0x%02x at offset %zu (RFC 7208 3.1)",
					c, i);
		if (c < 0x20 || c == 0x7f)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"control byte 0x%02x at offset %zu", c, i);
	}
	if (!fa_spf_is_record(txt, len))
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"does not start with \"v=spf1\"");

	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return FROMAUTH_E_NOMEM;
	size_t cap = 0;
	size_t i = 6;
	while (i < len) {
		while (i < len && txt[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t start = i;
		while (i < len && txt[i] != ' ')
			i++;
		if (rec->count >= FA_SPF_MAX_TERMS) {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				      "more than %d terms", FA_SPF_MAX_TERMS);
			goto out;
		}
		if (rec->count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct fa_spf_term *nt = realloc(rec->terms, ncap * sizeof(*nt));
			if (!nt) {
				rc = FROMAUTH_E_NOMEM;
				goto out;
			}
			/* redirect/exp point into the array: rebase them */
			if (rec->redirect)
				rec->redirect = nt + (rec->redirect - rec->terms);
			if (rec->exp)
				rec->exp = nt + (rec->exp - rec->terms);
			rec->terms = nt;
			cap = ncap;
		}
		rc = parse_term(rec, txt + start, i - start, errbuf, errlen);
		if (rc)
			goto out;
	}
out:
	if (rc || !out)
		fa_spf_record_free(rec);
	else
		*out = rec;
	return rc;
}

void fa_spf_record_free(struct fa_spf_record *rec)
{
	if (!rec)
		return;
	for (size_t i = 0; i < rec->count; i++) {
		free(rec->terms[i].text);
		free(rec->terms[i].value);
	}
	free(rec->terms);
	free(rec);
}

/* A parse in the memo: the record, or why it is none. */
struct shared_parse {
	struct fa_spf_record *rec;
	int rc;
	char err[256];
};

static void shared_parse_dtor(void *val)
{
	fa_spf_record_free(((struct shared_parse *)val)->rec);
}

int fa_spf_record_parse_shared(struct fa_memo *memo, const char *txt, size_t len,
			       const struct fa_spf_record **rec, void **ref,
			       char *errbuf, size_t errlen)
{
	*rec = NULL;
	*ref = NULL;
	struct shared_parse *p = fa_memo_get_shared(memo, FA_MEMO_SPF_PARSE, txt, len);
	if (!p) {
		p = fa_memo_shared_new(sizeof(*p), shared_parse_dtor);
		if (!p) {
			fa_memo_abandon(memo, FA_MEMO_SPF_PARSE, txt, len);
			return FROMAUTH_E_NOMEM;
		}
		p->rc = fa_spf_record_parse(txt, len, &p->rec, p->err, sizeof(p->err));
		if (p->rc == FROMAUTH_E_NOMEM) {
			fa_memo_abandon(memo, FA_MEMO_SPF_PARSE, txt, len);
			fa_memo_shared_release(p);
			return FROMAUTH_E_NOMEM;
		}
		size_t terms = p->rec ? p->rec->count : 0;
		fa_memo_put_shared(memo, FA_MEMO_SPF_PARSE, txt, len, p, sizeof(*p) + 2 * len +
				   terms * (sizeof(struct fa_spf_term) + 64));
	}
	int rc = p->rc;
	if (rc) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s", p->err);
		fa_memo_shared_release(p);
		return rc;
	}
	*rec = p->rec;
	*ref = p;
	return 0;
}

int fa_spf_record_has_all(const struct fa_spf_record *rec)
{
	for (size_t i = 0; i < rec->count; i++)
		if (rec->terms[i].kind == FA_SPF_ALL)
			return 1;
	return 0;
}

int fa_spf_term_queries_dns(const struct fa_spf_term *t)
{
	switch (t->kind) {
	case FA_SPF_INCLUDE:
	case FA_SPF_A:
	case FA_SPF_MX:
	case FA_SPF_PTR:
	case FA_SPF_EXISTS:
	case FA_SPF_REDIRECT:
		return 1;
	default:
		return 0;
	}
}

/* ---- macro expansion (RFC 7208 section 7), used for exp= text ---- */

struct sbuf {
	char *s;
	size_t len, cap, max;
	int nomem;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->len + n > b->max)
		n = b->max - b->len;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, ncap);
		if (!ns) {
			b->nomem = 1;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void letter_value(char letter, const struct fa_spf_macro_vars *v,
			 char *buf, size_t buflen)
{
	const char *s = NULL;
	const char *at;

	switch (letter) {
	case 's':
		s = v->sender;
		break;
	case 'l':
		at = v->sender ? strrchr(v->sender, '@') : NULL;
		if (at) {
			snprintf(buf, buflen, "%.*s", (int)(at - v->sender), v->sender);
			return;
		}
		s = "postmaster";
		break;
	case 'o':
		at = v->sender ? strrchr(v->sender, '@') : NULL;
		s = at ? at + 1 : v->sender;
		break;
	case 'd':
		s = v->domain;
		break;
	case 'h':
		s = v->helo;
		break;
	case 'r':
		s = v->receiver ? v->receiver : "unknown";
		break;
	case 'p':
		s = v->validated ? v->validated : "unknown";
		break;
	case 'v':
		s = v->family == AF_INET6 ? "ip6" : "in-addr";
		break;
	case 't':
		snprintf(buf, buflen, "%lu", v->timestamp);
		return;
	case 'c':
		if (!inet_ntop(v->family, v->ip, buf, (socklen_t)buflen))
			snprintf(buf, buflen, "unknown");
		return;
	case 'i':
		if (v->family == AF_INET6) {
			size_t o = 0;
			for (int k = 0; k < 16 && o + 4 < buflen; k++)
				o += (size_t)snprintf(buf + o, buflen - o, "%s%X.%X",
						      k ? "." : "", v->ip[k] >> 4,
						      v->ip[k] & 15);
			return;
		}
		if (!inet_ntop(AF_INET, v->ip, buf, (socklen_t)buflen))
			snprintf(buf, buflen, "unknown");
		return;
	}
	snprintf(buf, buflen, "%s", s ? s : "");
}

static void url_escape(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || strchr("-._~", c)) {
			sb_add(b, (const char *)&c, 1);
		} else {
			char e[4];
			snprintf(e, sizeof(e), "%%%02X", c);
			sb_add(b, e, 3);
		}
	}
}

int fa_spf_macro_expand(const char *s, size_t len,
			const struct fa_spf_macro_vars *vars, size_t max,
			char **out)
{
	struct sbuf b = { .max = max };
	char value[1024];

	*out = NULL;
	if (fa_spf_macro_string_check(s, len, 1, NULL, 0) != 0)
		return FROMAUTH_E_RECORD;
	sb_add(&b, "", 0);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			sb_add(&b, s + i, 1);
			continue;
		}
		char n = s[++i];
		if (n == '%') {
			sb_add(&b, "%", 1);
			continue;
		}
		if (n == '_') {
			sb_add(&b, " ", 1);
			continue;
		}
		if (n == '-') {
			sb_add(&b, "%20", 3);
			continue;
		}
		/* %{ letter digits [r] delimiters } -- already checked;
		 * s[i] is the '{' */
		i++;
		char letter = s[i++];
		int upper = isupper((unsigned char)letter);
		unsigned int keep = 0;
		while (isdigit((unsigned char)s[i]))
			keep = keep * 10 + (unsigned int)(s[i++] - '0');
		int reverse = 0;
		if (s[i] == 'r' || s[i] == 'R') {
			reverse = 1;
			i++;
		}
		char delims[8] = "";
		size_t nd = 0;
		while (s[i] != '}') {
			if (nd < sizeof(delims) - 1 && !strchr(delims, s[i]))
				delims[nd++] = s[i];
			i++;
		}
		if (!nd)
			delims[nd++] = '.';
		delims[nd] = '\0';

		letter_value((char)tolower((unsigned char)letter), vars, value,
			     sizeof(value));
		/* split on the delimiters, reverse, keep the rightmost parts */
		const char *parts[256];
		size_t plen[256], np = 0;
		const char *p = value;
		for (;;) {
			size_t l = strcspn(p, delims);
			if (np < FA_ARRAY_SIZE(parts)) {
				parts[np] = p;
				plen[np++] = l;
			}
			if (!p[l])
				break;
			p += l + 1;
		}
		if (reverse)
			for (size_t a = 0, z = np - 1; a < z; a++, z--) {
				const char *tp = parts[a];
				size_t tl = plen[a];
				parts[a] = parts[z];
				plen[a] = plen[z];
				parts[z] = tp;
				plen[z] = tl;
			}
		size_t first = keep && keep < np ? np - keep : 0;
		for (size_t k = first; k < np; k++) {
			if (k > first)
				sb_add(&b, ".", 1);
			if (upper)
				url_escape(&b, parts[k], plen[k]);
			else
				sb_add(&b, parts[k], plen[k]);
		}
	}
	if (b.nomem) {
		free(b.s);
		return FROMAUTH_E_NOMEM;
	}
	*out = b.s;
	return 0;
}

/* ---- the record as handed to libspf2 ---- */

/*
 * libspf2 compiles a record's mechanisms into 511 bytes and silently
 * drops every mechanism that does not fit (spf_compile.c: BIG_MECH is
 * "do nothing, continue"): a record of 30 ip6 terms loses its -all and
 * answers neutral.  So a long record is cut into segments, each ending
 * in a redirect= to the next, which the DNS layer serves: redirect=
 * continues the evaluation where the segment stopped, as if no mechanism
 * had matched.  A redirect changes the current domain, so later segments
 * spell it out ("a" becomes "a:DOMAIN"), and a term whose macros read the
 * current domain cannot move.
 */
#define SEGMENT_BUDGET 400      /* of libspf2's 511, leaving room to chain */

/* An upper bound of what libspf2 compiles a term into. */
static size_t compiled_cost(const struct fa_spf_term *t, const char *text)
{
	size_t macros = 0;
	for (const char *p = text; *p; p++)
		macros += *p == '%';
	switch (t->kind) {
	case FA_SPF_ALL:
		return 4;
	case FA_SPF_IP4:
		return 8;
	case FA_SPF_IP6:
		return 20;
	default:
		/* mechanism, prefix, and per literal or macro part a
		 * 4-byte header and 4-byte alignment */
		return 16 + strlen(text) + 8 * (2 * macros + 1);
	}
}

/* The macro-expands of a screened value: calls @fn on each "{...}" body
 * (from the letter to before the '}'); stops at a nonzero return. */
static int each_macro(const char *v, int (*fn)(const char *body, size_t len, int arg),
		      int arg)
{
	for (const char *p = v; p && *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] != '{') {
			p += p[1] ? 1 : 0;      /* %% %_ %- */
			continue;
		}
		const char *end = strchr(p + 2, '}');
		if (!end)
			return 0;
		int r = fn(p + 2, (size_t)(end - p - 2), arg);
		if (r)
			return r;
		p = end;
	}
	return 0;
}

static int macro_reads(const char *body, size_t len, int letter)
{
	return len > 0 && tolower((unsigned char)body[0]) == letter;
}

static int reads_macro(const char *v, char letter)
{
	return each_macro(v, macro_reads, letter);
}

static int reads_domain_macro(const char *v)
{
	return reads_macro(v, 'd');
}

/* libspf2 splits only on . - + = _ (and a '|' of its own): a ',' or '/'
 * delimiter (RFC 7208 7.1) fails its compiler. */
static int macro_foreign_delimiter(const char *body, size_t len, int arg)
{
	(void)arg;
	for (size_t i = 1; i < len; i++)
		if (body[i] == ',' || body[i] == '/')
			return 1;
	return 0;
}

static int has_foreign_delimiter(const char *v)
{
	return v && each_macro(v, macro_foreign_delimiter, 0);
}

/*
 * @v with its macros expanded here, as a literal libspf2 takes as it is
 * ('%' and ' ' escaped its way); RFC 7208 7.3's cut to 253 bytes done.
 * NULL with *unsupported and @why set when that cannot be: no values
 * given, %{p} (only libspf2 validates names), %{h} without a HELO name,
 * or an expansion libspf2 cannot hold (empty, too long, control bytes).
 */
static char *own_expansion(const char *v, const struct fa_spf_macro_vars *vars,
			   int *unsupported, char *why, size_t whylen, int *rc)
{
	char *exp = NULL, lit[2 * FA_SPF_MAX_VALUE + 3];
	size_t n = 0;

	if (*unsupported)
		return NULL;    /* the record goes no further anyway */
	if (!vars || reads_macro(v, 'p')) {
		*unsupported = FA_SPF_UNSUPPORTED_MACRO;
		fa_error(why, whylen, 0, "\"%.100s\" has a macro delimiter (',' or '/') "
			 "that libspf2 cannot split on%s", v,
			 vars ? ", beside a %{p} macro only libspf2 can expand" : "");
		return NULL;
	}
	if (reads_macro(v, 'h') && (!vars->helo || !*vars->helo)) {
		*unsupported = FA_SPF_UNSUPPORTED_NO_HELO;
		fa_error(why, whylen, 0, "\"%.100s\" reads the HELO name (%%{h}), "
			 "and no HELO name was given", v);
		return NULL;
	}
	*rc = fa_spf_macro_expand(v, strlen(v), vars, 4096, &exp);
	if (*rc)
		return NULL;
	const char *name = exp;
	while (strlen(name) > 253 && strchr(name, '.'))
		name = strchr(name, '.') + 1;
	for (const char *p = name; *p && n + 2 < sizeof(lit); p++) {
		if (*p == '%' || *p == ' ')
			lit[n++] = '%';
		lit[n++] = *p == ' ' ? '_' : *p;
	}
	lit[n] = '\0';
	/* a name that is no domain name goes to DNS as libspf2's own
	 * expansions do (and matches nothing); only one libspf2 cannot take
	 * as a literal is refused */
	unsigned int macros;
	int ends;
	if (n == 0 || n > FA_SPF_MAX_VALUE ||
	    scan_macro_string(lit, n, 0, &macros, &ends, NULL, 0) != 0) {
		*unsupported = FA_SPF_UNSUPPORTED_MACRO;
		fa_error(why, whylen, 0, "\"%.100s\" expands to \"%.100s\", which "
			 "libspf2 cannot take as a name", v, name);
		free(exp);
		return NULL;
	}
	free(exp);
	char *out = strdup(lit);
	if (!out)
		*rc = FROMAUTH_E_NOMEM;
	return out;
}

struct term_text {
	char *head;             /* as written for the record's own domain */
	char *tail;             /* the same after a redirect (explicit domain) */
	size_t cost;            /* of head */
	size_t tail_cost;
	int movable;
};

static char *qualified(const struct fa_spf_term *t, const char *body)
{
	/* By hand: asprintf here was some 6 % of a check's instructions. */
	size_t q = t->explicit_qualifier && t->qualifier ? 1 : 0, len = strlen(body);
	char *out = malloc(q + len + 1);
	if (!out)
		return NULL;
	if (q)
		out[0] = t->qualifier;
	memcpy(out + q, body, len + 1);
	return out;
}

static void unsupported_form(int *unsupported, char *why, size_t whylen)
{
	if (*unsupported)
		return;
	*unsupported = FA_SPF_UNSUPPORTED_FORM;
	fa_error(why, whylen, 0, "it is too long for libspf2 to hold, or has an a or mx "
		 "prefix of /0 that cannot be spelled otherwise");
}

/* snprintf(dst, size, "%s", src), without its cost: most terms reach
 * libspf2 as they are written. */
static void copy_cut(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int term_texts(const struct fa_spf_term *t, int family,
		      const char *domain, const char *any_suffix,
		      const struct fa_spf_macro_vars *vars,
		      struct term_text *tt, int *unsupported, char *why, size_t whylen)
{
	char head[FA_SPF_MAX_VALUE + 80], tail[2 * FA_SPF_MAX_VALUE + 80];
	const char *name = t->kind == FA_SPF_A ? "a" : t->kind == FA_SPF_MX ? "mx" : "ptr";
	int mine = family == AF_INET6 ? t->cidr6 : t->cidr4;
	char cidr[16] = "";
	char *own = NULL;
	const char *value = t->value;

	if (has_foreign_delimiter(t->value)) {
		int rc = 0;
		own = own_expansion(t->value, vars, unsupported, why, whylen, &rc);
		if (rc)
			return rc;
		if (own)
			value = own;
	}
	tt->movable = !reads_domain_macro(value);
	switch (t->kind) {
	case FA_SPF_IP4:
		if (t->cidr4 == 0) {
			/* libspf2 cannot compile /0: two halves say the same */
			snprintf(head, sizeof(head), "ip4:0.0.0.0/1 %sip4:128.0.0.0/1",
				 t->explicit_qualifier ? (char[]){ t->qualifier, 0 } : "");
			break;
		}
		copy_cut(head, sizeof(head), t->text);
		break;
	case FA_SPF_IP6:
		if (t->cidr6 == 0) {
			snprintf(head, sizeof(head), "ip6:::/1 %sip6:8000::/1",
				 t->explicit_qualifier ? (char[]){ t->qualifier, 0 } : "");
			break;
		}
		copy_cut(head, sizeof(head), t->text);
		break;
	case FA_SPF_A:
	case FA_SPF_MX:
	case FA_SPF_PTR:
		if (t->kind != FA_SPF_PTR && mine == 0) {
			if (t->kind == FA_SPF_A && family == AF_INET) {
				/* a/0 for IPv4: any A record matches, as exists */
				snprintf(head, sizeof(head), "exists:%s",
					 value ? value : "%{d}");
				snprintf(tail, sizeof(tail), "exists:%s",
					 value ? value : domain);
				goto done;
			}
			/* the DNS layer answers NAME.SUFFIX with the client's
			 * address when NAME has any */
			if (!any_suffix || strlen(value ? value : domain) + 1 +
			    strlen(any_suffix) > FA_SPF_MAX_VALUE) {
				unsupported_form(unsupported, why, whylen);
				copy_cut(head, sizeof(head), t->text);
				break;
			}
			snprintf(head, sizeof(head), "%s:%s.%s", name,
				 value ? value : "%{d}", any_suffix);
			snprintf(tail, sizeof(tail), "%s:%s.%s", name,
				 value ? value : domain, any_suffix);
			goto done;
		}
		/* the other family's prefix does not matter here */
		if (t->kind != FA_SPF_PTR && family == AF_INET && t->cidr4 > 0)
			snprintf(cidr, sizeof(cidr), "/%d", t->cidr4);
		if (t->kind != FA_SPF_PTR && family == AF_INET6 && t->cidr6 > 0)
			snprintf(cidr, sizeof(cidr), "//%d", t->cidr6);
		snprintf(head, sizeof(head), "%s%s%s%s", name, value ? ":" : "",
			 value ? value : "", cidr);
		snprintf(tail, sizeof(tail), "%s:%s%s", name,
			 value ? value : domain, cidr);
		goto done;
	case FA_SPF_INCLUDE:
	case FA_SPF_EXISTS:
	case FA_SPF_REDIRECT:
		if (own) {
			snprintf(head, sizeof(head), "%s%s",
				 t->kind == FA_SPF_INCLUDE ? "include:"
				 : t->kind == FA_SPF_EXISTS ? "exists:" : "redirect=", own);
			break;
		}
		/* fall through */
	default:
		copy_cut(head, sizeof(head), t->text);
		break;
	}
	copy_cut(tail, sizeof(tail), head);
done:
	free(own);
	tt->head = qualified(t, head);
	tt->tail = qualified(t, tail);
	tt->cost = compiled_cost(t, head) * (strstr(head, " ") ? 2 : 1);
	tt->tail_cost = compiled_cost(t, tail) * (strstr(head, " ") ? 2 : 1);
	return tt->head && tt->tail ? 0 : FROMAUTH_E_NOMEM;
}

int fa_spf_record_reads_vars(const struct fa_spf_record *rec)
{
	for (size_t i = 0; rec && i < rec->count; i++)
		if (has_foreign_delimiter(rec->terms[i].value))
			return 1;
	return 0;
}

void fa_spf_segments_free(char **segments, size_t n)
{
	for (size_t i = 0; segments && i < n; i++)
		free(segments[i]);
	free(segments);
}

int fa_spf_record_for_libspf2(const struct fa_spf_record *rec, int family,
			      const char *domain, const char *any_suffix,
			      const struct fa_spf_macro_vars *vars,
			      char ***segments, size_t *nsegments, int *unsupported,
			      char *why, size_t whylen)
{
	struct term_text *tt = NULL;
	size_t n = 0, nseg = 1;
	int rc = 0;
	char **out = NULL;

	*segments = NULL;
	*nsegments = 0;
	*unsupported = 0;
	if (why && whylen)
		*why = '\0';
	if (!domain)
		domain = "%{d}";

	/* exp= only gives the explanation: one that libspf2 cannot
	 * compile and we cannot expand for it is dropped (RFC 7208 6.2:
	 * no explanation then) */
	char *own_exp = NULL;
	const char *exp = rec->exp ? rec->exp->value : NULL;
	if (has_foreign_delimiter(exp)) {
		int u = 0;
		char w[8];
		own_exp = own_expansion(exp, vars, &u, w, sizeof(w), &rc);
		if (rc)
			return rc;
		exp = own_exp;
	}

	/* mechanisms up to the first "all": nothing after it is evaluated,
	 * and redirect= is ignored beside it (RFC 7208 5.1, 6.1) */
	int has_all = 0;
	tt = calloc(rec->count + 1, sizeof(*tt));
	if (!tt) {
		free(own_exp);
		return FROMAUTH_E_NOMEM;
	}
	for (size_t i = 0; i < rec->count && !has_all; i++) {
		const struct fa_spf_term *t = &rec->terms[i];
		if (t->kind == FA_SPF_REDIRECT || t->kind == FA_SPF_EXP ||
		    t->kind == FA_SPF_UNKNOWN_MODIFIER)
			continue;  /* modifiers go last; unknown ones are ignored */
		has_all = t->kind == FA_SPF_ALL;
		rc = term_texts(t, family, domain, any_suffix, vars, &tt[n++], unsupported,
				why, whylen);
		if (rc)
			goto out;
	}
	if (rec->redirect && !has_all) {
		rc = term_texts(rec->redirect, family, domain, any_suffix, vars, &tt[n++],
				unsupported, why, whylen);
		if (rc)
			goto out;
	}

	/* where segments start: a term that does not fit */
	size_t cost = 0;
	int *starts = calloc(n + 1, sizeof(*starts));
	if (!starts) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t c = nseg > 1 ? tt[i].tail_cost : tt[i].cost;
		if (cost + c > SEGMENT_BUDGET && cost > 0) {
			starts[i] = 1;
			nseg++;
			cost = 0;
			c = tt[i].tail_cost;
		}
		cost += c;
	}
	int moved = 0;
	for (size_t i = 0, seg = 0; i < n; i++) {
		seg += (size_t)starts[i];
		if (seg > 0 && !tt[i].movable)
			unsupported_form(unsupported, why, whylen);
		moved |= seg > 0;
	}
	if (moved && exp && reads_domain_macro(exp))
		unsupported_form(unsupported, why, whylen);

	out = calloc(nseg, sizeof(*out));
	if (!out) {
		free(starts);
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	size_t seg = 0;
	struct sbuf b = { .max = FA_SPF_MAX_RECORD * 4 };
	sb_add(&b, "v=spf1", 6);
	for (size_t i = 0; i <= n; i++) {
		if (i == n || starts[i]) {
			/* exp= in every segment: it belongs to whichever
			 * one gives the result */
			if (exp) {
				sb_add(&b, " exp=", 5);
				sb_add(&b, exp, strlen(exp));
			}
			if (b.nomem) {
				free(b.s);
				rc = FROMAUTH_E_NOMEM;
				break;
			}
			out[seg++] = b.s;
			if (i == n)
				break;
			memset(&b, 0, sizeof(b));
			b.max = FA_SPF_MAX_RECORD * 4;
			sb_add(&b, "v=spf1", 6);
		}
		const char *text = seg > 0 ? tt[i].tail : tt[i].head;
		sb_add(&b, " ", 1);
		sb_add(&b, text, strlen(text));
	}
	free(starts);
	if (rc) {
		fa_spf_segments_free(out, seg);
		goto out;
	}
	*segments = out;
	*nsegments = nseg;
out:
	for (size_t i = 0; i < n; i++) {
		free(tt[i].head);
		free(tt[i].tail);
	}
	free(tt);
	free(own_exp);
	return rc;
}
