/* SPDX-License-Identifier: BSD-2-Clause */
/* The SPF findings of the check (SPEC section 3 step 4): the samples of
 * the service's addresses, M's record tree, and the fix that authorizes
 * the service. */
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "findings.h"
#include "profile.h"
#include "remedy.h"
#include "service.h"
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

/* The record-level SPF findings at M (not tied to one IP). */
static void spf_record_findings(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	const struct fa_spf_analysis *a = r->spf_analysis;
	if (!a)
		return;
	if (a->record_count > 1)
		fa_finding_add(r, "spf.multiple", FROMAUTH_SEVERITY_ERROR,
			       "%s has %zu SPF records; RFC 7208 makes that a permanent error. Merge them into one.",
			       r->mail_from, a->record_count);
	if (a->syntax_error)
		fa_finding_add(r, "spf.syntax", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record tree of %s has an error: %s", r->mail_from, a->syntax_error);
	if (a->lookups > 10)
		fa_finding_add(r, "spf.lookup_limit", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record of %s needs %s%u DNS lookups; RFC 7208 allows 10, so receivers return permerror.",
			       r->mail_from, a->cut ? "at least " : "", a->lookups);
	if (a->void_lookups > 2)
		fa_finding_add(r, "spf.void_limit", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record of %s has %s%u lookups that find nothing; RFC 7208 allows 2, so receivers return permerror.",
			       r->mail_from, a->cut ? "at least " : "", a->void_lookups);
	if (a->plus_all)
		fa_finding_add(r, "spf.plus_all", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record of %s ends in +all: it authorizes every host on the internet to send as %s.",
			       r->mail_from, r->mail_from);
	if (a->uses_ptr)
		fa_finding_add(r, "spf.ptr", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record tree of %s uses the ptr mechanism, which RFC 7208 says not to use; many receivers skip it.",
			       r->mail_from);
}

/* A fix that authorizes the service in M's SPF record. */
static void spf_authorize_fix(struct eval_state *st, struct fa_finding *f)
{
	struct fromauth_result *r = st->r;
	if (!f)
		return;
	char *line = NULL, *merged = NULL;
	int needs_input = 0;
	int rc = fa_remedy_spf_authorize(st->profile, r->domain, r->mail_from, r->spf_analysis,
					 &line, &merged, &needs_input);
	if (rc == FROMAUTH_OK && line) {
		fa_fix_add_owned(r, f, line);
		if (needs_input)
			f->fix_needs_input = 1;
	}
	if (rc == FROMAUTH_OK && merged) {
		/* RFC 7208 4.6.4: a merge past 10 lookups trades one
		 * failure for another; say so before it is published. */
		struct fa_spf_analysis *after = NULL;
		rc = fa_spf_analyze_record(&st->req, r->mail_from, merged, &after);
		if (rc != FROMAUTH_OK) {
			/* no count to tell */
		} else if (after->lookups > 10) {
			/* f may move once another finding is added: last use */
			fa_finding_add(r, "spf.lookup_limit", FROMAUTH_SEVERITY_WARNING,
				       "With the service added, the SPF record of %s would need %s%u DNS lookups, over RFC 7208's limit of 10: remove or flatten other includes first.",
				       r->mail_from, after->cut ? "at least " : "", after->lookups);
		} else {
			fa_finding_append(r, f, "With the fix the record uses %u of 10 DNS lookups.",
					  after->lookups);
		}
		fa_spf_analysis_free(after);
	}
	if (rc == FROMAUTH_E_NOMEM)
		r->nomem = 1;
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

	spf_record_findings(st);
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
		spf_authorize_fix(st, f);
		return;
	}
	if (res == FROMAUTH_SPF_NONE) {
		struct fa_finding *f = fa_finding_add(r, "spf.none", FROMAUTH_SEVERITY_ERROR,
			"%s has no SPF record, so the service's addresses are not authorized to send for it.",
			r->mail_from);
		spf_authorize_fix(st, f);
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
	spf_authorize_fix(st, f);
	/* Without an include the fix lists addresses that may change.  (f
	 * moves when spf_authorize_fix() adds a finding.) */
	if (f && !fromauth_profile_spf_include(st->profile))
		add_action(r, &r->findings[at], fa_remedy_action_spf_ranges(st->profile));
}
