/* SPDX-License-Identifier: BSD-2-Clause */
/* What fromauth_verify() found, for lib/verify.c, which fills it in, and
 * lib/json.c, which writes it out (a header of its own, so that json.c
 * need not see verify.c). */
#ifndef FROMAUTH_VERIFY_FACTS_H
#define FROMAUTH_VERIFY_FACTS_H

#include <stddef.h>

#include "authres.h"
#include "dkim.h"

struct received_ar {
	struct fa_authres ar;
	int parsed;             /* else error holds why */
	char *error;
	char *raw;              /* the unfolded value */
	int compared;           /* its authserv-id is ours, or none was given */
};

struct fromauth_verify {
	char *from, *domain;
	int from_multiple;

	char *ip, *helo, *mail_from;    /* NULL when unknown; mail_from "" = null sender */
	const char *ip_source, *helo_source, *mail_from_source;
	char *spf_skipped;      /* why a Received: IP could not be evaluated */

	struct fromauth_spf *spf;
	const char *spf_result;
	char *spf_domain;
	int spf_aligned;        /* 1, 0, -1 unknown */

	struct fa_dkim_sig *sigs;
	size_t sig_count;
	int *sig_aligned;

	struct fromauth_dmarc *dmarc;
	const char *dmarc_result;
	const char *fixed_dmarc_result; /* with FROMAUTH_VERIFY_FIX */

	struct received_ar *received;
	size_t received_count;

	char *authserv_id;
	char *authres;
	struct fromauth_result *findings;       /* only its findings are used */
	char *json;
};

#endif
