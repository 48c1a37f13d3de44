/* SPDX-License-Identifier: BSD-2-Clause */
/* The real network path: the DNS layer against NSD on 127.0.0.1. */
#include <dirent.h>
#include <pthread.h>
#include <string.h>

#include "test-common.h"
#include "test-nsd.h"
#include "ctx.h"
#include "dns.h"

static struct test_nsd nsd;
static struct fromauth_ctx *ctx;

static void setup(void)
{
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, nsd.nameserver), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, 1000), 0);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
	ctx = NULL;
}

START_TEST(net_answers)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "net.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "192.0.2.10");
	ck_assert_str_eq(fromauth_dns_answer_source(a), "network");
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 1);
	ck_assert_uint_eq(fromauth_dns_answer_ttl(a), 300);
	fromauth_dns_answer_free(a);

	a = test_lookup(ctx, "mx.net.test", FROMAUTH_RR_MX);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "10 mail.net.test.");
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(net_negative)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "nothing.net.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NXDOMAIN);
	/* RFC 2308: the SOA minimum (120) bounds the negative TTL. */
	ck_assert_uint_eq(fromauth_dns_answer_ttl(a), 120);
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "net.test", FROMAUTH_RR_AAAA);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NODATA);
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(net_cname_chain)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "c1.net.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_uint_eq(fromauth_dns_answer_cname_count(a), 2);
	ck_assert_str_eq(fromauth_dns_answer_cname(a, 0), "c2.net.test");
	ck_assert_str_eq(fromauth_dns_answer_cname(a, 1), "txt.net.test");
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"hello\" \"world\"");
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(net_tcp_fallback)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "big.net.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	/* Truncated over UDP, then asked again over TCP. */
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 2);
	ck_assert_uint_gt(strlen(fromauth_dns_answer_record(a, 0)), 1232);
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(net_cache_hits)
{
	struct fromauth_dns_answer *a = test_lookup(ctx, "txt.net.test", FROMAUTH_RR_TXT);
	ck_assert_str_eq(fromauth_dns_answer_source(a), "network");
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "TXT.net.test.", FROMAUTH_RR_TXT);
	ck_assert_str_eq(fromauth_dns_answer_source(a), "cache");
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 0);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"hello\" \"world\"");
	fromauth_dns_answer_free(a);
	/* Negative answers are cached too. */
	a = test_lookup(ctx, "gone.net.test", FROMAUTH_RR_A);
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "gone.net.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NXDOMAIN);
	ck_assert_str_eq(fromauth_dns_answer_source(a), "cache");
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(net_timeout_bounded)
{
	/* A port where nothing answers: 2 tries of 300 ms. */
	struct fromauth_ctx *dead = NULL;
	char ns[32];
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", test_free_port());
	ck_assert_int_eq(fromauth_ctx_new(&dead), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(dead, ns), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(dead, 300), 0);
	ck_assert_int_eq(fromauth_ctx_set_tries(dead, 2), 0);
	struct fromauth_dns_answer *a = NULL;
	uint64_t t0 = (uint64_t)time(NULL);
	ck_assert_int_eq(fromauth_dns_lookup(dead, "net.test", FROMAUTH_RR_A, &a, NULL, 0), 0);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 2);
	/* Within timeout x tries, with scheduling slack; not cut short either
	 * (a refused UDP port may answer with ICMP, which ends a try early). */
	ck_assert_uint_le(fromauth_dns_answer_elapsed_ms(a), 600 + 150);
	ck_assert_uint_le((uint64_t)time(NULL) - t0, 2);
	fromauth_dns_answer_free(a);

	/* The per-check deadline cuts it shorter still. */
	ck_assert_int_eq(fromauth_ctx_set_timeout(dead, 1000), 0);
	ck_assert_int_eq(fromauth_ctx_set_deadline(dead, 200), 0);
	ck_assert_int_eq(fromauth_dns_lookup(dead, "other.net.test", FROMAUTH_RR_A, &a, NULL, 0), 0);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	ck_assert_uint_le(fromauth_dns_answer_elapsed_ms(a), 200 + 150);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(dead);
}
END_TEST

START_TEST(net_refused_outside_zone)
{
	/* NSD refuses names outside its zones: a server failure, not NXDOMAIN. */
	struct fromauth_dns_answer *a = test_lookup(ctx, "example.org", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_SERVFAIL);
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(net_overlay_first)
{
	/* An overlay record answers before the network; other types still
	 * come from the network. */
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "net.test. IN TXT \"v=spf1 -all\"",
						 err, sizeof(err)), 0);
	struct fromauth_dns_answer *a = test_lookup(ctx, "net.test", FROMAUTH_RR_TXT);
	ck_assert_str_eq(fromauth_dns_answer_source(a), "overlay");
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"v=spf1 -all\"");
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "net.test", FROMAUTH_RR_A);
	ck_assert_str_eq(fromauth_dns_answer_source(a), "network");
	fromauth_dns_answer_free(a);
}
END_TEST

START_TEST(net_overlay_delete)
{
	/* Deletions filter what the network answers, as the zone would
	 * answer after the change. */
	char err[256] = "";
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "two.net.test. TXT \"one\"", err,
						    sizeof(err)), 0);
	struct fromauth_dns_answer *a = test_lookup(ctx, "two.net.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_uint_eq(fromauth_dns_answer_count(a), 1);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"two\"");
	ck_assert_str_eq(fromauth_dns_answer_source(a), "network");
	fromauth_dns_answer_free(a);
	/* The whole set: NODATA (the network does not say what else the
	 * name holds); its other types still answer. */
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx,
		"net.test. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"", err, sizeof(err)), 0);
	a = test_lookup(ctx, "net.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NODATA);
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "net.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	fromauth_dns_answer_free(a);
	/* A replacement in the overlay: the network's set minus the old
	 * record plus the new one. */
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "two.net.test. TXT \"two\"", err,
						    sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "two.net.test. TXT \"three\"", err,
						 sizeof(err)), 0);
	a = test_lookup(ctx, "two.net.test", FROMAUTH_RR_TXT);
	ck_assert_uint_eq(fromauth_dns_answer_count(a), 1);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"three\"");
	fromauth_dns_answer_free(a);
	/* A chain served whole is followed a hop at a time: the record at
	 * its end deleted, the chain stays, with nothing at its end. */
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "txt.net.test. TXT \"hello\" \"world\"",
						    err, sizeof(err)), 0);
	a = test_lookup(ctx, "c1.net.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NODATA);
	ck_assert_uint_eq(fromauth_dns_answer_cname_count(a), 2);
	fromauth_dns_answer_free(a);
	/* A deleted alias in the middle: its name is left empty. */
	ck_assert_int_eq(fromauth_ctx_delete_record(ctx, "c2.net.test. CNAME txt.net.test.", err,
						    sizeof(err)), 0);
	a = test_lookup(ctx, "c1.net.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_NXDOMAIN);
	ck_assert_uint_eq(fromauth_dns_answer_cname_count(a), 1);
	ck_assert_str_eq(fromauth_dns_answer_cname(a, 0), "c2.net.test");
	fromauth_dns_answer_free(a);
}
END_TEST

/* Concurrent askers of one uncached name share one query. */
struct asker {
	pthread_barrier_t *barrier;
	unsigned int queries;
	int status;
};

static void *ask(void *arg)
{
	struct asker *k = arg;
	struct fromauth_dns_answer *a = NULL;
	pthread_barrier_wait(k->barrier);
	k->status = -1;
	if (fromauth_dns_lookup(ctx, "big.net.test", FROMAUTH_RR_TXT, &a, NULL, 0) == 0) {
		k->status = fromauth_dns_answer_status(a);
		k->queries = fromauth_dns_answer_queries(a);
	}
	fromauth_dns_answer_free(a);
	return NULL;
}

START_TEST(net_threads_share_queries)
{
	enum { N = 16 };
	pthread_t t[N];
	struct asker k[N];
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, N);
	for (int i = 0; i < N; i++) {
		k[i] = (struct asker){ .barrier = &barrier };
		pthread_create(&t[i], NULL, ask, &k[i]);
	}
	unsigned int total = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(k[i].status, FROMAUTH_DNS_OK);
		total += k[i].queries;
	}
	pthread_barrier_destroy(&barrier);
	/* One UDP and one TCP query for all sixteen. */
	ck_assert_uint_eq(total, 2);
}
END_TEST

/* The product end to end over the network: the check, then the SPF
 * command's library call, against NSD. */
START_TEST(net_check_end_to_end)
{
	struct fromauth_profile *profile = NULL;
	struct fromauth_result *r = NULL;
	char err[512] = "";
	ck_assert_msg(fromauth_profile_load(test_data("profiles/net.profile"), &profile,
					    err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(fromauth_check(ctx, profile, "orders@shop.net.test", 0, &r,
				     err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(fromauth_verdict_name(fromauth_result_verdict(r)), "pass");
	ck_assert_str_eq(fromauth_result_spf_summary(r), "pass");
	ck_assert_int_eq(fromauth_dkim_status(fromauth_result_dkim(r, 0)), FROMAUTH_DKIM_VALID);
	ck_assert_int_eq(fromauth_dmarc_policy(fromauth_result_dmarc(r)), FROMAUTH_DMARC_POLICY_REJECT);
	ck_assert_uint_gt(fromauth_result_dns_queries(r), 0);
	fromauth_result_free(r);

	/* The same check again is answered from the shared cache. */
	ck_assert_int_eq(fromauth_check(ctx, profile, "orders@shop.net.test", 0, &r, NULL, 0), 0);
	ck_assert_int_eq(fromauth_result_verdict(r), FROMAUTH_VERDICT_PASS);
	ck_assert_uint_eq(fromauth_result_dns_queries(r), 0);
	ck_assert_uint_gt(fromauth_result_cache_hits(r), 0);
	fromauth_result_free(r);
	fromauth_profile_free(profile);

	struct fromauth_spf *spf = NULL;
	ck_assert_int_eq(fromauth_spf_check(ctx, "198.51.100.20", "shop.net.test", NULL, &spf,
					    err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_FAIL);
	fromauth_spf_free(spf);
}
END_TEST

static unsigned int threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	ck_assert_ptr_nonnull(d);
	unsigned int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static char *finding_codes(const struct fromauth_result *r)
{
	static char buf[2048];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < fromauth_result_finding_count(r) && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s ",
					fromauth_result_finding_code(r, i));
	return buf;
}

/* A batch worker runs its check's lookups itself: the batch is the
 * parallelism, the context's pool stays unstarted.  A single check still
 * fans its lookups out to the pool, and both give the same result. */
START_TEST(net_batch_lookups_on_worker)
{
	struct fromauth_profile *profile = NULL;
	struct fromauth_batch *b = NULL;
	struct fromauth_result *r = NULL, *single = NULL;
	char err[512] = "";
	size_t index;
	int error;
	ck_assert_msg(fromauth_profile_load(test_data("profiles/net.profile"), &profile,
					    err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, FROMAUTH_CHECK_FIX, 1, &b, err,
					    sizeof(err)), 0);
	ck_assert_int_eq(fromauth_batch_add(b, "orders@shop.net.test", NULL), 0);
	ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 1);
	ck_assert_msg(error == 0, "%s", err);
	ck_assert_uint_gt(fromauth_result_dns_queries(r), 0);
	/* The batch's one worker waits (the batch is open); had its check
	 * used the pool, the pool's workers would be running too, and the
	 * single check below would find them started. */
	unsigned int with_batch = threads_now();
	ck_assert_int_eq(fromauth_check(ctx, profile, "orders@shop.net.test", FROMAUTH_CHECK_FIX,
					&single, err, sizeof(err)), 0);
	ck_assert_uint_gt(threads_now(), with_batch);
	ck_assert_int_eq(fromauth_batch_close(b), 0);
	ck_assert_int_eq(fromauth_result_verdict(r), FROMAUTH_VERDICT_PASS);
	ck_assert_int_eq(fromauth_result_verdict(single), fromauth_result_verdict(r));
	ck_assert_int_eq(fromauth_result_fixed_verdict(single), fromauth_result_fixed_verdict(r));
	char *codes = strdup(finding_codes(r));
	ck_assert_str_eq(finding_codes(single), codes);
	free(codes);
	fromauth_result_free(single);
	fromauth_result_free(r);
	fromauth_batch_free(b);
	fromauth_profile_free(profile);
}
END_TEST

/* Questions asked together are each asked once, and their lookups take
 * the answers as the network's: same records, no second query, and not
 * counted as cache hits. */
START_TEST(net_prefetch)
{
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, "ov.net.test. 300 IN A 192.0.2.99", NULL, 0), 0);
	const struct fa_dns_question qs[] = {
		{ "net.test", FA_RR_A },
		{ "txt.net.test", FA_RR_TXT },
		{ "nothing.net.test", FA_RR_TXT },
		{ "NET.test.", FA_RR_A },               /* the first, again */
		{ "ov.net.test", FA_RR_A },             /* the overlay answers */
		{ "big.net.test", FA_RR_TXT },          /* truncated: left to its lookup */
		{ "example.org", FA_RR_A },             /* refused: left to its lookup */
	};
	fa_dns_prefetch(&req, qs, sizeof(qs) / sizeof(qs[0]));
	ck_assert_uint_eq(atomic_load(&req.queries), 5);

	struct fa_dns_answer *a = NULL;
	enum fa_dns_source src;
	ck_assert_int_eq(fa_dns_query(&req, "net.test", FA_RR_A, &a, &src), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(a->count, 1);
	ck_assert_uint_eq(a->ttl, 300);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_query(&req, "txt.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	ck_assert_uint_eq(a->count, 1);
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_query(&req, "nothing.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	ck_assert_uint_eq(a->ttl, 120);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	fa_dns_answer_release(a);
	ck_assert_uint_eq(atomic_load(&req.queries), 5);
	ck_assert_uint_eq(atomic_load(&req.cache_hits), 0);

	/* Asked once more by their lookups, as they always were. */
	ck_assert_int_eq(fa_dns_query(&req, "big.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(atomic_load(&req.queries), 7);        /* UDP, then TCP */
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_query(&req, "example.org", FA_RR_A, &a, &src), 0);
	ck_assert_int_eq(a->status, FA_DNS_SERVFAIL);
	ck_assert_uint_gt(atomic_load(&req.queries), 7);
	fa_dns_answer_release(a);

	/* The second lookup of a prefetched name is the cache's. */
	ck_assert_int_eq(fa_dns_query(&req, "net.test", FA_RR_A, &a, &src), 0);
	ck_assert_int_eq(src, FA_DNS_FROM_CACHE);
	ck_assert_uint_eq(atomic_load(&req.cache_hits), 1);
	fa_dns_answer_release(a);

	/* Cached now: a second prefetch asks nothing. */
	unsigned int before = atomic_load(&req.queries);
	fa_dns_prefetch(&req, qs, 3);
	ck_assert_uint_eq(atomic_load(&req.queries), before);
}
END_TEST

/* A silent server: the prefetch waits one try at most, and the lookups
 * then ask and time out as they would have. */
START_TEST(net_prefetch_silent)
{
	struct fromauth_ctx *dead = NULL;
	char ns[32];
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", test_free_port());
	ck_assert_int_eq(fromauth_ctx_new(&dead), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(dead, ns), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(dead, 300), 0);
	ck_assert_int_eq(fromauth_ctx_set_tries(dead, 2), 0);
	struct fa_dns_req req;
	fa_dns_req_init(&req, dead->dns);
	const struct fa_dns_question qs[] = { { "net.test", FA_RR_A }, { "txt.net.test", FA_RR_TXT } };
	time_t t0 = time(NULL);
	fa_dns_prefetch(&req, qs, 2);
	ck_assert_uint_le((uint64_t)(time(NULL) - t0), 2);
	/* A refused port may answer the first datagram with ICMP, which
	 * stops the second from going. */
	unsigned int sent = atomic_load(&req.queries);
	ck_assert_uint_ge(sent, 1);
	ck_assert_uint_le(sent, 2);
	struct fa_dns_answer *a = NULL;
	ck_assert_int_eq(fa_dns_query(&req, "net.test", FA_RR_A, &a, NULL), 0);
	ck_assert_int_eq(a->status, FA_DNS_TIMEOUT);
	ck_assert_uint_eq(atomic_load(&req.queries), sent + 2);
	fa_dns_answer_release(a);
	fromauth_ctx_free(dead);

	/* Offline, nothing is asked. */
	struct fromauth_ctx *off = test_offline_ctx("zones/net.zone", NULL);
	fa_dns_req_init(&req, off->dns);
	fa_dns_prefetch(&req, qs, 2);
	ck_assert_uint_eq(atomic_load(&req.queries), 0);
	fromauth_ctx_free(off);
}
END_TEST

/* Another thread's lookup of a name this thread sent ahead. */
static void *ask_mx(void *arg)
{
	struct asker *k = arg;
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	struct fa_dns_answer *a = NULL;
	k->status = -1;
	if (fa_dns_query(&req, "mx.net.test", FA_RR_MX, &a, NULL) == 0) {
		k->status = a->status;
		k->queries = atomic_load(&req.queries);
		fa_dns_answer_release(a);
	}
	return NULL;
}

/* Questions sent ahead of their request: other threads never wait for
 * them, this thread's lookups take their replies, and the request they
 * are finished for counts them as it counts a prefetch. */
START_TEST(net_send_ahead)
{
	const struct fa_dns_question qs[] = {
		{ "net.test", FA_RR_A },
		{ "txt.net.test", FA_RR_TXT },
		{ "nothing.net.test", FA_RR_TXT },
		{ "mx.net.test", FA_RR_MX },
		{ "big.net.test", FA_RR_TXT },          /* truncated: left to its lookup */
		{ "net.test.", FA_RR_A },               /* the first, again */
	};
	struct fa_dns_ahead *ahead = fa_dns_send_ahead(ctx->dns, qs, sizeof(qs) / sizeof(qs[0]));
	ck_assert_ptr_nonnull(ahead);

	/* Nothing in the cache waits for these replies: another thread
	 * asks for itself at once (had it waited for this one, which is
	 * blocked in the join, it would have timed out). */
	struct asker k = { 0 };
	pthread_t t;
	pthread_create(&t, NULL, ask_mx, &k);
	pthread_join(t, NULL);
	ck_assert_int_eq(k.status, FA_DNS_OK);
	ck_assert_uint_eq(k.queries, 1);

	/* This thread's own lookup takes the reply rather than ask again. */
	struct fa_dns_req other;
	fa_dns_req_init(&other, ctx->dns);
	struct fa_dns_answer *a = NULL;
	enum fa_dns_source src;
	ck_assert_int_eq(fa_dns_query(&other, "txt.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_uint_eq(a->count, 1);
	ck_assert_int_eq(src, FA_DNS_FROM_CACHE);
	ck_assert_uint_eq(atomic_load(&other.queries), 0);
	fa_dns_answer_release(a);

	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	fa_dns_ahead_finish(ahead, &req);
	ck_assert_uint_eq(atomic_load(&req.queries), 5);
	/* Its lookups: the network's, no second query. */
	ck_assert_int_eq(fa_dns_query(&req, "net.test", FA_RR_A, &a, &src), 0);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	ck_assert_uint_eq(a->ttl, 300);
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_query(&req, "nothing.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_int_eq(a->status, FA_DNS_NXDOMAIN);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_query(&req, "txt.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	fa_dns_answer_release(a);
	ck_assert_uint_eq(atomic_load(&req.queries), 5);
	ck_assert_uint_eq(atomic_load(&req.cache_hits), 0);
	/* The other thread's answer was cached first: ours was not kept. */
	ck_assert_int_eq(fa_dns_query(&req, "mx.net.test", FA_RR_MX, &a, &src), 0);
	ck_assert_int_eq(src, FA_DNS_FROM_CACHE);
	fa_dns_answer_release(a);
	/* Asked again by its lookup, as always: UDP, then TCP. */
	ck_assert_int_eq(fa_dns_query(&req, "big.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_uint_eq(atomic_load(&req.queries), 7);
	fa_dns_answer_release(a);

	/* All known now: nothing is sent, nothing is counted. */
	ahead = fa_dns_send_ahead(ctx->dns, qs, 3);
	ck_assert_ptr_nonnull(ahead);
	struct fa_dns_req again;
	fa_dns_req_init(&again, ctx->dns);
	fa_dns_ahead_finish(ahead, &again);
	ck_assert_uint_eq(atomic_load(&again.queries), 0);
	ck_assert_int_eq(fa_dns_query(&again, "net.test", FA_RR_A, &a, &src), 0);
	ck_assert_int_eq(src, FA_DNS_FROM_CACHE);
	fa_dns_answer_release(a);
}
END_TEST

/* Replies taken long after the first try's time are still taken. */
START_TEST(net_send_ahead_late)
{
	struct fromauth_ctx *c = NULL;
	ck_assert_int_eq(fromauth_ctx_new(&c), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(c, nsd.nameserver), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(c, 200), 0);
	const struct fa_dns_question qs[] = { { "net.test", FA_RR_A }, { "txt.net.test", FA_RR_TXT } };
	struct fa_dns_ahead *ahead = fa_dns_send_ahead(c->dns, qs, 2);
	ck_assert_ptr_nonnull(ahead);
	usleep(400 * 1000);
	struct fa_dns_req req;
	fa_dns_req_init(&req, c->dns);
	fa_dns_ahead_finish(ahead, &req);
	struct fa_dns_answer *a = NULL;
	enum fa_dns_source src;
	ck_assert_int_eq(fa_dns_query(&req, "txt.net.test", FA_RR_TXT, &a, &src), 0);
	ck_assert_int_eq(a->status, FA_DNS_OK);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	fa_dns_answer_release(a);
	ck_assert_int_eq(fa_dns_query(&req, "net.test", FA_RR_A, &a, &src), 0);
	ck_assert_int_eq(src, FA_DNS_FROM_NETWORK);
	fa_dns_answer_release(a);
	ck_assert_uint_eq(atomic_load(&req.queries), 2);
	fromauth_ctx_free(c);
}
END_TEST

/* A silent server: finishing waits one try at most, then the lookups ask
 * and time out as they would have; offline nothing is sent. */
START_TEST(net_send_ahead_silent)
{
	struct fromauth_ctx *dead = NULL;
	char ns[32];
	snprintf(ns, sizeof(ns), "127.0.0.1@%u", test_free_port());
	ck_assert_int_eq(fromauth_ctx_new(&dead), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(dead, ns), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(dead, 300), 0);
	ck_assert_int_eq(fromauth_ctx_set_tries(dead, 2), 0);
	const struct fa_dns_question qs[] = { { "net.test", FA_RR_A }, { "txt.net.test", FA_RR_TXT } };
	struct fa_dns_ahead *ahead = fa_dns_send_ahead(dead->dns, qs, 2);
	ck_assert_ptr_nonnull(ahead);
	struct fa_dns_req req;
	fa_dns_req_init(&req, dead->dns);
	time_t t0 = time(NULL);
	fa_dns_ahead_finish(ahead, &req);
	ck_assert_uint_le((uint64_t)(time(NULL) - t0), 2);
	unsigned int sent = atomic_load(&req.queries);
	ck_assert_uint_ge(sent, 1);
	ck_assert_uint_le(sent, 2);
	struct fa_dns_answer *a = NULL;
	ck_assert_int_eq(fa_dns_query(&req, "net.test", FA_RR_A, &a, NULL), 0);
	ck_assert_int_eq(a->status, FA_DNS_TIMEOUT);
	ck_assert_uint_eq(atomic_load(&req.queries), sent + 2);
	fa_dns_answer_release(a);
	fromauth_ctx_free(dead);

	struct fromauth_ctx *off = test_offline_ctx("zones/net.zone", NULL);
	ck_assert_ptr_null(fa_dns_send_ahead(off->dns, qs, 2));
	fromauth_ctx_free(off);
}
END_TEST

/* A batch's worker sends the next address's questions before checking
 * the current one.  The results are a single check's, and nothing is
 * asked twice: two addresses of one domain cost what one check does. */
START_TEST(net_batch_sends_ahead)
{
	static const char *const from[] = {
		"a@shop.net.test", "b@shop.net.test", "x@net.test", "y@nothing.net.test",
		"z@mx.net.test",
	};
	enum { N = sizeof(from) / sizeof(from[0]) };
	struct fromauth_profile *profile = NULL;
	struct fromauth_batch *b = NULL;
	struct fromauth_result *got[N] = { 0 };
	char err[512] = "";
	ck_assert_msg(fromauth_profile_load(test_data("profiles/net.profile"), &profile,
					    err, sizeof(err)) == 0, "%s", err);
	/* One worker: it always has a next address while one is left. */
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, 0, 1, &b, err, sizeof(err)), 0);
	for (size_t i = 0; i < N; i++)
		ck_assert_int_eq(fromauth_batch_add(b, from[i], NULL), 0);
	ck_assert_int_eq(fromauth_batch_close(b), 0);
	for (size_t i = 0; i < N; i++) {
		size_t index;
		int error;
		struct fromauth_result *r = NULL;
		ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 1);
		ck_assert_msg(error == 0, "%s", err);
		got[index] = r;
	}
	fromauth_batch_free(b);

	for (size_t i = 0; i < N; i++) {
		struct fromauth_ctx *fresh = NULL;
		struct fromauth_result *single = NULL;
		ck_assert_int_eq(fromauth_ctx_new(&fresh), 0);
		ck_assert_int_eq(fromauth_ctx_add_nameserver(fresh, nsd.nameserver), 0);
		ck_assert_msg(fromauth_check(fresh, profile, from[i], 0, &single, err,
					     sizeof(err)) == 0, "%s", err);
		ck_assert_int_eq(fromauth_result_verdict(got[i]), fromauth_result_verdict(single));
		char *codes = strdup(finding_codes(got[i]));
		ck_assert_str_eq(codes, finding_codes(single));
		free(codes);
		if (i == 0)
			ck_assert_uint_eq(fromauth_result_dns_queries(got[0]) +
						  fromauth_result_dns_queries(got[1]),
					  fromauth_result_dns_queries(single));
		fromauth_result_free(single);
		fromauth_ctx_free(fresh);
	}
	for (size_t i = 0; i < N; i++)
		fromauth_result_free(got[i]);
	fromauth_profile_free(profile);
}
END_TEST

/* The tool against the server: what support staff would type. */
START_TEST(net_tool)
{
	char cmd[8192], out[4096];
	snprintf(cmd, sizeof(cmd), "%s/tools/fromauth check orders@shop.net.test --service %s "
		 "--nameserver %s --json", TEST_BUILD_DIR, test_data("profiles/net.profile"),
		 nsd.nameserver);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"verdict\":\"pass\""));

	snprintf(cmd, sizeof(cmd), "%s/tools/fromauth spf --ip 198.51.100.1 --mail-from shop.net.test "
		 "--nameserver %s", TEST_BUILD_DIR, nsd.nameserver);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_msg(!strncmp(out, "pass", 4), "%s", out);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	const struct test_case tests[] = {
		{ "answers", net_answers },
		{ "negative", net_negative },
		{ "cname_chain", net_cname_chain },
		{ "tcp_fallback", net_tcp_fallback },
		{ "cache_hits", net_cache_hits },
		{ "timeout_bounded", net_timeout_bounded },
		{ "refused_outside_zone", net_refused_outside_zone },
		{ "overlay_first", net_overlay_first },
		{ "overlay_delete", net_overlay_delete },
		{ "threads_share_queries", net_threads_share_queries },
		{ "check_end_to_end", net_check_end_to_end },
		{ "batch_lookups_on_worker", net_batch_lookups_on_worker },
		{ "prefetch", net_prefetch },
		{ "prefetch_silent", net_prefetch_silent },
		{ "send_ahead", net_send_ahead },
		{ "send_ahead_late", net_send_ahead_late },
		{ "send_ahead_silent", net_send_ahead_silent },
		{ "batch_sends_ahead", net_batch_sends_ahead },
		{ "tool", net_tool },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
	return s;
}

int main(void)
{
	return test_nsd_main(&nsd, test_data("zones/net.zone"), net_suite());
}
