/* SPDX-License-Identifier: BSD-2-Clause */
/* Message verification (SPEC section 10), the check floor. */
#ifndef FROMAUTH_VERIFY_H
#define FROMAUTH_VERIFY_H

#include <stddef.h>

#include "fromauth/fromauth.h"

/* fromauth_verify() with DKIM's clock at @now (seconds since the epoch;
 * 0 = the current time), so tests can verify old, signed vectors. */
int fa_verify_at(struct fromauth_ctx *ctx, const char *message, size_t len,
		 const char *ip, const char *helo, const char *mail_from,
		 const char *authserv_id, unsigned int flags, long long now,
		 struct fromauth_verify **out, char *errbuf, size_t errlen);

#endif
