/* SPDX-License-Identifier: BSD-2-Clause */
/* The getters of 1.1 (public API only): each tells the same as the JSON of
 * the same object, over check scenarios of tests/check that exercise every
 * fact, so neither can drift; plus the A-label call and U-label input. */
#include <check.h>
#include <json-c/json.h>
#include <string.h>

#include "test-common.h"

struct case_ {
	const char *zone;       /* tests/check/zones/<zone>.zone */
	const char *profile;    /* tests/check/profiles/<profile>.profile */
	const char *from;
	const char *timeout;    /* a name whose lookups time out, or NULL */
};

static const struct case_ cases[] = {
	{ "healthy", "esp", "news@healthy.example", NULL },
	{ "quarantine", "esp", "news@quarantine.example", NULL },
	{ "rua-foreign", "esp", "news@rua-foreign.example", NULL },
	{ "none-unauth", "esp", "news@none-unauth.example", NULL },
	{ "treewalk", "esp", "news@mail.dept.treewalk.example", NULL },
	{ "sp-parent", "esp", "news@mail.sp-parent.example", NULL },
	{ "nxsub", "esp", "news@nosuch.nxparent.example", NULL },
	{ "dmarc-multiple", "esp", "news@dmarc-multiple.example", NULL },
	{ "dmarc-syntax", "esp", "news@dmarc-syntax.example", NULL },
	{ "dmarc-pct", "esp", "news@dmarc-pct.example", NULL },
	{ "testing-reject", "esp", "news@testing-reject.example", NULL },
	{ "no-dmarc", "esp", "news@no-dmarc.example", NULL },
	{ "walk-temp", "esp", "news@sub.walk-temp.example", "_dmarc.walk-temp.example" },
	{ "dkim-temp", "esp", "news@dkim-temp.example", "s1._domainkey.dkim-temp.example" },
	{ "strict-spf", "returnpath", "news@strict-spf.example", NULL },
	{ "unaligned", "svcsign", "news@unaligned.example", NULL },
	{ "ips-placeholder", "ips", "news@ips-placeholder.example", NULL },
	{ "dkim-mismatch", "esp", "news@dkim-mismatch.example", NULL },
	{ "copied-key", "esp", "news@copied-key.example", NULL },
	{ "dkim-short", "short", "news@dkim-short.example", NULL },
	{ "two-keys", "twokeys", "news@two-keys.example", NULL },
	{ "spf-void", "esp", "news@spf-void.example", NULL },
	{ "spf-multiple", "esp", "news@spf-multiple.example", NULL },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const char *path_of(const char *dir, const char *name, const char *ext)
{
	static _Thread_local char buf[4096];
	snprintf(buf, sizeof(buf), "%s/check/%s/%s.%s", TEST_DATA_DIR, dir, name, ext);
	return buf;
}

static struct fromauth_result *run_case(const struct case_ *c, struct fromauth_ctx **ctxp,
					struct fromauth_profile **pp)
{
	char err[FROMAUTH_ERRBUF_SIZE] = "";
	struct fromauth_ctx *ctx = test_offline_ctx("check/esp.zone", NULL);
	int rc = fromauth_ctx_add_zone_file(ctx, path_of("zones", c->zone, "zone"), err,
					    sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", c->zone, err);
	if (c->timeout)
		ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, c->timeout), 0);
	struct fromauth_profile *p = NULL;
	rc = fromauth_profile_load(path_of("profiles", c->profile, "profile"), &p, err,
				   sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", c->profile, err);
	struct fromauth_result *r = NULL;
	rc = fromauth_check(ctx, p, c->from, FROMAUTH_CHECK_FIX, &r, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", c->from, err);
	*ctxp = ctx;
	*pp = p;
	return r;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "JSON lacks \"%s\"", key);
	return v;
}

/* A getter's string against a JSON member: NULL is JSON null. */
static void same_str(const char *zone, const char *what, const char *got,
		     struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);
	if (!v) {
		ck_assert_msg(got == NULL, "%s: %s is \"%s\", JSON %s is null", zone, what,
			      got, key);
		return;
	}
	ck_assert_msg(got != NULL, "%s: %s is NULL, JSON %s is \"%s\"", zone, what, key,
		      json_object_get_string(v));
	ck_assert_msg(!strcmp(got, json_object_get_string(v)), "%s: %s \"%s\" != JSON %s \"%s\"",
		      zone, what, got, key, json_object_get_string(v));
}

static void same_int(const char *zone, const char *what, long long got,
		     struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);
	long long want = !v ? -1
			 : json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
			 : json_object_get_int64(v);
	ck_assert_msg(got == want, "%s: %s %lld != JSON %s %lld", zone, what, got, key, want);
}

static void same_list(const char *zone, const char *what, size_t n,
		      const char *(*item)(const struct fromauth_dmarc *, size_t),
		      const struct fromauth_dmarc *d, struct json_object *arr,
		      const char *subkey)
{
	ck_assert_msg(json_object_is_type(arr, json_type_array), "%s: %s not a list", zone, what);
	ck_assert_msg(n == json_object_array_length(arr), "%s: %s count %zu != JSON %zu", zone,
		      what, n, json_object_array_length(arr));
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		if (subkey)
			e = member(e, subkey);
		ck_assert_msg(item(d, i) && !strcmp(item(d, i), json_object_get_string(e)),
			      "%s: %s[%zu] \"%s\" != JSON \"%s\"", zone, what, i, item(d, i),
			      json_object_get_string(e));
	}
	ck_assert_ptr_null(item(d, n));
}

static const char *policy_or_null(int policy)
{
	return policy == FROMAUTH_DMARC_POLICY_ABSENT ? NULL : fromauth_dmarc_policy_name(policy);
}

static void dmarc_matches(const char *zone, const struct fromauth_dmarc *d,
			  struct json_object *j)
{
	same_str(zone, "domain", fromauth_dmarc_domain(d), j, "domain");
	same_str(zone, "p", policy_or_null(fromauth_dmarc_p(d)), j, "p");
	same_str(zone, "sp", policy_or_null(fromauth_dmarc_sp(d)), j, "sp");
	same_str(zone, "np", policy_or_null(fromauth_dmarc_np(d)), j, "np");
	same_str(zone, "policy_tag", fromauth_dmarc_policy_tag(d), j, "policy_tag");
	same_str(zone, "adkim", fromauth_dmarc_adkim(d), j, "adkim");
	same_str(zone, "aspf", fromauth_dmarc_aspf(d), j, "aspf");
	same_int(zone, "pct", fromauth_dmarc_pct(d), j, "pct");
	same_int(zone, "testing", fromauth_dmarc_testing(d), j, "testing");
	same_str(zone, "psd", fromauth_dmarc_psd(d), j, "psd");
	same_str(zone, "fo", fromauth_dmarc_fo(d), j, "fo");
	same_str(zone, "rf", fromauth_dmarc_rf(d), j, "rf");
	same_int(zone, "ri", fromauth_dmarc_ri(d), j, "ri");
	same_int(zone, "nonexistent", fromauth_dmarc_nonexistent(d), j, "nonexistent");
	same_int(zone, "temperror", fromauth_dmarc_temperror(d), j, "temperror");
	same_int(zone, "records", (long long)fromauth_dmarc_record_count(d), j, "records");
	struct json_object *v = NULL;
	if (json_object_object_get_ex(j, "multiple_at", &v))
		same_str(zone, "multiple_domain", fromauth_dmarc_multiple_domain(d), j,
			 "multiple_at");
	else
		ck_assert_ptr_null(fromauth_dmarc_multiple_domain(d));
	same_list(zone, "rua", fromauth_dmarc_rua_count(d), fromauth_dmarc_rua, d,
		  member(j, "rua"), NULL);
	same_list(zone, "ruf", fromauth_dmarc_ruf_count(d), fromauth_dmarc_ruf, d,
		  member(j, "ruf"), NULL);
	same_list(zone, "problems", fromauth_dmarc_problem_count(d), fromauth_dmarc_problem, d,
		  member(j, "problems"), NULL);
	size_t nu = fromauth_dmarc_unauthorized_count(d);
	same_list(zone, "unauthorized", nu, fromauth_dmarc_unauthorized, d,
		  member(j, "unauthorized"), "uri");
	same_list(zone, "unauthorized host", nu, fromauth_dmarc_unauthorized_host, d,
		  member(j, "unauthorized"), "host");
	same_list(zone, "unauthorized record", nu, fromauth_dmarc_unauthorized_record, d,
		  member(j, "unauthorized"), "authorization_record");
	same_list(zone, "tree_walk", fromauth_dmarc_tree_walk_count(d), fromauth_dmarc_tree_walk,
		  d, member(j, "tree_walk"), NULL);
	same_str(zone, "discovery_differs", fromauth_dmarc_discovery_differs(d), j,
		 "discovery_differs");
	struct json_object *old = member(j, "rfc7489");
	same_str(zone, "rfc7489 org", fromauth_dmarc_rfc7489_org_domain(d), old, "org_domain");
	same_str(zone, "rfc7489 record domain", fromauth_dmarc_rfc7489_record_domain(d), old,
		 "record_domain");
	same_str(zone, "rfc7489 record", fromauth_dmarc_rfc7489_record(d), old, "record");
	same_str(zone, "rfc7489 policy",
		 fromauth_dmarc_policy_name(fromauth_dmarc_rfc7489_policy(d)), old, "policy");
	same_int(zone, "rfc7489 temperror", fromauth_dmarc_rfc7489_temperror(d), old,
		 "temperror");
}

static void dkim_matches(const char *zone, const struct fromauth_dkim *k,
			 struct json_object *j)
{
	same_str(zone, "dkim name", fromauth_dkim_name(k), j, "name");
	same_int(zone, "key_short", fromauth_dkim_key_short(k), j, "key_short");
	same_str(zone, "expected_target", fromauth_dkim_expected_target(k), j,
		 "expected_target");
	struct json_object *v = NULL;
	if (json_object_object_get_ex(j, "target_ok", &v)) {
		same_int(zone, "target_reached", fromauth_dkim_target_reached(k), j, "target_ok");
		same_int(zone, "target_key_equal", fromauth_dkim_target_key_equal(k), j,
			 "target_key_equal");
	} else {
		ck_assert_int_eq(fromauth_dkim_target_reached(k), -1);
		ck_assert_int_eq(fromauth_dkim_target_key_equal(k), -1);
	}
}

START_TEST(test_getters_match_json)
{
	const struct case_ *c = &cases[_i];
	struct fromauth_ctx *ctx;
	struct fromauth_profile *p;
	struct fromauth_result *r = run_case(c, &ctx, &p);
	struct json_object *j = json_tokener_parse(fromauth_result_json(r));
	ck_assert_ptr_nonnull(j);

	same_str(c->zone, "from", fromauth_result_from(r), j, "from");
	same_str(c->zone, "service", fromauth_result_service(r), j, "service");
	struct json_object *spf = member(j, "spf");
	same_int(c->zone, "spf aligned", fromauth_result_spf_aligned(r), spf, "aligned");
	same_int(c->zone, "outside_domain", fromauth_result_spf_outside_domain(r), spf,
		 "outside_domain");
	same_str(c->zone, "spf record", fromauth_result_spf_record(r), spf, "record");
	same_int(c->zone, "spf lookups", fromauth_result_spf_lookups(r), spf, "lookups");
	same_int(c->zone, "spf void", fromauth_result_spf_void_lookups(r), spf, "void_lookups");

	struct json_object *dk = member(j, "dkim");
	ck_assert_uint_eq(fromauth_result_dkim_count(r), json_object_array_length(dk));
	for (size_t i = 0; i < fromauth_result_dkim_count(r); i++) {
		struct json_object *o = json_object_array_get_idx(dk, i);
		same_int(c->zone, "dkim aligned", fromauth_result_dkim_aligned(r, i), o, "aligned");
		dkim_matches(c->zone, fromauth_result_dkim(r, i), o);
		/* The key's own JSON says the same. */
		struct json_object *own = json_tokener_parse(
			fromauth_dkim_json(fromauth_result_dkim(r, i)));
		dkim_matches(c->zone, fromauth_result_dkim(r, i), own);
		json_object_put(own);
	}
	ck_assert_int_eq(fromauth_result_dkim_aligned(r, fromauth_result_dkim_count(r)), -1);

	struct json_object *dm = member(j, "dmarc");
	same_str(c->zone, "dmarc result", fromauth_result_dmarc_result(r), dm, "result");
	dmarc_matches(c->zone, fromauth_result_dmarc(r), dm);
	/* Each destination's fix is the line the check's finding proposes. */
	const struct fromauth_dmarc *d = fromauth_result_dmarc(r);
	size_t u = 0;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		if (strcmp(fromauth_result_finding_code(r, i), "dmarc.rua_unauthorized"))
			continue;
		char fix[1024];
		ck_assert_int_eq(fromauth_dmarc_unauthorized_fix(d, u++, fix, sizeof(fix)), 0);
		ck_assert_str_eq(fix, fromauth_result_finding_fix(r, i, 0));
	}
	ck_assert_uint_eq(u, fromauth_dmarc_unauthorized_count(d));

	struct json_object *na = member(j, "fixes_not_applied");
	size_t n = fromauth_result_fix_not_applied_count(r);
	ck_assert_uint_eq(n, json_object_array_length(na));
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(fromauth_result_fix_not_applied(r, i),
				 json_object_get_string(json_object_array_get_idx(na, i)));
	ck_assert_ptr_null(fromauth_result_fix_not_applied(r, n));

	json_object_put(j);
	fromauth_result_free(r);
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
}
END_TEST

/* The scenarios above do reach each fact (else matching the JSON proves
 * little): a value per getter that only a working getter gives. */
START_TEST(test_getters_values)
{
	struct fromauth_ctx *ctx;
	struct fromauth_profile *p;
	struct fromauth_result *r;
	const struct fromauth_dmarc *d;
	size_t seen_unauth = 0, seen_walk = 0, seen_problem = 0, seen_multi = 0, seen_na = 0;
	size_t seen_reached = 0, seen_equal = 0, seen_short = 0, seen_temp = 0, seen_np = 0;
	size_t seen_pct = 0, seen_testing = 0, seen_sp = 0, seen_rua = 0, seen_differs = 0;

	for (size_t i = 0; i < NCASES; i++) {
		r = run_case(&cases[i], &ctx, &p);
		d = fromauth_result_dmarc(r);
		seen_unauth += fromauth_dmarc_unauthorized_count(d) > 0;
		seen_walk += fromauth_dmarc_tree_walk_count(d) >= 3;
		seen_problem += fromauth_dmarc_problem_count(d) > 0;
		seen_multi += fromauth_dmarc_multiple_domain(d) != NULL;
		seen_na += fromauth_result_fix_not_applied_count(r) > 0;
		seen_temp += fromauth_dmarc_temperror(d);
		seen_np += fromauth_dmarc_nonexistent(d);
		seen_pct += fromauth_dmarc_pct(d) >= 0 && fromauth_dmarc_pct(d) < 100;
		seen_testing += fromauth_dmarc_testing(d);
		seen_sp += fromauth_dmarc_policy_tag(d) && !strcmp(fromauth_dmarc_policy_tag(d), "sp");
		seen_rua += fromauth_dmarc_rua_count(d) > 0;
		seen_differs += fromauth_dmarc_discovery_differs(d) != NULL;
		for (size_t k = 0; k < fromauth_result_dkim_count(r); k++) {
			const struct fromauth_dkim *key = fromauth_result_dkim(r, k);
			seen_reached += fromauth_dkim_target_reached(key) == 1;
			seen_equal += fromauth_dkim_target_key_equal(key) == 1;
			seen_short += fromauth_dkim_key_short(key);
		}
		if (!strcmp(cases[i].zone, "quarantine")) {
			ck_assert_int_eq(fromauth_dmarc_p(d), FROMAUTH_DMARC_POLICY_QUARANTINE);
			ck_assert_int_eq(fromauth_dmarc_sp(d), FROMAUTH_DMARC_POLICY_ABSENT);
			ck_assert_str_eq(fromauth_result_dmarc_result(r), "fail");
			ck_assert_str_eq(fromauth_result_spf_record(r),
					 "v=spf1 include:_spf.office.example ~all");
			ck_assert_int_eq(fromauth_result_spf_aligned(r), 0);
			ck_assert_str_eq(fromauth_dkim_expected_target(fromauth_result_dkim(r, 0)),
					 "s2048.dkim.sendco.example");
			ck_assert_int_eq(fromauth_dkim_target_reached(fromauth_result_dkim(r, 0)), 0);
		}
		if (!strcmp(cases[i].zone, "healthy")) {
			ck_assert_str_eq(fromauth_result_dmarc_result(r), "pass");
			ck_assert_int_eq(fromauth_result_spf_aligned(r), 1);
			ck_assert_int_eq(fromauth_result_dkim_aligned(r, 0), 1);
			ck_assert_str_eq(fromauth_result_from(r), "news@healthy.example");
		}
		fromauth_result_free(r);
		fromauth_profile_free(p);
		fromauth_ctx_free(ctx);
	}
	ck_assert_uint_gt(seen_unauth, 0);
	ck_assert_uint_gt(seen_walk, 0);
	ck_assert_uint_gt(seen_problem, 0);
	ck_assert_uint_gt(seen_multi, 0);
	ck_assert_uint_gt(seen_na, 0);
	ck_assert_uint_gt(seen_reached, 0);
	ck_assert_uint_gt(seen_equal, 0);
	ck_assert_uint_gt(seen_short, 0);
	ck_assert_uint_gt(seen_temp, 0);
	ck_assert_uint_gt(seen_np, 0);
	ck_assert_uint_gt(seen_pct, 0);
	ck_assert_uint_gt(seen_testing, 0);
	ck_assert_uint_gt(seen_sp, 0);
	ck_assert_uint_gt(seen_rua, 0);
	(void)seen_differs;     /* the offline PSL may agree everywhere */
}
END_TEST

START_TEST(test_getters_null)
{
	ck_assert_ptr_null(fromauth_dmarc_domain(NULL));
	ck_assert_int_eq(fromauth_dmarc_p(NULL), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_int_eq(fromauth_dmarc_pct(NULL), -1);
	ck_assert_int_eq(fromauth_dmarc_ri(NULL), -1);
	ck_assert_ptr_null(fromauth_dmarc_adkim(NULL));
	ck_assert_ptr_null(fromauth_dmarc_psd(NULL));
	ck_assert_uint_eq(fromauth_dmarc_rua_count(NULL), 0);
	ck_assert_ptr_null(fromauth_dmarc_rua(NULL, 0));
	ck_assert_ptr_null(fromauth_dmarc_tree_walk(NULL, 0));
	ck_assert_ptr_null(fromauth_dmarc_rfc7489_record(NULL));
	ck_assert_int_eq(fromauth_dmarc_rfc7489_policy(NULL), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_ptr_null(fromauth_dkim_name(NULL));
	ck_assert_ptr_null(fromauth_dkim_expected_target(NULL));
	ck_assert_int_eq(fromauth_dkim_target_reached(NULL), -1);
	ck_assert_int_eq(fromauth_dkim_target_key_equal(NULL), -1);
	ck_assert_int_eq(fromauth_dkim_key_short(NULL), 0);
	ck_assert_ptr_null(fromauth_result_from(NULL));
	ck_assert_ptr_null(fromauth_result_dmarc_result(NULL));
	ck_assert_int_eq(fromauth_result_dkim_aligned(NULL, 0), -1);
	ck_assert_uint_eq(fromauth_result_spf_lookups(NULL), 0);
	ck_assert_ptr_null(fromauth_result_fix_not_applied(NULL, 0));
	char fix[64];
	ck_assert_int_eq(fromauth_dmarc_unauthorized_fix(NULL, 0, fix, sizeof(fix)), FROMAUTH_E_INVAL);
}
END_TEST

/* The fix line of an unauthorized destination, its bounds and buffer. */
START_TEST(test_unauthorized_fix)
{
	struct fromauth_ctx *ctx;
	struct fromauth_profile *p;
	const struct case_ c = { "rua-foreign", "esp", "news@rua-foreign.example", NULL };
	struct fromauth_result *r = run_case(&c, &ctx, &p);
	const struct fromauth_dmarc *d = fromauth_result_dmarc(r);
	static const char want[] =
		"rua-foreign.example._report._dmarc.reports.thirdparty.example. 3600 IN TXT \"v=DMARC1\"";
	char fix[1024];
	ck_assert_uint_eq(fromauth_dmarc_unauthorized_count(d), 1);
	ck_assert_int_eq(fromauth_dmarc_unauthorized_fix(d, 0, fix, sizeof(fix)), 0);
	ck_assert_str_eq(fix, want);
	/* Exactly the line and its NUL fit; one byte less does not. */
	ck_assert_int_eq(fromauth_dmarc_unauthorized_fix(d, 0, fix, sizeof(want)), 0);
	ck_assert_int_eq(fromauth_dmarc_unauthorized_fix(d, 0, fix, sizeof(want) - 1),
			 FROMAUTH_E_RANGE);
	ck_assert_int_eq(fromauth_dmarc_unauthorized_fix(d, 1, fix, sizeof(fix)), FROMAUTH_E_RANGE);
	ck_assert_int_eq(fromauth_dmarc_unauthorized_fix(d, 0, NULL, sizeof(fix)), FROMAUTH_E_INVAL);
	fromauth_result_free(r);
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
}
END_TEST

START_TEST(test_domain_to_alabel)
{
	char buf[FROMAUTH_DOMAIN_SIZE], err[FROMAUTH_ERRBUF_SIZE];

	ck_assert_int_eq(fromauth_domain_to_alabel("B\xc3\xbc" "cher.Example.", buf, sizeof(buf),
						   err, sizeof(err)), 0);
	ck_assert_str_eq(buf, "xn--bcher-kva.example");
	ck_assert_int_eq(fromauth_domain_to_alabel("Members.EXAMPLE", buf, sizeof(buf), err,
						   sizeof(err)), 0);
	ck_assert_str_eq(buf, "members.example");
	/* Too small a buffer: an error, an empty buffer, the size needed. */
	char small[8];
	ck_assert_int_eq(fromauth_domain_to_alabel("members.example", small, sizeof(small), err,
						   sizeof(err)), FROMAUTH_E_RANGE);
	ck_assert_str_eq(small, "");
	ck_assert_ptr_nonnull(strstr(err, "16 bytes"));
	ck_assert_int_eq(fromauth_domain_to_alabel("bad..example", buf, sizeof(buf), err,
						   sizeof(err)), FROMAUTH_E_DOMAIN);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(fromauth_domain_to_alabel("192.0.2.1", buf, sizeof(buf), err,
						   sizeof(err)), FROMAUTH_E_DOMAIN);
	ck_assert_int_eq(fromauth_domain_to_alabel(NULL, buf, sizeof(buf), err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_domain_to_alabel("a.example", NULL, 0, NULL, 0),
			 FROMAUTH_E_INVAL);
}
END_TEST

/* fromauth_dmarc_check takes U-labels like every other check. */
START_TEST(test_dmarc_check_ulabel)
{
	struct fromauth_ctx *ctx = test_offline_ctx("check/esp.zone", NULL);
	char err[FROMAUTH_ERRBUF_SIZE] = "";
	ck_assert_int_eq(fromauth_ctx_add_zone_file(ctx, path_of("zones", "idn", "zone"), err,
						    sizeof(err)), 0);
	struct fromauth_dmarc *d = NULL;
	int rc = fromauth_dmarc_check(ctx, "B\xc3\xbc" "cher.example", &d, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(fromauth_dmarc_domain(d), "xn--bcher-kva.example");
	ck_assert_int_ne(fromauth_dmarc_policy(d), FROMAUTH_DMARC_POLICY_ABSENT);
	ck_assert_str_eq(fromauth_dmarc_tree_walk(d, 0), "_dmarc.xn--bcher-kva.example");
	fromauth_dmarc_free(d);
	ck_assert_int_eq(fromauth_dmarc_check(ctx, "b\xc3\xbc..example", &d, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(d);
	fromauth_ctx_free(ctx);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("getters");
	TCase *tc = tcase_create("getters_match_json");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_getters_match_json, 0, (int)NCASES);
	suite_add_tcase(s, tc);
	const struct test_case more[] = {
		{ "getters_values", test_getters_values },
		{ "getters_null", test_getters_null },
		{ "fromauth_dmarc_unauthorized_fix", test_unauthorized_fix },
		{ "fromauth_domain_to_alabel", test_domain_to_alabel },
		{ "fromauth_dmarc_check", test_dmarc_check_ulabel },
	};
	test_add_cases(s, more, sizeof(more) / sizeof(more[0]), NULL, NULL);
	return s;
}
