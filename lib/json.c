/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The JSON of SPEC sections 7 and 10, written from the facts that the
 * check and the adapters keep.  Each object's text is built on the first
 * fromauth_*_json() call.  Written directly (lib/json-write.c), not as a
 * json-c tree: json-c has no streaming writer, and building, printing and
 * freeing its tree cost a quarter of a check.  The text is byte for byte
 * json-c's (JSON_C_TO_STRING_PLAIN, plus NOSLASHESCAPE for the check).
 */
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "dkim.h"
#include "dmarc.h"
#include "json-write.h"
#include "json.h"
#include "result.h"
#include "spf.h"
#include "verify-facts.h"

/* Room to start with: about what each text needs, so that it grows once at
 * most (a check's text is 2 to 12 KiB). */
enum { HINT_SMALL = 512, HINT_CHECK = 8192 };

/* The text of @obj in *@slot, written by @build on first use, so that a run
 * which never asks for JSON never pays for it.  Threads reading one object
 * race to build it; one string is published, the others are freed.
 * NULL only when an allocation failed. */
static const char *lazy_text(char *const *slot, void (*build)(struct fa_jw *, const void *),
			     const void *obj, int escape_slash, size_t hint)
{
	char *s = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (s)
		return s;
	struct fa_jw w;
	fa_jw_init(&w, hint, escape_slash);
	build(&w, obj);
	char *mine = fa_jw_finish(&w);
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

static void spf_obj(struct fa_jw *w, const void *p)
{
	const struct fromauth_spf *spf = p;
	if (!spf) {
		fa_jw_null(w);
		return;
	}
	fa_jw_obj(w);
	fa_jw_kstr(w, "ip", fromauth_spf_ip(spf));
	fa_jw_kstr(w, "domain", fromauth_spf_domain(spf));
	fa_jw_kstr(w, "result", fromauth_spf_result_name(fromauth_spf_result(spf)));
	fa_jw_kstr(w, "reason", fromauth_spf_reason(spf));
	fa_jw_kstr(w, "explanation", fromauth_spf_explanation(spf));
	fa_jw_kstr(w, "record", fromauth_spf_record(spf));
	fa_jw_kint(w, "lookups", (int)fromauth_spf_lookups(spf));
	fa_jw_kint(w, "void_lookups", (int)fromauth_spf_void_lookups(spf));
	fa_jw_obj_end(w);
}

FROMAUTH_EXPORT const char *fromauth_spf_json(const struct fromauth_spf *spf)
{
	return spf ? lazy_text(fa_spf_json_slot(spf), spf_obj, spf, 1, HINT_SMALL) : NULL;
}

/* ---- DKIM: the key of one identity ----------------------------------- */

/* The members, so that the check can add its own before the brace. */
static void dkim_members(struct fa_jw *w, const struct fromauth_dkim *dkim)
{
	const char *reason = fromauth_dkim_reason(dkim);
	fa_jw_kstr(w, "selector", fromauth_dkim_selector(dkim));
	fa_jw_kstr(w, "domain", fromauth_dkim_domain(dkim));
	fa_jw_kstr(w, "name", fromauth_dkim_name(dkim));
	fa_jw_kstr(w, "status", fromauth_dkim_status_name(fromauth_dkim_status(dkim)));
	fa_jw_kstr(w, "reason", reason ? reason : "");
	fa_jw_kstr(w, "key_type", fromauth_dkim_key_type(dkim));
	fa_jw_kint(w, "key_bits", fromauth_dkim_key_bits(dkim));
	fa_jw_kbool(w, "key_short", fromauth_dkim_key_short(dkim));
	fa_jw_kbool(w, "testing", fromauth_dkim_testing(dkim));
	fa_jw_kstr(w, "record", fromauth_dkim_record(dkim));
	FA_JW_KEY(w, "cnames");
	fa_jw_arr(w);
	for (size_t i = 0; i < fromauth_dkim_cname_count(dkim); i++)
		fa_jw_str(w, fromauth_dkim_cname(dkim, i));
	fa_jw_arr_end(w);
	const char *target = fromauth_dkim_expected_target(dkim);
	fa_jw_kstr(w, "expected_target", target);
	if (target) {
		fa_jw_kbool(w, "target_ok", fa_dkim_target_ok(dkim));
		fa_jw_kbool(w, "target_key_equal", fa_dkim_target_key_equal(dkim));
	}
}

static void dkim_obj(struct fa_jw *w, const void *p)
{
	fa_jw_obj(w);
	dkim_members(w, p);
	fa_jw_obj_end(w);
}

FROMAUTH_EXPORT const char *fromauth_dkim_json(const struct fromauth_dkim *dkim)
{
	return dkim ? lazy_text(fa_dkim_json_slot(dkim), dkim_obj, dkim, 1, HINT_SMALL) : NULL;
}

/* ---- DMARC: the policy discovered for a domain ------------------------- */

/* The getters give "" for the record and its domain when none applies. */
static const char *applied(const char *s)
{
	return s && *s ? s : NULL;
}

static const char *policy_or_null(int policy)
{
	return policy ? fromauth_dmarc_policy_name(policy) : NULL;
}

static void str_array(struct fa_jw *w, const struct fromauth_dmarc *d,
		      size_t (*count)(const struct fromauth_dmarc *),
		      const char *(*item)(const struct fromauth_dmarc *, size_t))
{
	fa_jw_arr(w);
	for (size_t i = 0; i < count(d); i++)
		fa_jw_str(w, item(d, i));
	fa_jw_arr_end(w);
}

static void dmarc_members(struct fa_jw *w, const struct fromauth_dmarc *d)
{
	fa_jw_kstr(w, "domain", fromauth_dmarc_domain(d));
	fa_jw_kstr(w, "record", applied(fromauth_dmarc_record(d)));
	fa_jw_kstr(w, "record_domain", applied(fromauth_dmarc_record_domain(d)));
	fa_jw_kint(w, "records", (int)fromauth_dmarc_record_count(d));
	if (fromauth_dmarc_multiple_domain(d))
		fa_jw_kstr(w, "multiple_at", fromauth_dmarc_multiple_domain(d));
	fa_jw_kstr(w, "org_domain", fromauth_dmarc_org_domain(d));
	fa_jw_kstr(w, "p", policy_or_null(fromauth_dmarc_p(d)));
	fa_jw_kstr(w, "sp", policy_or_null(fromauth_dmarc_sp(d)));
	fa_jw_kstr(w, "np", policy_or_null(fromauth_dmarc_np(d)));
	fa_jw_kstr(w, "policy", fromauth_dmarc_policy_name(fromauth_dmarc_policy(d)));
	fa_jw_kstr(w, "policy_tag", fromauth_dmarc_policy_tag(d));
	fa_jw_kstr(w, "applied_policy",
		   fromauth_dmarc_policy_name(fromauth_dmarc_effective_policy(d)));
	fa_jw_kbool(w, "nonexistent", fromauth_dmarc_nonexistent(d));
	fa_jw_kbool(w, "testing", fromauth_dmarc_testing(d));
	int pct = fromauth_dmarc_pct(d);
	if (pct >= 0)
		fa_jw_kint(w, "pct", pct);
	else
		fa_jw_knull(w, "pct");
	/* the applied record's values, 'r' when none applies */
	char c[2] = { fa_dmarc_adkim(d), '\0' };
	fa_jw_kstr(w, "adkim", c);
	c[0] = fa_dmarc_aspf(d);
	fa_jw_kstr(w, "aspf", c);
	fa_jw_kstr(w, "psd", fromauth_dmarc_psd(d));
	fa_jw_kstr(w, "fo", fromauth_dmarc_fo(d));
	fa_jw_kstr(w, "rf", fromauth_dmarc_rf(d));
	long long ri = fromauth_dmarc_ri(d);
	if (ri >= 0)
		fa_jw_kint(w, "ri", ri);
	else
		fa_jw_knull(w, "ri");
	FA_JW_KEY(w, "rua");
	str_array(w, d, fromauth_dmarc_rua_count, fromauth_dmarc_rua);
	FA_JW_KEY(w, "ruf");
	str_array(w, d, fromauth_dmarc_ruf_count, fromauth_dmarc_ruf);
	FA_JW_KEY(w, "problems");
	str_array(w, d, fromauth_dmarc_problem_count, fromauth_dmarc_problem);
	FA_JW_KEY(w, "unauthorized");
	fa_jw_arr(w);
	for (size_t i = 0; i < fromauth_dmarc_unauthorized_count(d); i++) {
		fa_jw_obj(w);
		fa_jw_kstr(w, "uri", fromauth_dmarc_unauthorized(d, i));
		fa_jw_kstr(w, "host", fromauth_dmarc_unauthorized_host(d, i));
		fa_jw_kstr(w, "authorization_record", fromauth_dmarc_unauthorized_record(d, i));
		fa_jw_obj_end(w);
	}
	fa_jw_arr_end(w);
	FA_JW_KEY(w, "tree_walk");
	str_array(w, d, fromauth_dmarc_tree_walk_count, fromauth_dmarc_tree_walk);
	FA_JW_KEY(w, "rfc7489");
	fa_jw_obj(w);
	fa_jw_kstr(w, "org_domain", fromauth_dmarc_rfc7489_org_domain(d));
	fa_jw_kstr(w, "record_domain", fromauth_dmarc_rfc7489_record_domain(d));
	fa_jw_kstr(w, "record", fromauth_dmarc_rfc7489_record(d));
	fa_jw_kstr(w, "policy", fromauth_dmarc_policy_name(fromauth_dmarc_rfc7489_policy(d)));
	fa_jw_kbool(w, "temperror", fromauth_dmarc_rfc7489_temperror(d));
	fa_jw_kbool(w, "psl", fa_dmarc_psl_used(d));
	fa_jw_obj_end(w);
	fa_jw_kstr(w, "discovery_differs", fromauth_dmarc_discovery_differs(d));
	fa_jw_kbool(w, "temperror", fromauth_dmarc_temperror(d));
}

static void dmarc_obj(struct fa_jw *w, const void *p)
{
	fa_jw_obj(w);
	dmarc_members(w, p);
	fa_jw_obj_end(w);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_json(const struct fromauth_dmarc *d)
{
	return d ? lazy_text(fa_dmarc_json_slot(d), dmarc_obj, d, 1, HINT_SMALL) : NULL;
}

/* ---- the check's result (SPEC section 7) ------------------------------- */

/* The per-area objects of SPEC section 7, with the adapters' own JSON
 * merged in for the details. */
static void spf_json(struct fa_jw *w, const struct fromauth_result *r)
{
	fa_jw_obj(w);
	fa_jw_kstr(w, "mail_from", r->mail_from);
	fa_jw_kstr(w, "result", r->spf_summary);
	fa_jw_kbool(w, "aligned", r->spf_aligned);
	fa_jw_kbool(w, "outside_domain", r->mail_from_outside);
	const struct fa_spf_analysis *a = r->spf_analysis;
	fa_jw_kstr(w, "record", a ? a->record : NULL);
	fa_jw_kint(w, "lookups", a ? (int)a->lookups : 0);
	fa_jw_kint(w, "void_lookups", a ? (int)a->void_lookups : 0);
	/* the walk stopped where a receiver stops: the counts are at least */
	fa_jw_kbool(w, "lookups_cut", a && a->cut);
	/* what each term costs, when the record is over the limit */
	if (a && a->costs) {
		FA_JW_KEY(w, "term_lookups");
		fa_jw_arr(w);
		for (size_t i = 0; i < a->cost_count; i++) {
			fa_jw_obj(w);
			fa_jw_kstr(w, "term", a->costs[i].term);
			fa_jw_kint(w, "lookups", (int)a->costs[i].lookups);
			fa_jw_kbool(w, "lookups_cut", a->costs[i].cut);
			fa_jw_obj_end(w);
		}
		fa_jw_arr_end(w);
	}
	FA_JW_KEY(w, "ips");
	fa_jw_arr(w);
	for (size_t i = 0; i < r->spf_count; i++)
		spf_obj(w, r->spf[i]);
	fa_jw_arr_end(w);
	fa_jw_obj_end(w);
}

static void dkim_json(struct fa_jw *w, const struct fromauth_result *r)
{
	fa_jw_arr(w);
	for (size_t i = 0; i < r->dkim_count; i++) {
		if (!r->dkim[i].key) {
			fa_jw_null(w);
			continue;
		}
		fa_jw_obj(w);
		dkim_members(w, r->dkim[i].key);
		if (r->dkim[i].aligned < 0)
			fa_jw_knull(w, "aligned");
		else
			fa_jw_kbool(w, "aligned", r->dkim[i].aligned);
		fa_jw_obj_end(w);
	}
	fa_jw_arr_end(w);
}

/* The DMARC object, plus this check's outcome. */
static void dmarc_json(struct fa_jw *w, const struct fromauth_result *r)
{
	if (!r->dmarc) {
		fa_jw_null(w);
		return;
	}
	fa_jw_obj(w);
	dmarc_members(w, r->dmarc);
	fa_jw_kstr(w, "result", fromauth_result_dmarc_result(r));
	fa_jw_obj_end(w);
}

/* Receivers' rules, the FCrDNS of the sampled addresses, and the
 * blocklist lookups: members present only when the check asked. */
static void rules_json(struct fa_jw *w, const struct fromauth_result *r)
{
	if (r->rules_flags & FROMAUTH_CHECK_RULES_ALL) {
		FA_JW_KEY(w, "rules");
		fa_jw_arr(w);
		for (size_t i = 0; i < r->rule_count; i++) {
			const struct fa_rule *u = &r->rules[i];
			fa_jw_obj(w);
			fa_jw_kstr(w, "receiver", u->receiver);
			fa_jw_kstr(w, "tier", u->tier);
			fa_jw_kstr(w, "requirement", u->requirement);
			fa_jw_kstr(w, "status", fromauth_rule_status_name(u->status));
			fa_jw_kstr(w, "code", u->code);
			fa_jw_kstr(w, "message", u->message);
			fa_jw_kstr(w, "finding", u->finding);
			fa_jw_obj_end(w);
		}
		fa_jw_arr_end(w);
		FA_JW_KEY(w, "fcrdns");
		fa_jw_arr(w);
		for (size_t i = 0; i < r->fcrdns_count; i++) {
			fa_jw_obj(w);
			fa_jw_kstr(w, "ip", r->fcrdns[i].ip);
			fa_jw_kstr(w, "ptr", r->fcrdns[i].ptr);
			fa_jw_kstr(w, "status", fromauth_rule_status_name(r->fcrdns[i].status));
			fa_jw_kstr(w, "detail", r->fcrdns[i].detail);
			fa_jw_obj_end(w);
		}
		fa_jw_arr_end(w);
	}
	if (r->rules_flags & FROMAUTH_CHECK_REPUTATION) {
		FA_JW_KEY(w, "reputation");
		fa_jw_obj(w);
		FA_JW_KEY(w, "zones");
		fa_jw_arr(w);
		for (size_t i = 0; i < r->reputation_zone_count; i++) {
			fa_jw_obj(w);
			fa_jw_kstr(w, "zone", r->reputation_zones[i].zone);
			fa_jw_kstr(w, "self_test", r->reputation_zones[i].state);
			fa_jw_kstr(w, "detail", r->reputation_zones[i].why);
			fa_jw_obj_end(w);
		}
		fa_jw_arr_end(w);
		FA_JW_KEY(w, "lookups");
		fa_jw_arr(w);
		for (size_t i = 0; i < r->reputation_count; i++) {
			const struct fa_reputation *p = &r->reputation[i];
			fa_jw_obj(w);
			fa_jw_kstr(w, "zone", p->zone);
			fa_jw_kstr(w, "target", p->target);
			fa_jw_kstr(w, "what", p->what);
			fa_jw_kstr(w, "status", fromauth_reputation_status_name(p->status));
			fa_jw_kstr(w, "codes", p->codes);
			fa_jw_kstr(w, "reason", p->reason);
			fa_jw_obj_end(w);
		}
		fa_jw_arr_end(w);
		fa_jw_obj_end(w);
	}
}

static void result_obj(struct fa_jw *w, const void *p)
{
	const struct fromauth_result *r = p;
	fa_jw_obj(w);
	fa_jw_kstr(w, "from", r->from);
	fa_jw_kstr(w, "domain", r->domain);
	fa_jw_kstr(w, "org_domain", r->org_domain);
	fa_jw_kstr(w, "service", r->service);
	fa_jw_kstr(w, "verdict", fromauth_verdict_name(r->verdict));
	FA_JW_KEY(w, "spf");
	spf_json(w, r);
	FA_JW_KEY(w, "dkim");
	dkim_json(w, r);
	FA_JW_KEY(w, "dmarc");
	dmarc_json(w, r);

	FA_JW_KEY(w, "findings");
	fa_jw_arr(w);
	for (size_t i = 0; i < r->finding_count; i++) {
		const struct fa_finding *f = &r->findings[i];
		fa_jw_obj(w);
		fa_jw_kstr(w, "code", f->code);
		fa_jw_kstr(w, "severity", fromauth_severity_name(f->severity));
		fa_jw_kstr(w, "message", f->message);
		FA_JW_KEY(w, "fix");
		fa_jw_arr(w);
		for (size_t j = 0; j < f->fix_count; j++)
			fa_jw_str(w, f->fix[j]);
		fa_jw_arr_end(w);
		if (f->fix_count)
			fa_jw_kbool(w, "fix_needs_input", f->fix_needs_input);
		FA_JW_KEY(w, "fixes");
		fa_jw_arr(w);
		for (size_t j = 0; j < f->op_count; j++) {
			const struct fa_fix_op *op = &f->ops[j];
			fa_jw_obj(w);
			fa_jw_kstr(w, "op", fromauth_fix_op_name(op->op));
			if (op->rr)
				fa_jw_kstr(w, "rr", op->rr);
			if (op->old)
				fa_jw_kstr(w, "old", op->old);
			if (op->text)
				fa_jw_kstr(w, "text", op->text);
			fa_jw_obj_end(w);
		}
		fa_jw_arr_end(w);
		fa_jw_obj_end(w);
	}
	fa_jw_arr_end(w);

	if (r->fixed_verdict >= 0) {
		fa_jw_kstr(w, "fixed_verdict", fromauth_verdict_name(r->fixed_verdict));
		FA_JW_KEY(w, "fixes_not_applied");
		fa_jw_arr(w);
		for (size_t i = 0; i < r->fixes_not_applied_count; i++)
			fa_jw_str(w, r->fixes_not_applied[i]);
		fa_jw_arr_end(w);
	}

	rules_json(w, r);

	FA_JW_KEY(w, "stats");
	fa_jw_obj(w);
	fa_jw_kint(w, "dns_queries", r->dns_queries);
	fa_jw_kint(w, "cache_hits", r->cache_hits);
	fa_jw_kint(w, "elapsed_ms", r->elapsed_ms);
	fa_jw_obj_end(w);
	fa_jw_obj_end(w);
}

FROMAUTH_EXPORT const char *fromauth_result_json(const struct fromauth_result *r)
{
	return r ? lazy_text(&r->json, result_obj, r, 0, HINT_CHECK) : NULL;
}

/* ---- a message's verification (SPEC section 10) ------------------------ */

/* Does property @j of @r have the name ("ptype.property") of property @k?
 * Compared joined, as json-c compares the member names. */
static int prop_same_name(const struct fa_authres_result *r, size_t j, size_t k)
{
	const char *a[3] = { r->props[j].ptype, ".", r->props[j].property };
	const char *b[3] = { r->props[k].ptype, ".", r->props[k].property };
	size_t ia = 0, ib = 0;
	const char *pa = a[0], *pb = b[0];
	for (;;) {
		while (!*pa && ia < 2)
			pa = a[++ia];
		while (!*pb && ib < 2)
			pb = b[++ib];
		if (*pa != *pb)
			return 0;
		if (!*pa)
			return 1;
		pa++;
		pb++;
	}
}

/* { "authserv_id", "version", "results": [ { "method", "result", "reason",
 * "comment", "properties": { "header.d": ... } } ] } members */
static void authres_members(struct fa_jw *w, const struct fa_authres *ar)
{
	fa_jw_kstr(w, "authserv_id", ar->authserv_id);
	fa_jw_kstr(w, "version", ar->version);
	FA_JW_KEY(w, "results");
	fa_jw_arr(w);
	for (size_t i = 0; i < ar->result_count; i++) {
		const struct fa_authres_result *r = &ar->results[i];
		fa_jw_obj(w);
		fa_jw_kstr(w, "method", r->method);
		fa_jw_kstr(w, "result", r->result);
		fa_jw_kstr(w, "reason", r->reason);
		fa_jw_kstr(w, "comment", r->comment);
		FA_JW_KEY(w, "properties");
		fa_jw_obj(w);
		/* a name given twice keeps its first place and its last value,
		 * as a json-c object does */
		for (size_t j = 0; j < r->prop_count; j++) {
			size_t seen = 0, last = j;
			for (size_t k = 0; k < j && !seen; k++)
				seen = prop_same_name(r, j, k);
			if (seen)
				continue;
			for (size_t k = j + 1; k < r->prop_count; k++)
				if (prop_same_name(r, j, k))
					last = k;
			fa_jw_key3(w, r->props[j].ptype, ".", r->props[j].property);
			fa_jw_str(w, r->props[last].value);
		}
		fa_jw_obj_end(w);
		fa_jw_obj_end(w);
	}
	fa_jw_arr_end(w);
}

static void jaligned(struct fa_jw *w, int aligned)
{
	if (aligned < 0)
		fa_jw_null(w);
	else
		fa_jw_bool(w, aligned);
}

static void verify_obj(struct fa_jw *w, const void *p)
{
	const struct fromauth_verify *v = p;
	fa_jw_obj(w);
	fa_jw_kstr(w, "from", v->from);
	fa_jw_kstr(w, "domain", v->domain);

	FA_JW_KEY(w, "connection");
	fa_jw_obj(w);
	fa_jw_kstr(w, "ip", v->ip);
	fa_jw_kstr(w, "ip_source", v->ip_source);
	fa_jw_kstr(w, "helo", v->helo);
	fa_jw_kstr(w, "helo_source", v->helo_source);
	fa_jw_kstr(w, "mail_from", v->mail_from);
	fa_jw_kstr(w, "mail_from_source", v->mail_from_source);
	fa_jw_obj_end(w);

	FA_JW_KEY(w, "spf");
	fa_jw_obj(w);
	fa_jw_kstr(w, "result", v->spf_result);
	fa_jw_kstr(w, "domain", v->spf_domain);
	FA_JW_KEY(w, "aligned");
	if (v->spf)
		jaligned(w, v->spf_aligned);
	else
		fa_jw_null(w);
	FA_JW_KEY(w, "evaluation");
	spf_obj(w, v->spf);
	fa_jw_obj_end(w);

	FA_JW_KEY(w, "dkim");
	fa_jw_arr(w);
	for (size_t i = 0; i < v->sig_count; i++) {
		const struct fa_dkim_sig *s = &v->sigs[i];
		fa_jw_obj(w);
		fa_jw_kstr(w, "d", s->d);
		fa_jw_kstr(w, "s", s->s);
		fa_jw_kstr(w, "i", s->i);
		fa_jw_kstr(w, "algorithm", s->algorithm);
		fa_jw_kstr(w, "result", s->result);
		fa_jw_kstr(w, "code", s->code);
		fa_jw_kstr(w, "reason", s->reason);
		fa_jw_kstr(w, "key_type", s->key_type);
		fa_jw_kint(w, "key_bits", s->key_bits);
		fa_jw_kbool(w, "testing", s->testing);
		if (s->length >= 0)
			fa_jw_kint(w, "body_length", s->length);
		else
			fa_jw_knull(w, "body_length");
		if (s->expires >= 0)
			fa_jw_kint(w, "expires", s->expires);
		else
			fa_jw_knull(w, "expires");
		FA_JW_KEY(w, "aligned");
		jaligned(w, v->sig_aligned[i]);
		fa_jw_obj_end(w);
	}
	fa_jw_arr_end(w);

	const struct fromauth_dmarc *d = v->dmarc;
	FA_JW_KEY(w, "dmarc");
	fa_jw_obj(w);
	fa_jw_kstr(w, "result", v->dmarc_result);
	fa_jw_kstr(w, "record_domain", fromauth_dmarc_record_domain(d));
	fa_jw_kstr(w, "record", fromauth_dmarc_record(d));
	fa_jw_kstr(w, "org_domain", fromauth_dmarc_org_domain(d));
	fa_jw_kstr(w, "policy", fromauth_dmarc_policy_name(fromauth_dmarc_policy(d)));
	fa_jw_kstr(w, "applied_policy",
		   fromauth_dmarc_policy_name(fromauth_dmarc_effective_policy(d)));
	char a[2] = { fa_dmarc_adkim(d), 0 }, s[2] = { fa_dmarc_aspf(d), 0 };
	fa_jw_kstr(w, "adkim", a);
	fa_jw_kstr(w, "aspf", s);
	fa_jw_obj_end(w);

	fa_jw_kstr(w, "authentication_results", v->authres);
	if (v->fixed_dmarc_result)
		fa_jw_kstr(w, "fixed_dmarc_result", v->fixed_dmarc_result);

	FA_JW_KEY(w, "received");
	fa_jw_arr(w);
	for (size_t k = 0; k < v->received_count; k++) {
		const struct received_ar *ra = &v->received[k];
		fa_jw_obj(w);
		if (ra->parsed)
			authres_members(w, &ra->ar);
		else
			fa_jw_kstr(w, "error", ra->error);
		fa_jw_kstr(w, "value", ra->raw);
		fa_jw_kbool(w, "compared", ra->compared);
		fa_jw_obj_end(w);
	}
	fa_jw_arr_end(w);

	FA_JW_KEY(w, "findings");
	fa_jw_arr(w);
	const struct fromauth_result *r = v->findings;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		fa_jw_obj(w);
		fa_jw_kstr(w, "code", fromauth_result_finding_code(r, i));
		fa_jw_kstr(w, "severity",
			   fromauth_severity_name(fromauth_result_finding_severity(r, i)));
		fa_jw_kstr(w, "message", fromauth_result_finding_message(r, i));
		FA_JW_KEY(w, "fix");
		fa_jw_arr(w);
		for (size_t j = 0; j < fromauth_result_finding_fix_count(r, i); j++)
			fa_jw_str(w, fromauth_result_finding_fix(r, i, j));
		fa_jw_arr_end(w);
		fa_jw_obj_end(w);
	}
	fa_jw_arr_end(w);
	fa_jw_obj_end(w);
}

char *fa_json_verify(const struct fromauth_verify *v)
{
	struct fa_jw w;
	fa_jw_init(&w, HINT_CHECK, 1);
	verify_obj(&w, v);
	return fa_jw_finish(&w);
}
