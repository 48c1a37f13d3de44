/* SPDX-License-Identifier: BSD-2-Clause */
/* Hand-written because json-c has no streaming writer and building its tree
 * cost a quarter of a check; tests/test-json.c holds it to json-c's bytes. */
#include <stdlib.h>
#include <string.h>

#include "json-write.h"

/* Room for @n more bytes and the final NUL, growing the buffer; false
 * once anything failed. */
static int grow(struct fa_jw *w, size_t n)
{
	if (w->failed)
		return 0;
	size_t cap = w->cap ? w->cap : 64;
	while (cap - w->len <= n) {
		if (cap > ((size_t)-1) / 2)
			goto fail;
		cap *= 2;
	}
	char *b = realloc(w->buf, cap);
	if (!b)
		goto fail;
	w->buf = b;
	w->cap = cap;
	return 1;
fail:
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	w->failed = 1;
	return 0;
}

static inline int reserve(struct fa_jw *w, size_t n)
{
	/* a failed writer has cap 0, so it always takes the slow path */
	return w->cap - w->len > n || grow(w, n);
}

static inline void put(struct fa_jw *w, const char *s, size_t n)
{
	if (reserve(w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static inline void put1(struct fa_jw *w, char c)
{
	if (reserve(w, 1))
		w->buf[w->len++] = c;
}

/* A comma between members or elements. */
static void sep(struct fa_jw *w)
{
	if (w->comma)
		put1(w, ',');
}

void fa_jw_init(struct fa_jw *w, size_t hint, int escape_slash)
{
	memset(w, 0, sizeof(*w));
	w->slash = escape_slash != 0;
	if (hint)
		reserve(w, hint);
}

char *fa_jw_finish(struct fa_jw *w)
{
	char *text = NULL;
	if (reserve(w, 0)) {
		w->buf[w->len] = '\0';
		text = w->buf;
	}
	memset(w, 0, sizeof(*w));
	return text;
}

/* What json-c does with each byte: 0 copy it, 1 escape it; NUL (2) ends a
 * C string.  '/' is escaped unless NOSLASHESCAPE; 0x7f and up are copied
 * as they are. */
#define CONTROLS \
	2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, \
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char esc_plain[256] = { CONTROLS, ['"'] = 1, ['\\'] = 1 };
static const unsigned char esc_slash[256] = { CONTROLS, ['"'] = 1, ['\\'] = 1, ['/'] = 1 };

/* One byte's escape sequence. */
static void escape1(struct fa_jw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', (char)c, '0', '0', 0, 0 };
	switch (c) {
	case '\b': e[1] = 'b'; break;
	case '\n': e[1] = 'n'; break;
	case '\r': e[1] = 'r'; break;
	case '\t': e[1] = 't'; break;
	case '\f': e[1] = 'f'; break;
	case '"': case '\\': case '/': break;
	default:
		e[1] = 'u';
		e[4] = hex[c >> 4];
		e[5] = hex[c & 0xf];
		put(w, e, 6);
		return;
	}
	put(w, e, 2);
}

/* The C string @s escaped, read once (no strlen). */
static void escape_z(struct fa_jw *w, const char *s)
{
	const unsigned char *t = w->slash ? esc_slash : esc_plain;
	const char *start = s;
	for (;; s++) {
		unsigned char k = t[(unsigned char)*s];
		if (!k)
			continue;
		put(w, start, (size_t)(s - start));
		if (k == 2)
			return;
		escape1(w, (unsigned char)*s);
		start = s + 1;
	}
}

void fa_jw_escape(struct fa_jw *w, const char *s, size_t len)
{
	const unsigned char *t = w->slash ? esc_slash : esc_plain;
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (!t[(unsigned char)s[i]])
			continue;
		put(w, s + start, i - start);
		escape1(w, (unsigned char)s[i]);
		start = i + 1;
	}
	put(w, s + start, len - start);
}

void fa_jw_obj(struct fa_jw *w)
{
	sep(w);
	put1(w, '{');
	w->comma = 0;
}

void fa_jw_obj_end(struct fa_jw *w)
{
	put1(w, '}');
	w->comma = 1;
}

void fa_jw_arr(struct fa_jw *w)
{
	sep(w);
	put1(w, '[');
	w->comma = 0;
}

void fa_jw_arr_end(struct fa_jw *w)
{
	put1(w, ']');
	w->comma = 1;
}

void fa_jw_rawkey(struct fa_jw *w, const char *quoted, size_t len)
{
	sep(w);
	put(w, quoted, len);
	w->comma = 0;
}

void fa_jw_key3(struct fa_jw *w, const char *a, const char *s, const char *b)
{
	sep(w);
	put1(w, '"');
	escape_z(w, a);
	escape_z(w, s);
	escape_z(w, b);
	put(w, "\":", 2);
	w->comma = 0;
}

void fa_jw_str(struct fa_jw *w, const char *s)
{
	if (!s) {
		fa_jw_null(w);
		return;
	}
	sep(w);
	put1(w, '"');
	escape_z(w, s);
	put1(w, '"');
	w->comma = 1;
}

void fa_jw_int(struct fa_jw *w, long long v)
{
	char d[24], *p = d + sizeof(d);
	/* the magnitude as unsigned, so LLONG_MIN does not overflow */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	sep(w);
	put(w, p, (size_t)(d + sizeof(d) - p));
	w->comma = 1;
}

void fa_jw_bool(struct fa_jw *w, int b)
{
	sep(w);
	if (b)
		put(w, "true", 4);
	else
		put(w, "false", 5);
	w->comma = 1;
}

void fa_jw_null(struct fa_jw *w)
{
	sep(w);
	put(w, "null", 4);
	w->comma = 1;
}
