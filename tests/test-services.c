/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The service catalogue (services/NAME.profile) through the public API: every
 * entry loads, validates and names a source for each fact; per entry, a
 * customer domain set up as the vendor documents passes and one without
 * the vendor's records gets exactly the vendor's records as fixes
 * (tests/services/make-zones.py writes both zones); then per-account
 * parameters (set, missing, matched by pattern), the send-as kinds, the
 * From a service rewrites, and the tool's `services` command.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "test-common.h"

#define SERVICES_DIR TEST_DATA_DIR "/../services"
#define MAX 8

enum { PASS = FROMAUTH_VERDICT_PASS, AT_RISK = FROMAUTH_VERDICT_AT_RISK,
       FAIL = FROMAUTH_VERDICT_FAIL };

struct scenario {
	const char *service;
	const char *params[MAX];        /* "name=value" */
	const char *from;
	int verdict;
	const char *must[MAX];          /* finding codes */
	const char *fixes[MAX];         /* exactly these fix lines, all findings */
	int fixed;                      /* verdict after the fixes */
};

#define M365 "tenant-host=contoso.onmicrosoft.com"
#define SES "region=us-east-1", "token1=tok1ses", "token2=tok2ses", "token3=tok3ses"
#define SG "user-id=1234", "wl=123", "return-path=em1234"

/* One passing and one failing domain per catalogue entry. */
static const struct scenario vendor[] = {
	{ "microsoft365", { M365, "login=news@ok-m365.example" }, "news@ok-m365.example", PASS,
	  { "spf.pass", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "microsoft365", { M365, "login=news@bad-m365.example" }, "news@bad-m365.example", FAIL,
	  { "spf.include_missing", "dkim.key_missing", "dmarc.fail_reject" },
	  { "bad-m365.example. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"",
	    "selector1._domainkey.bad-m365.example. 3600 IN CNAME selector1-bad-m365-example._domainkey.contoso.onmicrosoft.com.",
	    "selector2._domainkey.bad-m365.example. 3600 IN CNAME selector2-bad-m365-example._domainkey.contoso.onmicrosoft.com." },
	  PASS },
	/* the new target form, <tenant>.<c>-v1.dkim.mail.microsoft */
	{ "microsoft365-connector", { "tenant-host=fabrikam.n-v1.dkim.mail.microsoft" },
	  "news@ok-m365relay.example", PASS, { "spf.pass", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "microsoft365-connector", { "tenant-host=fabrikam.n-v1.dkim.mail.microsoft" },
	  "news@bad-m365relay.example", FAIL, { "spf.include_missing", "dkim.key_missing" },
	  { "bad-m365relay.example. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"",
	    "selector1._domainkey.bad-m365relay.example. 3600 IN CNAME selector1-bad-m365relay-example._domainkey.fabrikam.n-v1.dkim.mail.microsoft.",
	    "selector2._domainkey.bad-m365relay.example. 3600 IN CNAME selector2-bad-m365relay-example._domainkey.fabrikam.n-v1.dkim.mail.microsoft." },
	  PASS },
	{ "google-workspace", { "login=news@ok-gws.example" }, "news@ok-gws.example", PASS,
	  { "spf.pass", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	/* Google makes the key per account: a placeholder, the SPF fix still
	 * passes on its own */
	{ "google-workspace", { "login=news@bad-gws.example" }, "news@bad-gws.example", FAIL,
	  { "spf.none", "dkim.key_missing" },
	  { "bad-gws.example. 3600 IN TXT \"v=spf1 include:_spf.google.com ~all\"",
	    "google._domainkey.bad-gws.example. 3600 IN TXT \"v=DKIM1; k=rsa; p=<public key from the service>\"" },
	  PASS },
	{ "google-smtp-relay", { 0 }, "news@ok-gwsrelay.example", PASS,
	  { "spf.pass", "dkim.pass" }, { 0 }, PASS },
	{ "google-smtp-relay", { 0 }, "news@bad-gwsrelay.example", FAIL, { "spf.none" },
	  { "bad-gwsrelay.example. 3600 IN TXT \"v=spf1 include:_spf.google.com ~all\"",
	    "google._domainkey.bad-gwsrelay.example. 3600 IN TXT \"v=DKIM1; k=rsa; p=<public key from the service>\"" },
	  PASS },
	/* SES default MAIL FROM: SPF is SES's, DMARC passes through DKIM */
	{ "amazon-ses", { SES }, "news@ok-ses.example", PASS,
	  { "spf.not_used", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "amazon-ses", { SES }, "news@bad-ses.example", FAIL, { "spf.not_used", "dkim.key_missing" },
	  { "tok1ses._domainkey.bad-ses.example. 3600 IN CNAME tok1ses.dkim.amazonses.com.",
	    "tok2ses._domainkey.bad-ses.example. 3600 IN CNAME tok2ses.dkim.amazonses.com.",
	    "tok3ses._domainkey.bad-ses.example. 3600 IN CNAME tok3ses.dkim.amazonses.com." },
	  PASS },
	{ "amazon-ses-custom-mail-from", { SES, "mail-from-label=mail" }, "news@ok-sesmf.example", PASS,
	  { "spf.pass", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "amazon-ses-custom-mail-from", { SES, "mail-from-label=mail" }, "news@bad-sesmf.example", FAIL,
	  { "spf.none", "service.mail_from_mx", "dkim.key_missing" },
	  { "mail.bad-sesmf.example. 3600 IN MX 10 feedback-smtp.us-east-1.amazonses.com.",
	    "mail.bad-sesmf.example. 3600 IN TXT \"v=spf1 include:amazonses.com ~all\"",
	    "tok1ses._domainkey.bad-sesmf.example. 3600 IN CNAME tok1ses.dkim.amazonses.com.",
	    "tok2ses._domainkey.bad-sesmf.example. 3600 IN CNAME tok2ses.dkim.amazonses.com.",
	    "tok3ses._domainkey.bad-sesmf.example. 3600 IN CNAME tok3ses.dkim.amazonses.com." },
	  PASS },
	{ "sendgrid", { SG }, "news@ok-sendgrid.example", PASS,
	  { "spf.pass", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "sendgrid", { SG }, "news@bad-sendgrid.example", FAIL, { "spf.none", "dkim.key_missing" },
	  { "em1234.bad-sendgrid.example. 3600 IN CNAME u1234.wl123.sendgrid.net.",
	    "s1._domainkey.bad-sendgrid.example. 3600 IN CNAME s1.domainkey.u1234.wl123.sendgrid.net.",
	    "s2._domainkey.bad-sendgrid.example. 3600 IN CNAME s2.domainkey.u1234.wl123.sendgrid.net." },
	  PASS },
	{ "mailgun", { "dkim-host=abc123.dkim1.mailgun.com" }, "news@ok-mailgun.example", PASS,
	  { "spf.pass", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "mailgun", { "dkim-host=abc123.dkim1.mailgun.com" }, "news@bad-mailgun.example", FAIL,
	  { "spf.none", "dkim.key_missing" },
	  { "mg.bad-mailgun.example. 3600 IN TXT \"v=spf1 include:mailgun.org ~all\"",
	    "pdk1._domainkey.mg.bad-mailgun.example. 3600 IN CNAME pdk1._domainkey.abc123.dkim1.mailgun.com.",
	    "pdk2._domainkey.mg.bad-mailgun.example. 3600 IN CNAME pdk2._domainkey.abc123.dkim1.mailgun.com." },
	  PASS },
	{ "postmark", { "dkim-selector=20250817055129pm" }, "news@ok-postmark.example", PASS,
	  { "spf.pass", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "postmark", { "dkim-selector=20250817055129pm" }, "news@bad-postmark.example", FAIL,
	  { "spf.none", "dkim.key_missing" },
	  { "pm-bounces.bad-postmark.example. 3600 IN CNAME pm.mtasv.net.",
	    "20250817055129pm._domainkey.bad-postmark.example. 3600 IN TXT \"v=DKIM1; k=rsa; p=<public key from the service>\"" },
	  PASS },
	{ "mailchimp-transactional", { 0 }, "news@ok-mandrill.example", PASS,
	  { "spf.not_used", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	/* no DKIM, no DMARC: Mandrill rewrites the From */
	{ "mailchimp-transactional", { 0 }, "news@bad-mandrill.example", AT_RISK,
	  { "service.from_rewritten", "dkim.key_missing", "dmarc.none" },
	  { "mte1._domainkey.bad-mandrill.example. 3600 IN CNAME dkim1.mandrillapp.com.",
	    "mte2._domainkey.bad-mandrill.example. 3600 IN CNAME dkim2.mandrillapp.com.",
	    "_dmarc.bad-mandrill.example. 3600 IN TXT \"v=DMARC1; p=none\"" },
	  PASS },
	{ "brevo", { "account-id=5000001" }, "news@ok-brevo.example", PASS,
	  { "spf.not_used", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	{ "brevo", { "account-id=5000001" }, "news@bad-brevo.example", AT_RISK,
	  { "service.from_rewritten", "dkim.key_missing", "dmarc.fail_reject" },
	  { "brevo1._domainkey.bad-brevo.example. 3600 IN CNAME b1.bad-brevo-example.dkim.brevo.com.",
	    "brevo2._domainkey.bad-brevo.example. 3600 IN CNAME b2.bad-brevo-example.dkim.brevo.com." },
	  PASS },
	{ "sparkpost", { "dkim-selector=scph0717" }, "news@ok-sparkpost.example", PASS,
	  { "spf.not_used", "dkim.pass", "dmarc.pass" }, { 0 }, PASS },
	/* the key is the account's: nothing concrete to publish */
	{ "sparkpost", { "dkim-selector=scph0717" }, "news@bad-sparkpost.example", FAIL,
	  { "spf.not_used", "dkim.key_missing" },
	  { "scph0717._domainkey.bad-sparkpost.example. 3600 IN TXT \"v=DKIM1; k=rsa; p=<public key from the service>\"" },
	  FAIL },
	{ "imis", { "smtp-ip=203.0.113.25" }, "news@ok-imis.example", PASS,
	  { "spf.pass", "dkim.none", "dmarc.pass" }, { 0 }, PASS },
	{ "imis", { "smtp-ip=203.0.113.25" }, "news@bad-imis.example", FAIL,
	  { "spf.include_missing" }, { "bad-imis.example. 3600 IN TXT \"v=spf1 mx ip4:203.0.113.25 -all\"" },
	  PASS },
};

/* Parameters missing: patterns, placeholders, what is still checked. */
static const struct scenario missing[] = {
	/* the CNAME target matched by its form *.onmicrosoft.com */
	{ "microsoft365", { "login=news@ok-m365.example" }, "news@ok-m365.example", PASS,
	  { "dkim.pass", "spf.pass" }, { 0 }, PASS },
	{ "microsoft365", { 0 }, "news@bad-m365.example", FAIL, { "dkim.key_missing", "service.send_as_unchecked" },
	  { "bad-m365.example. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"",
	    "selector1._domainkey.bad-m365.example. 3600 IN CNAME selector1-bad-m365-example._domainkey.<tenant-host>.",
	    "selector2._domainkey.bad-m365.example. 3600 IN CNAME selector2-bad-m365-example._domainkey.<tenant-host>." },
	  PASS },
	/* a CNAME elsewhere does not match the pattern */
	{ "microsoft365", { "login=news@wrong-m365.example" }, "news@wrong-m365.example", PASS,
	  { "dkim.key_mismatch", "spf.pass" },
	  { "selector1._domainkey.wrong-m365.example. 3600 IN CNAME selector1-wrong-m365-example._domainkey.<tenant-host>.",
	    "selector2._domainkey.wrong-m365.example. 3600 IN CNAME selector2-wrong-m365-example._domainkey.<tenant-host>." },
	  PASS },
	{ "sendgrid", { 0 }, "news@ok-sendgrid.example", PASS, { "dkim.pass", "service.param_missing" },
	  { "<return-path>.ok-sendgrid.example. 3600 IN CNAME u<user-id>.wl<wl>.sendgrid.net." }, PASS },
	/* selectors that are the parameter: nothing to look up */
	{ "amazon-ses", { "region=us-east-1" }, "news@ok-ses.example", FAIL, { "service.param_missing" },
	  { "<token1>._domainkey.ok-ses.example. 3600 IN CNAME <token1>.dkim.amazonses.com.",
	    "<token2>._domainkey.ok-ses.example. 3600 IN CNAME <token2>.dkim.amazonses.com.",
	    "<token3>._domainkey.ok-ses.example. 3600 IN CNAME <token3>.dkim.amazonses.com." },
	  FAIL },
	{ "imis", { 0 }, "news@bad-imis.example", FAIL, { "service.param_missing" },
	  { "bad-imis.example. 3600 IN TXT \"v=spf1 mx ip4:<smtp-ip> -all\"" }, FAIL },
};

static struct fromauth_ctx *ctx;

static void setup(void)
{
	setenv("FROMAUTH_SERVICES_DIR", SERVICES_DIR, 1);
	ctx = test_offline_ctx("services/vendors.zone", "services/customers.zone",
			       "check/esp.zone", NULL);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
}

static struct fromauth_profile *load(const char *service, const char *const *params)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	int rc = fromauth_profile_load_service(service, &p, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", service, err);
	for (size_t i = 0; i < MAX && params[i]; i++) {
		char name[64];
		const char *eq = strchr(params[i], '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - params[i]), params[i]);
		rc = fromauth_profile_set_param(p, name, eq + 1, err, sizeof(err));
		ck_assert_msg(rc == 0, "%s --param %s: %s", service, params[i], err);
	}
	return p;
}

static int has_code(const struct fromauth_result *r, const char *code)
{
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		if (!strcmp(fromauth_result_finding_code(r, i), code))
			return 1;
	return 0;
}

static const char *message_of(const struct fromauth_result *r, const char *code)
{
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		if (!strcmp(fromauth_result_finding_code(r, i), code))
			return fromauth_result_finding_message(r, i);
	return NULL;
}

static void run(const struct scenario *s)
{
	struct fromauth_profile *p = load(s->service, s->params);
	struct fromauth_result *r = NULL;
	char err[1024] = "";
	int rc = fromauth_check(ctx, p, s->from, FROMAUTH_CHECK_FIX, &r, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s %s: %s", s->service, s->from, err);
	ck_assert_msg(fromauth_result_verdict(r) == s->verdict, "%s %s: verdict %s, want %s\n%s",
		      s->service, s->from, fromauth_verdict_name(fromauth_result_verdict(r)),
		      fromauth_verdict_name(s->verdict), fromauth_result_json(r));
	for (size_t i = 0; i < MAX && s->must[i]; i++)
		ck_assert_msg(has_code(r, s->must[i]), "%s %s: no %s\n%s", s->service, s->from,
			      s->must[i], fromauth_result_json(r));
	/* Exactly the expected fix lines, each once; placeholders flagged. */
	size_t want = 0, got = 0;
	while (want < MAX && s->fixes[want])
		want++;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		for (size_t j = 0; j < fromauth_result_finding_fix_count(r, i); j++) {
			const char *line = fromauth_result_finding_fix(r, i, j);
			size_t k = 0;
			while (k < want && strcmp(s->fixes[k], line))
				k++;
			ck_assert_msg(k < want, "%s %s: unexpected fix %s", s->service, s->from, line);
			ck_assert_int_eq(fromauth_result_finding_fix_needs_input(r, i),
					 strchr(line, '<') != NULL);
			got++;
		}
	}
	ck_assert_msg(got == want, "%s %s: %zu fixes, want %zu\n%s", s->service, s->from, got,
		      want, fromauth_result_json(r));
	ck_assert_msg(fromauth_result_fixed_verdict(r) == s->fixed, "%s %s: fixed verdict %s",
		      s->service, s->from, fromauth_verdict_name(fromauth_result_fixed_verdict(r)));
	fromauth_result_free(r);
	fromauth_profile_free(p);
}

START_TEST(test_vendor_records)
{
	run(&vendor[_i]);
}
END_TEST

START_TEST(test_param_missing)
{
	run(&missing[_i]);
}
END_TEST

START_TEST(test_catalogue)
{
	static const char *const statuses[] = { "O", "T", "X", "UNCONFIRMED" };
	DIR *d = opendir(SERVICES_DIR);
	ck_assert_ptr_nonnull(d);
	size_t n = 0, covered = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 9 || strcmp(e->d_name + len - 8, ".profile"))
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(len - 8), e->d_name);
		struct fromauth_profile *p = load(name, (const char *[]){ NULL });
		char err[512] = "";
		ck_assert_msg(fromauth_profile_validate(p, err, sizeof(err)) == 0, "%s: %s", name, err);
		ck_assert_str_eq(fromauth_profile_id(p), name);
		ck_assert_str_ne(fromauth_profile_name(p), "");
		ck_assert_msg(!strncmp(fromauth_profile_doc(p), "https://", 8), "%s: doc", name);
		ck_assert_int_eq(strlen(fromauth_profile_verified(p)), 10);
		ck_assert_uint_gt(fromauth_profile_source_count(p), 0);
		for (size_t i = 0; i < fromauth_profile_source_count(p); i++) {
			int known = 0;
			for (size_t k = 0; k < 4; k++)
				known |= !strcmp(fromauth_profile_source_status(p, i), statuses[k]);
			ck_assert_msg(known, "%s: source %zu", name, i);
			ck_assert_str_ne(fromauth_profile_source_reference(p, i), "");
		}
		for (size_t i = 0; i < fromauth_profile_param_count(p); i++)
			ck_assert_str_ne(fromauth_profile_param_description(p, i), "");
		/* every entry has its pair of scenarios above */
		int ok = 0, bad = 0;
		for (size_t i = 0; i < sizeof(vendor) / sizeof(vendor[0]); i++) {
			if (strcmp(vendor[i].service, name))
				continue;
			ok |= vendor[i].verdict == PASS;
			bad |= vendor[i].fixes[0] != NULL;
		}
		ck_assert_msg(ok && bad, "%s: no passing and failing scenario", name);
		covered++;
		fromauth_profile_free(p);
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, 10);
	ck_assert_uint_eq(covered, n);
}
END_TEST

/* A catalogue entry must say where each fact comes from. */
START_TEST(test_source_required)
{
	static const char text[] =
		"id = example\nname = Example\ndoc = https://example.com/\nverified = 2026-01-02\n"
		"spf-include = spf.example.com\nsource = spf-include | O | https://example.com/spf\n"
		"dkim = s1 {domain}\n";
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_parse(text, "t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "'dkim' without a 'source"), "%s", err);
	/* and one that does not name a fact, or a bad confidence */
	ck_assert_int_eq(fromauth_profile_parse("spf-include = a.example\nsource = name | O | x\n",
						"t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fromauth_profile_parse("spf-include = a.example\nsource = ip | maybe | x\n",
						"t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	/* without an id (not a catalogue entry) sources are optional */
	ck_assert_int_eq(fromauth_profile_parse(strchr(text, '\n') + 1, "t", &p, err, sizeof(err)), 0);
	fromauth_profile_free(p);
}
END_TEST

START_TEST(test_set_param)
{
	struct fromauth_profile *p = load("sendgrid", (const char *[]){ NULL });
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_set_param(p, "nope", "1", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	ck_assert_msg(strstr(err, "user-id"), "%s", err);     /* lists what it has */
	ck_assert_int_eq(fromauth_profile_set_param(p, "user-id", "abc", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);                     /* param-pattern [0-9]* */
	ck_assert_int_eq(fromauth_profile_set_param(p, "return-path", "a b", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fromauth_profile_set_param(p, "return-path", "bad_label!", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);                     /* makes no valid name */
	ck_assert_int_eq(fromauth_profile_set_param(NULL, "user-id", "1", err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_profile_set_param(p, "user-id", "1234", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_set_param(p, "user-id", "99", err, sizeof(err)), 0);
	int seen = 0;
	for (size_t i = 0; i < fromauth_profile_param_count(p); i++) {
		if (strcmp(fromauth_profile_param_name(p, i), "user-id"))
			continue;
		ck_assert_str_eq(fromauth_profile_param_value(p, i), "99");
		ck_assert_ptr_nonnull(strstr(fromauth_profile_param_description(p, i), "user id"));
		seen = 1;
	}
	ck_assert(seen);
	ck_assert_ptr_null(fromauth_profile_param_name(p, 99));
	ck_assert_ptr_null(fromauth_profile_param_value(NULL, 0));
	ck_assert_uint_eq(fromauth_profile_param_count(NULL), 0);
	fromauth_profile_free(p);

	/* an ip parameter is a range; a default counts as a value */
	p = load("imis", (const char *[]){ NULL });
	ck_assert_int_eq(fromauth_profile_set_param(p, "smtp-ip", "not-an-ip", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	fromauth_profile_free(p);
	p = load("google-workspace", (const char *[]){ NULL });
	for (size_t i = 0; i < fromauth_profile_param_count(p); i++)
		if (!strcmp(fromauth_profile_param_name(p, i), "selector"))
			ck_assert_str_eq(fromauth_profile_param_value(p, i), "google");
	fromauth_profile_free(p);
}
END_TEST

START_TEST(test_param_syntax)
{
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	/* used before it is declared */
	ck_assert_int_eq(fromauth_profile_parse("spf-include = a.example\ndkim = {sel} {domain}\n"
						"param = sel | s\n", "t", &p, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	ck_assert_msg(strstr(err, "t:2:") && strstr(err, "param = NAME"), "%s", err);
	ck_assert_int_eq(fromauth_profile_parse("param = Bad Name | x\nspf-include = a.example\n",
						"t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fromauth_profile_parse("param = x\nspf-include = a.example\n",
						"t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fromauth_profile_parse("param-default = x 1\nspf-include = a.example\n",
						"t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fromauth_profile_parse("send-as = sometimes\nspf-include = a.example\n",
						"t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	/* mailbox-permission needs a login parameter */
	ck_assert_int_eq(fromauth_profile_parse("send-as = mailbox-permission\nspf-include = a.example\n",
						"t", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fromauth_profile_parse("unauthenticated-from = rewrite nowhere\n"
						"spf-include = a.example\n", "t", &p, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	/* a valid one: parameters in a label, {domain-dashes} */
	ck_assert_int_eq(fromauth_profile_parse("param = id | account\nspf-include = a.example\n"
						"dkim = k{id} {domain} k.{domain-dashes}.{id}.example\n",
						"t", &p, err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_profile_dkim_target(p, 0), "k.{domain-dashes}.{id}.example");
	fromauth_profile_free(p);
}
END_TEST

START_TEST(test_load_service)
{
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_str_eq(fromauth_services_dir(), SERVICES_DIR);
	ck_assert_int_eq(fromauth_profile_load_service("no-such-service", &p, err, sizeof(err)),
			 FROMAUTH_E_IO);
	ck_assert_msg(strstr(err, SERVICES_DIR), "%s", err);
	ck_assert_int_eq(fromauth_profile_load_service("../etc/passwd", &p, err, sizeof(err)),
			 FROMAUTH_E_IO);
	ck_assert_int_eq(fromauth_profile_load_service("Bad Name", &p, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_profile_load_service(NULL, &p, err, sizeof(err)), FROMAUTH_E_INVAL);
	/* a path still works */
	ck_assert_int_eq(fromauth_profile_load_service(test_data("check/profiles/esp.profile"), &p,
						       err, sizeof(err)), 0);
	ck_assert_ptr_null(fromauth_profile_id(p));
	fromauth_profile_free(p);
	ck_assert_int_eq(fromauth_profile_load_service("postmark", &p, err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_profile_id(p), "postmark");
	fromauth_profile_free(p);
	ck_assert_ptr_null(fromauth_profile_doc(NULL));
	ck_assert_ptr_null(fromauth_profile_source_key(NULL, 0));
	ck_assert_uint_eq(fromauth_profile_source_count(NULL), 0);
	/* unset, the installed directory is used */
	unsetenv("FROMAUTH_SERVICES_DIR");
	ck_assert_ptr_nonnull(strstr(fromauth_services_dir(), "fromauth/services"));
}
END_TEST

/* Hostile sizes: many identities, some with a per-account target. */
START_TEST(test_many_identities)
{
	static char text[32768];
	size_t n = (size_t)snprintf(text, sizeof(text), "param = t | x\nspf-include = sendgrid.net\n"
				    "dkim = a {domain} a.{t}.example\n");
	for (int i = 0; i < 80; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "dkim = s%d {domain} s%d.example\n", i, i);
	struct fromauth_profile *p = NULL;
	struct fromauth_result *r = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_parse(text, "many", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_check(ctx, p, "news@ok-sendgrid.example", 0, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(fromauth_result_dkim_count(r), 81);
	fromauth_result_free(r);
	fromauth_profile_free(p);
	/* 70 open targets exceed what a check keeps: an error, not a crash */
	n = (size_t)snprintf(text, sizeof(text), "param = t | x\nspf-include = sendgrid.net\n");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "dkim = s%d {domain} s.{t}.example\n", i);
	ck_assert_int_eq(fromauth_profile_parse(text, "many", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_check(ctx, p, "news@ok-sendgrid.example", 0, &r, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	ck_assert_ptr_null(r);
	fromauth_profile_free(p);
}
END_TEST

static struct fromauth_result *check_as(const char *service, const char *from,
					const char *const *params, const char *allowed)
{
	struct fromauth_profile *p = load(service, params);
	struct fromauth_result *r = NULL;
	char err[512] = "";
	if (allowed)
		ck_assert_int_eq(fromauth_profile_set(p, "allowed-from", allowed, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_check(ctx, p, from, 0, &r, err, sizeof(err)), 0);
	fromauth_profile_free(p);
	return r;
}

/* The seed's case: a shared mailbox, a group or another user's address
 * sent through a mailbox login. */
START_TEST(test_send_as_mailbox)
{
	struct fromauth_result *r = check_as("microsoft365", "Team <team@ok-m365.example>",
		(const char *[]){ M365, "login=news@ok-m365.example", NULL }, NULL);
	ck_assert_int_eq(fromauth_result_verdict(r), FAIL);
	const char *m = message_of(r, "service.send_as_denied");
	ck_assert_ptr_nonnull(m);
	ck_assert_msg(strstr(m, "\"5.7.60 SMTP; Client does not have permissions to send as this sender\""),
		      "%s", m);
	ck_assert_msg(strstr(m, "Add-RecipientPermission -Identity team@ok-m365.example "
			     "-Trustee news@ok-m365.example -AccessRights SendAs"), "%s", m);
	ck_assert_msg(strstr(m, "shared mailbox"), "%s", m);
	/* the DNS side is still reported */
	ck_assert(has_code(r, "spf.pass") && has_code(r, "dkim.pass") && has_code(r, "dmarc.pass"));
	fromauth_result_free(r);

	/* the login itself, in another case */
	r = check_as("microsoft365", "NEWS@ok-m365.example",
		     (const char *[]){ M365, "login=news@ok-m365.example", NULL }, NULL);
	ck_assert_int_eq(fromauth_result_verdict(r), PASS);
	ck_assert(!has_code(r, "service.send_as_denied"));
	fromauth_result_free(r);
	/* permission declared */
	r = check_as("microsoft365", "team@ok-m365.example",
		     (const char *[]){ M365, "login=news@ok-m365.example",
				       "granted=team@ok-m365.example,x@ok-m365.example", NULL }, NULL);
	ck_assert_int_eq(fromauth_result_verdict(r), PASS);
	fromauth_result_free(r);
	/* no login given: said, not judged */
	r = check_as("microsoft365", "team@ok-m365.example", (const char *[]){ M365, NULL }, NULL);
	ck_assert_int_eq(fromauth_result_verdict(r), PASS);
	ck_assert_ptr_nonnull(strstr(message_of(r, "service.send_as_unchecked"), "5.7.60"));
	fromauth_result_free(r);
	/* Gmail: the "Send mail as" step */
	r = check_as("google-workspace", "team@ok-gws.example",
		     (const char *[]){ "login=news@ok-gws.example", NULL }, NULL);
	ck_assert_int_eq(fromauth_result_verdict(r), FAIL);
	ck_assert_ptr_nonnull(strstr(message_of(r, "service.send_as_denied"), "Send mail as"));
	fromauth_result_free(r);
}
END_TEST

START_TEST(test_send_as_verified)
{
	/* verified-domain: allowed-from lists what the account verified */
	struct fromauth_result *r = check_as("sendgrid", "news@ok-sendgrid.example",
		(const char *[]){ SG, NULL }, "other.example");
	ck_assert_int_eq(fromauth_result_verdict(r), FAIL);
	const char *m = message_of(r, "service.send_as_denied");
	ck_assert_msg(m && strstr(m, "error 60222 (HTTP 403)") && strstr(m, "single sender"), "%s", m);
	fromauth_result_free(r);
	r = check_as("sendgrid", "news@ok-sendgrid.example", (const char *[]){ SG, NULL },
		     "ok-sendgrid.example");
	ck_assert_int_eq(fromauth_result_verdict(r), PASS);
	fromauth_result_free(r);
	/* an unconfirmed rule says so */
	r = check_as("microsoft365-connector", "news@ok-m365relay.example",
		     (const char *[]){ NULL }, "other.example");
	m = message_of(r, "service.send_as_denied");
	ck_assert_msg(m && strstr(m, "Unconfirmed"), "%s", m);
	fromauth_result_free(r);
	/* verified-address, and a service that refuses an unauthenticated
	 * domain (no catalogue entry does; a profile may) */
	static const char text[] =
		"name = Strict\nspf-include = sendgrid.net\nmail-from = sendgrid.net\n"
		"dkim = s1 {domain} s1.domainkey.u1234.wl123.sendgrid.net\n"
		"send-as = verified-address\nallowed-from = news@bad-sendgrid.example\n"
		"unauthenticated-from = refuse\n";
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_parse(text, "strict", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_check(ctx, p, "other@bad-sendgrid.example", 0, &r, err, sizeof(err)), 0);
	m = message_of(r, "service.send_as_denied");
	ck_assert_msg(m && strstr(m, "only from addresses verified"), "%s", m);
	fromauth_result_free(r);
	ck_assert_int_eq(fromauth_check(ctx, p, "news@bad-sendgrid.example", 0, &r, err, sizeof(err)), 0);
	ck_assert(!has_code(r, "service.send_as_denied"));
	ck_assert(has_code(r, "service.from_refused"));
	ck_assert_int_eq(fromauth_result_verdict(r), FAIL);
	fromauth_result_free(r);
	ck_assert_int_eq(fromauth_check(ctx, p, "news@ok-sendgrid.example", 0, &r, err, sizeof(err)), 0);
	ck_assert(!has_code(r, "service.from_refused"));        /* s1 is in place */
	fromauth_result_free(r);
	fromauth_profile_free(p);
	/* any: nothing to say */
	r = check_as("imis", "anyone@ok-imis.example", (const char *[]){ "smtp-ip=203.0.113.25", NULL },
		     NULL);
	ck_assert(!has_code(r, "service.send_as_denied") && !has_code(r, "service.send_as_unchecked"));
	fromauth_result_free(r);
}
END_TEST

START_TEST(test_from_rewritten)
{
	struct fromauth_result *r = check_as("brevo", "News <news@bad-brevo.example>",
		(const char *[]){ "account-id=5000001", NULL }, NULL);
	const char *m = message_of(r, "service.from_rewritten");
	ck_assert_msg(m && strstr(m, "news@5000001.brevosend.com") &&
		      strstr(m, "not the one you typed"), "%s", m);
	ck_assert_int_eq(fromauth_result_verdict(r), AT_RISK);
	ck_assert_ptr_nonnull(strstr(fromauth_result_json(r), "service.from_rewritten"));
	fromauth_result_free(r);
	/* without the account id the pattern shows the placeholder */
	r = check_as("brevo", "news@bad-brevo.example", (const char *[]){ NULL }, NULL);
	ck_assert_ptr_nonnull(strstr(message_of(r, "service.from_rewritten"),
				     "news@<account-id>.brevosend.com"));
	fromauth_result_free(r);
	/* Mandrill: DKIM in place but no DMARC record is still rewritten */
	r = check_as("mailchimp-transactional", "news@bad-mandrill.example", (const char *[]){ NULL },
		     NULL);
	m = message_of(r, "service.from_rewritten");
	ck_assert_msg(m && strstr(m, "mandrillapp.com") && strstr(m, "DMARC"), "%s", m);
	/* the unconfirmed rewritten form is named as such */
	ck_assert(has_code(r, "service.unconfirmed"));
	fromauth_result_free(r);
	/* authenticated: no rewrite */
	r = check_as("brevo", "news@ok-brevo.example", (const char *[]){ NULL }, NULL);
	ck_assert(!has_code(r, "service.from_rewritten"));
	fromauth_result_free(r);
}
END_TEST

/* The first action of finding @code, or NULL. */
static const char *action_of(const struct fromauth_result *r, const char *code)
{
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		if (strcmp(fromauth_result_finding_code(r, i), code))
			continue;
		for (size_t j = 0; j < fromauth_result_finding_op_count(r, i); j++)
			if (fromauth_result_finding_op(r, i, j) == FROMAUTH_FIX_ACTION)
				return fromauth_result_finding_op_text(r, i, j);
	}
	return NULL;
}

/* What only the service can fix names the vendor's own step. */
START_TEST(test_actions)
{
	struct fromauth_result *r = check_as("brevo", "news@bad-brevo.example",
		(const char *[]){ "account-id=5000001", NULL }, NULL);
	const char *a = action_of(r, "service.from_rewritten");
	ck_assert_msg(a && strstr(a, "Authenticate bad-brevo.example for DKIM at Brevo") &&
		      strstr(a, ": authenticate bad-brevo.example in Brevo and publish the DKIM records it shows (brevo1._domainkey"),
		      "%s", a ? a : "(none)");
	fromauth_result_free(r);
	r = check_as("sendgrid", "news@ok-sendgrid.example", (const char *[]){ SG, NULL },
		     "other.example");
	a = action_of(r, "service.send_as_denied");
	ck_assert_msg(a && strstr(a, "Allow SendGrid to send as news@ok-sendgrid.example: authenticate the domain of news@ok-sendgrid.example in SendGrid"),
		      "%s", a ? a : "(none)");
	fromauth_result_free(r);
	/* SES's own bounce domain: the custom MAIL FROM step */
	r = check_as("amazon-ses", "news@bad-ses.example", (const char *[]){ SES, NULL }, NULL);
	a = action_of(r, "spf.not_used");
	ck_assert_msg(a && strstr(a, "under bad-ses.example at Amazon SES") &&
		      strstr(a, "set a custom MAIL FROM domain (a subdomain of bad-ses.example") &&
		      strstr(a, "10 feedback-smtp.us-east-1.amazonses.com"),
		      "%s", a ? a : "(none)");
	fromauth_result_free(r);

	/* a step no source confirms says so */
	static const char text[] =
		"id = odd\nname = Odd\ndoc = https://odd.example/\nverified = 2026-11-29\n"
		"spf-include = sendgrid.net\nsource = spf-include | O | https://odd.example/spf\n"
		"mail-from = sendgrid.net\nsource = mail-from | O | https://odd.example/mf\n"
		"action-return-path = ask support for a return path under {domain}\n"
		"source = action-return-path | UNCONFIRMED | no page found\n";
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_parse(text, "odd", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_check(ctx, p, "news@ok-sendgrid.example", 0, &r, err, sizeof(err)), 0);
	a = action_of(r, "spf.not_used");
	ck_assert_msg(a && strstr(a, ": ask support for a return path under ok-sendgrid.example (unconfirmed"),
		      "%s", a ? a : "(none)");
	fromauth_result_free(r);
	fromauth_profile_free(p);
}
END_TEST

static int run_tool(const char *args, char *out, size_t len)
{
	static char cmd[32768];
	snprintf(cmd, sizeof(cmd), "FROMAUTH_SERVICES_DIR=%s %s/tools/fromauth %s 2>&1",
		 SERVICES_DIR, TEST_BUILD_DIR, args);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	int st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_tool)
{
	static char out[65536];
	ck_assert_int_eq(run_tool("services", out, sizeof(out)), 0);
	size_t lines = 0;
	for (const char *s = out; (s = strstr(s, "\n")); s++)
		lines++;
	ck_assert_msg(lines >= 12 && strstr(out, "sendgrid") && strstr(out, "user-id"), "%s", out);
	ck_assert_int_eq(run_tool("services show microsoft365", out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "tenant-host") && strstr(out, "5.7.60") &&
		      strstr(out, "UNCONFIRMED"), "%s", out);
	static char args[16384];
	snprintf(args, sizeof(args), "check news@ok-sendgrid.example --service sendgrid "
		 "--param user-id=1234 --param wl=123 --param return-path=em1234 --offline "
		 "--zone %s/services/vendors.zone --zone %s/services/customers.zone",
		 TEST_DATA_DIR, TEST_DATA_DIR);
	ck_assert_int_eq(run_tool(args, out, sizeof(out)), 0);
	/* README's catalogue example */
	snprintf(args, sizeof(args), "check news@bad-sendgrid.example --service sendgrid "
		 "--param user-id=1234 --param wl=123 --param return-path=em1234 --offline --fix "
		 "--zone %s/services/vendors.zone --zone %s/services/customers.zone",
		 TEST_DATA_DIR, TEST_DATA_DIR);
	ck_assert_int_eq(run_tool(args, out, sizeof(out)), 2);
	ck_assert_msg(strstr(out, "\n    em1234.bad-sendgrid.example. 3600 IN CNAME u1234.wl123.sendgrid.net.\n") &&
		      strstr(out, "After publishing the fixes below: pass"), "%s", out);
	snprintf(args, sizeof(args), "check news@ok-sendgrid.example --service sendgrid "
		 "--param nope=1 --offline");
	ck_assert_int_eq(run_tool(args, out, sizeof(out)), 64);
	ck_assert_ptr_nonnull(strstr(out, "no such parameter"));
	ck_assert_int_eq(run_tool("check a@b.example --service no-such --offline", out, sizeof(out)),
			 66);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("services");
	TCase *tc = tcase_create("catalogue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_catalogue);
	tcase_add_loop_test(tc, test_vendor_records, 0, (int)(sizeof(vendor) / sizeof(vendor[0])));
	tcase_add_loop_test(tc, test_param_missing, 0, (int)(sizeof(missing) / sizeof(missing[0])));
	tcase_add_test(tc, test_send_as_mailbox);
	tcase_add_test(tc, test_send_as_verified);
	tcase_add_test(tc, test_from_rewritten);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_tool);
	tcase_add_test(tc, test_many_identities);
	suite_add_tcase(s, tc);

	const struct test_case cases[] = {
		{ "fromauth_profile_set_param", test_set_param },
		{ "fromauth_profile_load_service", test_load_service },
		{ "profile_source", test_source_required },
		{ "profile_param_syntax", test_param_syntax },
	};
	test_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
	return s;
}
