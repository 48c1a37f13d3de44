/* SPDX-License-Identifier: BSD-2-Clause */
/* From address parsing (SPEC 2): RFC 5322 mailboxes, IDN, errors. */
#include <string.h>

#include "address.h"
#include "test-common.h"

struct good {
	const char *input;
	const char *local;
	const char *domain;
	const char *display;
	const char *addr_spec;
};

static const struct good good[] = {
	{ "user@example.com", "user", "example.com", "", "user@example.com" },
	{ "  user@example.com  ", "user", "example.com", "", "user@example.com" },
	{ "first.last@Sub.EXAMPLE.com", "first.last", "sub.example.com", "",
	  "first.last@sub.example.com" },
	{ "\"Name\" <user@domain.example>", "user", "domain.example", "Name",
	  "user@domain.example" },
	{ "Members News <news@members.example>", "news", "members.example",
	  "Members News", "news@members.example" },
	{ "John Q. Public <JQP@Example.COM>", "JQP", "example.com",
	  "John Q. Public", "JQP@example.com" },
	{ "<user@example.com>", "user", "example.com", "", "user@example.com" },
	{ "\"Doe, John\" <john@example.com>", "john", "example.com",
	  "Doe, John", "john@example.com" },
	/* quoted local parts, quoted-pairs, canonical re-quoting */
	{ "\"john\"@example.com", "john", "example.com", "",
	  "john@example.com" },
	{ "\"john doe\"@example.com", "john doe", "example.com", "",
	  "\"john doe\"@example.com" },
	{ "\"a\\\"b\\\\c\"@example.com", "a\"b\\c", "example.com", "",
	  "\"a\\\"b\\\\c\"@example.com" },
	{ "\".dot\"@example.com", ".dot", "example.com", "",
	  "\".dot\"@example.com" },
	{ "\"with@at\"@example.com", "with@at", "example.com", "",
	  "\"with@at\"@example.com" },
	/* comments, nested, anywhere CFWS is allowed */
	{ "(lead) user@example.com (trail)", "user", "example.com", "",
	  "user@example.com" },
	{ "user (c1) @ (c2 (nested) c3) example.com", "user", "example.com",
	  "", "user@example.com" },
	{ "Name (x) <(y) user@example.com (z)> (w\\) still)", "user",
	  "example.com", "Name", "user@example.com" },
	{ "\"Quoted (not a comment)\" <u@example.com>", "u", "example.com",
	  "Quoted (not a comment)", "u@example.com" },
	/* folding */
	{ "Name\r\n <user@example.com>", "user", "example.com", "Name",
	  "user@example.com" },
	{ "\"fold\r\n ed\" <user@example.com>", "user", "example.com",
	  "fold ed", "user@example.com" },
	/* IDN */
	{ "user@bücher.example", "user", "xn--bcher-kva.example", "",
	  "user@xn--bcher-kva.example" },
	{ "user@BÜCHER.example", "user", "xn--bcher-kva.example", "",
	  "user@xn--bcher-kva.example" },
	{ "user@xn--bcher-kva.example", "user", "xn--bcher-kva.example", "",
	  "user@xn--bcher-kva.example" },
	{ "r@a\xe3\x80\x82" "b.example", "r", "a.b.example", "", "r@a.b.example" },
	{ "user@faß.example", "user", "xn--fa-hia.example", "",
	  "user@xn--fa-hia.example" },
	{ "Jürgen <jürgen@münchen.example>", "jürgen", "xn--mnchen-3ya.example",
	  "Jürgen", "jürgen@xn--mnchen-3ya.example" },
	{ "=?utf-8?q?J=C3=BCrgen?= <j@example.com>", "j", "example.com",
	  "=?utf-8?q?J=C3=BCrgen?=", "j@example.com" },
	/* atext specials in the local part */
	{ "a+tag!#$%&'*/=?^_`{|}~-@example.com", "a+tag!#$%&'*/=?^_`{|}~-",
	  "example.com", "", "a+tag!#$%&'*/=?^_`{|}~-@example.com" },
};

START_TEST(test_parse_good)
{
	const struct good *g = &good[_i];
	struct fromauth_address *a = NULL;
	char err[512] = "";
	int rc = fromauth_address_parse(g->input, &a, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %d %s", g->input, rc, err);
	ck_assert_str_eq(fromauth_address_local(a), g->local);
	ck_assert_str_eq(fromauth_address_domain(a), g->domain);
	ck_assert_str_eq(fromauth_address_display_name(a), g->display);
	ck_assert_str_eq(fromauth_address_addr_spec(a), g->addr_spec);

	/* The canonical addr-spec parses back to itself. */
	struct fromauth_address *b = NULL;
	ck_assert_int_eq(fromauth_address_parse(fromauth_address_addr_spec(a),
						&b, err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_address_addr_spec(b), g->addr_spec);
	ck_assert_str_eq(fromauth_address_local(b), g->local);
	fromauth_address_free(b);
	fromauth_address_free(a);
}
END_TEST

struct bad {
	const char *input;
	int rc;
	const char *msg1;
	const char *msg2;
};

static const struct bad bad[] = {
	{ "", FROMAUTH_E_ADDRESS, "empty address", NULL },
	{ "  (only a comment) ", FROMAUTH_E_ADDRESS, "empty address", NULL },
	{ "user", FROMAUTH_E_ADDRESS, "missing '@'", "offset 4" },
	{ "user.example.com", FROMAUTH_E_ADDRESS, "missing '@'", NULL },
	{ "Name <user@example.com", FROMAUTH_E_ADDRESS, "expected '>'",
	  "offset 22" },
	{ "Name <user@example.com x>", FROMAUTH_E_ADDRESS, "expected '>'",
	  "offset 23" },
	{ "@example.com", FROMAUTH_E_ADDRESS, "empty local part", "offset 0" },
	{ "\"\"@example.com", FROMAUTH_E_ADDRESS, "empty local part", NULL },
	{ "Name <@example.com>", FROMAUTH_E_ADDRESS, "source route", NULL },
	{ "\"abc@example.com", FROMAUTH_E_ADDRESS,
	  "unterminated quoted string starting at offset 0", NULL },
	{ "Name \"abc <a@example.com>", FROMAUTH_E_ADDRESS,
	  "unterminated quoted string starting at offset 5", NULL },
	{ "\"abc\\", FROMAUTH_E_ADDRESS, "unterminated quoted string", NULL },
	{ "a@example.com (open (nested)", FROMAUTH_E_ADDRESS,
	  "unterminated comment starting at offset 14", NULL },
	{ "a@example.com)", FROMAUTH_E_ADDRESS, "closes no comment",
	  "offset 13" },
	{ "a\\b@example.com", FROMAUTH_E_ADDRESS, "outside a quoted string",
	  "offset 1" },
	{ "a@example.com, b@example.com", FROMAUTH_E_ADDRESS,
	  "two addresses: group syntax / lists are not a single From",
	  "offset 13" },
	{ "Doe, John <john@example.com>", FROMAUTH_E_ADDRESS,
	  "two addresses", "offset 3" },
	{ "friends: a@example.com;", FROMAUTH_E_ADDRESS,
	  "group syntax", "offset 7" },
	{ "<a@example.com> <b@example.com>", FROMAUTH_E_ADDRESS,
	  "second angle address", "offset 16" },
	{ "From: a@example.com", FROMAUTH_E_ADDRESS, "'From:' header name",
	  NULL },
	{ "a@[192.0.2.1]", FROMAUTH_E_ADDRESS, "domain literal", "DMARC" },
	{ "a@192.0.2.1", FROMAUTH_E_DOMAIN, "IP address", "offset 2" },
	{ "a..b@example.com", FROMAUTH_E_ADDRESS, "two dots in a row",
	  "offset 2" },
	{ ".a@example.com", FROMAUTH_E_ADDRESS, "starts with '.'",
	  "offset 0" },
	{ "a.@example.com", FROMAUTH_E_ADDRESS, "ends with '.'", "offset 1" },
	{ "a . b@example.com", FROMAUTH_E_ADDRESS, "whitespace or comment",
	  "local part" },
	{ "\"a\".b@example.com", FROMAUTH_E_ADDRESS,
	  "quote the whole local part", NULL },
	{ "a@", FROMAUTH_E_ADDRESS, "empty domain", "offset 2" },
	{ "a@.example.com", FROMAUTH_E_ADDRESS, "domain starts with '.'",
	  NULL },
	{ "a@example.com.", FROMAUTH_E_ADDRESS, "domain ends with '.'",
	  "offset 13" },
	{ "a@example..com", FROMAUTH_E_ADDRESS, "two dots in a row",
	  "domain" },
	{ "a@exa mple.com", FROMAUTH_E_ADDRESS, "unexpected text",
	  "offset 6" },
	{ "a@b@example.com", FROMAUTH_E_ADDRESS, "second '@'", "offset 3" },
	{ "john doe@example.com", FROMAUTH_E_ADDRESS, "expected '@'",
	  "angle address" },
	{ "a@example.com <b@example.com>", FROMAUTH_E_ADDRESS,
	  "in the display name", NULL },
	{ "a@example.com>", FROMAUTH_E_ADDRESS, "without a '<'", NULL },
	{ "a@-bad.example", FROMAUTH_E_DOMAIN, "starts or ends with '-'",
	  "domain at offset 2" },
	{ "a@exa!mple.com", FROMAUTH_E_DOMAIN, "'!'", NULL },
	{ "a@xn--.example", FROMAUTH_E_DOMAIN, "'-'", NULL },
	{ "user@a\xcc\x88\xe2\x80\x8d.example", FROMAUTH_E_DOMAIN,
	  "internationalized", NULL },
	{ "a\x01@example.com", FROMAUTH_E_ADDRESS, "control character 0x01",
	  "offset 1" },
	{ "a@example.com\x7f", FROMAUTH_E_ADDRESS, "control character 0x7f",
	  "offset 13" },
	{ "a@example.com\r\nBcc: x@example.com", FROMAUTH_E_ADDRESS,
	  "line break at offset 13", NULL },
	{ "a@example.com\n", FROMAUTH_E_ADDRESS, "line break", NULL },
	{ "a\xff@example.com", FROMAUTH_E_ADDRESS, "invalid UTF-8",
	  "offset 1" },
	{ "a\xc0\xaf@example.com", FROMAUTH_E_ADDRESS, "invalid UTF-8",
	  "offset 1" },
	{ "a\xed\xa0\x80@example.com", FROMAUTH_E_ADDRESS, "invalid UTF-8",
	  NULL },
	{ "Name <a@example.com> trailing", FROMAUTH_E_ADDRESS,
	  "unexpected text", "offset 21" },
	{ "Name: <a@example.com>", FROMAUTH_E_ADDRESS, "group syntax", NULL },
	/* found by fuzz-address: IDNA maps U+3002 to '.' */
	{ "r@a.\xe3\x80\x82", FROMAUTH_E_DOMAIN, "ends with '.'", "offset 2" },
	{ "r@a\xe3\x80\x82", FROMAUTH_E_DOMAIN, "ends with '.'", NULL },
	{ "a@example.com]", FROMAUTH_E_ADDRESS, "unexpected text", "offset 13" },
	{ "Name <a@example.com]", FROMAUTH_E_ADDRESS, "expected '>' at offset 19",
	  "found \"]\"" },
};

START_TEST(test_parse_bad)
{
	const struct bad *b = &bad[_i];
	struct fromauth_address *a = (void *)1;
	char err[512] = "";
	int rc = fromauth_address_parse(b->input, &a, err, sizeof(err));
	ck_assert_msg(rc == b->rc, "\"%s\": rc %d, want %d (%s)", b->input, rc,
		      b->rc, err);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(err, b->msg1), "\"%s\": \"%s\" lacks \"%s\"",
		      b->input, err, b->msg1);
	if (b->msg2)
		ck_assert_msg(strstr(err, b->msg2), "\"%s\": \"%s\" lacks \"%s\"",
			      b->input, err, b->msg2);
}
END_TEST

static char *repeat(char c, size_t n, const char *prefix, const char *suffix)
{
	size_t lp = strlen(prefix), ls = strlen(suffix);
	char *s = malloc(lp + n + ls + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, prefix, lp);
	memset(s + lp, c, n);
	memcpy(s + lp + n, suffix, ls + 1);
	return s;
}

START_TEST(test_parse_limits)
{
	struct fromauth_address *a = NULL;
	char err[512] = "";

	/* label of 63 is fine, 64 is not */
	char *ok = repeat('a', 63, "u@", ".example");
	ck_assert_int_eq(fromauth_address_parse(ok, &a, err, sizeof(err)), 0);
	fromauth_address_free(a);
	free(ok);
	char *longlabel = repeat('a', 64, "u@", ".example");
	ck_assert_int_eq(fromauth_address_parse(longlabel, &a, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_nonnull(strstr(err, "64 bytes long, the limit is 63"));
	free(longlabel);

	/* domain over 253 bytes: 5 labels of 50 + 4 dots + ".example" */
	char dom[400] = "u@";
	for (int i = 0; i < 5; i++) {
		strcat(dom, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");
	}
	strcat(dom, "example");
	ck_assert_int_eq(fromauth_address_parse(dom, &a, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_nonnull(strstr(err, "the limit is 253"));

	/* An IDN label whose A-label form is too long. */
	char *idn = malloc(300);
	ck_assert_ptr_nonnull(idn);
	strcpy(idn, "u@");
	for (int i = 0; i < 60; i++)
		strcat(idn, "x");
	strcat(idn, "\xc3\xbc"); /* ü */
	strcat(idn, ".example");
	ck_assert_int_eq(fromauth_address_parse(idn, &a, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(a);
	free(idn);

	/* local part: 64 bytes fine, 65 not */
	char *l64 = repeat('l', 64, "", "@example.com");
	ck_assert_int_eq(fromauth_address_parse(l64, &a, err, sizeof(err)), 0);
	fromauth_address_free(a);
	free(l64);
	char *l65 = repeat('l', 65, "", "@example.com");
	ck_assert_int_eq(fromauth_address_parse(l65, &a, err, sizeof(err)),
			 FROMAUTH_E_ADDRESS);
	ck_assert_ptr_nonnull(strstr(err, "local part is 65 bytes long"));
	free(l65);

	/* the whole input: 998 bytes is the RFC 5322 line limit */
	char *huge = repeat(' ', 990, "", "a@b.example");
	ck_assert_int_eq(fromauth_address_parse(huge, &a, err, sizeof(err)),
			 FROMAUTH_E_ADDRESS);
	ck_assert_ptr_nonnull(strstr(err, "1001 bytes long, the limit is 998"));
	free(huge);
	char *fits = repeat(' ', 987, "", "a@b.example");
	ck_assert_int_eq(fromauth_address_parse(fits, &a, err, sizeof(err)), 0);
	fromauth_address_free(a);
	free(fits);

	/* deep comment nesting is only counted, never recursed */
	char *deep = malloc(2100);
	ck_assert_ptr_nonnull(deep);
	strcpy(deep, "a@example.com ");
	memset(deep + 14, '(', 400);
	memset(deep + 414, ')', 400);
	deep[814] = '\0';
	ck_assert_int_eq(fromauth_address_parse(deep, &a, err, sizeof(err)), 0);
	fromauth_address_free(a);
	free(deep);
}
END_TEST

START_TEST(test_parse_args)
{
	struct fromauth_address *a = (void *)1;
	char err[128] = "";
	ck_assert_int_eq(fromauth_address_parse(NULL, &a, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(fromauth_address_parse("a@example.com", NULL, err,
						sizeof(err)), FROMAUTH_E_INVAL);
	/* no error buffer is fine */
	ck_assert_int_eq(fromauth_address_parse("bad", &a, NULL, 0),
			 FROMAUTH_E_ADDRESS);
	ck_assert_ptr_null(a);
	/* a short buffer gets a truncated, terminated message */
	char tiny[8];
	ck_assert_int_eq(fromauth_address_parse("bad", &a, tiny, sizeof(tiny)),
			 FROMAUTH_E_ADDRESS);
	ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
}
END_TEST

START_TEST(test_getters_null)
{
	ck_assert_ptr_null(fromauth_address_local(NULL));
	ck_assert_ptr_null(fromauth_address_domain(NULL));
	ck_assert_ptr_null(fromauth_address_display_name(NULL));
	ck_assert_ptr_null(fromauth_address_addr_spec(NULL));
}
END_TEST

START_TEST(test_free_null)
{
	fromauth_address_free(NULL);
}
END_TEST

START_TEST(test_domain_to_alabel)
{
	char *out = NULL;
	char err[512] = "";
	ck_assert_int_eq(fa_domain_to_alabel("Spf.ESP.example.", &out, err,
					     sizeof(err)), 0);
	ck_assert_str_eq(out, "spf.esp.example");
	free(out);
	ck_assert_int_eq(fa_domain_to_alabel("bücher.example", &out, err,
					     sizeof(err)), 0);
	ck_assert_str_eq(out, "xn--bcher-kva.example");
	free(out);
	ck_assert_int_eq(fa_domain_to_alabel("a..b", &out, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, "empty label"));
	ck_assert_int_eq(fa_domain_to_alabel("", &out, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_nonnull(strstr(err, "empty domain"));
	ck_assert_int_eq(fa_domain_to_alabel("10.0.0.1", &out, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_nonnull(strstr(err, "IP address"));
}
END_TEST

START_TEST(test_pattern_normalize)
{
	char *out = NULL;
	char err[512] = "";
	ck_assert_int_eq(fa_pattern_normalize("Members.Example", &out, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(out, "members.example");
	free(out);
	ck_assert_int_eq(fa_pattern_normalize("*.Bücher.example", &out, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(out, "*.xn--bcher-kva.example");
	free(out);
	ck_assert_int_eq(fa_pattern_normalize("News@BÜCHER.example", &out, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(out, "News@xn--bcher-kva.example");
	free(out);

	ck_assert_int_eq(fa_pattern_normalize("news*.example", &out, err,
					      sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_nonnull(strstr(err, "whole first label"));
	ck_assert_int_eq(fa_pattern_normalize("*", &out, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fa_pattern_normalize("*@members.example", &out, err,
					      sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_nonnull(strstr(err, "bare domain"));
	ck_assert_int_eq(fa_pattern_normalize("N <n@members.example>", &out, err,
					      sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_nonnull(strstr(err, "bare address"));
	ck_assert_int_eq(fa_pattern_normalize("<n@members.example>", &out, err,
					      sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_nonnull(strstr(err, "bare address"));
	/* found by fuzz-address: a quoted '<' is not an angle address */
	ck_assert_int_eq(fa_pattern_normalize("\"<x\"@members.example", &out, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(out, "\"<x\"@members.example");
	free(out);
	ck_assert_int_eq(fa_pattern_normalize("n@@x.example", &out, err,
					      sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_nonnull(strstr(err, "n@@x.example"));
	ck_assert_int_eq(fa_pattern_normalize("bad..example", &out, err,
					      sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_nonnull(strstr(err, "empty label"));
	ck_assert_ptr_null(out);
}
END_TEST

static int match(const char *pattern, const char *address)
{
	struct fromauth_address *a = NULL;
	char *norm = NULL;
	char err[512];
	ck_assert_int_eq(fromauth_address_parse(address, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(fa_pattern_normalize(pattern, &norm, err, sizeof(err)), 0);
	int m = fa_pattern_match_from(norm, a);
	free(norm);
	fromauth_address_free(a);
	return m;
}

START_TEST(test_pattern_match_from)
{
	ck_assert(match("members.example", "news@members.example"));
	ck_assert(match("members.example", "X <Other@MEMBERS.example>"));
	ck_assert(!match("members.example", "news@sub.members.example"));
	ck_assert(!match("members.example", "news@othermembers.example"));

	ck_assert(match("*.members.example", "news@sub.members.example"));
	ck_assert(match("*.members.example", "news@a.b.members.example"));
	ck_assert(!match("*.members.example", "news@members.example"));
	ck_assert(!match("*.members.example", "news@xmembers.example"));

	ck_assert(match("news@members.example", "news@members.example"));
	ck_assert(match("news@members.example", "NEWS@Members.Example"));
	ck_assert(match("news@members.example", "\"news\"@members.example"));
	ck_assert(!match("news@members.example", "info@members.example"));
	ck_assert(!match("news@members.example", "news@sub.members.example"));
	ck_assert(match("\"a b\"@members.example", "\"a b\"@members.example"));

	ck_assert(match("bücher.example", "u@xn--bcher-kva.example"));
	ck_assert(match("*.bücher.example", "u@news.bücher.example"));

	ck_assert(!fa_pattern_match_from(NULL, NULL));
	ck_assert(!fa_pattern_match_from("members.example", NULL));
}
END_TEST

START_TEST(test_utf8_seq_len)
{
	static const struct {
		const char *s;
		size_t n;       /* bytes offered */
		size_t want;
	} cases[] = {
		{ "a", 1, 1 },
		{ "\x7f", 1, 1 },
		{ "\xc3\xa9", 2, 2 },                 /* U+00E9 */
		{ "\xe2\x82\xac", 3, 3 },             /* U+20AC */
		{ "\xf0\x9f\x98\x80", 4, 4 },         /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, 4 },         /* U+10FFFF */
		{ "\xc3\xa9", 1, 0 },                 /* cut short */
		{ "\xc3\x28", 2, 0 },                 /* no continuation */
		{ "\xc0\xaf", 2, 0 },                 /* overlong '/' */
		{ "\xe0\x80\xaf", 3, 0 },             /* overlong */
		{ "\xed\xa0\x80", 3, 0 },             /* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", 4, 0 },         /* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\x80", 1, 0 },                     /* lone continuation */
		{ "\xff", 1, 0 },
		{ "a", 0, 0 },                         /* nothing offered */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(fa_utf8_seq_len((const unsigned char *)cases[i].s, cases[i].n)
			      == cases[i].want, "case %zu", i);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("address");
	TCase *tc;

	tc = tcase_create("fromauth_address_parse");
	tcase_add_loop_test(tc, test_parse_good, 0, (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_parse_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("fromauth_address_getters");
	tcase_add_test(tc, test_getters_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("fromauth_address_free");
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_utf8_seq_len");
	tcase_add_test(tc, test_utf8_seq_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_domain_to_alabel");
	tcase_add_test(tc, test_domain_to_alabel);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_pattern_normalize");
	tcase_add_test(tc, test_pattern_normalize);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_pattern_match_from");
	tcase_add_test(tc, test_pattern_match_from);
	suite_add_tcase(s, tc);
	return s;
}
