/* SPDX-License-Identifier: BSD-2-Clause */
/* The DMARC findings of the check (SPEC section 3 step 3). */
#include <stddef.h>

#include "dmarc.h"
#include "findings.h"
#include "remedy.h"

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
		fa_fix_add_owned(r, f, fa_remedy_dmarc_start(at));
	}
	/* Problems of an ignored look-alike record name their own place. */
	for (size_t i = 0; i < fa_dmarc_problem_count(d); i++)
		fa_finding_add(r, "dmarc.syntax",
			       st->dmarc_valid ? FROMAUTH_SEVERITY_WARNING : FROMAUTH_SEVERITY_ERROR,
			       "%s%s%s%s", *rec_dom ? "DMARC record at _dmarc." : "", rec_dom,
			       *rec_dom ? ": " : "", fa_dmarc_problem(d, i));
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
	if (fa_dmarc_testing(d))
		fa_finding_add(r, "dmarc.testing", FROMAUTH_SEVERITY_INFO,
			       "The DMARC record at _dmarc.%s has t=y (testing): RFC 9989 receivers apply one step less than %s.",
			       rec_dom, fromauth_dmarc_policy_name(policy));
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
