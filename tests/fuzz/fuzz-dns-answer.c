/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: a DNS reply off the wire (any bytes) through the
 * network path's checks (is it the reply to our question?) and into
 * answers (CNAME chain, records, rdata of every type we read), then back
 * to wire format as libopendkim gets it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"
#include "private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t types[] = {
	FA_RR_A, FA_RR_AAAA, FA_RR_CNAME, FA_RR_MX, FA_RR_PTR, FA_RR_TXT,
};

/* The answer for @key/@type from the reply @data (parsed again: an
 * answer takes the reply's records). */
static void answers(const uint8_t *data, size_t size, uint16_t id, const ldns_rdf *qname,
		    uint16_t qtype, const char *key, uint16_t type)
{
	struct fa_dns_reply *r = NULL;
	if (fa_dns_reply_parse(data, size, id, qname, qtype, &r) != FROMAUTH_OK)
		return;
	struct fa_dns_answer *a = fa_dns_answer_from_reply(r, key, type);
	fa_dns_reply_free(r);
	if (!a)
		return;         /* no memory, or a name ldns cannot print */
	if (a->cname_count > FA_DNS_MAX_CNAMES + 1 || strcmp(a->qname, key))
		__builtin_trap();
	for (size_t i = 0; i < a->count; i++) {
		const struct fa_dns_rr *rr = &a->rrs[i];
		if (rr->type != type || !rr->data || rr->data[rr->len] != '\0' ||
		    (rr->wire_len && !rr->wire))
			__builtin_trap();
		/* Presentation text is made on demand (fromauth_dns_lookup)
		 * from the rdata we kept: it must always print. */
		char *text = fa_rr_text(rr);
		if (!text)
			__builtin_trap();
		free(text);
		if ((type == FA_RR_A && rr->len != 4) || (type == FA_RR_AAAA && rr->len != 16))
			__builtin_trap();
	}
	if (a->status == FA_DNS_OK && a->count == 0 && a->cname_count == 0)
		__builtin_trap();       /* no records is NODATA or NXDOMAIN */
	static unsigned char wire[65536];
	size_t len = 0;
	if (type == qtype && fa_dns_answer_to_wire(a, 0x1234, wire, sizeof(wire), &len) == FROMAUTH_OK) {
		/* What we hand libopendkim must itself be a reply to a->qname. */
		ldns_rdf *q = ldns_dname_new_frm_str(a->qname);
		struct fa_dns_reply *back = NULL;
		if (q && fa_dns_reply_parse(wire, len, 0x1234, q, type, &back) != FROMAUTH_OK)
			__builtin_trap();
		fa_dns_reply_free(back);
		ldns_rdf_deep_free(q);
	}
	fa_dns_answer_release(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *pkt = NULL;
	if (ldns_wire2pkt(&pkt, data, size) != LDNS_STATUS_OK)
		return 0;
	const ldns_rr_list *ql = ldns_pkt_question(pkt);
	const ldns_rr *q = ldns_rr_list_rr_count(ql) ? ldns_rr_list_rr(ql, 0) : NULL;
	ldns_rdf *qname = q && ldns_rr_owner(q) ? ldns_rdf_clone(ldns_rr_owner(q))
					       : ldns_dname_new_frm_str("fuzz.test");
	uint16_t qtype = q ? (uint16_t)ldns_rr_get_type(q) : FA_RR_TXT;
	uint16_t id = ldns_pkt_id(pkt);

	/* The matcher: taken only with our ID, QR, QUERY and one question.
	 * (Not every packet ldns reads is taken: ldns reads an A record's
	 * four bytes whatever its rdata length says.) */
	struct fa_dns_reply *m = NULL;
	int ours = ldns_pkt_qr(pkt) && ldns_pkt_get_opcode(pkt) == LDNS_PACKET_QUERY &&
		   ldns_rr_list_rr_count(ql) == 1 && q &&
		   ldns_rr_get_class(q) == LDNS_RR_CLASS_IN;
	int rc = qname ? fa_dns_reply_parse(data, size, id, qname, qtype, &m) : -1;
	if (rc == FROMAUTH_OK && (!ours || !m || m->tc != ldns_pkt_tc(pkt) ||
				  m->rcode != (int)ldns_pkt_get_rcode(pkt)))
		__builtin_trap();
	fa_dns_reply_free(m);
	m = NULL;
	if (qname && fa_dns_reply_parse(data, size, id ^ 1, qname, qtype, &m) == FROMAUTH_OK)
		__builtin_trap();

	char *key = qname ? fa_dns_rdf_key(qname) : NULL;
	if (key && *key && rc == FROMAUTH_OK) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			answers(data, size, id, qname, qtype, key, types[i]);
		if (qtype != FA_RR_A && qtype != FA_RR_AAAA && qtype != FA_RR_CNAME &&
		    qtype != FA_RR_MX && qtype != FA_RR_PTR && qtype != FA_RR_TXT)
			answers(data, size, id, qname, qtype, key, qtype);
	}
	free(key);
	ldns_rdf_deep_free(qname);
	ldns_pkt_free(pkt);
	return 0;
}
