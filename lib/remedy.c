/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Self-verified remediation (SPEC section 3 step 8): publish every
 * concrete fix on an overlay layer over the context and run the same
 * evaluation again.  The layer shares the context's cache, so the second
 * run asks the network only for what the fixes changed.
 */
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "dns-internal.h"

static int remember_not_applied(struct fromauth_result *r, const char *line)
{
	char **l = realloc(r->fixes_not_applied,
			   (r->fixes_not_applied_count + 1) * sizeof(*l));
	if (!l)
		return FROMAUTH_E_NOMEM;
	r->fixes_not_applied = l;
	if (!(l[r->fixes_not_applied_count] = strdup(line)))
		return FROMAUTH_E_NOMEM;
	r->fixes_not_applied_count++;
	return FROMAUTH_OK;
}

static int has_finding(const struct fromauth_result *r, const char *code)
{
	for (size_t i = 0; i < r->finding_count; i++)
		if (!strcmp(r->findings[i].code, code))
			return 1;
	return 0;
}

int fa_remedy(struct fa_dns *dns, struct fa_pool *pool, const struct fromauth_profile *profile,
	      const struct fromauth_address *addr, struct fromauth_result *r,
	      uint64_t deadline_ms)
{
	struct fa_dns *layer = NULL;
	int rc = fa_dns_clone_overlay(dns, &layer);
	if (rc)
		return rc;

	for (size_t i = 0; rc == FROMAUTH_OK && i < r->finding_count; i++) {
		const struct fa_finding *f = &r->findings[i];
		for (size_t j = 0; rc == FROMAUTH_OK && j < f->fix_count; j++) {
			if (f->fix_needs_input) {
				rc = remember_not_applied(r, f->fix[j]);
				continue;
			}
			char err[256];
			rc = fa_dns_add_record(layer, f->fix[j], err, sizeof(err));
			/* Our own fix lines must parse: a failure is our bug. */
			if (rc == FROMAUTH_E_RECORD)
				rc = FROMAUTH_E_INTERNAL;
		}
	}

	struct fromauth_result *again = NULL;
	if (rc == FROMAUTH_OK && !(again = fa_result_new()))
		rc = FROMAUTH_E_NOMEM;
	if (rc == FROMAUTH_OK) {
		again->from = strdup(r->from);
		again->domain = strdup(r->domain);
		again->service = strdup(r->service ? r->service : "");
		if (!again->from || !again->domain || !again->service)
			rc = FROMAUTH_E_NOMEM;
	}
	if (rc == FROMAUTH_OK)
		rc = fa_check_evaluate(layer, pool, profile, addr, again, deadline_ms, NULL, 0);
	if (rc == FROMAUTH_OK) {
		r->fixed_verdict = again->verdict;
		/* No fix creates a domain that does not exist.  Records below
		 * it (a DKIM key, _dmarc) only make it an empty non-terminal,
		 * which the second run no longer calls NXDOMAIN, yet receivers
		 * still find no A, AAAA or MX for it. */
		if (has_finding(r, "domain.nxdomain"))
			r->fixed_verdict = FROMAUTH_VERDICT_FAIL;
		/* The remediation's DNS work counts toward the check's. */
		r->dns_queries += again->dns_queries;
		r->cache_hits += again->cache_hits;
	}
	fromauth_result_free(again);
	fa_dns_free(layer);
	return rc;
}
