/* SPDX-License-Identifier: BSD-2-Clause */
/* The shared hash and table; the DNS cache's bound: a byte cap honoured, least recently used entries
 * evicted first (hot shared records stay), a table that grows, TTLs; and
 * cache keys of names made without ldns when they are plain. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "test-common.h"
#include "ctx.h"
#include "dns-internal.h"
#include "hash.h"
#include "private.h"

/* Fetch and complete @key with a one-record answer; the key was absent. */
static void put(struct fa_cache *c, const char *key, uint32_t ttl)
{
	struct fa_dns_answer *a = NULL;
	ck_assert_int_eq(fa_cache_acquire(c, key, 0, &a), FA_CACHE_FETCH);
	struct fa_dns_answer *ans = fa_answer_new(key, FA_RR_TXT, FA_DNS_NXDOMAIN);
	ck_assert_ptr_nonnull(ans);
	ans->ttl = ttl;
	fa_cache_complete(c, key, ans, ttl);
	fa_dns_answer_release(ans);
}

/* Is @key cached?  A miss leaves no pending entry behind. */
static int has(struct fa_cache *c, const char *key)
{
	struct fa_dns_answer *a = NULL;
	enum fa_cache_outcome o = fa_cache_acquire(c, key, 0, &a);
	if (o == FA_CACHE_HIT) {
		fa_dns_answer_release(a);
		return 1;
	}
	ck_assert_int_eq(o, FA_CACHE_FETCH);
	fa_cache_complete(c, key, NULL, 0);
	return 0;
}

START_TEST(fa_cache_evicts_least_recently_used)
{
	struct fa_cache *c = NULL;
	ck_assert_int_eq(fa_cache_new(&c, 1u << 20), 0);
	put(c, "16/a.test", 3600);
	size_t one = fa_cache_bytes(c);
	ck_assert_uint_gt(one, 0);
	/* Room for three entries of this size. */
	fa_cache_set_max_bytes(c, 3 * one + one / 2);
	put(c, "16/b.test", 3600);
	put(c, "16/c.test", 3600);
	ck_assert_uint_eq(fa_cache_size(c), 3);
	ck_assert(has(c, "16/a.test"));         /* a is now the newest */
	put(c, "16/d.test", 3600);              /* evicts b, the oldest */
	ck_assert_uint_eq(fa_cache_size(c), 3);
	ck_assert(has(c, "16/a.test"));
	ck_assert(has(c, "16/c.test"));
	ck_assert(has(c, "16/d.test"));
	ck_assert(!has(c, "16/b.test"));
	fa_cache_free(c);
}
END_TEST

/* Thousands of one-off answers through a small cache: the total stays
 * under the cap, and a record read between them stays cached. */
START_TEST(fa_cache_cap_honoured)
{
	struct fa_cache *c = NULL;
	const size_t cap = 64 * 1024;
	ck_assert_int_eq(fa_cache_new(&c, cap), 0);
	put(c, "16/hot.test", 3600);
	for (int i = 0; i < 20000; i++) {
		char key[64];
		snprintf(key, sizeof(key), "16/customer%d.test", i);
		put(c, key, 3600);
		ck_assert_uint_le(fa_cache_bytes(c), cap);
		if (i % 50 == 0)
			ck_assert_msg(has(c, "16/hot.test"), "hot entry evicted at %d", i);
	}
	ck_assert_uint_gt(fa_cache_size(c), 100);
	ck_assert_uint_lt(fa_cache_size(c), 2000);
	ck_assert(!has(c, "16/customer0.test"));
	ck_assert(has(c, "16/customer19999.test"));
	/* Lowering the cap evicts at once. */
	fa_cache_set_max_bytes(c, cap / 4);
	ck_assert_uint_le(fa_cache_bytes(c), cap / 4);
	fa_cache_free(c);
}
END_TEST

/* Far more entries than the first table's buckets: all found again. */
START_TEST(fa_cache_grows)
{
	struct fa_cache *c = NULL;
	ck_assert_int_eq(fa_cache_new(&c, FA_CACHE_DEFAULT_BYTES), 0);
	char key[64];
	for (int i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "1/d%d.test", i);
		put(c, key, 3600);
	}
	ck_assert_uint_eq(fa_cache_size(c), 50000);
	for (int i = 0; i < 50000; i += 7) {
		snprintf(key, sizeof(key), "1/d%d.test", i);
		ck_assert_msg(has(c, key), "%s lost", key);
	}
	fa_cache_free(c);
}
END_TEST

START_TEST(fa_cache_ttl_expires)
{
	struct fa_cache *c = NULL;
	ck_assert_int_eq(fa_cache_new(&c, FA_CACHE_DEFAULT_BYTES), 0);
	put(c, "16/short.test", 1);
	put(c, "16/long.test", 3600);
	put(c, "16/none.test", 0);              /* temporary failure: not kept */
	ck_assert(has(c, "16/short.test"));
	ck_assert(has(c, "16/long.test"));
	ck_assert(!has(c, "16/none.test"));
	struct timespec ts = { 1, 200000000 };
	nanosleep(&ts, NULL);
	ck_assert(!has(c, "16/short.test"));
	ck_assert(has(c, "16/long.test"));
	fa_cache_free(c);
}
END_TEST

/* An answer fetched outside the cache is kept only where the cache
 * neither holds one nor has someone fetching one, and then as any other:
 * counted, evicted, expired. */
START_TEST(fa_cache_offer_where_unknown)
{
	struct fa_cache *c = NULL;
	ck_assert_int_eq(fa_cache_new(&c, FA_CACHE_DEFAULT_BYTES), 0);
	struct fa_dns_answer *ans = fa_answer_new("16/x.test", FA_RR_TXT, FA_DNS_NXDOMAIN);
	ck_assert_ptr_nonnull(ans);

	ck_assert(!fa_cache_known(c, "16/x.test"));
	ck_assert_uint_eq(fa_cache_size(c), 0);         /* asking made no entry */
	ck_assert_int_eq(fa_cache_offer(c, "16/x.test", ans, 0), 0);     /* not to keep */
	ck_assert_int_eq(fa_cache_offer(c, "16/x.test", ans, 1), 1);
	ck_assert(fa_cache_known(c, "16/x.test"));
	ck_assert_uint_gt(fa_cache_bytes(c), 0);
	ck_assert(has(c, "16/x.test"));
	ck_assert_int_eq(fa_cache_offer(c, "16/x.test", ans, 3600), 0); /* held already */

	/* Someone fetching: known, and the offer is not taken. */
	struct fa_dns_answer *a = NULL;
	ck_assert_int_eq(fa_cache_acquire(c, "16/y.test", 0, &a), FA_CACHE_FETCH);
	ck_assert(fa_cache_known(c, "16/y.test"));
	ck_assert_int_eq(fa_cache_offer(c, "16/y.test", ans, 3600), 0);
	fa_cache_complete(c, "16/y.test", NULL, 0);
	ck_assert(!fa_cache_known(c, "16/y.test"));

	/* Expired: the offer takes its place. */
	struct timespec ts = { 1, 200000000 };
	nanosleep(&ts, NULL);
	ck_assert(!fa_cache_known(c, "16/x.test"));
	size_t before = fa_cache_size(c);
	ck_assert_int_eq(fa_cache_offer(c, "16/x.test", ans, 3600), 1);
	ck_assert_uint_eq(fa_cache_size(c), before);
	ck_assert(has(c, "16/x.test"));
	fa_dns_answer_release(ans);

	/* Under the cap like any insert. */
	fa_cache_set_max_bytes(c, fa_cache_bytes(c));
	ans = fa_answer_new("16/z.test", FA_RR_TXT, FA_DNS_NXDOMAIN);
	ck_assert_int_eq(fa_cache_offer(c, "16/z.test", ans, 3600), 1);
	fa_dns_answer_release(ans);
	ck_assert(!has(c, "16/x.test"));
	ck_assert(has(c, "16/z.test"));
	fa_cache_free(c);
}
END_TEST

START_TEST(fromauth_ctx_set_cache_size_bounds)
{
	struct fromauth_ctx *ctx = NULL;
	ck_assert_int_eq(fromauth_ctx_new(&ctx), 0);
	ck_assert_int_eq(fromauth_ctx_set_cache_size(NULL, 1), FROMAUTH_E_INVAL);
	for (int i = 0; i < 100; i++) {
		char key[64];
		snprintf(key, sizeof(key), "16/n%d.test", i);
		put(ctx->dns->cache, key, 3600);
	}
	ck_assert_uint_eq(fa_cache_size(ctx->dns->cache), 100);
	ck_assert_int_eq(fromauth_ctx_set_cache_size(ctx, 2048), 0);
	ck_assert_uint_le(fa_cache_bytes(ctx->dns->cache), 2048);
	ck_assert_uint_lt(fa_cache_size(ctx->dns->cache), 100);
	ck_assert_int_eq(fromauth_ctx_set_cache_size(ctx, 0), 0);
	ck_assert_uint_eq(fa_cache_size(ctx->dns->cache), 0);
	fromauth_ctx_free(ctx);
}
END_TEST

/* Keys of plain names skip ldns; they must be what ldns would give. */
START_TEST(fa_dns_name_key_plain)
{
	static const char *const names[] = {
		"example.org", "Example.ORG.", "_dmarc.Shop-1.example", "s1._domainkey.x.example",
		"a", "A.", "a..b", ".", "..", "a.b..", "x\\.y.example", "x\\046y.example",
		"caf\xc3\xa9.example", "with space.example", "a*b.example", "*.example", "@.example",
		"0123456789012345678901234567890123456789012345678901234567890123.example",
		"012345678901234567890123456789012345678901234567890123456789012.example",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *got = fa_dns_name_key(names[i]);
		ldns_rdf *d = ldns_dname_new_frm_str(names[i]);
		char *want = d ? fa_dns_rdf_key(d) : NULL;
		ldns_rdf_deep_free(d);
		if (!want)
			ck_assert_msg(!got, "%s: %s, ldns refuses it", names[i], got);
		else
			ck_assert_msg(got && !strcmp(got, want), "%s: %s, ldns %s", names[i],
				      got ? got : "NULL", want);
		/* ... and back to wire form as ldns reads it, for keys and
		 * for names that are none. */
		const char *back[] = { names[i], want };
		for (size_t k = 0; k < 2; k++) {
			if (!back[k])
				continue;
			ldns_rdf *w = fa_dns_key_rdf(back[k]);
			ldns_rdf *l = ldns_dname_new_frm_str(back[k]);
			ck_assert_msg(!w == !l, "%s: wire %p, ldns %p", back[k], (void *)w, (void *)l);
			if (w)
				ck_assert_msg(ldns_rdf_compare(w, l) == 0 &&
					      ldns_rdf_size(w) == ldns_rdf_size(l) &&
					      !memcmp(ldns_rdf_data(w), ldns_rdf_data(l),
						      ldns_rdf_size(w)), "%s: wire differs", back[k]);
			ldns_rdf_deep_free(w);
			ldns_rdf_deep_free(l);
		}
		free(got);
		free(want);
	}
	/* 253 bytes is the longest name; 254 is refused both ways. */
	char name[300];
	memset(name, 'a', sizeof(name));
	for (size_t i = 63; i < sizeof(name); i += 64)
		name[i] = '.';
	name[253] = '\0';
	char *k = fa_dns_name_key(name);
	ck_assert_ptr_nonnull(k);
	free(k);
	name[253] = 'a';
	name[254] = '\0';
	ck_assert_ptr_null(fa_dns_name_key(name));
}
END_TEST

/* The key of @name equals the one made through ldns (or both are refused). */
static void same_key_as_ldns(const char *name)
{
	char *got = fa_dns_name_key(name);
	ldns_rdf *d = ldns_dname_new_frm_str(name);
	char *want = d ? fa_dns_rdf_key(d) : NULL;
	ldns_rdf_deep_free(d);
	/* no ck_assert: each passing one costs Check a write */
	if (!got != !want || (got && strcmp(got, want)))
		ck_abort_msg("%s: %s, ldns %s", name, got ? got : "NULL", want ? want : "NULL");
	free(got);
	free(want);
}

/* Plain names are checked and lower-cased 16 bytes at a time, the rest of
 * them by overlapping loads: each byte at each place of each length (and
 * so of each path), dots making empty labels, and labels of 63 and 64
 * bytes at each offset give ldns's key. */
START_TEST(fa_dns_name_key_each_byte)
{
	static const unsigned char some[] = { 'A', 'Z', 'a', 'z', '0', '9', '.', '-', '_', '/',
					      '@', '[', '`', '{', ' ', 0x7f, 0x80, 0xc1, 0xff };
	char name[300];
	for (size_t len = 1; len <= 80; len++) {
		for (size_t i = 0; i < len; i++)
			name[i] = (char)(i % 9 == 5 ? '.' : 'a' + i % 26);
		name[len] = '\0';
		same_key_as_ldns(name);
		/* every byte where a path begins or ends, some elsewhere */
		int all = len <= 9 || len == 15 || len == 16 || len == 17 || len == 33;
		for (size_t at = 0; at < len; at++) {
			char keep = name[at];
			for (int c = 1; c <= 0xff; c++) {
				if (!all && !memchr(some, c, sizeof(some)))
					continue;
				name[at] = (char)c;
				same_key_as_ldns(name);
			}
			name[at] = keep;
		}
		name[len] = '.';
		name[len + 1] = '\0';
		same_key_as_ldns(name);
	}
	for (size_t label = 60; label <= 66; label++) {
		for (size_t pre = 0; pre <= 20; pre++) {
			size_t n = 0;
			for (size_t i = 0; i < pre; i++)
				name[n++] = i % 4 == 3 ? '.' : 'B';
			memset(name + n, 'x', label);
			n += label;
			memcpy(name + n, ".Com", 5);
			same_key_as_ldns(name);
			name[n] = '\0';
			same_key_as_ldns(name);
		}
	}
}
END_TEST

/* The shared FNV-1a: the published 64-bit test vectors. */
START_TEST(fa_fnv1a_vectors)
{
	if (sizeof(size_t) < 8)
		return;
	ck_assert_uint_eq(fa_fnv1a_str(""), (size_t)0xcbf29ce484222325ull);
	ck_assert_uint_eq(fa_fnv1a_str("a"), (size_t)0xaf63dc4c8601ec8cull);
	ck_assert_uint_eq(fa_fnv1a_str("foobar"), (size_t)0x85944171f73967e8ull);
	ck_assert_uint_eq(fa_fnv1a(fa_fnv1a(FA_FNV1A_INIT, "foo", 3), "bar", 3),
			  fa_fnv1a_str("foobar"));
	ck_assert_uint_eq(fa_fnv1a(FA_FNV1A_INIT, "a\0b", 3) == fa_fnv1a_str("a"), 0);
}
END_TEST

/* The word hash reads each of @len bytes, wherever they sit, and nothing
 * past them: its short inputs are read as overlapping words, its long ones
 * two words a round, and a byte left out or read past the end would show
 * here as an equal or an unstable hash. */
START_TEST(fa_hash_words_every_byte)
{
	unsigned char buf[96 + 8], copy[96 + 16];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= 96; len++) {
		size_t h = fa_hash_words(12345, buf, len);
		/* the same at any alignment, whatever follows */
		for (size_t off = 1; off < 8; off++) {
			memset(copy, 0xa5 + (int)off, sizeof(copy));
			memcpy(copy + off, buf, len);
			if (fa_hash_words(12345, copy + off, len) != h)
				ck_abort_msg("length %zu at offset %zu", len, off);
		}
		/* each byte counts, and so do the length and the seed */
		for (size_t at = 0; at < len; at++) {
			buf[at] ^= 0x40;
			if (fa_hash_words(12345, buf, len) == h)
				ck_abort_msg("length %zu: byte %zu left out", len, at);
			buf[at] ^= 0x40;
		}
		if (len)
			ck_assert_uint_ne(fa_hash_words(12345, buf, len - 1), h);
		ck_assert_uint_ne(fa_hash_words(54321, buf, len), h);
	}
}
END_TEST

struct item {
	int id;
	struct fa_hnode node;   /* not first: FA_CONTAINER_OF must matter */
};

static int dropped;

static void drop_item(struct fa_hnode *n)
{
	struct item *it = FA_CONTAINER_OF(n, struct item, node);
	ck_assert_int_ge(it->id, 0);
	dropped++;
	free(it);
}

static struct item *find_item(struct fa_htable *t, int id)
{
	size_t h = fa_fnv1a(FA_FNV1A_INIT, &id, sizeof(id));
	for (struct fa_hnode *n = fa_htable_chain(t, h); n; n = n->next) {
		struct item *it = FA_CONTAINER_OF(n, struct item, node);
		if (n->hash == h && it->id == id)
			return it;
	}
	return NULL;
}

/* The shared chained table: grows, finds, removes, hands every node back. */
START_TEST(fa_htable_grows_and_removes)
{
	struct fa_htable t;
	ck_assert_int_eq(fa_htable_init(&t, 3), 0);
	ck_assert_uint_eq(t.nbuckets, 4);
	enum { N = 2000 };
	for (int id = 0; id < N; id++) {
		struct item *it = calloc(1, sizeof(*it));
		ck_assert_ptr_nonnull(it);
		it->id = id;
		fa_htable_insert(&t, &it->node, fa_fnv1a(FA_FNV1A_INIT, &id, sizeof(id)));
	}
	ck_assert_uint_eq(t.count, N);
	ck_assert_uint_ge(t.nbuckets, N / 2);
	for (int id = 0; id < N; id++)
		ck_assert_ptr_nonnull(find_item(&t, id));
	ck_assert_ptr_null(find_item(&t, N));
	for (int id = 0; id < N; id += 2) {
		struct item *it = find_item(&t, id);
		fa_htable_remove(&t, &it->node);
		free(it);
	}
	ck_assert_uint_eq(t.count, N / 2);
	for (int id = 0; id < N; id++)
		ck_assert_int_eq(find_item(&t, id) != NULL, id % 2);
	dropped = 0;
	fa_htable_fini(&t, drop_item);
	ck_assert_int_eq(dropped, N / 2);
	ck_assert_ptr_null(t.buckets);
	fa_htable_fini(&t, drop_item);          /* twice is harmless */
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("dns-cache");
	const struct test_case tests[] = {
		{ "fa_cache_evict", fa_cache_evicts_least_recently_used },
		{ "fa_cache_cap", fa_cache_cap_honoured },
		{ "fa_cache_grow", fa_cache_grows },
		{ "fa_cache_ttl", fa_cache_ttl_expires },
		{ "fa_cache_offer", fa_cache_offer_where_unknown },
		{ "fromauth_ctx_set_cache_size", fromauth_ctx_set_cache_size_bounds },
		{ "fa_dns_name_key", fa_dns_name_key_plain },
		{ "fa_dns_name_key", fa_dns_name_key_each_byte },
		{ "fa_fnv1a", fa_fnv1a_vectors },
		{ "fa_hash_words", fa_hash_words_every_byte },
		{ "fa_htable", fa_htable_grows_and_removes },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	return s;
}
