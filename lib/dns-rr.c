/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Records and answers of the DNS layer: the types the overlay, the cache
 * and the resolver share, made from ldns's records, keyed by canonical
 * name, reference-counted once published.  It calls nothing else of the
 * layer, so the overlay and the cache depend on it alone.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns-rr.h"
#include "name-scan.h"
#include "private.h"

/* The key of a name whose labels hold only letters, digits, '-' and '_',
 * straight from the wire form: what ldns would print for it, lower case,
 * without the trailing dot; ldns_rdf2str costs some 15,000 instructions
 * a name.  NULL for any other name (the root, escapes), or no memory. */
static char *plain_rdf_key(const ldns_rdf *dname)
{
	const uint8_t *w = ldns_rdf_data(dname);
	size_t size = ldns_rdf_size(dname);
	if (ldns_rdf_get_type(dname) != LDNS_RDF_TYPE_DNAME || size < 2 || !w)
		return NULL;
	char *key = malloc(size);
	if (!key)
		return NULL;
	size_t pos = 0, out = 0;
	while (pos < size && w[pos]) {
		size_t n = w[pos++];
		if (n > 63 || pos + n >= size) {
			free(key);
			return NULL;
		}
		if (out)
			key[out++] = '.';
		for (size_t i = 0; i < n; i++) {
			unsigned char c = w[pos + i];
			if (c >= 'A' && c <= 'Z')
				c |= 0x20;
			else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				   c == '-' || c == '_')) {
				free(key);
				return NULL;
			}
			key[out++] = (char)c;
		}
		pos += n;
	}
	if (!out || pos != size - 1) {
		free(key);
		return NULL;
	}
	key[out] = '\0';
	return key;
}

char *fa_dns_rdf_key(const ldns_rdf *dname)
{
	char *plain = plain_rdf_key(dname);
	if (plain)
		return plain;
	char *s = ldns_rdf2str(dname);
	if (!s)
		return NULL;
	char *key = fa_domain_normalize(s);
	free(s);
	return key;
}

/* What a byte of a plain host name becomes in its key: letters in lower
 * case, digits, '-' and '_' as they are; 0 for any other byte. */
static const unsigned char key_byte[256] = {
	['-'] = '-', ['_'] = '_',
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
#define L(u, l) [u] = l, [l] = l
	L('A', 'a'), L('B', 'b'), L('C', 'c'), L('D', 'd'), L('E', 'e'), L('F', 'f'),
	L('G', 'g'), L('H', 'h'), L('I', 'i'), L('J', 'j'), L('K', 'k'), L('L', 'l'),
	L('M', 'm'), L('N', 'n'), L('O', 'o'), L('P', 'p'), L('Q', 'q'), L('R', 'r'),
	L('S', 's'), L('T', 't'), L('U', 'u'), L('V', 'v'), L('W', 'w'), L('X', 'x'),
	L('Y', 'y'), L('Z', 'z'),
#undef L
};

/* The key of a plain host name (labels of 1..63 letters, digits, '-' and
 * '_'), without a round trip through ldns: what ldns would print, lower
 * case and without the trailing dot, written to @key (254 bytes).  0, or
 * -1 for any other name.  Checked and copied 16 bytes at a time: every
 * question makes one. */
static int plain_name_key(const char *name, char *key)
{
	size_t len = strlen(name);
	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return -1;
	struct fa_name_dots dots;
	if (fa_name_scan(name, len, key, &dots) || !fa_name_labels_ok(name, len, &dots, 0))
		return -1;
	key[len] = '\0';
	return 0;
}

ldns_rdf *fa_dns_key_rdf(const char *key)
{
	/* Plain keys (every byte a key byte of its own) are written here:
	 * ldns_dname_new_frm_str parses escapes, some 800 instructions. */
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	size_t len = strlen(key), at = 0, start = 0;
	if (!len || len > 253)
		return ldns_dname_new_frm_str(key);
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (i == len || c == '.') {
			size_t n = i - start;
			if (!n || n > 63)
				return ldns_dname_new_frm_str(key);
			wire[at++] = (uint8_t)n;
			memcpy(wire + at, key + start, n);
			at += n;
			start = i + 1;
		} else if (key_byte[c] != c) {
			return ldns_dname_new_frm_str(key);
		}
	}
	wire[at++] = 0;
	return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, at, wire);
}

/* Names that are no plain host names: through ldns. */
static char *ldns_name_key(const char *name)
{
	ldns_rdf *d = ldns_dname_new_frm_str(name);
	if (!d)
		return NULL;
	char *key = fa_dns_rdf_key(d);
	ldns_rdf_deep_free(d);
	return key;
}

char *fa_dns_name_key(const char *name)
{
	if (!name || !*name)
		return NULL;
	char buf[FA_DNS_KEY_BUF];
	if (plain_name_key(name, buf) == 0)
		return strdup(buf);
	return ldns_name_key(name);
}

char *fa_dns_name_key_buf(const char *name, char buf[FA_DNS_KEY_BUF])
{
	if (!name || !*name)
		return NULL;
	if (plain_name_key(name, buf) == 0)
		return buf;
	return ldns_name_key(name);
}

void fa_rr_clear(struct fa_dns_rr *rr)
{
	free(rr->data);
	free(rr->wire);
	memset(rr, 0, sizeof(*rr));
}

static int set_data(struct fa_dns_rr *rr, const void *p, size_t len)
{
	rr->data = malloc(len + 1);
	if (!rr->data)
		return FROMAUTH_E_NOMEM;
	if (len)
		memcpy(rr->data, p, len);
	rr->data[len] = '\0';
	rr->len = len;
	return FROMAUTH_OK;
}

static int set_name_data(struct fa_dns_rr *rr, const ldns_rdf *rdf)
{
	if (!rdf || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return FROMAUTH_E_RECORD;
	char *key = fa_dns_rdf_key(rdf);
	if (!key)
		return FROMAUTH_E_NOMEM;
	rr->data = (unsigned char *)key;
	rr->len = strlen(key);
	return FROMAUTH_OK;
}

int fa_rr_from_ldns(const ldns_rr *lrr, struct fa_dns_rr *rr)
{
	int rc = FROMAUTH_OK;
	memset(rr, 0, sizeof(*rr));
	rr->type = (uint16_t)ldns_rr_get_type(lrr);
	rr->ttl = ldns_rr_ttl(lrr);

	switch (rr->type) {
	case FA_RR_A:
	case FA_RR_AAAA: {
		const ldns_rdf *r = ldns_rr_rdf(lrr, 0);
		size_t want = rr->type == FA_RR_A ? 4 : 16;
		if (!r || ldns_rdf_size(r) != want)
			return FROMAUTH_E_RECORD;
		rc = set_data(rr, ldns_rdf_data(r), want);
		break;
	}
	case FA_RR_TXT: {
		size_t total = 0;
		for (size_t i = 0; i < ldns_rr_rd_count(lrr); i++) {
			const ldns_rdf *r = ldns_rr_rdf(lrr, i);
			if (ldns_rdf_size(r) >= 1)
				total += ldns_rdf_data(r)[0];
		}
		rr->data = malloc(total + 1);
		if (!rr->data)
			return FROMAUTH_E_NOMEM;
		size_t off = 0;
		for (size_t i = 0; i < ldns_rr_rd_count(lrr); i++) {
			const ldns_rdf *r = ldns_rr_rdf(lrr, i);
			if (ldns_rdf_size(r) < 1)
				continue;
			/* The length byte is data too: never trust it past the rdf. */
			size_t n = ldns_rdf_data(r)[0];
			if (n > ldns_rdf_size(r) - 1)
				n = ldns_rdf_size(r) - 1;
			memcpy(rr->data + off, ldns_rdf_data(r) + 1, n);
			off += n;
			rr->nstrings++;
		}
		rr->data[off] = '\0';
		rr->len = off;
		break;
	}
	case FA_RR_MX: {
		const ldns_rdf *pref = ldns_rr_rdf(lrr, 0);
		if (!pref || ldns_rdf_size(pref) != 2)
			return FROMAUTH_E_RECORD;
		rr->preference = ldns_rdf2native_int16(pref);
		rc = set_name_data(rr, ldns_rr_rdf(lrr, 1));
		break;
	}
	case FA_RR_PTR:
	case FA_RR_CNAME:
		rc = set_name_data(rr, ldns_rr_rdf(lrr, 0));
		break;
	default:
		rc = set_data(rr, "", 0);
		break;
	}
	if (rc)
		goto fail;

	/* No presentation text here: only fromauth_dns_lookup() shows it,
	 * and printing every rdf of every answer cost a check 12% of its
	 * instructions.  fa_rr_text() makes it from the wire form. */
	ldns_buffer *buf = ldns_buffer_new(512);
	if (buf && ldns_rr_rdata2buffer_wire(buf, lrr) == LDNS_STATUS_OK) {
		rr->wire_len = ldns_buffer_position(buf);
		rr->wire = malloc(rr->wire_len ? rr->wire_len : 1);
		if (rr->wire)
			memcpy(rr->wire, ldns_buffer_begin(buf), rr->wire_len);
	}
	ldns_buffer_free(buf);
	if (!rr->wire) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	return FROMAUTH_OK;
fail:
	fa_rr_clear(rr);
	return rc;
}

char *fa_rr_text(const struct fa_dns_rr *rr)
{
	/* ldns reads rdata behind its 16-bit length. */
	uint8_t *buf = malloc(rr->wire_len + 2);
	ldns_rr *lrr = ldns_rr_new();
	char *text = NULL;
	size_t pos = 0;
	if (!buf || !lrr)
		goto out;
	buf[0] = (uint8_t)(rr->wire_len >> 8);
	buf[1] = (uint8_t)rr->wire_len;
	memcpy(buf + 2, rr->wire, rr->wire_len);
	ldns_rr_set_type(lrr, (ldns_rr_type)rr->type);
	if (ldns_wire2rdf(lrr, buf, rr->wire_len + 2, &pos) != LDNS_STATUS_OK)
		goto out;
	size_t tlen = 0;
	text = calloc(1, 1);
	for (size_t i = 0; text && i < ldns_rr_rd_count(lrr); i++) {
		char *part = ldns_rdf2str(ldns_rr_rdf(lrr, i));
		size_t plen = part ? strlen(part) : 0;
		char *t = part ? realloc(text, tlen + plen + 2) : NULL;
		if (!t) {
			free(part);
			free(text);
			text = NULL;
			break;
		}
		if (tlen)
			t[tlen++] = ' ';
		memcpy(t + tlen, part, plen + 1);
		tlen += plen;
		text = t;
		free(part);
	}
out:
	ldns_rr_free(lrr);
	free(buf);
	return text;
}

int fa_rr_copy(const struct fa_dns_rr *src, struct fa_dns_rr *dst)
{
	*dst = *src;
	dst->data = malloc(src->len + 1);
	dst->wire = malloc(src->wire_len ? src->wire_len : 1);
	if (!dst->data || !dst->wire) {
		fa_rr_clear(dst);
		return FROMAUTH_E_NOMEM;
	}
	memcpy(dst->data, src->data, src->len + 1);
	memcpy(dst->wire, src->wire, src->wire_len);
	return FROMAUTH_OK;
}

struct fa_dns_answer *fa_answer_new(const char *qname, uint16_t type, int status)
{
	struct fa_dns_answer *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->qname = strdup(qname);
	if (!a->qname) {
		free(a);
		return NULL;
	}
	a->type = type;
	a->status = status;
	a->ttl = FA_DNS_MAX_TTL;
	atomic_init(&a->refs, 1);
	return a;
}

int fa_answer_add_rr(struct fa_dns_answer *a, const struct fa_dns_rr *rr)
{
	struct fa_dns_rr *rrs = realloc(a->rrs, (a->count + 1) * sizeof(*rrs));
	if (!rrs)
		return FROMAUTH_E_NOMEM;
	a->rrs = rrs;
	int rc = fa_rr_copy(rr, &a->rrs[a->count]);
	if (rc)
		return rc;
	a->count++;
	if (rr->ttl < a->ttl)
		a->ttl = rr->ttl;
	return FROMAUTH_OK;
}

int fa_answer_add_cname(struct fa_dns_answer *a, const char *target)
{
	char **c = realloc(a->cnames, (a->cname_count + 1) * sizeof(*c));
	if (!c)
		return FROMAUTH_E_NOMEM;
	a->cnames = c;
	if (!(c[a->cname_count] = strdup(target)))
		return FROMAUTH_E_NOMEM;
	a->cname_count++;
	return FROMAUTH_OK;
}

struct fa_dns_answer *fa_dns_answer_ref(struct fa_dns_answer *a)
{
	if (a)
		atomic_fetch_add(&a->refs, 1);
	return a;
}

void fa_dns_answer_release(struct fa_dns_answer *a)
{
	if (!a || atomic_fetch_sub(&a->refs, 1) != 1)
		return;
	for (size_t i = 0; i < a->count; i++)
		fa_rr_clear(&a->rrs[i]);
	for (size_t i = 0; i < a->cname_count; i++)
		free(a->cnames[i]);
	free(a->cnames);
	free(a->rrs);
	free(a->qname);
	free(a);
}
