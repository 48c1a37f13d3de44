/* SPDX-License-Identifier: BSD-2-Clause */
/* Authentication-Results header fields (RFC 8601): the receiver's own
 * verdicts found in a message, parsed so we can set ours beside them. */
#ifndef FROMAUTH_AUTHRES_H
#define FROMAUTH_AUTHRES_H

#include <stddef.h>

#define FA_AUTHRES_RESULTS_MAX 64u      /* resinfo per header field */
#define FA_AUTHRES_PROPS_MAX 32u        /* properties per resinfo */

struct fa_authres_prop {
	char *ptype;            /* "smtp", "header", "body", "policy", ... */
	char *property;         /* "mailfrom", "d", "from", ... */
	char *value;
};

struct fa_authres_result {
	char *method;           /* lower case: "spf", "dkim", "dmarc", ... */
	char *version;          /* method version ("1"), or NULL */
	char *result;           /* lower case: "pass", "fail", ... */
	char *reason;           /* reason=, or NULL */
	char *comment;          /* comments of this resinfo joined by "; ", or NULL */
	struct fa_authres_prop *props;
	size_t prop_count;
};

struct fa_authres {
	char *authserv_id;
	char *version;          /* authres-version, or NULL */
	struct fa_authres_result *results;
	size_t result_count;    /* 0 for "none" */
};

/*
 * Parse the value (after the colon) of one Authentication-Results field
 * of @len bytes, folded or not.  Returns 0, FROMAUTH_E_MESSAGE with what
 * is wrong in @errbuf, FROMAUTH_E_RANGE (a bound above) or
 * FROMAUTH_E_NOMEM.  Release with fa_authres_clear().
 */
int fa_authres_parse(const char *value, size_t len, struct fa_authres *out,
		     char *errbuf, size_t errlen);
void fa_authres_clear(struct fa_authres *ar);

/* The first result of @method ("dkim"), or NULL; with @d set, the first
 * whose header.d (or header.i's domain) equals @d case-insensitively. */
const struct fa_authres_result *fa_authres_find(const struct fa_authres *ar,
						const char *method, const char *d);
/* Property value ("header", "d"), or NULL. */
const char *fa_authres_prop(const struct fa_authres_result *r, const char *ptype,
			    const char *property);

#endif
