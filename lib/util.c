/* SPDX-License-Identifier: BSD-2-Clause */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "name-scan.h"
#include "private.h"

int fa_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;
	int rc = pthread_mutexattr_init(&attr);
	if (rc)
		return rc;
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	rc = pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
	return rc;
}

uint64_t fa_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

char *fa_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *fa_concat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	char *s = malloc(la + lb + lc + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	if (lc)
		memcpy(s + la + lb, c, lc);
	s[la + lb + lc] = '\0';
	return s;
}

/* Whether fa_escape_bytes() writes byte @c as it is. */
static inline int plain_byte(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') || c == '\t';
}

/* How many bytes of @p[0..n) come before the first one to escape: 16 at
 * a time where SSE2 is there, the last few by a block that overlaps the
 * one before (TXT records are mostly plain and longer than 16 bytes). */
static size_t plain_bytes(const unsigned char *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	if (n >= 16) {
		for (;; i += 16) {
			size_t at = i > n - 16 ? n - 16 : i;
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + at));
			/* 0x20 <= x < 0x7f, as a signed compare moved down by 128 */
			__m128i ok = _mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + 0x5f)),
						    _mm_add_epi8(x, _mm_set1_epi8((char)(-128 - 0x20))));
			ok = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
							   _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
					      ok);
			ok = _mm_or_si128(ok, _mm_cmpeq_epi8(x, _mm_set1_epi8('\t')));
			/* the bytes of an overlapping block before i are done */
			unsigned bits = ((unsigned)_mm_movemask_epi8(ok) ^ 0xffffu) >> (i - at);
			if (bits)
				return i + (size_t)__builtin_ctz(bits);
			if (at + 16 == n)
				return n;
		}
	}
#endif
	while (i < n && plain_byte(p[i]))
		i++;
	return i;
}

size_t fa_escape_bytes(char *out, const void *data, size_t len)
{
	static const char digits[] = "0123456789";
	const unsigned char *p = data;
	size_t n = 0;
	if (!len)
		return 0;
	for (size_t i = 0;;) {
		/* a run of bytes as they are, then one escaped */
		size_t run = plain_bytes(p + i, len - i);
		if (out && run)
			memcpy(out + n, p + i, run);
		n += run;
		i += run;
		if (i == len)
			return n;
		unsigned char c = p[i++];
		if (c == '"' || c == '\\') {
			if (out) {
				out[n] = '\\';
				out[n + 1] = (char)c;
			}
			n += 2;
		} else {
			if (out) {
				out[n] = '\\';
				out[n + 1] = digits[c / 100];
				out[n + 2] = digits[c / 10 % 10];
				out[n + 3] = digits[c % 10];
			}
			n += 4;
		}
	}
}

char *fa_escape_dup(const void *data, size_t len)
{
	char *out = malloc(fa_escape_bytes(NULL, data, len) + 1);
	if (!out)
		return NULL;
	out[fa_escape_bytes(out, data, len)] = '\0';
	return out;
}

/* One byte lower-cased: ASCII letters as DNS does, whatever the locale;
 * bytes from 0x80 by tolower(), as before. */
static inline char lower1(unsigned char c)
{
	if (c >= 0x80)
		return (char)tolower(c);
	return (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
}

#ifdef __SSE2__
/* @x with its ASCII capitals in lower case. */
static inline __m128i lower16(__m128i x)
{
	/* x - 'A' < 26 compared unsigned, as a signed compare moved down by
	 * 128 */
	__m128i up = _mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + 26)),
				    _mm_add_epi8(x, _mm_set1_epi8((char)(-128 - 'A'))));
	return _mm_or_si128(x, _mm_and_si128(up, _mm_set1_epi8(0x20)));
}
#endif

/* @s[0..n) lower-cased into @d by lower1(): 16 bytes at a time, the last
 * few by overlapping loads, and byte by byte where a byte from 0x80 is
 * (tolower() of those depends on the locale). */
static void lower_bytes(const char *s, size_t n, char *d)
{
	size_t i = 0;
#ifdef __SSE2__
	if (n >= 16) {
		for (;; i += 16) {
			/* the last block overlaps the one before */
			if (i > n - 16)
				i = n - 16;
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			if (_mm_movemask_epi8(x)) {
				for (size_t k = i; k < i + 16; k++)
					d[k] = lower1((unsigned char)s[k]);
			} else {
				_mm_storeu_si128((__m128i *)(void *)(d + i), lower16(x));
			}
			if (i + 16 == n)
				return;
		}
	} else if (n >= 8) {
		/* bytes 0..7 and n-8..n-1: all of them, some twice */
		__m128i x = _mm_unpacklo_epi64(
			_mm_loadl_epi64((const __m128i *)(const void *)s),
			_mm_loadl_epi64((const __m128i *)(const void *)(s + n - 8)));
		if (!_mm_movemask_epi8(x)) {
			x = lower16(x);
			_mm_storel_epi64((__m128i *)(void *)d, x);
			_mm_storel_epi64((__m128i *)(void *)(d + n - 8), _mm_unpackhi_epi64(x, x));
			return;
		}
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		__m128i x = _mm_unpacklo_epi32(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b));
		if (!_mm_movemask_epi8(x)) {
			x = lower16(x);
			a = (uint32_t)_mm_cvtsi128_si32(x);
			b = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(x, 4));
			memcpy(d, &a, 4);
			memcpy(d + n - 4, &b, 4);
			return;
		}
	}
#endif
	for (; i < n; i++)
		d[i] = lower1((unsigned char)s[i]);
}

char *fa_domain_normalize(const char *name)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	lower_bytes(name, len, out);
	out[len] = '\0';
	return out;
}

int fa_domain_check(const char *name, char *errbuf, size_t errlen)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	/* the usual case, a good name, 16 bytes at a time; any fault is
	 * found again below, byte by byte, to say which it is */
	char scratch[256];
	struct fa_name_dots dots;
	if (len > 0 && len <= 253 && !fa_name_scan(name, len, scratch, &dots) &&
	    fa_name_labels_ok(name, len, &dots, 1))
		return FROMAUTH_OK;
	if (len == 0)
		return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
				"empty domain name");
	if (len > 253)
		return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
				"domain name is %zu bytes long, the limit is 253",
				len);
	size_t label_start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			size_t label_len = i - label_start;
			if (label_len == 0)
				return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
						"empty label at offset %zu of \"%.*s\"",
						label_start, (int)len, name);
			if (label_len > 63)
				return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
						"label at offset %zu is %zu bytes long, the limit is 63",
						label_start, label_len);
			if (name[label_start] == '-' || name[i - 1] == '-')
				return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
						"label at offset %zu starts or ends with '-'",
						label_start);
			label_start = i + 1;
			continue;
		}
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '-' && c != '_')
			return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
					c >= 0x20 && c < 0x7f
					? "character '%c' at offset %zu is not allowed in a domain name"
					: "byte 0x%02x at offset %zu is not allowed in a domain name",
					c, i);
	}
	return FROMAUTH_OK;
}

size_t fa_domain_labels(const char *name)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '.')
			n++;
	return n;
}

int fa_domain_is_within(const char *sub, const char *parent)
{
	size_t ls = strlen(sub), lp = strlen(parent);
	if (ls > 0 && sub[ls - 1] == '.')
		ls--;
	if (lp > 0 && parent[lp - 1] == '.')
		lp--;
	if (lp == 0 || ls < lp)
		return 0;
	if (strncasecmp(sub + ls - lp, parent, lp) != 0)
		return 0;
	return ls == lp || sub[ls - lp - 1] == '.';
}
