/* SPDX-License-Identifier: BSD-2-Clause */
/* DKIM key adapter: libopendkim with our DNS (only lib/dkim.c includes
 * OpenDKIM's headers). */
#ifndef FROMAUTH_DKIM_H
#define FROMAUTH_DKIM_H

#include <stddef.h>

#include "dns.h"
#include "private.h"

struct json_object;

/* Test the key of one identity; struct fromauth_dkim is defined in dkim.c
 * and read through the public fromauth_dkim_* accessors. */
int fa_dkim_eval(struct fa_dns_req *req, const char *selector,
		 const char *domain, const char *expected_target,
		 struct fromauth_dkim **out, char *errbuf, size_t errlen);

struct json_object *fa_dkim_to_json(const struct fromauth_dkim *dkim);

#endif
