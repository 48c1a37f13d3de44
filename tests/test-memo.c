/* SPDX-License-Identifier: BSD-2-Clause */
/* The per-context memo: values found again by kind and key bytes, one
 * computation for concurrent askers, a byte bound, least recently used
 * first; and DKIM key verdicts kept once per key on a context. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "test-common.h"
#include "ctx.h"
#include "dkim.h"
#include "hash.h"
#include "memo.h"

START_TEST(fa_memo_get_put)
{
	struct fa_memo *m = NULL;
	ck_assert_int_eq(fa_memo_new(&m, 1 << 20), 0);
	int v = 0;
	ck_assert_int_eq(fa_memo_get(m, 1, "key", 3, &v, sizeof(v)), 0);
	v = 42;
	fa_memo_put(m, 1, "key", 3, &v, sizeof(v));
	v = 0;
	ck_assert_int_eq(fa_memo_get(m, 1, "key", 3, &v, sizeof(v)), 1);
	ck_assert_int_eq(v, 42);
	/* Another kind, or other bytes, is another key. */
	ck_assert_int_eq(fa_memo_get(m, 2, "key", 3, &v, sizeof(v)), 0);
	fa_memo_abandon(m, 2, "key", 3);
	ck_assert_int_eq(fa_memo_get(m, 1, "kez", 3, &v, sizeof(v)), 0);
	fa_memo_abandon(m, 1, "kez", 3);
	ck_assert_uint_eq(fa_memo_count(m), 1);
	/* Keys may hold any byte. */
	const unsigned char bin[] = { 0, 1, 0, 2 };
	ck_assert_int_eq(fa_memo_get(m, 1, bin, 4, &v, sizeof(v)), 0);
	v = 7;
	fa_memo_put(m, 1, bin, 4, &v, sizeof(v));
	ck_assert_int_eq(fa_memo_get(m, 1, bin, 3, &v, sizeof(v)), 0);
	fa_memo_abandon(m, 1, bin, 3);
	ck_assert_int_eq(fa_memo_get(m, 1, bin, 4, &v, sizeof(v)), 1);
	ck_assert_int_eq(v, 7);
	/* A NULL memo keeps nothing and needs no put. */
	ck_assert_int_eq(fa_memo_get(NULL, 1, "key", 3, &v, sizeof(v)), 0);
	fa_memo_put(NULL, 1, "key", 3, &v, sizeof(v));
	fa_memo_free(m);
	fa_memo_free(NULL);
}
END_TEST

struct flight {
	struct fa_memo *m;
	atomic_int computed;
	int seen[8];
};

static void *ask(void *arg)
{
	struct flight *f = arg;
	int v = 0;
	if (!fa_memo_get(f->m, 1, "shared", 6, &v, sizeof(v))) {
		atomic_fetch_add(&f->computed, 1);
		struct timespec ts = { 0, 50000000 };   /* a slow decode */
		nanosleep(&ts, NULL);
		v = 99;
		fa_memo_put(f->m, 1, "shared", 6, &v, sizeof(v));
	}
	return (void *)(intptr_t)v;
}

START_TEST(fa_memo_single_flight)
{
	struct flight f = { 0 };
	ck_assert_int_eq(fa_memo_new(&f.m, 1 << 20), 0);
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, ask, &f), 0);
	for (int i = 0; i < 8; i++) {
		void *v;
		pthread_join(t[i], &v);
		ck_assert_int_eq((int)(intptr_t)v, 99);
	}
	ck_assert_int_eq(atomic_load(&f.computed), 1);
	fa_memo_free(f.m);
}
END_TEST

START_TEST(fa_memo_bounded)
{
	struct fa_memo *m = NULL;
	ck_assert_int_eq(fa_memo_new(&m, 16 * 1024), 0);
	int v = 1;
	ck_assert_int_eq(fa_memo_get(m, 1, "hot", 3, &v, sizeof(v)), 0);
	fa_memo_put(m, 1, "hot", 3, &v, sizeof(v));
	for (int i = 0; i < 10000; i++) {
		char key[32];
		int n = snprintf(key, sizeof(key), "one-off %d", i);
		ck_assert_int_eq(fa_memo_get(m, 1, key, (size_t)n, &v, sizeof(v)), 0);
		fa_memo_put(m, 1, key, (size_t)n, &i, sizeof(i));
		if (i % 20 == 0)
			ck_assert_msg(fa_memo_get(m, 1, "hot", 3, &v, sizeof(v)), "hot evicted at %d", i);
	}
	ck_assert_uint_lt(fa_memo_count(m), 400);
	ck_assert_int_eq(fa_memo_get(m, 1, "one-off 9999", 12, &v, sizeof(v)), 1);
	ck_assert_int_eq(v, 9999);
	ck_assert_int_eq(fa_memo_get(m, 1, "one-off 0", 9, &v, sizeof(v)), 0);
	fa_memo_abandon(m, 1, "one-off 0", 9);
	fa_memo_free(m);
}
END_TEST

static atomic_int dtor_runs;

static void count_dtor(void *val)
{
	(void)val;
	atomic_fetch_add(&dtor_runs, 1);
}

/* Shared values: a reference outlives the entry's eviction, the
 * destructor runs once, after the last release, and the byte cap holds. */
START_TEST(fa_memo_shared_values)
{
	struct fa_memo *m = NULL;
	ck_assert_int_eq(fa_memo_new(&m, 16 * 1024), 0);
	ck_assert_ptr_null(fa_memo_get_shared(m, 3, "rec", 3));
	int *v = fa_memo_shared_new(sizeof(int), count_dtor);
	ck_assert_ptr_nonnull(v);
	*v = 5;
	fa_memo_put_shared(m, 3, "rec", 3, v, sizeof(int));
	int *w = fa_memo_get_shared(m, 3, "rec", 3);
	ck_assert_ptr_eq(w, v);
	/* a copying get does not hand out a shared value */
	int copy = 0;
	ck_assert_int_eq(fa_memo_get(m, 3, "rec", 3, &copy, sizeof(copy)), 0);
	for (int i = 0; i < 2000; i++) {
		char key[32];
		int n = snprintf(key, sizeof(key), "one-off %d", i);
		ck_assert_ptr_null(fa_memo_get_shared(m, 3, key, (size_t)n));
		int *x = fa_memo_shared_new(sizeof(int), count_dtor);
		ck_assert_ptr_nonnull(x);
		fa_memo_put_shared(m, 3, key, (size_t)n, x, 100);
		fa_memo_shared_release(x);
	}
	ck_assert_uint_lt(fa_memo_count_kind(m, 3), 100);
	ck_assert_ptr_null(fa_memo_get_shared(m, 3, "rec", 3));    /* evicted */
	fa_memo_abandon(m, 3, "rec", 3);
	ck_assert_int_eq(*v, 5);        /* still ours: two references */
	int before = atomic_load(&dtor_runs);
	fa_memo_shared_release(v);
	ck_assert_int_eq(atomic_load(&dtor_runs), before);
	fa_memo_shared_release(w);
	ck_assert_int_eq(atomic_load(&dtor_runs), before + 1);
	fa_memo_free(m);
	ck_assert_int_eq(atomic_load(&dtor_runs), 2001);
	/* no memo: nothing kept, the value is the caller's */
	int *y = fa_memo_shared_new(sizeof(int), NULL);
	fa_memo_put_shared(NULL, 3, "rec", 3, y, 4);
	fa_memo_shared_release(y);
	fa_memo_shared_release(NULL);
	/* a nonce per memo, never 0 */
	struct fa_memo *m2 = NULL;
	ck_assert_int_eq(fa_memo_new(&m, 1024), 0);
	ck_assert_int_eq(fa_memo_new(&m2, 1024), 0);
	ck_assert_uint_ne(fa_memo_nonce(m), 0);
	ck_assert_uint_ne(fa_memo_nonce(m), fa_memo_nonce(m2));
	ck_assert_uint_eq(fa_memo_nonce(NULL), 0);
	fa_memo_free(m);
	fa_memo_free(m2);
}
END_TEST

/* An entry its user found out of date goes, but only while it holds the
 * value the user found: a newer one put meanwhile stays.  Readers keep
 * the dropped value until they release it. */
START_TEST(fa_memo_drop_shared_stale)
{
	struct fa_memo *m = NULL;
	ck_assert_int_eq(fa_memo_new(&m, 16 * 1024), 0);
	int before = atomic_load(&dtor_runs);
	ck_assert_ptr_null(fa_memo_get_shared(m, 9, "k", 1));
	int *old = fa_memo_shared_new(sizeof(int), count_dtor);
	ck_assert_ptr_nonnull(old);
	fa_memo_put_shared(m, 9, "k", 1, old, sizeof(int));
	fa_memo_shared_release(old);
	int *found = fa_memo_get_shared(m, 9, "k", 1);
	ck_assert_ptr_eq(found, old);
	/* another value, or another key, drops nothing */
	int other;
	fa_memo_drop_shared(m, 9, "k", 1, &other);
	fa_memo_drop_shared(m, 9, "j", 1, found);
	fa_memo_drop_shared(m, 8, "k", 1, found);
	ck_assert_uint_eq(fa_memo_count_kind(m, 9), 1);
	fa_memo_drop_shared(m, 9, "k", 1, found);
	ck_assert_uint_eq(fa_memo_count_kind(m, 9), 0);
	ck_assert_int_eq(atomic_load(&dtor_runs), before);     /* still ours */
	/* the key is free to compute again */
	ck_assert_ptr_null(fa_memo_get_shared(m, 9, "k", 1));
	int *fresh = fa_memo_shared_new(sizeof(int), count_dtor);
	fa_memo_put_shared(m, 9, "k", 1, fresh, sizeof(int));
	fa_memo_shared_release(fresh);
	fa_memo_drop_shared(m, 9, "k", 1, found);       /* stale: keeps fresh */
	ck_assert_uint_eq(fa_memo_count_kind(m, 9), 1);
	fa_memo_shared_release(found);
	ck_assert_int_eq(atomic_load(&dtor_runs), before + 1);
	fa_memo_drop_shared(NULL, 9, "k", 1, found);
	fa_memo_drop_shared(m, 9, "k", 1, NULL);
	fa_memo_free(m);
	ck_assert_int_eq(atomic_load(&dtor_runs), before + 2);
}
END_TEST

/* Customers delegating to the service's key share one verdict (the key's
 * decode and libopendkim's pass of its record): after
 * many checks the memo holds one entry per distinct key, and the
 * verdicts are those of a context without memo. */
START_TEST(fa_dkim_key_check_memo_once_per_key)
{
	static const char *const froms[] = {
		"news@healthy.example", "info@healthy.example", "news@copied-key.example",
		"news@dkim-mismatch.example", "news@reject.example",
	};
	struct fromauth_ctx *ctx = test_offline_ctx("check/esp.zone", "check/zones/healthy.zone",
						    "check/zones/copied-key.zone",
						    "check/zones/dkim-mismatch.zone",
						    "check/zones/reject.zone", NULL);
	struct fromauth_ctx *plain = test_offline_ctx("check/esp.zone", "check/zones/healthy.zone",
						      "check/zones/copied-key.zone",
						      "check/zones/dkim-mismatch.zone",
						      "check/zones/reject.zone", NULL);
	fa_dns_set_memo(plain->dns, NULL);
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_load(test_data("check/profiles/esp.profile"), &p, err,
					       sizeof(err)), 0);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(froms) / sizeof(froms[0]); i++) {
			struct fromauth_result *a = NULL, *b = NULL;
			ck_assert_int_eq(fromauth_check(ctx, p, froms[i], FROMAUTH_CHECK_FIX, &a, err,
							sizeof(err)), 0);
			ck_assert_int_eq(fromauth_check(plain, p, froms[i], FROMAUTH_CHECK_FIX, &b,
							err, sizeof(err)), 0);
			ck_assert_int_eq(fromauth_result_dkim_count(a), fromauth_result_dkim_count(b));
			for (size_t k = 0; k < fromauth_result_dkim_count(a); k++) {
				const struct fromauth_dkim *x = fromauth_result_dkim(a, k);
				const struct fromauth_dkim *y = fromauth_result_dkim(b, k);
				ck_assert_int_eq(fromauth_dkim_status(x), fromauth_dkim_status(y));
				ck_assert_uint_eq(fromauth_dkim_key_bits(x), fromauth_dkim_key_bits(y));
				ck_assert_str_eq(fromauth_dkim_reason(x), fromauth_dkim_reason(y));
			}
			ck_assert_int_eq(fromauth_result_verdict(a), fromauth_result_verdict(b));
			ck_assert_int_eq(fromauth_result_fixed_verdict(a),
					 fromauth_result_fixed_verdict(b));
			ck_assert_uint_eq(fromauth_result_finding_count(a),
					  fromauth_result_finding_count(b));
			for (size_t k = 0; k < fromauth_result_finding_count(a); k++)
				ck_assert_str_eq(fromauth_result_finding_message(a, k),
						 fromauth_result_finding_message(b, k));
			fromauth_result_free(a);
			fromauth_result_free(b);
		}
	}
	size_t keys = fa_memo_count_kind(ctx->memo, FA_MEMO_DKIM_KEY) +
		      fa_memo_count_kind(ctx->memo, FA_MEMO_OPENDKIM_PASS);
	ck_assert_uint_ge(keys, 1);
	/* Per distinct key (the service's and the copies'): its decode and
	 * libopendkim's pass. */
	ck_assert_uint_le(keys, 6);
	fromauth_profile_free(p);
	fromauth_ctx_free(plain);
	fromauth_ctx_free(ctx);
}
END_TEST

/* The memo's hash of whole records: keys that differ in one byte, or
 * only by trailing NUL bytes (the tail is read zero-padded), hash apart
 * and spread over a table's low bits; another seed gives other hashes. */
START_TEST(fa_hash_words_spread)
{
	enum { N = 4096 };
	static size_t h[N], low[1024];
	unsigned char key[100];
	memset(key, 'a', sizeof(key));
	for (size_t i = 0; i < N; i++) {
		key[37] = (unsigned char)i;
		key[91] = (unsigned char)(i >> 8);
		h[i] = fa_hash_words(12345, key, sizeof(key));
	}
	size_t same = 0, buckets = 0;
	for (size_t i = 0; i < N; i++) {
		for (size_t j = i + 1; j < N; j++)
			same += h[i] == h[j];
		if (low[h[i] & 1023]++ == 0)
			buckets++;
	}
	ck_assert_uint_eq(same, 0);
	ck_assert_uint_gt(buckets, 900);        /* 1024 * (1 - 1/e^4) = 1005 */
	const unsigned char z[10] = { 'a', 'b' };
	for (size_t n = 2; n < sizeof(z); n++)
		ck_assert_uint_ne(fa_hash_words(1, z, n), fa_hash_words(1, z, n + 1));
	ck_assert_uint_ne(fa_hash_words(1, key, 50), fa_hash_words(2, key, 50));
	ck_assert_uint_eq(fa_hash_words(7, key, 50), fa_hash_words(7, key, 50));
	(void)fa_hash_words(1, NULL, 0);

	/* and the memo tells such keys apart */
	struct fa_memo *m = NULL;
	ck_assert_int_eq(fa_memo_new(&m, 1 << 20), 0);
	for (int n = 2; n <= 9; n++) {
		int v = 0;
		ck_assert_int_eq(fa_memo_get(m, 1, z, (size_t)n, &v, sizeof(v)), 0);
		fa_memo_put(m, 1, z, (size_t)n, &n, sizeof(n));
	}
	for (int n = 2; n <= 9; n++) {
		int v = 0;
		ck_assert_int_eq(fa_memo_get(m, 1, z, (size_t)n, &v, sizeof(v)), 1);
		ck_assert_int_eq(v, n);
	}
	fa_memo_free(m);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("memo");
	const struct test_case tests[] = {
		{ "fa_memo_get", fa_memo_get_put },
		{ "fa_hash_words", fa_hash_words_spread },
		{ "fa_memo_single_flight", fa_memo_single_flight },
		{ "fa_memo_bounded", fa_memo_bounded },
		{ "fa_memo_shared", fa_memo_shared_values },
		{ "fa_memo_drop_shared", fa_memo_drop_shared_stale },
		{ "fa_dkim_key_check_memo", fa_dkim_key_check_memo_once_per_key },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	return s;
}
