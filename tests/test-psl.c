/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth_ctx_set_psl: RFC 7489 organizational domains from a list the
 * context is given, per context, and back to the system's. */
#include <json-c/json.h>
#include <string.h>

#include "test-common.h"

/* The RFC 7489 organizational domain a DMARC check reports for @domain. */
static char *org_7489(struct fromauth_ctx *ctx, const char *domain)
{
	struct fromauth_dmarc *d = NULL;
	char err[256] = "";
	int rc = fromauth_dmarc_check(ctx, domain, &d, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	struct json_object *o = json_tokener_parse(fromauth_dmarc_json(d));
	ck_assert_ptr_nonnull(o);
	struct json_object *old = NULL, *org = NULL;
	ck_assert(json_object_object_get_ex(o, "rfc7489", &old));
	ck_assert(json_object_object_get_ex(old, "org_domain", &org));
	char *s = strdup(json_object_get_string(org));
	json_object_put(o);
	fromauth_dmarc_free(d);
	return s;
}

static void expect_org(struct fromauth_ctx *ctx, const char *domain, const char *want)
{
	char *got = org_7489(ctx, domain);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(fromauth_ctx_set_psl_per_context)
{
	struct fromauth_ctx *own = test_offline_ctx(NULL);
	struct fromauth_ctx *sys = test_offline_ctx(NULL);
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_set_psl(own, test_data("psl/test.dat"), err, sizeof(err)),
			 0);
	/* The system's list knows no shared.example: the default rule makes
	 * it the organization. */
	expect_org(sys, "news.shop.shared.example", "shared.example");
	expect_org(own, "news.shop.shared.example", "shop.shared.example");
	expect_org(own, "a.b.other.example", "other.example");
	/* A remediation layer (FROMAUTH_CHECK_FIX) sees the same list: the
	 * whole check agrees with the DMARC check. */
	struct fromauth_profile *p = NULL;
	ck_assert_int_eq(fromauth_profile_load(test_data("check/profiles/esp.profile"), &p, err,
					       sizeof(err)), 0);
	struct fromauth_result *r = NULL;
	ck_assert_int_eq(fromauth_check(own, p, "news@mail.shop.shared.example",
					FROMAUTH_CHECK_FIX, &r, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(fromauth_result_json(r),
				     "\"rfc7489\":{\"org_domain\":\"shop.shared.example\""));
	fromauth_result_free(r);
	fromauth_profile_free(p);
	/* NULL goes back to the system's list. */
	ck_assert_int_eq(fromauth_ctx_set_psl(own, NULL, err, sizeof(err)), 0);
	expect_org(own, "news.shop.shared.example", "shared.example");
	fromauth_ctx_free(own);
	fromauth_ctx_free(sys);
}
END_TEST

START_TEST(fromauth_ctx_set_psl_errors)
{
	struct fromauth_ctx *ctx = test_offline_ctx(NULL);
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_set_psl(ctx, test_data("psl/test.dat"), err, sizeof(err)),
			 0);
	ck_assert_int_eq(fromauth_ctx_set_psl(ctx, test_data("psl/nonexistent.dat"), err,
					      sizeof(err)), FROMAUTH_E_IO);
	ck_assert_ptr_nonnull(strstr(err, "nonexistent.dat"));
	/* A failed call leaves the list in place. */
	expect_org(ctx, "news.shop.shared.example", "shop.shared.example");
	ck_assert_int_eq(fromauth_ctx_set_psl(NULL, "x", err, sizeof(err)), FROMAUTH_E_INVAL);
	fromauth_ctx_free(ctx);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("psl");
	const struct test_case tests[] = {
		{ "fromauth_ctx_set_psl", fromauth_ctx_set_psl_per_context },
		{ "fromauth_ctx_set_psl_errors", fromauth_ctx_set_psl_errors },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	return s;
}
