/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host names checked and lower-cased 16 bytes at a time (SSE2 where it is
 * there), for the DNS key of every question (dns-rr.c) and the name
 * helpers of util.c: byte by byte, each cost a check some 10,000
 * instructions.  Inline, header only: both files sit on the lowest floor.
 */
#ifndef FROMAUTH_NAME_SCAN_H
#define FROMAUTH_NAME_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The '.' of a name of up to 256 bytes: bit i of word i / 64 for byte i. */
struct fa_name_dots {
	uint64_t w[4];
};

#ifdef __SSE2__
/* @x lower-cased (ASCII letters only); *@bad gets a bit for each byte
 * that is no letter, digit, '-', '_' or '.', *@dot one for each '.'. */
static inline __m128i fa_name_lower16(__m128i x, unsigned *bad, unsigned *dot)
{
	/* c - lo < n compared unsigned, as a signed compare of both sides
	 * moved down by 128 */
#define FA_IN_RANGE(v, lo, n) \
	_mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + (n))), \
		       _mm_add_epi8((v), _mm_set1_epi8((char)(-128 - (lo)))))
	__m128i up = FA_IN_RANGE(x, 'A', 26);
	__m128i l = _mm_or_si128(x, _mm_and_si128(up, _mm_set1_epi8(0x20)));
	__m128i ok = _mm_or_si128(FA_IN_RANGE(l, 'a', 26), FA_IN_RANGE(x, '0', 10));
#undef FA_IN_RANGE
	__m128i d = _mm_cmpeq_epi8(x, _mm_set1_epi8('.'));
	ok = _mm_or_si128(_mm_or_si128(ok, d),
			  _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')),
				       _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
	*bad = (unsigned)_mm_movemask_epi8(ok) ^ 0xffffu;
	*dot = (unsigned)_mm_movemask_epi8(d);
	return l;
}

static inline void fa_name_dots_at(struct fa_name_dots *dots, size_t at, uint64_t bits)
{
	dots->w[at / 64] |= bits << (at % 64);
	if (at % 64 > 48)
		dots->w[at / 64 + 1] |= bits >> (64 - at % 64);
}
#endif

/* Writes the @len (1 to 253) bytes of @s to @d lower-cased (ASCII letters
 * only) and marks their dots in @dots; 0, or -1 when a byte is no letter,
 * digit, '-', '_' or '.' (@d then holds anything).  Reads and writes no
 * byte past @len. */
static inline int fa_name_scan(const char *s, size_t len, char *d, struct fa_name_dots *dots)
{
	memset(dots, 0, sizeof(*dots));
	size_t i = 0;
#ifdef __SSE2__
	unsigned bad, dot;
	if (len >= 16) {
		for (;; i += 16) {
			/* the last block overlaps the one before: same bytes, same
			 * result */
			if (i > len - 16)
				i = len - 16;
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			_mm_storeu_si128((__m128i *)(void *)(d + i),
					 fa_name_lower16(x, &bad, &dot));
			if (bad)
				return -1;
			fa_name_dots_at(dots, i, dot);
			if (i + 16 == len)
				return 0;
		}
	}
	if (len >= 8) {
		/* bytes 0..7 and len-8..len-1: all of them, some twice */
		__m128i a = _mm_loadl_epi64((const __m128i *)(const void *)s);
		__m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(s + len - 8));
		__m128i l = fa_name_lower16(_mm_unpacklo_epi64(a, b), &bad, &dot);
		if (bad)
			return -1;
		_mm_storel_epi64((__m128i *)(void *)d, l);
		_mm_storel_epi64((__m128i *)(void *)(d + len - 8), _mm_unpackhi_epi64(l, l));
		dots->w[0] = (uint64_t)(dot & 0xff) | (uint64_t)(dot >> 8) << (len - 8);
		return 0;
	}
	if (len >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		__m128i l = fa_name_lower16(_mm_unpacklo_epi32(_mm_cvtsi32_si128((int)a),
							       _mm_cvtsi32_si128((int)b)),
					    &bad, &dot);
		/* only the low 8 lanes hold bytes of the name */
		if (bad & 0xff)
			return -1;
		a = (uint32_t)_mm_cvtsi128_si32(l);
		b = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(l, 4));
		memcpy(d, &a, 4);
		memcpy(d + len - 4, &b, 4);
		dots->w[0] = (uint64_t)(dot & 0xf) | (uint64_t)((dot >> 4) & 0xf) << (len - 4);
		return 0;
	}
#endif
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		else if (c == '.')
			dots->w[i / 64] |= (uint64_t)1 << (i % 64);
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			   c == '_'))
			return -1;
		d[i] = (char)c;
	}
	return 0;
}

/* Whether the @len bytes of @s, whose dots are @dots, make labels of 1 to
 * 63 bytes, and, when @hyphens is set, none starting or ending with '-'. */
static inline int fa_name_labels_ok(const char *s, size_t len, const struct fa_name_dots *dots,
				    int hyphens)
{
	if (len <= 63 && !hyphens) {
		/* no label can be too long: no two dots side by side, none
		 * first or last */
		uint64_t d = dots->w[0];
		return !(d & (d >> 1)) && !(d & 1) && !((d >> (len - 1)) & 1);
	}
	size_t start = 0;
	for (size_t k = 0; k <= (len - 1) / 64; k++) {
		for (uint64_t b = dots->w[k]; b; b &= b - 1) {
			size_t at = k * 64 + (size_t)__builtin_ctzll(b);
			if (at == start || at - start > 63 ||
			    (hyphens && (s[start] == '-' || s[at - 1] == '-')))
				return 0;
			start = at + 1;
		}
	}
	return len > start && len - start <= 63 &&
	       !(hyphens && (s[start] == '-' || s[len - 1] == '-'));
}

#endif
