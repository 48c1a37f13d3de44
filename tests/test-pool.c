/* SPDX-License-Identifier: BSD-2-Clause */
/* The context's worker pool: every item runs once, callers help, nested
 * runs finish, workers are bounded and block signals, and checks create
 * no threads of their own. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "test-common.h"
#include "ctx.h"
#include "pool.h"

static size_t thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	ck_assert_ptr_nonnull(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct counts {
	atomic_uint hits[1000];
	pthread_t caller;
	atomic_uint on_workers, unblocked;
};

static void count_item(void *arg, size_t i)
{
	struct counts *c = arg;
	atomic_fetch_add(&c->hits[i], 1);
	if (!pthread_equal(pthread_self(), c->caller)) {
		atomic_fetch_add(&c->on_workers, 1);
		sigset_t set;
		pthread_sigmask(SIG_SETMASK, NULL, &set);
		if (!sigismember(&set, SIGINT) || !sigismember(&set, SIGTERM))
			atomic_fetch_add(&c->unblocked, 1);
	}
	/* Long enough that workers get a share on a loaded machine. */
	struct timespec ts = { 0, 200000 };
	nanosleep(&ts, NULL);
}

START_TEST(fa_pool_run_each_once)
{
	struct fa_pool *p = NULL;
	ck_assert_int_eq(fa_pool_new(&p, 4), 0);
	ck_assert_uint_eq(fa_pool_started(p), 0);    /* lazy */
	static struct counts c;
	memset(&c, 0, sizeof(c));
	c.caller = pthread_self();
	fa_pool_run(p, count_item, &c, 1000);
	for (size_t i = 0; i < 1000; i++)
		ck_assert_uint_eq(atomic_load(&c.hits[i]), 1);
	ck_assert_uint_le(fa_pool_started(p), 4);
	ck_assert_uint_ge(fa_pool_started(p), 1);
	ck_assert_uint_gt(atomic_load(&c.on_workers), 0);
	ck_assert_uint_eq(atomic_load(&c.unblocked), 0);

	/* A NULL pool and single items run on the caller. */
	memset(&c, 0, sizeof(c));
	c.caller = pthread_self();
	fa_pool_run(NULL, count_item, &c, 10);
	fa_pool_run(p, count_item, &c, 1);
	ck_assert_uint_eq(atomic_load(&c.on_workers), 0);
	ck_assert_uint_eq(atomic_load(&c.hits[0]), 2);
	ck_assert_uint_eq(atomic_load(&c.hits[9]), 1);
	fa_pool_free(p);
	fa_pool_free(NULL);
}
END_TEST

/* Many callers at once, each item itself running a nested run: the shape
 * of a batch whose checks run their lookups on the same pool. */
struct nest {
	struct fa_pool *pool;
	atomic_uint leaves;
};

static void leaf(void *arg, size_t i)
{
	(void)i;
	struct nest *n = arg;
	atomic_fetch_add(&n->leaves, 1);
}

static void inner(void *arg, size_t i)
{
	(void)i;
	struct nest *n = arg;
	fa_pool_run(n->pool, leaf, n, 7);
}

static void *caller(void *arg)
{
	for (int k = 0; k < 50; k++)
		fa_pool_run(((struct nest *)arg)->pool, inner, arg, 5);
	return NULL;
}

START_TEST(fa_pool_run_nested)
{
	struct nest n = { 0 };
	ck_assert_int_eq(fa_pool_new(&n.pool, 0), 0);
	pthread_t t[6];
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, caller, &n), 0);
	for (size_t i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(atomic_load(&n.leaves), 6 * 50 * 5 * 7);
	ck_assert_uint_le(fa_pool_started(n.pool), 8);
	fa_pool_free(n.pool);
}
END_TEST

static void run_checks(struct fromauth_ctx *ctx, int times)
{
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_load(test_data("check/profiles/esp.profile"), &p,
					       err, sizeof(err)), 0);
	for (int i = 0; i < times; i++) {
		struct fromauth_result *r = NULL;
		int rc = fromauth_check(ctx, p, "news@healthy.example", FROMAUTH_CHECK_FIX, &r,
					err, sizeof(err));
		ck_assert_msg(rc == 0, "%s", err);
		fromauth_result_free(r);
	}
	fromauth_profile_free(p);
}

/* Offline, a check runs on the caller alone; on the network path it
 * uses the context's workers, the same ones for every check, and freeing
 * the context joins them. */
START_TEST(fromauth_check_no_thread_per_check)
{
	struct fromauth_ctx *ctx = test_offline_ctx("check/esp.zone", "check/zones/healthy.zone",
						    NULL);
	run_checks(ctx, 3);
	ck_assert_uint_eq(fa_pool_started(ctx->pool), 0);
	fromauth_ctx_free(ctx);

	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	char err[512] = "";
	ck_assert_int_eq(fromauth_ctx_add_zone_file(ctx, test_data("check/esp.zone"), err,
						    sizeof(err)), 0);
	ck_assert_int_eq(fromauth_ctx_add_zone_file(ctx, test_data("check/zones/healthy.zone"),
						    err, sizeof(err)), 0);
	/* Anything the overlay lacks goes to a port where nobody answers. */
	ck_assert_int_eq(fromauth_ctx_add_nameserver(ctx, "127.0.0.1@9"), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(ctx, 50), 0);
	ck_assert_int_eq(fromauth_ctx_set_tries(ctx, 1), 0);
	run_checks(ctx, 2);
	unsigned int workers = fa_pool_started(ctx->pool);
	ck_assert_uint_ge(workers, 1);
	ck_assert_uint_le(workers, 8);
	size_t during = thread_count();
	run_checks(ctx, 10);
	ck_assert_uint_eq(fa_pool_started(ctx->pool), workers);
	ck_assert_uint_eq(thread_count(), during);
	fromauth_ctx_free(ctx);
	ck_assert_uint_eq(thread_count(), during - workers);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("pool");
	const struct test_case tests[] = {
		{ "fa_pool_run", fa_pool_run_each_once },
		{ "fa_pool_run_nested", fa_pool_run_nested },
		{ "fromauth_check", fromauth_check_no_thread_per_check },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	return s;
}
