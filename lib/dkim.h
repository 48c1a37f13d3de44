/* SPDX-License-Identifier: BSD-2-Clause */
/* DKIM key adapter: libopendkim with our DNS (only lib/dkim.c includes
 * OpenDKIM's headers). */
#ifndef FROMAUTH_DKIM_H
#define FROMAUTH_DKIM_H

#include <stddef.h>

#include "dkim-key.h"
#include "dns.h"
#include "private.h"

/* Test the key of one identity; struct fromauth_dkim is defined in dkim.c
 * and read through the public fromauth_dkim_* accessors. */
int fa_dkim_eval(struct fa_dns_req *req, const char *selector,
		 const char *domain, const char *expected_target,
		 struct fromauth_dkim **out, char *errbuf, size_t errlen);

/* The key record's name fa_dkim_eval() asks first (selector._domainkey.
 * domain), malloc'd, for fa_dns_prefetch(); NULL for input it refuses. */
char *fa_dkim_first_qname(const char *selector, const char *domain);

/* Where lib/json.c keeps the text of fromauth_dkim_json(), built on first
 * use (the key's result frees it). */
char *const *fa_dkim_json_slot(const struct fromauth_dkim *dkim);

/* What the check needs beyond the public getters (all tolerate NULL). */

/* A valid RSA key of 1024..2047 bits: works, 2048 advised (dkim.key_short). */
int fa_dkim_key_short(const struct fromauth_dkim *dkim);
/* The expected CNAME target given to fa_dkim_eval(), or NULL. */
const char *fa_dkim_expected_target(const struct fromauth_dkim *dkim);
/* The CNAME chain reaches the expected target (0 when none expected). */
int fa_dkim_target_ok(const struct fromauth_dkim *dkim);
/* The record is not the expected CNAME but its key equals the key
 * published at the target (so not a mismatch). */
int fa_dkim_target_key_equal(const struct fromauth_dkim *dkim);
/* The owner name queried: selector._domainkey.domain. */
const char *fa_dkim_qname(const struct fromauth_dkim *dkim);

/*
 * DKIM verification of a message (RFC 6376 section 6, RFC 8463, RFC
 * 8301) with libopendkim, keys fetched through @req.  libopendkim's
 * verdict is kept where it follows the RFCs; our own checks add what it
 * lets through (rsa-sha1, and the tag rules of sections 3.5 and 6.1.1 in
 * case a build relaxes them).
 */
#define FA_DKIM_SIGNATURES_MAX 16u

struct fa_message;

struct fa_dkim_sig {
	char *d;                /* lower case; "" when absent */
	char *s;
	char *i;                /* NULL when absent */
	char *algorithm;        /* a= as given; "" when absent */
	char *header_b;         /* the first 12 characters of b= */
	const char *result;     /* static, RFC 8601: pass fail policy neutral permerror temperror */
	const char *code;       /* static finding code: dkim.pass, dkim.body_hash, ... */
	char *reason;           /* a sentence */
	const char *key_type;   /* static: "rsa", "ed25519", "" */
	unsigned int key_bits;
	int testing;            /* the key has t=y */
	long long length;       /* l=, or -1 */
	long long expires;      /* x=, or -1 */
};

/*
 * Verify every DKIM-Signature of @msg (at most FA_DKIM_SIGNATURES_MAX;
 * more is FROMAUTH_E_RANGE).  @now 0 means the current time (tests pass
 * a fixed one for old vectors).  *sigs (top-down order) is malloc'd,
 * free with fa_dkim_sigs_free(); zero signatures give *count 0.
 */
int fa_dkim_verify(struct fa_dns_req *req, const struct fa_message *msg, long long now,
		   struct fa_dkim_sig **sigs, size_t *count, char *errbuf, size_t errlen);
void fa_dkim_sigs_free(struct fa_dkim_sig *sigs, size_t count);

#endif
