/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 5322 message framing for `fromauth verify`: split the header
 * section into fields (RFC 5322 section 2.2, folding kept as DKIM needs
 * it) and find the body.  Line ends become CRLF first, so LF-only input
 * (as saved by most mail clients) verifies like what was signed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "message.h"
#include "private.h"

void fa_message_clear(struct fa_message *m)
{
	if (!m)
		return;
	free(m->data);
	free(m->headers);
	memset(m, 0, sizeof(*m));
}

/* The input with every bare LF turned into CRLF. */
static char *to_crlf(const char *in, size_t len, size_t *out_len)
{
	size_t extra = 0;
	for (size_t i = 0; i < len; i++)
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			extra++;
	char *out = malloc(len + extra + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			out[n++] = '\r';
		out[n++] = in[i];
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* End of the line starting at @p: the offset of its CRLF, or @len. */
static size_t line_end(const char *d, size_t p, size_t len)
{
	const char *nl = p < len ? memchr(d + p, '\n', len - p) : NULL;
	while (nl && (nl == d + p || nl[-1] != '\r'))
		nl = memchr(nl + 1, '\n', (size_t)(d + len - nl - 1));
	return nl ? (size_t)(nl - 1 - d) : len;
}

static int is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

int fa_message_parse(const char *msg, size_t len, struct fa_message *out,
		     char *errbuf, size_t errlen)
{
	if (!out)
		return FROMAUTH_E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!msg)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no message");
	if (len > FA_MESSAGE_MAX)
		return fa_error(errbuf, errlen, FROMAUTH_E_RANGE,
				"the message has %zu bytes; at most %u are verified",
				len, FA_MESSAGE_MAX);
	out->data = to_crlf(msg, len, &out->len);
	if (!out->data)
		return FROMAUTH_E_NOMEM;

	const char *d = out->data;
	size_t n = out->len, p = 0, line = 1, cap = 0;
	int rc = 0;

	/* An mbox separator is not a header field. */
	if (n >= 5 && memcmp(d, "From ", 5) == 0) {
		p = line_end(d, 0, n);
		p = p < n ? p + 2 : n;
		line++;
	}
	while (p < n) {
		size_t e = line_end(d, p, n);
		if (e == p) {                   /* the empty line */
			out->body_offset = e + 2 <= n ? e + 2 : n;
			goto done;
		}
		if (d[p] == ' ' || d[p] == '\t') {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_MESSAGE,
				      "line %zu: a continuation line without a header field before it",
				      line);
			goto fail;
		}
		size_t name_end = p;
		while (name_end < e && is_ftext((unsigned char)d[name_end]))
			name_end++;
		size_t colon = name_end;
		while (colon < e && (d[colon] == ' ' || d[colon] == '\t'))
			colon++;        /* obsolete "Name :" (RFC 5322 4.5) */
		if (name_end == p || colon >= e || d[colon] != ':') {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_MESSAGE,
				      "line %zu: not a header field (no \"Name:\"); is this a message?",
				      line);
			goto fail;
		}
		/* Folded continuation lines belong to this field. */
		size_t fe = e;
		line++;
		while (fe + 2 < n && (d[fe + 2] == ' ' || d[fe + 2] == '\t')) {
			fe = line_end(d, fe + 2, n);
			line++;
		}
		if (fe - p > FA_MESSAGE_FIELD_MAX) {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_RANGE,
				      "line %zu: a header field of %zu bytes; at most %u are read",
				      line - 1, fe - p, FA_MESSAGE_FIELD_MAX);
			goto fail;
		}
		if (out->header_count == FA_MESSAGE_HEADERS_MAX) {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_RANGE,
				      "more than %u header fields", FA_MESSAGE_HEADERS_MAX);
			goto fail;
		}
		if (out->header_count == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct fa_header *h = realloc(out->headers, ncap * sizeof(*h));
			if (!h) {
				rc = FROMAUTH_E_NOMEM;
				goto fail;
			}
			out->headers = h;
			cap = ncap;
		}
		struct fa_header *h = &out->headers[out->header_count++];
		h->name = d + p;
		h->name_len = name_end - p;
		h->field = d + p;
		h->field_len = fe - p;
		h->value = d + colon + 1;
		h->value_len = fe - colon - 1;
		p = fe < n ? fe + 2 : n;
	}
	out->body_offset = n;
done:
	if (out->header_count == 0) {
		rc = fa_error(errbuf, errlen, FROMAUTH_E_MESSAGE,
			      "no header fields: this is not an RFC 5322 message");
		goto fail;
	}
	return 0;
fail:
	fa_message_clear(out);
	return rc;
}

int fa_header_is(const struct fa_header *h, const char *name)
{
	return h && strlen(name) == h->name_len &&
	       strncasecmp(h->name, name, h->name_len) == 0;
}

char *fa_header_unfold(const struct fa_header *h)
{
	char *out = malloc(h->value_len + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < h->value_len; i++) {
		char c = h->value[i];
		if (c == '\r' && i + 1 < h->value_len && h->value[i + 1] == '\n') {
			i++;
			continue;
		}
		out[n++] = c == '\0' ? ' ' : c;
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	size_t s = 0;
	while (s < n && (out[s] == ' ' || out[s] == '\t'))
		s++;
	memmove(out, out + s, n - s);
	out[n - s] = '\0';
	return out;
}

size_t fa_message_count(const struct fa_message *m, const char *name)
{
	size_t c = 0;
	for (size_t i = 0; i < m->header_count; i++)
		c += fa_header_is(&m->headers[i], name);
	return c;
}

size_t fa_message_find(const struct fa_message *m, const char *name, size_t from)
{
	for (size_t i = from; i < m->header_count; i++)
		if (fa_header_is(&m->headers[i], name))
			return i;
	return m->header_count;
}
