/* SPDX-License-Identifier: BSD-2-Clause */
/* DMARC: record validation, RFC 9989 and RFC 7489 discovery, applicable
 * policy, report authorization and alignment, offline through
 * tests/zones/dmarc.zone. */
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "test-common.h"

#include "ctx.h"
#include "dmarc-record.h"
#include "dmarc.h"
#include "dns.h"
#include "memo.h"
#include "remedy.h"

static struct fromauth_ctx *ctx;

static void setup(void)
{
	ctx = test_offline_ctx("zones/dmarc.zone", NULL);
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
	ck_assert_ptr_nonnull(d);
	return d;
}

/* Does some problem sentence contain @needle? */
static int has_problem(const struct fromauth_dmarc *d, const char *needle)
{
	for (size_t i = 0; i < fa_dmarc_problem_count(d); i++)
		if (strstr(fa_dmarc_problem(d, i), needle))
			return 1;
	return 0;
}

static int rec_has_problem(const struct fa_dmarc_record *r, const char *needle)
{
	for (size_t i = 0; i < r->problem_count; i++)
		if (strstr(r->problems[i], needle))
			return 1;
	return 0;
}

/* ---- record parser ---------------------------------------------------- */

START_TEST(fa_dmarc_record_parse_valid)
{
	struct fa_dmarc_record r;
	const char *txt = "v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=r; "
			  "pct=20; t=y; psd=n; fo=0:d; rf=afrf; ri=86400; "
			  "rua=mailto:a@example.com!10m, mailto:b@Report.Example.NET; "
			  "ruf=mailto:f@example.com;";
	ck_assert_int_eq(fa_dmarc_record_parse(txt, strlen(txt), &r), 0);
	ck_assert_msg(r.problem_count == 0, "unexpected problem: %s", r.problems[0]);
	ck_assert_int_eq(r.p, FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_int_eq(r.sp, FROMAUTH_DMARC_POLICY_QUARANTINE);
	ck_assert_int_eq(r.np, FROMAUTH_DMARC_POLICY_NONE);
	ck_assert_int_eq(r.adkim, 's');
	ck_assert_int_eq(r.aspf, 'r');
	ck_assert_int_eq(r.pct, 20);
	ck_assert_int_eq(r.t, 'y');
	ck_assert_int_eq(r.psd, 'n');
	ck_assert_uint_eq(r.rua_count, 2);
	ck_assert_str_eq(r.rua[0].uri, "mailto:a@example.com");
	ck_assert_str_eq(r.rua[0].host, "example.com");
	ck_assert_str_eq(r.rua[1].host, "report.example.net");
	ck_assert_uint_eq(r.ruf_count, 1);
	ck_assert_str_eq(r.fo, "0:d");
	ck_assert_str_eq(r.rf, "afrf");
	ck_assert_int_eq(r.ri, 86400);
	fa_dmarc_record_clear(&r);
}
END_TEST

START_TEST(fa_dmarc_record_parse_defaults)
{
	struct fa_dmarc_record r;
	ck_assert_int_eq(fa_dmarc_record_parse("v=DMARC1; p=none", 16, &r), 0);
	ck_assert_uint_eq(r.problem_count, 0);
	ck_assert_int_eq(r.adkim, 'r');
	ck_assert_int_eq(r.aspf, 'r');
	ck_assert_int_eq(r.pct, -1);
	ck_assert_int_eq(r.t, 'n');
	ck_assert_int_eq(r.psd, 'u');
	int p, sp, np;
	ck_assert_int_eq(fa_dmarc_record_policies(&r, &p, &sp, &np), 1);
	ck_assert_int_eq(p, FROMAUTH_DMARC_POLICY_NONE);
	ck_assert_int_eq(sp, FROMAUTH_DMARC_POLICY_NONE);
	ck_assert_int_eq(np, FROMAUTH_DMARC_POLICY_NONE);
	fa_dmarc_record_clear(&r);
}
END_TEST

/* Every malformed value, named; libopendmarc accepts several of them. */
static const struct {
	const char *record;
	const char *problem;
} bad_records[] = {
	{ "v=DMARC1; p=rej", "p=rej is not a policy" },          /* prefix */
	{ "v=DMARC1; p=none; sp=bogus", "sp=bogus is not a policy" },
	{ "v=DMARC1; p=none; np=never", "np=never is not a policy" },
	{ "v=DMARC1; p=none; pct=abc", "pct=abc is invalid" },
	{ "v=DMARC1; p=none; pct=101", "pct=101 is invalid" },
	{ "v=DMARC1; p=none; adkim=x", "adkim=x is invalid" },
	{ "v=DMARC1; p=none; aspf=relaxed", "aspf=relaxed is invalid" },
	{ "v=DMARC1; p=none; t=yes", "t=yes is invalid" },
	{ "v=DMARC1; p=none; psd=x", "psd=x is invalid" },
	{ "v=DMARC1; p=none; fo=2", "fo=2 is invalid" },
	{ "v=DMARC1; p=none; rf=iodef", "rf=iodef names a report format" },
	{ "v=DMARC1; p=none; ri=1h", "ri=1h is invalid" },
	{ "v=DMARC1; p=none; rua=https://x.example/r", "not a mailto: URI" },
	{ "v=DMARC1; p=none; rua=mailto:nobody", "does not hold an address" },
	{ "v=DMARC1; p=none; rua=mailto:a@-bad-.example", "invalid domain" },
	{ "v=DMARC1; p=none; rua=mailto:a@localhost.", "invalid domain" },   /* found by fuzzing */
	{ "v=DMARC1; p=none; rua=dmarc@example.com", "is not a URI" },
	{ "v=DMARC1; p=none; rua=mailto:a@example.com!big", "!size suffix" },
	{ "v=DMARC1; p=none; ruf=mailto:a@example.com,,mailto:b@example.com", "empty URI" },
	{ "v=DMARC1; p=none; foo=bar", "unknown tag \"foo\"" },
	{ "v=DMARC1; p=none; p=reject", "p= appears more than once" },
	{ "v=DMARC1; p=none; v=DMARC1", "v= appears more than once" },
	{ "v=DMARC1;; p=none", "empty tag" },
	{ "v=DMARC1; p=none; garbage", "is not a tag=value pair" },
	{ "v=DMARC1; p=none; s-p=none", "malformed tag name" },
	{ "v=DMARC1; p=none; 1p=none", "malformed tag name" },
	/* RFC 6376 3.2 names, which RFC 7489 6.3 takes over: digits and '_'
	 * after the first letter make an unknown tag, not a malformed one. */
	{ "v=DMARC1; p=none; x_1=y", "unknown tag \"x_1\"" },
	{ "v=DMARC1; p=none; ab9=y", "unknown tag \"ab9\"" },
	/* A lone line break is not white space. */
	{ "v=DMARC1; p=none;\nsp=none", "malformed tag name" },
	{ "v=DMARC1; p=", "p= has no value" },
	{ "v=DMARC1; rua=mailto:a@example.com", "no p= tag" },
	{ "p=none; v=DMARC1", "does not start with v=DMARC1" },
	{ "v=DMARC2; p=none", "does not start with v=DMARC1" },
	{ "v=DMARC1; p=none; rua=mailto:a@example.com\x01", "non-ASCII" },
};

START_TEST(fa_dmarc_record_parse_problems)
{
	struct fa_dmarc_record r;
	const char *txt = bad_records[_i].record;
	ck_assert_int_eq(fa_dmarc_record_parse(txt, strlen(txt), &r), 0);
	ck_assert_msg(rec_has_problem(&r, bad_records[_i].problem),
		      "%s: expected \"%s\", got %zu problems, first: %s", txt,
		      bad_records[_i].problem, r.problem_count,
		      r.problem_count ? r.problems[0] : "-");
	fa_dmarc_record_clear(&r);
}
END_TEST

/* libopendmarc writes rf= into aspf; ours leaves aspf alone. */
START_TEST(fa_dmarc_record_parse_rf_not_aspf)
{
	struct fa_dmarc_record r;
	const char *txt = "v=DMARC1; p=none; aspf=s; rf=afrf";
	ck_assert_int_eq(fa_dmarc_record_parse(txt, strlen(txt), &r), 0);
	ck_assert_int_eq(r.aspf, 's');
	ck_assert_uint_eq(r.problem_count, 0);
	fa_dmarc_record_clear(&r);
}
END_TEST

/* RFC 6376 3.2 folding white space (CRLF then WSP) between tags. */
START_TEST(fa_dmarc_record_parse_folded)
{
	struct fa_dmarc_record r;
	const char *txt = "v=DMARC1;\r\n p=reject;\r\n\tsp=none\r\n ";
	ck_assert_int_eq(fa_dmarc_record_parse(txt, strlen(txt), &r), 0);
	ck_assert_int_eq(r.p, FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_int_eq(r.sp, FROMAUTH_DMARC_POLICY_NONE);
	ck_assert_uint_eq(r.problem_count, 0);
	fa_dmarc_record_clear(&r);
	/* Inside a value too: a folded rua= list. */
	txt = "v=DMARC1; p=none; rua=mailto:a@example.com \r\n ,\r\n\tmailto:b@example.net";
	ck_assert_int_eq(fa_dmarc_record_parse(txt, strlen(txt), &r), 0);
	ck_assert_msg(r.problem_count == 0, "%s", r.problem_count ? r.problems[0] : "");
	ck_assert_uint_eq(r.rua_count, 2);
	ck_assert_str_eq(r.rua[0].uri, "mailto:a@example.com");
	ck_assert_str_eq(r.rua[1].uri, "mailto:b@example.net");
	fa_dmarc_record_clear(&r);
	/* A lone LF is not white space: that URI is not a URI. */
	txt = "v=DMARC1; p=none; rua=mailto:a@example.com,\nmailto:b@example.net";
	ck_assert_int_eq(fa_dmarc_record_parse(txt, strlen(txt), &r), 0);
	ck_assert_uint_gt(r.problem_count, 0);
	fa_dmarc_record_clear(&r);
}
END_TEST

START_TEST(fa_dmarc_record_parse_nul)
{
	struct fa_dmarc_record r;
	const char txt[] = "v=DMARC1; p=reject\0; sp=none";
	ck_assert_int_eq(fa_dmarc_record_parse(txt, sizeof(txt) - 1, &r), 0);
	ck_assert(rec_has_problem(&r, "control or non-ASCII"));
	ck_assert_ptr_nonnull(strstr(r.text, "p=reject\\000; sp=none"));
	fa_dmarc_record_clear(&r);
}
END_TEST

START_TEST(fa_dmarc_record_is_dmarc_exact)
{
	ck_assert(fa_dmarc_record_is_dmarc("v=DMARC1", 8));
	ck_assert(fa_dmarc_record_is_dmarc("v = DMARC1 ;p=none", 18));
	ck_assert(!fa_dmarc_record_is_dmarc("v=dmarc1; p=none", 16));
	ck_assert(!fa_dmarc_record_is_dmarc("v=DMARC10; p=none", 17));
	ck_assert(!fa_dmarc_record_is_dmarc("p=none; v=DMARC1", 16));
	ck_assert(!fa_dmarc_record_is_dmarc("v=DMARC", 7));
	ck_assert(!fa_dmarc_record_is_dmarc(NULL, 0));
	ck_assert(!fa_dmarc_record_is_dmarc("", 0));
}
END_TEST

/* Invalid p/sp/np: p=none when rua= is usable, else no policy at all. */
START_TEST(fa_dmarc_record_policies_fallback)
{
	struct fa_dmarc_record r;
	int p = -1, sp = -1, np = -1;
	const char *a = "v=DMARC1; p=reject; sp=bogus; rua=mailto:x@example.com";
	ck_assert_int_eq(fa_dmarc_record_parse(a, strlen(a), &r), 0);
	ck_assert_int_eq(fa_dmarc_record_policies(&r, &p, &sp, &np), 1);
	ck_assert_int_eq(p, FROMAUTH_DMARC_POLICY_NONE);
	ck_assert_int_eq(sp, FROMAUTH_DMARC_POLICY_NONE);
	fa_dmarc_record_clear(&r);

	const char *b = "v=DMARC1; p=reject; np=bogus";
	ck_assert_int_eq(fa_dmarc_record_parse(b, strlen(b), &r), 0);
	ck_assert_int_eq(fa_dmarc_record_policies(&r, &p, &sp, &np), 0);
	fa_dmarc_record_clear(&r);

	/* No p= and no rua=: no DMARC (RFC 9989 4.10.1); with rua=: none. */
	const char *e = "v=DMARC1; adkim=s";
	ck_assert_int_eq(fa_dmarc_record_parse(e, strlen(e), &r), 0);
	ck_assert_int_eq(fa_dmarc_record_policies(&r, &p, &sp, &np), 0);
	fa_dmarc_record_clear(&r);
	const char *f = "v=DMARC1; rua=mailto:x@example.com; sp=reject";
	ck_assert_int_eq(fa_dmarc_record_parse(f, strlen(f), &r), 0);
	ck_assert_int_eq(fa_dmarc_record_policies(&r, &p, &sp, &np), 1);
	ck_assert_int_eq(sp, FROMAUTH_DMARC_POLICY_NONE);
	fa_dmarc_record_clear(&r);

	const char *c = "v=DMARC1; p=reject; sp=none";
	ck_assert_int_eq(fa_dmarc_record_parse(c, strlen(c), &r), 0);
	ck_assert_int_eq(fa_dmarc_record_policies(&r, &p, &sp, &np), 1);
	ck_assert_int_eq(p, FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_int_eq(sp, FROMAUTH_DMARC_POLICY_NONE);
	ck_assert_int_eq(np, FROMAUTH_DMARC_POLICY_NONE);   /* np -> sp */
	fa_dmarc_record_clear(&r);
}
END_TEST

/* ---- discovery and policy ---------------------------------------------- */

START_TEST(fromauth_dmarc_check_at_domain)
{
	struct fromauth_dmarc *d = check("Example.COM.");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "example.com");
	ck_assert_str_eq(fromauth_dmarc_record(d),
			 "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.com");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "example.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_int_eq(fromauth_dmarc_effective_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_str_eq(fa_dmarc_policy_tag(d), "p");
	ck_assert_uint_eq(fa_dmarc_record_count(d), 1);
	ck_assert_uint_eq(fa_dmarc_problem_count(d), 0);
	ck_assert_int_eq(fa_dmarc_temperror(d), 0);
	ck_assert_ptr_null(fa_dmarc_discovery_differs(d));
	ck_assert_uint_eq(fa_dmarc_unauthorized_count(d), 0);
	fromauth_dmarc_free(d);

	/* U-labels go through the library's one IDN entry point. */
	d = check("b\xc3\xbc" "cher.example");
	ck_assert_str_eq(fromauth_dmarc_domain(d), "xn--bcher-kva.example");
	fromauth_dmarc_free(d);
	d = check("\xe2\x98\x83.example");
	ck_assert_str_eq(fromauth_dmarc_domain(d), "xn--n3h.example");
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fromauth_dmarc_check_bad_input)
{
	struct fromauth_dmarc *d = (void *)1;
	char err[256] = "";
	ck_assert_int_eq(fromauth_dmarc_check(ctx, "exa mple.com", &d, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(d);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(fromauth_dmarc_check(ctx, "", &d, NULL, 0), FROMAUTH_E_DOMAIN);
	ck_assert_int_eq(fromauth_dmarc_check(NULL, "example.com", &d, NULL, 0), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_dmarc_check(ctx, NULL, &d, NULL, 0), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_dmarc_check(ctx, "example.com", NULL, NULL, 0), FROMAUTH_E_INVAL);
}
END_TEST

/* p for D, sp for an existing subdomain, np (else sp, else p) for a
 * non-existent one. */
static const struct {
	const char *domain;
	int policy;
	const char *tag;
	int nonexistent;
} policy_cases[] = {
	{ "mail.example.com", FROMAUTH_DMARC_POLICY_QUARANTINE, "sp", 0 },
	{ "exists.npdomain.com", FROMAUTH_DMARC_POLICY_QUARANTINE, "sp", 0 },
	{ "ghost.npdomain.com", FROMAUTH_DMARC_POLICY_REJECT, "np", 1 },
	{ "npdomain.com", FROMAUTH_DMARC_POLICY_NONE, "p", 0 },
	{ "ghost.nonp.com", FROMAUTH_DMARC_POLICY_NONE, "sp", 1 },
	{ "ghost.ponly.com", FROMAUTH_DMARC_POLICY_QUARANTINE, "p", 1 },
	{ "a.b.ghost.npdomain.com", FROMAUTH_DMARC_POLICY_REJECT, "np", 1 },
};

START_TEST(fromauth_dmarc_policy_applicable)
{
	struct fromauth_dmarc *d = check(policy_cases[_i].domain);
	ck_assert_msg(fromauth_dmarc_policy(d) == policy_cases[_i].policy,
		      "%s: policy %s", policy_cases[_i].domain,
		      fromauth_dmarc_policy_name(fromauth_dmarc_policy(d)));
	ck_assert_str_eq(fa_dmarc_policy_tag(d), policy_cases[_i].tag);
	ck_assert_int_eq(fa_dmarc_nonexistent(d), policy_cases[_i].nonexistent);
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fromauth_dmarc_effective_policy_testing)
{
	struct fromauth_dmarc *d = check("testing.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_int_eq(fromauth_dmarc_effective_policy(d), FROMAUTH_DMARC_POLICY_QUARANTINE);
	ck_assert_int_eq(fa_dmarc_testing(d), 1);
	fromauth_dmarc_free(d);

	d = check("testing2.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_QUARANTINE);
	ck_assert_int_eq(fromauth_dmarc_effective_policy(d), FROMAUTH_DMARC_POLICY_NONE);
	ck_assert_int_eq(fa_dmarc_pct(d), 50);    /* reported, never applied */
	fromauth_dmarc_free(d);

	d = check("example.com");
	ck_assert_int_eq(fa_dmarc_testing(d), 0);
	ck_assert_int_eq(fa_dmarc_pct(d), -1);
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fromauth_dmarc_check_no_record)
{
	struct fromauth_dmarc *d = check("norecord.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_int_eq(fromauth_dmarc_effective_policy(d), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_str_eq(fromauth_dmarc_record(d), "");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "norecord.com");
	ck_assert_uint_eq(fa_dmarc_record_count(d), 0);
	ck_assert_int_eq(fa_dmarc_temperror(d), 0);
	ck_assert_int_eq(fa_dmarc_adkim(d), 'r');
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fa_dmarc_record_count_multiple)
{
	/* Both records are discarded; nothing above applies. */
	struct fromauth_dmarc *d = check("multi.com");
	ck_assert_uint_eq(fa_dmarc_record_count(d), 2);
	ck_assert_str_eq(fa_dmarc_multiple_domain(d), "multi.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_ABSENT);
	/* Their texts, for the fix that deletes all but one. */
	ck_assert_uint_eq(fa_dmarc_duplicate_count(d), 2);
	int reject = 0, none = 0;
	for (size_t i = 0; i < 2; i++) {
		reject |= !strcmp(fa_dmarc_duplicate(d, i), "v=DMARC1; p=reject");
		none |= !strcmp(fa_dmarc_duplicate(d, i), "v=DMARC1; p=none");
	}
	ck_assert(reject && none);
	ck_assert_ptr_null(fa_dmarc_duplicate(d, 2));
	fromauth_dmarc_free(d);

	/* RFC 9989 walks on to the parent; RFC 7489 stops with no policy. */
	d = check("sub.multi2.com");
	ck_assert_uint_eq(fa_dmarc_record_count(d), 2);
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "multi2.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_ptr_nonnull(fa_dmarc_discovery_differs(d));
	ck_assert_uint_eq(fa_dmarc_duplicate_count(d), 2);
	fromauth_dmarc_free(d);
	/* One record: nothing to delete. */
	d = check("multi2.com");
	ck_assert_uint_eq(fa_dmarc_duplicate_count(d), 0);
	ck_assert_ptr_null(fa_dmarc_duplicate(d, 0));
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fa_dmarc_problem_kinds)
{
	struct fromauth_dmarc *d = check("badsyntax.com");
	ck_assert(has_problem(d, "p=rej is not a policy"));
	ck_assert(has_problem(d, "pct=150"));
	ck_assert(has_problem(d, "adkim=x"));
	ck_assert(has_problem(d, "unknown tag \"foo\""));
	ck_assert(has_problem(d, "does not hold an address"));
	ck_assert(has_problem(d, "receivers apply no DMARC policy"));
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_uint_eq(fa_dmarc_record_count(d), 1);
	fromauth_dmarc_free(d);

	d = check("badp.com");
	ck_assert(has_problem(d, "p=bogus"));
	ck_assert(has_problem(d, "treat the record as p=none"));
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_NONE);
	fromauth_dmarc_free(d);

	/* Not DMARC records at all: ignored, and the admin is told why. */
	d = check("notfirst.com");
	ck_assert(has_problem(d, "is ignored"));
	ck_assert_uint_eq(fa_dmarc_record_count(d), 0);
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_ABSENT);
	fromauth_dmarc_free(d);

	d = check("lowercase.com");
	ck_assert(has_problem(d, "v=dmarc1"));
	ck_assert_uint_eq(fa_dmarc_problem_count(d), 1);   /* not the site verification */
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_ABSENT);
	fromauth_dmarc_free(d);

	d = check("child.lookparent.com");
	ck_assert_uint_eq(fa_dmarc_problem_count(d), 0);
	fromauth_dmarc_free(d);
	d = check("lookparent.com");
	ck_assert(has_problem(d, "is ignored"));
	fromauth_dmarc_free(d);

	d = check("nop.com");
	ck_assert(has_problem(d, "no p= tag"));
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_NONE);
	fromauth_dmarc_free(d);

	/* libopendmarc's second opinion, where it is stricter than the RFC. */
	d = check("rflist.com");
	ck_assert(has_problem(d, "OpenDMARC"));
	ck_assert_uint_eq(fa_dmarc_problem_count(d), 1);
	fromauth_dmarc_free(d);

	/* _dmarc delegated by CNAME to a provider's record. */
	d = check("cnamed.com");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "cnamed.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_QUARANTINE);
	ck_assert_uint_eq(fa_dmarc_unauthorized_count(d), 0);
	fromauth_dmarc_free(d);

	/* Character-strings are concatenated before parsing. */
	d = check("split.com");
	ck_assert_uint_eq(fa_dmarc_problem_count(d), 0);
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fa_dmarc_temperror_cases)
{
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "_dmarc.slow.example.com"), 0);
	struct fromauth_dmarc *d = check("slow.example.com");
	ck_assert_int_eq(fa_dmarc_temperror(d), 1);
	fromauth_dmarc_free(d);

	/* A record at D decides the policy even if a parent times out. */
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "_dmarc.com"), 0);
	d = check("example.com");
	ck_assert_int_eq(fa_dmarc_temperror(d), 0);
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	int aligned = 0;
	/* ... but relaxed alignment needs the organizational domain. */
	ck_assert_int_eq(fa_dmarc_aligned(&req, d, "bounce.example.com", 0, &aligned), 0);
	ck_assert_int_eq(aligned, -1);
	ck_assert_int_eq(fa_dmarc_aligned(&req, d, "example.com", 0, &aligned), 0);
	ck_assert_int_eq(aligned, 1);
	fromauth_dmarc_free(d);

	d = check("mail.example.com");
	ck_assert_int_eq(fa_dmarc_temperror(d), 1);
	fromauth_dmarc_free(d);
}
END_TEST

/* ---- RFC 9989 tree walk vs RFC 7489 PSL -------------------------------- */

START_TEST(fromauth_dmarc_org_domain_psd_n)
{
	/* psd=n makes the department its own organizational domain. */
	struct fromauth_dmarc *d = check("x.dept.bigcorp.com");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "dept.bigcorp.com");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "dept.bigcorp.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_str_eq(fa_dmarc_psl_org_domain(d), "bigcorp.com");
	const char *why = fa_dmarc_discovery_differs(d);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "_dmarc.bigcorp.com"));
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fa_dmarc_discovery_differs_cases)
{
	/* The PSL says foo.blogspot.com is registrable: 7489 finds nothing,
	 * the tree walk finds the operator's record. */
	struct fromauth_dmarc *d = check("www.foo.blogspot.com");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "blogspot.com");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "blogspot.com");
	ck_assert_str_eq(fa_dmarc_psl_org_domain(d), "foo.blogspot.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_ptr_nonnull(strstr(fa_dmarc_discovery_differs(d), "no record"));
	fromauth_dmarc_free(d);

	/* Same record, different organizational domain. */
	d = check("example.org.uk");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "example.org.uk");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "org.uk");
	ck_assert_str_eq(fa_dmarc_psl_org_domain(d), "example.org.uk");
	ck_assert_ptr_nonnull(strstr(fa_dmarc_discovery_differs(d), "organizational domain"));
	fromauth_dmarc_free(d);

	/* Same record and org domain, different policy: np is RFC 9989's. */
	d = check("ghost.npdomain.com");
	ck_assert_ptr_nonnull(strstr(fa_dmarc_discovery_differs(d), "np="));
	fromauth_dmarc_free(d);

	/* A TLD the list does not name falls under the PSL's default rule
	 * ("*"): the organizational domain is two labels, and both
	 * discoveries agree (libopendmarc's own lookup got this wrong). */
	char err[256];
	ck_assert_int_eq(fromauth_ctx_add_record(ctx,
		"_dmarc.members.unlisted-tld. IN TXT \"v=DMARC1; p=quarantine\"", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_add_record(ctx,
		"news.members.unlisted-tld. IN A 192.0.2.99", err, sizeof(err)), 0);
	d = check("news.members.unlisted-tld");
	ck_assert_str_eq(fa_dmarc_psl_org_domain(d), "members.unlisted-tld");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "members.unlisted-tld");
	ck_assert_ptr_null(fa_dmarc_discovery_differs(d));
	fromauth_dmarc_free(d);

	/* Agreement. */
	d = check("mail.example.co.uk");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "example.co.uk");
	ck_assert_str_eq(fa_dmarc_psl_org_domain(d), "example.co.uk");
	ck_assert_ptr_null(fa_dmarc_discovery_differs(d));
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fromauth_dmarc_check_psd_y)
{
	/* No record of its own: the PSD's record applies, org is agency.psd. */
	struct fromauth_dmarc *d = check("agency.psd");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "agency.psd");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "psd");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_str_eq(fa_dmarc_policy_tag(d), "sp");
	fromauth_dmarc_free(d);

	/* The org domain's own record wins over the PSD's. */
	d = check("mail.agency2.psd");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "agency2.psd");
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "agency2.psd");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_NONE);
	fromauth_dmarc_free(d);

	d = check("ghost.psd");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_str_eq(fa_dmarc_policy_tag(d), "np");
	fromauth_dmarc_free(d);

	/* The PSD itself: its p=, and it is its own organizational domain. */
	d = check("psd");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "psd");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_QUARANTINE);
	ck_assert_int_eq(fa_dmarc_psd(d), 'y');
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fromauth_dmarc_check_many_labels)
{
	struct fromauth_dmarc *d = check("a.b.c.d.e.f.g.h.i.example.com");
	struct json_object *j = json_tokener_parse(fromauth_dmarc_json(d));
	ck_assert_ptr_nonnull(j);
	struct json_object *walk = NULL;
	ck_assert(json_object_object_get_ex(j, "tree_walk", &walk));
	ck_assert_int_eq((int)json_object_array_length(walk), 8);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(walk, 0)),
			 "_dmarc.a.b.c.d.e.f.g.h.i.example.com");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(walk, 1)),
			 "_dmarc.e.f.g.h.i.example.com");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(walk, 7)),
			 "_dmarc.com");
	json_object_put(j);
	/* The records at 10 and 8 labels were skipped. */
	ck_assert_str_eq(fromauth_dmarc_record_domain(d), "example.com");
	ck_assert_str_eq(fromauth_dmarc_org_domain(d), "example.com");
	ck_assert_int_eq(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_QUARANTINE);
	fromauth_dmarc_free(d);
}
END_TEST

/* ---- report destinations ---------------------------------------------- */

START_TEST(fa_dmarc_unauthorized_destinations)
{
	struct fromauth_dmarc *d = check("reports.com");
	ck_assert_uint_eq(fa_dmarc_unauthorized_count(d), 2);
	ck_assert_str_eq(fa_dmarc_unauthorized(d, 0), "mailto:x@other.net");
	ck_assert_str_eq(fa_dmarc_unauthorized(d, 1), "mailto:g@other.net");
	ck_assert_str_eq(fa_dmarc_unauthorized_host(d, 0), "other.net");
	ck_assert_str_eq(fa_dmarc_authorization_name(d, 0), "reports.com._report._dmarc.other.net");
	ck_assert_ptr_null(fa_dmarc_unauthorized(d, 2));
	fromauth_dmarc_free(d);

	/* A provider's wildcard authorization covers every domain. */
	d = check("wildauth.com");
	ck_assert_uint_eq(fa_dmarc_unauthorized_count(d), 0);
	fromauth_dmarc_free(d);

	/* Publishing the authorization fixes it. */
	char err[256];
	ck_assert_int_eq(fromauth_ctx_add_record(ctx,
		"reports.com._report._dmarc.other.net. 3600 IN TXT \"v=DMARC1\"",
		err, sizeof(err)), 0);
	d = check("reports.com");
	ck_assert_uint_eq(fa_dmarc_unauthorized_count(d), 0);
	fromauth_dmarc_free(d);
}
END_TEST

/* ---- alignment -------------------------------------------------------- */

static const struct {
	const char *from, *other;
	int strict, aligned;
} align_cases[] = {
	{ "example.com", "example.com", 1, 1 },
	{ "example.com", "EXAMPLE.com.", 1, 1 },
	/* libopendmarc passes this one in strict mode. */
	{ "example.com", "bounce.example.com", 1, 0 },
	{ "example.com", "bounce.example.com", 0, 1 },
	{ "mail.example.com", "example.com", 0, 1 },
	{ "mail.example.com", "example.com", 1, 0 },
	/* libopendmarc aligns d=co.uk with example.co.uk. */
	{ "example.co.uk", "co.uk", 0, 0 },
	{ "example.co.uk", "other.co.uk", 0, 0 },
	{ "mail.example.co.uk", "example.co.uk", 0, 1 },
	{ "example.com", "example.net", 0, 0 },
	/* psd=n splits one registered domain into two organizations. */
	{ "x.dept.bigcorp.com", "bigcorp.com", 0, 0 },
	{ "x.dept.bigcorp.com", "y.dept.bigcorp.com", 0, 1 },
	/* The PSL would call these different organizations; the walk not. */
	{ "www.foo.blogspot.com", "bar.blogspot.com", 0, 1 },
	{ "agency.psd", "other.psd", 0, 0 },
	{ "mail.agency2.psd", "agency2.psd", 0, 1 },
};

START_TEST(fa_dmarc_aligned_cases)
{
	struct fromauth_dmarc *d = check(align_cases[_i].from);
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	int aligned = -2;
	ck_assert_int_eq(fa_dmarc_aligned(&req, d, align_cases[_i].other,
					  align_cases[_i].strict, &aligned), 0);
	ck_assert_msg(aligned == align_cases[_i].aligned, "%s vs %s (%s): %d",
		      align_cases[_i].from, align_cases[_i].other,
		      align_cases[_i].strict ? "strict" : "relaxed", aligned);
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fa_dmarc_aligned_errors)
{
	struct fromauth_dmarc *d = check("example.com");
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	int aligned = 5;
	ck_assert_int_eq(fa_dmarc_aligned(&req, d, "bad..name", 0, &aligned), FROMAUTH_E_DOMAIN);
	ck_assert_int_eq(aligned, 0);
	ck_assert_int_eq(fa_dmarc_aligned(&req, NULL, "example.com", 0, &aligned), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fa_dmarc_aligned(&req, d, "example.com", 0, NULL), FROMAUTH_E_INVAL);
	/* A DNS failure walking the other domain's tree: unknown. */
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "_dmarc.slow.example.net"), 0);
	ck_assert_int_eq(fa_dmarc_aligned(&req, d, "slow.example.net", 0, &aligned), 0);
	ck_assert_int_eq(aligned, -1);
	fromauth_dmarc_free(d);
}
END_TEST

/* ---- JSON and getters ------------------------------------------------- */

START_TEST(fromauth_dmarc_json_fields)
{
	struct fromauth_dmarc *d = check("testing2.com");
	struct json_object *j = json_tokener_parse(fromauth_dmarc_json(d));
	ck_assert_ptr_nonnull(j);
	struct json_object *v;
	ck_assert(json_object_object_get_ex(j, "domain", &v));
	ck_assert_str_eq(json_object_get_string(v), "testing2.com");
	ck_assert(json_object_object_get_ex(j, "policy", &v));
	ck_assert_str_eq(json_object_get_string(v), "quarantine");
	ck_assert(json_object_object_get_ex(j, "applied_policy", &v));
	ck_assert_str_eq(json_object_get_string(v), "none");
	ck_assert(json_object_object_get_ex(j, "pct", &v));
	ck_assert_int_eq(json_object_get_int(v), 50);
	ck_assert(json_object_object_get_ex(j, "testing", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(j, "adkim", &v));
	ck_assert_str_eq(json_object_get_string(v), "r");
	ck_assert(json_object_object_get_ex(j, "rfc7489", &v));
	ck_assert(json_object_object_get_ex(j, "org_domain", &v));
	ck_assert(json_object_object_get_ex(j, "problems", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 0);
	json_object_put(j);
	fromauth_dmarc_free(d);
}
END_TEST

static void *read_dmarc_json(void *arg)
{
	return (void *)fromauth_dmarc_json(arg);
}

/* Built on first use: threads racing for it all get the one published
 * string, and it parses. */
START_TEST(fromauth_dmarc_json_once)
{
	struct fromauth_dmarc *d = check("testing2.com");
	test_same_from_threads(read_dmarc_json, d);
	struct json_object *j = json_tokener_parse(fromauth_dmarc_json(d));
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(j, "policy")), "quarantine");
	json_object_put(j);
	fromauth_dmarc_free(d);
}
END_TEST

/* The output does not depend on what the process checked before: the
 * first check of a process, of a domain without a record (nothing for
 * libopendmarc to parse), says what later ones say.  Each test runs in
 * a fresh process (CK_FORK); under valgrind (CK_FORK=no) it still holds. */
START_TEST(fromauth_dmarc_json_first_check)
{
	struct fromauth_dmarc *d = check("norecord.com");
	ck_assert_uint_eq(fa_dmarc_record_count(d), 0);
	struct json_object *j = json_tokener_parse(fromauth_dmarc_json(d));
	struct json_object *old, *v;
	ck_assert(json_object_object_get_ex(j, "rfc7489", &old));
	ck_assert(json_object_object_get_ex(old, "psl", &v));
	ck_assert_msg(json_object_get_boolean(v), "rfc7489.psl false on the first check");
	json_object_put(j);
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fromauth_dmarc_null_tolerant)
{
	fromauth_dmarc_free(NULL);
	ck_assert_ptr_null(fromauth_dmarc_record(NULL));
	ck_assert_ptr_null(fromauth_dmarc_record_domain(NULL));
	ck_assert_ptr_null(fromauth_dmarc_org_domain(NULL));
	ck_assert_ptr_null(fromauth_dmarc_json(NULL));
	ck_assert_int_eq(fromauth_dmarc_policy(NULL), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_int_eq(fromauth_dmarc_effective_policy(NULL), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_ptr_null(fa_dmarc_problem(NULL, 0));
	ck_assert_ptr_null(fa_dmarc_unauthorized(NULL, 0));
	ck_assert_uint_eq(fa_dmarc_record_count(NULL), 0);
	ck_assert_int_eq(fa_dmarc_pct(NULL), -1);
	ck_assert_int_eq(fa_dmarc_adkim(NULL), 'r');
	struct fromauth_dmarc *d = check("example.com");
	ck_assert_ptr_null(fa_dmarc_problem(d, 99));
	fromauth_dmarc_free(d);
}
END_TEST

START_TEST(fromauth_dmarc_policy_name_values)
{
	ck_assert_str_eq(fromauth_dmarc_policy_name(FROMAUTH_DMARC_POLICY_ABSENT), "absent");
	ck_assert_str_eq(fromauth_dmarc_policy_name(FROMAUTH_DMARC_POLICY_NONE), "none");
	ck_assert_str_eq(fromauth_dmarc_policy_name(FROMAUTH_DMARC_POLICY_QUARANTINE), "quarantine");
	ck_assert_str_eq(fromauth_dmarc_policy_name(FROMAUTH_DMARC_POLICY_REJECT), "reject");
	ck_assert_str_eq(fromauth_dmarc_policy_name(42), "unknown");
}
END_TEST

/* ---- threads ---------------------------------------------------------- */

static const char *const thread_domains[] = {
	"mail.example.com", "ghost.npdomain.com", "x.dept.bigcorp.com",
	"www.foo.blogspot.com", "reports.com", "agency.psd", "rflist.com",
};

static void *thread_run(void *arg)
{
	int *bad = arg;
	for (int round = 0; round < 5; round++) {
		for (size_t i = 0; i < FA_ARRAY_SIZE(thread_domains); i++) {
			struct fromauth_dmarc *d = NULL;
			if (fromauth_dmarc_check(ctx, thread_domains[i], &d, NULL, 0) != 0 ||
			    fromauth_dmarc_policy(d) == FROMAUTH_DMARC_POLICY_ABSENT)
				(*bad)++;
			fromauth_dmarc_free(d);
		}
	}
	return NULL;
}

/* One context, many threads: libopendmarc is initialized once and the
 * results do not depend on who else is checking. */
/* What a domain's evaluation says that could depend on the process's
 * past: the discovery comparison and whether the PSL was used. */
static void history_signature(const char *domain, char *buf, size_t len)
{
	struct fromauth_dmarc *d = check(domain);
	struct json_object *j = json_tokener_parse(fromauth_dmarc_json(d));
	struct json_object *old = NULL, *psl = NULL;
	ck_assert_ptr_nonnull(j);
	ck_assert(json_object_object_get_ex(j, "rfc7489", &old));
	ck_assert(json_object_object_get_ex(old, "psl", &psl));
	snprintf(buf, len, "psl=%d differs=%s", json_object_get_boolean(psl),
		 fa_dmarc_discovery_differs(d) ? fa_dmarc_discovery_differs(d) : "-");
	json_object_put(j);
	fromauth_dmarc_free(d);
}

/* In a new process, evaluate @first then @second; the signature of
 * @probe (one of them) is read back through a pipe. */
static void in_fresh_process(const char *first, const char *second, const char *probe,
			     char *buf, size_t len)
{
	int fd[2];
	ck_assert_int_eq(pipe(fd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The fixture's context: this process never evaluated with it
		 * before the fork. */
		char sig[1024] = "";
		close(fd[0]);
		const char *order[2] = { first, second };
		for (int i = 0; i < 2; i++) {
			char tmp[1024];
			history_signature(order[i], tmp, sizeof(tmp));
			if (!strcmp(order[i], probe))
				snprintf(sig, sizeof(sig), "%s", tmp);
		}
		ssize_t w = write(fd[1], sig, strlen(sig));
		_exit(w == (ssize_t)strlen(sig) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t n = read(fd[0], buf, len - 1);
	close(fd[0]);
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed");
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
}

/* The same query gives the same answer whatever the process did before
 * (it read libopendmarc's lazily set flag: no PSL comparison until some
 * walk had found a record). */
START_TEST(fromauth_dmarc_check_fresh_process)
{
	static const char *const probes[] = {
		"a.sub.nodmarc.example",        /* no record anywhere */
		"www.foo.blogspot.com",         /* the discoveries differ */
		"mail.example.co.uk",           /* they agree */
	};
	for (size_t i = 0; i < FA_ARRAY_SIZE(probes); i++) {
		char fresh[1024], after[1024];
		in_fresh_process(probes[i], "example.com", probes[i], fresh, sizeof(fresh));
		in_fresh_process("example.com", probes[i], probes[i], after, sizeof(after));
		ck_assert_msg(!strcmp(fresh, after), "%s: first in a process: %s; after example.com: %s",
			      probes[i], fresh, after);
		ck_assert_msg(!strncmp(fresh, "psl=1 ", 6), "%s: %s", probes[i], fresh);
	}
	/* With no record anywhere, no receiver applies DMARC: nothing to
	 * compare. */
	char sig[1024];
	in_fresh_process("a.sub.nodmarc.example", "example.com", "a.sub.nodmarc.example",
			 sig, sizeof(sig));
	ck_assert_str_eq(sig, "psl=1 differs=-");
}
END_TEST

START_TEST(fromauth_dmarc_check_threads)
{
	pthread_t th[8];
	int bad[8] = { 0 };
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, thread_run, &bad[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(bad[i], 0);
	}
}
END_TEST


/* Parsed records (ours and libopendmarc's opinion) come from the
 * context's memo after the first check: every name of the test zone and
 * a name below it, checked three times on one context, gives the JSON and
 * alignment a context without memo gives, whichever walk (the policy
 * domain's, an alignment's, RFC 7489's) met a record first. */
START_TEST(fromauth_dmarc_check_memo_same_results)
{
	struct fromauth_ctx *plain = test_offline_ctx("zones/dmarc.zone", NULL);
	fa_dns_set_memo(plain->dns, NULL);
	FILE *f = fopen(test_data("zones/dmarc.zone"), "r");
	ck_assert_ptr_nonnull(f);
	char line[4096];
	size_t compared = 0;
	while (fgets(line, sizeof(line), f)) {
		char owner[256], name[300];
		if (sscanf(line, "%255s", owner) != 1 || owner[0] == ';' || owner[0] == '$' ||
		    strchr(owner, '*'))
			continue;
		/* the domain a record is for: after "_dmarc.", else the owner */
		const char *dom = strstr(owner, "_dmarc.") ? strstr(owner, "_dmarc.") + 7 : owner;
		size_t dl = strlen(owner);
		if (dl > 1 && owner[dl - 1] == '.')
			owner[dl - 1] = '\0';
		for (int variant = 0; variant < 2; variant++) {
			snprintf(name, sizeof(name), "%s%s", variant ? "x." : "", dom);
			for (int round = 0; round < 3; round++) {
				struct fromauth_dmarc *a = NULL, *b = NULL;
				int ra = fromauth_dmarc_check(ctx, name, &a, NULL, 0);
				int rb = fromauth_dmarc_check(plain, name, &b, NULL, 0);
				ck_assert_int_eq(ra, rb);
				if (ra == 0) {
					ck_assert_msg(!strcmp(fromauth_dmarc_json(a),
							      fromauth_dmarc_json(b)),
						      "%s round %d:\n%s\n%s", name, round,
						      fromauth_dmarc_json(a), fromauth_dmarc_json(b));
					/* relaxed alignment walks from the other name */
					const char *others[] = { "x.y.example.com", dom, "example.com" };
					for (size_t k = 0; k < FA_ARRAY_SIZE(others); k++) {
						struct fa_dns_req qa, qb;
						int xa = 0, xb = 0;
						fa_dns_req_init(&qa, ctx->dns);
						fa_dns_req_init(&qb, plain->dns);
						ck_assert_int_eq(fa_dmarc_aligned(&qa, a, others[k], 0, &xa),
								 fa_dmarc_aligned(&qb, b, others[k], 0, &xb));
						ck_assert_int_eq(xa, xb);
					}
					compared++;
				}
				fromauth_dmarc_free(a);
				fromauth_dmarc_free(b);
			}
		}
	}
	fclose(f);
	ck_assert_uint_gt(compared, 100);
	/* the memo was used, and the context without one kept nothing */
	ck_assert_uint_gt(fa_memo_count_kind(ctx->memo, FA_MEMO_DMARC_RECORD), 10);
	ck_assert_uint_eq(fa_memo_count_kind(plain->memo, FA_MEMO_DMARC_RECORD), 0);
	/* libopendmarc's opinion is in a shared parse too */
	struct fromauth_dmarc *d = check("rflist.com");
	ck_assert(has_problem(d, "OpenDMARC"));
	fromauth_dmarc_free(d);
	fromauth_ctx_free(plain);
}
END_TEST

/* ---- the tool --------------------------------------------------------- */

/* Run `fromauth dmarc ARGS` offline on the test zone; returns the exit
 * status and the first @outlen-1 bytes of stdout. */
static int run_tool(const char *args, char *out, size_t outlen)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "%s/tools/fromauth dmarc --offline --zone %s %s 2>/dev/null",
		 TEST_BUILD_DIR, test_data("zones/dmarc.zone"), args);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	char sink[256];
	while (fread(sink, 1, sizeof(sink), f) > 0)
		;
	int st = pclose(f);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(cmd_dmarc_exit_and_output)
{
	static char out[16384];
	ck_assert_int_eq(run_tool("mail.example.com", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "_dmarc.example.com"));
	ck_assert_ptr_nonnull(strstr(out, "quarantine (from sp=, for an existing subdomain)"));

	ck_assert_int_eq(run_tool("norecord.com", out, sizeof(out)), 1);
	ck_assert_int_eq(run_tool("badsyntax.com", out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "p=rej is not a policy"));

	ck_assert_int_eq(run_tool("reports.com", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out,
		"fix: reports.com._report._dmarc.other.net. 3600 IN TXT \"v=DMARC1\""));

	ck_assert_int_eq(run_tool("testing.com", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "applied      quarantine (t=y"));

	ck_assert_int_eq(run_tool("www.foo.blogspot.com", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "! discovery"));

	ck_assert_int_eq(run_tool("--json ghost.npdomain.com", out, sizeof(out)), 0);
	struct json_object *j = json_tokener_parse(out);
	ck_assert_ptr_nonnull(j);
	struct json_object *v;
	ck_assert(json_object_object_get_ex(j, "policy", &v));
	ck_assert_str_eq(json_object_get_string(v), "reject");
	json_object_put(j);

	/* Unicode input is converted to A-labels. */
	ck_assert_int_eq(run_tool("--assume '_dmarc.xn--bcher-kva.example. 300 IN TXT \"v=DMARC1; p=reject\"' "
				  "b\xc3\xbc" "cher.example", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "DMARC for xn--bcher-kva.example"));
	ck_assert_int_eq(run_tool("'b\xc3\xbc cher.example'", out, sizeof(out)), 65);

	ck_assert_int_eq(run_tool("--help", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "Exit status"));
	ck_assert_int_eq(run_tool("", out, sizeof(out)), 64);
	ck_assert_int_eq(run_tool("a.com b.com", out, sizeof(out)), 64);
	ck_assert_int_eq(run_tool("--bogus x.com", out, sizeof(out)), 64);
	ck_assert_int_eq(run_tool("'bad domain.com'", out, sizeof(out)), 65);
}
END_TEST

/* The corrected records the check proposes for dmarc.syntax and
 * dmarc.testing, and for dkim.testing: every valid tag kept as written,
 * broken ones corrected or dropped, the policy kept. */
static const struct {
	const char *in;
	int drop_testing;
	const char *out;        /* NULL: nothing to correct */
} corrections[] = {
	{ "v=DMARC1; p=reject; rua=mailto:d@x.example", 0, NULL },
	{ "v=DMARC1; p=Reject; rua=mailto:d@x.example", 0, NULL },
	{ "v=DMARC1; p=rejected; rua=mailto:d@x.example", 0, "v=DMARC1; p=reject; rua=mailto:d@x.example" },
	{ "v=DMARC1; p=quarantaine; pct=100", 0, "v=DMARC1; p=quarantine; pct=100" },
	{ "v=DMARC1; rua=d@x.example, mailto:e@x.example; p=reject; foo=bar", 0,
	  "v=DMARC1; p=reject; rua=mailto:d@x.example,mailto:e@x.example" },
	{ "v=DMARC1; p=reject; p=none; aspf=strict; adkim=s", 0, "v=DMARC1; p=reject; adkim=s" },
	{ "v=DMARC1; sp=reject; rua=mailto:d@x.example", 0,
	  "v=DMARC1; p=none; sp=reject; rua=mailto:d@x.example" },
	{ "v=DMARC1; p=bogus;; pct=500", 0, "v=DMARC1; p=none" },
	{ "v=DMARC1; p=reject; t=y", 1, "v=DMARC1; p=reject" },
	{ "v=DMARC1; p=reject; t=y; rua=mailto:d@x.example", 0, NULL },
};

START_TEST(fa_remedy_dmarc_corrected_cases)
{
	char *got = fa_remedy_dmarc_corrected(corrections[_i].in, corrections[_i].drop_testing);
	if (!corrections[_i].out)
		ck_assert_msg(!got, "%s: %s", corrections[_i].in, got);
	else
		ck_assert_msg(got && !strcmp(got, corrections[_i].out), "%s: %s",
			      corrections[_i].in, got ? got : "(null)");
	free(got);
}
END_TEST

START_TEST(fa_remedy_dkim_untested_cases)
{
	char *got = fa_remedy_dkim_untested("v=DKIM1; k=rsa; t=y; p=MIGf AB==");
	ck_assert_str_eq(got, "v=DKIM1; k=rsa; p=MIGf AB==");
	free(got);
	got = fa_remedy_dkim_untested("v=DKIM1;t = y:s ;p=AB");
	ck_assert_str_eq(got, "v=DKIM1; t=s; p=AB");
	free(got);
	ck_assert_ptr_null(fa_remedy_dkim_untested("v=DKIM1; t=s; p=AB"));
	ck_assert_ptr_null(fa_remedy_dkim_untested("v=DKIM1; p=AB"));
}
END_TEST

static TCase *tcase(const char *name, const TTest *test, int fixture)
{
	TCase *tc = tcase_create(name);
	if (fixture)
		tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test);
	return tc;
}

Suite *test_suite(void)
{
	Suite *s = suite_create("dmarc");
	TCase *tc = tcase_create("fa_dmarc_record_parse");
	tcase_add_test(tc, fa_dmarc_record_parse_valid);
	tcase_add_test(tc, fa_dmarc_record_parse_defaults);
	tcase_add_loop_test(tc, fa_dmarc_record_parse_problems, 0, (int)FA_ARRAY_SIZE(bad_records));
	tcase_add_test(tc, fa_dmarc_record_parse_rf_not_aspf);
	tcase_add_test(tc, fa_dmarc_record_parse_nul);
	tcase_add_test(tc, fa_dmarc_record_parse_folded);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase("fa_dmarc_record_is_dmarc", fa_dmarc_record_is_dmarc_exact, 0));
	suite_add_tcase(s, tcase("fa_dmarc_record_policies", fa_dmarc_record_policies_fallback, 0));

	tc = tcase_create("fromauth_dmarc_check");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fromauth_dmarc_check_at_domain);
	tcase_add_test(tc, fromauth_dmarc_check_bad_input);
	tcase_add_test(tc, fromauth_dmarc_check_no_record);
	tcase_add_test(tc, fromauth_dmarc_check_psd_y);
	tcase_add_test(tc, fromauth_dmarc_check_many_labels);
	tcase_add_test(tc, fromauth_dmarc_check_threads);
	tcase_add_test(tc, fromauth_dmarc_check_fresh_process);
	tcase_add_test(tc, fromauth_dmarc_check_memo_same_results);
	suite_add_tcase(s, tc);

	tc = tcase_create("fromauth_dmarc_policy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, fromauth_dmarc_policy_applicable, 0, (int)FA_ARRAY_SIZE(policy_cases));
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase("fromauth_dmarc_effective_policy", fromauth_dmarc_effective_policy_testing, 1));
	suite_add_tcase(s, tcase("fromauth_dmarc_org_domain", fromauth_dmarc_org_domain_psd_n, 1));
	suite_add_tcase(s, tcase("fa_dmarc_record_count", fa_dmarc_record_count_multiple, 1));
	suite_add_tcase(s, tcase("fa_dmarc_problem", fa_dmarc_problem_kinds, 1));
	suite_add_tcase(s, tcase("fa_dmarc_temperror", fa_dmarc_temperror_cases, 1));
	suite_add_tcase(s, tcase("fa_dmarc_discovery_differs", fa_dmarc_discovery_differs_cases, 1));
	suite_add_tcase(s, tcase("fa_dmarc_unauthorized", fa_dmarc_unauthorized_destinations, 1));

	tc = tcase_create("fa_dmarc_aligned");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, fa_dmarc_aligned_cases, 0, (int)FA_ARRAY_SIZE(align_cases));
	tcase_add_test(tc, fa_dmarc_aligned_errors);
	suite_add_tcase(s, tc);

	suite_add_tcase(s, tcase("fromauth_dmarc_json", fromauth_dmarc_json_fields, 1));
	suite_add_tcase(s, tcase("fromauth_dmarc_json", fromauth_dmarc_json_first_check, 1));
	suite_add_tcase(s, tcase("fromauth_dmarc_json", fromauth_dmarc_json_once, 1));
	suite_add_tcase(s, tcase("fromauth_dmarc_free", fromauth_dmarc_null_tolerant, 1));
	suite_add_tcase(s, tcase("fromauth_dmarc_policy_name", fromauth_dmarc_policy_name_values, 0));
	suite_add_tcase(s, tcase("cmd_dmarc", cmd_dmarc_exit_and_output, 0));
	tc = tcase_create("fa_remedy_dmarc_corrected");
	tcase_add_loop_test(tc, fa_remedy_dmarc_corrected_cases, 0, (int)FA_ARRAY_SIZE(corrections));
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase("fa_remedy_dkim_untested", fa_remedy_dkim_untested_cases, 0));
	return s;
}
