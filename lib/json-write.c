/* SPDX-License-Identifier: BSD-2-Clause */
/* Hand-written because json-c has no streaming writer and building its tree
 * cost a quarter of a check; tests/test-json.c holds it to json-c's bytes. */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
	/* exactly @hint: growing to it would double past it */
	if (hint && !(w->buf = malloc(hint)))
		w->failed = 1;
	else
		w->cap = hint;
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

/* Bytes json-c escapes: those below 0x20, '"', '\\', and '/' unless
 * NOSLASHESCAPE; 0x7f and up are copied as they are. */
#define CONTROLS \
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, \
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char esc_plain[256] = { CONTROLS, ['"'] = 1, ['\\'] = 1 };
static const unsigned char esc_slash[256] = { CONTROLS, ['"'] = 1, ['\\'] = 1, ['/'] = 1 };

/* How many bytes of @s[0..len) come before the first one to escape:
 * 16 at a time where SSE2 is there (a check's text is mostly plain). */
static size_t plain_run(const struct fa_jw *w, const char *s, size_t len)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i low = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i slash = _mm_set1_epi8(w->slash ? '/' : '"');
	for (; len - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* max(x, 0x1f) == 0x1f: x is below 0x20, compared unsigned */
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, low), low),
				     _mm_cmpeq_epi8(x, quote)),
			_mm_or_si128(_mm_cmpeq_epi8(x, bslash), _mm_cmpeq_epi8(x, slash)));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz(bits);
	}
#endif
	const unsigned char *t = w->slash ? esc_slash : esc_plain;
	while (i < len && !t[(unsigned char)s[i]])
		i++;
	return i;
}

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

void fa_jw_escape(struct fa_jw *w, const char *s, size_t len)
{
	for (;;) {
		size_t n = plain_run(w, s, len);
		put(w, s, n);
		if (n == len)
			return;
		escape1(w, (unsigned char)s[n]);
		s += n + 1;
		len -= n + 1;
	}
}

static void escape_z(struct fa_jw *w, const char *s)
{
	fa_jw_escape(w, s, strlen(s));
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
