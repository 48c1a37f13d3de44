/* SPDX-License-Identifier: BSD-2-Clause */
/* The RFC 6376 section 3.2 tag-list tokenizer shared by DKIM key records
 * and DMARC records. */
#include <string.h>

#include "test-common.h"
#include "taglist.h"

/* The tag-specs of @text as "name=value" or "!error" words, ' '-joined. */
static void tokens(const char *text, size_t len, char *out, size_t outlen)
{
	static const char *const err[] = { "", "!empty", "!noeq", "!name" };
	struct fa_taglist tl;
	struct fa_tag tag;
	size_t n = 0, want_index = 0;
	out[0] = '\0';
	fa_taglist_init(&tl, text, len);
	while (fa_taglist_next(&tl, &tag)) {
		ck_assert_uint_eq(tag.index, want_index++);
		if (tag.error)
			n += (size_t)snprintf(out + n, outlen - n, "%s%s", n ? " " : "",
					      err[tag.error]);
		else
			n += (size_t)snprintf(out + n, outlen - n, "%s%.*s=%.*s", n ? " " : "",
					      (int)tag.name_len, tag.name,
					      (int)tag.value_len, tag.value);
		ck_assert_uint_lt(n, outlen);
	}
	/* The end stays the end. */
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 0);
}

static const struct {
	const char *text;
	const char *want;
} cases[] = {
	{ "v=DKIM1; p=QUJD", "v=DKIM1 p=QUJD" },
	{ "v=DKIM1; p=QUJD;", "v=DKIM1 p=QUJD" },               /* final ';' */
	{ "v=DKIM1; p=QUJD; \t", "v=DKIM1 p=QUJD" },
	{ " v = DKIM1 ;\tp\t=\tQU JD ", "v=DKIM1 p=QU JD" },      /* [FWS] everywhere */
	{ "v=DMARC1;\r\n p=reject", "v=DMARC1 p=reject" },       /* folded */
	{ "p=a\r\n b\r\n ; t=y", "p=a\r\n b t=y" },               /* FWS inside stays */
	{ "x_1=y; Ab9_=z", "x_1=y Ab9_=z" },                      /* ALNUMPUNC */
	{ "p=QQ==", "p=QQ==" },                                   /* first '=' splits */
	{ "p=", "p=" },
	{ "", "!empty" },
	{ " \t", "!empty" },
	{ ";", "!empty" },
	{ "a=1;;b=2", "a=1 !empty b=2" },
	{ "a=1; ;", "a=1 !empty" },
	{ "garbage", "!noeq" },
	{ "=x", "!name" },
	{ "1p=x", "!name" },
	{ "_p=x", "!name" },
	{ "s-p=none", "!name" },
	{ "a b=1", "!name" },
	{ "p\n=x", "!name" },                                     /* lone LF is not FWS */
	{ "p\r\n=x", "!name" },                                   /* CRLF must precede WSP */
	{ "p=x\r\n", "p=x\r\n" },
	{ "p=x\n ", "p=x\n" },
};

START_TEST(fa_taglist_next_cases)
{
	char got[256];
	const char *text = cases[_i].text;
	tokens(text, strlen(text), got, sizeof(got));
	ck_assert_msg(strcmp(got, cases[_i].want) == 0, "case %d: \"%s\", want \"%s\"",
		      _i, got, cases[_i].want);
}
END_TEST

START_TEST(fa_taglist_next_bytes)
{
	/* NUL bytes are data; the length bounds the list, not a NUL. */
	char got[64];
	struct fa_taglist tl;
	struct fa_tag tag;
	fa_taglist_init(&tl, "a=1\0;b=2", 8);
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 1);
	ck_assert_uint_eq(tag.value_len, 2);
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 1);
	ck_assert_uint_eq(tag.name_len, 1);
	ck_assert_int_eq(tag.name[0], 'b');
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 0);
	tokens("a=1;b=2XXX", 7, got, sizeof(got));
	ck_assert_str_eq(got, "a=1 b=2");
	/* NULL text is an empty list. */
	tokens(NULL, 5, got, sizeof(got));
	ck_assert_str_eq(got, "!empty");

	/* Offsets point at the raw tag-spec. */
	const char *t = "v=DMARC1;;  p=none";
	fa_taglist_init(&tl, t, strlen(t));
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 1);
	ck_assert_uint_eq(tag.start, 0);
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 1);
	ck_assert_int_eq(tag.error, FA_TAG_EMPTY);
	ck_assert_uint_eq(tag.start, 9);
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 1);
	ck_assert_uint_eq(tag.start, 10);
	ck_assert_ptr_eq(tag.spec, t + 12);
	ck_assert_uint_eq(tag.spec_len, 6);
	ck_assert_int_eq(fa_taglist_next(&tl, &tag), 0);
}
END_TEST

START_TEST(fa_taglist_space_cases)
{
	const char *t = " \t\r\n x\r\nx\n \r";
	size_t len = strlen(t);
	ck_assert_uint_eq(fa_taglist_space(t, len, 0), 1);
	ck_assert_uint_eq(fa_taglist_space(t, len, 1), 1);
	ck_assert_uint_eq(fa_taglist_space(t, len, 2), 2);      /* CRLF SP */
	ck_assert_uint_eq(fa_taglist_space(t, len, 3), 0);      /* LF alone */
	ck_assert_uint_eq(fa_taglist_space(t, len, 5), 0);
	ck_assert_uint_eq(fa_taglist_space(t, len, 6), 0);      /* CRLF x */
	ck_assert_uint_eq(fa_taglist_space(t, len, 9), 0);      /* LF SP */
	ck_assert_uint_eq(fa_taglist_space(t, len, 11), 0);     /* CR at the end */
	ck_assert_uint_eq(fa_taglist_space(t, len, len), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("taglist");
	TCase *tc = tcase_create("fa_taglist_next");
	tcase_add_loop_test(tc, fa_taglist_next_cases, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, fa_taglist_next_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_create("fa_taglist_space");
	tcase_add_test(tc, fa_taglist_space_cases);
	suite_add_tcase(s, tc);
	return s;
}
