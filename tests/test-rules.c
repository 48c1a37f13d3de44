/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Receivers' rules and blocklist reputation through the public API: a
 * table of scenarios, each the check scenarios' service (tests/check/
 * esp.zone) plus customer, PTR and blocklist zones (tests/check/zones/,
 * tests/rules/), expecting rows of given receivers in a given status and
 * linked to a given finding.  Every DNS-decidable row has a scenario
 * where it passes and one where it fails (test "table_covers_rows" keeps
 * it so).  Blocklists are only ever overlay copies: offline, no query
 * leaves the machine.
 */
#include <string.h>

#include <json-c/json.h>

#include "test-common.h"

/* The table leaves trailing fields (message_has, must, must_not) out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

enum { PASS = FROMAUTH_RULE_PASS, FAIL = FROMAUTH_RULE_FAIL, UNKNOWN = FROMAUTH_RULE_UNKNOWN,
       NOT_CHECKED = FROMAUTH_RULE_NOT_CHECKED };

#define ALL FROMAUTH_CHECK_RULES_ALL
#define REP FROMAUTH_CHECK_REPUTATION
#define MAX_EXPECT 10
#define MAX_ZONES 5

struct expect {
	const char *receiver;
	const char *requirement;        /* a prefix of the row's requirement */
	int status;
	const char *finding;            /* NULL: not checked; "-": none */
	const char *message_has;        /* NULL or a substring of the message */
};

struct scenario {
	const char *name;
	const char *zones[MAX_ZONES];   /* under tests/, besides check/esp.zone */
	const char *profile;            /* tests/check/profiles/<profile>.profile */
	const char *from;
	const char *timeout;
	unsigned int flags;
	struct expect ex[MAX_EXPECT];
	const char *must[4];            /* finding codes */
	const char *must_not[4];
};

#define HEALTHY "check/zones/healthy.zone"
#define PTR "rules/ptr.zone"
#define BL "rules/dnsbl.zone"

/* Row names (prefixes, unique per receiver). */
#define ANY "SPF or DKIM passes"
#define BOTH "SPF and DKIM both pass"
#define G_DMARC "a DMARC record stating"
#define G_ALIGN "From domain aligned"
#define G_FCRDNS "forward-confirmed reverse DNS"
#define BITS "DKIM key of at least"
#define SHA1 "DKIM key not restricted"
#define G_HARDFAIL "SPF does not fail"
#define G_POLICY "mail passes the From domain"
#define G_GMAIL "From is not a gmail"
#define Y_DMARC "a DMARC policy (p=none"
#define Y_FCRDNS "valid forward and reverse"
#define Y_SOA "MAIL FROM and From domains resolve"
#define Y_NULLMX "no null MX"
#define Y_SPAMHAUS "sending addresses not listed by Spamhaus"
#define M_SPF "SPF passes"
#define M_DKIM "DKIM passes"
#define M_DMARC "DMARC of at least"
#define M_RDNS "valid reverse DNS"
#define M_SPAMHAUS "sending addresses not on Spamhaus"
#define M_DYNAMIC "no sending from dynamic"
#define M_LOOKUPS "SPF needs at most"
#define M_DENYALL "MAIL FROM domain does not publish"
#define A_DMARC "the sending domain publishes"
#define A_RDNS "reverse DNS for the sending"

static const struct scenario scenarios[] = {
	/* ---- everything in place ---- */
	{ "healthy", { HEALTHY, PTR }, "esp", "news@healthy.example", NULL, ALL,
	  { { "gmail", ANY, PASS, "-" }, { "gmail", BOTH, PASS, "-" }, { "gmail", G_FCRDNS, PASS, "-",
	    "192.0.2.127: PTR mta127.sendco.example, which resolves back to it" },
	    { "yahoo", Y_SOA, PASS, "-" }, { "yahoo", Y_NULLMX, PASS, "-" },
	    { "outlook", M_LOOKUPS, PASS, "-" }, { "outlook", M_DENYALL, PASS, "-" },
	    { "apple", A_RDNS, PASS, "-", "2001:db8:5e:ffff:ffff:ffff:ffff:ffff: PTR mta6b.sendco.example" },
	    { "yahoo", Y_SPAMHAUS, NOT_CHECKED, "-", "--reputation" }, { "gmail", G_DMARC, PASS, "-" } },
	  { 0 }, { "rules.fcrdns", "rules.null_mx" } },
	/* ---- SPF or DKIM / both ---- */
	{ "none-unauth", { "check/zones/none-unauth.zone", PTR }, "esp", "news@none-unauth.example", NULL, ALL,
	  { { "gmail", ANY, FAIL, "spf.none", "550 5.7.26" }, { "yahoo", ANY, FAIL, "spf.none" },
	    { "gmail", BOTH, FAIL, "spf.none" }, { "gmail", BITS, UNKNOWN, "dkim.key_missing" },
	    { "gmail", SHA1, UNKNOWN }, { "outlook", M_SPF, FAIL, "spf.none", "5.7.515" },
	    { "outlook", M_DKIM, FAIL, "dkim.key_missing" },
	    { "gmail", G_POLICY, PASS, "-", "nothing to enforce" } } },
	{ "spf-temp", { "check/zones/spf-temp.zone" }, "esp", "news@spf-temp.example", "spf-temp.example", ALL,
	  { { "gmail", ANY, UNKNOWN, "spf.temperror" }, { "gmail", G_HARDFAIL, UNKNOWN, "spf.temperror" },
	    { "outlook", M_SPF, UNKNOWN } } },
	{ "spf-only", { "check/zones/spf-only.zone", PTR }, "nodkim", "news@spf-only.example", NULL, ALL,
	  { { "gmail", ANY, PASS, "-" }, { "gmail", BOTH, FAIL, "dkim.none", "5.7.30" },
	    { "yahoo", BOTH, FAIL, "dkim.none" }, { "apple", BOTH, FAIL, "dkim.none", "iCloud Mail rejects" },
	    { "outlook", M_SPF, PASS, "-" }, { "outlook", M_DKIM, FAIL, "dkim.none" },
	    { "gmail", BITS, UNKNOWN } } },
	{ "dkim-temp-spf-pass", { "check/zones/dkim-temp-spf-pass.zone" }, "esp",
	  "news@dkim-temp-spf-pass.example", "s1._domainkey.dkim-temp-spf-pass.example", ALL,
	  { { "gmail", ANY, PASS, "-" }, { "gmail", BOTH, UNKNOWN, "dkim.temperror" },
	    { "outlook", M_DKIM, UNKNOWN, "dkim.temperror" } } },
	/* ---- DMARC record, alignment, the domain's own policy ---- */
	{ "no-dmarc", { "check/zones/no-dmarc.zone" }, "esp", "news@no-dmarc.example", NULL, ALL,
	  { { "gmail", G_DMARC, FAIL, "dmarc.none", "5.7.40" }, { "apple", A_DMARC, FAIL, "dmarc.none" },
	    { "yahoo", Y_DMARC, FAIL, "dmarc.none" }, { "outlook", M_DMARC, FAIL, "dmarc.none" },
	    { "gmail", G_POLICY, PASS, "-", "DMARC passes" }, { "gmail", G_ALIGN, PASS, "-" } } },
	{ "dmarc-nop", { "rules/dmarc-nop.zone" }, "esp", "news@dmarc-nop.example", NULL, ALL,
	  { { "gmail", G_DMARC, FAIL, "dmarc.syntax", "no p= tag" }, { "gmail", G_ALIGN, PASS, "-" } } },
	{ "dmarc-temp", { "check/zones/dmarc-temp.zone" }, "esp", "news@dmarc-temp.example",
	  "_dmarc.dmarc-temp.example", ALL,
	  { { "gmail", G_DMARC, UNKNOWN, "dmarc.temperror" }, { "yahoo", Y_DMARC, UNKNOWN, "dmarc.temperror" } } },
	{ "unaligned", { "check/zones/unaligned.zone" }, "svcsign", "news@unaligned.example", NULL, ALL,
	  { { "gmail", G_ALIGN, FAIL, "dkim.unaligned", "4.7.32" }, { "gmail", ANY, PASS, "-" },
	    { "yahoo", Y_DMARC, FAIL, "dkim.unaligned" }, { "outlook", M_DMARC, FAIL, "dkim.unaligned" } } },
	{ "rp-align-temp", { "check/zones/rp-align-temp.zone" }, "rpnodkim", "news@rp-align-temp.example",
	  "_dmarc.bounce.rp-align-temp.example", ALL,
	  { { "gmail", G_ALIGN, UNKNOWN } } },
	{ "reject", { "check/zones/reject.zone" }, "esp", "news@reject.example", NULL, ALL,
	  { { "gmail", G_POLICY, FAIL, "dmarc.fail_reject", "rejects under p=reject" },
	    { "gmail", G_HARDFAIL, FAIL, "spf.include_missing" }, { "gmail", G_GMAIL, PASS, "-" },
	    { "apple", A_DMARC, PASS, "-" } } },
	{ "quarantine", { "check/zones/quarantine.zone" }, "esp", "news@quarantine.example", NULL, ALL,
	  { { "gmail", G_POLICY, FAIL, "dmarc.fail_quarantine" }, { "gmail", G_HARDFAIL, PASS, "-" } } },
	/* ---- forward-confirmed reverse DNS, per address ---- */
	{ "no-ptr", { HEALTHY }, "esp", "news@healthy.example", NULL, ALL,
	  { { "gmail", G_FCRDNS, FAIL, "rules.fcrdns", "192.0.2.0: no PTR record at 0.2.0.192.in-addr.arpa" },
	    { "yahoo", Y_FCRDNS, FAIL, "rules.fcrdns" }, { "outlook", M_RDNS, FAIL, "rules.fcrdns" },
	    { "apple", A_RDNS, FAIL, "rules.fcrdns", "2001:db8:5e::: no PTR record" } },
	  { "rules.fcrdns" } },
	{ "ptr-mismatch", { HEALTHY, "rules/ptr-mismatch.zone" }, "esp", "news@healthy.example", NULL, ALL,
	  { { "gmail", G_FCRDNS, FAIL, "rules.fcrdns",
	      "192.0.2.0: PTR host-7.isp.example, which does not resolve back to it" } },
	  { "rules.fcrdns" } },
	{ "ptr-slow", { HEALTHY, "rules/ptr-slow.zone" }, "esp", "news@healthy.example",
	  "slow.sendco.example", ALL,
	  { { "gmail", G_FCRDNS, UNKNOWN, "-", "whose address lookup failed" } },
	  { 0 }, { "rules.fcrdns" } },
	/* ---- DKIM keys ---- */
	{ "dkim-weak", { "check/zones/dkim-weak.zone" }, "notarget", "news@dkim-weak.example", NULL, ALL,
	  { { "gmail", BITS, FAIL, "dkim.key_weak", "512 bits" }, { "yahoo", BITS, FAIL, "dkim.key_weak" } } },
	{ "dkim-short", { "check/zones/dkim-short.zone" }, "short", "news@dkim-short.example", NULL, ALL,
	  { { "gmail", BITS, PASS, "-", "2048 is advised" }, { "gmail", SHA1, PASS, "-" } } },
	{ "dkim-sha1", { "rules/dkim-sha1.zone" }, "notarget", "news@dkim-sha1.example", NULL, ALL,
	  { { "gmail", SHA1, FAIL, "dkim.key_invalid", "h=sha1" }, { "yahoo", SHA1, FAIL, "dkim.key_invalid" },
	    { "gmail", ANY, PASS, "-" } } },
	/* ---- From a Google domain ---- */
	{ "gmail-from", { 0 }, "esp", "someone@gmail.com", NULL, FROMAUTH_CHECK_RULES_GMAIL,
	  { { "gmail", G_GMAIL, FAIL, "-", "Google's own domain" } } },
	/* ---- Yahoo: the domains resolve, no null MX ---- */
	{ "nxsub", { "check/zones/nxsub.zone" }, "esp", "news@nosuch.nxparent.example", NULL, ALL,
	  { { "yahoo", Y_SOA, FAIL, "domain.nxdomain", "554" } } },
	{ "returnpath-missing", { "check/zones/returnpath-missing.zone" }, "returnpath",
	  "news@returnpath-missing.example", NULL, ALL,
	  { { "yahoo", Y_SOA, FAIL, "spf.none", "MAIL FROM domain bounce.returnpath-missing.example" } } },
	{ "soa-temp", { HEALTHY }, "esp", "news@healthy.example", "healthy.example", ALL,
	  { { "yahoo", Y_SOA, UNKNOWN, "-" } } },
	{ "nullmx", { "rules/nullmx.zone" }, "esp", "news@nullmx.example", NULL, ALL,
	  { { "yahoo", Y_NULLMX, FAIL, "rules.null_mx", "550/554" }, { "gmail", ANY, PASS, "-" } },
	  { "rules.null_mx" } },
	/* ---- Outlook.com: SPF lookups, "v=spf1 -all" ---- */
	{ "spf-lookups", { "check/zones/spf-lookups.zone" }, "esp", "news@spf-lookups.example", NULL, ALL,
	  { { "outlook", M_LOOKUPS, FAIL, "spf.lookup_limit" } } },
	{ "spf-multiple", { "check/zones/spf-multiple.zone" }, "esp", "news@spf-multiple.example", NULL, ALL,
	  { { "outlook", M_LOOKUPS, UNKNOWN, "spf.multiple" } } },
	{ "deny-all", { "rules/deny-all.zone" }, "esp", "news@deny-all.example", NULL, ALL,
	  { { "outlook", M_DENYALL, FAIL, "spf.include_missing", "Sender ID" } } },
	/* ---- blocklists (overlay copies only) ---- */
	{ "bl-clean", { HEALTHY, PTR, BL }, "esp", "news@healthy.example", NULL, ALL | REP,
	  { { "yahoo", Y_SPAMHAUS, PASS, "-" }, { "outlook", M_SPAMHAUS, PASS, "-" },
	    { "outlook", M_DYNAMIC, PASS, "-" } },
	  { 0 }, { "reputation.ip_listed", "reputation.domain_listed", "reputation.refused",
		   "reputation.list_broken" } },
	{ "bl-listed", { HEALTHY, PTR, BL, "rules/dnsbl-listed.zone" }, "esp", "news@healthy.example", NULL,
	  FROMAUTH_CHECK_RULES_YAHOO | FROMAUTH_CHECK_RULES_OUTLOOK | REP,
	  { { "yahoo", Y_SPAMHAUS, FAIL, "reputation.ip_listed", "553/554" },
	    { "outlook", M_SPAMHAUS, FAIL, "reputation.ip_listed", "OU-001" },
	    { "outlook", M_DYNAMIC, PASS, "-" } },
	  { "reputation.ip_listed", "reputation.domain_listed" }, { "reputation.refused" } },
	{ "bl-pbl", { HEALTHY, BL, "rules/dnsbl-pbl.zone" }, "esp", "news@healthy.example", NULL, ALL | REP,
	  { { "yahoo", Y_SPAMHAUS, FAIL, "reputation.ip_listed" },
	    { "outlook", M_SPAMHAUS, PASS, "-" },
	    { "outlook", M_DYNAMIC, FAIL, "reputation.ip_listed", "DY-001" } },
	  { "reputation.ip_listed" }, { "reputation.domain_listed" } },
	{ "bl-refused", { HEALTHY, BL, "rules/dnsbl-refused.zone" }, "esp", "news@healthy.example", NULL,
	  ALL | REP,
	  { { "yahoo", Y_SPAMHAUS, UNKNOWN, "reputation.refused" },
	    { "outlook", M_SPAMHAUS, UNKNOWN, "reputation.refused" } },
	  { "reputation.refused" }, { "reputation.ip_listed", "reputation.domain_listed" } },
	{ "bl-zen-refused", { HEALTHY, BL, "rules/dnsbl-zen-refused.zone", "rules/dnsbl-listed.zone" },
	  "esp", "news@healthy.example", NULL, ALL | REP,
	  { { "yahoo", Y_SPAMHAUS, UNKNOWN, "reputation.refused" } },
	  /* the DBL still works: the domain listing stands */
	  { "reputation.refused", "reputation.domain_listed" }, { "reputation.ip_listed" } },
	{ "bl-broken", { HEALTHY, BL, "rules/dnsbl-broken.zone" }, "esp", "news@healthy.example", NULL,
	  ALL | REP,
	  { { "yahoo", Y_SPAMHAUS, UNKNOWN, "-" } },
	  { "reputation.list_broken" }, { "reputation.ip_listed", "reputation.domain_listed" } },
	{ "bl-temp", { HEALTHY, BL }, "esp", "news@healthy.example", "0.2.0.192.zen.spamhaus.org",
	  ALL | REP,
	  { { "yahoo", Y_SPAMHAUS, UNKNOWN, "reputation.temperror" } },
	  { "reputation.temperror" }, { "reputation.ip_listed" } },
	/* offline without the lists in the overlay: nothing is asked */
	{ "bl-absent", { HEALTHY }, "esp", "news@healthy.example", NULL, ALL | REP,
	  { { "yahoo", Y_SPAMHAUS, UNKNOWN, "reputation.refused" } },
	  { "reputation.refused" }, { "reputation.ip_listed" } },
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* ---- helpers ------------------------------------------------------------ */

static struct fromauth_profile *load_profile(const char *name)
{
	char path[4096], err[512] = "";
	snprintf(path, sizeof(path), "%s/check/profiles/%s.profile", TEST_DATA_DIR, name);
	struct fromauth_profile *p = NULL;
	int rc = fromauth_profile_load(path, &p, err, sizeof(err));
	ck_assert_msg(rc == 0, "profile %s: %s", name, err);
	return p;
}

static struct fromauth_result *run(const struct scenario *s)
{
	struct fromauth_ctx *ctx = test_offline_ctx("check/esp.zone", NULL);
	char err[512] = "";
	for (size_t i = 0; i < MAX_ZONES && s->zones[i]; i++) {
		int rc = fromauth_ctx_add_zone_file(ctx, test_data(s->zones[i]), err, sizeof(err));
		ck_assert_msg(rc == 0, "%s: zone %s: %s", s->name, s->zones[i], err);
	}
	if (s->timeout)
		ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, s->timeout), 0);
	struct fromauth_profile *p = load_profile(s->profile);
	struct fromauth_result *r = NULL;
	int rc = fromauth_check(ctx, p, s->from, s->flags, &r, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s (%s)", s->name, fromauth_strerror(rc), err);
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
	return r;
}

static const struct scenario *scenario_named(const char *name)
{
	for (size_t i = 0; i < NSCENARIOS; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	ck_abort_msg("no scenario %s", name);
	return NULL;
}

/* Index of the row of @receiver whose requirement starts with @req. */
static size_t row_of(const struct fromauth_result *r, const char *receiver, const char *req)
{
	size_t found = (size_t)-1;
	for (size_t i = 0; i < fromauth_result_rule_count(r); i++) {
		if (strcmp(fromauth_result_rule_receiver(r, i), receiver) ||
		    strncmp(fromauth_result_rule_requirement(r, i), req, strlen(req)))
			continue;
		ck_assert_msg(found == (size_t)-1, "two %s rows start with \"%s\"", receiver, req);
		found = i;
	}
	return found;
}

static int has_finding(const struct fromauth_result *r, const char *code)
{
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		if (!strcmp(fromauth_result_finding_code(r, i), code))
			return 1;
	return 0;
}

static const char *status_name(int s)
{
	return s < 0 ? "(none)" : fromauth_rule_status_name(s);
}

/* ---- the table ------------------------------------------------------------ */

START_TEST(test_scenario)
{
	const struct scenario *s = &scenarios[_i];
	struct fromauth_result *r = run(s);
	for (size_t k = 0; k < MAX_EXPECT && s->ex[k].receiver; k++) {
		const struct expect *e = &s->ex[k];
		size_t i = row_of(r, e->receiver, e->requirement);
		ck_assert_msg(i != (size_t)-1, "%s: no %s row \"%s\"", s->name, e->receiver, e->requirement);
		int got = fromauth_result_rule_status(r, i);
		ck_assert_msg(got == e->status, "%s: %s \"%s\" is %s, expected %s: %s", s->name,
			      e->receiver, e->requirement, status_name(got), status_name(e->status),
			      fromauth_result_rule_message(r, i));
		const char *f = fromauth_result_rule_finding(r, i);
		if (e->finding && !strcmp(e->finding, "-"))
			ck_assert_msg(f == NULL, "%s: %s \"%s\" links %s", s->name, e->receiver,
				      e->requirement, f);
		else if (e->finding)
			ck_assert_msg(f && !strcmp(f, e->finding), "%s: %s \"%s\" links %s, expected %s",
				      s->name, e->receiver, e->requirement, f ? f : "nothing", e->finding);
		/* a linked finding is one the result holds */
		if (f)
			ck_assert_msg(has_finding(r, f), "%s: row links %s, not in the findings", s->name, f);
		if (e->message_has)
			ck_assert_msg(strstr(fromauth_result_rule_message(r, i), e->message_has),
				      "%s: %s \"%s\": \"%s\" not in \"%s\"", s->name, e->receiver,
				      e->requirement, e->message_has, fromauth_result_rule_message(r, i));
	}
	for (size_t k = 0; k < 4 && s->must[k]; k++)
		ck_assert_msg(has_finding(r, s->must[k]), "%s: no finding %s", s->name, s->must[k]);
	for (size_t k = 0; k < 4 && s->must_not[k]; k++)
		ck_assert_msg(!has_finding(r, s->must_not[k]), "%s: finding %s", s->name, s->must_not[k]);
	fromauth_result_free(r);
}
END_TEST

/* Every row that DNS decides passes in the "bl-clean" scenario (all in
 * place) and fails in some scenario of the table; only session and
 * message properties are not_checked. */
START_TEST(test_table_covers_rows)
{
	const struct scenario *h = scenario_named("bl-clean");
	struct fromauth_result *all = run(h);
	size_t n = fromauth_result_rule_count(all);
	ck_assert_uint_ge(n, 40);
	char missing[4096] = "";
	for (size_t i = 0; i < n; i++) {
		const char *rec = fromauth_result_rule_receiver(all, i);
		const char *req = fromauth_result_rule_requirement(all, i);
		int st = fromauth_result_rule_status(all, i);
		if (st == NOT_CHECKED)
			continue;
		int pass = st == PASS, fail = 0;
		for (size_t k = 0; k < NSCENARIOS; k++)
			for (size_t e = 0; e < MAX_EXPECT && scenarios[k].ex[e].receiver; e++) {
				const struct expect *x = &scenarios[k].ex[e];
				if (strcmp(x->receiver, rec) || strncmp(req, x->requirement, strlen(x->requirement)))
					continue;
				pass |= x->status == PASS;
				fail |= x->status == FAIL;
			}
		if (!pass || !fail) {
			size_t l = strlen(missing);
			snprintf(missing + l, sizeof(missing) - l, "\n%s \"%s\": no scenario that %s", rec,
				 req, pass ? "fails" : fail ? "passes" : "passes or fails");
		}
	}
	ck_assert_msg(!*missing, "%s", missing);
	fromauth_result_free(all);
}
END_TEST

/* With everything in place, every DNS row passes and the rest, exactly
 * the session and message properties, are not_checked. */
START_TEST(test_not_checked_rows)
{
	static const char *const expected[][2] = {
		{ "gmail", "TLS for the SMTP connection" },
		{ "gmail", "spam rate in Postmaster Tools" },
		{ "gmail", "messages formatted per RFC 5322" },
		{ "gmail", "one-click unsubscribe" },
		{ "gmail", "unsubscribes honoured within 48 hours" },
		{ "gmail", "good sending IP and domain reputation at Google" },
		{ "gmail", "your and linked domains clean in Google Safe Browsing" },
		{ "yahoo", "spam complaint rate below 0.3%" },
		{ "yahoo", "RFC 5321 and RFC 5322 compliance" },
		{ "yahoo", "one-click unsubscribe" },
		{ "outlook", "working unsubscribe link" },
		{ "outlook", "at most 500 simultaneous connections" },
		{ "apple", "ARC on forwarded mail" },
		{ "apple", "an unsubscribe link" },
	};
	struct fromauth_ctx *ctx = test_offline_ctx("check/esp.zone", "check/zones/healthy.zone",
						    "rules/ptr.zone", "rules/dnsbl.zone", NULL);
	struct fromauth_profile *p = load_profile("esp");
	struct fromauth_result *r = NULL;
	ck_assert_int_eq(fromauth_check(ctx, p, "news@healthy.example", ALL | REP, &r, NULL, 0), 0);
	size_t nc = 0;
	for (size_t i = 0; i < fromauth_result_rule_count(r); i++) {
		int st = fromauth_result_rule_status(r, i);
		ck_assert_msg(st == PASS || st == NOT_CHECKED, "%s \"%s\" is %s: %s",
			      fromauth_result_rule_receiver(r, i), fromauth_result_rule_requirement(r, i),
			      status_name(st), fromauth_result_rule_message(r, i));
		ck_assert(*fromauth_result_rule_message(r, i));
		if (st == NOT_CHECKED) {
			nc++;
			ck_assert_ptr_null(fromauth_result_rule_finding(r, i));
		}
	}
	for (size_t k = 0; k < sizeof(expected) / sizeof(expected[0]); k++) {
		size_t i = row_of(r, expected[k][0], expected[k][1]);
		ck_assert_msg(i != (size_t)-1, "no %s row %s", expected[k][0], expected[k][1]);
		ck_assert_int_eq(fromauth_result_rule_status(r, i), NOT_CHECKED);
	}
	ck_assert_uint_ge(nc, sizeof(expected) / sizeof(expected[0]));
	/* a clean sender raises no rule or reputation finding */
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		ck_assert_msg(strncmp(fromauth_result_finding_code(r, i), "rules.", 6) &&
			      strncmp(fromauth_result_finding_code(r, i), "reputation.", 11),
			      "finding %s", fromauth_result_finding_code(r, i));
	fromauth_result_free(r);
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
}
END_TEST

/* Each flag selects its receiver only; no flag, no rows. */
START_TEST(test_receiver_selection)
{
	static const struct { unsigned int flag; const char *name; } rec[] = {
		{ FROMAUTH_CHECK_RULES_GMAIL, "gmail" }, { FROMAUTH_CHECK_RULES_YAHOO, "yahoo" },
		{ FROMAUTH_CHECK_RULES_OUTLOOK, "outlook" }, { FROMAUTH_CHECK_RULES_APPLE, "apple" },
	};
	struct fromauth_ctx *ctx = test_offline_ctx("check/esp.zone", "check/zones/healthy.zone", NULL);
	struct fromauth_profile *p = load_profile("esp");
	size_t total = 0;
	for (size_t k = 0; k < 4; k++) {
		struct fromauth_result *r = NULL;
		ck_assert_int_eq(fromauth_check(ctx, p, "news@healthy.example", rec[k].flag, &r, NULL, 0), 0);
		ck_assert_uint_gt(fromauth_result_rule_count(r), 0);
		for (size_t i = 0; i < fromauth_result_rule_count(r); i++) {
			ck_assert_str_eq(fromauth_result_rule_receiver(r, i), rec[k].name);
			const char *tier = fromauth_result_rule_tier(r, i);
			ck_assert_msg(!strcmp(tier, "all") || !strcmp(tier, "bulk"), "tier %s", tier);
		}
		total += fromauth_result_rule_count(r);
		fromauth_result_free(r);
	}
	struct fromauth_result *r = NULL;
	ck_assert_int_eq(fromauth_check(ctx, p, "news@healthy.example", ALL, &r, NULL, 0), 0);
	ck_assert_uint_eq(fromauth_result_rule_count(r), total);
	ck_assert_uint_eq(fromauth_result_reputation_count(r), 0);
	fromauth_result_free(r);
	ck_assert_int_eq(fromauth_check(ctx, p, "news@healthy.example", 0, &r, NULL, 0), 0);
	ck_assert_uint_eq(fromauth_result_rule_count(r), 0);
	json_object *o = json_tokener_parse(fromauth_result_json(r));
	ck_assert(!json_object_object_get_ex(o, "rules", NULL));
	ck_assert(!json_object_object_get_ex(o, "reputation", NULL));
	json_object_put(o);
	fromauth_result_free(r);
	/* an unknown bit next to the rules is still refused */
	r = (void *)1;
	ck_assert_int_eq(fromauth_check(ctx, p, "news@healthy.example", ALL | (1u << 20), &r, NULL, 0),
			 FROMAUTH_E_INVAL);
	ck_assert_ptr_null(r);
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
}
END_TEST

START_TEST(test_getters_tolerate_null)
{
	ck_assert_uint_eq(fromauth_result_rule_count(NULL), 0);
	ck_assert_ptr_null(fromauth_result_rule_receiver(NULL, 0));
	ck_assert_ptr_null(fromauth_result_rule_tier(NULL, 0));
	ck_assert_ptr_null(fromauth_result_rule_requirement(NULL, 0));
	ck_assert_int_eq(fromauth_result_rule_status(NULL, 0), -1);
	ck_assert_ptr_null(fromauth_result_rule_code(NULL, 0));
	ck_assert_ptr_null(fromauth_result_rule_message(NULL, 0));
	ck_assert_ptr_null(fromauth_result_rule_finding(NULL, 0));
	ck_assert_uint_eq(fromauth_result_reputation_count(NULL), 0);
	ck_assert_ptr_null(fromauth_result_reputation_zone(NULL, 0));
	ck_assert_ptr_null(fromauth_result_reputation_target(NULL, 0));
	ck_assert_int_eq(fromauth_result_reputation_status(NULL, 0), -1);
	ck_assert_ptr_null(fromauth_result_reputation_reason(NULL, 0));
	ck_assert_str_eq(fromauth_rule_status_name(FROMAUTH_RULE_NOT_CHECKED), "not_checked");
	ck_assert_str_eq(fromauth_rule_status_name(99), "unknown");
	ck_assert_str_eq(fromauth_reputation_status_name(FROMAUTH_REPUTATION_REFUSED), "refused");
	ck_assert_str_eq(fromauth_reputation_status_name(-5), "unknown");

	struct fromauth_result *r = run(scenario_named("bl-listed"));
	size_t n = fromauth_result_rule_count(r), m = fromauth_result_reputation_count(r);
	ck_assert_ptr_null(fromauth_result_rule_receiver(r, n));
	ck_assert_int_eq(fromauth_result_rule_status(r, n), -1);
	ck_assert_ptr_null(fromauth_result_reputation_zone(r, m));
	ck_assert_int_eq(fromauth_result_reputation_status(r, m), -1);
	fromauth_result_free(r);
}
END_TEST

/* ---- blocklist lookups, one by one ------------------------------------------ */

/* Status of the lookup of @target on @zone, -1 when not looked up. */
static int lookup(const struct fromauth_result *r, const char *zone, const char *target,
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

START_TEST(test_reputation_listed)
{
	struct fromauth_result *r = run(scenario_named("bl-listed"));
	const char *why = NULL;
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "192.0.2.0", &why), FROMAUTH_REPUTATION_LISTED);
	/* the meaning of the code, the list's TXT reason, where to delist */
	ck_assert_ptr_nonnull(strstr(why, "SBL"));
	ck_assert_ptr_nonnull(strstr(why, "SBL1234"));
	ck_assert_ptr_nonnull(strstr(why, "https://check.spamhaus.org/"));
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "192.0.2.127", NULL),
			 FROMAUTH_REPUTATION_NOT_LISTED);
	/* IPv6 by nibbles on ZEN; the IPv4-only lists are not asked */
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "2001:db8:5e::", &why), FROMAUTH_REPUTATION_LISTED);
	ck_assert_ptr_nonnull(strstr(why, "XBL"));
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "2001:db8:5e:ffff:ffff:ffff:ffff:ffff", NULL),
			 FROMAUTH_REPUTATION_NOT_LISTED);
	ck_assert_int_eq(lookup(r, "bl.spamcop.net", "2001:db8:5e::", NULL), -1);
	ck_assert_int_eq(lookup(r, "bl.spamcop.net", "192.0.2.0", NULL), FROMAUTH_REPUTATION_NOT_LISTED);
	/* domain lists: the From domain (and the DKIM domain, the same) */
	ck_assert_int_eq(lookup(r, "dbl.spamhaus.org", "healthy.example", &why), FROMAUTH_REPUTATION_LISTED);
	ck_assert_ptr_nonnull(strstr(why, "low-reputation"));
	ck_assert_int_eq(lookup(r, "multi.uribl.com", "healthy.example", NULL),
			 FROMAUTH_REPUTATION_NOT_LISTED);
	ck_assert_int_eq(lookup(r, "multi.surbl.org", "healthy.example", NULL),
			 FROMAUTH_REPUTATION_NOT_LISTED);
	/* IPs never go to domain lists */
	ck_assert_int_eq(lookup(r, "dbl.spamhaus.org", "192.0.2.0", NULL), -1);
	fromauth_result_free(r);
}
END_TEST

/* The lists' "query refused" answers are refused, never listed. */
START_TEST(test_reputation_refused)
{
	struct fromauth_result *r = run(scenario_named("bl-refused"));
	const char *why = NULL;
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "192.0.2.0", &why), FROMAUTH_REPUTATION_REFUSED);
	ck_assert_ptr_nonnull(strstr(why, "public or open resolver"));
	ck_assert_ptr_nonnull(strstr(why, "returnc/pub"));
	ck_assert_int_eq(lookup(r, "multi.uribl.com", "healthy.example", &why), FROMAUTH_REPUTATION_REFUSED);
	ck_assert_ptr_nonnull(strstr(why, "Query Refused"));
	/* SURBL bit 1 with bit 2: refused wins */
	ck_assert_int_eq(lookup(r, "multi.surbl.org", "healthy.example", NULL), FROMAUTH_REPUTATION_REFUSED);
	ck_assert_int_eq(lookup(r, "dbl.spamhaus.org", "healthy.example", &why), FROMAUTH_REPUTATION_REFUSED);
	ck_assert_ptr_nonnull(strstr(why, "domain list"));
	fromauth_result_free(r);

	/* a refused self-test: ZEN is not asked about the sender at all */
	r = run(scenario_named("bl-zen-refused"));
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "192.0.2.0", NULL), -1);
	ck_assert_int_eq(lookup(r, "dbl.spamhaus.org", "healthy.example", NULL), FROMAUTH_REPUTATION_LISTED);
	json_object *o = json_tokener_parse(fromauth_result_json(r)), *rep, *zones;
	ck_assert(json_object_object_get_ex(o, "reputation", &rep));
	ck_assert(json_object_object_get_ex(rep, "zones", &zones));
	int seen = 0;
	for (size_t i = 0; i < json_object_array_length(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i), *v;
		json_object_object_get_ex(z, "zone", &v);
		if (strcmp(json_object_get_string(v), "zen.spamhaus.org"))
			continue;
		json_object_object_get_ex(z, "self_test", &v);
		ck_assert_str_eq(json_object_get_string(v), "refused");
		seen = 1;
	}
	ck_assert(seen);
	json_object_put(o);
	fromauth_result_free(r);
}
END_TEST

/* A list listing its negative test entry, or answering outside 127/8, is
 * broken and its answers ignored; an undocumented code is unknown. */
START_TEST(test_reputation_broken)
{
	struct fromauth_result *r = run(scenario_named("bl-broken"));
	ck_assert_int_eq(lookup(r, "bl.spamcop.net", "192.0.2.0", NULL), -1);
	ck_assert_int_eq(lookup(r, "multi.surbl.org", "healthy.example", NULL), -1);
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "192.0.2.127", NULL), FROMAUTH_REPUTATION_UNKNOWN);
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "192.0.2.0", NULL), FROMAUTH_REPUTATION_NOT_LISTED);
	size_t broken = 0;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		if (!strcmp(fromauth_result_finding_code(r, i), "reputation.list_broken")) {
			broken++;
			const char *m = fromauth_result_finding_message(r, i);
			ck_assert_msg(strstr(m, "bl.spamcop.net") || strstr(m, "multi.surbl.org"), "%s", m);
		}
	ck_assert_uint_eq(broken, 2);
	fromauth_result_free(r);

	r = run(scenario_named("bl-temp"));
	ck_assert_int_eq(lookup(r, "zen.spamhaus.org", "192.0.2.0", NULL), FROMAUTH_REPUTATION_ERROR);
	fromauth_result_free(r);

	/* offline without the lists: self-tests fail, nothing is asked */
	r = run(scenario_named("bl-absent"));
	ck_assert_uint_eq(fromauth_result_reputation_count(r), 0);
	fromauth_result_free(r);
}
END_TEST

/* ---- JSON ------------------------------------------------------------------- */

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no member %s", key);
	return v;
}

START_TEST(test_rules_json)
{
	struct fromauth_result *r = run(scenario_named("bl-listed"));
	json_object *o = json_tokener_parse(fromauth_result_json(r));
	ck_assert_ptr_nonnull(o);
	json_object *rules = member(o, "rules");
	ck_assert_uint_eq(json_object_array_length(rules), fromauth_result_rule_count(r));
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *row = json_object_array_get_idx(rules, i);
		ck_assert_str_eq(json_object_get_string(member(row, "receiver")),
				 fromauth_result_rule_receiver(r, i));
		ck_assert_str_eq(json_object_get_string(member(row, "tier")), fromauth_result_rule_tier(r, i));
		ck_assert_str_eq(json_object_get_string(member(row, "requirement")),
				 fromauth_result_rule_requirement(r, i));
		ck_assert_str_eq(json_object_get_string(member(row, "status")),
				 fromauth_rule_status_name(fromauth_result_rule_status(r, i)));
		ck_assert_str_eq(json_object_get_string(member(row, "code")), fromauth_result_rule_code(r, i));
		ck_assert_str_eq(json_object_get_string(member(row, "message")),
				 fromauth_result_rule_message(r, i));
		json_object *f = member(row, "finding");
		if (fromauth_result_rule_finding(r, i))
			ck_assert_str_eq(json_object_get_string(f), fromauth_result_rule_finding(r, i));
		else
			ck_assert_ptr_null(f);
	}
	/* FCrDNS per sampled address */
	json_object *fc = member(o, "fcrdns");
	ck_assert_uint_eq(json_object_array_length(fc), 4);
	json_object *first = json_object_array_get_idx(fc, 0);
	ck_assert_str_eq(json_object_get_string(member(first, "ip")), "192.0.2.0");
	ck_assert_str_eq(json_object_get_string(member(first, "ptr")), "mta0.sendco.example");
	ck_assert_str_eq(json_object_get_string(member(first, "status")), "pass");
	/* the lookups, with their zones' self-tests */
	json_object *rep = member(o, "reputation");
	json_object *zones = member(rep, "zones"), *lookups = member(rep, "lookups");
	ck_assert_uint_eq(json_object_array_length(zones), 5);
	for (size_t i = 0; i < json_object_array_length(zones); i++)
		ck_assert_str_eq(json_object_get_string(member(json_object_array_get_idx(zones, i),
								"self_test")), "ok");
	ck_assert_uint_eq(json_object_array_length(lookups), fromauth_result_reputation_count(r));
	json_object *l0 = json_object_array_get_idx(lookups, 0);
	ck_assert_str_eq(json_object_get_string(member(l0, "zone")), "zen.spamhaus.org");
	ck_assert_str_eq(json_object_get_string(member(l0, "target")), "192.0.2.0");
	ck_assert_str_eq(json_object_get_string(member(l0, "what")), "service address");
	ck_assert_str_eq(json_object_get_string(member(l0, "status")), "listed");
	ck_assert_str_eq(json_object_get_string(member(l0, "codes")), "127.0.0.2");
	json_object_put(o);
	fromauth_result_free(r);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("fromauth_check_rules");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_scenario, 0, (int)NSCENARIOS);
	tcase_add_test(tc, test_table_covers_rows);
	tcase_add_test(tc, test_not_checked_rows);
	tcase_add_test(tc, test_receiver_selection);
	suite_add_tcase(s, tc);
	const struct test_case cases[] = {
		{ "fromauth_result_rule_count", test_getters_tolerate_null },
		{ "fromauth_result_reputation_status_listed", test_reputation_listed },
		{ "fromauth_result_reputation_status_refused", test_reputation_refused },
		{ "fromauth_result_reputation_status_broken", test_reputation_broken },
		{ "fromauth_result_json_rules", test_rules_json },
	};
	test_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), NULL, NULL);
	return s;
}
