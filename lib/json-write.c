/* SPDX-License-Identifier: BSD-2-Clause */
/* Hand-written because json-c has no streaming writer and building its tree
 * cost a quarter of a check; tests/test-json.c holds it to json-c's bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json-write.h"

int fa_jw_grow(struct fa_jw *w, size_t n)
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

static inline void put(struct fa_jw *w, const char *s, size_t n)
{
	if (fa_jw_room(w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static inline void put1(struct fa_jw *w, char c)
{
	if (fa_jw_room(w, 1))
		w->buf[w->len++] = c;
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
	if (fa_jw_room(w, 0)) {
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

#ifdef __SSE2__
/* 0xff for each byte of @x that json-c escapes; @slash is '/' or, when
 * '/' stays as it is, '"' again. */
static inline __m128i esc_vec(__m128i x, __m128i slash)
{
	const __m128i low = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	/* max(x, 0x1f) == 0x1f: x is below 0x20, compared unsigned */
	return _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, low), low),
					 _mm_cmpeq_epi8(x, quote)),
			    _mm_or_si128(_mm_cmpeq_epi8(x, bslash), _mm_cmpeq_epi8(x, slash)));
}

/* One bit per byte of @x that json-c escapes. */
static inline unsigned esc_bits(__m128i x, __m128i slash)
{
	return (unsigned)_mm_movemask_epi8(esc_vec(x, slash));
}
#endif

/* Copies the bytes of @s[0..len) that come before the first one to escape
 * to @d (room for @len bytes), and says how many.  Scanned and copied 16
 * or 32 bytes at a time where SSE2 is there (a check's text is mostly
 * plain), the last few by two overlapping loads and stores, so that no
 * byte past @len is read or written. */
static size_t copy_plain(const struct fa_jw *w, const char *s, size_t len, char *d)
{
	const unsigned char *t = w->slash ? esc_slash : esc_plain;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i slash = _mm_set1_epi8(w->slash ? '/' : '"');
	/* two blocks a round while there are: one test for both */
	for (; len - i >= 32; i += 32) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
		_mm_storeu_si128((__m128i *)(void *)(d + i), x);
		_mm_storeu_si128((__m128i *)(void *)(d + i + 16), y);
		__m128i ex = esc_vec(x, slash);
		if (_mm_movemask_epi8(_mm_or_si128(ex, esc_vec(y, slash)))) {
			unsigned bits = (unsigned)_mm_movemask_epi8(ex);
			if (bits)
				return i + (size_t)__builtin_ctz(bits);
			return i + 16 + (size_t)__builtin_ctz(esc_bits(y, slash));
		}
	}
	for (; len - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		_mm_storeu_si128((__m128i *)(void *)(d + i), x);
		unsigned bits = esc_bits(x, slash);
		if (bits)
			return i + (size_t)__builtin_ctz(bits);
	}
	size_t n = len - i;
	if (n >= 8) {
		/* bytes i..i+7 and len-8..len-1: all of the rest, some twice */
		__m128i a = _mm_loadl_epi64((const __m128i *)(const void *)(s + i));
		__m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(s + len - 8));
		_mm_storel_epi64((__m128i *)(void *)(d + i), a);
		_mm_storel_epi64((__m128i *)(void *)(d + len - 8), b);
		if (!esc_bits(_mm_unpacklo_epi64(a, b), slash))
			return len;
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s + i, 4);
		memcpy(&b, s + len - 4, 4);
		memcpy(d + i, &a, 4);
		memcpy(d + len - 4, &b, 4);
		__m128i x = _mm_unpacklo_epi32(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b));
		/* the upper 8 lanes are zero, which would count as controls */
		if (!(esc_bits(x, slash) & 0xff))
			return len;
	}
	/* fewer than 4 bytes, or one of the last to escape: the bytes before
	 * it are copied already, find it */
#endif
	while (i < len && !t[(unsigned char)s[i]]) {
		d[i] = s[i];
		i++;
	}
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
		/* room for all of it, if none is to be escaped */
		if (!fa_jw_room(w, len))
			return;
		size_t n = copy_plain(w, s, len, w->buf + w->len);
		w->len += n;
		if (n == len)
			return;
		escape1(w, (unsigned char)s[n]);
		s += n + 1;
		len -= n + 1;
	}
}

/* A comma when a member or element comes before, as one store and an
 * add: the caller made room for it. */
static inline char *comma_at(struct fa_jw *w)
{
	char *p = w->buf + w->len;
	*p = ',';
	return p + w->comma;
}

/* @c after a comma if one is due; what comes next is no member yet. */
static inline void open1(struct fa_jw *w, char c)
{
	if (fa_jw_room(w, 2)) {
		char *p = comma_at(w);
		*p++ = c;
		w->len = (size_t)(p - w->buf);
	}
	w->comma = 0;
}

void fa_jw_obj(struct fa_jw *w)
{
	open1(w, '{');
}

void fa_jw_obj_end(struct fa_jw *w)
{
	put1(w, '}');
	w->comma = 1;
}

void fa_jw_arr(struct fa_jw *w)
{
	open1(w, '[');
}

void fa_jw_arr_end(struct fa_jw *w)
{
	put1(w, ']');
	w->comma = 1;
}

void fa_jw_key3(struct fa_jw *w, const char *a, const char *s, const char *b)
{
	open1(w, '"');
	fa_jw_escape(w, a, strlen(a));
	fa_jw_escape(w, s, strlen(s));
	fa_jw_escape(w, b, strlen(b));
	put(w, "\":", 2);
	w->comma = 0;
}

void fa_jw_str(struct fa_jw *w, const char *s)
{
	if (!s) {
		fa_jw_null(w);
		return;
	}
	size_t len = strlen(s);
	/* comma, quotes and the bytes: one check of the room when nothing
	 * is to be escaped */
	if (fa_jw_room(w, len + 3)) {
		char *p = comma_at(w);
		*p++ = '"';
		size_t n = copy_plain(w, s, len, p);
		p += n;
		w->len = (size_t)(p - w->buf);
		if (n < len) {
			escape1(w, (unsigned char)s[n]);
			fa_jw_escape(w, s + n + 1, len - n - 1);
		}
		put1(w, '"');
	}
	w->comma = 1;
}

/* @s[0..n) after a comma if one is due; a value, so a comma follows. */
static inline void value(struct fa_jw *w, const char *s, size_t n)
{
	if (fa_jw_room(w, n + 1)) {
		char *p = comma_at(w);
		memcpy(p, s, n);
		w->len = (size_t)(p + n - w->buf);
	}
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
	value(w, p, (size_t)(d + sizeof(d) - p));
}

void fa_jw_bool(struct fa_jw *w, int b)
{
	if (b)
		value(w, "true", 4);
	else
		value(w, "false", 5);
}

void fa_jw_null(struct fa_jw *w)
{
	value(w, "null", 4);
}
