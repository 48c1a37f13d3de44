/* SPDX-License-Identifier: BSD-2-Clause */
/* A reply off the network read into an answer (dns-reply.c): below the
 * DNS layer's resolution, which hands it datagrams; the fuzzer reaches it
 * through dns-internal.h. */
#ifndef FROMAUTH_DNS_REPLY_H
#define FROMAUTH_DNS_REPLY_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

#include "dns-rr.h"

/* A reply is ours when it has our ID, QR set, opcode QUERY
 * and exactly our question (name without regard to case, type, class
 * IN), and its answer section parses; 0 and *out (free it with
 * fa_dns_reply_free), or FROMAUTH_E_RECORD for anything else. */
struct fa_dns_reply_rr;
struct fa_dns_reply {
	int tc, rcode;                  /* header: truncated, RCODE */
	ldns_rdf *qname;                /* the question, as the reply has it */
	struct fa_dns_reply_rr *an;     /* the answer section */
	size_t ancount;
	int has_neg_ttl;
	uint32_t neg_ttl;               /* from the authority section's SOA */
	uint8_t *wire;                  /* a copy, when the TTL is still to read */
	size_t len, ns_start;
	uint16_t nscount;
};
int fa_dns_reply_parse(const uint8_t *buf, size_t len, uint16_t id,
		       const ldns_rdf *qname, uint16_t type, struct fa_dns_reply **out);
void fa_dns_reply_free(struct fa_dns_reply *r);
/* The answer to @key/@type in @r: the CNAME chain from the question,
 * then the records at its end; records of other owners are ignored.  The
 * records are moved out of @r, which is only to be freed after.  NULL:
 * no memory. */
struct fa_dns_answer *fa_dns_answer_from_reply(struct fa_dns_reply *r,
					       const char *key, uint16_t type);

#endif
