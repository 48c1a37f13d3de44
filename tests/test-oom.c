/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Out of memory: the library's own allocations (malloc, calloc, realloc,
 * strdup, strndup, asprintf, vasprintf, wrapped at link time with
 * -Wl,--wrap) fail one at a time, the Nth for N = 1, 2, ... over a whole
 * check with --fix.  Every run either returns FROMAUTH_E_NOMEM and no
 * result, or returns OK with exactly the result of a normal run; none
 * crashes, and under ASan none leaks.  The wrapped libraries' own
 * allocations (ldns, libspf2, json-c ...) are left alone: only ours must
 * be handled here.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <execinfo.h>

#include "test-common.h"

/* ---- the failing allocator ------------------------------------------------ */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);

static atomic_int armed;
static atomic_ulong calls;
static unsigned long fail_at;

/* Where the failed allocation was made, shown when a run goes wrong. */
static void *trace[16];
static int trace_n;

static int fail_now(void)
{
	if (!atomic_load(&armed))
		return 0;
	int now = atomic_fetch_add(&calls, 1) + 1 == fail_at;
	if (now)
		trace_n = backtrace(trace, 16);
	return now;
}

void *__wrap_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size)
{
	return fail_now() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s);
char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n);
char *__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	return fail_now() ? -1 : __real_vasprintf(out, fmt, ap);
}

int __wrap_asprintf(char **out, const char *fmt, ...);
int __wrap_asprintf(char **out, const char *fmt, ...)
{
	if (fail_now())
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = __real_vasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- the runs ------------------------------------------------------------------ */

/* Everything a result says, as text (stats excepted: they differ). */
static void describe(const struct fromauth_result *r, char *buf, size_t len)
{
	size_t n = 0;
#define PUT(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	PUT("%d %d %s %s %s %s\n", fromauth_result_verdict(r), fromauth_result_fixed_verdict(r),
	    fromauth_result_domain(r), fromauth_result_org_domain(r),
	    fromauth_result_mail_from(r), fromauth_result_spf_summary(r));
	for (size_t i = 0; i < fromauth_result_spf_count(r); i++)
		PUT("spf %s %d\n", fromauth_spf_ip(fromauth_result_spf(r, i)),
		    fromauth_spf_result(fromauth_result_spf(r, i)));
	for (size_t i = 0; i < fromauth_result_dkim_count(r); i++)
		PUT("dkim %d\n", fromauth_dkim_status(fromauth_result_dkim(r, i)));
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		PUT("%s %d %s\n", fromauth_result_finding_code(r, i),
		    fromauth_result_finding_severity(r, i), fromauth_result_finding_message(r, i));
		for (size_t j = 0; j < fromauth_result_finding_fix_count(r, i); j++)
			PUT("  %s\n", fromauth_result_finding_fix(r, i, j));
	}
	PUT("json %d\n", fromauth_result_json(r) != NULL);
#undef PUT
	ck_assert_uint_lt(n, len);
}

struct oom_case {
	const char *zone;
	const char *profile;
	const char *from;
};

/* Fixes of every kind, a placeholder, a merge, alignment walks. */
static const struct oom_case cases[] = {
	{ "reject", "esp", "news@reject.example" },
	{ "rua-foreign", "esp", "news@rua-foreign.example" },
	{ "ips-placeholder", "ips", "news@ips-placeholder.example" },
	{ "returnpath-missing", "returnpath", "news@returnpath-missing.example" },
	{ "nodmarc-bounce", "returnpath", "news@mail.nodmarc-bounce.example" },
	/* the customer's SPF record replaced, flattened, chosen among two */
	{ "spf-flatten", "nodkim", "news@spf-flatten.example" },
	{ "spf-multiple", "nodkim", "news@spf-multiple.example" },
	{ "spf-void", "nodkim", "news@spf-void.example" },
	{ "spf-syntax-fixable", "nodkim", "news@spf-syntax-fixable.example" },
	{ "ptr-only", "nodkim", "news@ptr-only.example" },
	{ "spf-nospace", "nodkim", "news@spf-nospace.example" },
	{ "lookup-merge", "esp", "news@lookup-merge.example" },
};

/* @c's zone over the service's, offline, and its profile. */
static void case_load(const struct oom_case *c, struct fromauth_ctx **ctx,
		      struct fromauth_profile **p)
{
	char path[4096], err[512] = "";
	*ctx = test_offline_ctx("check/esp.zone", NULL);
	snprintf(path, sizeof(path), "%s/check/zones/%s.zone", TEST_DATA_DIR, c->zone);
	ck_assert_int_eq(fromauth_ctx_add_zone_file(*ctx, path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/check/profiles/%s.profile", TEST_DATA_DIR, c->profile);
	ck_assert_int_eq(fromauth_profile_load(path, p, err, sizeof(err)), 0);
}

START_TEST(fromauth_check_nomem)
{
	const struct oom_case *c = &cases[_i];
	char err[512] = "";
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_profile *p = NULL;
	case_load(c, &ctx, &p);

	static char want[65536], got[65536];
	struct fromauth_result *r = NULL;
	ck_assert_int_eq(fromauth_check(ctx, p, c->from, FROMAUTH_CHECK_FIX, &r, err, sizeof(err)), 0);
	describe(r, want, sizeof(want));
	fromauth_result_free(r);

	unsigned long nomem = 0, ok = 0;
	for (fail_at = 1;; fail_at++) {
		atomic_store(&calls, 0);
		atomic_store(&armed, 1);
		r = (void *)1;
		int rc = fromauth_check(ctx, p, c->from, FROMAUTH_CHECK_FIX, &r, err, sizeof(err));
		atomic_store(&armed, 0);
		if (rc == FROMAUTH_E_NOMEM) {
			ck_assert_ptr_null(r);
			nomem++;
		} else {
			if (rc == 0)
				describe(r, got, sizeof(got));
			if (rc != 0 || strcmp(got, want) != 0)
				backtrace_symbols_fd(trace, trace_n, 2);   /* where it failed */
			ck_assert_msg(rc == 0, "%s: allocation %lu failed: rc %d (%s)", c->zone,
				      fail_at, rc, err);
			ck_assert_msg(!strcmp(got, want),
				      "%s: allocation %lu failed, yet OK with another result:\n%s\nnot\n%s",
				      c->zone, fail_at, got, want);
			fromauth_result_free(r);
			ok++;
		}
		if (atomic_load(&calls) < fail_at)
			break;  /* the check made fewer allocations: all were tried */
	}
	/* It did fail allocations, and most failures are reported. */
	ck_assert_uint_gt(nomem, 100);
	fprintf(stderr, "%s: %lu allocations failed in turn: %lu NOMEM, %lu OK\n",
		c->zone, fail_at - 1, nomem, ok);
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
}
END_TEST

/* The JSON texts, each built on its first use. */
static const char *json_of(int which, const struct fromauth_result *r)
{
	switch (which) {
	case 0: return fromauth_result_json(r);
	case 1: return fromauth_spf_json(fromauth_result_spf(r, 0));
	case 2: return fromauth_dkim_json(fromauth_result_dkim(r, 0));
	default: return fromauth_dmarc_json(fromauth_result_dmarc(r));
	}
}

/* With each allocation of a JSON text failing in turn, the getter gives
 * NULL, and later the whole text: never a shorter one. */
START_TEST(fromauth_result_json_nomem)
{
	const struct oom_case *c = &cases[_i];
	char err[512] = "";
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_profile *p = NULL;
	case_load(c, &ctx, &p);

	for (int which = 0; which < 4; which++) {
		struct fromauth_result *r = NULL;
		ck_assert_int_eq(fromauth_check(ctx, p, c->from, FROMAUTH_CHECK_FIX, &r, err,
						sizeof(err)), 0);
		const char *text = json_of(which, r);
		if (!text) {  /* no such object in this case */
			fromauth_result_free(r);
			continue;
		}
		char *want = strdup(text);
		ck_assert_ptr_nonnull(want);
		fromauth_result_free(r);
		ck_assert_int_eq(fromauth_check(ctx, p, c->from, FROMAUTH_CHECK_FIX, &r, err,
						sizeof(err)), 0);
		unsigned long nomem = 0;
		for (fail_at = 1;; fail_at++) {
			atomic_store(&calls, 0);
			atomic_store(&armed, 1);
			text = json_of(which, r);
			atomic_store(&armed, 0);
			if (!text) {
				ck_assert_uint_ge(atomic_load(&calls), fail_at);
				nomem++;
				continue;
			}
			ck_assert_msg(atomic_load(&calls) < fail_at,
				      "%s: JSON %d despite failed allocation %lu", c->zone, which,
				      fail_at);
			/* the check's own stats differ from run to run */
			const char *stats = which ? NULL : strstr(want, ",\"stats\":");
			size_t n = stats ? (size_t)(stats - want) : strlen(want) + 1;
			ck_assert_msg(strncmp(text, want, n) == 0, "%s: JSON %d\n%s\nnot\n%s",
				      c->zone, which, text, want);
			break;
		}
		ck_assert_uint_gt(nomem, 0);
		free(want);
		fromauth_result_free(r);
	}
	fromauth_profile_free(p);
	fromauth_ctx_free(ctx);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("oom");
	TCase *tc = tcase_create("fromauth_check");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, fromauth_check_nomem, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("fromauth_result_json");
	tcase_add_loop_test(tc, fromauth_result_json_nomem, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
