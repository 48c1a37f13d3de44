/* SPDX-License-Identifier: BSD-2-Clause */
/* The context: setters, their validation, and overlay input (zone files,
 * single records, names that time out). */
#include <string.h>

#include "test-common.h"
#include "ctx.h"
#include "dns-internal.h"

static struct fromauth_ctx *ctx;

static void setup(void)
{
	ctx = test_offline_ctx("zones/example.zone", NULL);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
	ctx = NULL;
}

START_TEST(fromauth_ctx_new_free)
{
	struct fromauth_ctx *c = (void *)1;
	ck_assert_int_eq(fromauth_ctx_new(NULL), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_new(&c), 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(fa_dns_is_offline(c->dns), 0);
	ck_assert_uint_eq(c->dns->timeout_ms, 2000);
	ck_assert_uint_eq(c->dns->tries, 2);
	fromauth_ctx_free(c);
	fromauth_ctx_free(NULL);
}
END_TEST

START_TEST(fromauth_ctx_add_timeout_name_times_out)
{
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "txt.example.test"), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "down.example.test"), 0);
	/* Types the overlay holds still answer; the others time out. */
	struct fromauth_dns_answer *a = test_lookup(ctx, "txt.example.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "txt.example.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "down.example.test", FROMAUTH_RR_MX);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(fromauth_ctx_add_record_overlay)
{
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_add_record(ctx,
		"_dmarc.example.test. 300 IN TXT \"v=DMARC1; p=none\"", err, sizeof(err)), 0);
	struct fromauth_dns_answer *a = test_lookup(ctx, "_dmarc.example.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_uint_eq(fromauth_dns_answer_ttl(a), 300);
	fromauth_dns_answer_free(a);

	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "bad. IN A not-an-ip", err, sizeof(err)),
			 FROMAUTH_E_RECORD);
	ck_assert_ptr_nonnull(strstr(err, "bad. IN A not-an-ip"));
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "x. CH TXT \"a\"", err, sizeof(err)),
			 FROMAUTH_E_RECORD);
	ck_assert_ptr_nonnull(strstr(err, "class IN"));
}
END_TEST

START_TEST(fromauth_ctx_delete_record_overlay)
{
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "d.example.test. TXT \"a\"", err,
						 sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "d.example.test. TXT \"b\"", err,
						 sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "d.example.test. 1 IN TXT \"a\"", err,
						    sizeof(err)), 0);
	struct fromauth_dns_answer *a = test_lookup(ctx, "d.example.test", FROMAUTH_RR_TXT);
	ck_assert_uint_eq(fromauth_dns_answer_count(a), 1);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"b\"");
	fromauth_dns_answer_free(a);
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "d.example.test. TXT \"b\"", err,
						    sizeof(err)), 0);
	a = test_lookup(ctx, "d.example.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NXDOMAIN);
	fromauth_dns_answer_free(a);

	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "bad. IN A not-an-ip", err, sizeof(err)),
			 FROMAUTH_E_RECORD);
	ck_assert_ptr_nonnull(strstr(err, "bad. IN A not-an-ip"));
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "x. CH TXT \"a\"", err, sizeof(err)),
			 FROMAUTH_E_RECORD);
	ck_assert_int_eq(fromauth_ctx_delete_record(NULL, "x. TXT \"a\"", err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, NULL, NULL, 0), FROMAUTH_E_INVAL);
}
END_TEST

START_TEST(fromauth_ctx_add_zone_file_errors)
{
	char err[512] = "";
	ck_assert_int_eq(fromauth_ctx_add_zone_file(ctx, test_data("zones/does-not-exist.zone"),
						    err, sizeof(err)), FROMAUTH_E_IO);
	ck_assert_ptr_nonnull(strstr(err, "does-not-exist.zone"));
	ck_assert_int_eq(fromauth_ctx_add_zone_file(ctx, test_data("zones/broken.zone"),
						    err, sizeof(err)), FROMAUTH_E_RECORD);
	/* The message names the file and the line. */
	ck_assert_msg(strstr(err, "broken.zone:4") != NULL, "%s", err);
}
END_TEST

START_TEST(fromauth_ctx_setters)
{
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, 0), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, 600001), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, 250), 0);
	ck_assert_int_eq(fromauth_ctx_set_tries(ctx, 0), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_set_tries(ctx, 11), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_set_tries(ctx, 3), 0);
	/* A check never hangs by default. */
	ck_assert_uint_eq(ctx->dns->deadline_ms, 30000);
	ck_assert_int_eq(fromauth_ctx_set_deadline(ctx, 5000), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "192.0.2.53"), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "192.0.2.53@5353"), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "2001:db8::53@53"), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "::1"), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "ns.example"), FROMAUTH_E_NAMESERVER);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "192.0.2.1@0"), FROMAUTH_E_NAMESERVER);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "192.0.2.1@65536"), FROMAUTH_E_NAMESERVER);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "192.0.2.1@"), FROMAUTH_E_NAMESERVER);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, ""), FROMAUTH_E_NAMESERVER);
	ck_assert_uint_eq(ctx->dns->ns_count, 4);
	ck_assert_uint_eq(ctx->dns->ns[1].port, 5353);
	ck_assert_int_eq(fromauth_ctx_set_offline(NULL, 1), FROMAUTH_E_INVAL);
	fromauth_ctx_free(NULL);
	ck_assert_str_eq(fromauth_strerror(FROMAUTH_E_NAMESERVER), "malformed nameserver address");
	ck_assert_str_eq(fromauth_strerror(12345), "unknown error");
	ck_assert_ptr_nonnull(fromauth_version());
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("ctx");
	const struct test_case tests[] = {
		{ "fromauth_ctx_new", fromauth_ctx_new_free },
		{ "fromauth_ctx_add_timeout_name", fromauth_ctx_add_timeout_name_times_out },
		{ "fromauth_ctx_add_record", fromauth_ctx_add_record_overlay },
		{ "fromauth_ctx_delete_record", fromauth_ctx_delete_record_overlay },
		{ "fromauth_ctx_add_zone_file", fromauth_ctx_add_zone_file_errors },
		{ "fromauth_ctx_setters", fromauth_ctx_setters },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
	return s;
}
