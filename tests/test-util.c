/* SPDX-License-Identifier: BSD-2-Clause */
/* The name helpers of lib/util.c, which check and lower-case 16 bytes at a
 * time, and the escaping of record bytes, which copies runs, against the
 * byte-by-byte rules they stand for (written out here): each byte at each
 * place of each length, labels at their limits, and the same verdict,
 * error code, message and text. */
#include <ctype.h>
#include <string.h>

#include "test-common.h"
#include "private.h"

/* What fa_domain_check() says, byte by byte: its rules as they were
 * written before the 16-byte scan. */
static int ref_check(const char *name, char *errbuf, size_t errlen)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN, "empty domain name");
	if (len > 253)
		return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
				"domain name is %zu bytes long, the limit is 253", len);
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			size_t n = i - start;
			if (n == 0)
				return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
						"empty label at offset %zu of \"%.*s\"", start,
						(int)len, name);
			if (n > 63)
				return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
						"label at offset %zu is %zu bytes long, the limit is 63",
						start, n);
			if (name[start] == '-' || name[i - 1] == '-')
				return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
						"label at offset %zu starts or ends with '-'", start);
			start = i + 1;
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

/* @name as both see it: the same code, the same message, the same key.
 * Checked with ck_abort_msg() alone: each passing ck_assert() costs Check
 * a write, and this runs some 100,000 times. */
static void same_as_ref(const char *name)
{
	char got[256] = "", want[256] = "";
	int rc = fa_domain_check(name, got, sizeof(got));
	int ref = ref_check(name, want, sizeof(want));
	if (rc != ref || strcmp(got, want) || fa_domain_check(name, NULL, 0) != rc)
		ck_abort_msg("\"%s\": %d %s, want %d %s", name, rc, got, ref, want);

	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	char *norm = fa_domain_normalize(name);
	if (!norm || strlen(norm) != len)
		ck_abort_msg("\"%s\": normalized to %s", name, norm ? norm : "NULL");
	for (size_t i = 0; i < len; i++)
		if (norm[i] != (char)tolower((unsigned char)name[i]))
			ck_abort_msg("\"%s\": byte %zu is 0x%02x", name, i,
				     (unsigned char)norm[i]);
	free(norm);
}

START_TEST(fa_domain_check_each_byte)
{
	static const unsigned char some[] = { 'A', 'Z', 'a', 'z', '0', '9', '.', '-', '_', '/',
					      '@', '[', '`', '{', ' ', 0x7f, 0x80, 0xc1, 0xff };
	char name[300];
	for (size_t len = 0; len <= 80; len++) {
		for (size_t i = 0; i < len; i++)
			name[i] = (char)(i % 9 == 5 ? '.' : "aBc-9_"[i % 6]);
		name[len] = '\0';
		same_as_ref(name);
		/* every byte where a path begins or ends, some elsewhere */
		int all = len <= 9 || len == 15 || len == 16 || len == 17 || len == 33;
		for (size_t at = 0; at < len; at++) {
			char keep = name[at];
			for (int c = 1; c <= 0xff; c++) {
				if (!all && !memchr(some, c, sizeof(some)))
					continue;
				name[at] = (char)c;
				same_as_ref(name);
			}
			name[at] = keep;
		}
		name[len] = '.';
		name[len + 1] = '\0';
		same_as_ref(name);
	}
}
END_TEST

/* Labels of 62 to 65 bytes, starting or ending with '-', at each offset;
 * names of 252 to 256 bytes. */
START_TEST(fa_domain_check_limits)
{
	char name[300];
	for (size_t label = 62; label <= 65; label++) {
		for (size_t pre = 0; pre <= 20; pre++) {
			for (int dash = 0; dash <= 2; dash++) {
				size_t n = 0;
				for (size_t i = 0; i < pre; i++)
					name[n++] = i % 4 == 3 ? '.' : 'B';
				memset(name + n, 'x', label);
				if (dash == 1)
					name[n] = '-';
				if (dash == 2)
					name[n + label - 1] = '-';
				n += label;
				memcpy(name + n, ".Com", 5);
				same_as_ref(name);
				name[n] = '\0';
				same_as_ref(name);
			}
		}
	}
	for (size_t len = 250; len <= 256; len++) {
		for (size_t i = 0; i < len; i++)
			name[i] = i % 50 == 49 ? '.' : 'Q';
		name[len] = '\0';
		same_as_ref(name);
		name[len - 1] = '.';
		same_as_ref(name);
	}
}
END_TEST

/* Names that are no host names are lower-cased all the same, whatever
 * their length: the 16-byte blocks with bytes from 0x80 go byte by byte. */
START_TEST(fa_domain_normalize_any_bytes)
{
	char s[600];
	/* all bytes, then ASCII alone (no byte by byte for those) */
	static const size_t spans[] = { 255, 127 };
	for (size_t k = 0; k < 2; k++) {
		for (size_t len = 0; len < 600; len += (len < 70 ? 1 : 37)) {
			for (size_t i = 0; i < len; i++)
				s[i] = (char)(1 + (i * 29) % spans[k]);
			s[len] = '\0';
			char *n = fa_domain_normalize(s);
			ck_assert_ptr_nonnull(n);
			size_t want = len && s[len - 1] == '.' ? len - 1 : len;
			ck_assert_uint_eq(strlen(n), want);
			for (size_t i = 0; i < want; i++)
				if (n[i] != (char)tolower((unsigned char)s[i]))
					ck_abort_msg("length %zu: byte %zu", len, i);
			free(n);
		}
	}
}
END_TEST

/* fa_escape_bytes() byte by byte, as it was written before the 16-byte
 * scan. */
static size_t ref_escape(char *out, const unsigned char *p, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, 3, "\\%c", c);
		else if ((c < 0x20 && c != '\t') || c >= 0x7f)
			n += (size_t)snprintf(out + n, 5, "\\%03u", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

/* Every byte at each place of each length up to 3 blocks, and two of them,
 * one in each half of the last, overlapping block: the same text and the
 * same length when only counting. */
START_TEST(fa_escape_bytes_each_byte)
{
	unsigned char in[48];
	char got[48 * 4 + 1], want[48 * 4 + 1];
	for (size_t len = 0; len <= 48; len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (unsigned char)('a' + i % 26);
		for (size_t at = 0; at <= len; at++) {
			for (int c = 0; c <= 0xff; c++) {
				if (at < len)
					in[at] = (unsigned char)c;
				if (len)
					in[len - 1] = (unsigned char)(c % 3 ? in[len - 1] : '"');
				size_t wn = ref_escape(want, in, len);
				size_t gn = fa_escape_bytes(got, in, len);
				got[gn] = '\0';
				if (gn != wn || strcmp(got, want) || fa_escape_bytes(NULL, in, len) != wn)
					ck_abort_msg("length %zu, 0x%02x at %zu: %s, want %s", len, c,
						     at, got, want);
				if (at == len)
					break;
			}
			if (at < len)
				in[at] = (unsigned char)('a' + at % 26);
			if (len)
				in[len - 1] = (unsigned char)('a' + (len - 1) % 26);
		}
	}
	ck_assert_uint_eq(fa_escape_bytes(NULL, NULL, 0), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("util");
	const struct test_case cases[] = {
		{ "fa_domain_check", fa_domain_check_each_byte },
		{ "fa_domain_check", fa_domain_check_limits },
		{ "fa_domain_normalize", fa_domain_normalize_any_bytes },
		{ "fa_escape_bytes", fa_escape_bytes_each_byte },
	};
	test_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), NULL, NULL);
	return s;
}
