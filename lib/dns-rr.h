/* SPDX-License-Identifier: BSD-2-Clause */
/* Records and answers of the DNS layer (dns-rr.c): what the overlay, the
 * cache and the resolver share.  Adapters read answers through dns.h. */
#ifndef FROMAUTH_DNS_RR_H
#define FROMAUTH_DNS_RR_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ldns's record and name types, by their struct tags: no ldns header here,
 * since the adapters include this one. */
struct ldns_struct_rr;
struct ldns_struct_rdf;

/* Same values as enum fromauth_dns_status. */
enum fa_dns_status {
	FA_DNS_OK = 0,
	FA_DNS_NXDOMAIN = 1,
	FA_DNS_NODATA = 2,
	FA_DNS_TIMEOUT = 3,
	FA_DNS_SERVFAIL = 4,
};

/* Record types served; RFC 1035/3596 numbers. */
enum {
	FA_RR_A = 1,
	FA_RR_CNAME = 5,
	FA_RR_SOA = 6,
	FA_RR_PTR = 12,
	FA_RR_MX = 15,
	FA_RR_TXT = 16,
	FA_RR_AAAA = 28,
};

struct fa_dns_rr {
	uint16_t type;
	uint32_t ttl;
	/* TXT: the character-strings concatenated (may hold NUL bytes);
	 * A: 4 bytes; AAAA: 16 bytes; MX, PTR, CNAME: the name in lower
	 * case without trailing dot.  Always followed by a NUL not counted
	 * in len, so text types can be used as C strings. */
	unsigned char *data;
	size_t len;
	uint16_t preference;    /* MX */
	size_t nstrings;        /* TXT: character-strings in the record */
	unsigned char *wire;    /* rdata in wire format (for packets) */
	size_t wire_len;
};

struct fa_dns_answer {
	int status;             /* enum fa_dns_status */
	uint16_t type;
	char *qname;            /* as asked, normalized */
	uint32_t ttl;           /* min TTL of the chain, or negative TTL */
	size_t count;
	struct fa_dns_rr *rrs;
	size_t cname_count;     /* CNAMEs followed, in order */
	char **cnames;          /* their targets */
	atomic_uint refs;
};

/* Longest CNAME chain followed; more is treated as a loop (SERVFAIL). */
#define FA_DNS_MAX_CNAMES 8
/* Cap on cached TTLs, and the negative TTL when no SOA says one. */
#define FA_DNS_MAX_TTL 86400u
#define FA_DNS_DEFAULT_NEG_TTL 60u

int fa_rr_from_ldns(const struct ldns_struct_rr *rr, struct fa_dns_rr *out);
void fa_rr_clear(struct fa_dns_rr *rr);
int fa_rr_copy(const struct fa_dns_rr *src, struct fa_dns_rr *dst);
/* Presentation rdata, as ldns prints it, made from the wire form (the
 * layer keeps no text); malloc'd, NULL on failure. */
char *fa_rr_text(const struct fa_dns_rr *rr);
struct fa_dns_answer *fa_answer_new(const char *qname, uint16_t type, int status);
int fa_answer_add_rr(struct fa_dns_answer *ans, const struct fa_dns_rr *rr);
int fa_answer_add_cname(struct fa_dns_answer *ans, const char *target);

struct fa_dns_answer *fa_dns_answer_ref(struct fa_dns_answer *ans);
void fa_dns_answer_release(struct fa_dns_answer *ans);

/* Canonical key of a presentation-format name: lower case, no trailing
 * dot, escapes as ldns prints them.  NULL for a name ldns rejects. */
char *fa_dns_name_key(const char *name);
/* The same, in @buf when the name is plain (no allocation: a question
 * makes one), else malloc'd; free it only when it is not @buf. */
#define FA_DNS_KEY_BUF 256
char *fa_dns_name_key_buf(const char *name, char buf[FA_DNS_KEY_BUF]);
char *fa_dns_rdf_key(const struct ldns_struct_rdf *dname);
/* A key back in wire form, as ldns_dname_new_frm_str() makes it; NULL
 * when it is no name, or no memory. */
struct ldns_struct_rdf *fa_dns_key_rdf(const char *key);

#endif
