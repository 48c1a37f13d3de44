/* SPDX-License-Identifier: BSD-2-Clause */
/* The check's result: findings and accessors (lib/json.c writes its JSON). */
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
	if (r->finding_count == r->finding_cap) {
		size_t cap = r->finding_cap ? 2 * r->finding_cap : 8;
		struct fa_finding *fs = realloc(r->findings, cap * sizeof(*fs));
		if (!fs) {
			r->nomem = 1;
			return NULL;
		}
		r->findings = fs;
		r->finding_cap = cap;
	}
	struct fa_finding *f = &r->findings[r->finding_count];
	memset(f, 0, sizeof(*f));
	/* Most messages fit here: one allocation, where vasprintf grew
	 * its buffer by reallocating. */
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(buf)) {
		if ((f->message = malloc((size_t)n + 1)))
			memcpy(f->message, buf, (size_t)n + 1);
	} else if (n >= 0) {
		va_start(ap, fmt);
		if (vasprintf(&f->message, fmt, ap) < 0)
			f->message = NULL;
		va_end(ap);
	}
	if (!f->message) {
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
