/* SPDX-License-Identifier: BSD-2-Clause */
/* Domains as users type them, and profile `allowed-from` patterns. */
#ifndef FROMAUTH_ADDRESS_H
#define FROMAUTH_ADDRESS_H

#include <stddef.h>

#include "fromauth/fromauth.h"

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF.  The one
 * UTF-8 check of the library. */
size_t fa_utf8_seq_len(const unsigned char *s, size_t n);

/* A domain as typed (UTF-8 or ASCII, optional trailing dot) to lower-case
 * A-labels, validated with fa_domain_check().  *out is malloc'd.
 * Returns 0, FROMAUTH_E_DOMAIN or FROMAUTH_E_NOMEM. */
int fa_domain_to_alabel(const char *domain, char **out,
			char *errbuf, size_t errlen);

/* Normalize one allowed-from pattern: "members.example" (any address at
 * that domain), "*.members.example" (any address below it, not at it) or
 * "news@members.example" (that address).  Domains become lower-case
 * A-labels; *out is malloc'd.  Returns 0, FROMAUTH_E_PROFILE or
 * FROMAUTH_E_NOMEM. */
int fa_pattern_normalize(const char *pattern, char **out,
			 char *errbuf, size_t errlen);

/* Does @addr match a pattern normalized by fa_pattern_normalize()?
 * Domains and (ASCII) local parts compare case-insensitively: mailbox
 * providers treat News@ and news@ as one mailbox, and a send-as rule that
 * told them apart would only produce false alarms. */
int fa_pattern_match_from(const char *pattern,
			  const struct fromauth_address *addr);

#endif
