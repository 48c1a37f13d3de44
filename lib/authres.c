/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 8601 Authentication-Results parser, section 2.2's grammar: an
 * authserv-id, an optional version, then "none" or resinfo entries
 * (";" method[/version] "=" result [reason=value] [ptype.property=value]...),
 * with CFWS anywhere and comments kept, since receivers put the useful
 * detail ("body hash did not verify") there.  Every field is hostile:
 * bounded counts, no recursion on nested comments.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "private.h"

struct cursor {
	const char *s;
	size_t len, pos;
	/* Comments seen since the last take_comments(). */
	char *comments;
	size_t comments_len;
	int nomem;
};

static void append_comment(struct cursor *c, const char *text, size_t len)
{
	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 0)
		return;
	size_t add = len + (c->comments_len ? 2 : 0);
	char *n = realloc(c->comments, c->comments_len + add + 1);
	if (!n) {
		c->nomem = 1;
		return;
	}
	c->comments = n;
	if (c->comments_len) {
		memcpy(n + c->comments_len, "; ", 2);
		c->comments_len += 2;
	}
	for (size_t i = 0; i < len; i++)
		n[c->comments_len++] = (text[i] == '\r' || text[i] == '\n' ||
					text[i] == '\0') ? ' ' : text[i];
	n[c->comments_len] = '\0';
}

/* Skip folding white space and comments; 0, or -1 for an unclosed comment. */
static int skip_cfws(struct cursor *c)
{
	while (c->pos < c->len) {
		char ch = c->s[c->pos];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			c->pos++;
			continue;
		}
		if (ch != '(')
			return 0;
		size_t start = ++c->pos, depth = 1;
		while (c->pos < c->len && depth > 0) {
			ch = c->s[c->pos];
			if (ch == '\\' && c->pos + 1 < c->len)
				c->pos++;
			else if (ch == '(')
				depth++;
			else if (ch == ')')
				depth--;
			c->pos++;
		}
		if (depth > 0)
			return -1;
		append_comment(c, c->s + start, c->pos - 1 - start);
	}
	return 0;
}

static char *take_comments(struct cursor *c)
{
	char *out = c->comments;
	c->comments = NULL;
	c->comments_len = 0;
	return out;
}

static int is_tspecial(char ch)
{
	return strchr("()<>@,;:\\\"/[]?=", ch) != NULL;
}

static char *dup_range(const char *s, size_t len, int lower)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++)
		out[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
	out[len] = '\0';
	return out;
}

/* A Keyword (letters, digits, '-', '_'); NULL with *err set when none. */
static char *keyword(struct cursor *c, int *err)
{
	size_t start = c->pos;
	while (c->pos < c->len && (isalnum((unsigned char)c->s[c->pos]) ||
				   c->s[c->pos] == '-' || c->s[c->pos] == '_'))
		c->pos++;
	if (c->pos == start) {
		*err = FROMAUTH_E_MESSAGE;
		return NULL;
	}
	char *k = dup_range(c->s + start, c->pos - start, 1);
	if (!k)
		*err = FROMAUTH_E_NOMEM;
	return k;
}

/* A quoted-string (unquoted on return) or, with @pvalue, anything up to
 * white space, ';' or '(' (addresses, domains, base64 of header.b);
 * otherwise an RFC 2045 token. */
static char *value(struct cursor *c, int pvalue, int *err)
{
	if (c->pos < c->len && c->s[c->pos] == '"') {
		char *out = malloc(c->len - c->pos + 1);
		size_t n = 0;
		if (!out) {
			*err = FROMAUTH_E_NOMEM;
			return NULL;
		}
		c->pos++;
		while (c->pos < c->len && c->s[c->pos] != '"') {
			char ch = c->s[c->pos];
			if (ch == '\\' && c->pos + 1 < c->len)
				ch = c->s[++c->pos];
			if (ch != '\r' && ch != '\n')
				out[n++] = ch == '\0' ? ' ' : ch;
			c->pos++;
		}
		if (c->pos >= c->len) {
			free(out);
			*err = FROMAUTH_E_MESSAGE;
			return NULL;
		}
		c->pos++;
		out[n] = '\0';
		return out;
	}
	size_t start = c->pos;
	while (c->pos < c->len) {
		unsigned char ch = (unsigned char)c->s[c->pos];
		if (ch <= ' ' || ch == 0x7f || ch == ';' || ch == '(')
			break;
		if (!pvalue && is_tspecial((char)ch))
			break;
		c->pos++;
	}
	if (c->pos == start) {
		*err = FROMAUTH_E_MESSAGE;
		return NULL;
	}
	char *v = dup_range(c->s + start, c->pos - start, 0);
	if (!v)
		*err = FROMAUTH_E_NOMEM;
	return v;
}

static int peek(struct cursor *c, char ch)
{
	return c->pos < c->len && c->s[c->pos] == ch;
}

static void result_clear(struct fa_authres_result *r)
{
	free(r->method);
	free(r->version);
	free(r->result);
	free(r->reason);
	free(r->comment);
	for (size_t i = 0; i < r->prop_count; i++) {
		free(r->props[i].ptype);
		free(r->props[i].property);
		free(r->props[i].value);
	}
	free(r->props);
	memset(r, 0, sizeof(*r));
}

void fa_authres_clear(struct fa_authres *ar)
{
	if (!ar)
		return;
	free(ar->authserv_id);
	free(ar->version);
	for (size_t i = 0; i < ar->result_count; i++)
		result_clear(&ar->results[i]);
	free(ar->results);
	memset(ar, 0, sizeof(*ar));
}

/* One resinfo after its ';': method [/version] = result, reason, props. */
static int parse_resinfo(struct cursor *c, struct fa_authres_result *r,
			 char *errbuf, size_t errlen)
{
	int err = 0;
	if (skip_cfws(c) < 0)
		goto syntax;
	r->method = keyword(c, &err);
	if (!r->method)
		goto error;
	if (skip_cfws(c) < 0)
		goto syntax;
	if (peek(c, '/')) {
		c->pos++;
		if (skip_cfws(c) < 0)
			goto syntax;
		r->version = value(c, 0, &err);
		if (!r->version)
			goto error;
		if (skip_cfws(c) < 0)
			goto syntax;
	}
	if (!peek(c, '='))
		goto syntax;
	c->pos++;
	if (skip_cfws(c) < 0)
		goto syntax;
	r->result = keyword(c, &err);
	if (!r->result)
		goto error;
	for (;;) {
		if (skip_cfws(c) < 0)
			goto syntax;
		if (c->pos >= c->len || peek(c, ';'))
			break;
		size_t save = c->pos;
		char *ptype = keyword(c, &err);
		if (!ptype)
			goto error;
		if (skip_cfws(c) < 0) {
			free(ptype);
			goto syntax;
		}
		if (strcmp(ptype, "reason") == 0 && peek(c, '=') && !r->reason) {
			free(ptype);
			c->pos++;
			if (skip_cfws(c) < 0)
				goto syntax;
			r->reason = value(c, 0, &err);
			if (!r->reason)
				goto error;
			continue;
		}
		if (!peek(c, '.')) {
			free(ptype);
			c->pos = save;
			goto syntax;
		}
		c->pos++;
		if (skip_cfws(c) < 0) {
			free(ptype);
			goto syntax;
		}
		char *property = keyword(c, &err);
		if (!property) {
			free(ptype);
			goto error;
		}
		char *pv = NULL;
		if (skip_cfws(c) == 0 && peek(c, '=')) {
			c->pos++;
			if (skip_cfws(c) == 0)
				pv = value(c, 1, &err);
			else
				err = FROMAUTH_E_MESSAGE;
		} else {
			err = FROMAUTH_E_MESSAGE;
		}
		if (!pv || r->prop_count == FA_AUTHRES_PROPS_MAX) {
			free(ptype);
			free(property);
			free(pv);
			if (pv)
				return fa_error(errbuf, errlen, FROMAUTH_E_RANGE,
						"more than %u properties in one result",
						FA_AUTHRES_PROPS_MAX);
			goto error;
		}
		struct fa_authres_prop *np = realloc(r->props, (r->prop_count + 1) * sizeof(*np));
		if (!np) {
			free(ptype);
			free(property);
			free(pv);
			return FROMAUTH_E_NOMEM;
		}
		r->props = np;
		np[r->prop_count++] = (struct fa_authres_prop){ ptype, property, pv };
	}
	if (c->nomem)
		return FROMAUTH_E_NOMEM;
	r->comment = take_comments(c);
	return 0;
syntax:
	err = FROMAUTH_E_MESSAGE;
error:
	if (err == FROMAUTH_E_NOMEM || c->nomem)
		return FROMAUTH_E_NOMEM;
	return fa_error(errbuf, errlen, FROMAUTH_E_MESSAGE,
			"malformed result near byte %zu of the field", c->pos + 1);
}

int fa_authres_parse(const char *text, size_t len, struct fa_authres *out,
		     char *errbuf, size_t errlen)
{
	if (!out)
		return FROMAUTH_E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!text)
		return FROMAUTH_E_INVAL;
	struct cursor c = { .s = text, .len = len };
	int err = 0, rc;

	if (skip_cfws(&c) < 0)
		goto syntax;
	out->authserv_id = value(&c, 1, &err);
	if (!out->authserv_id)
		goto error;
	/* A quoted "" is a value, but names no receiver to compare with. */
	if (!*out->authserv_id)
		goto syntax;
	if (skip_cfws(&c) < 0)
		goto syntax;
	if (c.pos < c.len && isdigit((unsigned char)c.s[c.pos])) {
		out->version = value(&c, 0, &err);
		if (!out->version)
			goto error;
		if (skip_cfws(&c) < 0)
			goto syntax;
	}
	free(take_comments(&c));
	if (c.pos >= c.len)
		goto syntax;    /* neither "none" nor a result */
	while (c.pos < c.len) {
		if (!peek(&c, ';'))
			goto syntax;
		c.pos++;
		if (skip_cfws(&c) < 0)
			goto syntax;
		if (c.pos >= c.len)
			break;  /* a trailing ';' is common and harmless */
		size_t save = c.pos;
		char *none = keyword(&c, &err);
		if (!none)
			goto error;
		int is_none = strcmp(none, "none") == 0;
		free(none);
		if (is_none && skip_cfws(&c) == 0 && c.pos >= c.len && out->result_count == 0)
			break;
		c.pos = save;
		if (out->result_count == FA_AUTHRES_RESULTS_MAX) {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_RANGE,
				      "more than %u results in one field", FA_AUTHRES_RESULTS_MAX);
			goto fail;
		}
		struct fa_authres_result *nr = realloc(out->results,
						       (out->result_count + 1) * sizeof(*nr));
		if (!nr) {
			rc = FROMAUTH_E_NOMEM;
			goto fail;
		}
		out->results = nr;
		memset(&nr[out->result_count], 0, sizeof(*nr));
		rc = parse_resinfo(&c, &nr[out->result_count], errbuf, errlen);
		out->result_count++;
		if (rc != 0)
			goto fail;
	}
	free(take_comments(&c));
	return 0;
syntax:
	err = FROMAUTH_E_MESSAGE;
error:
	if (err == FROMAUTH_E_NOMEM || c.nomem) {
		rc = FROMAUTH_E_NOMEM;
	} else {
		rc = fa_error(errbuf, errlen, FROMAUTH_E_MESSAGE,
			      "malformed Authentication-Results near byte %zu", c.pos + 1);
	}
fail:
	free(take_comments(&c));
	fa_authres_clear(out);
	return rc;
}

const char *fa_authres_prop(const struct fa_authres_result *r, const char *ptype,
			    const char *property)
{
	for (size_t i = 0; r && i < r->prop_count; i++)
		if (strcasecmp(r->props[i].ptype, ptype) == 0 &&
		    strcasecmp(r->props[i].property, property) == 0)
			return r->props[i].value;
	return NULL;
}

const struct fa_authres_result *fa_authres_find(const struct fa_authres *ar,
						const char *method, const char *d)
{
	for (size_t i = 0; ar && i < ar->result_count; i++) {
		const struct fa_authres_result *r = &ar->results[i];
		if (strcmp(r->method, method) != 0)
			continue;
		if (!d)
			return r;
		const char *hd = fa_authres_prop(r, "header", "d");
		const char *hi = fa_authres_prop(r, "header", "i");
		const char *at = hi ? strrchr(hi, '@') : NULL;
		if ((hd && strcasecmp(hd, d) == 0) || (at && strcasecmp(at + 1, d) == 0))
			return r;
	}
	return NULL;
}
