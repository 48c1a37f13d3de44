/* SPDX-License-Identifier: BSD-2-Clause */
/* DMARC over the real network path: discovery against NSD on 127.0.0.1,
 * and the fromauth tool pointed at it. */
#include <string.h>
#include <sys/wait.h>

#include "test-common.h"
#include "test-nsd.h"

static struct test_nsd nsd;
static struct fromauth_ctx *ctx;

static void setup(void)
{
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, nsd.nameserver), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, 1000), 0);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
	ctx = NULL;
}

static struct fromauth_dmarc *check(const char *domain)
{
	struct fromauth_dmarc *d = NULL;
	char err[256] = "";
	int rc = fromauth_dmarc_check(ctx, domain, &d, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", domain, err);
	return d;
}

START_TEST(net_dmarc_subdomain)
{
	struct fromauth_dmarc *d = check("mail.example.test");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "example.test");
	/* psd=y at "test" puts the organizational domain one label below. */
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "example.test");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_QUARANTINE);
	/* Two character-strings, concatenated. */
	ck_assert_ptr_nonnull(strstr(fromauth_dmarc_record(d), "sp=quarantine; rua="));
	/* vendor.test has not authorized reports for example.test. */
	ck_assert_ptr_nonnull(strstr(fromauth_dmarc_json(d), "example.test._report._dmarc.vendor.test"));
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(net_dmarc_nonexistent_and_psd)
{
	struct fromauth_dmarc *d = check("ghost.example.test");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_QUARANTINE); /* np -> sp */
	fromauth_dmarc_free(d);

	d = check("nothing.test");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "test");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "nothing.test");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	fromauth_dmarc_free(d);

	d = check("x.dept.example.test");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "dept.example.test");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_NONE);
	fromauth_dmarc_free(d);

	d = check("partner.test");
	ck_assert_ptr_null(strstr(fromauth_dmarc_json(d), "_report._dmarc"));
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(net_dmarc_tool)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s/tools/fromauth dmarc --nameserver %s --timeout 1000 %s >/dev/null 2>&1",
		 TEST_BUILD_DIR, nsd.nameserver, "mail.example.test");
	int st = system(cmd);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	snprintf(cmd, sizeof(cmd), "%s/tools/fromauth dmarc --nameserver %s --timeout 1000 %s >/dev/null 2>&1",
		 TEST_BUILD_DIR, nsd.nameserver, "nothing.example.test");
	st = system(cmd);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);   /* example.test's record applies */
}
END_TEST

static Suite *dmarc_net_suite(void)
{
	Suite *s = suite_create("dmarc-net");
	TCase *tc = tcase_create("fromauth_dmarc_check");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, net_dmarc_subdomain);
	tcase_add_test(tc, net_dmarc_nonexistent_and_psd);
	suite_add_tcase(s, tc);
	tc = tcase_create("cmd_dmarc");
	tcase_add_test(tc, net_dmarc_tool);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_nsd_main(&nsd, test_data("zones/dmarc-net.zone"), dmarc_net_suite());
}
