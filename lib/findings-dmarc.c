/* SPDX-License-Identifier: BSD-2-Clause */
/* The DMARC findings of the check (SPEC section 3 step 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "findings.h"
#include "remedy.h"


/* The record at _dmarc.@rec_dom with @text, as a replacement by its
 * corrected form on @f; 1 when one was added. */
static int dmarc_replace_fix(struct fromauth_result *r, struct fa_finding *f,
			     const char *rec_dom, const char *text, int drop_testing)
{
	/* The text shows odd bytes escaped: then it is not the record's. */
	if (!f || !*rec_dom || strchr(text, '\\'))
		return 0;
	char *fixed = fa_remedy_dmarc_corrected(text, drop_testing);
	if (!fixed)
		return 0;
	char owner[300];
	snprintf(owner, sizeof(owner), "_dmarc.%s", rec_dom);
	char *old = fa_txt_rr_line(owner, text), *line = fa_txt_rr_line(owner, fixed);
	if (!old || !line || fa_finding_add_replace(f, old, line) != FROMAUTH_OK)
		r->nomem = 1;
	free(old);
	free(line);
	free(fixed);
	return 1;
}

void fa_findings_dmarc(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	const struct fromauth_dmarc *d = r->dmarc;
	const char *rec_dom = fromauth_dmarc_record_domain(d);

	if (fa_dmarc_temperror(d)) {
		fa_finding_add(r, "dmarc.temperror", FROMAUTH_SEVERITY_ERROR,
			       "The DMARC record of %s could not be looked up (DNS timeout or server failure); try again later.",
			       r->domain);
		return;
	}
	if (fa_dmarc_record_count(d) > 1) {
		struct fa_finding *f = fa_finding_add(r, "dmarc.multiple", FROMAUTH_SEVERITY_ERROR,
			       "_dmarc.%s has %zu DMARC records; receivers ignore them all. Delete all but one.",
			       fa_dmarc_multiple_domain(d) ? fa_dmarc_multiple_domain(d) : r->domain,
			       fa_dmarc_record_count(d));
		fa_remedy_dmarc_duplicates(r, f, d);
	} else if (fa_dmarc_record_count(d) == 0) {
		/* A starting record at the organizational domain covers
		 * subdomains too; p=none only asks for reports. */
		const char *at = r->org_domain && *r->org_domain ? r->org_domain : r->domain;
		struct fa_finding *f = fa_finding_add(r, "dmarc.none", FROMAUTH_SEVERITY_WARNING,
			"%s has no DMARC record, so receivers apply their own rules to mail from it; publish one, starting with p=none.",
			r->domain);
		/* A record written wrongly ("v=dmarc1; p=reject") is the one
		 * meant: correct it, policy and all, rather than add another. */
		const char *la_at = NULL, *la = fa_dmarc_lookalike(d, &la_at);
		char *fixed = la && f ? fa_remedy_dmarc_corrected(la, 0) : NULL;
		if (fixed) {
			char owner[300];
			snprintf(owner, sizeof(owner), "_dmarc.%s", la_at);
			char *old = fa_txt_rr_line(owner, la), *line = fa_txt_rr_line(owner, fixed);
			if (!old || !line || fa_finding_add_replace(f, old, line) != FROMAUTH_OK)
				r->nomem = 1;
			free(old);
			free(line);
			free(fixed);
			fa_finding_append(r, f, "The TXT record at _dmarc.%s is meant to be one: correct it as below instead.",
					  la_at);
		} else {
			fa_fix_add_owned(r, f, fa_remedy_dmarc_start(at));
		}
	}
	/* Problems of an ignored look-alike record name their own place.
	 * The first finding carries the corrected record, for them all. */
	const char *text = fromauth_dmarc_record(d);
	int corrected = 0;
	for (size_t i = 0; i < fa_dmarc_problem_count(d); i++) {
		const char *problem = fa_dmarc_problem(d, i);
		size_t plen = strlen(problem);
		struct fa_finding *f = fa_finding_add(r, "dmarc.syntax",
			       st->dmarc_valid ? FROMAUTH_SEVERITY_WARNING : FROMAUTH_SEVERITY_ERROR,
			       "%s%s%s%s%s", *rec_dom ? "DMARC record at _dmarc." : "", rec_dom,
			       *rec_dom ? ": " : "", problem,
			       plen && problem[plen - 1] != '.' ? "." : "");
		if (!corrected && fa_dmarc_record_count(d) == 1 && text && *text &&
		    dmarc_replace_fix(r, f, rec_dom, text, 0)) {
			corrected = 1;
			fa_finding_append(r, f, "The record below corrects every problem of the record and keeps its policy.");
		}
	}
	if (!st->dmarc_valid)
		return;

	int policy = fromauth_dmarc_policy(d);
	if (policy == FROMAUTH_DMARC_POLICY_NONE)
		fa_finding_add(r, "dmarc.policy_none", FROMAUTH_SEVERITY_INFO,
			       "The DMARC policy for %s is none (%s=none at _dmarc.%s): receivers report but do not act on failing mail.",
			       r->domain, fa_dmarc_policy_tag(d), rec_dom);
	int pct = fa_dmarc_pct(d);
	if (pct >= 0 && pct < 100)
		fa_finding_add(r, "dmarc.pct", FROMAUTH_SEVERITY_INFO,
			       "The DMARC record at _dmarc.%s has pct=%d; RFC 9989 receivers ignore pct and apply the policy to all mail.",
			       rec_dom, pct);
	if (fa_dmarc_testing(d)) {
		struct fa_finding *f = fa_finding_add(r, "dmarc.testing", FROMAUTH_SEVERITY_INFO,
			       "The DMARC record at _dmarc.%s has t=y (testing): RFC 9989 receivers apply one step less than %s.",
			       rec_dom, fromauth_dmarc_policy_name(policy));
		/* After the syntax fix, not beside it: both would replace
		 * the same record. */
		if (corrected)
			fa_finding_append(r, f, "Drop t=y from the corrected record once mail passes.");
		else if (dmarc_replace_fix(r, f, rec_dom, text, 1))
			fa_finding_append(r, f, "Drop it once mail passes, as below.");
	}
	if (fa_dmarc_discovery_differs(d))
		fa_finding_add(r, "dmarc.discovery_differs", FROMAUTH_SEVERITY_WARNING,
			       "%s", fa_dmarc_discovery_differs(d));
	for (size_t i = 0; i < fa_dmarc_unauthorized_count(d); i++) {
		struct fa_finding *f = fa_finding_add(r, "dmarc.rua_unauthorized", FROMAUTH_SEVERITY_WARNING,
			"Reports for %s go to %s, outside the domain, which has not authorized them; the owner of %s must publish the record below.",
			rec_dom, fa_dmarc_unauthorized(d, i), fa_dmarc_unauthorized_host(d, i));
		fa_fix_add_owned(r, f, fa_remedy_dmarc_authorize(fa_dmarc_authorization_name(d, i)));
	}
}
