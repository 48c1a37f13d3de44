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
#include "dns-reply.h"

/* A query for @qname/@type (class IN, RD, EDNS0 with our UDP size) with
 * @id, written to @wire; its length, or 0 for a @qname that is no domain
 * name in wire form. */
#define FA_DNS_QUERY_MAX (12 + LDNS_MAX_DOMAINLEN + 1 + 4 + 11)
size_t fa_dns_query_wire(const ldns_rdf *qname, uint16_t type, uint16_t id,
			 uint8_t wire[FA_DNS_QUERY_MAX]);
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
