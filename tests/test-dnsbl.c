/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/dnsbl.c: RFC 5782 query names, the default lists, the
 * classification of every kind of answer and the zones' self-tests, all
 * against overlay records (offline: no query leaves the machine).
 */
#include <string.h>
#include <sys/socket.h>

#include "test-common.h"
#include "ctx.h"
#include "dnsbl.h"
#include "private.h"

static struct fromauth_ctx *ctx;
static struct fa_dns_req req;

static void setup(void)
{
	ctx = test_offline_ctx("rules/dnsbl.zone", NULL);
	fa_dns_req_init(&req, ctx->dns);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
	ctx = NULL;
}

static void add(const char *rr)
{
	char err[256] = "";
	ck_assert_msg(fromauth_ctx_add_record(ctx, rr, err, sizeof(err)) == 0, "%s: %s", rr, err);
}

static const struct fa_dnsbl_list *list(const char *zone)
{
	size_t n;
	const struct fa_dnsbl_list *l = fa_dnsbl_defaults(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i].zone, zone))
			return &l[i];
	ck_abort_msg("no default list %s", zone);
	return NULL;
}

static struct fa_dnsbl_answer ask(const char *zone, const char *target)
{
	struct fa_dnsbl_answer a;
	ck_assert_int_eq(fa_dnsbl_lookup(&req, list(zone), target, &a), 0);
	return a;
}

START_TEST(reverse_names)
{
	char buf[128];
	ck_assert_int_eq(fa_reverse_name("192.0.2.99", "zone.example", buf, sizeof(buf)), AF_INET);
	ck_assert_str_eq(buf, "99.2.0.192.zone.example");
	/* the Spamhaus documentation's example: every nibble, zeros expanded */
	ck_assert_int_eq(fa_reverse_name("2001:db8:7ca6:22::45", "zen.spamhaus.org", buf, sizeof(buf)),
			 AF_INET6);
	ck_assert_str_eq(buf, "5.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.2.0.0.6.a.c.7.8.b.d.0.1.0.0.2.zen.spamhaus.org");
	ck_assert_int_eq(fa_reverse_name("::ffff:7f00:2", "ip6.arpa", buf, sizeof(buf)), AF_INET6);
	ck_assert_str_eq(buf, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
	ck_assert_int_eq(fa_reverse_name("192.0.2", "x", buf, sizeof(buf)), -1);
	ck_assert_int_eq(fa_reverse_name("example.com", "x", buf, sizeof(buf)), -1);
	ck_assert_int_eq(fa_reverse_name("2001:db8::1", "x", buf, 20), -1);
	ck_assert_int_eq(fa_reverse_name("192.0.2.1", "in-addr.arpa", buf, 12), -1);
}
END_TEST

/* No dead, parked or fake list (dnsbl facts 4.1) is a default, nor one
 * that needs registration or a key. */
START_TEST(defaults_alive)
{
	static const char *const dead[] = {
		"sorbs.net", "manitu.net", "ahbl.org", "dsbl.org", "njabl.org", "ordb.org",
		"rfc-ignorant.org", "spamcannibal.org", "abuse.ch", "nszones.com", "abuseat.org",
		"dwl.spamhaus.org", "swl.spamhaus.org", "unsubscore.com", "blitzed.org",
		"easynet.nl", "visi.com", "five-ten-sg.com", "mail-abuse.org",
		"barracudacentral.org", "abusix.zone", "dq.spamhaus.net",
	};
	size_t n;
	const struct fa_dnsbl_list *l = fa_dnsbl_defaults(&n);
	ck_assert_uint_ge(n, 3);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(dead) / sizeof(dead[0]); k++)
			ck_assert_msg(!fa_domain_is_within(l[i].zone, dead[k]), "%s is dead", l[i].zone);
		ck_assert_msg(l[i].listed_count > 0 && l[i].delist, "%s", l[i].zone);
		/* IPv6 only where the operator documents it */
		if (l[i].ipv6)
			ck_assert_str_eq(l[i].zone, "zen.spamhaus.org");
		for (size_t k = 0; !l[i].bitmask && k < l[i].listed_count; k++)
			ck_assert_uint_eq(l[i].listed[k].value >> 24, 127);
	}
}
END_TEST

START_TEST(listed_and_not)
{
	add("2.2.0.192.zen.spamhaus.org. 300 IN A 127.0.0.3");
	add("2.2.0.192.zen.spamhaus.org. 300 IN A 127.0.0.11");
	add("2.2.0.192.zen.spamhaus.org. 300 IN TXT \"listed \\007 here\"");
	struct fa_dnsbl_answer a = ask("zen.spamhaus.org", "192.0.2.2");
	ck_assert_int_eq(a.status, FA_DNSBL_LISTED);
	ck_assert_str_eq(a.codes, "127.0.0.3,127.0.0.11");
	ck_assert_ptr_nonnull(strstr(a.meaning, "CSS"));
	ck_assert_ptr_nonnull(strstr(a.meaning, "PBL"));
	/* TXT shown, control bytes replaced */
	ck_assert_str_eq(a.txt, "listed ? here");
	a = ask("zen.spamhaus.org", "192.0.2.3");
	ck_assert_int_eq(a.status, FA_DNSBL_NOT_LISTED);
	ck_assert_str_eq(a.codes, "");
	/* SURBL's bitmask: 80 = MW + ABUSE */
	add("bad.example.multi.surbl.org. 300 IN A 127.0.0.80");
	a = ask("multi.surbl.org", "bad.example");
	ck_assert_int_eq(a.status, FA_DNSBL_LISTED);
	ck_assert_ptr_nonnull(strstr(a.meaning, "MW"));
	ck_assert_ptr_nonnull(strstr(a.meaning, "ABUSE"));
	/* IPv6 on an IPv4-only list: not asked */
	unsigned int before = atomic_load(&req.lookups);
	a = ask("bl.spamcop.net", "2001:db8::1");
	ck_assert_int_eq(a.status, FA_DNSBL_UNKNOWN);
	ck_assert_uint_eq(atomic_load(&req.lookups), before);
}
END_TEST

START_TEST(refused_never_listed)
{
	static const char *const spamhaus[] = { "127.255.255.254", "127.255.255.255",
						"127.255.255.252", "127.255.255.1" };
	char rr[200];
	for (size_t i = 0; i < 4; i++) {
		snprintf(rr, sizeof(rr), "%zu.2.0.192.zen.spamhaus.org. 300 IN A %s", 10 + i, spamhaus[i]);
		add(rr);
		snprintf(rr, sizeof(rr), "192.0.2.%zu", 10 + i);
		struct fa_dnsbl_answer a = ask("zen.spamhaus.org", rr);
		ck_assert_msg(a.status == FA_DNSBL_REFUSED, "%s: %d", spamhaus[i], a.status);
	}
	/* a refusal next to a listing code voids the answer */
	add("20.2.0.192.zen.spamhaus.org. 300 IN A 127.0.0.2");
	add("20.2.0.192.zen.spamhaus.org. 300 IN A 127.255.255.254");
	struct fa_dnsbl_answer both = ask("zen.spamhaus.org", "192.0.2.20");
	ck_assert_int_eq(both.status, FA_DNSBL_REFUSED);
	ck_assert_ptr_nonnull(strstr(both.meaning, "open resolver"));
	ck_assert_ptr_null(strstr(both.meaning, "SBL"));
	add("x.example.multi.uribl.com. 300 IN A 127.0.0.1");
	ck_assert_int_eq(ask("multi.uribl.com", "x.example").status, FA_DNSBL_REFUSED);
	add("x.example.multi.surbl.org. 300 IN A 127.0.0.65");
	ck_assert_int_eq(ask("multi.surbl.org", "x.example").status, FA_DNSBL_REFUSED);
	add("x.example.dbl.spamhaus.org. 300 IN A 127.0.1.255");
	ck_assert_int_eq(ask("dbl.spamhaus.org", "x.example").status, FA_DNSBL_REFUSED);
}
END_TEST

START_TEST(unknown_answers)
{
	/* an undocumented code, a wildcard outside 127/8, an undocumented bit */
	add("30.2.0.192.bl.spamcop.net. 300 IN A 127.0.0.99");
	ck_assert_int_eq(ask("bl.spamcop.net", "192.0.2.30").status, FA_DNSBL_UNKNOWN);
	add("31.2.0.192.bl.spamcop.net. 300 IN A 198.51.100.1");
	add("31.2.0.192.bl.spamcop.net. 300 IN A 127.0.0.2");
	struct fa_dnsbl_answer a = ask("bl.spamcop.net", "192.0.2.31");
	ck_assert_int_eq(a.status, FA_DNSBL_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(a.meaning, "outside 127.0.0.0/8"));
	add("y.example.multi.surbl.org. 300 IN A 127.0.0.2");
	ck_assert_int_eq(ask("multi.surbl.org", "y.example").status, FA_DNSBL_UNKNOWN);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "32.2.0.192.bl.spamcop.net"), 0);
	ck_assert_int_eq(ask("bl.spamcop.net", "192.0.2.32").status, FA_DNSBL_ERROR);
	struct fa_dnsbl_answer b;
	ck_assert_int_eq(fa_dnsbl_lookup(&req, list("bl.spamcop.net"), "not-an-ip", &b), FROMAUTH_E_IP);
}
END_TEST

START_TEST(self_tests)
{
	int state;
	char why[512];
	size_t n;
	const struct fa_dnsbl_list *l = fa_dnsbl_defaults(&n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(fa_dnsbl_selftest(&req, &l[i], &state, why, sizeof(why)), 0);
		ck_assert_msg(state == FA_DNSBL_ZONE_OK, "%s: %s", l[i].zone, why);
	}
	/* lists the world */
	add("1.0.0.127.bl.spamcop.net. 300 IN A 127.0.0.2");
	ck_assert_int_eq(fa_dnsbl_selftest(&req, list("bl.spamcop.net"), &state, why, sizeof(why)), 0);
	ck_assert_int_eq(state, FA_DNSBL_ZONE_BROKEN);
	ck_assert_ptr_nonnull(strstr(why, "1.0.0.127.bl.spamcop.net"));
	/* refuses its own test entry */
	add("dbltest.com.dbl.spamhaus.org. 300 IN A 127.255.255.254");
	ck_assert_int_eq(fa_dnsbl_selftest(&req, list("dbl.spamhaus.org"), &state, why, sizeof(why)), 0);
	ck_assert_int_eq(state, FA_DNSBL_ZONE_REFUSED);
	/* a wildcard of a parked domain */
	add("*.multi.uribl.com. 300 IN A 198.51.100.1");
	ck_assert_int_eq(fa_dnsbl_selftest(&req, list("multi.uribl.com"), &state, why, sizeof(why)), 0);
	ck_assert_int_eq(state, FA_DNSBL_ZONE_BROKEN);
	/* test entry times out */
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "invalid.multi.surbl.org"), 0);
	ck_assert_int_eq(fa_dnsbl_selftest(&req, list("multi.surbl.org"), &state, why, sizeof(why)), 0);
	ck_assert_int_eq(state, FA_DNSBL_ZONE_ERROR);
	fromauth_ctx_free(ctx);
	/* not in the overlay: unusable, and offline says so */
	ctx = test_offline_ctx(NULL);
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_dnsbl_selftest(&req, list("zen.spamhaus.org"), &state, why, sizeof(why)), 0);
	ck_assert_int_eq(state, FA_DNSBL_ZONE_UNUSABLE);
	ck_assert_ptr_nonnull(strstr(why, "offline"));
}
END_TEST

START_TEST(parse_specs)
{
	struct fa_dnsbl_list l;
	char err[256];
	ck_assert_int_eq(fa_dnsbl_parse("zone=bl.example; kind=ip; ipv6=yes; "
					"listed=127.0.0.2 spam, 127.0.1.0/24 range; "
					"refused=127.255.255.254 open resolver; delist=https://bl.example/",
					&l, err, sizeof(err)), 0);
	ck_assert_str_eq(l.zone, "bl.example");
	ck_assert_int_eq(l.kind, FA_DNSBL_IP);
	ck_assert_int_eq(l.ipv6, 1);
	ck_assert_uint_eq(l.listed_count, 2);
	ck_assert_uint_eq(l.listed[1].value, 0x7f000100u);
	ck_assert_uint_eq(l.listed[1].mask, 0xffffff00u);
	ck_assert_str_eq(l.listed[1].meaning, "range");
	ck_assert_uint_eq(l.refused_count, 1);
	ck_assert_str_eq(l.delist, "https://bl.example/");
	fa_dnsbl_list_clear(&l);
	ck_assert_int_eq(fa_dnsbl_parse("zone=uri.example;kind=domain;bitmask=yes;listed=2 black,4;"
					"refused=1;test=hit.example", &l, err, sizeof(err)), 0);
	ck_assert_int_eq(l.bitmask, 1);
	ck_assert_str_eq(l.listed[1].meaning, "listed");
	ck_assert_str_eq(l.test_listed, "hit.example");
	fa_dnsbl_list_clear(&l);

	static const char *const bad[][2] = {
		{ "kind=ip; listed=127.0.0.2", "required" },
		{ "zone=bl.example; listed=127.0.0.2", "required" },
		{ "zone=bl.example; kind=ip", "required" },
		{ "zone=bl.example; kind=both; listed=127.0.0.2", "kind=both" },
		{ "zone=bl.example; kind=ip; listed=10.0.0.2", "127.0.0.0/8" },
		{ "zone=bl.example; kind=ip; listed=127.0.0.2/4", "127.0.0.0/8" },
		{ "zone=bl.example; kind=ip; bitmask=yes; listed=3", "bit" },
		{ "zone=bl.example; kind=ip; ipv6=maybe; listed=127.0.0.2", "yes or no" },
		{ "zone=bl.example; kind=ip; colour=red; listed=127.0.0.2", "colour" },
		{ "zone=bl..example; kind=ip; listed=127.0.0.2", "" },
		{ "zone=bl.example; kind=ip; listed=,", "no code" },
		{ "zone bl.example", "key=value" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(fa_dnsbl_parse(bad[i][0], &l, err, sizeof(err)) == FROMAUTH_E_INVAL,
			      "%s accepted", bad[i][0]);
		ck_assert_msg(strstr(err, bad[i][1]) && err[0], "%s: \"%s\"", bad[i][0], err);
	}
	/* through the context: bad specs refused, good ones counted */
	ck_assert_int_eq(fromauth_ctx_add_dnsbl(ctx, "zone=x", err, sizeof(err)), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_add_dnsbl(NULL, "zone=x", NULL, 0), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_ctx_add_dnsbl(ctx, "zone=bl.example; kind=ip; listed=127.0.0.2",
						err, sizeof(err)), 0);
	ck_assert_uint_eq(ctx->dnsbl_count, 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("dnsbl");
	const struct test_case cases[] = {
		{ "fa_reverse_name", reverse_names },
		{ "fa_dnsbl_defaults", defaults_alive },
		{ "fa_dnsbl_lookup_listed", listed_and_not },
		{ "fa_dnsbl_lookup_refused", refused_never_listed },
		{ "fa_dnsbl_lookup_unknown", unknown_answers },
		{ "fa_dnsbl_selftest", self_tests },
		{ "fromauth_ctx_add_dnsbl", parse_specs },
	};
	test_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
	return s;
}
