/* SPDX-License-Identifier: BSD-2-Clause */
/* The DKIM findings of the check (SPEC section 3 step 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "findings.h"
#include "profile.h"
#include "remedy.h"

static void dkim_key_fix(struct fromauth_result *r, struct fa_finding *f,
			 const struct fromauth_dkim *k, const char *shown_target)
{
	if (!f)
		return;
	const char *target = fa_dkim_expected_target(k);
	if (target && fa_dkim_target_ok(k)) {
		/* The CNAME is already right: the key at the target is the
		 * service's to replace, and repeating the CNAME fixes nothing. */
		fa_finding_append(r, f, "%s._domainkey.%s is a CNAME to the service's key at %s as it should be, so the service must publish a usable key there.",
				  fromauth_dkim_selector(k), fromauth_dkim_domain(k), target);
		char *action = NULL;
		if (asprintf(&action, "Ask the service to publish a usable DKIM key at %s, where %s._domainkey.%s points.",
			     target, fromauth_dkim_selector(k), fromauth_dkim_domain(k)) < 0)
			action = NULL;
		if (!action || fa_finding_add_action(f, action) != FROMAUTH_OK)
			r->nomem = 1;
		free(action);
		return;
	}
	int needs_input = 0;
	fa_fix_add_owned(r, f, fa_remedy_dkim_key(k, shown_target, &needs_input));
	if (needs_input)
		f->fix_needs_input = 1;
}

/* What a key that is not valid is told as: the message is
 * lead SELECTOR._domainkey.DOMAIN mid detail tail. */
enum detail { D_NONE, D_SELECTOR, D_REASON, D_BITS, D_TARGET };

static const struct key_status {
	int status;             /* enum fromauth_dkim_status */
	const char *code;
	int severity;
	int fix;                /* the key record is ours to fix */
	const char *lead, *mid;
	enum detail detail;
	const char *tail;
} key_statuses[] = {
	{ FROMAUTH_DKIM_MISSING, "dkim.key_missing", FROMAUTH_SEVERITY_ERROR, 1,
	  "No DKIM key at ", ": mail signed with selector ", D_SELECTOR, " cannot be verified." },
	{ FROMAUTH_DKIM_INVALID, "dkim.key_invalid", FROMAUTH_SEVERITY_ERROR, 1,
	  "DKIM key ", ": ", D_REASON, "" },
	{ FROMAUTH_DKIM_REVOKED, "dkim.key_revoked", FROMAUTH_SEVERITY_ERROR, 1,
	  "The DKIM key at ", " is revoked (empty p=).", D_NONE, "" },
	{ FROMAUTH_DKIM_WEAK, "dkim.key_weak", FROMAUTH_SEVERITY_ERROR, 1,
	  "The DKIM key at ", " is ", D_BITS,
	  "-bit RSA; RFC 8301 says receivers must not accept keys under 1024 bits." },
	{ FROMAUTH_DKIM_MISMATCH, "dkim.key_mismatch", FROMAUTH_SEVERITY_ERROR, 1,
	  "", " does not point to the service's key at ", D_TARGET, "" },
	{ FROMAUTH_DKIM_TEMPERROR, "dkim.temperror", FROMAUTH_SEVERITY_WARNING, 0,
	  "The DKIM key at ", " could not be looked up: ", D_REASON, "" },
};

static const struct key_status *key_status_of(int status)
{
	for (size_t i = 0; i < FA_ARRAY_SIZE(key_statuses); i++)
		if (key_statuses[i].status == status)
			return &key_statuses[i];
	return NULL;
}

/* The finding (and fix) of key @k in status @ks. */
static void key_finding(struct eval_state *st, const struct key_status *ks,
			const struct fromauth_dkim *k, const char *shown)
{
	struct fromauth_result *r = st->r;
	if (!ks)
		return;
	if (ks->status == FROMAUTH_DKIM_TEMPERROR)
		st->dkim_temperror = 1;
	const char *target = fa_dkim_expected_target(k);
	char *detail = NULL;
	int n = 0;
	switch (ks->detail) {
	case D_NONE: n = asprintf(&detail, "%s", ""); break;
	case D_SELECTOR: n = asprintf(&detail, "%s", fromauth_dkim_selector(k)); break;
	case D_REASON: n = asprintf(&detail, "%s", fromauth_dkim_reason(k)); break;
	case D_BITS: n = asprintf(&detail, "%u", fromauth_dkim_key_bits(k)); break;
	case D_TARGET:
		n = asprintf(&detail, "%s: %s", shown ? shown : target ? target : "(none)",
			     fromauth_dkim_reason(k));
		break;
	}
	if (n < 0) {
		r->nomem = 1;
		return;
	}
	struct fa_finding *f = fa_finding_add(r, ks->code, ks->severity, "%s%s._domainkey.%s%s%s%s",
					      ks->lead, fromauth_dkim_selector(k),
					      fromauth_dkim_domain(k), ks->mid, detail, ks->tail);
	free(detail);
	if (ks->fix)
		dkim_key_fix(r, f, k, shown);
}

/* A valid key of the service's own domain: only the service can sign
 * as the customer's, so the fix is what to set up there. */
static void unaligned_finding(struct fromauth_result *r, const struct fromauth_profile *p,
			      const struct fromauth_dkim *k)
{
	const char *dom = fromauth_dkim_domain(k);
	struct fa_finding *f = fa_finding_add(r, "dkim.unaligned", FROMAUTH_SEVERITY_WARNING,
		"DKIM key %s._domainkey.%s is valid, but %s is not aligned with %s, so its signatures do not count for DMARC.",
		fromauth_dkim_selector(k), dom, dom, r->domain);
	char *action = fa_remedy_action_dkim(p, r->domain, r->from, 1);
	if (!f || !action || fa_finding_add_action(f, action) != FROMAUTH_OK)
		r->nomem = 1;
	free(action);
}

/* t=y on a key: a record the customer publishes (no CNAME to the
 * service, in the From's organizational domain) is replaced without the
 * flag; a key the service hosts is the service's to change. */
static void testing_finding(struct fromauth_result *r, const struct fromauth_dkim *k, int own)
{
	const char *sel = fromauth_dkim_selector(k), *dom = fromauth_dkim_domain(k);
	const char *text = fromauth_dkim_record(k);
	struct fa_finding *f = fa_finding_add(r, "dkim.testing", FROMAUTH_SEVERITY_WARNING,
		"DKIM key %s._domainkey.%s is in testing mode (t=y); remove the flag once signing works.",
		sel, dom);
	if (!f)
		return;
	char *fixed = NULL;
	if (own && fromauth_dkim_cname_count(k) == 0 && text && !strchr(text, '\\'))
		fixed = fa_remedy_dkim_untested(text);
	if (!fixed) {
		if (fromauth_dkim_cname_count(k) > 0) {
			char *action = NULL;
			if (asprintf(&action, "Ask the service to publish its key for %s._domainkey.%s (your CNAME points to it) without t=y.",
				     sel, dom) < 0)
				action = NULL;
			if (!action || fa_finding_add_action(f, action) != FROMAUTH_OK)
				r->nomem = 1;
			free(action);
		}
		return;
	}
	char owner[600];
	snprintf(owner, sizeof(owner), "%s._domainkey.%s", sel, dom);
	char *old = fa_txt_rr_line(owner, text), *line = fa_txt_rr_line(owner, fixed);
	if (!old || !line || fa_finding_add_replace(f, old, line) != FROMAUTH_OK)
		r->nomem = 1;
	free(old);
	free(line);
	free(fixed);
}

void fa_findings_dkim(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	/* Identities that lack a parameter are reported on their own. */
	int open_dkim = 0;
	for (size_t i = 0; i < fa_profile_open_count(st->profile); i++)
		open_dkim |= fa_profile_open(st->profile, i)->kind == FA_OPEN_DKIM;
	if (r->dkim_count == 0 && open_dkim)
		return;
	if (r->dkim_count == 0) {
		struct fa_finding *f = fa_finding_add(r, "dkim.none", FROMAUTH_SEVERITY_WARNING,
			       "The service profile names no DKIM identity: the service does not sign mail for %s, so DMARC can only pass through SPF.",
			       r->domain);
		char *action = fa_remedy_action_dkim(st->profile, r->domain, r->from, 0);
		if (!f || !action || fa_finding_add_action(f, action) != FROMAUTH_OK)
			r->nomem = 1;
		free(action);
		return;
	}
	for (size_t i = 0; i < r->dkim_count; i++) {
		const struct fromauth_dkim *k = r->dkim[i].key;
		const char *sel = fromauth_dkim_selector(k), *dom = fromauth_dkim_domain(k);
		const char *disp = fa_profile_dkim_target_display(st->profile, i);
		char *shown = disp ? fa_profile_expand(disp, r->domain) : NULL;
		switch (fromauth_dkim_status(k)) {
		case FROMAUTH_DKIM_VALID:
			if (r->dkim[i].aligned == 1)
				fa_finding_add(r, "dkim.pass", FROMAUTH_SEVERITY_INFO,
					       "DKIM key %s._domainkey.%s is valid (%s, %u bits) and aligned with %s.",
					       sel, dom, fromauth_dkim_key_type(k), fromauth_dkim_key_bits(k),
					       r->domain);
			else if (r->dkim[i].aligned == 0)
				unaligned_finding(r, st->profile, k);
			if (fa_dkim_key_short(k))
				fa_finding_add(r, "dkim.key_short", FROMAUTH_SEVERITY_INFO,
					       "DKIM key %s._domainkey.%s is %u-bit RSA: it works, but 2048 bits is advised.",
					       sel, dom, fromauth_dkim_key_bits(k));
			if (fromauth_dkim_testing(k))
				testing_finding(r, k, r->dkim[i].aligned == 1);
			break;
		default:
			key_finding(st, key_status_of(fromauth_dkim_status(k)), k, shown);
			break;
		}
		free(shown);
	}
}
