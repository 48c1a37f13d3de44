/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The network path against a server that means harm (tests/hostile-dns.py,
 * on 127.0.0.1 and ::1 at a free port): answers that drip, truncate, are
 * forged or loop must neither decide a result nor outlast the timeout and
 * the deadline.  Queries are counted by the library and by the server.
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "test-common.h"
#include "test-nsd.h"

#ifndef PYTHON3
#define PYTHON3 "python3"
#endif

static pid_t server_pid;
static char dir[64], logpath[128];
static char ns4[32], ns6[48];
static int have_v6;

#define GENUINE "192.0.2.1"
#define FORGED "203.0.113.66"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct fromauth_ctx *hostile_ctx(const char *ns, unsigned int timeout,
					unsigned int tries)
{
	struct fromauth_ctx *ctx = NULL;
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, ns), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, timeout), 0);
	ck_assert_int_eq(fromauth_ctx_set_tries(ctx, tries), 0);
	return ctx;
}

/* Queries the server received for @name over @proto ("udp", "tcp", or
 * NULL for both); NULL @name counts every query. */
static unsigned int server_count(const char *proto, const char *name)
{
	FILE *f = fopen(logpath, "r");
	ck_assert_ptr_nonnull(f);
	char line[512], p[8], n[300];
	unsigned int count = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%7s %299s", p, n) != 2)
			continue;
		if ((!proto || !strcmp(p, proto)) && (!name || !strcasecmp(n, name)))
			count++;
	}
	fclose(f);
	return count;
}

/* ---- defect 3: every wait bounded ------------------------------------- */

START_TEST(drip_lookup_bounded)
{
	/* TC over UDP, then 1 KB over TCP at one byte per 200 ms (200 s in
	 * all): each try must end at its timeout, partial reads included. */
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 1000, 2);
	uint64_t t0 = now_ms();
	struct fromauth_dns_answer *a = test_lookup(ctx, "a.drip.hostile.test", FROMAUTH_RR_TXT);
	uint64_t took = now_ms() - t0;
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	ck_assert_uint_eq(fromauth_dns_answer_count(a), 0);
	/* timeout x tries, with generous slack for a loaded machine */
	ck_assert_msg(took <= 2000 + 1500, "took %llu ms", (unsigned long long)took);
	ck_assert_uint_ge(took, 1900);  /* and not cut short */
	/* Per try: one UDP query, one TCP query. */
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 4);
	ck_assert_uint_eq(server_count("udp", "a.drip.hostile.test"), 2);
	ck_assert_uint_le(server_count("tcp", "a.drip.hostile.test"), 2);
	fromauth_dns_answer_free(a);

	/* The per-check deadline cuts the dripping try shorter still. */
	ck_assert_int_eq(fromauth_ctx_set_deadline(ctx, 1300), 0);
	t0 = now_ms();
	a = test_lookup(ctx, "b.drip.hostile.test", FROMAUTH_RR_TXT);
	took = now_ms() - t0;
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	ck_assert_msg(took <= 1300 + 1500, "took %llu ms", (unsigned long long)took);
	ck_assert_uint_le(fromauth_dns_answer_queries(a), 4);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
}
END_TEST

START_TEST(drip_tool_bounded)
{
	char cmd[1024], out[4096];
	snprintf(cmd, sizeof(cmd), "%s/tools/fromauth dns c.drip.hostile.test TXT "
		 "--nameserver %s --timeout 1000", TEST_BUILD_DIR, ns4);
	uint64_t t0 = now_ms();
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	uint64_t took = now_ms() - t0;
	/* The default 2 tries of --timeout 1000. */
	ck_assert_msg(took <= 2000 + 2500, "took %llu ms", (unsigned long long)took);
	ck_assert_int_eq(WEXITSTATUS(st), 3);   /* temporary failure */
	ck_assert_msg(strstr(out, "c.drip.hostile.test TXT: timeout"), "%s", out);
	ck_assert_msg(strstr(out, "4 queries"), "%s", out);
}
END_TEST

/* A whole check against a server that answers nothing in time ends by
 * its deadline, and the library counted every packet the server saw. */
static void check_bounded(const char *from, unsigned int deadline)
{
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 1000, 2);
	ck_assert_int_eq(fromauth_ctx_set_deadline(ctx, deadline), 0);
	struct fromauth_profile *profile = NULL;
	struct fromauth_result *r = NULL;
	char err[512] = "";
	ck_assert_msg(fromauth_profile_load(test_data("profiles/hostile.profile"), &profile,
					    err, sizeof(err)) == 0, "%s", err);
	unsigned int before = server_count(NULL, NULL);
	uint64_t t0 = now_ms();
	ck_assert_msg(fromauth_check(ctx, profile, from, 0, &r, err, sizeof(err)) == 0,
		      "%s", err);
	uint64_t took = now_ms() - t0;
	ck_assert_msg(took <= deadline + 3000, "%s: took %llu ms", from,
		      (unsigned long long)took);
	/* Nothing could be learnt: no verdict may say pass or fail. */
	ck_assert_str_eq(fromauth_verdict_name(fromauth_result_verdict(r)), "unknown");
	unsigned int sent = fromauth_result_dns_queries(r);
	/* Give TCP connections still dripping a moment to be logged. */
	struct timespec ts = { 0, 300 * 1000000L };
	nanosleep(&ts, NULL);
	unsigned int seen = server_count(NULL, NULL) - before;
	ck_assert_uint_gt(seen, 0);
	ck_assert_msg(seen <= sent, "server saw %u, library sent %u", seen, sent);
	fromauth_result_free(r);
	fromauth_profile_free(profile);
	fromauth_ctx_free(ctx);
}

START_TEST(drip_check_bounded)
{
	check_bounded("orders@shop.drip.hostile.test", 3000);
}
END_TEST

START_TEST(silent_bounded)
{
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 300, 2);
	struct fromauth_dns_answer *a = test_lookup(ctx, "a.silent.hostile.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	ck_assert_uint_le(fromauth_dns_answer_elapsed_ms(a), 600 + 600);
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 2);
	ck_assert_uint_eq(server_count("udp", "a.silent.hostile.test"), 2);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
	check_bounded("orders@shop.silent.hostile.test", 2000);
}
END_TEST

/* ---- defect 4: only our answer counts ---------------------------------- */

static const char *const forgeries[] = {
	"fid",          /* another ID */
	"fport",        /* another source port */
	"fqr",          /* QR=0 */
	"fop",          /* opcode STATUS */
	"fname",        /* another question name */
	"ftype",        /* another question type */
	"fclass",       /* question class CH */
};
#define NFORGERIES (sizeof(forgeries) / sizeof(forgeries[0]))

START_TEST(forged_only_times_out)
{
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 300, 2);
	for (size_t i = 0; i < NFORGERIES; i++) {
		char name[128];
		snprintf(name, sizeof(name), "%s.hostile.test", forgeries[i]);
		struct fromauth_dns_answer *a = test_lookup(ctx, name, FROMAUTH_RR_A);
		ck_assert_msg(fromauth_dns_answer_status(a) == FROMAUTH_DNS_TIMEOUT,
			      "%s: status %d, record %s", name, fromauth_dns_answer_status(a),
			      fromauth_dns_answer_count(a) ? fromauth_dns_answer_record(a, 0) : "-");
		ck_assert_uint_eq(fromauth_dns_answer_count(a), 0);
		/* Dropped, kept waiting: both tries ran out. */
		ck_assert_uint_eq(fromauth_dns_answer_queries(a), 2);
		ck_assert_uint_eq(server_count("udp", name), 2);
		ck_assert_uint_ge(fromauth_dns_answer_elapsed_ms(a), 550);
		ck_assert_uint_le(fromauth_dns_answer_elapsed_ms(a), 600 + 600);
		fromauth_dns_answer_free(a);
	}
	fromauth_ctx_free(ctx);
}
END_TEST

START_TEST(forged_then_genuine)
{
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 2000, 2);
	for (size_t i = 0; i < NFORGERIES; i++) {
		char name[128];
		snprintf(name, sizeof(name), "good.%s.hostile.test", forgeries[i]);
		struct fromauth_dns_answer *a = test_lookup(ctx, name, FROMAUTH_RR_A);
		ck_assert_msg(fromauth_dns_answer_status(a) == FROMAUTH_DNS_OK, "%s: status %d",
			      name, fromauth_dns_answer_status(a));
		ck_assert_uint_eq(fromauth_dns_answer_count(a), 1);
		ck_assert_msg(!strcmp(fromauth_dns_answer_record(a, 0), GENUINE), "%s: %s",
			      name, fromauth_dns_answer_record(a, 0));
		/* The genuine answer came in the first try. */
		ck_assert_uint_eq(fromauth_dns_answer_queries(a), 1);
		fromauth_dns_answer_free(a);

		/* Same for TXT, whose forged text would be an SPF record. */
		a = test_lookup(ctx, name, FROMAUTH_RR_TXT);
		ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
		ck_assert_str_eq(fromauth_dns_answer_record(a, 0), "\"genuine\"");
		fromauth_dns_answer_free(a);
	}
	fromauth_ctx_free(ctx);
}
END_TEST

START_TEST(question_case_insensitive)
{
	/* The server echoes the question in other case (as a 0x20 resolver
	 * would see): still our question. */
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 2000, 2);
	struct fromauth_dns_answer *a = test_lookup(ctx, "MiXed.case.hostile.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), GENUINE);
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 1);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
}
END_TEST

START_TEST(tcp_forged_fails_try)
{
	/* Over TCP a reply that is not ours ends the try: a server failure,
	 * and the forged record is never used. */
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 2000, 2);
	struct fromauth_dns_answer *a = test_lookup(ctx, "tcfid.hostile.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_SERVFAIL);
	ck_assert_uint_eq(fromauth_dns_answer_count(a), 0);
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 4);
	ck_assert_uint_eq(server_count("tcp", "tcfid.hostile.test"), 2);
	/* Failed at once, not by waiting for the timeout. */
	ck_assert_uint_lt(fromauth_dns_answer_elapsed_ms(a), 2000);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
}
END_TEST

/* ---- defect 5: TC over TCP -------------------------------------------- */

START_TEST(tc_over_tcp_is_servfail)
{
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 2000, 2);
	struct fromauth_dns_answer *a = test_lookup(ctx, "tctcp.hostile.test", FROMAUTH_RR_TXT);
	/* Not NODATA: the server failed to give the answer. */
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_SERVFAIL);
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 4);
	ck_assert_uint_eq(server_count("udp", "tctcp.hostile.test"), 2);
	ck_assert_uint_eq(server_count("tcp", "tctcp.hostile.test"), 2);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
}
END_TEST

/* ---- malformed packets -------------------------------------------------- */

START_TEST(compression_loop_clean)
{
	struct fromauth_ctx *ctx = hostile_ctx(ns4, 300, 2);
	/* Over UDP an unparseable datagram is dropped like a forgery. */
	struct fromauth_dns_answer *a = test_lookup(ctx, "loop.hostile.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 2);
	ck_assert_uint_le(fromauth_dns_answer_elapsed_ms(a), 600 + 600);
	fromauth_dns_answer_free(a);
	/* Over TCP it is the server's failure. */
	a = test_lookup(ctx, "tcloop.hostile.test", FROMAUTH_RR_TXT);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_SERVFAIL);
	ck_assert_uint_eq(fromauth_dns_answer_queries(a), 4);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
}
END_TEST

START_TEST(ipv6_nameserver)
{
	if (!have_v6) {
		fprintf(stderr, "ipv6_nameserver: no ::1 here, not run\n");
		return;
	}
	struct fromauth_ctx *ctx = hostile_ctx(ns6, 300, 2);
	struct fromauth_dns_answer *a = test_lookup(ctx, "good.fport.hostile.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_OK);
	ck_assert_str_eq(fromauth_dns_answer_record(a, 0), GENUINE);
	fromauth_dns_answer_free(a);
	a = test_lookup(ctx, "v6.fid.hostile.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_TIMEOUT);
	fromauth_dns_answer_free(a);
	/* TCP fallback over IPv6 too. */
	a = test_lookup(ctx, "v6.tctcp.hostile.test", FROMAUTH_RR_A);
	ck_assert_int_eq(fromauth_dns_answer_status(a), FROMAUTH_DNS_SERVFAIL);
	ck_assert_uint_eq(server_count("tcp", "v6.tctcp.hostile.test"), 2);
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	const struct test_case tests[] = {
		{ "drip_lookup_bounded", drip_lookup_bounded },
		{ "drip_tool_bounded", drip_tool_bounded },
		{ "drip_check_bounded", drip_check_bounded },
		{ "silent_bounded", silent_bounded },
		{ "forged_only_times_out", forged_only_times_out },
		{ "forged_then_genuine", forged_then_genuine },
		{ "question_case_insensitive", question_case_insensitive },
		{ "tcp_forged_fails_try", tcp_forged_fails_try },
		{ "tc_over_tcp_is_servfail", tc_over_tcp_is_servfail },
		{ "compression_loop_clean", compression_loop_clean },
		{ "ipv6_nameserver", ipv6_nameserver },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	return s;
}

/* Does the server answer at @ns? */
static int answers(const char *ns)
{
	struct fromauth_ctx *ctx = NULL;
	fromauth_ctx_new(&ctx);
	fromauth_ctx_add_nameserver(ctx, ns);
	fromauth_ctx_set_timeout(ctx, 200);
	fromauth_ctx_set_tries(ctx, 1);
	struct fromauth_dns_answer *a = NULL;
	int ok = fromauth_dns_lookup(ctx, "ready.ok.hostile.test", FROMAUTH_RR_A, &a, NULL, 0) == 0 &&
		 fromauth_dns_answer_status(a) == FROMAUTH_DNS_OK;
	fromauth_dns_answer_free(a);
	fromauth_ctx_free(ctx);
	return ok;
}

static int server_start(void)
{
	strcpy(dir, "/tmp/fromauth-hostile-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(logpath, sizeof(logpath), "%s/queries.log", dir);
	unsigned int port = test_free_port();
	if (!port)
		return 1;
	snprintf(ns4, sizeof(ns4), "127.0.0.1@%u", port);
	snprintf(ns6, sizeof(ns6), "::1@%u", port);
	char portarg[16];
	snprintf(portarg, sizeof(portarg), "%u", port);
	server_pid = fork();
	if (server_pid < 0)
		return 1;
	if (server_pid == 0) {
		execl(PYTHON3, "python3", test_data("hostile-dns.py"), "--port", portarg,
		      "--log", logpath, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 50; i++) {
		if (answers(ns4)) {
			have_v6 = answers(ns6);
			return 0;
		}
		int st;
		if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
			server_pid = 0;
			return 1;
		}
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return 1;
}

static void server_stop(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	if (dir[0]) {
		unlink(logpath);
		rmdir(dir);
	}
}

int main(void)
{
	int rc = server_start();
	if (rc != 0) {
		fprintf(stderr, "cannot start the hostile server\n");
		server_stop();
		return EXIT_FAILURE;
	}
	SRunner *sr = srunner_create(hostile_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	server_stop();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
