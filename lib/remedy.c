/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Self-verified remediation (SPEC section 3 step 8): publish every
 * concrete fix on an overlay layer over the context, for the check to run
 * the same evaluation again on it.  The layer shares the context's cache,
 * so the second run asks the network only for what the fixes changed.
 */
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "dns.h"

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

int fa_remedy_layer(struct fa_dns *dns, struct fromauth_result *r, struct fa_dns **out)
{
	struct fa_dns *layer = NULL;
	*out = NULL;
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
	if (rc) {
		fa_dns_free(layer);
		return rc;
	}
	*out = layer;
	return FROMAUTH_OK;
}
