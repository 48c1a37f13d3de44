/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DKIM key records parsed and their keys decoded by us: libopendkim only
 * checks that the record parses and base64-decodes p=, it never looks at
 * the key itself.  Every byte here came from DNS: hostile input.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dkim-key.h"
#include "private.h"
#include "memo.h"
#include "taglist.h"

static int is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* One value of a colon-separated list (h=, s=, t=), whitespace trimmed. */
struct list_iter {
	const unsigned char *p, *end;
};

static int list_next(struct list_iter *it, const unsigned char **item, size_t *len)
{
	if (it->p > it->end)
		return 0;
	const unsigned char *start = it->p, *stop = it->p;
	while (stop < it->end && *stop != ':')
		stop++;
	it->p = stop + 1;
	while (start < stop && is_wsp(*start))
		start++;
	while (stop > start && is_wsp(stop[-1]))
		stop--;
	*item = start;
	*len = (size_t)(stop - start);
	return 1;
}

static int list_has(const unsigned char *v, size_t vlen, const char *word)
{
	struct list_iter it = { v, v + vlen };
	const unsigned char *item;
	size_t len;
	while (list_next(&it, &item, &len))
		if (len == strlen(word) && strncasecmp((const char *)item, word, len) == 0)
			return 1;
	return 0;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64 with folding whitespace (RFC 6376 base64string); padding may be
 * left out, as some publishers do and verifiers accept. */
static int b64_decode(const unsigned char *in, size_t len, unsigned char **out,
		      size_t *outlen, char *errbuf, size_t errlen)
{
	unsigned char *buf = malloc(len / 4 * 3 + 3);
	if (!buf)
		return FROMAUTH_E_NOMEM;
	size_t n = 0, digits = 0, pad = 0;
	uint32_t acc = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (is_wsp(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = b64_value(c);
		if (v < 0 || pad) {
			free(buf);
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					pad ? "p= has data after its '=' padding"
					    : "p= is not base64 (character '%c' at offset %zu of the key)",
					c, i);
		}
		acc = acc << 6 | (uint32_t)v;
		if (++digits % 4 == 0) {
			buf[n++] = (unsigned char)(acc >> 16);
			buf[n++] = (unsigned char)(acc >> 8);
			buf[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	size_t rest = digits % 4;
	if (rest == 1 || pad > 2 || (pad && (rest + pad) % 4 != 0)) {
		free(buf);
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"p= is not base64 (%zu digits, %zu padding characters)",
				digits, pad);
	}
	if (rest == 2) {
		buf[n++] = (unsigned char)(acc >> 4);
	} else if (rest == 3) {
		buf[n++] = (unsigned char)(acc >> 10);
		buf[n++] = (unsigned char)(acc >> 2);
	}
	*out = buf;
	*outlen = n;
	return 0;
}

void fa_dkim_keyrec_clear(struct fa_dkim_keyrec *rec)
{
	if (!rec)
		return;
	free(rec->key);
	memset(rec, 0, sizeof(*rec));
}

/* Tags a key record may carry once each (RFC 6376 3.2: a duplicate
 * invalidates the whole tag-list); unknown tags are ignored. */
enum { TAG_V, TAG_H, TAG_K, TAG_N, TAG_P, TAG_S, TAG_T, TAG_COUNT };

int fa_dkim_keyrec_parse(const unsigned char *text, size_t len,
			 struct fa_dkim_keyrec *rec, char *errbuf, size_t errlen)
{
	static const char tag_names[TAG_COUNT] = { 'v', 'h', 'k', 'n', 'p', 's', 't' };
	const unsigned char *val[TAG_COUNT] = { NULL };
	size_t vlen[TAG_COUNT] = { 0 };
	size_t tag_index = 0;

	memset(rec, 0, sizeof(*rec));
	if (len > FA_DKIM_RECORD_MAX)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"the record is %zu bytes long; no key needs more than %d",
				len, FA_DKIM_RECORD_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = text[i];
		size_t space = fa_taglist_space((const char *)text, len, i);
		if (space) {
			i += space - 1;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"byte 0x%02x at offset %zu is not allowed in a key record%s",
					c, i, c == '\r' || c == '\n'
					? " (a line break must be followed by white space)" : "");
	}

	struct fa_taglist tl;
	struct fa_tag tag;
	fa_taglist_init(&tl, text, len);
	while (fa_taglist_next(&tl, &tag)) {
		size_t at = (size_t)((const unsigned char *)tag.spec - text);
		if (tag.error == FA_TAG_EMPTY)
			continue;       /* ";;", a blank record: see below */
		if (tag.error == FA_TAG_NO_EQUALS)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"syntax error at offset %zu: '=' expected after \"%.*s\"",
					at, (int)(tag.spec_len > 32 ? 32 : tag.spec_len), tag.spec);
		if (tag.error == FA_TAG_BAD_NAME)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					tag.name_len && is_alpha((unsigned char)tag.name[0])
					? "syntax error at offset %zu: \"%.*s\" is not a tag name "
					  "(letters, digits and '_')"
					: "syntax error at offset %zu: a tag name must start with "
					  "a letter (\"%.*s\")",
					at, (int)(tag.name_len > 32 ? 32 : tag.name_len), tag.name);

		if (tag.name_len == 1) {
			for (int t = 0; t < TAG_COUNT; t++) {
				if (tag_names[t] != tag.name[0])
					continue;
				if (val[t])
					return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
							"tag %c= appears more than once", tag.name[0]);
				if (t == TAG_V && tag_index != 0)
					return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
							"v= must be the first tag");
				val[t] = (const unsigned char *)tag.value;
				vlen[t] = tag.value_len;
			}
		}
		tag_index++;
	}
	if (tag_index == 0)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"the record is empty");

	if (val[TAG_V] && !(vlen[TAG_V] == 5 && memcmp(val[TAG_V], "DKIM1", 5) == 0))
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"v=%.*s is not a DKIM key record (v=DKIM1 expected)",
				(int)(vlen[TAG_V] > 32 ? 32 : vlen[TAG_V]),
				(const char *)val[TAG_V]);
	if (val[TAG_H] && !list_has(val[TAG_H], vlen[TAG_H], "sha256"))
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"h=%.*s does not allow sha256, and sha1 must not be used (RFC 8301)",
				(int)(vlen[TAG_H] > 32 ? 32 : vlen[TAG_H]),
				(const char *)val[TAG_H]);
	if (val[TAG_S] && !list_has(val[TAG_S], vlen[TAG_S], "email") &&
	    !list_has(val[TAG_S], vlen[TAG_S], "*"))
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"s=%.*s does not allow the key for email",
				(int)(vlen[TAG_S] > 32 ? 32 : vlen[TAG_S]),
				(const char *)val[TAG_S]);

	rec->key_type = FA_DKIM_KEY_RSA;
	if (val[TAG_K]) {
		if (vlen[TAG_K] == 3 && strncasecmp((const char *)val[TAG_K], "rsa", 3) == 0)
			rec->key_type = FA_DKIM_KEY_RSA;
		else if (vlen[TAG_K] == 7 &&
			 strncasecmp((const char *)val[TAG_K], "ed25519", 7) == 0)
			rec->key_type = FA_DKIM_KEY_ED25519;
		else
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"unknown key type k=%.*s (rsa or ed25519 expected)",
					(int)(vlen[TAG_K] > 32 ? 32 : vlen[TAG_K]),
					(const char *)val[TAG_K]);
	}
	if (val[TAG_T]) {
		rec->testing = list_has(val[TAG_T], vlen[TAG_T], "y");
		rec->strict = list_has(val[TAG_T], vlen[TAG_T], "s");
	}
	if (!val[TAG_P])
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"the record has no p= (public key) tag");
	if (vlen[TAG_P] == 0) {
		rec->revoked = 1;
		return 0;
	}
	return b64_decode(val[TAG_P], vlen[TAG_P], &rec->key, &rec->key_len,
			  errbuf, errlen);
}

static const char *pkey_kind(const EVP_PKEY *pkey)
{
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA: return "an RSA key";
	case EVP_PKEY_RSA_PSS: return "an RSA-PSS key";
	case EVP_PKEY_EC: return "an EC key";
	case EVP_PKEY_ED25519: return "an ed25519 key";
	case EVP_PKEY_DSA: return "a DSA key";
	}
	return "a key of another type";
}

/* DER SubjectPublicKeyInfo, the whole buffer and nothing more; NULL if not. */
static EVP_PKEY *decode_spki(const unsigned char *der, size_t len)
{
	if (len > FA_DKIM_RECORD_MAX)
		return NULL;
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (pkey && p != der + len) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

int fa_dkim_key_check(struct fa_dkim_keyrec *rec, char *errbuf, size_t errlen)
{
	rec->bits = 0;
	if (rec->revoked || !rec->key)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD, "the key is revoked (empty p=)");

	if (rec->key_type == FA_DKIM_KEY_ED25519) {
		if (rec->key_len == 32) {
			EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
								     rec->key, rec->key_len);
			if (!pkey)
				return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
						"p= is not a usable ed25519 key");
			EVP_PKEY_free(pkey);
			rec->bits = 256;
			return 0;
		}
		EVP_PKEY *pkey = decode_spki(rec->key, rec->key_len);
		if (pkey && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519) {
			EVP_PKEY_free(pkey);
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"p= holds the ed25519 key wrapped as SubjectPublicKeyInfo (%zu bytes); "
					"RFC 8463 publishes the raw 32-byte key", rec->key_len);
		}
		if (!pkey)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"p= is %zu bytes long; an ed25519 key is exactly 32",
					rec->key_len);
		int err = fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				   "k=ed25519 but p= holds %s", pkey_kind(pkey));
		EVP_PKEY_free(pkey);
		return err;
	}

	EVP_PKEY *pkey = decode_spki(rec->key, rec->key_len);
	if (!pkey) {
		if (rec->key_len == 32)
			return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
					"p= is 32 bytes, an ed25519 key, but k=ed25519 is missing");
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"p= does not decode as a DER SubjectPublicKeyInfo RSA key");
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
		int err = fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				   "k=rsa but p= holds %s", pkey_kind(pkey));
		EVP_PKEY_free(pkey);
		return err;
	}
	int bits = EVP_PKEY_get_bits(pkey);
	EVP_PKEY_free(pkey);
	if (bits <= 0)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"p= holds an RSA key of unknown size");
	rec->bits = (unsigned int)bits;
	return 0;
}

/* What the memo keeps of a decode: no EVP_PKEY, only the verdict. */
struct key_verdict {
	int rc;
	unsigned int bits;
	char why[256];
};

int fa_dkim_key_check_memo(struct fa_memo *memo, struct fa_dkim_keyrec *rec,
			   char *errbuf, size_t errlen)
{
	if (!memo || rec->revoked || !rec->key || rec->key_len > FA_DKIM_RECORD_MAX)
		return fa_dkim_key_check(rec, errbuf, errlen);
	unsigned char key[1 + FA_DKIM_RECORD_MAX];
	key[0] = (unsigned char)rec->key_type;
	memcpy(key + 1, rec->key, rec->key_len);
	size_t klen = 1 + rec->key_len;
	struct key_verdict v;
	if (!fa_memo_get(memo, FA_MEMO_DKIM_KEY, key, klen, &v, sizeof(v))) {
		memset(&v, 0, sizeof(v));
		v.rc = fa_dkim_key_check(rec, v.why, sizeof(v.why));
		v.bits = rec->bits;
		fa_memo_put(memo, FA_MEMO_DKIM_KEY, key, klen, &v, sizeof(v));
	}
	rec->bits = v.bits;
	if (v.rc)
		return fa_error(errbuf, errlen, v.rc, "%s", v.why);
	return 0;
}
