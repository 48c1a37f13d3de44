/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The JSON of SPEC sections 7 and 10, written from the facts that the
 * check and the adapters keep: the one file of the library that includes
 * json-c.  Each object's text is built on the first fromauth_*_json() call.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "dkim.h"
#include "dmarc.h"
#include "json.h"
#include "result.h"
#include "spf.h"
#include "verify-facts.h"

/* Adds member @key, a string literal the object does not have yet: json-c
 * then neither looks the key up nor copies it, which halves the cost of
 * building a check's JSON. */
#define FA_JSON_ADD(obj, key, val) \
	json_object_object_add_ex((obj), "" key "", (val), \
				  JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY)

/* A string member, or null. */
static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* The text of @obj in *@slot, built by @build on first use, so that a run
 * which never asks for JSON never pays for it.  Threads reading one object
 * race to build it; one string is published, the others are freed.
 * NULL only when an allocation failed. */
static const char *lazy_text(char *const *slot, json_object *(*build)(const void *obj),
			     const void *obj, int flags)
{
	char *s = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (s)
		return s;
	json_object *o = build(obj);
	if (!o)
		return NULL;
	const char *text = json_object_to_json_string_ext(o, flags);
	char *mine = text ? strdup(text) : NULL;
	json_object_put(o);
	if (!mine)
		return NULL;
	char *expected = NULL;
	if (__atomic_compare_exchange_n((char **)slot, &expected, mine, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	free(mine);
	return expected;
}

/* ---- SPF: one check_host() evaluation --------------------------------- */

static json_object *spf_obj(const void *p)
{
	const struct fromauth_spf *spf = p;
	if (!spf)
		return NULL;
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "ip", json_object_new_string(fromauth_spf_ip(spf)));
	json_object_object_add(o, "domain", json_object_new_string(fromauth_spf_domain(spf)));
	json_object_object_add(o, "result", json_object_new_string(
				       fromauth_spf_result_name(fromauth_spf_result(spf))));
	json_object_object_add(o, "reason", json_object_new_string(fromauth_spf_reason(spf)));
	json_object_object_add(o, "explanation",
			       json_object_new_string(fromauth_spf_explanation(spf)));
	json_object_object_add(o, "record", json_object_new_string(fromauth_spf_record(spf)));
	json_object_object_add(o, "lookups", json_object_new_int((int)fromauth_spf_lookups(spf)));
	json_object_object_add(o, "void_lookups",
			       json_object_new_int((int)fromauth_spf_void_lookups(spf)));
	return o;
}

FROMAUTH_EXPORT const char *fromauth_spf_json(const struct fromauth_spf *spf)
{
	return spf ? lazy_text(fa_spf_json_slot(spf), spf_obj, spf, JSON_C_TO_STRING_PLAIN) : NULL;
}

/* ---- DKIM: the key of one identity ----------------------------------- */

static json_object *dkim_obj(const void *p)
{
	const struct fromauth_dkim *dkim = p;
	if (!dkim)
		return NULL;
	struct json_object *o = json_object_new_object();
	struct json_object *cn = json_object_new_array();
	if (!o || !cn) {
		json_object_put(o);
		json_object_put(cn);
		return NULL;
	}
	const char *reason = fromauth_dkim_reason(dkim);
	FA_JSON_ADD(o, "selector", json_object_new_string(fromauth_dkim_selector(dkim)));
	FA_JSON_ADD(o, "domain", json_object_new_string(fromauth_dkim_domain(dkim)));
	FA_JSON_ADD(o, "name", json_object_new_string(fromauth_dkim_name(dkim)));
	FA_JSON_ADD(o, "status",
		    json_object_new_string(fromauth_dkim_status_name(fromauth_dkim_status(dkim))));
	FA_JSON_ADD(o, "reason", json_object_new_string(reason ? reason : ""));
	FA_JSON_ADD(o, "key_type", json_object_new_string(fromauth_dkim_key_type(dkim)));
	FA_JSON_ADD(o, "key_bits", json_object_new_int64(fromauth_dkim_key_bits(dkim)));
	FA_JSON_ADD(o, "key_short", json_object_new_boolean(fromauth_dkim_key_short(dkim)));
	FA_JSON_ADD(o, "testing", json_object_new_boolean(fromauth_dkim_testing(dkim)));
	FA_JSON_ADD(o, "record", json_object_new_string(fromauth_dkim_record(dkim)));
	for (size_t i = 0; i < fromauth_dkim_cname_count(dkim); i++)
		json_object_array_add(cn, json_object_new_string(fromauth_dkim_cname(dkim, i)));
	FA_JSON_ADD(o, "cnames", cn);
	const char *target = fromauth_dkim_expected_target(dkim);
	if (target) {
		FA_JSON_ADD(o, "expected_target", json_object_new_string(target));
		FA_JSON_ADD(o, "target_ok", json_object_new_boolean(fa_dkim_target_ok(dkim)));
		FA_JSON_ADD(o, "target_key_equal",
			    json_object_new_boolean(fa_dkim_target_key_equal(dkim)));
	} else {
		FA_JSON_ADD(o, "expected_target", NULL);
	}
	return o;
}

FROMAUTH_EXPORT const char *fromauth_dkim_json(const struct fromauth_dkim *dkim)
{
	return dkim ? lazy_text(fa_dkim_json_slot(dkim), dkim_obj, dkim, JSON_C_TO_STRING_PLAIN) : NULL;
}

/* ---- DMARC: the policy discovered for a domain ------------------------- */

/* The getters give "" for the record and its domain when none applies. */
static json_object *applied(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *policy_or_null(int policy)
{
	return policy ? json_object_new_string(fromauth_dmarc_policy_name(policy)) : NULL;
}

static json_object *dmarc_obj(const void *p)
{
	const struct fromauth_dmarc *d = p;
	if (!d)
		return NULL;
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	FA_JSON_ADD(o, "domain", jstr(fromauth_dmarc_domain(d)));
	FA_JSON_ADD(o, "record", applied(fromauth_dmarc_record(d)));
	FA_JSON_ADD(o, "record_domain", applied(fromauth_dmarc_record_domain(d)));
	FA_JSON_ADD(o, "records", json_object_new_int((int)fromauth_dmarc_record_count(d)));
	if (fromauth_dmarc_multiple_domain(d))
		FA_JSON_ADD(o, "multiple_at", jstr(fromauth_dmarc_multiple_domain(d)));
	FA_JSON_ADD(o, "org_domain", jstr(fromauth_dmarc_org_domain(d)));
	FA_JSON_ADD(o, "p", policy_or_null(fromauth_dmarc_p(d)));
	FA_JSON_ADD(o, "sp", policy_or_null(fromauth_dmarc_sp(d)));
	FA_JSON_ADD(o, "np", policy_or_null(fromauth_dmarc_np(d)));
	FA_JSON_ADD(o, "policy", jstr(fromauth_dmarc_policy_name(fromauth_dmarc_policy(d))));
	FA_JSON_ADD(o, "policy_tag", jstr(fromauth_dmarc_policy_tag(d)));
	FA_JSON_ADD(o, "applied_policy",
		    jstr(fromauth_dmarc_policy_name(fromauth_dmarc_effective_policy(d))));
	FA_JSON_ADD(o, "nonexistent", json_object_new_boolean(fromauth_dmarc_nonexistent(d)));
	FA_JSON_ADD(o, "testing", json_object_new_boolean(fromauth_dmarc_testing(d)));
	int pct = fromauth_dmarc_pct(d);
	FA_JSON_ADD(o, "pct", pct >= 0 ? json_object_new_int(pct) : NULL);
	/* the applied record's values, 'r' when none applies */
	char c[2] = { fa_dmarc_adkim(d), '\0' };
	FA_JSON_ADD(o, "adkim", json_object_new_string(c));
	c[0] = fa_dmarc_aspf(d);
	FA_JSON_ADD(o, "aspf", json_object_new_string(c));
	FA_JSON_ADD(o, "psd", jstr(fromauth_dmarc_psd(d)));
	FA_JSON_ADD(o, "fo", jstr(fromauth_dmarc_fo(d)));
	FA_JSON_ADD(o, "rf", jstr(fromauth_dmarc_rf(d)));
	long long ri = fromauth_dmarc_ri(d);
	FA_JSON_ADD(o, "ri", ri >= 0 ? json_object_new_int64(ri) : NULL);
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < fromauth_dmarc_rua_count(d); i++)
		json_object_array_add(a, json_object_new_string(fromauth_dmarc_rua(d, i)));
	FA_JSON_ADD(o, "rua", a);
	a = json_object_new_array();
	for (size_t i = 0; a && i < fromauth_dmarc_ruf_count(d); i++)
		json_object_array_add(a, json_object_new_string(fromauth_dmarc_ruf(d, i)));
	FA_JSON_ADD(o, "ruf", a);
	a = json_object_new_array();
	for (size_t i = 0; a && i < fromauth_dmarc_problem_count(d); i++)
		json_object_array_add(a, json_object_new_string(fromauth_dmarc_problem(d, i)));
	FA_JSON_ADD(o, "problems", a);
	a = json_object_new_array();
	for (size_t i = 0; a && i < fromauth_dmarc_unauthorized_count(d); i++) {
		struct json_object *u = json_object_new_object();
		FA_JSON_ADD(u, "uri", jstr(fromauth_dmarc_unauthorized(d, i)));
		FA_JSON_ADD(u, "host", jstr(fromauth_dmarc_unauthorized_host(d, i)));
		FA_JSON_ADD(u, "authorization_record", jstr(fromauth_dmarc_unauthorized_record(d, i)));
		json_object_array_add(a, u);
	}
	FA_JSON_ADD(o, "unauthorized", a);
	a = json_object_new_array();
	for (size_t i = 0; a && i < fromauth_dmarc_tree_walk_count(d); i++)
		json_object_array_add(a, json_object_new_string(fromauth_dmarc_tree_walk(d, i)));
	FA_JSON_ADD(o, "tree_walk", a);
	struct json_object *old = json_object_new_object();
	FA_JSON_ADD(old, "org_domain", jstr(fromauth_dmarc_rfc7489_org_domain(d)));
	FA_JSON_ADD(old, "record_domain", jstr(fromauth_dmarc_rfc7489_record_domain(d)));
	FA_JSON_ADD(old, "record", jstr(fromauth_dmarc_rfc7489_record(d)));
	FA_JSON_ADD(old, "policy",
		    jstr(fromauth_dmarc_policy_name(fromauth_dmarc_rfc7489_policy(d))));
	FA_JSON_ADD(old, "temperror", json_object_new_boolean(fromauth_dmarc_rfc7489_temperror(d)));
	FA_JSON_ADD(old, "psl", json_object_new_boolean(fa_dmarc_psl_used(d)));
	FA_JSON_ADD(o, "rfc7489", old);
	FA_JSON_ADD(o, "discovery_differs", jstr(fromauth_dmarc_discovery_differs(d)));
	FA_JSON_ADD(o, "temperror", json_object_new_boolean(fromauth_dmarc_temperror(d)));
	return o;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_json(const struct fromauth_dmarc *d)
{
	return d ? lazy_text(fa_dmarc_json_slot(d), dmarc_obj, d, JSON_C_TO_STRING_PLAIN) : NULL;
}

/* ---- the check's result (SPEC section 7) ------------------------------- */

/* The per-area objects of SPEC section 7, with the adapters' own JSON
 * merged in for the details. */
static json_object *spf_json(const struct fromauth_result *r)
{
	json_object *o = json_object_new_object();
	FA_JSON_ADD(o, "mail_from", jstr(r->mail_from));
	FA_JSON_ADD(o, "result", jstr(r->spf_summary));
	FA_JSON_ADD(o, "aligned", json_object_new_boolean(r->spf_aligned));
	FA_JSON_ADD(o, "outside_domain", json_object_new_boolean(r->mail_from_outside));
	const struct fa_spf_analysis *a = r->spf_analysis;
	FA_JSON_ADD(o, "record", jstr(a ? a->record : NULL));
	FA_JSON_ADD(o, "lookups", json_object_new_int(a ? (int)a->lookups : 0));
	FA_JSON_ADD(o, "void_lookups", json_object_new_int(a ? (int)a->void_lookups : 0));
	/* the walk stopped where a receiver stops: the counts are at least */
	FA_JSON_ADD(o, "lookups_cut", json_object_new_boolean(a && a->cut));
	/* what each term costs, when the record is over the limit */
	if (a && a->costs) {
		json_object *costs = json_object_new_array();
		for (size_t i = 0; i < a->cost_count; i++) {
			json_object *c = json_object_new_object();
			FA_JSON_ADD(c, "term", json_object_new_string(a->costs[i].term));
			FA_JSON_ADD(c, "lookups", json_object_new_int((int)a->costs[i].lookups));
			FA_JSON_ADD(c, "lookups_cut", json_object_new_boolean(a->costs[i].cut));
			json_object_array_add(costs, c);
		}
		FA_JSON_ADD(o, "term_lookups", costs);
	}
	json_object *ips = json_object_new_array();
	for (size_t i = 0; i < r->spf_count; i++)
		json_object_array_add(ips, spf_obj(r->spf[i]));
	FA_JSON_ADD(o, "ips", ips);
	return o;
}

static json_object *dkim_json(const struct fromauth_result *r)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < r->dkim_count; i++) {
		json_object *o = dkim_obj(r->dkim[i].key);
		FA_JSON_ADD(o, "aligned",
			    r->dkim[i].aligned < 0 ? NULL
			    : json_object_new_boolean(r->dkim[i].aligned));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The DMARC object, plus this check's outcome. */
static json_object *dmarc_json(const struct fromauth_result *r)
{
	if (!r->dmarc)
		return NULL;
	json_object *o = dmarc_obj(r->dmarc);
	FA_JSON_ADD(o, "result", json_object_new_string(fromauth_result_dmarc_result(r)));
	return o;
}

/* Receivers' rules, the FCrDNS of the sampled addresses, and the
 * blocklist lookups: members present only when the check asked. */
static void rules_json(json_object *o, const struct fromauth_result *r)
{
	if (r->rules_flags & FROMAUTH_CHECK_RULES_ALL) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < r->rule_count; i++) {
			const struct fa_rule *u = &r->rules[i];
			json_object *j = json_object_new_object();
			FA_JSON_ADD(j, "receiver", json_object_new_string(u->receiver));
			FA_JSON_ADD(j, "tier", json_object_new_string(u->tier));
			FA_JSON_ADD(j, "requirement", json_object_new_string(u->requirement));
			FA_JSON_ADD(j, "status",
				    json_object_new_string(fromauth_rule_status_name(u->status)));
			FA_JSON_ADD(j, "code", json_object_new_string(u->code));
			FA_JSON_ADD(j, "message", jstr(u->message));
			FA_JSON_ADD(j, "finding", jstr(u->finding));
			json_object_array_add(arr, j);
		}
		FA_JSON_ADD(o, "rules", arr);
		json_object *fc = json_object_new_array();
		for (size_t i = 0; i < r->fcrdns_count; i++) {
			json_object *j = json_object_new_object();
			FA_JSON_ADD(j, "ip", jstr(r->fcrdns[i].ip));
			FA_JSON_ADD(j, "ptr", jstr(r->fcrdns[i].ptr));
			FA_JSON_ADD(j, "status", json_object_new_string(
		     fromauth_rule_status_name(r->fcrdns[i].status)));
			FA_JSON_ADD(j, "detail", jstr(r->fcrdns[i].detail));
			json_object_array_add(fc, j);
		}
		FA_JSON_ADD(o, "fcrdns", fc);
	}
	if (r->rules_flags & FROMAUTH_CHECK_REPUTATION) {
		json_object *rep = json_object_new_object();
		json_object *zones = json_object_new_array();
		for (size_t i = 0; i < r->reputation_zone_count; i++) {
			json_object *j = json_object_new_object();
			FA_JSON_ADD(j, "zone", json_object_new_string(r->reputation_zones[i].zone));
			FA_JSON_ADD(j, "self_test",
				    json_object_new_string(r->reputation_zones[i].state));
			FA_JSON_ADD(j, "detail", jstr(r->reputation_zones[i].why));
			json_object_array_add(zones, j);
		}
		FA_JSON_ADD(rep, "zones", zones);
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < r->reputation_count; i++) {
			const struct fa_reputation *p = &r->reputation[i];
			json_object *j = json_object_new_object();
			FA_JSON_ADD(j, "zone", json_object_new_string(p->zone));
			FA_JSON_ADD(j, "target", jstr(p->target));
			FA_JSON_ADD(j, "what", json_object_new_string(p->what));
			FA_JSON_ADD(j, "status",
				    json_object_new_string(fromauth_reputation_status_name(p->status)));
			FA_JSON_ADD(j, "codes", jstr(p->codes));
			FA_JSON_ADD(j, "reason", jstr(p->reason));
			json_object_array_add(arr, j);
		}
		FA_JSON_ADD(rep, "lookups", arr);
		FA_JSON_ADD(o, "reputation", rep);
	}
}

static json_object *result_obj(const void *p)
{
	const struct fromauth_result *r = p;
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	FA_JSON_ADD(o, "from", jstr(r->from));
	FA_JSON_ADD(o, "domain", jstr(r->domain));
	FA_JSON_ADD(o, "org_domain", jstr(r->org_domain));
	FA_JSON_ADD(o, "service", jstr(r->service));
	FA_JSON_ADD(o, "verdict", jstr(fromauth_verdict_name(r->verdict)));
	FA_JSON_ADD(o, "spf", spf_json(r));
	FA_JSON_ADD(o, "dkim", dkim_json(r));
	FA_JSON_ADD(o, "dmarc", dmarc_json(r));

	json_object *fs = json_object_new_array();
	for (size_t i = 0; i < r->finding_count; i++) {
		const struct fa_finding *f = &r->findings[i];
		json_object *jf = json_object_new_object();
		FA_JSON_ADD(jf, "code", json_object_new_string(f->code));
		FA_JSON_ADD(jf, "severity",
			    json_object_new_string(fromauth_severity_name(f->severity)));
		FA_JSON_ADD(jf, "message", json_object_new_string(f->message));
		json_object *fix = json_object_new_array();
		for (size_t j = 0; j < f->fix_count; j++)
			json_object_array_add(fix, json_object_new_string(f->fix[j]));
		FA_JSON_ADD(jf, "fix", fix);
		if (f->fix_count)
			FA_JSON_ADD(jf, "fix_needs_input",
				    json_object_new_boolean(f->fix_needs_input));
		json_object *ops = json_object_new_array();
		for (size_t j = 0; j < f->op_count; j++) {
			const struct fa_fix_op *op = &f->ops[j];
			json_object *jo = json_object_new_object();
			FA_JSON_ADD(jo, "op",
				    json_object_new_string(fromauth_fix_op_name(op->op)));
			if (op->rr)
				FA_JSON_ADD(jo, "rr", json_object_new_string(op->rr));
			if (op->old)
				FA_JSON_ADD(jo, "old", json_object_new_string(op->old));
			if (op->text)
				FA_JSON_ADD(jo, "text", json_object_new_string(op->text));
			json_object_array_add(ops, jo);
		}
		FA_JSON_ADD(jf, "fixes", ops);
		json_object_array_add(fs, jf);
	}
	FA_JSON_ADD(o, "findings", fs);

	if (r->fixed_verdict >= 0) {
		FA_JSON_ADD(o, "fixed_verdict",
			    json_object_new_string(fromauth_verdict_name(r->fixed_verdict)));
		json_object *na = json_object_new_array();
		for (size_t i = 0; i < r->fixes_not_applied_count; i++)
			json_object_array_add(na, json_object_new_string(r->fixes_not_applied[i]));
		FA_JSON_ADD(o, "fixes_not_applied", na);
	}

	rules_json(o, r);

	json_object *stats = json_object_new_object();
	FA_JSON_ADD(stats, "dns_queries", json_object_new_int64(r->dns_queries));
	FA_JSON_ADD(stats, "cache_hits", json_object_new_int64(r->cache_hits));
	FA_JSON_ADD(stats, "elapsed_ms", json_object_new_int64(r->elapsed_ms));
	FA_JSON_ADD(o, "stats", stats);
	return o;
}

FROMAUTH_EXPORT const char *fromauth_result_json(const struct fromauth_result *r)
{
	return r ? lazy_text(&r->json, result_obj, r,
			     JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
}

/* ---- a message's verification (SPEC section 10) ------------------------ */

/* { "authserv_id", "version", "results": [ { "method", "result", "reason",
 * "comment", "properties": { "header.d": ... } } ] } */
static struct json_object *authres_obj(const struct fa_authres *ar)
{
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	if (!o || !list) {
		json_object_put(o);
		json_object_put(list);
		return NULL;
	}
	json_object_object_add(o, "authserv_id", jstr(ar->authserv_id));
	json_object_object_add(o, "version", jstr(ar->version));
	for (size_t i = 0; i < ar->result_count; i++) {
		const struct fa_authres_result *r = &ar->results[i];
		struct json_object *e = json_object_new_object();
		struct json_object *props = json_object_new_object();
		if (!e || !props) {
			json_object_put(e);
			json_object_put(props);
			json_object_put(o);
			json_object_put(list);
			return NULL;
		}
		json_object_object_add(e, "method", jstr(r->method));
		json_object_object_add(e, "result", jstr(r->result));
		json_object_object_add(e, "reason", jstr(r->reason));
		json_object_object_add(e, "comment", jstr(r->comment));
		for (size_t j = 0; j < r->prop_count; j++) {
			size_t kl = strlen(r->props[j].ptype) + strlen(r->props[j].property) + 2;
			char *k = malloc(kl);
			if (!k)
				continue;
			snprintf(k, kl, "%s.%s", r->props[j].ptype, r->props[j].property);
			json_object_object_add(props, k, json_object_new_string(r->props[j].value));
			free(k);
		}
		json_object_object_add(e, "properties", props);
		json_object_array_add(list, e);
	}
	json_object_object_add(o, "results", list);
	return o;
}

static struct json_object *jaligned(int aligned)
{
	return aligned < 0 ? NULL : json_object_new_boolean(aligned);
}

char *fa_json_verify(const struct fromauth_verify *v)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "from", jstr(v->from));
	json_object_object_add(o, "domain", jstr(v->domain));

	struct json_object *c = json_object_new_object();
	json_object_object_add(c, "ip", jstr(v->ip));
	json_object_object_add(c, "ip_source", jstr(v->ip_source));
	json_object_object_add(c, "helo", jstr(v->helo));
	json_object_object_add(c, "helo_source", jstr(v->helo_source));
	json_object_object_add(c, "mail_from", jstr(v->mail_from));
	json_object_object_add(c, "mail_from_source", jstr(v->mail_from_source));
	json_object_object_add(o, "connection", c);

	struct json_object *spf = json_object_new_object();
	json_object_object_add(spf, "result", jstr(v->spf_result));
	json_object_object_add(spf, "domain", jstr(v->spf_domain));
	json_object_object_add(spf, "aligned", v->spf ? jaligned(v->spf_aligned) : NULL);
	json_object_object_add(spf, "evaluation", v->spf ? spf_obj(v->spf) : NULL);
	json_object_object_add(o, "spf", spf);

	struct json_object *dk = json_object_new_array();
	for (size_t i = 0; i < v->sig_count; i++) {
		const struct fa_dkim_sig *s = &v->sigs[i];
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "d", jstr(s->d));
		json_object_object_add(e, "s", jstr(s->s));
		json_object_object_add(e, "i", jstr(s->i));
		json_object_object_add(e, "algorithm", jstr(s->algorithm));
		json_object_object_add(e, "result", jstr(s->result));
		json_object_object_add(e, "code", jstr(s->code));
		json_object_object_add(e, "reason", jstr(s->reason));
		json_object_object_add(e, "key_type", jstr(s->key_type));
		json_object_object_add(e, "key_bits", json_object_new_int64(s->key_bits));
		json_object_object_add(e, "testing", json_object_new_boolean(s->testing));
		json_object_object_add(e, "body_length",
				       s->length >= 0 ? json_object_new_int64(s->length) : NULL);
		json_object_object_add(e, "expires",
				       s->expires >= 0 ? json_object_new_int64(s->expires) : NULL);
		json_object_object_add(e, "aligned", jaligned(v->sig_aligned[i]));
		json_object_array_add(dk, e);
	}
	json_object_object_add(o, "dkim", dk);

	const struct fromauth_dmarc *d = v->dmarc;
	struct json_object *dm = json_object_new_object();
	json_object_object_add(dm, "result", jstr(v->dmarc_result));
	json_object_object_add(dm, "record_domain", jstr(fromauth_dmarc_record_domain(d)));
	json_object_object_add(dm, "record", jstr(fromauth_dmarc_record(d)));
	json_object_object_add(dm, "org_domain", jstr(fromauth_dmarc_org_domain(d)));
	json_object_object_add(dm, "policy",
			       jstr(fromauth_dmarc_policy_name(fromauth_dmarc_policy(d))));
	json_object_object_add(dm, "applied_policy",
			       jstr(fromauth_dmarc_policy_name(fromauth_dmarc_effective_policy(d))));
	char a[2] = { fa_dmarc_adkim(d), 0 }, s[2] = { fa_dmarc_aspf(d), 0 };
	json_object_object_add(dm, "adkim", jstr(a));
	json_object_object_add(dm, "aspf", jstr(s));
	json_object_object_add(o, "dmarc", dm);

	json_object_object_add(o, "authentication_results", jstr(v->authres));
	if (v->fixed_dmarc_result)
		json_object_object_add(o, "fixed_dmarc_result", jstr(v->fixed_dmarc_result));

	struct json_object *rec = json_object_new_array();
	for (size_t k = 0; k < v->received_count; k++) {
		const struct received_ar *ra = &v->received[k];
		struct json_object *e = ra->parsed ? authres_obj(&ra->ar)
						   : json_object_new_object();
		if (!e)
			continue;
		if (!ra->parsed)
			json_object_object_add(e, "error", jstr(ra->error));
		json_object_object_add(e, "value", jstr(ra->raw));
		json_object_object_add(e, "compared", json_object_new_boolean(ra->compared));
		json_object_array_add(rec, e);
	}
	json_object_object_add(o, "received", rec);

	struct json_object *fs = json_object_new_array();
	const struct fromauth_result *r = v->findings;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		struct json_object *e = json_object_new_object();
		struct json_object *fix = json_object_new_array();
		json_object_object_add(e, "code", jstr(fromauth_result_finding_code(r, i)));
		json_object_object_add(e, "severity",
				       jstr(fromauth_severity_name(fromauth_result_finding_severity(r, i))));
		json_object_object_add(e, "message", jstr(fromauth_result_finding_message(r, i)));
		for (size_t j = 0; j < fromauth_result_finding_fix_count(r, i); j++)
			json_object_array_add(fix, jstr(fromauth_result_finding_fix(r, i, j)));
		json_object_object_add(e, "fix", fix);
		json_object_array_add(fs, e);
	}
	json_object_object_add(o, "findings", fs);

	char *text = fa_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}
