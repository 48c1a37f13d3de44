/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DNS blocklists (RFC 5782): query names, the lists we know, and the
 * classification of their answers.  Only DNS below; the check decides
 * what a listing means for the sender (lib/rules.c).
 */
#ifndef FROMAUTH_DNSBL_H
#define FROMAUTH_DNSBL_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

enum fa_dnsbl_kind {
	FA_DNSBL_IP = 0,
	FA_DNSBL_DOMAIN = 1,
};

/* Same values as enum fromauth_reputation_status. */
enum fa_dnsbl_status {
	FA_DNSBL_NOT_LISTED = 0,
	FA_DNSBL_LISTED = 1,
	FA_DNSBL_REFUSED = 2,   /* the list's "query refused" answer */
	FA_DNSBL_ERROR = 3,     /* timeout, server failure */
	FA_DNSBL_UNKNOWN = 4,   /* undocumented code, broken or unusable list */
};

/* One answer value, or (mask) a range of them. */
struct fa_dnsbl_code {
	uint32_t value;         /* 127.0.0.2 = 0x7f000002; a bit when bitmask */
	uint32_t mask;          /* 0xffffffff one value, 0xffffff00 a /24 */
	const char *meaning;
};

struct fa_dnsbl_list {
	const char *zone;
	int kind;               /* enum fa_dnsbl_kind */
	int ipv6;               /* IP list answering nibble queries */
	int bitmask;            /* codes are bits of the last octet */
	const struct fa_dnsbl_code *listed;
	size_t listed_count;
	const struct fa_dnsbl_code *refused;
	size_t refused_count;
	int registered;         /* domain list of registered domains only */
	const char *test_listed;        /* domain lists: the positive test name */
	const char *delist;             /* where to look up and request delisting */
};

/* The default lists (dnsbl facts: alive, documented; no dead list). */
const struct fa_dnsbl_list *fa_dnsbl_defaults(size_t *count);

/*
 * The reverse name of @ip under @suffix ("in-addr.arpa", "ip6.arpa", a
 * zone): octets reversed for IPv4, 32 nibbles for IPv6.  Returns AF_INET,
 * AF_INET6, or -1 for a malformed address or a short buffer.
 */
int fa_reverse_name(const char *ip, const char *suffix, char *buf, size_t len);

struct fa_dnsbl_answer {
	int status;             /* enum fa_dnsbl_status */
	char codes[160];        /* the A values, "127.0.0.2,127.0.0.4" */
	char meaning[256];      /* what the codes say, "; "-separated */
	char txt[512];          /* the TXT reason, when listed or refused */
};

/* Query @target (an IP for IP lists, a domain for domain lists) on @list
 * and classify the answer.  Returns 0, FROMAUTH_E_NOMEM, or
 * FROMAUTH_E_DOMAIN/E_IP for a name that cannot be asked. */
int fa_dnsbl_lookup(struct fa_dns_req *req, const struct fa_dnsbl_list *list,
		    const char *target, struct fa_dnsbl_answer *out);

/* Self-test outcome of a zone (RFC 5782 section 5). */
enum fa_dnsbl_zone_state {
	FA_DNSBL_ZONE_OK = 0,
	FA_DNSBL_ZONE_BROKEN = 1,       /* lists its negative test entry */
	FA_DNSBL_ZONE_UNUSABLE = 2,     /* does not list its positive one */
	FA_DNSBL_ZONE_REFUSED = 3,      /* answers the test with a refusal */
	FA_DNSBL_ZONE_ERROR = 4,        /* the test timed out / failed */
};

/* Test @list with its listed and its not-listed test entries; @why says
 * what was seen.  Returns 0 or FROMAUTH_E_NOMEM. */
int fa_dnsbl_selftest(struct fa_dns_req *req, const struct fa_dnsbl_list *list,
		      int *state, char *why, size_t whylen);

/*
 * A list from a spec of "key=value" parts separated by ';' (see
 * fromauth_ctx_add_dnsbl(3)).  On success @l owns its strings; release
 * with fa_dnsbl_list_clear().  Returns 0, FROMAUTH_E_INVAL with the reason
 * in @errbuf, or FROMAUTH_E_NOMEM.
 */
int fa_dnsbl_parse(const char *spec, struct fa_dnsbl_list *l, char *errbuf, size_t errlen);
void fa_dnsbl_list_clear(struct fa_dnsbl_list *l);

#endif
