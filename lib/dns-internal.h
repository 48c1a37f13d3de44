/* SPDX-License-Identifier: BSD-2-Clause */
/* Pieces of the DNS layer shared by dns.c, dns-cache.c and dns-overlay.c;
 * nothing outside the layer includes this. */
#ifndef FROMAUTH_DNS_INTERNAL_H
#define FROMAUTH_DNS_INTERNAL_H

#include <ldns/ldns.h>
#include <pthread.h>
#include <sys/socket.h>

#include "dns.h"
#include "dns-cache.h"
#include "dns-overlay.h"

/* The network path's packet handling (dns-reply.c), here so the fuzzer
 * can reach it.  A reply is ours when it has our ID, QR set, opcode QUERY
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
/* A query for @qname/@type (class IN, RD, EDNS0 with our UDP size) with
 * @id, written to @wire; its length, or 0 for a @qname that is no domain
 * name in wire form. */
#define FA_DNS_QUERY_MAX (12 + LDNS_MAX_DOMAINLEN + 1 + 4 + 11)
size_t fa_dns_query_wire(const ldns_rdf *qname, uint16_t type, uint16_t id,
			 uint8_t wire[FA_DNS_QUERY_MAX]);
/* The answer to @key/@type in @r: the CNAME chain from the question,
 * then the records at its end; records of other owners are ignored.  The
 * records are moved out of @r, which is only to be freed after.  NULL:
 * no memory. */
struct fa_dns_answer *fa_dns_answer_from_reply(struct fa_dns_reply *r,
					       const char *key, uint16_t type);

struct fa_nameserver {
	ldns_rdf *addr;
	uint16_t port;
};

/* Connected UDP sockets kept for reuse (dns.c, udp_take/udp_give). */
#define FA_DNS_UDP_POOL 32
struct fa_udp_sock {
	int fd;
	uint8_t *buf;           /* 64 KiB for its datagrams */
	unsigned int uses;      /* queries sent on it so far */
	unsigned int fork_gen;  /* a forked child must not share it */
	struct sockaddr_storage peer;
};

struct fa_dns {
	const struct fa_dns *parent;    /* overlay below ours (clones) */
	struct fa_overlay *overlay;
	struct fa_cache *cache;         /* owned unless parent is set */
	struct fa_nameserver *ns;
	size_t ns_count;
	int ns_explicit;                /* set by the user, else resolv.conf */
	pthread_mutex_t ns_lock;        /* lazy resolv.conf read */
	int ns_loaded;
	unsigned int timeout_ms, tries, deadline_ms;
	int offline;
	const void *psl;                /* the context's PSL, opaque here */
	struct fa_memo *memo;           /* the context's memo (memo.h) */
	pthread_mutex_t udp_lock;       /* idle UDP sockets (bottom context) */
	struct fa_udp_sock udp[FA_DNS_UDP_POOL];
	size_t udp_count;
};

#endif
