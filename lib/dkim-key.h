/* SPDX-License-Identifier: BSD-2-Clause */
/* DKIM key records parsed and their keys decoded by us (lib/dkim-key.c);
 * apart from dkim.h so that this lower file needs nothing of the adapter. */
#ifndef FROMAUTH_DKIM_KEY_H
#define FROMAUTH_DKIM_KEY_H

#include <stddef.h>

/*
 * Key records (RFC 6376 section 3.6.1, RFC 8463), parsed by us in
 * lib/dkim-key.c: libopendkim checks presence and syntax only, not the key.
 */
enum fa_dkim_key_type {
	FA_DKIM_KEY_NONE = 0,   /* unknown k= */
	FA_DKIM_KEY_RSA = 1,
	FA_DKIM_KEY_ED25519 = 2,
};

/* Bound on the record text we look at; DNS allows more, no key needs it. */
#define FA_DKIM_RECORD_MAX 4096

struct fa_dkim_keyrec {
	int key_type;           /* enum fa_dkim_key_type */
	int testing;            /* t= has y */
	int strict;             /* t= has s */
	int revoked;            /* p= present and empty */
	unsigned char *key;     /* p= decoded (malloc'd), NULL when revoked */
	size_t key_len;
	unsigned int bits;      /* after fa_dkim_key_check() */
};

/*
 * Parse a key record of @len bytes (may hold any bytes).  Returns 0, or
 * FROMAUTH_E_RECORD with the reason in @errbuf (the record is invalid), or
 * FROMAUTH_E_NOMEM.  A revoked key (empty p=) parses fine with
 * rec->revoked set.  Release with fa_dkim_keyrec_clear().
 */
int fa_dkim_keyrec_parse(const unsigned char *text, size_t len,
			 struct fa_dkim_keyrec *rec, char *errbuf, size_t errlen);
void fa_dkim_keyrec_clear(struct fa_dkim_keyrec *rec);

/* Decode the key with OpenSSL: RSA as DER SubjectPublicKeyInfo, ed25519
 * as exactly 32 raw bytes.  Sets rec->bits.  Returns 0 or
 * FROMAUTH_E_RECORD with the reason. */
int fa_dkim_key_check(struct fa_dkim_keyrec *rec, char *errbuf, size_t errlen);
/* The same, the verdict kept in @memo (may be NULL) per key type and p=
 * bytes: many customers delegate to the same few service keys. */
struct fa_memo;
int fa_dkim_key_check_memo(struct fa_memo *memo, struct fa_dkim_keyrec *rec,
			   char *errbuf, size_t errlen);

#endif
