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

	/* Every operation in order: a replacement is the deletion of the old
	 * record and the addition of the new one, so the rest of its set
	 * stays, as on the real zone.  Actions are not DNS: nothing to apply. */
	for (size_t i = 0; rc == FROMAUTH_OK && i < r->finding_count; i++) {
		const struct fa_finding *f = &r->findings[i];
		for (size_t j = 0; rc == FROMAUTH_OK && j < f->op_count; j++) {
			const struct fa_fix_op *op = &f->ops[j];
			if (op->op == FROMAUTH_FIX_ACTION)
				continue;
			if (f->fix_needs_input) {
				if (op->op != FROMAUTH_FIX_DELETE)
					rc = remember_not_applied(r, op->rr);
				continue;
			}
			char err[256];
			if (op->op == FROMAUTH_FIX_REPLACE || op->op == FROMAUTH_FIX_DELETE)
				rc = fa_dns_delete_record(layer, op->old ? op->old : op->rr,
							  err, sizeof(err));
			if (rc == FROMAUTH_OK && op->op != FROMAUTH_FIX_DELETE)
				rc = fa_dns_add_record(layer, op->rr, err, sizeof(err));
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
