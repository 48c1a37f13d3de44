/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A reply off the network into an answer.  ldns_wire2pkt made a packet
 * object of every record in every section (the NS and glue of each
 * positive answer included) only for most of it to be freed unread: that,
 * the freeing and the copying out were some 16,000 instructions a reply.
 * Here the header is read as it is, names (the one part that is subtle:
 * compression) go through ldns_wire2dname, records with names in their
 * rdata through ldns_wire2rr, and the answer section's A, AAAA and TXT
 * rdata, plain bytes, is taken as it stands.  The authority section is
 * read only for a negative TTL; the additional section is not read.
 */
#include <stdlib.h>
#include <string.h>

#include "dns-reply.h"
#include "private.h"

struct fa_dns_reply_rr {
	ldns_rdf *owner;        /* the reply's question name, or its own */
	ldns_rr *lrr;           /* parsed by ldns: rdata of other types */
	uint16_t type, class;
	int rc;                 /* of making @rr: 0, or the record is not used */
	struct fa_dns_rr rr;    /* as the layer keeps it, until taken */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void fa_dns_reply_free(struct fa_dns_reply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ancount; i++) {
		fa_rr_clear(&r->an[i].rr);
		if (r->an[i].lrr)
			ldns_rr_free(r->an[i].lrr);
		else if (r->an[i].owner != r->qname)
			ldns_rdf_deep_free(r->an[i].owner);
	}
	ldns_rdf_deep_free(r->qname);
	free(r);
}

/* A, AAAA and TXT rdata, plain bytes, as the layer keeps them (what
 * fa_rr_from_ldns makes of ldns's record).  FROMAUTH_E_RECORD for rdata
 * that is not of its type. */
static int plain_rr(uint16_t type, uint32_t ttl, const uint8_t *p, size_t n,
		    struct fa_dns_rr *out)
{
	if ((type == FA_RR_A && n != 4) || (type == FA_RR_AAAA && n != 16))
		return FROMAUTH_E_RECORD;
	out->type = type;
	out->ttl = ttl;
	out->data = malloc(n + 1);
	out->wire = malloc(n ? n : 1);
	if (!out->data || !out->wire) {
		fa_rr_clear(out);
		return FROMAUTH_E_NOMEM;
	}
	memcpy(out->wire, p, n);
	out->wire_len = n;
	if (type != FA_RR_TXT) {
		memcpy(out->data, p, n);
		out->len = n;
	} else {
		/* character-strings, each behind its length byte */
		size_t at = 0;
		while (at < n) {
			size_t sl = p[at++];
			if (sl > n - at) {
				fa_rr_clear(out);
				return FROMAUTH_E_RECORD;
			}
			memcpy(out->data + out->len, p + at, sl);
			out->len += sl;
			at += sl;
			out->nstrings++;
		}
	}
	out->data[out->len] = '\0';
	return FROMAUTH_OK;
}

/* The answer record at *pos; 0, or -1 for a record that does not parse
 * (the whole reply is then refused, as ldns_wire2pkt did). */
static int answer_rr(const uint8_t *buf, size_t len, size_t *pos, ldns_rdf *qname,
		     struct fa_dns_reply_rr *rr)
{
	size_t start = *pos;
	memset(rr, 0, sizeof(*rr));
	if (*pos + 2 <= len && buf[*pos] == 0xc0 && buf[*pos + 1] == 12) {
		/* A pointer to the question (nearly every answer): its name
		 * is read already. */
		rr->owner = qname;
		*pos += 2;
	} else if (ldns_wire2dname(&rr->owner, buf, len, pos) != LDNS_STATUS_OK) {
		rr->owner = NULL;
		return -1;
	}
	if (*pos + 10 > len)
		return -1;
	rr->type = get16(buf + *pos);
	rr->class = get16(buf + *pos + 2);
	uint32_t ttl = get32(buf + *pos + 4);
	size_t rdlen = get16(buf + *pos + 8);
	size_t rdata = *pos + 10;
	if (rdata + rdlen > len)
		return -1;
	if (rr->type == FA_RR_A || rr->type == FA_RR_AAAA || rr->type == FA_RR_TXT) {
		*pos = rdata + rdlen;
		rr->rc = plain_rr(rr->type, ttl, buf + rdata, rdlen, &rr->rr);
		return 0;
	}
	if (rr->owner != qname)
		ldns_rdf_deep_free(rr->owner);
	rr->owner = NULL;
	*pos = start;
	if (ldns_wire2rr(&rr->lrr, buf, len, pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
		rr->lrr = NULL;
		return -1;
	}
	rr->owner = ldns_rr_owner(rr->lrr);
	rr->rc = fa_rr_from_ldns(rr->lrr, &rr->rr);
	return 0;
}

/* Do @a and @b, names in wire form, match without regard to case?  What
 * ldns_dname_compare() says, at a tenth of its cost: label lengths are
 * below 'A', so equal bytes mean equal labels. */
static int same_name(const ldns_rdf *a, const ldns_rdf *b)
{
	size_t n = ldns_rdf_size(a);
	if (n != ldns_rdf_size(b))
		return 0;
	const uint8_t *x = ldns_rdf_data(a), *y = ldns_rdf_data(b);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = x[i], d = y[i];
		if (c != d && ((c | 0x20) != (d | 0x20) || (c | 0x20) < 'a' || (c | 0x20) > 'z'))
			return 0;
	}
	return 1;
}

/* Step over the name at *pos (checked as ldns reads it).  0, or -1. */
static int skip_name(const uint8_t *buf, size_t len, size_t *pos)
{
	ldns_rdf *name = NULL;
	if (ldns_wire2dname(&name, buf, len, pos) != LDNS_STATUS_OK)
		return -1;
	ldns_rdf_deep_free(name);
	return 0;
}

/* RFC 2308 section 5: the first SOA's minimum or its TTL, the lower;
 * from the authority section at @pos.  Its rdata is two names and five
 * numbers, the minimum last.  0 with *ttl, or -1 when the section does
 * not parse. */
static int negative_ttl(const uint8_t *buf, size_t len, size_t pos, uint16_t count,
			uint32_t *ttl)
{
	*ttl = FA_DNS_DEFAULT_NEG_TTL;
	int found = 0;
	for (uint16_t i = 0; i < count; i++) {
		if (skip_name(buf, len, &pos) != 0 || pos + 10 > len)
			return -1;
		uint16_t type = get16(buf + pos);
		uint32_t t = get32(buf + pos + 4);
		size_t rdata = pos + 10, end = rdata + get16(buf + pos + 8);
		if (end > len)
			return -1;
		pos = end;
		if (type != LDNS_RR_TYPE_SOA || found)
			continue;
		size_t at = rdata;
		if (skip_name(buf, end, &at) != 0 || skip_name(buf, end, &at) != 0 ||
		    at + 20 > end)
			return -1;
		uint32_t min = get32(buf + at + 16);
		*ttl = min < t ? min : t;
		found = 1;
	}
	return 0;
}

int fa_dns_reply_parse(const uint8_t *buf, size_t len, uint16_t id,
		       const ldns_rdf *qname, uint16_t type, struct fa_dns_reply **out)
{
	*out = NULL;
	/* Cheap tests first: most forgeries die on the ID or QR bit.  RFC
	 * 5452 section 9.1: the reply has our ID, QR, opcode QUERY and
	 * exactly our question (names compare without regard to case). */
	if (len < 12 || get16(buf) != id || !(buf[2] & 0x80) || (buf[2] >> 3 & 0x0f) != 0 ||
	    get16(buf + 4) != 1)
		return FROMAUTH_E_RECORD;
	/* A record takes 11 bytes at least: no trusting the count.  The
	 * reply, its answer records and (for a TTL read later) a copy of
	 * the datagram are one allocation. */
	uint16_t ancount = get16(buf + 6);
	uint16_t nscount = get16(buf + 8);
	if (ancount > (len - 12) / 11)
		return FROMAUTH_E_RECORD;
	size_t an_bytes = ancount * sizeof(struct fa_dns_reply_rr);
	struct fa_dns_reply *r = calloc(1, sizeof(*r) + an_bytes + (nscount ? len : 0));
	if (!r)
		return FROMAUTH_E_RECORD;
	r->an = (struct fa_dns_reply_rr *)(r + 1);
	size_t pos = 12;
	if (ldns_wire2dname(&r->qname, buf, len, &pos) != LDNS_STATUS_OK) {
		r->qname = NULL;
		goto refuse;
	}
	if (pos + 4 > len || get16(buf + pos) != type || get16(buf + pos + 2) != LDNS_RR_CLASS_IN ||
	    !same_name(r->qname, qname))
		goto refuse;
	pos += 4;
	r->tc = !!(buf[2] & 0x02);
	r->rcode = buf[3] & 0x0f;
	int typed = 0;
	while (r->ancount < ancount) {
		struct fa_dns_reply_rr *rr = &r->an[r->ancount];
		if (answer_rr(buf, len, &pos, r->qname, rr) != 0) {
			if (rr->owner != r->qname)
				ldns_rdf_deep_free(rr->owner);
			goto refuse;
		}
		r->ancount++;
		typed |= rr->type == type;
	}
	/* No record of the type: the answer is negative or an alias, and a
	 * negative TTL is in the authority section, which must then parse.
	 * Else it is read only if no record turns out to be ours. */
	if (!typed) {
		if (negative_ttl(buf, len, pos, nscount, &r->neg_ttl) != 0)
			goto refuse;
		r->has_neg_ttl = 1;
	} else if (nscount) {
		r->wire = (uint8_t *)r->an + an_bytes;
		memcpy(r->wire, buf, len);
		r->len = len;
		r->ns_start = pos;
		r->nscount = nscount;
	}
	*out = r;
	return FROMAUTH_OK;
refuse:
	fa_dns_reply_free(r);
	return FROMAUTH_E_RECORD;
}

/* The answer section for @key/@type: the CNAME chain starting at the
 * question in order, then the records owned by the chain's end.  Records
 * owned by other names are ignored: the server does not get to answer
 * questions we did not ask.  The records are moved out of @r. */
struct fa_dns_answer *fa_dns_answer_from_reply(struct fa_dns_reply *r,
					       const char *key, uint16_t type)
{
	struct fa_dns_answer *a = fa_answer_new(key, type, FA_DNS_OK);
	if (!a)
		return NULL;
	const ldns_rdf *cur = r->qname;
	for (size_t hop = 0; hop <= FA_DNS_MAX_CNAMES && type != FA_RR_CNAME; hop++) {
		struct fa_dns_reply_rr *next = NULL;
		for (size_t i = 0; i < r->ancount && !next; i++)
			if (r->an[i].type == FA_RR_CNAME &&
			    same_name(r->an[i].owner, cur))
				next = &r->an[i];
		if (!next)
			break;
		if (next->rc || fa_answer_add_cname(a, (const char *)next->rr.data))
			goto fail;
		if (next->rr.ttl < a->ttl)
			a->ttl = next->rr.ttl;
		cur = ldns_rr_rdf(next->lrr, 0);
	}
	if (a->cname_count > FA_DNS_MAX_CNAMES) {
		a->status = FA_DNS_SERVFAIL;
		return a;
	}

	for (size_t i = 0; i < r->ancount; i++) {
		struct fa_dns_reply_rr *rr = &r->an[i];
		if (rr->type != type || rr->class != LDNS_RR_CLASS_IN ||
		    !same_name(rr->owner, cur))
			continue;
		if (rr->rc == FROMAUTH_E_RECORD)
			continue;       /* malformed rdata: skip, not fatal */
		if (rr->rc)
			goto fail;
		struct fa_dns_rr *rrs = realloc(a->rrs, (a->count + 1) * sizeof(*rrs));
		if (!rrs)
			goto fail;
		a->rrs = rrs;
		/* Moved, not copied: @r is done with it. */
		a->rrs[a->count++] = rr->rr;
		memset(&rr->rr, 0, sizeof(rr->rr));
		rr->rc = FROMAUTH_E_RECORD;
		if (a->rrs[a->count - 1].ttl < a->ttl)
			a->ttl = a->rrs[a->count - 1].ttl;
	}
	if (a->count == 0) {
		a->status = r->rcode == LDNS_RCODE_NXDOMAIN ? FA_DNS_NXDOMAIN : FA_DNS_NODATA;
		/* An unfinished chain is followed by the caller. */
		uint32_t neg = r->neg_ttl;
		if (!r->has_neg_ttl &&
		    (!r->wire || negative_ttl(r->wire, r->len, r->ns_start, r->nscount, &neg) != 0))
			neg = FA_DNS_DEFAULT_NEG_TTL;
		if (neg < a->ttl)
			a->ttl = neg;
	}
	return a;
fail:
	fa_dns_answer_release(a);
	return NULL;
}
