/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Findings from the service's own rules (see service.h).  The texts the
 * provider shows (send-as-error), the admin step (send-as-grant) and the
 * rewritten From come from the profile, so each names its source there;
 * a rule whose source is UNCONFIRMED says so in its message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "profile.h"
#include "remedy.h"
#include "service.h"

static int add_line(struct fa_finding *f, const char *owner, const char *type,
		    const char *rdata, int needs_input)
{
	char *line = NULL;
	if (!f || !(line = fa_rr_line(owner, type, rdata)))
		return FROMAUTH_E_NOMEM;
	int rc = fa_finding_add_fix(f, line);
	free(line);
	if (needs_input)
		f->fix_needs_input = 1;
	return rc;
}

/* Add @text (malloc'd, NULL after a failed allocation) as an action. */
static void add_action(struct fromauth_result *r, struct fa_finding *f, char *text)
{
	if (!f || !text || fa_finding_add_action(f, text) != FROMAUTH_OK)
		r->nomem = 1;
	free(text);
}

static const char *unconfirmed_note(const struct fromauth_profile *p, const char *key)
{
	return fa_profile_unconfirmed(p, key)
	       ? " (Unconfirmed: the service's documentation does not state this rule.)" : "";
}

/* Does @addr match one of the comma-separated address patterns? */
static int matches_list(const char *list, const struct fromauth_address *addr)
{
	int hit = 0;
	char *copy = list ? strdup(list) : NULL, *save = NULL;
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !hit;
	     t = strtok_r(NULL, ",", &save)) {
		char *pat = NULL;
		if (fa_pattern_normalize(t, &pat, NULL, 0) == FROMAUTH_OK)
			hit = fa_pattern_match_from(pat, addr);
		free(pat);
	}
	free(copy);
	return hit;
}

int fa_service_send_as(const struct fromauth_profile *p, const struct fromauth_address *addr,
		       struct fromauth_result *r)
{
	const char *name = fromauth_profile_name(p);
	int kind = fa_profile_send_as(p);
	int listed = fromauth_profile_allowed_from_count(p) > 0 && fa_profile_allows_from(p, addr);
	char *err = fa_profile_text(p, "send-as-error", r->from, fromauth_address_local(addr),
				    r->domain);
	char *grant = fa_profile_text(p, "send-as-grant", r->from, fromauth_address_local(addr),
				      r->domain);
	const char *note = unconfirmed_note(p, "send-as");
	struct fa_finding *f = NULL;
	int denied = 0;
	/* " The provider answers "...". " or nothing when it is not known. */
	char said[512] = "";
	if (err)
		snprintf(said, sizeof(said), " The provider answers \"%s\"%s.", err,
			 fa_profile_unconfirmed(p, "send-as-error") ? " (unconfirmed text)" : "");

	if (kind == FA_SEND_AS_MAILBOX) {
		const char *login = fa_profile_param(p, "login");
		if (listed || matches_list(fa_profile_param(p, "granted"), addr)) {
			/* Declared as granted: nothing to say. */
		} else if (!login) {
			fa_finding_add(r, "service.send_as_unchecked", FROMAUTH_SEVERITY_INFO,
				       "%s sends as %s only if the mailbox that signs in is %s or may send as it (a shared mailbox, a group or another user's address needs that permission); set the parameter login to that mailbox to check it.%s To allow it: %s%s",
				       name, r->from, r->from, said,
				       grant ? grant : "ask the provider's administrator", note);
		} else if (!matches_list(login, addr)) {
			denied = 1;
			f = fa_finding_add(r, "service.send_as_denied", FROMAUTH_SEVERITY_ERROR,
				       "%s will not send this mail as %s: the mailbox signing in is %s, and %s is another address (a shared mailbox, a group or another user's mailbox) it is not declared to have permission for (parameter granted).%s To allow it: %s%s",
				       name, r->from, login, r->from, said,
				       grant ? grant : "ask the provider's administrator", note);
		}
	} else if (fromauth_profile_allowed_from_count(p) > 0 && !listed) {
		denied = 1;
		if (kind == FA_SEND_AS_ANY)
			f = fa_finding_add(r, "service.send_as_denied", FROMAUTH_SEVERITY_ERROR,
				       "The service profile does not let this account send as %s; add the address or its domain to allowed-from at the service.",
				       r->from);
		else
			f = fa_finding_add(r, "service.send_as_denied", FROMAUTH_SEVERITY_ERROR,
				       "%s sends only from %s verified in the account, and %s is not among those declared (allowed-from).%s To allow it: %s%s",
				       name, kind == FA_SEND_AS_VERIFIED_DOMAIN ? "domains or addresses" : "addresses",
				       r->from, said,
				       grant ? grant : "verify the address or its domain at the service", note);
	}
	if (denied)
		add_action(r, f, fa_remedy_action_send_as(p, r->from, fromauth_address_local(addr),
							  r->domain));
	free(err);
	free(grant);
	return denied;
}

static const char *describe(const struct fromauth_profile *p, const char *missing)
{
	/* The first missing parameter's description, for the message. */
	for (size_t i = 0; i < fromauth_profile_param_count(p); i++) {
		const char *n = fromauth_profile_param_name(p, i);
		size_t l = strlen(n);
		if (!strncmp(missing, n, l) && (missing[l] == '\0' || missing[l] == ','))
			return fromauth_profile_param_description(p, i);
	}
	return "";
}

int fa_service_open_ip(const struct fromauth_profile *p, struct fromauth_result *r)
{
	const struct fa_open_item *it = NULL;
	for (size_t i = 0; i < fa_profile_open_count(p) && !it; i++)
		if (fa_profile_open(p, i)->kind == FA_OPEN_IP)
			it = fa_profile_open(p, i);
	if (!it)
		return 0;
	struct fa_finding *f = fa_finding_add(r, "service.param_missing", FROMAUTH_SEVERITY_ERROR,
		"%s sends from an address given per account, so SPF at %s could not be checked: set the parameter %s (%s) and check again. Until the address is in the SPF record, SPF does not pass for it.",
		fromauth_profile_name(p), r->mail_from, it->missing, describe(p, it->missing));
	/* Merge a stand-in address the usual way, then show the placeholder
	 * in its place: the record keeps its terms and its all. */
	static const char stand_in[] = "192.0.2.255";
	char *merged = NULL, *term = NULL;
	const char *rec = r->spf_analysis && r->spf_analysis->record_count == 1
			  ? r->spf_analysis->record : NULL;
	if (f && (!r->spf_analysis || r->spf_analysis->record_count <= 1) &&
	    fa_spf_merge_include(rec, "ip4:192.0.2.255", &merged) == FROMAUTH_OK &&
	    asprintf(&term, "<%s>", it->missing) >= 0) {
		char *at = strstr(merged, stand_in);
		char *shown = NULL;
		if (at && asprintf(&shown, "%.*s%s%s", (int)(at - merged), merged, term,
				   at + strlen(stand_in)) >= 0) {
			char *line = fa_txt_rr_line(r->mail_from, shown);
			if (line)
				fa_finding_add_fix(f, line);
			free(line);
			f->fix_needs_input = 1;
		}
		free(shown);
	}
	free(term);
	free(merged);
	return 1;
}

void fa_service_open_items(const struct fromauth_profile *p, struct fromauth_result *r)
{
	const char *name = fromauth_profile_name(p);
	for (size_t i = 0; i < fa_profile_open_count(p); i++) {
		const struct fa_open_item *it = fa_profile_open(p, i);
		struct fa_finding *f;
		if (it->kind == FA_OPEN_DKIM) {
			char *dom = fa_profile_expand(it->domain, r->domain);
			char *target = it->target ? fa_profile_expand(it->target, r->domain) : NULL;
			char owner[600];
			snprintf(owner, sizeof(owner), "%s._domainkey.%s", it->selector,
				 dom ? dom : it->domain);
			f = fa_finding_add(r, "service.param_missing", FROMAUTH_SEVERITY_WARNING,
				"%s signs with the DKIM key at %s, whose name depends on the parameter %s (%s); set it to check the key. Until then DKIM is not counted for %s.",
				name, owner, it->missing, describe(p, it->missing), r->domain);
			if (target) {
				char rdata[300];
				snprintf(rdata, sizeof(rdata), "%s.", target);
				add_line(f, owner, "CNAME", rdata, 1);
			} else if (f) {
				char *line = fa_remedy_dkim_placeholder(owner);
				if (line)
					fa_finding_add_fix(f, line);
				free(line);
				f->fix_needs_input = 1;
			}
			free(dom);
			free(target);
		} else if (it->kind == FA_OPEN_MAIL_FROM) {
			f = fa_finding_add(r, "service.param_missing", FROMAUTH_SEVERITY_WARNING,
				"%s sends with the return-path (MAIL FROM) domain %s, which depends on the parameter %s (%s); SPF could not be checked, so only DKIM can pass DMARC here. Set it to check SPF.",
				name, r->mail_from, it->missing, describe(p, it->missing));
			const char *t = fromauth_profile_mail_from_target(p);
			char *target = t ? fa_profile_expand(t, r->domain) : NULL;
			if (target && fa_domain_is_within(r->mail_from, r->domain)) {
				char rdata[300];
				snprintf(rdata, sizeof(rdata), "%s.", target);
				add_line(f, r->mail_from, "CNAME", rdata, 1);
			}
			free(target);
		}
	}
}

int fa_service_mail_from_mx(const struct fromauth_profile *p, struct fromauth_result *r,
			    struct fa_dns_req *req)
{
	const char *mx = fa_profile_mail_from_mx(p);
	if (!mx || r->mail_from_outside || fa_profile_mail_from_open(p))
		return FROMAUTH_OK;
	char *host = fa_profile_expand(mx, r->domain);
	if (!host)
		return FROMAUTH_E_NOMEM;
	struct fa_dns_answer *a = NULL;
	int rc = fa_dns_query(req, r->mail_from, FA_RR_MX, &a, NULL);
	if (rc) {
		free(host);
		return rc;
	}
	int open = fa_profile_mail_from_mx_needs_input(p);
	int found = 0;
	/* With a per-account host any MX counts: the name cannot be compared. */
	for (size_t i = 0; a->status == FA_DNS_OK && i < a->count && !found; i++) {
		found = open || !strcmp((const char *)a->rrs[i].data, host);
	}
	if (fa_dns_status_is_temporary(a->status)) {
		fa_finding_add(r, "service.mail_from_mx", FROMAUTH_SEVERITY_WARNING,
			       "The MX record of %s could not be looked up; try again later.",
			       r->mail_from);
	} else if (!found) {
		struct fa_finding *f = fa_finding_add(r, "service.mail_from_mx", FROMAUTH_SEVERITY_ERROR,
			"%s uses %s as MAIL FROM domain only when it has the MX record %s; without it the service falls back to its own domain (SPF then does not align) or refuses to send.",
			fromauth_profile_name(p), r->mail_from, host);
		char rdata[300];
		snprintf(rdata, sizeof(rdata), "10 %s.", host);
		add_line(f, r->mail_from, "MX", rdata, open);
	}
	fa_dns_answer_release(a);
	free(host);
	return FROMAUTH_OK;
}

void fa_service_outcome(const struct fromauth_profile *p, struct fromauth_result *r,
			int dmarc_valid, int hard_fail)
{
	const char *name = fromauth_profile_name(p);
	int how = fa_profile_unauth(p);
	int need_dmarc = fa_profile_auth_dmarc(p);
	int authenticated = r->dkim_aligned && (!need_dmarc || dmarc_valid);
	struct fa_finding *f = NULL;

	if (!authenticated && (how == FA_UNAUTH_REWRITE || how == FA_UNAUTH_REFUSE)) {
		char why[256];
		if (!r->dkim_aligned)
			snprintf(why, sizeof(why), "%s has no valid DKIM key of the service aligned with it%s",
				 r->domain, need_dmarc && !dmarc_valid ? " and no valid DMARC record" : "");
		else
			snprintf(why, sizeof(why), "%s has the service's DKIM key but no valid DMARC record",
				 r->domain);
		const char *note = unconfirmed_note(p, "unauthenticated-from");
		if (how == FA_UNAUTH_REWRITE) {
			const char *at = strchr(r->from, '@');
			char local[128];
			snprintf(local, sizeof(local), "%.*s", at ? (int)(at - r->from) : 0, r->from);
			char *to = fa_profile_text(p, "rewrite", r->from, local, r->domain);
			f = fa_finding_add(r, "service.from_rewritten", FROMAUTH_SEVERITY_WARNING,
				       "%s will not send this mail From %s: %s, so it replaces the From with %s. The mail arrives, but From that address, not the one you typed, and the DMARC policy of %s does not apply to it; publish the records of the DKIM%s findings to keep the From.%s",
				       name, r->from, why, to ? to : "an address of its own", r->domain,
				       need_dmarc ? " and DMARC" : "", note);
			free(to);
			/* Delivered, under the service's address: not a pass for
			 * this From, and D's DMARC no longer applies to it. */
			if (!hard_fail && r->verdict != FROMAUTH_VERDICT_UNKNOWN)
				r->verdict = FROMAUTH_VERDICT_AT_RISK;
		} else {
			f = fa_finding_add(r, "service.from_refused", FROMAUTH_SEVERITY_ERROR,
				       "%s refuses to send From %s: %s. Publish the records of the DKIM findings.%s",
				       name, r->from, why, note);
			r->verdict = FROMAUTH_VERDICT_FAIL;
		}
		/* The service must sign as the domain; a missing DMARC record
		 * alone is the DMARC findings' DNS fix. */
		if (!r->dkim_aligned)
			add_action(r, f, fa_remedy_action_dkim(p, r->domain, r->from, 1));
	}

	/* Facts the result relies on that no source confirms. */
	for (size_t i = 0; i < fromauth_profile_source_count(p); i++) {
		if (strcmp(fromauth_profile_source_status(p, i), "UNCONFIRMED"))
			continue;
		fa_finding_add(r, "service.unconfirmed", FROMAUTH_SEVERITY_INFO,
			       "Unconfirmed: the catalogue entry for %s states '%s' without a source that confirms it (%s); the result assumes it.",
			       name, fromauth_profile_source_key(p, i),
			       fromauth_profile_source_reference(p, i));
	}
}
