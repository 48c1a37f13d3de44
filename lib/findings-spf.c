/* SPDX-License-Identifier: BSD-2-Clause */
/* The SPF findings of the check (SPEC section 3 step 4): the samples of
 * the service's addresses, M's record tree, and the fix that authorizes
 * the service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "findings.h"
#include "profile.h"
#include "remedy.h"
#include "service.h"
#include "spf-record.h"
#include "spf.h"

static int spf_rank_failure(int result)
{
	/* Which result describes a set of non-passing samples best: the
	 * errors first, they say the record itself is the problem. */
	switch (result) {
	case FROMAUTH_SPF_TEMPERROR: return 6;
	case FROMAUTH_SPF_PERMERROR: return 5;
	case FROMAUTH_SPF_FAIL: return 4;
	case FROMAUTH_SPF_SOFTFAIL: return 3;
	case FROMAUTH_SPF_NEUTRAL: return 2;
	case FROMAUTH_SPF_NONE: return 1;
	}
	return 0;
}

static const char *spf_finding_code(int result)
{
	switch (result) {
	case FROMAUTH_SPF_FAIL: return "spf.fail";
	case FROMAUTH_SPF_SOFTFAIL: return "spf.softfail";
	case FROMAUTH_SPF_NEUTRAL: return "spf.neutral";
	case FROMAUTH_SPF_NONE: return "spf.none";
	case FROMAUTH_SPF_TEMPERROR: return "spf.temperror";
	}
	return NULL;
}

static unsigned int budget_rest(const struct fa_spf_budget *b)
{
	unsigned int used = atomic_load(&b->req->queries) - b->start;
	return used < FA_SPF_REMEDY_QUERIES ? FA_SPF_REMEDY_QUERIES - used : 0;
}

/* M's record as the record findings change it: every correction works
 * on what the one before left, so the user gets one replacement of the
 * record (two would publish two SPF records), attached to the first
 * finding that needed a change. */
struct spf_change {
	char *text;             /* the record so far, or NULL: unchanged */
	size_t owner;           /* index of the finding that carries it */
	int has_owner;
	struct fa_spf_fix *fit; /* the records a flattened chain needs */
	const char *old;        /* what it replaces, when not M's record */
};

/* Say in @f's message what the change is, or why there is none. */
static void spf_change_step(struct eval_state *st, struct spf_change *c, struct fa_finding *f,
			    int rc, struct fa_spf_fix *fix, char *why)
{
	struct fromauth_result *r = st->r;
	if (rc == FROMAUTH_E_NOMEM)
		r->nomem = 1;
	if (f && why)
		fa_finding_append(r, f, "%s", why);
	free(why);
	if (!f || !fix) {
		fa_spf_fix_free(fix);
		return;
	}
	if (*fix->note)
		fa_finding_append(r, f, "%s", fix->note);
	if (!c->has_owner) {
		c->owner = (size_t)(f - r->findings);
		c->has_owner = 1;
	} else {
		fa_finding_append(r, f, "The replacement record proposed under %s includes this change.",
				  r->findings[c->owner].code);
	}
	free(c->text);
	c->text = fix->record;
	fix->record = NULL;
	if (fix->extra_count) {
		fa_spf_fix_free(c->fit);
		c->fit = fix;
	} else {
		fa_spf_fix_free(fix);
	}
}

/* Publish the change: the chain's records, then the replacement. */
static void spf_change_finish(struct eval_state *st, struct spf_change *c)
{
	struct fromauth_result *r = st->r;
	const struct fa_spf_analysis *a = r->spf_analysis;
	const char *was = c->old ? c->old : a ? a->record : NULL;
	if (c->has_owner && c->text && was) {
		struct fa_finding *f = &r->findings[c->owner];
		for (size_t i = 0; c->fit && i < c->fit->extra_count; i++)
			fa_fix_add_owned(r, f, fa_txt_rr_line(c->fit->extra_owner[i], c->fit->extra[i]));
		char *old = fa_txt_rr_line(r->mail_from, was);
		char *line = fa_txt_rr_line(r->mail_from, c->text);
		if (!old || !line || fa_finding_add_replace(f, old, line) != FROMAUTH_OK)
			r->nomem = 1;
		free(old);
		free(line);
	}
	free(c->text);
	fa_spf_fix_free(c->fit);
	memset(c, 0, sizeof(*c));
}

/* spf.multiple: delete all but the record to keep, which takes over
 * the others' terms when that stays valid. */
static void spf_multiple_fix(struct eval_state *st, struct fa_spf_budget *b,
			     struct fa_finding *f)
{
	struct fromauth_result *r = st->r;
	const struct fa_spf_analysis *a = r->spf_analysis;
	size_t keep = 0;
	char *merged = NULL, *why = NULL;
	if (!f || a->records_kept != a->record_count)
		return;         /* some record cannot be named as a line */
	int rc = fa_remedy_spf_keep(b, st->profile, r->mail_from, a->records,
				    a->records_kept, &keep, &merged, &why);
	if (rc) {
		r->nomem = 1;
		return;
	}
	if (keep >= a->records_kept) {
		if (why)
			fa_finding_append(r, f, "%s", why);
		free(why);
		free(merged);
		return;
	}
	for (size_t i = 0; i < a->records_kept; i++) {
		if (i == keep)
			continue;
		char *line = fa_txt_rr_line(r->mail_from, a->records[i]);
		if (!line || fa_finding_add_delete(f, line) != FROMAUTH_OK)
			r->nomem = 1;
		free(line);
	}
	if (merged) {
		char *old = fa_txt_rr_line(r->mail_from, a->records[keep]);
		char *line = fa_txt_rr_line(r->mail_from, merged);
		if (!old || !line || fa_finding_add_replace(f, old, line) != FROMAUTH_OK)
			r->nomem = 1;
		free(old);
		free(line);
	}
	fa_finding_append(r, f, "%s", why);
	free(why);
	free(merged);
}

/* The record-level SPF findings at M (not tied to one IP), each with
 * the change of M's record that fixes it. */
static void spf_record_findings(struct eval_state *st, struct fa_spf_budget *b,
				struct spf_change *c)
{
	struct fromauth_result *r = st->r;
	struct fa_spf_analysis *a = r->spf_analysis;
	struct fa_spf_fix *fix = NULL;
	char *why = NULL;
	int rc;
	if (!a)
		return;
	/* A tree that could not be read is no ground for changing it. */
	int fixable = !a->temperror;
	if (a->record_count == 0 && a->lookalike) {
		/* "v=spf1include:..." is no SPF record to receivers */
		struct fa_finding *f = fa_finding_add(r, "spf.syntax", FROMAUTH_SEVERITY_ERROR,
			       "The TXT record \"%.80s\" at %s looks like SPF, but without a space after v=spf1 receivers do not read it as SPF.",
			       a->lookalike, r->mail_from);
		char *fixed = NULL;
		if (asprintf(&fixed, "v=spf1 %s", a->lookalike + 6) < 0) {
			fixed = NULL;
			r->nomem = 1;
		}
		if (fixed && fixable) {
			rc = fa_remedy_spf_correct(b, st->profile, r->mail_from, fixed,
						   FA_SPF_FIX_SYNTAX, &fix, &why);
			if (f && fix)
				fa_finding_append(r, f, "Put a space after v=spf1.");
			c->old = a->lookalike;
			spf_change_step(st, c, f, rc, fix, why);
		}
		free(fixed);
		return;
	}
	if (a->record_count > 1) {
		struct fa_finding *f = fa_finding_add(r, "spf.multiple", FROMAUTH_SEVERITY_ERROR,
			       "%s has %zu SPF records; RFC 7208 makes that a permanent error. Delete all but one.",
			       r->mail_from, a->record_count);
		if (fixable)
			spf_multiple_fix(st, b, f);
	}
	if (a->syntax_error) {
		struct fa_finding *f = fa_finding_add(r, "spf.syntax", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record tree of %s has an error: %s.", r->mail_from, a->syntax_error);
		rc = a->record ? fa_spf_record_parse(a->record, strlen(a->record), NULL, NULL, 0) : 0;
		if (rc == FROMAUTH_E_NOMEM)
			r->nomem = 1;
		if (fixable && rc == FROMAUTH_E_RECORD) {
			rc = fa_remedy_spf_correct(b, st->profile, r->mail_from, a->record,
						   FA_SPF_FIX_SYNTAX, &fix, &why);
			spf_change_step(st, c, f, rc, fix, why);
			/* nothing else of the record can be told */
			return;
		}
		if (f && a->record)
			fa_finding_append(r, f, "It is in a record yours includes or redirects to: that record's owner must correct it, or remove the term that names it by hand.");
	}
	if (a->void_lookups > 2) {
		struct fa_finding *f = fa_finding_add(r, "spf.void_limit", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record of %s has %s%u lookups that find nothing; RFC 7208 allows 2, so receivers return permerror.",
			       r->mail_from, a->cut ? "at least " : "", a->void_lookups);
		if (fixable && a->record) {
			rc = fa_remedy_spf_void(b, st->profile, r->mail_from,
						c->text ? c->text : a->record, &fix, &why);
			spf_change_step(st, c, f, rc, fix, why);
		}
	}
	if (a->uses_ptr) {
		struct fa_finding *f = fa_finding_add(r, "spf.ptr", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record tree of %s uses the ptr mechanism, which RFC 7208 says not to use; many receivers skip it.",
			       r->mail_from);
		if (fixable && a->record) {
			rc = fa_remedy_spf_correct(b, st->profile, r->mail_from,
						   c->text ? c->text : a->record, FA_SPF_FIX_PTR,
						   &fix, &why);
			spf_change_step(st, c, f, rc, fix, why);
		}
	}
	if (a->plus_all) {
		struct fa_finding *f = fa_finding_add(r, "spf.plus_all", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record of %s ends in +all: it authorizes every host on the internet to send as %s.",
			       r->mail_from, r->mail_from);
		if (fixable && a->record) {
			rc = fa_remedy_spf_correct(b, st->profile, r->mail_from,
						   c->text ? c->text : a->record,
						   FA_SPF_FIX_PLUS_ALL, &fix, &why);
			spf_change_step(st, c, f, rc, fix, why);
		}
	}
	/* Over 10 lookups, now or after the changes above. */
	unsigned int lookups = a->lookups;
	int cut = a->cut;
	if (c->text) {
		struct fa_spf_analysis *after = NULL;
		rc = fa_spf_analyze_record(&st->req, r->mail_from, c->text, &after);
		if (rc == FROMAUTH_E_NOMEM)
			r->nomem = 1;
		lookups = after ? after->lookups : 0;
		cut = after && after->cut;
		fa_spf_analysis_free(after);
	}
	if (a->lookups > 10 || (a->record && lookups > 10)) {
		struct fa_finding *f = fa_finding_add(r, "spf.lookup_limit",
			       a->lookups > 10 ? FROMAUTH_SEVERITY_ERROR : FROMAUTH_SEVERITY_WARNING,
			       a->lookups > 10
			       ? "The SPF record of %s needs %s%u DNS lookups; RFC 7208 allows 10, so receivers return permerror."
			       : "The corrected SPF record of %s would need %s%u DNS lookups; RFC 7208 allows 10.",
			       r->mail_from, (a->lookups > 10 ? a->cut : cut) ? "at least " : "",
			       a->lookups > 10 ? a->lookups : lookups);
		if (f && c->text && lookups <= 10) {
			fa_finding_append(r, f, "The replacement proposed under %s needs %u.",
					  r->findings[c->owner].code, lookups);
			return;
		}
		if (fixable && a->record &&
		    fa_spf_term_costs(&st->req, r->mail_from, a, budget_rest(b)) == FROMAUTH_E_NOMEM)
			r->nomem = 1;
		if (fixable && a->record) {
			rc = fa_remedy_spf_fit(b, st->profile, r->mail_from,
					       c->text ? c->text : a->record, &fix, &why);
			spf_change_step(st, c, f, rc, fix, why);
		}
	}
}

/* A fix that authorizes the service in M's SPF record; @replaced: the
 * record findings replace M's record already, with the service in it. */
static void spf_authorize_fix(struct eval_state *st, struct fa_spf_budget *b,
			      struct fa_finding *f, int replaced)
{
	struct fromauth_result *r = st->r;
	const struct fa_spf_analysis *a = r->spf_analysis;
	if (!f)
		return;
	if (replaced) {
		fa_finding_append(r, f, "The replacement of the record proposed above authorizes the service too.");
		return;
	}
	size_t at = (size_t)(f - r->findings);
	char *line = NULL, *merged = NULL, *note = NULL;
	struct fa_spf_fix *fit = NULL;
	int needs_input = 0;
	unsigned int lookups = 0;
	int over = 0, cut = 0;
	int rc = fa_remedy_spf_authorize(st->profile, r->domain, r->mail_from, a,
					 &line, &merged, &needs_input);
	if (rc == FROMAUTH_OK && merged) {
		/* RFC 7208 4.6.4: a merge past 10 lookups trades one
		 * failure for another: flatten to stay within it. */
		struct fa_spf_analysis *after = NULL;
		rc = fa_spf_analyze_record(&st->req, r->mail_from, merged, &after);
		if (rc == FROMAUTH_OK) {
			lookups = after->lookups;
			cut = after->cut;
			over = after->lookups > 10;
		}
		fa_spf_analysis_free(after);
		if (rc != FROMAUTH_E_NOMEM)
			rc = FROMAUTH_OK;
		if (rc == FROMAUTH_OK && over && a && a->record)
			rc = fa_spf_term_costs(&st->req, r->mail_from, r->spf_analysis,
					       budget_rest(b));
		if (rc == FROMAUTH_OK && over && a && a->record)
			rc = fa_remedy_spf_fit(b, st->profile, r->mail_from, a->record, &fit,
					       &note);
	}
	if (rc == FROMAUTH_OK && a && a->record && a->record_count == 1 && (line || fit)) {
		/* M has a record: the merged one replaces it */
		for (size_t i = 0; fit && i < fit->extra_count; i++)
			fa_fix_add_owned(r, f, fa_txt_rr_line(fit->extra_owner[i], fit->extra[i]));
		char *old = fa_txt_rr_line(r->mail_from, a->record);
		char *repl = fit ? fa_txt_rr_line(r->mail_from, fit->record) : line;
		if (!old || !repl || fa_finding_add_replace(f, old, repl) != FROMAUTH_OK)
			r->nomem = 1;
		free(old);
		if (repl != line)
			free(repl);
		free(line);
	} else if (rc == FROMAUTH_OK && line) {
		fa_fix_add_owned(r, f, line);
		if (needs_input)
			f->fix_needs_input = 1;
	} else {
		free(line);
	}
	if (rc == FROMAUTH_OK && merged && over) {
		/* f may move once another finding is added: last use */
		fa_finding_add(r, "spf.lookup_limit", FROMAUTH_SEVERITY_WARNING,
			       fit ? "With the service added, the SPF record of %s would need %s%u DNS lookups, over RFC 7208's limit of 10: the fix of %s flattens includes to stay within it."
				   : "With the service added, the SPF record of %s would need %s%u DNS lookups, over RFC 7208's limit of 10, and no flattening fits it (see %s): remove includes first.",
			       r->mail_from, cut ? "at least " : "", lookups, r->findings[at].code);
		f = &r->findings[at];
		if (fit || note)
			fa_finding_append(r, f, "%s", fit ? fit->note : note);
	} else if (rc == FROMAUTH_OK && merged) {
		fa_finding_append(r, f, "With the fix the record uses %u of 10 DNS lookups.", lookups);
	}
	if (rc == FROMAUTH_E_NOMEM)
		r->nomem = 1;
	fa_spf_fix_free(fit);
	free(note);
	free(merged);
}

/* Add @text (malloc'd, NULL after a failed allocation) as an action. */
static void add_action(struct fromauth_result *r, struct fa_finding *f, char *text)
{
	if (!f || !text || fa_finding_add_action(f, text) != FROMAUTH_OK)
		r->nomem = 1;
	free(text);
}

/* SPF at the service's bounce domain cannot align (or aspf=s wants the
 * From domain itself): only the service can change the return-path. */
static void return_path_action(struct eval_state *st, struct fa_finding *f, int strict)
{
	struct fromauth_result *r = st->r;
	add_action(r, f, fa_remedy_action_return_path(st->profile, r->domain, r->from,
							r->mail_from, strict));
}

void fa_findings_spf(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	size_t pass = 0;
	int worst = -1;
	const struct fromauth_spf *worst_spf = NULL;
	for (size_t i = 0; i < r->spf_count; i++) {
		int res = fromauth_spf_result(r->spf[i]);
		if (res == FROMAUTH_SPF_PASS) {
			pass++;
		} else if (worst < 0 || spf_rank_failure(res) > spf_rank_failure(worst)) {
			worst = res;
			worst_spf = r->spf[i];
		}
	}
	if (r->spf_count == 0)
		r->spf_summary = strdup(st->ranges_temperror ? "temperror" : "none");
	else if (pass == r->spf_count)
		r->spf_summary = strdup("pass");
	else if (pass > 0)
		r->spf_summary = strdup("partial");
	else
		r->spf_summary = strdup(fromauth_spf_result_name(worst));
	if (!r->spf_summary)
		r->nomem = 1;
	/* Any sample or the record tree failing temporarily leaves SPF
	 * undecided (SPEC 3 step 6, "unknown"). */
	for (size_t i = 0; i < r->spf_count; i++)
		st->spf_temperror |= fromauth_spf_result(r->spf[i]) == FROMAUTH_SPF_TEMPERROR;
	st->spf_temperror |= r->spf_analysis && r->spf_analysis->temperror;

	if (r->spf_count == 0 && fa_service_open_ip(st->profile, r))
		return;
	/* The service's addresses come from DNS too: when that lookup
	 * failed, SPF is undecided, not unconfigured. */
	if (st->ranges_temperror) {
		st->spf_temperror = 1;
		fa_finding_add(r, "spf.temperror", FROMAUTH_SEVERITY_WARNING,
			       r->spf_count == 0
			       ? "The SPF record of the service's spf-include %s could not be looked up (DNS timeout or server failure), so its sending addresses and SPF could not be checked; try again later."
			       : "Part of the SPF record tree of the service's spf-include %s could not be looked up (DNS timeout or server failure), so some of its sending addresses may not have been checked; try again later.",
			       fromauth_profile_spf_include(st->profile));
		if (r->spf_count == 0)
			return;
	}
	if (r->spf_count == 0) {
		/* Nothing to evaluate: say why rather than report "none". */
		fa_finding_add(r, "service.no_ranges", FROMAUTH_SEVERITY_WARNING,
			       "The service profile has no ip lines and the SPF record of its spf-include %s names no address it sends from, so SPF could not be checked; add the service's ranges to the profile.",
			       fromauth_profile_spf_include(st->profile) ? fromauth_profile_spf_include(st->profile) : "(none)");
		return;
	}
	if (r->mail_from_outside) {
		struct fa_finding *nu = fa_finding_add(r, "spf.not_used", FROMAUTH_SEVERITY_INFO,
			       "The service sends with its own bounce domain %s, so SPF is checked there and cannot align with %s: your own SPF record does not matter for DMARC, no include is needed, and DMARC must pass through DKIM.",
			       r->mail_from, r->domain);
		return_path_action(st, nu, 0);
		/* A temporary error is for receivers to retry, not to report. */
		if (pass < r->spf_count && worst_spf && worst == FROMAUTH_SPF_TEMPERROR)
			fa_finding_add(r, "spf.temperror", FROMAUTH_SEVERITY_WARNING,
				       "The service's own SPF at %s gives %s for %s (%s); that is the service's to fix.",
				       r->mail_from, fromauth_spf_result_name(worst),
				       fromauth_spf_ip(worst_spf), fromauth_spf_reason(worst_spf));
		else if (pass < r->spf_count && worst_spf)
			add_action(r, fa_finding_add(r, spf_finding_code(worst) ? spf_finding_code(worst) : "spf.fail",
				       FROMAUTH_SEVERITY_WARNING,
				       "The service's own SPF at %s gives %s for %s (%s); that is the service's to fix.",
				       r->mail_from, fromauth_spf_result_name(worst),
				       fromauth_spf_ip(worst_spf), fromauth_spf_reason(worst_spf)),
				   fa_remedy_action_service_spf(st->profile, r->mail_from,
								fromauth_spf_ip(worst_spf),
								fromauth_spf_result_name(worst)));
		return;
	}

	struct spf_change change = { 0 };
	struct fa_spf_budget budget;
	fa_spf_budget_init(&budget, &st->req);
	spf_record_findings(st, &budget, &change);
	int replaced = change.has_owner && change.text;
	spf_change_finish(st, &change);
	if (r->spf_count > 0 && pass == r->spf_count) {
		if (r->spf_aligned)
			fa_finding_add(r, "spf.pass", FROMAUTH_SEVERITY_INFO,
				       "SPF at %s authorizes every sampled address of the service (%zu checked).",
				       r->mail_from, r->spf_count);
		else if (st->spf_alignment == 0)
			return_path_action(st, fa_finding_add(r, "spf.unaligned", FROMAUTH_SEVERITY_WARNING,
				       fa_dmarc_aspf(r->dmarc) == 's'
				       ? "SPF passes for %s, but aspf=s requires the MAIL FROM domain to be exactly %s, so it does not count for DMARC."
				       : "SPF passes for %s, but it is not in the same organizational domain as %s, so it does not count for DMARC.",
				       r->mail_from, r->domain), fa_dmarc_aspf(r->dmarc) == 's');
		else
			fa_finding_add(r, "spf.temperror", FROMAUTH_SEVERITY_WARNING,
				       "SPF passes for %s, but whether it aligns with %s could not be told: a DNS lookup of the organizational domain failed.",
				       r->mail_from, r->domain);
		return;
	}
	if (!worst_spf)
		return;

	const struct fa_spf_analysis *a = r->spf_analysis;
	int res = worst;
	if (res == FROMAUTH_SPF_PERMERROR && fa_spf_needs_helo(worst_spf)) {
		/* the profile lacks what every receiver has: not a DNS error */
		fa_finding_add(r, "service.helo_needed", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record tree of %s expands the HELO name (%%{h}), and the service profile gives none, so SPF could not be checked; add the service's HELO name to the profile (helo = ...).",
			       r->mail_from);
		return;
	}
	if (res == FROMAUTH_SPF_PERMERROR) {
		/* The record findings above name the cause; only when they do
		 * not, say what libspf2 said. */
		if (!a || (a->record_count <= 1 && !a->syntax_error && a->lookups <= 10 &&
			   a->void_lookups <= 2))
			fa_finding_add(r, "spf.syntax", FROMAUTH_SEVERITY_ERROR,
				       "SPF at %s gives permerror for %s: %s",
				       r->mail_from, fromauth_spf_ip(worst_spf),
				       fromauth_spf_reason(worst_spf));
		return;
	}
	if (res == FROMAUTH_SPF_TEMPERROR) {
		fa_finding_add(r, "spf.temperror", FROMAUTH_SEVERITY_WARNING,
			       "SPF at %s could not be evaluated for %s: %s",
			       r->mail_from, fromauth_spf_ip(worst_spf),
			       fromauth_spf_reason(worst_spf));
		return;
	}
	if (pass > 0) {
		struct fa_finding *f = fa_finding_add(r, "spf.partial", FROMAUTH_SEVERITY_ERROR,
			"SPF at %s authorizes only %zu of %zu sampled service addresses; %s gives %s.",
			r->mail_from, pass, r->spf_count, fromauth_spf_ip(worst_spf),
			fromauth_spf_result_name(res));
		spf_authorize_fix(st, &budget, f, replaced);
		return;
	}
	if (res == FROMAUTH_SPF_NONE) {
		struct fa_finding *f = fa_finding_add(r, "spf.none", FROMAUTH_SEVERITY_ERROR,
			"%s has no SPF record, so the service's addresses are not authorized to send for it.",
			r->mail_from);
		spf_authorize_fix(st, &budget, f, replaced);
		return;
	}
	fa_finding_add(r, spf_finding_code(res), FROMAUTH_SEVERITY_ERROR,
		       "SPF at %s gives %s for the service address %s (%s).",
		       r->mail_from, fromauth_spf_result_name(res), fromauth_spf_ip(worst_spf),
		       fromauth_spf_reason(worst_spf));
	struct fa_finding *f;
	if (a && a->record)
		f = fa_finding_add(r, "spf.include_missing", FROMAUTH_SEVERITY_ERROR,
			"The SPF record of %s does not authorize the service; add it before the all term (the record uses %u of 10 DNS lookups now).",
			r->mail_from, a->lookups);
	else
		f = fa_finding_add(r, "spf.include_missing", FROMAUTH_SEVERITY_ERROR,
			"The SPF record of %s does not authorize the service.", r->mail_from);
	size_t at = f ? (size_t)(f - r->findings) : 0;
	spf_authorize_fix(st, &budget, f, replaced);
	/* Without an include the fix lists addresses that may change.  (f
	 * moves when spf_authorize_fix() adds a finding.) */
	if (f && !fromauth_profile_spf_include(st->profile))
		add_action(r, &r->findings[at], fa_remedy_action_spf_ranges(st->profile));
}
