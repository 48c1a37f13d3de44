/* SPDX-License-Identifier: BSD-2-Clause */
/* The check's result: findings, accessors, and the JSON of SPEC section 7. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "dkim.h"
#include "dmarc.h"
#include "spf.h"

struct fromauth_result *fa_result_new(void)
{
	struct fromauth_result *r = calloc(1, sizeof(*r));
	if (r)
		r->fixed_verdict = -1;
	return r;
}

FROMAUTH_EXPORT void fromauth_result_free(struct fromauth_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->finding_count; i++) {
		struct fa_finding *f = &r->findings[i];
		free(f->message);
		for (size_t j = 0; j < f->fix_count; j++)
			free(f->fix[j]);
		free(f->fix);
		for (size_t j = 0; j < f->op_count; j++) {
			free(f->ops[j].rr);
			free(f->ops[j].old);
			free(f->ops[j].text);
		}
		free(f->ops);
	}
	free(r->findings);
	for (size_t i = 0; i < r->spf_count; i++)
		fromauth_spf_free(r->spf[i]);
	free(r->spf);
	fa_spf_analysis_free(r->spf_analysis);
	for (size_t i = 0; i < r->dkim_count; i++)
		fromauth_dkim_free(r->dkim[i].key);
	free(r->dkim);
	fromauth_dmarc_free(r->dmarc);
	for (size_t i = 0; i < r->fixes_not_applied_count; i++)
		free(r->fixes_not_applied[i]);
	free(r->fixes_not_applied);
	free(r->from);
	free(r->domain);
	free(r->org_domain);
	free(r->service);
	free(r->mail_from);
	free(r->spf_summary);
	for (size_t i = 0; i < r->rule_count; i++)
		free(r->rules[i].message);
	free(r->rules);
	for (size_t i = 0; i < r->fcrdns_count; i++) {
		free(r->fcrdns[i].ip);
		free(r->fcrdns[i].ptr);
		free(r->fcrdns[i].detail);
	}
	free(r->fcrdns);
	for (size_t i = 0; i < r->reputation_count; i++) {
		free(r->reputation[i].zone);
		free(r->reputation[i].target);
		free(r->reputation[i].codes);
		free(r->reputation[i].reason);
	}
	free(r->reputation);
	for (size_t i = 0; i < r->reputation_zone_count; i++) {
		free(r->reputation_zones[i].zone);
		free(r->reputation_zones[i].why);
	}
	free(r->reputation_zones);
	free(r->json);
	free(r);
}

struct fa_finding *fa_finding_add(struct fromauth_result *r, const char *code,
				  int severity, const char *fmt, ...)
{
	struct fa_finding *fs = realloc(r->findings, (r->finding_count + 1) * sizeof(*fs));
	if (!fs) {
		r->nomem = 1;
		return NULL;
	}
	r->findings = fs;
	struct fa_finding *f = &fs[r->finding_count];
	memset(f, 0, sizeof(*f));
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&f->message, fmt, ap);
	va_end(ap);
	if (n < 0) {
		f->message = NULL;
		r->nomem = 1;
		return NULL;
	}
	f->code = code;
	f->severity = severity;
	r->finding_count++;
	return f;
}

/* Append an operation; the strings are copied. */
static int add_op(struct fa_finding *f, int op, const char *rr, const char *old,
		  const char *text)
{
	struct fa_fix_op *ops = realloc(f->ops, (f->op_count + 1) * sizeof(*ops));
	if (!ops)
		return FROMAUTH_E_NOMEM;
	f->ops = ops;
	struct fa_fix_op *o = &ops[f->op_count];
	*o = (struct fa_fix_op){ .op = op };
	if ((rr && !(o->rr = strdup(rr))) || (old && !(o->old = strdup(old))) ||
	    (text && !(o->text = strdup(text)))) {
		free(o->rr);
		free(o->old);
		free(o->text);
		return FROMAUTH_E_NOMEM;
	}
	f->op_count++;
	return FROMAUTH_OK;
}

/* The line goes to "fix", the list of lines to publish. */
static int add_line(struct fa_finding *f, const char *line)
{
	char **fix = realloc(f->fix, (f->fix_count + 1) * sizeof(*fix));
	if (!fix)
		return FROMAUTH_E_NOMEM;
	f->fix = fix;
	if (!(fix[f->fix_count] = strdup(line)))
		return FROMAUTH_E_NOMEM;
	f->fix_count++;
	return FROMAUTH_OK;
}

int fa_finding_add_fix(struct fa_finding *f, const char *line)
{
	int rc = add_op(f, FROMAUTH_FIX_ADD, line, NULL, NULL);
	return rc ? rc : add_line(f, line);
}

int fa_finding_add_replace(struct fa_finding *f, const char *old, const char *line)
{
	int rc = add_op(f, FROMAUTH_FIX_REPLACE, line, old, NULL);
	return rc ? rc : add_line(f, line);
}

int fa_finding_add_delete(struct fa_finding *f, const char *old)
{
	return add_op(f, FROMAUTH_FIX_DELETE, old, NULL, NULL);
}

int fa_finding_add_action(struct fa_finding *f, const char *text)
{
	return add_op(f, FROMAUTH_FIX_ACTION, NULL, NULL, text);
}

/* ---- accessors ---------------------------------------------------------- */

FROMAUTH_EXPORT const char *fromauth_verdict_name(int verdict)
{
	switch (verdict) {
	case FROMAUTH_VERDICT_PASS: return "pass";
	case FROMAUTH_VERDICT_AT_RISK: return "at-risk";
	case FROMAUTH_VERDICT_FAIL: return "fail";
	case FROMAUTH_VERDICT_UNKNOWN: return "unknown";
	}
	return "unknown";
}

FROMAUTH_EXPORT const char *fromauth_severity_name(int severity)
{
	switch (severity) {
	case FROMAUTH_SEVERITY_INFO: return "info";
	case FROMAUTH_SEVERITY_WARNING: return "warning";
	case FROMAUTH_SEVERITY_ERROR: return "error";
	}
	return "unknown";
}

FROMAUTH_EXPORT const char *fromauth_rule_status_name(int status)
{
	switch (status) {
	case FROMAUTH_RULE_PASS: return "pass";
	case FROMAUTH_RULE_FAIL: return "fail";
	case FROMAUTH_RULE_UNKNOWN: return "unknown";
	case FROMAUTH_RULE_NOT_CHECKED: return "not_checked";
	}
	return "unknown";
}

FROMAUTH_EXPORT const char *fromauth_reputation_status_name(int status)
{
	switch (status) {
	case FROMAUTH_REPUTATION_NOT_LISTED: return "not_listed";
	case FROMAUTH_REPUTATION_LISTED: return "listed";
	case FROMAUTH_REPUTATION_REFUSED: return "refused";
	case FROMAUTH_REPUTATION_ERROR: return "error";
	case FROMAUTH_REPUTATION_UNKNOWN: return "unknown";
	}
	return "unknown";
}

FROMAUTH_EXPORT int fromauth_result_verdict(const struct fromauth_result *r)
{
	return r ? r->verdict : -1;
}

FROMAUTH_EXPORT int fromauth_result_fixed_verdict(const struct fromauth_result *r)
{
	return r ? r->fixed_verdict : -1;
}

FROMAUTH_EXPORT const char *fromauth_result_domain(const struct fromauth_result *r)
{
	return r ? r->domain : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_org_domain(const struct fromauth_result *r)
{
	return r ? r->org_domain : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_mail_from(const struct fromauth_result *r)
{
	return r ? r->mail_from : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_spf_summary(const struct fromauth_result *r)
{
	return r ? r->spf_summary : NULL;
}

FROMAUTH_EXPORT size_t fromauth_result_spf_count(const struct fromauth_result *r)
{
	return r ? r->spf_count : 0;
}

FROMAUTH_EXPORT const struct fromauth_spf *fromauth_result_spf(const struct fromauth_result *r,
							       size_t i)
{
	return r && i < r->spf_count ? r->spf[i] : NULL;
}

FROMAUTH_EXPORT size_t fromauth_result_dkim_count(const struct fromauth_result *r)
{
	return r ? r->dkim_count : 0;
}

FROMAUTH_EXPORT const struct fromauth_dkim *fromauth_result_dkim(const struct fromauth_result *r,
								 size_t i)
{
	return r && i < r->dkim_count ? r->dkim[i].key : NULL;
}

FROMAUTH_EXPORT const struct fromauth_dmarc *fromauth_result_dmarc(const struct fromauth_result *r)
{
	return r ? r->dmarc : NULL;
}

FROMAUTH_EXPORT size_t fromauth_result_finding_count(const struct fromauth_result *r)
{
	return r ? r->finding_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_result_finding_code(const struct fromauth_result *r, size_t i)
{
	return r && i < r->finding_count ? r->findings[i].code : NULL;
}

FROMAUTH_EXPORT int fromauth_result_finding_severity(const struct fromauth_result *r, size_t i)
{
	return r && i < r->finding_count ? r->findings[i].severity : -1;
}

FROMAUTH_EXPORT const char *fromauth_result_finding_message(const struct fromauth_result *r,
							    size_t i)
{
	return r && i < r->finding_count ? r->findings[i].message : NULL;
}

FROMAUTH_EXPORT size_t fromauth_result_finding_fix_count(const struct fromauth_result *r,
							 size_t i)
{
	return r && i < r->finding_count ? r->findings[i].fix_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_result_finding_fix(const struct fromauth_result *r,
							size_t i, size_t j)
{
	if (!r || i >= r->finding_count || j >= r->findings[i].fix_count)
		return NULL;
	return r->findings[i].fix[j];
}

static const struct fa_fix_op *op_at(const struct fromauth_result *r, size_t i, size_t j)
{
	if (!r || i >= r->finding_count || j >= r->findings[i].op_count)
		return NULL;
	return &r->findings[i].ops[j];
}

FROMAUTH_EXPORT size_t fromauth_result_finding_op_count(const struct fromauth_result *r, size_t i)
{
	return r && i < r->finding_count ? r->findings[i].op_count : 0;
}

FROMAUTH_EXPORT int fromauth_result_finding_op(const struct fromauth_result *r, size_t i,
					       size_t j)
{
	const struct fa_fix_op *o = op_at(r, i, j);
	return o ? o->op : -1;
}

FROMAUTH_EXPORT const char *fromauth_result_finding_op_rr(const struct fromauth_result *r,
							  size_t i, size_t j)
{
	const struct fa_fix_op *o = op_at(r, i, j);
	return o ? o->rr : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_finding_op_old(const struct fromauth_result *r,
							   size_t i, size_t j)
{
	const struct fa_fix_op *o = op_at(r, i, j);
	return o ? o->old : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_finding_op_text(const struct fromauth_result *r,
							    size_t i, size_t j)
{
	const struct fa_fix_op *o = op_at(r, i, j);
	return o ? o->text : NULL;
}

FROMAUTH_EXPORT const char *fromauth_fix_op_name(int op)
{
	switch (op) {
	case FROMAUTH_FIX_ADD:
		return "add";
	case FROMAUTH_FIX_REPLACE:
		return "replace";
	case FROMAUTH_FIX_DELETE:
		return "delete";
	case FROMAUTH_FIX_ACTION:
		return "action";
	}
	return NULL;
}

FROMAUTH_EXPORT int fromauth_result_finding_fix_needs_input(const struct fromauth_result *r,
							    size_t i)
{
	return r && i < r->finding_count ? r->findings[i].fix_needs_input : -1;
}

FROMAUTH_EXPORT unsigned int fromauth_result_dns_queries(const struct fromauth_result *r)
{
	return r ? r->dns_queries : 0;
}

FROMAUTH_EXPORT unsigned int fromauth_result_cache_hits(const struct fromauth_result *r)
{
	return r ? r->cache_hits : 0;
}

FROMAUTH_EXPORT unsigned int fromauth_result_elapsed_ms(const struct fromauth_result *r)
{
	return r ? r->elapsed_ms : 0;
}

static char *build_json(const struct fromauth_result *r);

/* Built on first use, not by every check: a bulk run that prints verdicts
 * never pays for it.  Threads reading one result race to build it; one
 * string is published, the others are freed. */
FROMAUTH_EXPORT const char *fromauth_result_json(const struct fromauth_result *r)
{
	if (!r)
		return NULL;
	char *s = __atomic_load_n(&r->json, __ATOMIC_ACQUIRE);
	if (s)
		return s;
	char *mine = build_json(r);
	if (!mine)
		return NULL;
	char *expected = NULL;
	if (__atomic_compare_exchange_n(&((struct fromauth_result *)r)->json, &expected, mine, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	free(mine);
	return expected;
}

/* ---- JSON ----------------------------------------------------------------- */

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* The per-area objects of SPEC section 7, with the adapters' own JSON
 * merged in for the details. */
static json_object *spf_json(const struct fromauth_result *r)
{
	json_object *o = json_object_new_object();
	FA_JSON_ADD(o, "mail_from", str_or_null(r->mail_from));
	FA_JSON_ADD(o, "result", str_or_null(r->spf_summary));
	FA_JSON_ADD(o, "aligned", json_object_new_boolean(r->spf_aligned));
	FA_JSON_ADD(o, "outside_domain", json_object_new_boolean(r->mail_from_outside));
	const struct fa_spf_analysis *a = r->spf_analysis;
	FA_JSON_ADD(o, "record", str_or_null(a ? a->record : NULL));
	FA_JSON_ADD(o, "lookups", json_object_new_int(a ? (int)a->lookups : 0));
	FA_JSON_ADD(o, "void_lookups", json_object_new_int(a ? (int)a->void_lookups : 0));
	/* the walk stopped where a receiver stops: the counts are at least */
	FA_JSON_ADD(o, "lookups_cut", json_object_new_boolean(a && a->cut));
	json_object *ips = json_object_new_array();
	for (size_t i = 0; i < r->spf_count; i++)
		json_object_array_add(ips, fa_spf_to_json(r->spf[i]));
	FA_JSON_ADD(o, "ips", ips);
	return o;
}

static json_object *dkim_json(const struct fromauth_result *r)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < r->dkim_count; i++) {
		json_object *o = fa_dkim_to_json(r->dkim[i].key);
		FA_JSON_ADD(o, "aligned",
			    r->dkim[i].aligned < 0 ? NULL
			    : json_object_new_boolean(r->dkim[i].aligned));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* This check's DMARC outcome: "pass" (an aligned pass), "fail", "none"
 * (no valid record) or "temperror". */
static const char *dmarc_result(const struct fromauth_result *r)
{
	if (!r->dmarc)
		return NULL;
	if (fa_dmarc_temperror(r->dmarc))
		return "temperror";
	if (fromauth_dmarc_policy(r->dmarc) == FROMAUTH_DMARC_POLICY_ABSENT)
		return "none";
	return r->spf_aligned || r->dkim_aligned ? "pass" : "fail";
}

/* The DMARC object, plus this check's outcome. */
static json_object *dmarc_json(const struct fromauth_result *r)
{
	if (!r->dmarc)
		return NULL;
	json_object *o = fa_dmarc_to_json(r->dmarc);
	FA_JSON_ADD(o, "result", json_object_new_string(dmarc_result(r)));
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
			FA_JSON_ADD(j, "message", str_or_null(u->message));
			FA_JSON_ADD(j, "finding", str_or_null(u->finding));
			json_object_array_add(arr, j);
		}
		FA_JSON_ADD(o, "rules", arr);
		json_object *fc = json_object_new_array();
		for (size_t i = 0; i < r->fcrdns_count; i++) {
			json_object *j = json_object_new_object();
			FA_JSON_ADD(j, "ip", str_or_null(r->fcrdns[i].ip));
			FA_JSON_ADD(j, "ptr", str_or_null(r->fcrdns[i].ptr));
			FA_JSON_ADD(j, "status", json_object_new_string(
		     fromauth_rule_status_name(r->fcrdns[i].status)));
			FA_JSON_ADD(j, "detail", str_or_null(r->fcrdns[i].detail));
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
			FA_JSON_ADD(j, "detail", str_or_null(r->reputation_zones[i].why));
			json_object_array_add(zones, j);
		}
		FA_JSON_ADD(rep, "zones", zones);
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < r->reputation_count; i++) {
			const struct fa_reputation *p = &r->reputation[i];
			json_object *j = json_object_new_object();
			FA_JSON_ADD(j, "zone", json_object_new_string(p->zone));
			FA_JSON_ADD(j, "target", str_or_null(p->target));
			FA_JSON_ADD(j, "what", json_object_new_string(p->what));
			FA_JSON_ADD(j, "status",
				    json_object_new_string(fromauth_reputation_status_name(p->status)));
			FA_JSON_ADD(j, "codes", str_or_null(p->codes));
			FA_JSON_ADD(j, "reason", str_or_null(p->reason));
			json_object_array_add(arr, j);
		}
		FA_JSON_ADD(rep, "lookups", arr);
		FA_JSON_ADD(o, "reputation", rep);
	}
}

static char *build_json(const struct fromauth_result *r)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	FA_JSON_ADD(o, "from", str_or_null(r->from));
	FA_JSON_ADD(o, "domain", str_or_null(r->domain));
	FA_JSON_ADD(o, "org_domain", str_or_null(r->org_domain));
	FA_JSON_ADD(o, "service", str_or_null(r->service));
	FA_JSON_ADD(o, "verdict", str_or_null(fromauth_verdict_name(r->verdict)));
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

	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = s ? strdup(s) : NULL;
	json_object_put(o);
	return copy;
}

int fa_result_finish_json(struct fromauth_result *r)
{
	char *s = build_json(r);
	if (!s)
		return FROMAUTH_E_NOMEM;
	free(r->json);
	r->json = s;
	return FROMAUTH_OK;
}

/* ---- public getters of 1.1 -------------------------------------------- */

FROMAUTH_EXPORT const char *fromauth_result_from(const struct fromauth_result *r)
{
	return r ? r->from : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_service(const struct fromauth_result *r)
{
	return r ? r->service : NULL;
}

FROMAUTH_EXPORT int fromauth_result_spf_aligned(const struct fromauth_result *r)
{
	return r ? r->spf_aligned : 0;
}

FROMAUTH_EXPORT int fromauth_result_spf_outside_domain(const struct fromauth_result *r)
{
	return r ? r->mail_from_outside : 0;
}

FROMAUTH_EXPORT const char *fromauth_result_spf_record(const struct fromauth_result *r)
{
	return r && r->spf_analysis ? r->spf_analysis->record : NULL;
}

FROMAUTH_EXPORT unsigned int fromauth_result_spf_lookups(const struct fromauth_result *r)
{
	return r && r->spf_analysis ? r->spf_analysis->lookups : 0;
}

FROMAUTH_EXPORT int fromauth_result_spf_lookups_cut(const struct fromauth_result *r)
{
	return r && r->spf_analysis ? r->spf_analysis->cut : 0;
}

FROMAUTH_EXPORT unsigned int fromauth_result_spf_void_lookups(const struct fromauth_result *r)
{
	return r && r->spf_analysis ? r->spf_analysis->void_lookups : 0;
}

FROMAUTH_EXPORT int fromauth_result_dkim_aligned(const struct fromauth_result *r, size_t i)
{
	return r && i < r->dkim_count ? r->dkim[i].aligned : -1;
}

FROMAUTH_EXPORT const char *fromauth_result_dmarc_result(const struct fromauth_result *r)
{
	return r ? dmarc_result(r) : NULL;
}

FROMAUTH_EXPORT size_t fromauth_result_fix_not_applied_count(const struct fromauth_result *r)
{
	return r ? r->fixes_not_applied_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_result_fix_not_applied(const struct fromauth_result *r,
							    size_t i)
{
	return r && i < r->fixes_not_applied_count ? r->fixes_not_applied[i] : NULL;
}
