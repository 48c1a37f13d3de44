/* SPDX-License-Identifier: BSD-2-Clause */
/* The batch API: the same results as single checks, each index once,
 * bad addresses as items, misuse reported instead of waiting forever. */
#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-common.h"

/* Scenarios of tests/check/zones/ that use the esp profile and need no
 * timeout names: one context holds them all. */
static const char *const zones[] = {
	"healthy", "copied-key", "dkim-mismatch", "dmarc-multiple", "dmarc-pct",
	"dmarc-syntax", "lookup-merge", "treewalk", "sp-parent", "neutral", "no-dmarc",
	"none-unauth", "nxsub", "partial", "plus-all", "ptr", "quarantine", "reject",
	"rua-foreign", "spf-lookups", "spf-multiple", "spf-syntax", "spf-void",
	"testing-quarantine", "testing-reject",
};

static const char *const froms[] = {
	"news@healthy.example", "news@copied-key.example", "news@dkim-mismatch.example",
	"news@dmarc-multiple.example", "news@dmarc-pct.example", "news@dmarc-syntax.example",
	"news@lookup-merge.example", "news@mail.dept.treewalk.example",
	"news@mail.sp-parent.example", "news@neutral.example", "news@no-dmarc.example",
	"news@none-unauth.example", "news@nosuch.nxparent.example", "news@partial.example",
	"news@plus-all.example", "news@ptr.example", "news@quarantine.example",
	"news@reject.example", "news@rua-foreign.example", "news@spf-lookups.example",
	"news@spf-multiple.example", "news@spf-syntax.example", "news@spf-void.example",
	"news@testing-quarantine.example", "news@testing-reject.example",
	"\"Shop\" <info@healthy.example>",
};
#define NFROMS (sizeof(froms) / sizeof(froms[0]))

static struct fromauth_ctx *ctx;
static struct fromauth_profile *profile;

static void setup(void)
{
	char err[512] = "";
	ctx = test_offline_ctx("check/esp.zone", NULL);
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "check/zones/%s.zone", zones[i]);
		int rc = fromauth_ctx_add_zone_file(ctx, test_data(rel), err, sizeof(err));
		ck_assert_msg(rc == 0, "%s: %s", rel, err);
	}
	ck_assert_int_eq(fromauth_profile_load(test_data("check/profiles/esp.profile"), &profile,
					       err, sizeof(err)), 0);
}

static void teardown(void)
{
	fromauth_profile_free(profile);
	fromauth_ctx_free(ctx);
}

/* Verdict, fixed verdict, finding codes and rule rows: what must not
 * differ. */
static char *summary(const struct fromauth_result *r)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	fprintf(f, "%s/%d:", fromauth_verdict_name(fromauth_result_verdict(r)),
		fromauth_result_fixed_verdict(r));
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		fprintf(f, " %s", fromauth_result_finding_code(r, i));
	for (size_t i = 0; i < fromauth_result_rule_count(r); i++)
		fprintf(f, " %s:%d", fromauth_result_rule_receiver(r, i),
			fromauth_result_rule_status(r, i));
	fprintf(f, " rep:%zu", fromauth_result_reputation_count(r));
	fclose(f);
	return s;
}

static char *single(const char *from, unsigned int flags)
{
	struct fromauth_result *r = NULL;
	char err[512] = "";
	int rc = fromauth_check(ctx, profile, from, flags, &r, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", from, err);
	char *s = summary(r);
	fromauth_result_free(r);
	return s;
}

/* A few hundred checks both ways, 16 jobs on one context (the TSan run of
 * this suite is the race test), with and without remediation. */
static void same_as_single(unsigned int flags)
{
	char *want[NFROMS];
	for (size_t i = 0; i < NFROMS; i++)
		want[i] = single(froms[i], flags);

	enum { TOTAL = 300 };
	struct fromauth_batch *b = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, flags, 16, &b, err, sizeof(err)), 0);
	for (size_t i = 0; i < TOTAL; i++) {
		size_t index = 999;
		ck_assert_int_eq(fromauth_batch_add(b, froms[i % NFROMS], &index), 0);
		ck_assert_uint_eq(index, i);
	}
	ck_assert_int_eq(fromauth_batch_close(b), 0);
	unsigned char seen[TOTAL] = { 0 };
	size_t index;
	struct fromauth_result *r;
	int error, got;
	while ((got = fromauth_batch_next(b, &index, &r, &error, err, sizeof(err))) == 1) {
		ck_assert_uint_lt(index, TOTAL);
		ck_assert_msg(!seen[index], "index %zu twice", index);
		seen[index] = 1;
		ck_assert_msg(error == 0, "%zu: %s", index, err);
		char *s = summary(r);
		ck_assert_str_eq(s, want[index % NFROMS]);
		free(s);
		fromauth_result_free(r);
	}
	ck_assert_int_eq(got, 0);
	for (size_t i = 0; i < TOTAL; i++)
		ck_assert_msg(seen[i], "index %zu never came back", i);
	/* Finished stays finished. */
	ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 0);
	fromauth_batch_free(b);
	for (size_t i = 0; i < NFROMS; i++)
		free(want[i]);
}

START_TEST(fromauth_batch_next_same_as_single)
{
	same_as_single(0);
	same_as_single(FROMAUTH_CHECK_FIX);
}
END_TEST

/* A batch takes every flag a check takes: the receivers' rules and the
 * reputation lookups (offline, only the overlay answers them). */
START_TEST(fromauth_batch_new_rules_flags)
{
	same_as_single(FROMAUTH_CHECK_RULES_ALL | FROMAUTH_CHECK_REPUTATION);
	struct fromauth_batch *b = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, FROMAUTH_CHECK_RULES_GMAIL, 1, &b,
					    err, sizeof(err)), 0);
	size_t index;
	ck_assert_int_eq(fromauth_batch_add(b, "news@healthy.example", &index), 0);
	ck_assert_int_eq(fromauth_batch_close(b), 0);
	struct fromauth_result *r = NULL;
	int error = -1;
	ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 1);
	ck_assert_int_eq(error, 0);
	ck_assert_uint_gt(fromauth_result_rule_count(r), 5);
	for (size_t i = 0; i < fromauth_result_rule_count(r); i++)
		ck_assert_str_eq(fromauth_result_rule_receiver(r, i), "gmail");
	fromauth_result_free(r);
	fromauth_batch_free(b);
}
END_TEST

/* A bad address is an item with an error, the batch goes on; a window
 * of outstanding items bounds what the batch holds. */
START_TEST(fromauth_batch_add_bad_address)
{
	static const char *const in[] = {
		"news@healthy.example", "not an address", "news@reject.example",
		"a@b@c", "news@-bad-.example",
	};
	struct fromauth_batch *b = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, 0, 2, &b, err, sizeof(err)), 0);
	size_t added = 0, taken = 0;
	int verdict[5], error_of[5];
	char message[5][512];
	while (taken < 5) {
		size_t index;
		struct fromauth_result *r;
		int error;
		if (added < 5 && added - taken < 2) {
			ck_assert_int_eq(fromauth_batch_add(b, in[added], NULL), 0);
			if (++added == 5)
				ck_assert_int_eq(fromauth_batch_close(b), 0);
			continue;
		}
		ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 1);
		ck_assert_uint_lt(index, 5);
		error_of[index] = error;
		verdict[index] = r ? fromauth_result_verdict(r) : -1;
		snprintf(message[index], sizeof(message[index]), "%s", err);
		ck_assert_int_eq(!r, error != 0);
		fromauth_result_free(r);
		taken++;
	}
	ck_assert_int_eq(error_of[0], 0);
	ck_assert_int_eq(verdict[0], FROMAUTH_VERDICT_PASS);
	ck_assert_int_eq(error_of[1], FROMAUTH_E_ADDRESS);
	ck_assert_str_ne(message[1], "");
	ck_assert_int_eq(error_of[2], 0);
	ck_assert_int_eq(verdict[2], FROMAUTH_VERDICT_FAIL);
	ck_assert_int_eq(error_of[3], FROMAUTH_E_ADDRESS);
	ck_assert_int_lt(error_of[4], 0);
	ck_assert_str_ne(message[4], "");
	fromauth_batch_free(b);
}
END_TEST

START_TEST(fromauth_batch_new_misuse)
{
	struct fromauth_batch *b = (void *)1;
	char err[512] = "";
	size_t index;
	struct fromauth_result *r;
	int error;
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, 0, 1, NULL, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_batch_new(NULL, profile, 0, 1, &b, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, 0x80, 1, &b, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_batch_new(ctx, profile, 0, 257, &b, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	struct fromauth_profile *empty = NULL;
	ck_assert_int_eq(fromauth_profile_new(&empty), 0);
	ck_assert_int_eq(fromauth_batch_new(ctx, empty, 0, 1, &b, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	fromauth_profile_free(empty);

	ck_assert_int_eq(fromauth_batch_new(ctx, profile, 0, 0, &b, err, sizeof(err)), 0);
	/* Nothing outstanding on an open batch: an error, not a hang. */
	ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(fromauth_batch_next(b, NULL, &r, &error, NULL, 0), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_batch_add(b, NULL, NULL), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_batch_add(NULL, "a@b.example", NULL), FROMAUTH_E_INVAL);
	/* Items left untaken are freed with the batch. */
	for (int i = 0; i < 40; i++)
		ck_assert_int_eq(fromauth_batch_add(b, froms[i % NFROMS], NULL), 0);
	ck_assert_int_eq(fromauth_batch_next(b, &index, &r, &error, err, sizeof(err)), 1);
	fromauth_result_free(r);
	ck_assert_int_eq(fromauth_batch_close(b), 0);
	ck_assert_int_eq(fromauth_batch_close(b), 0);
	ck_assert_int_eq(fromauth_batch_add(b, "a@b.example", NULL), FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_batch_close(NULL), FROMAUTH_E_INVAL);
	fromauth_batch_free(b);
	fromauth_batch_free(NULL);
}
END_TEST

static void *read_json(void *arg)
{
	return (void *)fromauth_result_json(arg);
}

/* JSON is built on first use: 8 threads asking at once all get the one
 * string (the TSan run of this suite checks the race). */
START_TEST(fromauth_result_json_lazy)
{
	struct fromauth_result *r = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_check(ctx, profile, "news@healthy.example", FROMAUTH_CHECK_FIX,
					&r, err, sizeof(err)), 0);
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, read_json, r), 0);
	const char *first = NULL;
	for (int i = 0; i < 8; i++) {
		void *got;
		pthread_join(t[i], &got);
		ck_assert_ptr_nonnull(got);
		if (!first)
			first = got;
		ck_assert_ptr_eq(got, first);
	}
	ck_assert_ptr_eq(fromauth_result_json(r), first);
	ck_assert_ptr_nonnull(strstr(first, "\"verdict\":\"pass\""));
	ck_assert_ptr_nonnull(strstr(first, "\"fixed_verdict\":\"pass\""));
	ck_assert_ptr_null(fromauth_result_json(NULL));
	fromauth_result_free(r);
}
END_TEST


static void *read_dkim_json(void *arg)
{
	return (void *)fromauth_dkim_json(arg);
}

static void *read_dmarc_json(void *arg)
{
	return (void *)fromauth_dmarc_json(arg);
}

/* Eight threads ask one object for its JSON at once: all get one string. */
static const char *json_race(void *(*fn)(void *), const void *obj)
{
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, fn, (void *)obj), 0);
	const char *first = NULL;
	for (int i = 0; i < 8; i++) {
		void *got;
		pthread_join(t[i], &got);
		ck_assert_ptr_nonnull(got);
		if (!first)
			first = got;
		ck_assert_ptr_eq(got, first);
	}
	return first;
}

/* The DKIM and DMARC objects of a check build their own JSON only when
 * asked (the check's JSON does not need it), once, from the same facts. */
START_TEST(fromauth_dkim_dmarc_json_lazy)
{
	struct fromauth_result *r = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_check(ctx, profile, "news@healthy.example", 0, &r, err,
					sizeof(err)), 0);
	ck_assert_uint_gt(fromauth_result_dkim_count(r), 0);
	const struct fromauth_dkim *dkim = fromauth_result_dkim(r, 0);
	const char *j = json_race(read_dkim_json, dkim);
	ck_assert_ptr_eq(fromauth_dkim_json(dkim), j);
	struct json_object *o = json_tokener_parse(j);
	ck_assert_ptr_nonnull(o);
	struct json_object *v;
	ck_assert(json_object_object_get_ex(o, "selector", &v));
	ck_assert_str_eq(json_object_get_string(v), fromauth_dkim_selector(dkim));
	json_object_put(o);

	const struct fromauth_dmarc *d = fromauth_result_dmarc(r);
	j = json_race(read_dmarc_json, d);
	ck_assert_ptr_eq(fromauth_dmarc_json(d), j);
	o = json_tokener_parse(j);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "domain", &v));
	ck_assert_str_eq(json_object_get_string(v), "healthy.example");
	json_object_put(o);
	ck_assert_ptr_null(fromauth_dkim_json(NULL));
	ck_assert_ptr_null(fromauth_dmarc_json(NULL));
	fromauth_result_free(r);
}
END_TEST


#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a world of a few hundred customer domains ------------------------- */

/* Customer domains of every shape the bench world has (SPF with the
 * service's include or without, ~all, a missing include, two records, a
 * redirect, none; DKIM delegated, to the wrong key, revoked, dangling,
 * none; DMARC reject/quarantine/none, pct, a foreign rua, broken, none;
 * From in the domain or a subdomain), combined by index so that a few
 * hundred domains hold most combinations. */
enum { WORLD = 420 };

static const char *const world_spf[] = {
	"\"v=spf1 include:spf.sendco.example -all\"",
	"\"v=spf1 include:spf.sendco.example ~all\"",
	"\"v=spf1 ip4:198.51.100.0/24 -all\"",
	NULL,
	"\"v=spf1 include:spf.sendco.example include:gone.world.example -all\"",
	"\"v=spf1 include:spf.sendco.example -all\" ; and a second one",
	"\"v=spf1 redirect=_spf.world.example\"",
};

static const char *const world_dkim[] = {
	"CNAME s2048.dkim.sendco.example.",
	"CNAME old.dkim.sendco.example.",
	"CNAME revoked.dkim.sendco.example.",
	"CNAME nothing.dkim.sendco.example.",
	NULL,
};

static const char *const world_dmarc[] = {
	"\"v=DMARC1; p=reject\"",
	"\"v=DMARC1; p=none\"",
	"\"v=DMARC1; p=quarantine; pct=50\"",
	NULL,
	"\"v=DMARC1; p=quarantine; sp=none; rua=mailto:d@rua.other.example\"",
	"\"v=DMARC1; p=bogus\"",
};

static char *world_zone(void)
{
	static char path[] = "/tmp/fromauth-test-world-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "$TTL 3600\n$ORIGIN world.example.\n"
		"_spf IN TXT \"v=spf1 include:spf.sendco.example -all\"\n");
	for (unsigned int i = 0; i < WORLD; i++) {
		char d[16];
		snprintf(d, sizeof(d), "w%03u", i);
		const char *spf = world_spf[i % ARRAY_N(world_spf)];
		const char *dkim = world_dkim[i % ARRAY_N(world_dkim)];
		const char *dmarc = world_dmarc[i % ARRAY_N(world_dmarc)];
		if (i % 11 != 10)       /* a few exist only through their records */
			fprintf(f, "%s IN A 203.0.113.%u\n", d, i % 250 + 1);
		if (spf)
			fprintf(f, "%s IN TXT %s\n", d, spf);
		if (spf && strstr(spf, "second"))
			fprintf(f, "%s IN TXT \"v=spf1 mx -all\"\n", d);
		if (dkim)
			fprintf(f, "s1._domainkey.%s IN %s\n", d, dkim);
		if (dmarc)
			fprintf(f, "_dmarc.%s IN TXT %s\n", d, dmarc);
		if (i % 4 == 3)
			fprintf(f, "mail.%s IN A 203.0.113.%u\n", d, i % 250 + 1);
	}
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void world_from(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, i % 4 == 3 ? "news@mail.w%03u.world.example" : "news@w%03u.world.example",
		 i);
}

/* The world checked one address at a time on one context, then as one
 * batch of 16 jobs on a fresh context: verdicts and finding codes must
 * be the same (the TSan run of this suite checks the races). */
START_TEST(fromauth_batch_world_same_as_single)
{
	char *zone = world_zone();
	char err[512] = "";
	struct fromauth_ctx *one = test_offline_ctx("check/esp.zone", NULL);
	ck_assert_int_eq(fromauth_ctx_add_zone_file(one, zone, err, sizeof(err)), 0);
	char *want[WORLD];
	size_t verdicts[4] = { 0 };
	for (unsigned int i = 0; i < WORLD; i++) {
		char from[64];
		world_from(i, from, sizeof(from));
		struct fromauth_result *r = NULL;
		ck_assert_msg(fromauth_check(one, profile, from, FROMAUTH_CHECK_FIX, &r, err,
					     sizeof(err)) == 0, "%s: %s", from, err);
		want[i] = summary(r);
		verdicts[fromauth_result_verdict(r) & 3]++;
		fromauth_result_free(r);
	}
	fromauth_ctx_free(one);
	size_t shapes = 0;
	for (unsigned int i = 0; i < WORLD; i++) {
		unsigned int j = 0;
		while (j < i && strcmp(want[j], want[i]))
			j++;
		shapes += j == i;
	}
	ck_assert_msg(shapes >= 60, "only %zu different outcomes", shapes);
	/* The world is not all one shape (offline, nothing is unknown). */
	for (size_t v = 0; v < 3; v++)
		ck_assert_msg(verdicts[v] > 0, "no verdict %zu among %d", v, WORLD);

	struct fromauth_ctx *many = test_offline_ctx("check/esp.zone", NULL);
	ck_assert_int_eq(fromauth_ctx_add_zone_file(many, zone, err, sizeof(err)), 0);
	unlink(zone);
	struct fromauth_batch *b = NULL;
	ck_assert_int_eq(fromauth_batch_new(many, profile, FROMAUTH_CHECK_FIX, 16, &b, err,
					    sizeof(err)), 0);
	for (unsigned int i = 0; i < WORLD; i++) {
		char from[64];
		size_t index;
		world_from(i, from, sizeof(from));
		ck_assert_int_eq(fromauth_batch_add(b, from, &index), 0);
		ck_assert_uint_eq(index, i);
	}
	ck_assert_int_eq(fromauth_batch_close(b), 0);
	size_t index, n = 0;
	struct fromauth_result *r;
	int error, got;
	while ((got = fromauth_batch_next(b, &index, &r, &error, err, sizeof(err))) == 1) {
		ck_assert_uint_lt(index, WORLD);
		ck_assert_msg(error == 0, "%zu: %s", index, err);
		char *s = summary(r);
		ck_assert_msg(!strcmp(s, want[index]), "w%03zu: batch %s, single %s", index, s,
			      want[index]);
		free(s);
		fromauth_result_free(r);
		n++;
	}
	ck_assert_int_eq(got, 0);
	ck_assert_uint_eq(n, WORLD);
	fromauth_batch_free(b);
	fromauth_ctx_free(many);
	for (unsigned int i = 0; i < WORLD; i++)
		free(want[i]);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("batch");
	const struct test_case tests[] = {
		{ "fromauth_batch_next", fromauth_batch_next_same_as_single },
		{ "fromauth_batch_next", fromauth_batch_world_same_as_single },
		{ "fromauth_batch_add", fromauth_batch_add_bad_address },
		{ "fromauth_batch_new", fromauth_batch_new_misuse },
		{ "fromauth_batch_new", fromauth_batch_new_rules_flags },
		{ "fromauth_result_json", fromauth_result_json_lazy },
		{ "fromauth_dkim_json", fromauth_dkim_dmarc_json_lazy },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
	return s;
}
