/* SPDX-License-Identifier: BSD-2-Clause */
/* The DNS layer offline: overlay semantics, CNAMEs, wildcards, timeouts,
 * the wire format handed to libopendkim, and the cache. */
#include <pthread.h>
#include <string.h>

#include "test-common.h"
#include "ctx.h"
#include "dns-internal.h"
#include "private.h"
#include "result.h"

static struct fromauth_ctx *ctx;

static void setup(void)
{
	ctx = test_offline_ctx("zones/example.zone", NULL);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
	ctx = NULL;
}

START_TEST(fromauth_dns_lookup_records)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "txt.example.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_uint_eq(fromauth_dns_answer_count(a), 1);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"hello\" \"world\"");
	ck_assert_ptr_null(fromauth_dns_answer_record(a, 1));
	ck_assert_uint_eq(fromauth_dns_answer_ttl(a), 3600);
	ck_assert_str_eq(fromauth_dns_answer_source(a), "overlay");
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 0);
	fromauth_dns_answer_free(a);

	a = test_lookup(ctx, "EXAMPLE.test.", FROMAUTH_RR_MX);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "10 mx.example.test.");
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(fromauth_dns_lookup_negative)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "nope.example.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NXDOMAIN);
	ck_assert_uint_eq(fromauth_dns_answer_count(a), 0);
	fromauth_dns_answer_free(a);

	a = test_lookup(ctx, "example.test", FROMAUTH_RR_AAAA);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NODATA);
	fromauth_dns_answer_free(a);

	/* b.c.example.test holds nothing but has a child: empty non-terminal. */
	a = test_lookup(ctx, "b.c.example.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NODATA);
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(fromauth_dns_lookup_cname)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "alias2.example.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_uint_eq(fromauth_dns_answer_cname_count(a), 2);
	ck_assert_str_eq(fromauth_dns_answer_cname(a, 0), "alias.example.test");
	ck_assert_str_eq(fromauth_dns_answer_cname(a, 1), "txt.example.test");
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"hello\" \"world\"");
	fromauth_dns_answer_free(a);

	/* Asking for the CNAME itself does not follow it. */
	a = test_lookup(ctx, "alias.example.test", FROMAUTH_RR_CNAME);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_uint_eq(fromauth_dns_answer_cname_count(a), 0);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "txt.example.test.");
	fromauth_dns_answer_free(a);

	a = test_lookup(ctx, "loop1.example.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_SERVFAIL);
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(fromauth_dns_lookup_wildcard)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "x.y.wild.example.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"wildcard\"");
	fromauth_dns_answer_free(a);
	/* The wildcard does not cover its own parent. */
	a = test_lookup(ctx, "wild.example.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NODATA);
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(fromauth_dns_lookup_bad_input)
{
	struct fromauth_dns_answer *a = (void *)1;
	char err[256] = "";
	char longlabel[80];
	memset(longlabel, 'a', 70);
	strcpy(longlabel + 70, ".test");
	ck_assert_int_eq(fromauth_dns_lookup(ctx, longlabel, FROMAUTH_RR_A, &a, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(strstr(err, "not a valid domain name"));
	ck_assert_int_eq(fromauth_dns_lookup(ctx, "", FROMAUTH_RR_A, &a, NULL, 0),
			 FROMAUTH_E_DOMAIN);
	ck_assert_int_eq(fromauth_dns_lookup(ctx, "example.test", 99, &a, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_dns_lookup(NULL, "example.test", FROMAUTH_RR_A, &a, NULL, 0),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_rrtype_from_name("txt"), FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_rrtype_from_name("SOA"), 0);
	ck_assert_str_eq(fromauth_dns_status_name(FROMAUTH_DNS_NODATA), "nodata");
	/* Getters tolerate NULL. */
	ck_assert_int_eq(fromauth_dns_answer_status(NULL), -1);
	ck_assert_uint_eq(fromauth_dns_answer_count(NULL), 0);
	fromauth_dns_answer_free(NULL);
}
END_TEST

START_TEST(fa_dns_answer_to_wire_packet)
{
	struct fa_dns_req req;
	struct fa_dns_answer *a = NULL;
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_dns_query(&req, "alias.example.test", FA_RR_TXT, &a, NULL), 0);
	unsigned char buf[1024];
	size_t len = 0;
	ck_assert_int_eq(fa_dns_answer_to_wire(a, 0x1234, buf, sizeof(buf), &len), 0);
	/* Parse it back with ldns: the question and one TXT answer. */
	ldns_pkt *pkt = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&pkt, buf, len), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_id(pkt), 0x1234);
	ck_assert_int_eq(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(ldns_pkt_ancount(pkt), 1);
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	char *qn = ldns_rdf2str(ldns_rr_owner(q));
	ck_assert_str_eq(qn, "alias.example.test.");
	free(qn);
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(pkt), 0);
	ck_assert_uint_eq(ldns_rr_rd_count(rr), 2);
	ldns_pkt_free(pkt);
	ck_assert_int_eq(fa_dns_answer_to_wire(a, 1, buf, 20, &len), FROMAUTH_E_RANGE);
	fa_dns_answer_release(a);

	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_dns_query(&req, "nope.example.test", FA_RR_TXT, &a, NULL), 0);
	ck_assert_int_eq(fa_dns_answer_to_wire(a, 7, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(ldns_wire2pkt(&pkt, buf, len), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(pkt);
	fa_dns_answer_release(a);
}
END_TEST

/* A reply to "www.example.test" A IN with ID 0x1234 and one A record;
 * the tests below spoil one field at a time. */
static size_t reply_bytes(unsigned char *buf)
{
	static const unsigned char reply[] = {
		0x12, 0x34, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
		0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
	};
	memcpy(buf, reply, sizeof(reply));
	return sizeof(reply);
}

static int reply_ok(const unsigned char *buf, size_t len, uint16_t id, const char *name,
		    uint16_t type)
{
	ldns_rdf *q = ldns_dname_new_frm_str(name);
	ck_assert_ptr_nonnull(q);
	struct fa_dns_reply *r = NULL;
	int rc = fa_dns_reply_parse(buf, len, id, q, type, &r);
	ck_assert(rc == FROMAUTH_OK ? r != NULL : r == NULL);
	fa_dns_reply_free(r);
	ldns_rdf_deep_free(q);
	return rc == FROMAUTH_OK;
}

START_TEST(fa_dns_reply_parse_matches)
{
	unsigned char b[64];
	size_t n = reply_bytes(b);
	ck_assert(reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));
	/* Names compare without regard to case, either side. */
	ck_assert(reply_ok(b, n, 0x1234, "WWW.Example.TEST.", FA_RR_A));
	b[13] = 'W';
	ck_assert(reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));

	/* Not ours: ID, question name, type, class. */
	n = reply_bytes(b);
	ck_assert(!reply_ok(b, n, 0x1235, "www.example.test", FA_RR_A));
	ck_assert(!reply_ok(b, n, 0x1234, "ww.example.test", FA_RR_A));
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_TXT));
	b[33] = 3;                      /* class CH */
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));

	n = reply_bytes(b);
	b[2] &= 0x7f;                   /* QR=0: a query, not a reply */
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));
	n = reply_bytes(b);
	b[2] |= 2 << 3;                 /* opcode STATUS */
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));
	n = reply_bytes(b);
	b[5] = 0;                       /* no question */
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));

	/* Malformed: short, cut off, a compression pointer to itself. */
	n = reply_bytes(b);
	ck_assert(!reply_ok(b, 11, 0x1234, "www.example.test", FA_RR_A));
	ck_assert(!reply_ok(b, n - 1, 0x1234, "www.example.test", FA_RR_A));
	b[35] = 34;
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));
}
END_TEST

/* Our hand-written query is the packet ldns writes for the same question
 * (RD, EDNS0 with a 1232-byte UDP size). */
START_TEST(fa_dns_query_wire_as_ldns)
{
	const char *names[] = { "example.com.", "_dmarc.Example.COM.", ".",
				"s1._domainkey.a-b.example.", "x\\.y.example." };
	const uint16_t types[] = { LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA,
				   LDNS_RR_TYPE_MX };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (size_t j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
			ldns_rdf *qname = ldns_dname_new_frm_str(names[i]);
			ck_assert_ptr_nonnull(qname);
			uint16_t id = (uint16_t)(0x1234 + i * 7 + j);
			ldns_pkt *q = ldns_pkt_query_new(ldns_rdf_clone(qname), types[j],
							 LDNS_RR_CLASS_IN, LDNS_RD);
			ldns_pkt_set_id(q, id);
			ldns_pkt_set_edns_udp_size(q, 1232);
			uint8_t *want = NULL;
			size_t wlen = 0;
			ck_assert_int_eq(ldns_pkt2wire(&want, q, &wlen), LDNS_STATUS_OK);
			uint8_t got[FA_DNS_QUERY_MAX];
			size_t glen = fa_dns_query_wire(qname, types[j], id, got);
			ck_assert_msg(glen == wlen && !memcmp(got, want, wlen),
				      "%s/%u: %zu bytes, ldns %zu", names[i], types[j], glen, wlen);
			free(want);
			ldns_pkt_free(q);
			ldns_rdf_deep_free(qname);
		}
	}
	/* Not a name: nothing written. */
	ldns_rdf *a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "192.0.2.1");
	uint8_t buf[FA_DNS_QUERY_MAX];
	ck_assert_uint_eq(fa_dns_query_wire(a, LDNS_RR_TYPE_A, 1, buf), 0);
	ldns_rdf_deep_free(a);
}
END_TEST

/* The key made from the wire form is what ldns prints, lower case and
 * without the final dot, for plain names and for any other. */
START_TEST(fa_dns_rdf_key_as_ldns)
{
	const char *names[] = { "Example.COM.", "_dmarc.a-b.example.", "s1._domainkey.x9.example.",
				".", "a\\.b.example.", "sp ace\\032.example.", "\\000x.example.",
				"UPPER\\200.example.", "*.wild.example.", "a.", "z" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ldns_rdf *d = ldns_dname_new_frm_str(names[i]);
		if (!d)
			continue;
		char *text = ldns_rdf2str(d);
		char *want = fa_domain_normalize(text);
		char *got = fa_dns_rdf_key(d);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(!strcmp(got, want), "%s: %s, ldns %s", names[i], got, want);
		free(got);
		free(want);
		free(text);
		ldns_rdf_deep_free(d);
	}
	/* A label of 63 bytes, and the longest name. */
	char longname[300] = "";
	for (int l = 0; l < 4; l++)
		strcat(longname, l < 3 ? "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
				       : "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");
	ldns_rdf *d = ldns_dname_new_frm_str(longname);
	ck_assert_ptr_nonnull(d);
	char *got = fa_dns_rdf_key(d);
	longname[strlen(longname) - 1] = '\0';
	ck_assert_str_eq(got, longname);
	free(got);
	ldns_rdf_deep_free(d);
}
END_TEST

/* The answer to @name/@type in the reply @buf (ID 0x1234). */
static struct fa_dns_answer *answer_of(const unsigned char *buf, size_t len, const char *name,
				       uint16_t type)
{
	ldns_rdf *q = ldns_dname_new_frm_str(name);
	struct fa_dns_reply *r = NULL;
	ck_assert_int_eq(fa_dns_reply_parse(buf, len, 0x1234, q, type, &r), FROMAUTH_OK);
	char *key = fa_dns_rdf_key(q);
	struct fa_dns_answer *a = fa_dns_answer_from_reply(r, key, type);
	ck_assert_ptr_nonnull(a);
	free(key);
	fa_dns_reply_free(r);
	ldns_rdf_deep_free(q);
	return a;
}

START_TEST(fa_dns_answer_from_reply_owner)
{
	/* Records of names we did not ask about are not our answer. */
	unsigned char b[64];
	size_t n = reply_bytes(b);
	struct fa_dns_answer *a = answer_of(b, n, "www.example.test", FA_RR_A);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(a->count, 1);
	ck_assert_uint_eq(a->rrs[0].data[0], 192);
	ck_assert_uint_eq(a->ttl, 60);
	fa_dns_answer_release(a);
	b[35] = 24;                     /* owner "test" */
	a = answer_of(b, n, "www.example.test", FA_RR_A);
	ck_assert_int_eq(a->status, FA_DNS_NODATA);
	ck_assert_uint_eq(a->count, 0);
	fa_dns_answer_release(a);
	/* A record whose rdata is not an address is skipped, not fatal. */
	n = reply_bytes(b);
	b[45] = 3;
	a = answer_of(b, n - 1, "www.example.test", FA_RR_A);
	ck_assert_int_eq(a->status, FA_DNS_NODATA);
	fa_dns_answer_release(a);
	/* Cut inside the record, or a count past the end: not a reply. */
	n = reply_bytes(b);
	ck_assert(!reply_ok(b, n - 1, 0x1234, "www.example.test", FA_RR_A));
	b[7] = 2;
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_A));
}
END_TEST

/* @rrs ("|"-separated, zone syntax) in the answer section, @auth in the
 * authority section and a glue record in the additional one, compressed
 * by ldns, for @name/@type; the answer ours makes of it. */
static struct fa_dns_answer *ldns_reply(const char *name, uint16_t type, int rcode,
					const char *rrs, const char *auth, ldns_pkt **pktp)
{
	ldns_pkt *pkt = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
					   LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_id(pkt, 0x1234);
	ldns_pkt_set_qr(pkt, 1);
	ldns_pkt_set_rcode(pkt, (uint8_t)rcode);
	const char *sect[2] = { rrs, auth };
	for (int k = 0; k < 2; k++) {
		char *copy = strdup(sect[k]), *save = NULL;
		for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
			ldns_rr *rr = NULL;
			ck_assert_int_eq(ldns_rr_new_frm_str(&rr, t, 3600, NULL, NULL),
					 LDNS_STATUS_OK);
			ldns_pkt_push_rr(pkt, k ? LDNS_SECTION_AUTHORITY : LDNS_SECTION_ANSWER, rr);
		}
		free(copy);
	}
	ldns_rr *glue = NULL;
	ck_assert_int_eq(ldns_rr_new_frm_str(&glue, "ns1.example.test. 60 IN A 192.0.2.53",
					     3600, NULL, NULL), LDNS_STATUS_OK);
	ldns_pkt_push_rr(pkt, LDNS_SECTION_ADDITIONAL, glue);
	uint8_t *wire = NULL;
	size_t len = 0;
	ck_assert_int_eq(ldns_pkt2wire(&wire, pkt, &len), LDNS_STATUS_OK);
	struct fa_dns_answer *a = answer_of(wire, len, name, type);
	ldns_pkt_free(pkt);
	/* What ldns reads back (compression may change the case). */
	ck_assert_int_eq(ldns_wire2pkt(pktp, wire, len), LDNS_STATUS_OK);
	free(wire);
	return a;
}

/* Every record of @a is what fa_rr_from_ldns makes of ldns's parse of
 * the answer section's record @idx. */
static void same_as_ldns(const struct fa_dns_answer *a, const ldns_pkt *pkt, const size_t *idx)
{
	for (size_t i = 0; i < a->count; i++) {
		struct fa_dns_rr want;
		ck_assert_int_eq(fa_rr_from_ldns(ldns_rr_list_rr(ldns_pkt_answer(pkt), idx[i]),
						 &want), FROMAUTH_OK);
		const struct fa_dns_rr *got = &a->rrs[i];
		ck_assert_uint_eq(got->type, want.type);
		ck_assert_uint_eq(got->ttl, want.ttl);
		ck_assert_uint_eq(got->len, want.len);
		ck_assert(!memcmp(got->data, want.data, want.len + 1));
		ck_assert_uint_eq(got->nstrings, want.nstrings);
		ck_assert_uint_eq(got->preference, want.preference);
		ck_assert_uint_eq(got->wire_len, want.wire_len);
		ck_assert(!memcmp(got->wire, want.wire, want.wire_len));
		fa_rr_clear(&want);
	}
}

START_TEST(fa_dns_answer_from_reply_as_ldns)
{
	ldns_pkt *pkt;
	const char *soa = "example.test. 600 IN SOA ns1.example.test. h.example.test. 1 2 3 4 300";
	const char *ns = "example.test. 7200 IN NS ns1.example.test.";
	/* Strings joined, a record of each size, the lowest TTL. */
	struct fa_dns_answer *a = ldns_reply("txt.example.test", FA_RR_TXT, LDNS_RCODE_NOERROR,
		"txt.example.test. 300 IN TXT \"v=spf1 \" \"-all\"|"
		"txt.example.test. 200 IN TXT \"\"|"
		"txt.example.test. 900 IN TXT \"a\\000b\"|"
		"other.example.test. 1 IN TXT \"forged\"", ns, &pkt);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(a->count, 3);
	ck_assert_uint_eq(a->ttl, 200);
	ck_assert_str_eq((const char *)a->rrs[0].data, "v=spf1 -all");
	ck_assert_uint_eq(a->rrs[2].len, 3);
	same_as_ldns(a, pkt, (const size_t[]){ 0, 1, 2 });
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);

	/* A chain in order, then the records at its end only. */
	a = ldns_reply("A.example.test", FA_RR_AAAA, LDNS_RCODE_NOERROR,
		       "c.example.test. 50 IN AAAA 2001:db8::1|"
		       "a.example.test. 100 IN CNAME B.example.test.|"
		       "b.example.test. 40 IN CNAME c.example.test.|"
		       "a.example.test. 10 IN AAAA 2001:db8::bad", ns, &pkt);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(a->cname_count, 2);
	ck_assert_str_eq(a->cnames[0], "b.example.test");
	ck_assert_str_eq(a->cnames[1], "c.example.test");
	ck_assert_uint_eq(a->count, 1);
	ck_assert_uint_eq(a->ttl, 40);
	same_as_ldns(a, pkt, (const size_t[]){ 0 });
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);

	/* Names in rdata through ldns: keys in lower case. */
	a = ldns_reply("mx.example.test", FA_RR_MX, LDNS_RCODE_NOERROR,
		       "mx.example.test. 300 IN MX 10 Mail.Example.TEST.|"
		       "mx.example.test. 300 IN MX 20 mx.example.test.", ns, &pkt);
	ck_assert_uint_eq(a->count, 2);
	ck_assert_str_eq((const char *)a->rrs[0].data, "mail.example.test");
	ck_assert_uint_eq(a->rrs[1].preference, 20);
	same_as_ldns(a, pkt, (const size_t[]){ 0, 1 });
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);

	/* Negative: the SOA's minimum or its TTL, the lower (RFC 2308). */
	a = ldns_reply("nx.example.test", FA_RR_TXT, LDNS_RCODE_NXDOMAIN, "", soa, &pkt);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	ck_assert_uint_eq(a->ttl, 300);
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);
	a = ldns_reply("alias.example.test", FA_RR_TXT, LDNS_RCODE_NOERROR,
		       "alias.example.test. 100 IN CNAME gone.example.test.", soa, &pkt);
	ck_assert_int_eq(a->status, FA_DNS_NODATA);
	ck_assert_uint_eq(a->cname_count, 1);
	ck_assert_uint_eq(a->ttl, 100);
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);
	/* Records of another owner only: NODATA, the TTL still read. */
	a = ldns_reply("q.example.test", FA_RR_A, LDNS_RCODE_NOERROR,
		       "x.example.test. 100 IN A 192.0.2.1", soa, &pkt);
	ck_assert_int_eq(a->status, FA_DNS_NODATA);
	ck_assert_uint_eq(a->ttl, 300);
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);
	a = ldns_reply("q.example.test", FA_RR_A, LDNS_RCODE_NOERROR,
		       "x.example.test. 100 IN A 192.0.2.1", ns, &pkt);
	ck_assert_uint_eq(a->ttl, FA_DNS_DEFAULT_NEG_TTL);
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);

	/* A loop of aliases is the server's failure. */
	a = ldns_reply("l1.example.test", FA_RR_A, LDNS_RCODE_NOERROR,
		       "l1.example.test. 100 IN CNAME l2.example.test.|"
		       "l2.example.test. 100 IN CNAME l1.example.test.", soa, &pkt);
	ck_assert_int_eq(a->status, FA_DNS_SERVFAIL);
	fa_dns_answer_release(a);
	ldns_pkt_free(pkt);
}
END_TEST

START_TEST(fa_dns_reply_parse_sections)
{
	/* The additional section is not read: a reply whose answer is
	 * sound is taken with junk after it. */
	unsigned char b[80];
	size_t n = reply_bytes(b);
	b[11] = 1;
	memset(b + n, 0xff, 5);
	ck_assert(reply_ok(b, n + 5, 0x1234, "www.example.test", FA_RR_A));
	/* The authority section is when the answer is negative: its TTL. */
	n = reply_bytes(b);
	b[7] = 0;
	b[9] = 1;
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_TXT));
	b[31] = 16;                     /* question type TXT, A in authority */
	ck_assert(reply_ok(b, n, 0x1234, "www.example.test", FA_RR_TXT));
	b[36] = 0xc0;                   /* record type 0xc001: still parses */
	ck_assert(reply_ok(b, n, 0x1234, "www.example.test", FA_RR_TXT));
	b[35] = 34;                     /* owner pointing at itself: refused */
	ck_assert(!reply_ok(b, n, 0x1234, "www.example.test", FA_RR_TXT));
	/* Truncation and the RCODE are read from the header. */
	n = reply_bytes(b);
	b[2] |= 0x02;
	b[3] = 0x82;
	ldns_rdf *q = ldns_dname_new_frm_str("www.example.test");
	struct fa_dns_reply *r = NULL;
	ck_assert_int_eq(fa_dns_reply_parse(b, n, 0x1234, q, FA_RR_A, &r), FROMAUTH_OK);
	ck_assert_int_eq(r->tc, 1);
	ck_assert_int_eq(r->rcode, LDNS_RCODE_SERVFAIL);
	fa_dns_reply_free(r);
	ldns_rdf_deep_free(q);
}
END_TEST

START_TEST(fa_dns_clone_overlay_layers)
{
	/* A layer over the context: its records replace the base's for the
	 * same name and type, the base is untouched. */
	struct fa_dns *layer = NULL;
	ck_assert_int_eq(fa_dns_clone_overlay(ctx->dns, &layer), 0);
	ck_assert_int_eq(fa_dns_add_record(layer, "txt.example.test. IN TXT \"replaced\"", NULL, 0), 0);
	ck_assert_int_eq(fa_dns_add_record(layer, "new.example.test. IN CNAME mx.example.test.", NULL, 0), 0);

	struct fa_dns_req req;
	struct fa_dns_answer *a = NULL;
	fa_dns_req_init(&req, layer);
	ck_assert_int_eq(fa_dns_query(&req, "txt.example.test", FA_RR_TXT, &a, NULL), 0);
	ck_assert_uint_eq(a->count, 1);
	ck_assert_str_eq((const char *)a->rrs[0].data, "replaced");
	fa_dns_answer_release(a);
	/* CNAME in the layer, target in the base. */
	ck_assert_int_eq(fa_dns_query(&req, "new.example.test", FA_RR_A, &a, NULL), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(a->cname_count, 1);
	fa_dns_answer_release(a);

	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_dns_query(&req, "txt.example.test", FA_RR_TXT, &a, NULL), 0);
	ck_assert_str_eq((const char *)a->rrs[0].data, "helloworld");
	ck_assert_uint_eq(a->rrs[0].nstrings, 2);
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_query(&req, "new.example.test", FA_RR_A, &a, NULL), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	fa_dns_answer_release(a);
	fa_dns_free(layer);
}
END_TEST

static int layer_query(struct fa_dns *d, const char *name, uint16_t type,
		       struct fa_dns_answer **a)
{
	struct fa_dns_req req;
	fa_dns_req_init(&req, d);
	return fa_dns_query(&req, name, type, a, NULL);
}

START_TEST(fa_dns_delete_record_layers)
{
	/* A layer over the context deletes what the base publishes, as the
	 * zone would answer after the change; the base is untouched. */
	struct fa_dns *layer = NULL;
	struct fa_dns_answer *a = NULL;
	ck_assert_int_eq(fa_dns_add_record(ctx->dns, "two.example.test. TXT \"one\"", NULL, 0), 0);
	ck_assert_int_eq(fa_dns_add_record(ctx->dns, "two.example.test. TXT \"two\"", NULL, 0), 0);
	ck_assert_int_eq(fa_dns_clone_overlay(ctx->dns, &layer), 0);

	/* The only record of a name: NXDOMAIN. */
	ck_assert_int_eq(fa_dns_delete_record(layer, "txt.example.test. TXT \"hello\" \"world\"",
					      NULL, 0), 0);
	ck_assert_int_eq(layer_query(layer, "txt.example.test", FA_RR_TXT, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	ck_assert_uint_eq(a->count, 0);
	fa_dns_answer_release(a);
	/* Matched by text, not by how it is cut into strings. */
	ck_assert_int_eq(fa_dns_delete_record(layer, "two.example.test. 60 TXT \"o\" \"ne\"",
					      NULL, 0), 0);
	ck_assert_int_eq(layer_query(layer, "two.example.test", FA_RR_TXT, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(a->count, 1);
	ck_assert_str_eq((const char *)a->rrs[0].data, "two");
	fa_dns_answer_release(a);
	/* A set emptied at a name that holds other types: NODATA. */
	ck_assert_int_eq(fa_dns_delete_record(layer, "example.test. MX 10 mx.example.test.",
					      NULL, 0), 0);
	ck_assert_int_eq(layer_query(layer, "example.test", FA_RR_MX, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NODATA);
	fa_dns_answer_release(a);
	ck_assert_int_eq(layer_query(layer, "example.test", FA_RR_A, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	fa_dns_answer_release(a);
	/* Deleting the only record below an empty non-terminal removes both. */
	ck_assert_int_eq(fa_dns_delete_record(layer, "a.b.c.example.test. A 192.0.2.3", NULL, 0), 0);
	ck_assert_int_eq(layer_query(layer, "a.b.c.example.test", FA_RR_A, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	fa_dns_answer_release(a);
	/* Replace = delete + add in one layer: the rest of the set stays. */
	ck_assert_int_eq(fa_dns_delete_record(layer, "two.example.test. TXT \"two\"", NULL, 0), 0);
	ck_assert_int_eq(fa_dns_add_record(layer, "two.example.test. TXT \"three\"", NULL, 0), 0);
	ck_assert_int_eq(fa_dns_delete_record(layer, "nothing.example.test. TXT \"x\"", NULL, 0), 0);
	ck_assert_int_eq(layer_query(layer, "two.example.test", FA_RR_TXT, &a), 0);
	ck_assert_uint_eq(a->count, 1);
	ck_assert_str_eq((const char *)a->rrs[0].data, "three");
	fa_dns_answer_release(a);
	/* Deleting what does not exist creates no name. */
	ck_assert_int_eq(layer_query(layer, "nothing.example.test", FA_RR_A, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	fa_dns_answer_release(a);

	/* CNAMEs: deleting the target's record leaves the alias with nothing
	 * at the end of its chain; deleting the alias makes the name go. */
	ck_assert_int_eq(layer_query(layer, "alias.example.test", FA_RR_TXT, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	ck_assert_uint_eq(a->cname_count, 1);
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_delete_record(layer, "alias2.example.test. CNAME alias.example.test.",
					      NULL, 0), 0);
	ck_assert_int_eq(layer_query(layer, "alias2.example.test", FA_RR_TXT, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	ck_assert_uint_eq(a->cname_count, 0);
	fa_dns_answer_release(a);
	/* A record deleted, then published again in the same layer. */
	ck_assert_int_eq(fa_dns_add_record(layer, "alias2.example.test. CNAME alias.example.test.",
					   NULL, 0), 0);
	ck_assert_int_eq(layer_query(layer, "alias2.example.test", FA_RR_TXT, &a), 0);
	ck_assert_uint_eq(a->cname_count, 2);
	fa_dns_answer_release(a);

	/* The base still answers as before. */
	ck_assert_int_eq(layer_query(ctx->dns, "txt.example.test", FA_RR_TXT, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	fa_dns_answer_release(a);
	ck_assert_int_eq(layer_query(ctx->dns, "two.example.test", FA_RR_TXT, &a), 0);
	ck_assert_uint_eq(a->count, 2);
	fa_dns_answer_release(a);
	ck_assert_int_eq(layer_query(ctx->dns, "a.b.c.example.test", FA_RR_A, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	fa_dns_answer_release(a);

	ck_assert_int_eq(fa_dns_delete_record(layer, "bad. TXT", NULL, 0), FROMAUTH_E_RECORD);
	fa_dns_free(layer);

	/* In the context itself (--assume-delete): the zone's own record. */
	ck_assert_int_eq(fa_dns_delete_record(ctx->dns, "mx.example.test. A 192.0.2.25", NULL, 0), 0);
	ck_assert_int_eq(layer_query(ctx->dns, "mx.example.test", FA_RR_A, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	fa_dns_answer_release(a);
}
END_TEST

START_TEST(fa_remedy_layer_operations)
{
	/* Every operation of every finding on one layer: a replacement keeps
	 * the rest of its set, a deletion empties a name, an action is no
	 * DNS, and a finding needing input applies nothing. */
	ck_assert_int_eq(fa_dns_add_record(ctx->dns, "two.example.test. TXT \"one\"", NULL, 0), 0);
	ck_assert_int_eq(fa_dns_add_record(ctx->dns, "two.example.test. TXT \"two\"", NULL, 0), 0);
	struct fromauth_result *r = fa_result_new();
	ck_assert_ptr_nonnull(r);
	struct fa_finding *f = fa_finding_add(r, "dmarc.multiple", FROMAUTH_SEVERITY_ERROR, "x");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fa_finding_add_replace(f, "two.example.test. 3600 IN TXT \"two\"",
						"two.example.test. 3600 IN TXT \"three\""), 0);
	ck_assert_int_eq(fa_finding_add_delete(f, "txt.example.test. 3600 IN TXT \"helloworld\""), 0);
	ck_assert_int_eq(fa_finding_add_action(f, "Authenticate example.test at the service."), 0);
	ck_assert_int_eq(fa_finding_add_fix(f, "new.example.test. 3600 IN A 192.0.2.9"), 0);
	f = fa_finding_add(r, "dkim.key_missing", FROMAUTH_SEVERITY_ERROR, "y");
	ck_assert_ptr_nonnull(f);
	f->fix_needs_input = 1;
	ck_assert_int_eq(fa_finding_add_replace(f, "mx.example.test. 3600 IN A 192.0.2.25",
						"mx.example.test. 3600 IN TXT \"<key>\""), 0);

	/* What the getters say of them. */
	ck_assert_uint_eq(fromauth_result_finding_op_count(r, 0), 4);
	ck_assert_uint_eq(fromauth_result_finding_fix_count(r, 0), 2);
	ck_assert_str_eq(fromauth_result_finding_fix(r, 0, 0), "two.example.test. 3600 IN TXT \"three\"");
	ck_assert_str_eq(fromauth_result_finding_fix(r, 0, 1), "new.example.test. 3600 IN A 192.0.2.9");
	ck_assert_int_eq(fromauth_result_finding_op(r, 0, 0), FROMAUTH_FIX_REPLACE);
	ck_assert_str_eq(fromauth_result_finding_op_old(r, 0, 0), "two.example.test. 3600 IN TXT \"two\"");
	ck_assert_int_eq(fromauth_result_finding_op(r, 0, 1), FROMAUTH_FIX_DELETE);
	ck_assert_ptr_null(fromauth_result_finding_op_old(r, 0, 1));
	ck_assert_ptr_null(fromauth_result_finding_op_text(r, 0, 1));
	ck_assert_int_eq(fromauth_result_finding_op(r, 0, 2), FROMAUTH_FIX_ACTION);
	ck_assert_ptr_null(fromauth_result_finding_op_rr(r, 0, 2));
	ck_assert_str_eq(fromauth_result_finding_op_text(r, 0, 2),
			 "Authenticate example.test at the service.");
	ck_assert_int_eq(fromauth_result_finding_op(r, 0, 3), FROMAUTH_FIX_ADD);
	ck_assert_int_eq(fromauth_result_finding_op(r, 0, 4), -1);
	ck_assert_int_eq(fromauth_result_finding_op(r, 9, 0), -1);
	ck_assert_ptr_null(fromauth_result_finding_op_rr(NULL, 0, 0));
	ck_assert_uint_eq(fromauth_result_finding_op_count(NULL, 0), 0);
	ck_assert_str_eq(fromauth_fix_op_name(FROMAUTH_FIX_REPLACE), "replace");
	ck_assert_ptr_null(fromauth_fix_op_name(4));
	ck_assert_ptr_null(fromauth_fix_op_name(-1));

	struct fa_dns *layer = NULL;
	struct fa_dns_answer *a = NULL;
	ck_assert_int_eq(fa_remedy_layer(ctx->dns, r, &layer), 0);
	ck_assert_int_eq(layer_query(layer, "two.example.test", FA_RR_TXT, &a), 0);
	ck_assert_uint_eq(a->count, 2);
	int one = 0, three = 0;
	for (size_t i = 0; i < a->count; i++) {
		one |= !strcmp((const char *)a->rrs[i].data, "one");
		three |= !strcmp((const char *)a->rrs[i].data, "three");
	}
	ck_assert(one && three);
	fa_dns_answer_release(a);
	ck_assert_int_eq(layer_query(layer, "txt.example.test", FA_RR_TXT, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	fa_dns_answer_release(a);
	ck_assert_int_eq(layer_query(layer, "new.example.test", FA_RR_A, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	fa_dns_answer_release(a);
	/* The finding needing input changed nothing; its new line is named. */
	ck_assert_int_eq(layer_query(layer, "mx.example.test", FA_RR_A, &a), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	fa_dns_answer_release(a);
	ck_assert_uint_eq(fromauth_result_fix_not_applied_count(r), 1);
	ck_assert_str_eq(fromauth_result_fix_not_applied(r, 0), "mx.example.test. 3600 IN TXT \"<key>\"");
	fa_dns_free(layer);
	fromauth_result_free(r);
}
END_TEST

/* The cache: one fetch serves concurrent askers, TTLs expire. */
struct waiter {
	struct fa_cache *cache;
	struct fa_dns_answer *got;
	enum fa_cache_outcome outcome;
};

static void *wait_for_entry(void *arg)
{
	struct waiter *w = arg;
	w->outcome = fa_cache_acquire(w->cache, "1/x.test", 0, &w->got);
	return NULL;
}

START_TEST(fa_cache_acquire_shares_fetch)
{
	struct fa_cache *cache = NULL;
	ck_assert_int_eq(fa_cache_new(&cache, 16), 0);
	struct fa_dns_answer *a = NULL;
	ck_assert_int_eq(fa_cache_acquire(cache, "1/x.test", 0, &a), FA_CACHE_FETCH);

	struct waiter w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct waiter){ .cache = cache };
		pthread_create(&t[i], NULL, wait_for_entry, &w[i]);
	}
	struct fa_dns_answer *ans = fa_answer_new("x.test", 1, FA_DNS_NXDOMAIN);
	fa_cache_complete(cache, "1/x.test", ans, 60);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].outcome, FA_CACHE_HIT);
		ck_assert_ptr_eq(w[i].got, ans);
		fa_dns_answer_release(w[i].got);
	}
	/* Zero TTL: not kept for later askers. */
	ck_assert_int_eq(fa_cache_acquire(cache, "1/y.test", 0, &a), FA_CACHE_FETCH);
	fa_cache_complete(cache, "1/y.test", ans, 0);
	ck_assert_int_eq(fa_cache_acquire(cache, "1/y.test", 0, &a), FA_CACHE_FETCH);
	fa_cache_complete(cache, "1/y.test", NULL, 0);
	/* A waiter with a deadline gives up. */
	ck_assert_int_eq(fa_cache_acquire(cache, "1/z.test", 0, &a), FA_CACHE_FETCH);
	ck_assert_int_eq(fa_cache_acquire(cache, "1/z.test", fa_now_ms() + 50, &a),
			 FA_CACHE_EXPIRED_WAIT);
	fa_cache_complete(cache, "1/z.test", NULL, 0);
	fa_dns_answer_release(ans);
	fa_cache_free(cache);
}
END_TEST

START_TEST(fa_cache_bounded)
{
	struct fa_cache *cache = NULL;
	ck_assert_int_eq(fa_cache_new(&cache, 8), 0);
	for (int i = 0; i < 100; i++) {
		char key[32];
		struct fa_dns_answer *a = NULL;
		snprintf(key, sizeof(key), "1/n%d.test", i);
		ck_assert_int_eq(fa_cache_acquire(cache, key, 0, &a), FA_CACHE_FETCH);
		struct fa_dns_answer *ans = fa_answer_new(key + 2, 1, FA_DNS_NODATA);
		fa_cache_complete(cache, key, ans, 3600);
		fa_dns_answer_release(ans);
	}
	ck_assert_uint_le(fa_cache_size(cache), 8);
	fa_cache_free(cache);
}
END_TEST

/* Many threads on one context. */
static void *hammer(void *arg)
{
	struct fromauth_ctx *c = arg;
	for (int i = 0; i < 200; i++) {
		struct fromauth_dns_answer *a = NULL;
		if (fromauth_dns_lookup(c, i % 2 ? "alias2.example.test" : "nope.example.test",
					FROMAUTH_RR_TXT, &a, NULL, 0) != 0)
			return (void *)1;
		int want = i % 2 ? FROMAUTH_DNS_OK : FROMAUTH_DNS_NXDOMAIN;
		int ok = fromauth_dns_answer_status(a) == want;
		fromauth_dns_answer_free(a);
		if (!ok)
			return (void *)1;
	}
	return NULL;
}

START_TEST(fromauth_dns_lookup_threads)
{
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, hammer, ctx);
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		ck_assert_ptr_null(r);
	}
}
END_TEST

/* The one existence probe of the library (check's and DMARC's np=). */
START_TEST(fa_dns_name_nonexistent_cases)
{
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "half.example.test. 60 IN MX 10 mx.example.test.",
						 err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "half.example.test"), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "down.example.test"), 0);
	static const struct {
		const char *name;
		int want;
		unsigned int lookups;
	} cases[] = {
		{ "example.test", 0, 1 },               /* A answers: stop there */
		{ "mx.example.test", 0, 1 },
		{ "nope.example.test", 1, 3 },          /* NXDOMAIN thrice */
		{ "b.c.example.test", 0, 1 },           /* empty non-terminal */
		{ "x.wild.example.test", 0, 1 },        /* wildcard: NODATA */
		{ "down.example.test", -1, 3 },         /* all time out */
		{ "half.example.test", 0, 3 },          /* MX answers, A/AAAA time out */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fa_dns_req req;
		fa_dns_req_init(&req, ctx->dns);
		int nx = 42;
		ck_assert_int_eq(fa_dns_name_nonexistent(&req, cases[i].name, &nx), 0);
		ck_assert_msg(nx == cases[i].want, "%s: %d", cases[i].name, nx);
		ck_assert_uint_eq(atomic_load(&req.lookups), cases[i].lookups);
	}
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	int nx = 42;
	ck_assert_int_lt(fa_dns_name_nonexistent(&req, "bad..name", &nx), 0);
}
END_TEST

/* The one escaper shows bytes exactly as ldns prints a TXT string. */
START_TEST(fa_escape_bytes_as_ldns)
{
	unsigned char data[1 + 256];
	data[0] = 255;
	for (int i = 0; i < 255; i++)
		data[1 + i] = (unsigned char)(i + 1);
	for (size_t off = 0; off < 255; off += 51) {
		size_t len = 51;
		unsigned char wire[1 + 51];
		wire[0] = (unsigned char)len;
		memcpy(wire + 1, data + 1 + off, len);
		ldns_rdf *rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, len + 1, wire);
		ck_assert_ptr_nonnull(rdf);
		char *want = ldns_rdf2str(rdf);
		ck_assert_ptr_nonnull(want);
		char *got = fa_escape_dup(wire + 1, len);
		ck_assert_ptr_nonnull(got);
		ck_assert_uint_eq(strlen(want), strlen(got) + 2);
		ck_assert_msg(strncmp(want + 1, got, strlen(got)) == 0, "%s vs %s", want, got);
		ck_assert_uint_eq(fa_escape_bytes(NULL, wire + 1, len), strlen(got));
		free(got);
		free(want);
		ldns_rdf_deep_free(rdf);
	}
	char *s = fa_escape_dup("a\"b\\c\0\t\xff", 8);
	ck_assert_str_eq(s, "a\\\"b\\\\c\\000\t\\255");
	free(s);
	s = fa_escape_dup("", 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("dns");
	const struct test_case tests[] = {
		{ "fromauth_dns_lookup_records", fromauth_dns_lookup_records },
		{ "fromauth_dns_lookup_negative", fromauth_dns_lookup_negative },
		{ "fromauth_dns_lookup_cname", fromauth_dns_lookup_cname },
		{ "fromauth_dns_lookup_wildcard", fromauth_dns_lookup_wildcard },
		{ "fromauth_dns_lookup_bad_input", fromauth_dns_lookup_bad_input },
		{ "fromauth_dns_lookup_threads", fromauth_dns_lookup_threads },
		{ "fa_dns_answer_to_wire", fa_dns_answer_to_wire_packet },
		{ "fa_dns_reply_parse", fa_dns_reply_parse_matches },
		{ "fa_dns_query_wire", fa_dns_query_wire_as_ldns },
		{ "fa_dns_rdf_key", fa_dns_rdf_key_as_ldns },
		{ "fa_dns_answer_from_reply", fa_dns_answer_from_reply_owner },
		{ "fa_dns_answer_from_reply_as_ldns", fa_dns_answer_from_reply_as_ldns },
		{ "fa_dns_reply_parse_sections", fa_dns_reply_parse_sections },
		{ "fa_dns_clone_overlay", fa_dns_clone_overlay_layers },
		{ "fa_dns_delete_record", fa_dns_delete_record_layers },
		{ "fa_remedy_layer", fa_remedy_layer_operations },
		{ "fa_cache_acquire", fa_cache_acquire_shares_fetch },
		{ "fa_cache_bounded", fa_cache_bounded },
		{ "fa_escape_bytes", fa_escape_bytes_as_ldns },
		{ "fa_dns_name_nonexistent", fa_dns_name_nonexistent_cases },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
	return s;
}
