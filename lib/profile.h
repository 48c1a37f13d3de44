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

#endif
