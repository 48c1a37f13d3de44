/* SPDX-License-Identifier: BSD-2-Clause */
/* Blocklist lookups over the real network path: lists under .test,
 * configured with fromauth_ctx_add_dnsbl(), served by NSD on 127.0.0.1. */
#include <string.h>

#include "test-common.h"
#include "test-nsd.h"

static struct test_nsd nsd;

static const char *const bl =
	"zone=bl.test; kind=ip; ipv6=yes; listed=127.0.0.2 spam source, 127.0.0.4 exploited host; "
	"refused=127.255.255.0/24 query refused; delist=https://bl.test/remove";
static const char *const dbl =
	"zone=dbl.test; kind=domain; listed=127.0.1.2 spam domain; "
	"refused=127.0.1.255 IP sent to a domain list; test=dbltest.example";
static const char *const world = "zone=world.test; kind=ip; listed=127.0.0.2 anything";

static struct fromauth_result *run(void)
{
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_profile *p = NULL;
	struct fromauth_result *r = NULL;
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, nsd.nameserver), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, 1000), 0);
	ck_assert_int_eq(fromauth_ctx_add_dnsbl(ctx, bl, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_add_dnsbl(ctx, dbl, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_add_dnsbl(ctx, world, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_parse("name = Self\nip = 192.0.2.10/31\nip = 2001:db8::/127\n",
						"net", &p, err, sizeof(err)), 0);
	int rc = fromauth_check(ctx, p, "news@example.test", FROMAUTH_CHECK_REPUTATION, &r, err,
				sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
	return r;
}

static int status_of(const struct fromauth_result *r, const char *zone, const char *target,
		     const char **reason)
{
	for (size_t i = 0; i < fromauth_result_reputation_count(r); i++)
		if (!strcmp(fromauth_result_reputation_zone(r, i), zone) &&
		    !strcmp(fromauth_result_reputation_target(r, i), target)) {
			if (reason)
				*reason = fromauth_result_reputation_reason(r, i);
			return fromauth_result_reputation_status(r, i);
		}
	return -1;
}

START_TEST(net_dnsbl_answers)
{
	struct fromauth_result *r = run();
	const char *why = NULL;
	ck_assert_int_eq(status_of(r, "bl.test", "192.0.2.10", &why), FROMAUTH_REPUTATION_LISTED);
	ck_assert_ptr_nonnull(strstr(why, "spam source"));
	ck_assert_ptr_nonnull(strstr(why, "https://bl.test/lookup/192.0.2.10"));
	ck_assert_ptr_nonnull(strstr(why, "https://bl.test/remove"));
	ck_assert_int_eq(status_of(r, "bl.test", "192.0.2.11", NULL), FROMAUTH_REPUTATION_REFUSED);
	ck_assert_int_eq(status_of(r, "bl.test", "2001:db8::", NULL), FROMAUTH_REPUTATION_LISTED);
	ck_assert_int_eq(status_of(r, "bl.test", "2001:db8::1", NULL), FROMAUTH_REPUTATION_NOT_LISTED);
	ck_assert_int_eq(status_of(r, "dbl.test", "example.test", NULL), FROMAUTH_REPUTATION_LISTED);
	/* the list that lists the world is never asked about the sender */
	ck_assert_int_eq(status_of(r, "world.test", "192.0.2.10", NULL), -1);
	/* the defaults are replaced, not added to */
	for (size_t i = 0; i < fromauth_result_reputation_count(r); i++)
		ck_assert_ptr_null(strstr(fromauth_result_reputation_zone(r, i), "spamhaus"));
	int ip = 0, dom = 0, refused = 0, broken = 0;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		const char *c = fromauth_result_finding_code(r, i);
		ip += !strcmp(c, "reputation.ip_listed");
		dom += !strcmp(c, "reputation.domain_listed");
		refused += !strcmp(c, "reputation.refused");
		broken += !strcmp(c, "reputation.list_broken");
	}
	ck_assert_int_eq(ip, 2);
	ck_assert_int_eq(dom, 1);
	ck_assert_int_eq(refused, 1);
	ck_assert_int_eq(broken, 1);
	/* the queries went over the network */
	ck_assert_uint_gt(fromauth_result_dns_queries(r), 10);
	fromauth_result_free(r);
}
END_TEST

static Suite *dnsbl_net_suite(void)
{
	Suite *s = suite_create("dnsbl-net");
	TCase *tc = tcase_create("fromauth_check_reputation");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, net_dnsbl_answers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_nsd_main(&nsd, test_data("zones/dnsbl-net.zone"), dnsbl_net_suite());
}
