/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the Check test programs: one main, data paths, fixtures. */
#ifndef FROMAUTH_TEST_COMMON_H
#define FROMAUTH_TEST_COMMON_H

#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fromauth/fromauth.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must point at the source tests/ directory"
#endif

/* Path of a file under tests/, in a static buffer per call site use. */
static inline const char *test_data(const char *rel)
{
	static _Thread_local char buf[4096];
	snprintf(buf, sizeof(buf), "%s/%s", TEST_DATA_DIR, rel);
	return buf;
}

/* 8 threads call @get(@obj) at once, as for a value built on first use
 * and published once: each gets the same non-NULL pointer as a later
 * call.  Returns that pointer. */
static inline void *test_same_from_threads(void *(*get)(void *), void *obj)
{
	pthread_t t[8];
	void *got[8];
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, get, obj), 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], &got[i]);
	void *once = get(obj);
	ck_assert_ptr_nonnull(once);
	for (int i = 0; i < 8; i++)
		ck_assert_ptr_eq(got[i], once);
	return once;
}

/* An offline context with the given zone files under tests/ loaded;
 * the list ends with NULL. */
static inline struct fromauth_ctx *test_offline_ctx(const char *zone, ...)
{
	struct fromauth_ctx *ctx = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_set_offline(ctx, 1), 0);
	va_list ap;
	va_start(ap, zone);
	for (const char *z = zone; z; z = va_arg(ap, const char *)) {
		int rc = fromauth_ctx_add_zone_file(ctx, test_data(z), err, sizeof(err));
		ck_assert_msg(rc == 0, "zone %s: %s", z, err);
	}
	va_end(ap);
	return ctx;
}

/* One TCase per test, named after the function it tests, each with the
 * same checked fixture (NULL for none). */
struct test_case {
	const char *name;
	const TTest *test;
};

static inline void test_add_cases(Suite *s, const struct test_case *cases, size_t n,
				  SFun setup, SFun teardown)
{
	for (size_t i = 0; i < n; i++) {
		TCase *tc = tcase_create(cases[i].name);
		if (setup || teardown)
			tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
}

/* A lookup that must succeed as a call (its DNS status is the test's). */
static inline struct fromauth_dns_answer *test_lookup(struct fromauth_ctx *ctx,
						      const char *name, int type)
{
	struct fromauth_dns_answer *a = NULL;
	char err[256] = "";
	int rc = fromauth_dns_lookup(ctx, name, type, &a, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", name, err);
	return a;
}

/* Each test program defines this and gets the shared main. */
Suite *test_suite(void);

#ifdef TEST_MAIN
int main(void)
{
	SRunner *sr = srunner_create(test_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif

#endif
