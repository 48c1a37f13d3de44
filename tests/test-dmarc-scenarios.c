/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mailauth's DMARC scenarios (tests/dmarc/mailauth-dmarc-scenarios.json,
 * MIT, see the .LICENSE beside it) run through our overlay.  Each call of
 * mailauth's verifyDmarc()/getDmarcRecord() is emulated with
 * fromauth_dmarc_check() and fa_dmarc_aligned(), the result shaped like
 * mailauth's, and the scenario's chai expectations evaluated on the
 * fields we model.  Expectations on fields we do not model (ARC comments,
 * undersized-signature bookkeeping, the resolver log, mailauth's parser
 * artefacts) are not applicable.  Where we deliberately differ, the
 * scenario is listed in `deviations` with the reason, and the test checks
 * that exactly those fail.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "test-common.h"

#include "ctx.h"
#include "dmarc.h"

static const struct {
	const char *name;
	const char *why;
} deviations[] = {
	{ "does not inherit the org policy when the author domain publishes multiple records",
	  "RFC 9989 section 4.10 step 2 discards the duplicates and the walk goes on, so "
	  "example.com's record applies; mailauth stops (as RFC 7489 did)" },
	{ "Should handle invalid pct value as 0",
	  "pct=invalid is a syntax error we report; we do not invent pct=0" },
	{ "does not expose a pct property on the result",
	  "we report pct (SPEC: pct is reported as a finding); it never affects the policy" },
};

/* ---- overlay from a scenario's zone ------------------------------------ */

static void add_rr(struct fromauth_ctx *ctx, const char *line)
{
	char err[256] = "";
	int rc = fromauth_ctx_add_record(ctx, line, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", line, err);
}

/* A TXT character-string in master-file quoting. */
static void quote_txt(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	out[o++] = '"';
	for (; *s && o + 6 < outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\%03u", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static struct fromauth_ctx *scenario_ctx(struct json_object *zone)
{
	struct fromauth_ctx *ctx = NULL;
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_set_offline(ctx, 1), 0);
	if (!zone || !json_object_is_type(zone, json_type_object))
		return ctx;
	json_object_object_foreach(zone, name, types) {
		int added = 0, exists = 0;
		char line[4096], q[1024];
		if (!json_object_is_type(types, json_type_object))
			continue;
		json_object_object_foreach(types, type, val) {
			if (json_object_is_type(val, json_type_object)) {
				struct json_object *e;
				if (json_object_object_get_ex(val, "error", &e)) {
					const char *code = json_object_get_string(e);
					if (!strcmp(code, "ETIMEOUT") || !strcmp(code, "ESERVFAIL"))
						ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, name), 0);
					else if (!strcmp(code, "ENODATA"))
						exists = 1;
				}
				continue;
			}
			if (!json_object_is_type(val, json_type_array))
				continue;       /* "undefined" */
			exists = 1;
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				struct json_object *rr = json_object_array_get_idx(val, i);
				if (!strcmp(type, "TXT")) {
					int n = snprintf(line, sizeof(line), "%s. 300 IN TXT", name);
					if (json_object_is_type(rr, json_type_array)) {
						for (size_t k = 0; k < json_object_array_length(rr); k++) {
							quote_txt(json_object_get_string(json_object_array_get_idx(rr, k)),
								  q, sizeof(q));
							n += snprintf(line + n, sizeof(line) - (size_t)n, " %s", q);
						}
					} else {
						quote_txt(json_object_get_string(rr), q, sizeof(q));
						n += snprintf(line + n, sizeof(line) - (size_t)n, " %s", q);
					}
					add_rr(ctx, line);
					added = 1;
				} else if (!strcmp(type, "A") || !strcmp(type, "AAAA")) {
					unsigned char buf[16];
					const char *ip = json_object_get_string(rr);
					if (!json_object_is_type(rr, json_type_string) ||
					    inet_pton(type[1] ? AF_INET6 : AF_INET, ip, buf) != 1)
						continue;
					snprintf(line, sizeof(line), "%s. 300 IN %s %s", name, type, ip);
					add_rr(ctx, line);
					added = 1;
				} else if (!strcmp(type, "MX") && json_object_is_type(rr, json_type_object)) {
					struct json_object *pr, *ex;
					if (!json_object_object_get_ex(rr, "priority", &pr) ||
					    !json_object_object_get_ex(rr, "exchange", &ex))
						continue;
					snprintf(line, sizeof(line), "%s. 300 IN MX %d %s.", name,
						 json_object_get_int(pr), json_object_get_string(ex));
					add_rr(ctx, line);
					added = 1;
				}
			}
		}
		/* A name that exists without the asked types: NODATA. */
		if (exists && !added) {
			snprintf(line, sizeof(line), "%s. 300 IN HINFO \"x\" \"x\"", name);
			add_rr(ctx, line);
		}
	}
	return ctx;
}

/* ---- emulated mailauth calls ------------------------------------------- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void copy_field(struct json_object *to, const char *to_key,
		       struct json_object *from, const char *from_key)
{
	struct json_object *v = jget(from, from_key);
	if (v && !json_object_is_type(v, json_type_null))
		json_object_object_add(to, to_key, json_object_get(v));
}

/* The first domain of @list (objects {domain} or strings) aligned with
 * the From domain, or NULL. */
static const char *first_aligned(struct fromauth_ctx *ctx, const struct fromauth_dmarc *d,
				 struct json_object *list, int strict)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *dom = json_object_is_type(e, json_type_string)
				  ? json_object_get_string(e) : jstr(e, "domain");
		if (!dom)
			continue;
		struct fa_dns_req req;
		fa_dns_req_init(&req, ctx->dns);
		int aligned = 0;
		if (fa_dmarc_aligned(&req, d, dom, strict, &aligned) == 0 && aligned == 1)
			return dom;
	}
	return NULL;
}

static struct json_object *emulate(struct json_object *call, struct json_object **walk)
{
	const char *fn = jstr(call, "fn");
	struct json_object *opts = jget(call, "options");
	struct fromauth_ctx *ctx = scenario_ctx(jget(call, "dns"));
	struct json_object *res = NULL;
	char domain[512] = "";

	if (!strcmp(fn, "getDmarcRecord")) {
		snprintf(domain, sizeof(domain), "%s", jstr(opts, "domain"));
	} else {
		struct json_object *hf = jget(opts, "headerFrom");
		const char *from = NULL;
		if (json_object_is_type(hf, json_type_array)) {
			if (json_object_array_length(hf) == 1)
				from = json_object_get_string(json_object_array_get_idx(hf, 0));
		} else {
			from = json_object_get_string(hf);
		}
		if (from) {
			const char *at = strrchr(from, '@');
			snprintf(domain, sizeof(domain), "%s", at ? at + 1 : from);
		}
	}
	struct fromauth_dmarc *d = NULL;
	if (!domain[0] || fromauth_dmarc_check(ctx, domain, &d, NULL, 0) != 0) {
		fromauth_ctx_free(ctx);
		return json_object_new_boolean(0);
	}
	struct json_object *j = json_tokener_parse(fromauth_dmarc_json(d));
	*walk = json_object_get(jget(j, "tree_walk"));
	const char *record_domain = fromauth_dmarc_record_domain(d);
	int has_record = record_domain[0] != '\0';

	if (!strcmp(fn, "getDmarcRecord")) {
		if (!has_record) {
			res = json_object_new_boolean(0);
		} else {
			res = json_object_new_object();
			json_object_object_add(res, "v", json_object_new_string("DMARC1"));
			json_object_object_add(res, "rr", json_object_new_string(fromauth_dmarc_record(d)));
			json_object_object_add(res, "isOrgRecord",
					       json_object_new_boolean(strcmp(record_domain, d ? jstr(j, "domain") : "") != 0));
			const char *keys[] = { "p", "sp", "pct", "adkim", "aspf", "fo", "ri" };
			for (size_t i = 0; i < FA_ARRAY_SIZE(keys); i++)
				copy_field(res, keys[i], j, keys[i]);
			const char *lists[] = { "rua", "ruf" };
			for (size_t l = 0; l < 2; l++) {
				struct json_object *a = jget(j, lists[l]);
				size_t n = a ? json_object_array_length(a) : 0;
				if (!n)
					continue;
				char joined[2048] = "";
				for (size_t i = 0; i < n; i++) {
					strncat(joined, i ? "," : "", sizeof(joined) - strlen(joined) - 1);
					strncat(joined, json_object_get_string(json_object_array_get_idx(a, i)),
						sizeof(joined) - strlen(joined) - 1);
				}
				json_object_object_add(res, lists[l], json_object_new_string(joined));
			}
		}
	} else {
		res = json_object_new_object();
		struct json_object *status = json_object_new_object();
		struct json_object *header = json_object_new_object();
		json_object_object_add(header, "from", json_object_new_string(jstr(j, "domain")));
		json_object_object_add(header, "d", json_object_new_string(
			has_record ? record_domain : jstr(j, "domain")));
		json_object_object_add(status, "header", header);
		json_object_object_add(res, "status", status);
		copy_field(res, "domain", j, "org_domain");
		const char *result;
		struct json_object *align = json_object_new_object();
		if (fa_dmarc_temperror(d)) {
			result = "temperror";
		} else if (fromauth_dmarc_policy(d) == FROMAUTH_DMARC_POLICY_ABSENT) {
			result = "none";
		} else {
			int sdkim = fa_dmarc_adkim(d) == 's', sspf = fa_dmarc_aspf(d) == 's';
			const char *dk = first_aligned(ctx, d, jget(opts, "dkimDomains"), sdkim);
			const char *sp = first_aligned(ctx, d, jget(opts, "spfDomains"), sspf);
			struct json_object *a = json_object_new_object();
			json_object_object_add(a, "strict", json_object_new_boolean(sdkim));
			/* mailauth names the organizational domain matched (the
			 * domain itself when strict) and leaves it out otherwise. */
			if (dk)
				json_object_object_add(a, "result", json_object_new_string(
					sdkim ? dk : fromauth_dmarc_org_domain(d)));
			json_object_object_add(align, "dkim", a);
			a = json_object_new_object();
			json_object_object_add(a, "strict", json_object_new_boolean(sspf));
			if (sp)
				json_object_object_add(a, "result", json_object_new_string(
					sspf ? sp : fromauth_dmarc_org_domain(d)));
			json_object_object_add(align, "spf", a);
			result = dk || sp ? "pass" : "fail";
			json_object_object_add(res, "policy", json_object_new_string(
				fromauth_dmarc_policy_name(fromauth_dmarc_effective_policy(d))));
			copy_field(res, "p", j, "p");
			copy_field(res, "sp", j, "sp");
			copy_field(res, "pct", j, "pct");
			json_object_object_add(res, "rr", json_object_new_string(fromauth_dmarc_record(d)));
		}
		json_object_object_add(res, "alignment", align);
		json_object_object_add(status, "result", json_object_new_string(result));
	}
	json_object_put(j);
	fromauth_dmarc_free(d);
	fromauth_ctx_free(ctx);
	return res;
}

/* ---- chai expectations ---------------------------------------------------- */

static const char *const verify_fields[] = {
	"", "status.result", "status.header.from", "status.header.d", "policy", "p",
	"sp", "pct", "domain", "rr", "alignment.dkim.strict", "alignment.dkim.result",
	"alignment.spf.strict", "alignment.spf.result",
};
static const char *const record_fields[] = {
	"", "v", "p", "sp", "pct", "adkim", "aspf", "fo", "rua", "ruf", "ri", "rr",
	"isOrgRecord",
};

static int modelled(const char *fn, const char *path)
{
	const char *const *f = strcmp(fn, "getDmarcRecord") ? verify_fields : record_fields;
	size_t n = strcmp(fn, "getDmarcRecord") ? FA_ARRAY_SIZE(verify_fields)
						: FA_ARRAY_SIZE(record_fields);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i], path))
			return 1;
	return 0;
}

/* Value at a dotted @path, NULL when undefined. */
static struct json_object *resolve(struct json_object *o, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok(buf, "."); tok && o; tok = strtok(NULL, "."))
		o = json_object_is_type(o, json_type_object) ? jget(o, tok) : NULL;
	return o;
}

static int truthy(struct json_object *v)
{
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string_len(v) > 0;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v) != 0;
	return 1;
}

static int json_equal(struct json_object *a, struct json_object *b)
{
	if (!a || !b)
		return a == b;
	int na = json_object_is_type(a, json_type_int) || json_object_is_type(a, json_type_double);
	int nb = json_object_is_type(b, json_type_int) || json_object_is_type(b, json_type_double);
	if (na || nb)
		return na && nb && json_object_get_double(a) == json_object_get_double(b);
	return json_object_equal(a, b);
}

/* 1 pass, 0 fail, -1 not applicable. */
static int expectation(struct json_object *e, struct json_object **results, size_t nresults,
		       const char **fns, struct json_object *walk)
{
	const char *subject = jstr(e, "subject");
	struct json_object *chain = jget(e, "chain");
	if (!subject || !chain)
		return -1;
	struct json_object *value = NULL, *arg = NULL;
	int negate = 0;
	const char *verb = NULL;
	for (size_t i = 0; i < json_object_array_length(chain); i++) {
		struct json_object *t = json_object_array_get_idx(chain, i);
		if (json_object_is_type(t, json_type_object)) {
			struct json_object *args = jget(t, "args");
			arg = args ? json_object_array_get_idx(args, 0) : NULL;
		} else if (!strcmp(json_object_get_string(t), "not")) {
			negate = 1;
		} else if (strcmp(json_object_get_string(t), "to") &&
			   strcmp(json_object_get_string(t), "be") &&
			   strcmp(json_object_get_string(t), "deep") &&
			   strcmp(json_object_get_string(t), "have")) {
			verb = json_object_get_string(t);
		}
	}
	if (!verb)
		return -1;

	if (!strcmp(subject, "resolver.calls.filter(fn).map(fn)")) {
		value = walk;
	} else if (subject[0] == '$') {
		char *end;
		unsigned long n = strtoul(subject + 1, &end, 10);
		if (n >= nresults)
			return -1;
		const char *path = *end == '.' ? end + 1 : "";
		if (!modelled(fns[n], path))
			return -1;
		if (!strcmp(verb, "property") && arg && !modelled(fns[n], json_object_get_string(arg)))
			return -1;
		value = *path ? resolve(results[n], path) : results[n];
	} else {
		return -1;
	}

	int ok;
	if (!strcmp(verb, "equal"))
		ok = json_equal(value, arg);
	else if (!strcmp(verb, "false"))
		ok = value && json_object_is_type(value, json_type_boolean) && !json_object_get_boolean(value);
	else if (!strcmp(verb, "true"))
		ok = value && json_object_is_type(value, json_type_boolean) && json_object_get_boolean(value);
	else if (!strcmp(verb, "undefined"))
		ok = value == NULL;
	else if (!strcmp(verb, "ok"))
		ok = truthy(value);
	else if (!strcmp(verb, "include") || !strcmp(verb, "contain"))
		ok = value && arg && json_object_is_type(value, json_type_string) &&
		     strstr(json_object_get_string(value), json_object_get_string(arg));
	else if (!strcmp(verb, "property"))
		ok = value && arg && jget(value, json_object_get_string(arg)) != NULL;
	else if (!strcmp(verb, "a") || !strcmp(verb, "an"))
		ok = value && arg && ((!strcmp(json_object_get_string(arg), "object") &&
				       json_object_is_type(value, json_type_object)) ||
				      (!strcmp(json_object_get_string(arg), "string") &&
				       json_object_is_type(value, json_type_string)));
	else
		return -1;
	return negate ? !ok : ok;
}

static int is_deviation(const char *name)
{
	for (size_t i = 0; i < FA_ARRAY_SIZE(deviations); i++)
		if (strstr(name, deviations[i].name))
			return 1;
	return 0;
}

START_TEST(mailauth_scenarios)
{
	struct json_object *all = json_object_from_file(test_data("dmarc/mailauth-dmarc-scenarios.json"));
	ck_assert_ptr_nonnull(all);
	struct json_object *scenarios = jget(all, "scenarios");
	ck_assert_ptr_nonnull(scenarios);
	int pass = 0, fail = 0, na = 0, unexpected = 0, dev_failed = 0;
	size_t total = json_object_array_length(scenarios);

	for (size_t s = 0; s < total; s++) {
		struct json_object *sc = json_object_array_get_idx(scenarios, s);
		const char *name = jstr(sc, "name");
		struct json_object *calls = jget(sc, "calls");
		struct json_object *results[8] = { 0 };
		const char *fns[8] = { 0 };
		struct json_object *walk = NULL;
		size_t ncalls = json_object_array_length(calls);
		if (ncalls > 8)
			ncalls = 8;
		for (size_t c = 0; c < ncalls; c++) {
			struct json_object *call = json_object_array_get_idx(calls, c);
			fns[c] = jstr(call, "fn");
			json_object_put(walk);
			walk = NULL;
			results[c] = emulate(call, &walk);
		}
		int applicable = 0, ok = 1;
		struct json_object *expect = jget(sc, "expect");
		for (size_t i = 0; i < json_object_array_length(expect); i++) {
			int r = expectation(json_object_array_get_idx(expect, i), results, ncalls, fns, walk);
			if (r < 0)
				continue;
			applicable = 1;
			if (!r) {
				ok = 0;
				fprintf(stderr, "  scenario %zu \"%s\": expectation %zu fails\n", s, name, i);
			}
		}
		for (size_t c = 0; c < ncalls; c++)
			json_object_put(results[c]);
		json_object_put(walk);
		if (!applicable) {
			na++;
		} else if (ok) {
			pass++;
		} else {
			fail++;
			if (is_deviation(name))
				dev_failed++;
			else
				unexpected++;
		}
		if (is_deviation(name) && (!applicable || ok)) {
			fprintf(stderr, "  scenario %zu \"%s\" is listed as a deviation but passes\n", s, name);
			unexpected++;
		}
	}
	fprintf(stderr, "mailauth DMARC scenarios: %zu, %d pass, %d fail (%d listed deviations), %d not applicable\n",
		total, pass, fail, dev_failed, na);
	json_object_put(all);
	ck_assert_msg(unexpected == 0, "%d scenarios fail that are not listed deviations", unexpected);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("dmarc-scenarios");
	TCase *tc = tcase_create("mailauth_scenarios");
	tcase_add_test(tc, mailauth_scenarios);
	suite_add_tcase(s, tc);
	return s;
}
