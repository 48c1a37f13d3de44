/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How much DNS one check sends for SPF, against servers the test runs on
 * 127.0.0.1: a responder that answers every question (and counts them)
 * and a socket that never answers.  The SPF records come from the
 * overlay, the names their terms name from the network.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"

#define LOOKUP_LIMIT 10         /* RFC 7208 4.6.4 */

/* ---- a responder: A 192.0.2.250 for every name, except names whose
 * first label starts with "void" (NXDOMAIN) or "hit" (192.0.2.1, the
 * service's address); MX of a name starting with "mx": hit.NAME,
 * m2.NAME, m3.NAME; AAAA no data; other types NXDOMAIN; no answer at
 * all for names starting with "slow" ---- */

struct responder {
	int fd;
	unsigned int port;
	atomic_int stop;
	atomic_uint queries;
	pthread_t thread;
};

static int bind_loopback(unsigned int *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static size_t answer(const unsigned char *q, size_t n, unsigned char *out)
{
	size_t i = 12;
	if (n < 12)
		return 0;
	while (i < n && q[i] && q[i] < 64)
		i += (size_t)q[i] + 1;
	if (i + 5 > n || q[i])
		return 0;
	size_t qend = i + 5;
	unsigned int type = (unsigned int)q[i + 1] << 8 | q[i + 2];
	int is_void = q[12] >= 4 && !memcmp(q + 13, "void", 4);
	int is_hit = q[12] >= 3 && !memcmp(q + 13, "hit", 3);
	int is_mx = q[12] >= 2 && !memcmp(q + 13, "mx", 2);
	memcpy(out, q, qend);
	out[2] = 0x84 | (q[2] & 0x01);          /* QR, AA, RD as asked */
	out[3] = 0;
	memset(out + 4, 0, 8);
	out[5] = 1;                             /* QDCOUNT */
	size_t len = qend;
	if (type == 1 && !is_void) {
		static const unsigned char rr[] = {
			0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 192, 0, 2, 250,
		};
		out[7] = 1;                     /* ANCOUNT */
		memcpy(out + len, rr, sizeof(rr));
		if (is_hit)
			out[len + sizeof(rr) - 1] = 1;
		len += sizeof(rr);
	} else if (type == 15 && is_mx) {
		static const char *const hosts[] = { "hit", "m2", "m3" };
		out[7] = 3;
		for (int h = 0; h < 3; h++) {
			size_t hl = strlen(hosts[h]);
			/* NAME (pointer to the question), MX IN, TTL 300, rdata:
			 * preference, then the host's label and a pointer */
			static const unsigned char head[] = { 0xc0, 0x0c, 0, 15, 0, 1, 0, 0, 1, 0x2c };
			memcpy(out + len, head, sizeof(head));
			len += sizeof(head);
			size_t rdlen = 2 + 1 + hl + 2;
			out[len++] = 0;
			out[len++] = (unsigned char)rdlen;
			out[len++] = 0;
			out[len++] = (unsigned char)(10 * (h + 1));
			out[len++] = (unsigned char)hl;
			memcpy(out + len, hosts[h], hl);
			len += hl;
			out[len++] = 0xc0;
			out[len++] = 0x0c;
		}
	} else if (type != 28 || is_void) {
		out[3] = 3;                     /* NXDOMAIN */
	}
	return len;
}

static void *respond(void *arg)
{
	struct responder *r = arg;
	unsigned char q[512], out[600];
	while (!atomic_load(&r->stop)) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		if (poll(&p, 1, 50) <= 0)
			continue;
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(r->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		if (n <= 0)
			continue;
		atomic_fetch_add(&r->queries, 1);
		if (n > 17 && q[12] >= 4 && !memcmp(q + 13, "slow", 4))
			continue;
		size_t len = answer(q, (size_t)n, out);
		if (len)
			sendto(r->fd, out, len, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static void responder_start(struct responder *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = bind_loopback(&r->port);
	ck_assert_int_eq(pthread_create(&r->thread, NULL, respond, r), 0);
}

static void responder_stop(struct responder *r)
{
	atomic_store(&r->stop, 1);
	pthread_join(r->thread, NULL);
	close(r->fd);
}

/* ---- the records ---- */

static void add(struct fromauth_ctx *ctx, const char *line)
{
	char err[512] = "";
	int rc = fromauth_ctx_add_record(ctx, line, err, sizeof(err));
	ck_assert_msg(rc == 0, "%.80s: %s", line, err);
}

/* OWNER TXT with @text split into character-strings. */
static void add_txt(struct fromauth_ctx *ctx, const char *owner, const char *text)
{
	char line[8192];
	size_t n = (size_t)snprintf(line, sizeof(line), "%s 300 IN TXT", owner);
	for (size_t off = 0, len = strlen(text); off < len; off += 200)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " \"%.200s\"", text + off);
	add(ctx, line);
}

/* flood.test: 63 includes, each of ~190 a: terms, none of whose names
 * the overlay holds.  A record that does not flood is "-all" alone;
 * @top replaces the record when not NULL. */
static struct fromauth_ctx *flood_ctx(const char *nameserver, unsigned int timeout_ms,
				      int flood, const char *top)
{
	struct fromauth_ctx *ctx = NULL;
	char rec[4096];
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, nameserver), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, timeout_ms), 0);
	size_t n = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (int i = 0; flood && i < 63; i++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n, " include:i%d.flood.test", i);
	snprintf(rec + n, sizeof(rec) - n, " -all");
	add_txt(ctx, "flood.test.", top ? top : rec);
	for (int i = 0; i < 63; i++) {
		char owner[64];
		n = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
		for (int k = 0; k < 190 && n + 24 < sizeof(rec); k++)
			n += (size_t)snprintf(rec + n, sizeof(rec) - n,
					      " a:h%d-%d.flood.test", i, k);
		snprintf(rec + n, sizeof(rec) - n, " -all");
		snprintf(owner, sizeof(owner), "i%d.flood.test.", i);
		add_txt(ctx, owner, rec);
	}
	return ctx;
}

static struct fromauth_profile *profile(void)
{
	struct fromauth_profile *p = NULL;
	char err[256] = "";
	int rc = fromauth_profile_parse("name = Flood\nip = 192.0.2.1/32\n", "flood",
					&p, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	return p;
}

static struct fromauth_result *check(struct fromauth_ctx *ctx, unsigned int flags)
{
	struct fromauth_profile *p = profile();
	struct fromauth_result *r = NULL;
	char err[512] = "";
	int rc = fromauth_check(ctx, p, "user@flood.test", flags, &r, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	fromauth_profile_free(p);
	return r;
}

/* The message of the first finding @code, or NULL. */
static const char *finding(const struct fromauth_result *r, const char *code)
{
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		if (!strcmp(fromauth_result_finding_code(r, i), code))
			return fromauth_result_finding_message(r, i);
	return NULL;
}

static int has_code(const struct fromauth_result *r, const char *code)
{
	return finding(r, code) != NULL;
}

/*
 * One check of user@flood.test from one service address sends, beyond
 * the fixed set a check of a record without DNS terms sends (existence,
 * DMARC), at most what RFC 7208 lets a receiver send: per evaluation 10
 * DNS-querying terms; the tree analysis 10 terms of at most 2 queries
 * (A and AAAA); with --fix the merged record's analysis once more.
 * Before the analysis obeyed the limits, it resolved all 63 x 190 names.
 */
START_TEST(check_spf_query_bound)
{
	for (int fix = 0; fix < 2; fix++) {
		unsigned int flags = fix ? FROMAUTH_CHECK_FIX : 0;
		struct responder srv;
		char ns[64];

		responder_start(&srv);
		snprintf(ns, sizeof(ns), "127.0.0.1@%u", srv.port);
		struct fromauth_ctx *ctx = flood_ctx(ns, 2000, 0, NULL);
		struct fromauth_result *r = check(ctx, flags);
		unsigned int fixed = fromauth_result_dns_queries(r);
		ck_assert_ptr_nonnull(strstr(fromauth_result_json(r), "\"lookups_cut\":false"));
		ck_assert(!fromauth_result_spf_lookups_cut(r));
		ck_assert(!fromauth_result_spf_lookups_cut(NULL));
		fromauth_result_free(r);
		fromauth_ctx_free(ctx);
		unsigned int fixed_seen = atomic_load(&srv.queries);

		ctx = flood_ctx(ns, 2000, 1, NULL);
		r = check(ctx, flags);
		unsigned int queries = fromauth_result_dns_queries(r);
		unsigned int seen = atomic_load(&srv.queries) - fixed_seen;
		unsigned int bound = fixed + 1 * LOOKUP_LIMIT + 2 * LOOKUP_LIMIT +
				     (fix ? 2 * LOOKUP_LIMIT + 1 * LOOKUP_LIMIT : 0);
		fprintf(stderr, "fix=%d: %u queries (server saw %u), bound %u, fixed set %u\n",
			fix, queries, seen, bound, fixed);
		ck_assert_msg(queries <= bound && seen <= bound,
			      "fix=%d: %u queries (server saw %u), bound %u (fixed set %u)",
			      fix, queries, seen, bound, fixed);
		/* read no further than a receiver (the first include): 63
		 * includes and its 190 terms counted, a lower bound, and the
		 * finding says so */
		const char *msg = finding(r, "spf.lookup_limit");
		ck_assert_ptr_nonnull(msg);
		ck_assert_msg(strstr(msg, "needs at least 253 DNS lookups"), "%s", msg);
		ck_assert_ptr_nonnull(strstr(fromauth_result_json(r), "\"lookups_cut\":true"));
		ck_assert(fromauth_result_spf_lookups_cut(r));
		ck_assert_uint_eq(fromauth_result_spf_lookups(r), 253);
		/* the a: names answer: only the limit stops the walk */
		ck_assert_int_ge((int)queries, (int)fixed + LOOKUP_LIMIT);
		fromauth_result_free(r);
		fromauth_ctx_free(ctx);
		responder_stop(&srv);
	}
}
END_TEST

/* The void-lookup limit stops the analysis as it stops a receiver. */
START_TEST(check_spf_void_bound)
{
	struct responder srv;
	char ns[64], rec[512];

	responder_start(&srv);
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", srv.port);
	struct fromauth_ctx *ctx = flood_ctx(ns, 2000, 0, NULL);
	struct fromauth_result *r = check(ctx, 0);
	unsigned int fixed = fromauth_result_dns_queries(r);
	fromauth_result_free(r);
	fromauth_ctx_free(ctx);

	size_t n = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (int k = 0; k < 9; k++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n, " a:void%d.flood.test", k);
	snprintf(rec + n, sizeof(rec) - n, " -all");
	ctx = flood_ctx(ns, 2000, 0, rec);
	r = check(ctx, 0);
	/* 3 void names, A for the evaluation, A and AAAA for the analysis;
	 * then the fix tries each of the 6 names the receiver never got to
	 * once (A and AAAA), to drop only the dead ones */
	unsigned int queries = fromauth_result_dns_queries(r);
	ck_assert_msg(queries <= fixed + 3 * 2 + 6 * 2, "%u queries, fixed set %u", queries, fixed);
	ck_assert(has_code(r, "spf.void_limit"));
	/* every name is void: the fix is the record without them */
	int found = 0;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		if (!strcmp(fromauth_result_finding_code(r, i), "spf.void_limit"))
			found = fromauth_result_finding_fix_count(r, i) == 1 &&
				strstr(fromauth_result_finding_fix(r, i, 0), "\"v=spf1 -all\"") != NULL;
	ck_assert(found);
	fromauth_result_free(r);
	fromauth_ctx_free(ctx);
	responder_stop(&srv);
}
END_TEST

static unsigned long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* A server that never answers: each name costs the timeout, so the
 * check ends after the few names a receiver would ask, not at the 30 s
 * deadline.  The bound is generous: the machine may be loaded. */
START_TEST(check_spf_silent_server)
{
	unsigned int port;
	char ns[64];
	int fd = bind_loopback(&port);
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", port);
	struct fromauth_ctx *ctx = flood_ctx(ns, 300, 1, NULL);
	unsigned long long start = now_ms();
	struct fromauth_result *r = check(ctx, FROMAUTH_CHECK_FIX);
	unsigned long long took = now_ms() - start;
	fprintf(stderr, "silent server: the check took %llu ms\n", took);
	ck_assert_msg(took < 10000, "the check took %llu ms", took);
	ck_assert_int_eq(fromauth_result_verdict(r), FROMAUTH_VERDICT_UNKNOWN);
	fromauth_result_free(r);
	fromauth_ctx_free(ctx);
	close(fd);
}
END_TEST

/* Where a fresh lookup of @name/@type would come from: "cache" once
 * something asked it. */
static const char *source_of(struct fromauth_ctx *ctx, const char *name, int type)
{
	static char src[16];
	struct fromauth_dns_answer *a = NULL;
	ck_assert_int_eq(fromauth_dns_lookup(ctx, name, type, &a, NULL, 0), 0);
	snprintf(src, sizeof(src), "%s", fromauth_dns_answer_source(a));
	fromauth_dns_answer_free(a);
	return src;
}

/* An MX answer's hosts are asked for their addresses all at once, one
 * round trip instead of one per host: so even the hosts after the one
 * that matched are in the cache. */
START_TEST(check_spf_mx_hosts_together)
{
	struct responder srv;
	char ns[64];
	responder_start(&srv);
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", srv.port);
	struct fromauth_ctx *ctx = flood_ctx(ns, 2000, 0, "v=spf1 mx:mx.flood.test -all");
	struct fromauth_result *r = check(ctx, 0);
	ck_assert_str_eq(fromauth_result_spf_summary(r), "pass");
	fromauth_result_free(r);
	ck_assert_str_eq(source_of(ctx, "hit.mx.flood.test", FROMAUTH_RR_A), "cache");
	ck_assert_str_eq(source_of(ctx, "m2.mx.flood.test", FROMAUTH_RR_A), "cache");
	ck_assert_str_eq(source_of(ctx, "m3.mx.flood.test", FROMAUTH_RR_A), "cache");
	/* the client's family only */
	ck_assert_str_eq(source_of(ctx, "m3.mx.flood.test", FROMAUTH_RR_AAAA), "network");
	fromauth_ctx_free(ctx);
	responder_stop(&srv);
}
END_TEST

/* The analysis asks a record's a and mx questions together, up to the
 * lookup limit: with an include of a name without a record first, the
 * walk stops there (as a receiver would), yet the names after it were
 * asked with the others. */
START_TEST(check_spf_terms_together)
{
	struct responder srv;
	char ns[64];
	responder_start(&srv);
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", srv.port);
	struct fromauth_ctx *ctx = flood_ctx(ns, 2000, 0,
		"v=spf1 include:void0.flood.test a:late.flood.test mx:late.flood.test -all");
	struct fromauth_result *r = check(ctx, 0);
	ck_assert(has_code(r, "spf.syntax"));
	ck_assert_str_eq(fromauth_result_spf_summary(r), "permerror");
	fromauth_result_free(r);
	ck_assert_str_eq(source_of(ctx, "late.flood.test", FROMAUTH_RR_A), "cache");
	ck_assert_str_eq(source_of(ctx, "late.flood.test", FROMAUTH_RR_AAAA), "cache");
	ck_assert_str_eq(source_of(ctx, "late.flood.test", FROMAUTH_RR_MX), "cache");
	fromauth_ctx_free(ctx);

	/* beyond the lookup limit nothing is asked */
	char rec[1024];
	size_t n = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (int k = 0; k < 10; k++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n, " include:i%d.flood.test", k);
	snprintf(rec + n, sizeof(rec) - n, " a:beyond.flood.test mx:mx.beyond.flood.test -all");
	ctx = flood_ctx(ns, 2000, 0, rec);
	r = check(ctx, 0);
	fromauth_result_free(r);
	ck_assert_str_eq(source_of(ctx, "beyond.flood.test", FROMAUTH_RR_A), "network");
	fromauth_ctx_free(ctx);
	responder_stop(&srv);
}
END_TEST

/* A batch with as many workers as addresses checks them all at once: no
 * worker takes a second address ahead while another worker is idle, so
 * a quick address is never queued behind a slow one (whose server does
 * not answer): it comes back first. */
START_TEST(batch_small_uses_every_worker)
{
	struct responder srv;
	char ns[64], err[512] = "";
	responder_start(&srv);
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", srv.port);
	struct fromauth_ctx *ctx = flood_ctx(ns, 200, 0, NULL);
	ck_assert_int_eq(fromauth_ctx_set_tries(ctx, 1), 0);
	struct fromauth_profile *p = profile();
	for (int round = 0; round < 3; round++) {
		struct fromauth_batch *b = NULL;
		ck_assert_int_eq(fromauth_batch_new(ctx, p, 0, 2, &b, err, sizeof(err)), 0);
		ck_assert_int_eq(fromauth_batch_add(b, "a@slow.test", NULL), 0);
		ck_assert_int_eq(fromauth_batch_add(b, "b@flood.test", NULL), 0);
		ck_assert_int_eq(fromauth_batch_close(b), 0);
		size_t index;
		int error;
		struct fromauth_result *r = NULL;
		ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 1);
		ck_assert_uint_eq(index, 1);
		fromauth_result_free(r);
		ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 1);
		ck_assert_uint_eq(index, 0);
		fromauth_result_free(r);
		fromauth_batch_free(b);
	}
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
	responder_stop(&srv);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("spf-net");
	const struct test_case cases[] = {
		{ "check_spf_query_bound", check_spf_query_bound },
		{ "check_spf_void_bound", check_spf_void_bound },
		{ "check_spf_silent_server", check_spf_silent_server },
		{ "check_spf_mx_hosts_together", check_spf_mx_hosts_together },
		{ "check_spf_terms_together", check_spf_terms_together },
		{ "batch_small_uses_every_worker", batch_small_uses_every_worker },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);
		tcase_add_test(tc, cases[i].test);
		/* longer than the 30 s deadline the silent server once hit */
		tcase_set_timeout(tc, 120);
		suite_add_tcase(s, tc);
	}
	return s;
}
