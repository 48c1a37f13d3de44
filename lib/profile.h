/* SPDX-License-Identifier: BSD-2-Clause */
/* What the check reads from a service profile beyond the public getters. */
#ifndef FROMAUTH_PROFILE_H
#define FROMAUTH_PROFILE_H

#include <stddef.h>

#include "cidr.h"
#include "fromauth/fromauth.h"

/* The parsed `ip` ranges, in profile order (fromauth_profile_ip(i) is the
 * text of element i).  NULL with *count 0 when there are none. */
const struct fa_cidr *fa_profile_ranges(const struct fromauth_profile *profile,
					size_t *count);

/* @template with every "{domain}" replaced by @domain; malloc'd, NULL on
 * allocation failure.  A template without the placeholder is copied. */
char *fa_profile_expand(const char *template, const char *domain);

/* Send-as (SPEC 3 step 1): 1 when the profile has no allowed-from or
 * @addr matches one of its patterns, else 0. */
int fa_profile_allows_from(const struct fromauth_profile *profile,
			   const struct fromauth_address *addr);

/* ---- catalogue additions (fromauth.profile(5)) ---- */

enum fa_send_as {
	FA_SEND_AS_ANY = 0,
	FA_SEND_AS_VERIFIED_DOMAIN,
	FA_SEND_AS_VERIFIED_ADDRESS,
	FA_SEND_AS_MAILBOX,
};

enum fa_unauth {
	FA_UNAUTH_UNSTATED = 0,
	FA_UNAUTH_REFUSE,
	FA_UNAUTH_UNALIGNED,
	FA_UNAUTH_REWRITE,
};

enum fa_open_kind { FA_OPEN_DKIM, FA_OPEN_MAIL_FROM, FA_OPEN_IP };

/* Something the check cannot look up because a parameter has no value. */
struct fa_open_item {
	int kind;               /* enum fa_open_kind */
	char *missing;          /* the parameters without value, "a, b" */
	char *selector;         /* DKIM: display forms with <name> */
	char *domain;
	char *target;           /* or NULL */
};

/* A copy of @profile with every parameter that has a value (or default)
 * filled in.  What still lacks one is left out and listed as open items;
 * a DKIM target that lacks one becomes a list of fnmatch(3) patterns
 * ("a*.example,b*.example").  The copy is for one check; free it with
 * fromauth_profile_free(). */
int fa_profile_resolve(const struct fromauth_profile *profile,
		       struct fromauth_profile **out);

/* The resolved copy of @profile, shared: made on first use and kept on
 * the profile until fromauth_profile_set(), fromauth_profile_set_param()
 * or fromauth_profile_free().  Thread safe; release it with
 * fa_profile_resolved_put(). */
int fa_profile_resolved_get(const struct fromauth_profile *profile,
			    const struct fromauth_profile **out);
void fa_profile_resolved_put(const struct fromauth_profile *resolved);

size_t fa_profile_open_count(const struct fromauth_profile *profile);
const struct fa_open_item *fa_profile_open(const struct fromauth_profile *profile, size_t i);
/* Display form of a mail-from that lacks a parameter, else NULL. */
const char *fa_profile_mail_from_open(const struct fromauth_profile *profile);
/* mail-from-target holds a <name> placeholder: its fix needs input. */
int fa_profile_mail_from_target_needs_input(const struct fromauth_profile *profile);
/* mail-from-mx holds a <name> placeholder. */
int fa_profile_mail_from_mx_needs_input(const struct fromauth_profile *profile);
/* DKIM target of identity @i with <name> placeholders, or NULL when it is
 * concrete. */
const char *fa_profile_dkim_target_display(const struct fromauth_profile *profile, size_t i);
const char *fa_profile_mail_from_mx(const struct fromauth_profile *profile);
int fa_profile_send_as(const struct fromauth_profile *profile);
int fa_profile_unauth(const struct fromauth_profile *profile);
int fa_profile_auth_dmarc(const struct fromauth_profile *profile);
/* Value (or default) of parameter @name, or NULL. */
const char *fa_profile_param(const struct fromauth_profile *profile, const char *name);
/* Free text of the profile (send-as-error, send-as-grant, action-dkim,
 * action-return-path, the rewrite pattern; @which is the key) with
 * {from}, {local}, {domain}, {login} and parameters filled in (<name>
 * when unset); malloc'd, NULL if the key is not set or on allocation
 * failure. */
char *fa_profile_text(const struct fromauth_profile *profile, const char *which,
		      const char *from, const char *local, const char *domain);
/* 1 when every source of the fact @key is marked UNCONFIRMED. */
int fa_profile_unconfirmed(const struct fromauth_profile *profile, const char *key);

#endif
