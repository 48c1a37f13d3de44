/* SPDX-License-Identifier: BSD-2-Clause */
/* SPF: check_host() through libspf2 on the overlay, the limits the wrapper
 * enforces, hostile records, the record screen, the tree analysis, include
 * merging and range expansion.  Data: tests/zones/spf.zone. */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "test-common.h"
#include "ctx.h"
#include "memo.h"
#include "private.h"
#include "remedy.h"
#include "spf-record.h"
#include "spf.h"

static struct fromauth_ctx *ctx;

static void setup(void)
{
	ctx = test_offline_ctx("zones/spf.zone", NULL);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "slow.spf.test"), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "down.spf.test"), 0);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
	ctx = NULL;
}

static struct fromauth_spf *check(const char *ip, const char *from, const char *helo)
{
	struct fromauth_spf *spf = NULL;
	char err[512] = "";
	int rc = fromauth_spf_check(ctx, ip, from, helo, &spf, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s %s: %s", ip, from, err);
	ck_assert_ptr_nonnull(spf);
	return spf;
}

/* Evaluate and check the result; the reason must mention @why. */
static void expect(const char *ip, const char *from, int result, const char *why)
{
	struct fromauth_spf *spf = check(ip, from, "mta.example.org");
	ck_assert_msg(fromauth_spf_result(spf) == result,
		      "%s from %s: got %s (%s), expected %s", ip, from,
		      fromauth_spf_result_name(fromauth_spf_result(spf)),
		      fromauth_spf_reason(spf), fromauth_spf_result_name(result));
	if (why)
		ck_assert_msg(strstr(fromauth_spf_reason(spf), why) != NULL,
			      "%s: reason \"%s\" lacks \"%s\"", from,
			      fromauth_spf_reason(spf), why);
	fromauth_spf_free(spf);
}

START_TEST(fromauth_spf_check_results)
{
	expect("192.0.2.5", "user@pass.spf.test", FROMAUTH_SPF_PASS, "pass.spf.test");
	expect("2001:db8::5", "user@pass.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("198.51.100.5", "user@pass.spf.test", FROMAUTH_SPF_FAIL, NULL);
	expect("2001:db9::5", "pass.spf.test", FROMAUTH_SPF_FAIL, NULL);
	expect("198.51.100.5", "soft.spf.test", FROMAUTH_SPF_SOFTFAIL, NULL);
	expect("198.51.100.5", "neutral.spf.test", FROMAUTH_SPF_NEUTRAL, NULL);
	expect("198.51.100.5", "noall.spf.test", FROMAUTH_SPF_NEUTRAL, "no mechanism");
	expect("198.51.100.5", "nospf.spf.test", FROMAUTH_SPF_NONE, "no SPF record");
	expect("198.51.100.5", "nowhere.spf.test", FROMAUTH_SPF_NONE, NULL);
	expect("198.51.100.5", "multi.spf.test", FROMAUTH_SPF_PERMERROR, "2 SPF records");
	/* RFC 7208 4.3: a single-label or malformed domain is "none" */
	expect("198.51.100.5", "user@localhost", FROMAUTH_SPF_NONE, "single label");
	expect("198.51.100.5", "user@a..b", FROMAUTH_SPF_NONE, NULL);
}
END_TEST

START_TEST(fromauth_spf_check_mechanisms)
{
	/* the reason names the mechanism that matched */
	expect("198.51.100.7", "amx.spf.test", FROMAUTH_SPF_PASS,
	       "+a in the SPF record of amx.spf.test matched");
	expect("203.0.113.25", "amx.spf.test", FROMAUTH_SPF_PASS,
	       "+mx in the SPF record of amx.spf.test matched");
	expect("2001:db8:25::1", "amx.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("203.0.113.26", "amx.spf.test", FROMAUTH_SPF_FAIL, NULL);
	expect("198.51.100.9", "inc.spf.test", FROMAUTH_SPF_PASS,
	       "+include:esp.spf.test in the SPF record of inc.spf.test "
	       "(through ip4:198.51.100.0/24 in the SPF record of esp.spf.test)");
	/* the include's ~all is no match: the outer -all decides */
	expect("192.0.2.9", "inc.spf.test", FROMAUTH_SPF_FAIL,
	       "-all in the SPF record of inc.spf.test");
	expect("2001:db8:1::9", "redir.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("192.0.2.9", "redir.spf.test", FROMAUTH_SPF_SOFTFAIL,
	       "~all in the SPF record of esp.spf.test");
	/* redirect= beside "all" is ignored (RFC 7208 6.1) */
	expect("198.51.100.9", "redirall.spf.test", FROMAUTH_SPF_FAIL, NULL);
	/* /0 and unknown modifiers are valid; libspf2 gets them rewritten */
	expect("198.51.100.9", "slash0.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("2001:db8::9", "slash0.spf.test", FROMAUTH_SPF_FAIL, NULL);
	expect("192.0.2.9", "unknownmod.spf.test", FROMAUTH_SPF_PASS, NULL);
	/* a and mx with a /0 prefix for the client's family: any address
	 * of the name matches (libspf2 cannot hold /0; the layer answers) */
	expect("2001:db8:ffff::1", "zero6.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("2001:db8:ffff::1", "zero6none.spf.test", FROMAUTH_SPF_FAIL, NULL);
	expect("192.0.2.200", "zeromx.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("2001:db8:ffff::1", "zeromx.spf.test", FROMAUTH_SPF_FAIL, NULL);
	/* the suffix that stands for "the client" cannot be forged */
	expect("192.0.2.200", "forged.spf.test", FROMAUTH_SPF_FAIL, NULL);
	/* longer than libspf2 can hold (it would drop the tail silently) */
	expect("2001:db8:23::1", "long6.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("2001:db9::1", "long6.spf.test", FROMAUTH_SPF_FAIL,
	       "-all in the SPF record of long6.spf.test");
	expect("198.51.100.7", "long6.spf.test", FROMAUTH_SPF_PASS,
	       "+a:amx.spf.test in the SPF record of long6.spf.test");
	expect("192.0.2.130", "long4.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("192.0.2.131", "long4.spf.test", FROMAUTH_SPF_SOFTFAIL, NULL);
	/* IPv4-mapped IPv6 is IPv4 (RFC 7208 5) */
	expect("::ffff:192.0.2.5", "pass.spf.test", FROMAUTH_SPF_PASS, NULL);

	struct fromauth_spf *spf = check("198.51.100.9", "inc.spf.test", NULL);
	ck_assert_uint_eq(fromauth_spf_lookups(spf), 1);
	ck_assert_str_eq(fromauth_spf_record(spf), "v=spf1 include:esp.spf.test -all");
	ck_assert_str_eq(fromauth_spf_domain(spf), "inc.spf.test");
	ck_assert_str_eq(fromauth_spf_ip(spf), "198.51.100.9");
	fromauth_spf_free(spf);

	/* the record that decided is the end of the redirect chain */
	spf = check("198.51.100.9", "redir.spf.test", NULL);
	ck_assert_str_eq(fromauth_spf_record(spf),
			 "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:1::/48 ~all");
	fromauth_spf_free(spf);
}
END_TEST

START_TEST(fromauth_spf_check_identities)
{
	/* null sender: postmaster@HELO */
	struct fromauth_spf *spf = check("192.0.2.5", "", "pass.spf.test");
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PASS);
	ck_assert_str_eq(fromauth_spf_domain(spf), "pass.spf.test");
	fromauth_spf_free(spf);
	spf = check("198.51.100.5", NULL, "pass.spf.test");
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_FAIL);
	fromauth_spf_free(spf);

	char err[256];
	spf = (void *)1;
	ck_assert_int_eq(fromauth_spf_check(ctx, "192.0.2.300", "pass.spf.test", NULL,
					    &spf, err, sizeof(err)), FROMAUTH_E_IP);
	ck_assert_ptr_null(spf);
	ck_assert_int_eq(fromauth_spf_check(ctx, "127.0.0.2", "pass.spf.test", NULL,
					    &spf, err, sizeof(err)), FROMAUTH_E_IP);
	ck_assert_ptr_nonnull(strstr(err, "loopback"));
	ck_assert_int_eq(fromauth_spf_check(ctx, "::1", "pass.spf.test", NULL,
					    &spf, err, sizeof(err)), FROMAUTH_E_IP);
	ck_assert_int_eq(fromauth_spf_check(ctx, "192.0.2.1", "", NULL, &spf,
					    err, sizeof(err)), FROMAUTH_E_ADDRESS);
	/* an internationalized domain is looked up as A-labels */
	spf = check("192.0.2.5", "user@b\xc3\xbc" "cher.spf.test", NULL);
	ck_assert_str_eq(fromauth_spf_domain(spf), "xn--bcher-kva.spf.test");
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PASS);
	fromauth_spf_free(spf);
	spf = check("192.0.2.5", "", "B\xc3\xbc" "cher.spf.test");
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PASS);
	fromauth_spf_free(spf);

	ck_assert_int_eq(fromauth_spf_check(ctx, "192.0.2.1", "a\001@pass.spf.test",
					    NULL, &spf, err, sizeof(err)),
			 FROMAUTH_E_ADDRESS);
	ck_assert_int_eq(fromauth_spf_check(NULL, "192.0.2.1", "x.test", NULL, &spf,
					    err, sizeof(err)), FROMAUTH_E_INVAL);
}
END_TEST

START_TEST(fromauth_spf_check_limits)
{
	/* 11 DNS-querying terms over two includes: permerror at the 11th */
	struct fromauth_spf *spf = check("192.0.2.99", "lim.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PERMERROR);
	ck_assert_ptr_nonnull(strstr(fromauth_spf_reason(spf), "more than 10 DNS-querying terms"));
	ck_assert_uint_eq(fromauth_spf_lookups(spf), 10);
	fromauth_spf_free(spf);
	/* 10 terms in all: within the limit */
	spf = check("192.0.2.99", "lim9.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PASS);
	ck_assert_uint_eq(fromauth_spf_lookups(spf), 10);
	fromauth_spf_free(spf);
	/* a match before the limit is reached passes */
	expect("203.0.113.100", "lim.spf.test", FROMAUTH_SPF_PASS, NULL);

	/* 3 void lookups: permerror; 2 are allowed */
	spf = check("192.0.2.99", "void.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PERMERROR);
	ck_assert_ptr_nonnull(strstr(fromauth_spf_reason(spf), "void lookups"));
	ck_assert_uint_eq(fromauth_spf_void_lookups(spf), 2);
	fromauth_spf_free(spf);
	spf = check("192.0.2.99", "void2.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PASS);
	ck_assert_uint_eq(fromauth_spf_void_lookups(spf), 2);
	fromauth_spf_free(spf);
}
END_TEST

START_TEST(fromauth_spf_check_errors)
{
	expect("192.0.2.9", "tmo.spf.test", FROMAUTH_SPF_TEMPERROR, "slow.spf.test");
	expect("192.0.2.9", "down.spf.test", FROMAUTH_SPF_TEMPERROR, NULL);
	expect("192.0.2.9", "syntax.spf.test", FROMAUTH_SPF_PERMERROR, "malformed mechanism");
	expect("192.0.2.9", "twoexp.spf.test", FROMAUTH_SPF_PERMERROR, "more than one exp=");
	/* ptr: a validated name within the domain matches; no PTR, no match */
	expect("192.0.2.9", "ptr.spf.test", FROMAUTH_SPF_PASS,
	       "+ptr in the SPF record of ptr.spf.test matched");
	expect("192.0.2.8", "ptr.spf.test", FROMAUTH_SPF_FAIL, NULL);
}
END_TEST

/* Hostile records: each ends in permerror or temperror with a reason,
 * within the limits, without a crash (run under ASan/UBSan and valgrind). */
START_TEST(fromauth_spf_check_hostile)
{
	static const struct {
		const char *domain;
		int result;
		const char *why;
	} cases[] = {
		{ "loop.spf.test", FROMAUTH_SPF_PERMERROR, NULL },
		{ "chain0.spf.test", FROMAUTH_SPF_PERMERROR, "more than 10" },
		{ "nested.spf.test", FROMAUTH_SPF_PERMERROR, "macro" },
		{ "badmacro.spf.test", FROMAUTH_SPF_PERMERROR, "macro letter" },
		{ "bigdigit.spf.test", FROMAUTH_SPF_PERMERROR, "transformer" },
		{ "manymacro.spf.test", FROMAUTH_SPF_PERMERROR, "more than 16 macros" },
		{ "longterm.spf.test", FROMAUTH_SPF_PERMERROR, "domain-spec of" },
		{ "huge.spf.test", FROMAUTH_SPF_PERMERROR, "limit is 4096" },
		{ "nonascii.spf.test", FROMAUTH_SPF_PERMERROR, "non-ASCII" },
		{ "ctrl.spf.test", FROMAUTH_SPF_PERMERROR, "control byte" },
	};
	for (size_t i = 0; i < FA_ARRAY_SIZE(cases); i++) {
		struct fromauth_spf *spf = check("192.0.2.9", cases[i].domain, NULL);
		ck_assert_msg(fromauth_spf_result(spf) == cases[i].result,
			      "%s: %s (%s)", cases[i].domain,
			      fromauth_spf_result_name(fromauth_spf_result(spf)),
			      fromauth_spf_reason(spf));
		ck_assert(*fromauth_spf_reason(spf));
		if (cases[i].why)
			ck_assert_msg(strstr(fromauth_spf_reason(spf), cases[i].why),
				      "%s: reason %s", cases[i].domain,
				      fromauth_spf_reason(spf));
		ck_assert_uint_le(fromauth_spf_lookups(spf), 10);
		ck_assert_uint_le(fromauth_spf_void_lookups(spf), 2);
		fromauth_spf_free(spf);
	}
	/* a macro expansion that grows past 253 bytes loses labels on the
	 * left (RFC 7208 7.3) and is looked up: nothing there, so -all */
	struct fromauth_spf *spf = check("192.0.2.9",
		"a-rather-long-local-part-to-make-the-expansion-grow@grow.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_FAIL);
	ck_assert_uint_eq(fromauth_spf_lookups(spf), 1);
	fromauth_spf_free(spf);
	/* valid but long: 500+ bytes over three strings; and 28 one-byte strings */
	expect("192.0.2.9", "big.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("203.0.113.29", "big.spf.test", FROMAUTH_SPF_PASS, NULL);
	expect("192.0.2.9", "split.spf.test", FROMAUTH_SPF_PASS, NULL);
}
END_TEST

/* One context, many threads: each evaluation has its own libspf2 server
 * and DNS layer state, the context's cache is shared. */
static const struct {
	const char *ip, *from;
	int result;
} thread_cases[] = {
	{ "192.0.2.5", "pass.spf.test", FROMAUTH_SPF_PASS },
	{ "198.51.100.9", "inc.spf.test", FROMAUTH_SPF_PASS },
	{ "192.0.2.99", "lim.spf.test", FROMAUTH_SPF_PERMERROR },
	{ "192.0.2.99", "void.spf.test", FROMAUTH_SPF_PERMERROR },
	{ "192.0.2.9", "exp.spf.test", FROMAUTH_SPF_FAIL },
	{ "192.0.2.9", "tmo.spf.test", FROMAUTH_SPF_TEMPERROR },
	{ "2001:db8:ffff::1", "zero6.spf.test", FROMAUTH_SPF_PASS },
	{ "192.0.2.9", "nested.spf.test", FROMAUTH_SPF_PERMERROR },
};

static void *thread_main(void *arg)
{
	size_t seed = (size_t)(uintptr_t)arg;
	for (size_t i = 0; i < 60; i++) {
		size_t k = (seed + i) % FA_ARRAY_SIZE(thread_cases);
		struct fromauth_spf *spf = NULL;
		if (fromauth_spf_check(ctx, thread_cases[k].ip, thread_cases[k].from,
				       NULL, &spf, NULL, 0) != 0 ||
		    fromauth_spf_result(spf) != thread_cases[k].result) {
			fromauth_spf_free(spf);
			return (void *)1;
		}
		fromauth_spf_free(spf);
	}
	return NULL;
}

START_TEST(fromauth_spf_check_threads)
{
	pthread_t t[8];
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)i), 0);
	for (size_t i = 0; i < 8; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		ck_assert_ptr_null(ret);
	}
}
END_TEST

/* Random records built from pieces of valid and hostile terms, through
 * the screen and libspf2: under valgrind this checks libspf2's own
 * memory use on everything the screen lets through. */
static unsigned int rnd_state = 12345;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void random_term(char *buf, size_t len)
{
	static const char *macros[] = {
		"%{s}", "%{l}", "%{o}", "%{d}", "%{i}", "%{p}", "%{v}", "%{h}",
		"%{d2}", "%{ir}", "%{l-}", "%{d1r}", "%{S}", "%%", "%_", "%-",
		"%{c}", "%{x}", "%{%{d}}", "%{d0}", "%{d999}", "%", "%{",
	};
	char m[200] = "";
	unsigned int nm = rnd(4);
	for (unsigned int i = 0; i < nm; i++) {
		/* mostly valid: a bad macro fails the whole record */
		size_t k = rnd(20) ? rnd(16) : rnd(FA_ARRAY_SIZE(macros));
		strncat(m, macros[k], sizeof(m) - strlen(m) - 1);
		strncat(m, ".", sizeof(m) - strlen(m) - 1);
	}
	const char *q = (const char *[]){ "", "+", "-", "~", "?" }[rnd(5)];
	switch (rnd(17)) {
	case 0: snprintf(buf, len, "%sip4:192.0.2.%u/%u", q, rnd(260), rnd(34)); break;
	case 1: snprintf(buf, len, "%sip6:2001:db8::%x/%u", q, rnd(65536), rnd(130)); break;
	case 2: snprintf(buf, len, "%sa", q); break;
	case 3: snprintf(buf, len, "%sa:%sr%u.fuzz.test/%u//%u", q, m, rnd(8), rnd(33), rnd(129)); break;
	case 4: snprintf(buf, len, "%smx:%sfuzz.test", q, m); break;
	case 5: snprintf(buf, len, "%sinclude:r%u.fuzz.test", q, rnd(8)); break;
	case 6: snprintf(buf, len, "%sexists:%sfuzz.test", q, m); break;
	case 7: snprintf(buf, len, "redirect=r%u.fuzz.test", rnd(8)); break;
	case 8: snprintf(buf, len, "exp=e.fuzz.test"); break;
	case 9: snprintf(buf, len, "%sptr:%sfuzz.test", q, m); break;
	case 10: snprintf(buf, len, "%sall", q); break;
	case 11: {
		/* a long term near libspf2's 511-byte buffer */
		size_t n = 100 + rnd(300);
		char *p = buf + snprintf(buf, len, "exists:");
		for (size_t i = 0; i < n && (size_t)(p - buf) < len - 20; i++)
			*p++ = i % 40 == 39 ? '.' : "%{l}x"[rnd(5)];
		snprintf(p, len - (size_t)(p - buf), ".fuzz.test");
		break;
	}
	case 12: if (rnd(4)) { snprintf(buf, len, "%s?all", q); break; }
		snprintf(buf, len, "%c%c%c", 'a' + rnd(26), "\x80\x01 =:/"[rnd(6)], 'a' + rnd(26)); break;
	case 13: snprintf(buf, len, "foo.bar-%u=%s", rnd(10), m); break;
	default: snprintf(buf, len, "%sa:h%u.spf.test", q, rnd(12)); break;
	}
}

static void add_random_record(struct fromauth_ctx *c, const char *owner)
{
	char rec[3000] = "v=spf1";
	unsigned int n = rnd(14);
	for (unsigned int i = 0; i < n; i++) {
		char term[600];
		random_term(term, sizeof(term));
		if (strlen(rec) + strlen(term) + 2 > sizeof(rec))
			break;
		strcat(rec, " ");
		strcat(rec, term);
	}
	/* as a master-file line: strings of at most 255 bytes, escaped */
	char line[14000];
	size_t o = (size_t)snprintf(line, sizeof(line), "%s 300 IN TXT \"", owner);
	for (size_t i = 0, instr = 0; rec[i]; i++, instr++) {
		unsigned char ch = (unsigned char)rec[i];
		if (instr == 200) {
			o += (size_t)snprintf(line + o, sizeof(line) - o, "\" \"");
			instr = 0;
		}
		if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
			o += (size_t)snprintf(line + o, sizeof(line) - o, "\\%03u", ch);
		else
			line[o++] = (char)ch;
	}
	snprintf(line + o, sizeof(line) - o, "\"");
	char err[256];
	ck_assert_msg(fromauth_ctx_add_record(c, line, err, sizeof(err)) == 0, "%s: %s", line, err);
}

START_TEST(fromauth_spf_check_random_records)
{
	for (unsigned int round = 0; round < 40; round++) {
		struct fromauth_ctx *c = test_offline_ctx("zones/spf.zone", NULL);
		char owner[64];
		for (unsigned int r = 0; r < 8; r++) {
			snprintf(owner, sizeof(owner), "r%u.fuzz.test.", r);
			add_random_record(c, owner);
		}
		ck_assert_int_eq(fromauth_ctx_add_record(c,
			"e.fuzz.test. 300 IN TXT \"%{i} %{d} %{s} %{p} %{t} %{r} %{c}\"", NULL, 0), 0);
		for (unsigned int r = 0; r < 8; r++) {
			struct fromauth_spf *spf = NULL;
			snprintf(owner, sizeof(owner), "u%u@r%u.fuzz.test", r, r);
			const char *ip = r % 2 ? "2001:db8::7" : "192.0.2.7";
			ck_assert_int_eq(fromauth_spf_check(c, ip, owner, "mta.fuzz.test",
							    &spf, NULL, 0), 0);
			int res = fromauth_spf_result(spf);
			ck_assert(res >= FROMAUTH_SPF_NONE && res <= FROMAUTH_SPF_PERMERROR);
			ck_assert(*fromauth_spf_reason(spf));
			ck_assert_uint_le(fromauth_spf_lookups(spf), 10);
			ck_assert_uint_le(fromauth_spf_void_lookups(spf), 2);
			ck_assert_ptr_nonnull(fromauth_spf_json(spf));
			fromauth_spf_free(spf);
		}
		fromauth_ctx_free(c);
	}
}
END_TEST

static void add_rr(const char *line)
{
	char err[512] = "";
	ck_assert_msg(fromauth_ctx_add_record(ctx, line, err, sizeof(err)) == 0, "%s: %s",
		      line, err);
}

/* Evaluate @ip for @from against @record published at delim.spf.test;
 * the result must be @result, the reason mention @why and never be
 * libspf2's text for success. */
static void expect_record(const char *record, const char *ip, const char *from,
			  const char *helo, int result, const char *why)
{
	char line[600];
	fromauth_ctx_free(ctx);
	ctx = test_offline_ctx("zones/spf.zone", NULL);
	snprintf(line, sizeof(line), "delim.spf.test. TXT \"%s\"", record);
	add_rr(line);
	add_rr("a.b.c.x.spf.test. A 192.0.2.1");
	add_rr("b.a.x.spf.test. A 192.0.2.1");
	add_rr("delim.spf.test.delim.spf.test.x.spf.test. A 192.0.2.1");
	add_rr("in.x.spf.test. TXT \"v=spf1 +all\"");
	add_rr("*.e.spf.test. TXT \"no %{l} here\"");
	struct fromauth_spf *spf = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_spf_check(ctx, ip, from, helo, &spf, err, sizeof(err)), 0);
	ck_assert_msg(fromauth_spf_result(spf) == result && strstr(fromauth_spf_reason(spf), why) &&
		      !strstr(fromauth_spf_reason(spf), "No errors"),
		      "%s: got %s (%s), expected %s (%s)", record,
		      fromauth_spf_result_name(fromauth_spf_result(spf)),
		      fromauth_spf_reason(spf), fromauth_spf_result_name(result), why);
	fromauth_spf_free(spf);
}

/* RFC 7208 7.1 delimiters . - + , / _ = all split; libspf2 knows only
 * . - + = _, the others we expand for it. */
START_TEST(fromauth_spf_check_delimiters)
{
	const char *from = "a,b/c@delim.spf.test";
	expect_record("v=spf1 exists:%{l,/}.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_PASS, "+exists:%{l,/}.x.spf.test");
	expect_record("v=spf1 exists:%{l2r,/}.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_PASS, "matched");
	expect_record("v=spf1 exists:%{l,}.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_FAIL, "-all");     /* "a.b/c": no such name */
	expect_record("v=spf1 include:%{l/}.x.spf.test -all", "192.0.2.9", "in@delim.spf.test",
		      NULL, FROMAUTH_SPF_PASS,
		      "+include:%{l/}.x.spf.test in the SPF record of delim");
	expect_record("v=spf1 a:%{d1/}.in.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_FAIL, "-all");
	expect_record("v=spf1 exists:%{d,}.%{d-}.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_PASS, "matched");
	/* the others through libspf2 itself */
	expect_record("v=spf1 exists:%{l=_+}.x.spf.test -all", "192.0.2.9", "a=b_c@delim.spf.test",
		      NULL, FROMAUTH_SPF_PASS, "matched");
	/* exp= with such a macro: fetched, expanded */
	expect_record("v=spf1 -all exp=%{l,}.e.spf.test", "192.0.2.9", "x,y@delim.spf.test", NULL,
		      FROMAUTH_SPF_FAIL, "-all");
	struct fromauth_spf *spf = check("192.0.2.9", "x,y@delim.spf.test", NULL);
	ck_assert_str_eq(fromauth_spf_explanation(spf), "no x,y here");
	fromauth_spf_free(spf);
	/* what cannot be handed to libspf2 says so */
	expect_record("v=spf1 exists:%{l,}.%{p}.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_PERMERROR, "%{p}");
	expect_record("v=spf1 exists:%{h,}.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_PERMERROR, "no HELO name was given");
	expect_record("v=spf1 exists:%{h,}.x.spf.test -all", "192.0.2.9", from, "a.b.c",
		      FROMAUTH_SPF_PASS, "matched");
	/* a record libspf2 fails to compile gives its own message, not
	 * its text for success */
	expect_record("v=spf1 include:%{l,}.x.spf.test -all", "192.0.2.9", from, NULL,
		      FROMAUTH_SPF_PERMERROR, "delim.spf.test");
}
END_TEST

/* %{h} with no HELO name is a permanent lack of input, not a DNS error. */
START_TEST(fromauth_spf_check_helo_macro)
{
	expect_record("v=spf1 exists:%{h}.x.spf.test -all", "192.0.2.9", "u@delim.spf.test",
		      NULL, FROMAUTH_SPF_PERMERROR, "no HELO name was given");
	struct fromauth_spf *spf = NULL;
	char err[256];
	ck_assert_int_eq(fromauth_spf_check(ctx, "192.0.2.9", "u@delim.spf.test", NULL, &spf,
					    err, sizeof(err)), 0);
	ck_assert(fa_spf_needs_helo(spf));
	fromauth_spf_free(spf);
	expect_record("v=spf1 exists:%{h}.x.spf.test -all", "192.0.2.9", "u@delim.spf.test",
		      "a.b.c", FROMAUTH_SPF_PASS, "matched");
	ck_assert_int_eq(fromauth_spf_check(ctx, "192.0.2.9", "u@delim.spf.test", "a.b.c", &spf,
					    err, sizeof(err)), 0);
	ck_assert(!fa_spf_needs_helo(spf));
	fromauth_spf_free(spf);
	/* not reached: no HELO needed */
	expect_record("v=spf1 ip4:192.0.2.9 exists:%{h}.x.spf.test -all", "192.0.2.9",
		      "u@delim.spf.test", NULL, FROMAUTH_SPF_PASS, "ip4:192.0.2.9");
}
END_TEST

/* Every address of an answer counts, however many: 1,500 A records,
 * the client the 1,200th. */
START_TEST(fromauth_spf_check_many_addresses)
{
	expect_record("v=spf1 a:many.x.spf.test -all", "192.0.2.9", "u@delim.spf.test", NULL,
		      FROMAUTH_SPF_FAIL, "-all");
	for (int i = 0; i < 1500; i++) {
		char line[128];
		snprintf(line, sizeof(line), "many.x.spf.test. A 10.%d.%d.1", i / 256, i % 256);
		add_rr(line);
	}
	struct fromauth_spf *spf = check("10.4.175.1", "u@delim.spf.test", NULL);
	ck_assert_msg(fromauth_spf_result(spf) == FROMAUTH_SPF_PASS, "%s",
		      fromauth_spf_reason(spf));
	/* the matching term cannot be named from a partial log: the
	 * reason stays generic rather than name a wrong one */
	ck_assert_ptr_nonnull(strstr(fromauth_spf_reason(spf), "matched"));
	fromauth_spf_free(spf);
	spf = check("10.0.0.1", "u@delim.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_PASS);
	ck_assert_str_eq(fromauth_spf_reason(spf),
			 "+a:many.x.spf.test in the SPF record of delim.spf.test matched");
	fromauth_spf_free(spf);
	spf = check("10.6.0.1", "u@delim.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_FAIL);
	fromauth_spf_free(spf);
}
END_TEST

START_TEST(fromauth_spf_explanation_exp)
{
	struct fromauth_spf *spf = check("192.0.2.9", "user@exp.spf.test", NULL);
	ck_assert_int_eq(fromauth_spf_result(spf), FROMAUTH_SPF_FAIL);
	ck_assert_str_eq(fromauth_spf_explanation(spf),
			 "192.0.2.9 is not allowed to send for exp.spf.test");
	fromauth_spf_free(spf);
	spf = check("192.0.2.9", "pass.spf.test", NULL);
	ck_assert_str_eq(fromauth_spf_explanation(spf), "");
	fromauth_spf_free(spf);
}
END_TEST

START_TEST(fromauth_spf_json_object)
{
	struct fromauth_spf *spf = check("198.51.100.5", "user@pass.spf.test", NULL);
	const char *text = fromauth_spf_json(spf);
	ck_assert_ptr_nonnull(text);
	struct json_object *o = json_tokener_parse(text), *v;
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "result", &v));
	ck_assert_str_eq(json_object_get_string(v), "fail");
	ck_assert(json_object_object_get_ex(o, "explanation", &v));
	ck_assert(json_object_object_get_ex(o, "lookups", &v));
	ck_assert_int_eq(json_object_get_int(v), 0);
	ck_assert(json_object_object_get_ex(o, "reason", &v));
	json_object_put(o);
	fromauth_spf_free(spf);
}
END_TEST

START_TEST(fromauth_spf_getters_null)
{
	ck_assert_ptr_null(fromauth_spf_ip(NULL));
	ck_assert_ptr_null(fromauth_spf_domain(NULL));
	ck_assert_int_eq(fromauth_spf_result(NULL), -1);
	ck_assert_ptr_null(fromauth_spf_reason(NULL));
	ck_assert_ptr_null(fromauth_spf_explanation(NULL));
	ck_assert_ptr_null(fromauth_spf_record(NULL));
	ck_assert_uint_eq(fromauth_spf_lookups(NULL), 0);
	ck_assert_uint_eq(fromauth_spf_void_lookups(NULL), 0);
	ck_assert_ptr_null(fromauth_spf_json(NULL));
	fromauth_spf_free(NULL);
}
END_TEST

START_TEST(fromauth_spf_result_name_all)
{
	ck_assert_str_eq(fromauth_spf_result_name(FROMAUTH_SPF_NONE), "none");
	ck_assert_str_eq(fromauth_spf_result_name(FROMAUTH_SPF_PASS), "pass");
	ck_assert_str_eq(fromauth_spf_result_name(FROMAUTH_SPF_SOFTFAIL), "softfail");
	ck_assert_str_eq(fromauth_spf_result_name(FROMAUTH_SPF_PERMERROR), "permerror");
	ck_assert_str_eq(fromauth_spf_result_name(7), "unknown");
	ck_assert_str_eq(fromauth_spf_result_name(-1), "unknown");
}
END_TEST

/* ---- internals ---- */

static int screen(const char *rec, char *err, size_t errlen)
{
	return fa_spf_record_parse(rec, strlen(rec), NULL, err, errlen);
}

START_TEST(fa_spf_record_parse_grammar)
{
	static const char *good[] = {
		"v=spf1", "v=spf1 -all", "V=SPF1 +A MX/24//64 -ALL",
		"v=spf1 a:%{d}.x.test a/0 a//0 mx:example.com/32",
		"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip6:::1 exists:%{ir}.%{v}._spf.%{d2}",
		"v=spf1 include:_spf.example.com ?all exp=explain.%{d} foo.bar-baz_=x%%y",
		"v=spf1 a:foo.example.com. ptr:example.com ~all   ",
	};
	static const char *bad[] = {
		"v=spf10", "v=spf1 foo", "v=spf1 ip4:1.2.3", "v=spf1 ip4:01.2.3.4",
		"v=spf1 ip4:1.2.3.4/33", "v=spf1 ip6:1.2.3.4", "v=spf1 a/", "v=spf1 a:",
		"v=spf1 include:", "v=spf1 a:foo.123", "v=spf1 a:example.-com",
		"v=spf1 redirect=a.test redirect=b.test", "v=spf1 exists:%{c}.x.test",
		"v=spf1 exists:%{d0}.x.test", "v=spf1 exists:%{d", "v=spf1 a:%q.test",
		"v=spf1 all:x", "v=spf1 -all\t", "v=spf1 a//129", "v=spf1 a:example.com:8080",
	};
	char err[256];
	for (size_t i = 0; i < FA_ARRAY_SIZE(good); i++)
		ck_assert_msg(screen(good[i], err, sizeof(err)) == 0, "%s: %s", good[i], err);
	for (size_t i = 0; i < FA_ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		ck_assert_msg(screen(bad[i], err, sizeof(err)) == FROMAUTH_E_RECORD,
			      "%s accepted", bad[i]);
		ck_assert(err[0]);
	}

	struct fa_spf_record *rec = NULL;
	const char *t = "v=spf1 -mx:example.com/24//64 exp=e.test ip4:192.0.2.1 redirect=r.test";
	ck_assert_int_eq(fa_spf_record_parse(t, strlen(t), &rec, err, sizeof(err)), 0);
	ck_assert_uint_eq(rec->count, 4);
	ck_assert_int_eq(rec->terms[0].kind, FA_SPF_MX);
	ck_assert_int_eq(rec->terms[0].qualifier, '-');
	ck_assert_str_eq(rec->terms[0].value, "example.com");
	ck_assert_int_eq(rec->terms[0].cidr4, 24);
	ck_assert_int_eq(rec->terms[0].cidr6, 64);
	ck_assert_str_eq(rec->exp->value, "e.test");
	ck_assert_str_eq(rec->redirect->value, "r.test");
	ck_assert_int_eq(rec->terms[2].addr[3], 1);

	char **segs = NULL;
	size_t nseg = 0;
	int unsupported;
	ck_assert_int_eq(fa_spf_record_for_libspf2(rec, AF_INET, "x.test", NULL, NULL,
						   &segs, &nseg, &unsupported, NULL, 0), 0);
	ck_assert_uint_eq(nseg, 1);
	ck_assert_str_eq(segs[0], "v=spf1 -mx:example.com/24 ip4:192.0.2.1 redirect=r.test exp=e.test");
	ck_assert_int_eq(unsupported, 0);
	fa_spf_segments_free(segs, nseg);
	fa_spf_record_free(rec);

	/* macros splitting on ',' or '/', which libspf2 cannot: expanded
	 * here into literals, '%' escaped its way; exp= too */
	static const char delim[] = "v=spf1 exists:%{l,}.%{d}.y.test include:%{l/}.z.test "
				    "-all exp=%{l,}.e.test";
	struct fa_spf_macro_vars vars = { .sender = "a,b/c%@x.test", .domain = "x.test",
					  .family = AF_INET };
	char why[200];
	ck_assert_int_eq(fa_spf_record_parse(delim, strlen(delim), &rec, err, sizeof(err)), 0);
	ck_assert_int_eq(fa_spf_record_for_libspf2(rec, AF_INET, "x.test", NULL, &vars,
						   &segs, &nseg, &unsupported, why,
						   sizeof(why)), 0);
	ck_assert_int_eq(unsupported, 0);
	ck_assert_str_eq(segs[0], "v=spf1 exists:a.b/c%%.x.test.y.test include:a,b.c%%.z.test "
			 "-all exp=a.b/c%%.e.test");
	fa_spf_segments_free(segs, nseg);
	/* no values to expand from: unsupported, and why */
	ck_assert_int_eq(fa_spf_record_for_libspf2(rec, AF_INET, "x.test", NULL, NULL,
						   &segs, &nseg, &unsupported, why,
						   sizeof(why)), 0);
	ck_assert_int_eq(unsupported, FA_SPF_UNSUPPORTED_MACRO);
	ck_assert_ptr_nonnull(strstr(why, "libspf2 cannot split on"));
	fa_spf_segments_free(segs, nseg);
	fa_spf_record_free(rec);
	static const char helo[] = "v=spf1 exists:%{h,}.y.test -all";
	ck_assert_int_eq(fa_spf_record_parse(helo, strlen(helo), &rec, err, sizeof(err)), 0);
	ck_assert_int_eq(fa_spf_record_for_libspf2(rec, AF_INET, "x.test", NULL, &vars,
						   &segs, &nseg, &unsupported, why,
						   sizeof(why)), 0);
	ck_assert_int_eq(unsupported, FA_SPF_UNSUPPORTED_NO_HELO);
	fa_spf_segments_free(segs, nseg);
	vars.helo = "mta.x.test";
	ck_assert_int_eq(fa_spf_record_for_libspf2(rec, AF_INET, "x.test", NULL, &vars,
						   &segs, &nseg, &unsupported, why,
						   sizeof(why)), 0);
	ck_assert_int_eq(unsupported, 0);
	ck_assert_str_eq(segs[0], "v=spf1 exists:mta.x.test.y.test -all");
	fa_spf_segments_free(segs, nseg);
	fa_spf_record_free(rec);

	/* too long for libspf2: segments, later ones with the domain spelled */
	char longrec[2048] = "v=spf1 a";
	for (int i = 0; i < 40; i++)
		snprintf(longrec + strlen(longrec), sizeof(longrec) - strlen(longrec),
			 " ip6:2001:db8:%x::/48", i);
	strcat(longrec, " mx -all ip4:192.0.2.1");
	ck_assert_int_eq(fa_spf_record_parse(longrec, strlen(longrec), &rec, err, sizeof(err)), 0);
	ck_assert_int_eq(fa_spf_record_for_libspf2(rec, AF_INET6, "x.test", NULL, NULL,
						   &segs, &nseg, &unsupported, NULL, 0), 0);
	ck_assert_uint_ge(nseg, 2);
	ck_assert_int_eq(unsupported, 0);
	ck_assert(!strncmp(segs[0], "v=spf1 a ip6:2001:db8:0::/48", 28));
	ck_assert_ptr_nonnull(strstr(segs[nseg - 1], " mx:x.test -all"));
	ck_assert_ptr_null(strstr(segs[nseg - 1], "192.0.2.1"));  /* after all */
	fa_spf_segments_free(segs, nseg);
	fa_spf_record_free(rec);

	/* found by fuzz-spf-screen: an ip6 network at the very end of a
	 * buffer without a terminating NUL was read past (ASan sees it) */
	static const char tail[] = "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::";
	char *exact = malloc(sizeof(tail) - 1);
	memcpy(exact, tail, sizeof(tail) - 1);
	ck_assert_int_eq(fa_spf_record_parse(exact, sizeof(tail) - 1, NULL, err, sizeof(err)), 0);
	free(exact);

	/* embedded NUL */
	ck_assert_int_eq(fa_spf_record_parse("v=spf1 -all\0x", 13, NULL, err, sizeof(err)),
			 FROMAUTH_E_RECORD);
	ck_assert(fa_spf_is_record("v=spf1 a", 8));
	ck_assert(!fa_spf_is_record("v=spf1a", 7));
}
END_TEST

START_TEST(fa_spf_macro_expand_letters)
{
	struct fa_spf_macro_vars v = {
		.sender = "strong-bad@email.example.com",
		.domain = "email.example.com",
		.helo = "mx.example.org",
		.family = AF_INET,
	};
	inet_pton(AF_INET, "192.0.2.3", v.ip);
	static const struct { const char *in, *out; } cases[] = {
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
		{ "%{h} %%%_%-", "mx.example.org % %20" },
		{ "%{S}", "strong-bad%40email.example.com" },
		{ "%{p}", "unknown" },
	};
	for (size_t i = 0; i < FA_ARRAY_SIZE(cases); i++) {
		char *out = NULL;
		ck_assert_int_eq(fa_spf_macro_expand(cases[i].in, strlen(cases[i].in),
						     &v, 1024, &out), 0);
		ck_assert_str_eq(out, cases[i].out);
		free(out);
	}
	v.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::cb01", v.ip);
	char *out = NULL;
	ck_assert_int_eq(fa_spf_macro_expand("%{ir}.%{v}", 10, &v, 1024, &out), 0);
	ck_assert_str_eq(out, "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6");
	free(out);
	ck_assert_int_eq(fa_spf_macro_expand("%{x}", 4, &v, 1024, &out), FROMAUTH_E_RECORD);
	ck_assert_ptr_null(out);
	/* bounded output */
	ck_assert_int_eq(fa_spf_macro_expand("%{s}%{s}%{s}", 12, &v, 10, &out), 0);
	ck_assert_uint_eq(strlen(out), 10);
	free(out);
}
END_TEST

static struct fa_spf_analysis *analyze(const char *domain)
{
	struct fa_dns_req req;
	struct fa_spf_analysis *a = NULL;
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_spf_analyze(&req, domain, &a), 0);
	ck_assert_ptr_nonnull(a);
	return a;
}

START_TEST(fa_spf_analyze_tree)
{
	struct fa_spf_analysis *a = analyze("lim.spf.test");
	ck_assert_uint_eq(a->record_count, 1);
	ck_assert_uint_eq(a->lookups, 12);
	ck_assert_uint_eq(a->void_lookups, 0);
	ck_assert_ptr_null(a->syntax_error);
	ck_assert(!a->plus_all && !a->uses_ptr);
	fa_spf_analysis_free(a);

	a = analyze("void.spf.test");
	ck_assert_uint_eq(a->lookups, 3);
	ck_assert_uint_eq(a->void_lookups, 3);
	fa_spf_analysis_free(a);

	a = analyze("multi.spf.test");
	ck_assert_uint_eq(a->record_count, 2);
	ck_assert_ptr_null(a->record);
	fa_spf_analysis_free(a);

	a = analyze("plusall.spf.test");
	ck_assert(a->plus_all);
	fa_spf_analysis_free(a);
	a = analyze("ptr.spf.test");
	ck_assert(a->uses_ptr);
	fa_spf_analysis_free(a);

	a = analyze("syntax.spf.test");
	ck_assert_ptr_nonnull(a->syntax_error);
	ck_assert_str_eq(a->record, "v=spf1 ip4:192.0.2.300 -all");
	fa_spf_analysis_free(a);

	a = analyze("loop.spf.test");
	ck_assert(a->loop);
	ck_assert_uint_eq(a->lookups, 2);
	fa_spf_analysis_free(a);

	a = analyze("nowhere.spf.test");
	ck_assert_int_eq(a->dns_status, FA_DNS_NXDOMAIN);
	ck_assert_uint_eq(a->record_count, 0);
	fa_spf_analysis_free(a);

	a = analyze("tmo.spf.test");
	ck_assert(a->temperror);
	fa_spf_analysis_free(a);

	a = analyze("down.spf.test");
	ck_assert_int_eq(a->dns_status, FA_DNS_TIMEOUT);
	ck_assert(a->temperror);
	fa_spf_analysis_free(a);

	/* redirect beside all is not followed */
	a = analyze("redirall.spf.test");
	ck_assert_uint_eq(a->lookups, 0);
	fa_spf_analysis_free(a);

	a = analyze("chain0.spf.test");
	ck_assert(a->too_deep);
	fa_spf_analysis_free(a);

	/* evaluation order: redirect= after the mechanisms, so a:slow is
	 * asked (and times out) before lim's 12 lookups stop the walk */
	struct fa_dns_req rq;
	fa_dns_req_init(&rq, ctx->dns);
	ck_assert_int_eq(fa_spf_analyze_record(&rq, "order.spf.test",
					       "v=spf1 redirect=lim.spf.test a:slow.spf.test",
					       &a), 0);
	ck_assert(a->temperror);
	ck_assert_uint_eq(a->lookups, 2);       /* redirect counted, not followed */
	ck_assert(a->cut);
	fa_spf_analysis_free(a);
	/* a receiver stops at 10: the walk asks no more, the count goes on
	 * over the records read and says it is a lower bound */
	a = analyze("lim.spf.test");
	ck_assert(a->cut);
	fa_spf_analysis_free(a);
	a = analyze("lim1.spf.test");
	ck_assert(!a->cut);
	fa_spf_analysis_free(a);

	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_spf_analyze(&req, "bad..name", &a), FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(a);
}
END_TEST

START_TEST(fa_spf_analyze_record_merged)
{
	struct fa_dns_req req;
	struct fa_spf_analysis *a = NULL;
	char *merged = NULL;
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_spf_merge_include("v=spf1 include:lim1.spf.test include:lim2.spf.test -all",
					      "esp.spf.test", &merged), 0);
	ck_assert_int_eq(fa_spf_analyze_record(&req, "customer.spf.test", merged, &a), 0);
	ck_assert_uint_eq(a->lookups, 13);
	ck_assert_str_eq(a->record, merged);
	fa_spf_analysis_free(a);
	free(merged);
}
END_TEST

START_TEST(fa_spf_merge_include_placement)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "v=spf1 mx -all", "v=spf1 mx include:esp.test -all" },
		{ "v=spf1 mx ~all", "v=spf1 mx include:esp.test ~all" },
		{ "v=spf1 a ?ALL", "v=spf1 a include:esp.test ?ALL" },
		{ "v=spf1 a redirect=x.test", "v=spf1 a include:esp.test redirect=x.test" },
		{ "v=spf1 ip4:192.0.2.1", "v=spf1 ip4:192.0.2.1 include:esp.test" },
		{ "v=spf1 ip4:192.0.2.1  ", "v=spf1 ip4:192.0.2.1 include:esp.test" },
		{ "v=spf1", "v=spf1 include:esp.test" },
		{ "v=spf1 include:esp.test -all", "v=spf1 include:esp.test -all" },
		{ "v=spf1 +include:ESP.test -all", "v=spf1 +include:ESP.test -all" },
		{ "v=spf1 -all exp=e.test", "v=spf1 include:esp.test -all exp=e.test" },
		/* the service named where it never decides is moved */
		{ "v=spf1 mx -all include:esp.test", "v=spf1 mx include:esp.test -all" },
		{ "v=spf1 ?include:esp.test mx ~all", "v=spf1 mx include:esp.test ~all" },
		{ "v=spf1 -include:ESP.test a redirect=x.test", "v=spf1 a include:esp.test redirect=x.test" },
		{ "v=spf1 include:esp.test -all include:esp.test", "v=spf1 include:esp.test -all" },
	};
	for (size_t i = 0; i < FA_ARRAY_SIZE(cases); i++) {
		char *out = NULL;
		ck_assert_int_eq(fa_spf_merge_include(cases[i].in, "esp.test.", &out), 0);
		ck_assert_str_eq(out, cases[i].out);
		free(out);
	}
	char *out = NULL;
	ck_assert_int_eq(fa_spf_merge_include(NULL, "ESP.test", &out), 0);
	ck_assert_str_eq(out, "v=spf1 include:esp.test ~all");
	free(out);
	ck_assert_int_eq(fa_spf_merge_include("hello", "esp.test", &out), FROMAUTH_E_RECORD);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(fa_spf_merge_include("v=spf1 -all", "bad..test", &out), FROMAUTH_E_DOMAIN);

	/* mechanisms as text, as the check builds them from profile ranges */
	ck_assert_int_eq(fa_spf_merge_include("v=spf1 mx ip4:192.0.2.0/24 -all",
					      "ip4:192.0.2.0/24 ip6:2001:db8::/32", &out), 0);
	ck_assert_str_eq(out, "v=spf1 mx ip4:192.0.2.0/24 ip6:2001:db8::/32 -all");
	free(out);
	ck_assert_int_eq(fa_spf_merge_include(NULL, "include:esp.test", &out), 0);
	ck_assert_str_eq(out, "v=spf1 include:esp.test ~all");
	free(out);
	ck_assert_int_eq(fa_spf_merge_include("v=spf1 -all", "include:esp.test -all", &out),
			 FROMAUTH_E_RECORD);
	ck_assert_int_eq(fa_spf_merge_include("v=spf1 -all", "ip4:1.2.3", &out),
			 FROMAUTH_E_RECORD);
}
END_TEST

static int has_range(const struct fa_cidr *v, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		fa_cidr_format(&v[i], buf, sizeof(buf));
		if (!strcmp(buf, text))
			return 1;
	}
	return 0;
}

START_TEST(fa_spf_expand_ranges_tree)
{
	struct fa_dns_req req;
	struct fa_cidr *v = NULL;
	size_t n = 0;
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_spf_expand_ranges(&req, "service.spf.test", &v, &n, NULL), 0);
	ck_assert(has_range(v, n, "198.51.100.0/24"));
	ck_assert(has_range(v, n, "192.0.2.77/32"));
	ck_assert(has_range(v, n, "2001:db8:77::1/128"));
	ck_assert(has_range(v, n, "192.0.2.88/32"));
	ck_assert(has_range(v, n, "2001:db8:99::/48"));
	ck_assert(has_range(v, n, "192.0.2.128/25"));
	ck_assert(!has_range(v, n, "203.0.113.0/24"));  /* -ip4 */
	ck_assert_uint_eq(n, 6);  /* 198.51.100.0/24 twice, kept once */
	free(v);

	ck_assert_int_eq(fa_spf_expand_ranges(&req, "nowhere.spf.test", &v, &n, NULL), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_int_eq(fa_spf_expand_ranges(&req, "loop.spf.test", &v, &n, NULL), 0);
	free(v);
	ck_assert_int_eq(fa_spf_expand_ranges(&req, "x..y", &v, &n, NULL), FROMAUTH_E_DOMAIN);
}
END_TEST

/* Screened and rewritten records (and the tree analysis's parses) come
 * from the context's memo after the first evaluation: every record of the
 * test zone, for clients of both
 * families (a match, a miss, the other family), evaluated three times
 * on one context, gives what a context without memo gives. */
START_TEST(fromauth_spf_check_memo_same_results)
{
	static const char *const ips[] = {
		"192.0.2.1", "192.0.2.130", "198.51.100.7", "2001:db8::1", "2001:db8:5::9",
	};
	struct fromauth_ctx *plain = test_offline_ctx("zones/spf.zone", NULL);
	fa_dns_set_memo(plain->dns, NULL);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(plain, "slow.spf.test"), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(plain, "down.spf.test"), 0);
	FILE *f = fopen(test_data("zones/spf.zone"), "r");
	ck_assert_ptr_nonnull(f);
	char line[4096];
	size_t owners = 0, compared = 0;
	while (fgets(line, sizeof(line), f)) {
		char owner[128], from[192];
		if (sscanf(line, "%127s", owner) != 1 || owner[0] == ';' || owner[0] == '$' ||
		    !strstr(line, " TXT ") || strchr(owner, '*'))
			continue;
		snprintf(from, sizeof(from), "u@%s.spf.test", owner);
		owners++;
		/* the tree analysis reads included records from the memo too */
		for (int round = 0; round < 2; round++) {
			struct fa_dns_req qa, qb;
			struct fa_spf_analysis *x = NULL, *y = NULL;
			fa_dns_req_init(&qa, ctx->dns);
			fa_dns_req_init(&qb, plain->dns);
			ck_assert_int_eq(fa_spf_analyze(&qa, from + 2, &x),
					 fa_spf_analyze(&qb, from + 2, &y));
			if (x && y) {
				ck_assert_str_eq(x->syntax_error ? x->syntax_error : "",
						 y->syntax_error ? y->syntax_error : "");
				ck_assert_uint_eq(x->lookups, y->lookups);
				ck_assert_uint_eq(x->void_lookups, y->void_lookups);
				ck_assert_int_eq(x->temperror, y->temperror);
				ck_assert_int_eq(x->loop, y->loop);
				ck_assert_int_eq(x->too_deep, y->too_deep);
				ck_assert_int_eq(x->missing_target, y->missing_target);
				ck_assert_int_eq(x->plus_all, y->plus_all);
				ck_assert_int_eq(x->uses_ptr, y->uses_ptr);
				ck_assert_int_eq(x->cut, y->cut);
			}
			fa_spf_analysis_free(x);
			fa_spf_analysis_free(y);
		}
		for (int round = 0; round < 3; round++)
			for (size_t i = 0; i < FA_ARRAY_SIZE(ips); i++) {
				struct fromauth_spf *a = NULL, *b = NULL;
				int ra = fromauth_spf_check(ctx, ips[i], from, "mta.example.org",
							    &a, NULL, 0);
				int rb = fromauth_spf_check(plain, ips[i], from, "mta.example.org",
							    &b, NULL, 0);
				ck_assert_int_eq(ra, rb);
				if (ra == 0) {
					ck_assert_msg(fromauth_spf_result(a) == fromauth_spf_result(b) &&
						      !strcmp(fromauth_spf_reason(a),
							      fromauth_spf_reason(b)),
						      "%s %s round %d: \"%s\" vs \"%s\"", from, ips[i],
						      round, fromauth_spf_reason(a),
						      fromauth_spf_reason(b));
					ck_assert_str_eq(fromauth_spf_record(a), fromauth_spf_record(b));
					ck_assert_str_eq(fromauth_spf_explanation(a),
							 fromauth_spf_explanation(b));
					ck_assert_uint_eq(fromauth_spf_lookups(a), fromauth_spf_lookups(b));
					ck_assert_uint_eq(fromauth_spf_void_lookups(a),
							  fromauth_spf_void_lookups(b));
					compared++;
				}
				fromauth_spf_free(a);
				fromauth_spf_free(b);
			}
	}
	fclose(f);
	ck_assert_uint_gt(owners, 50);
	ck_assert_uint_gt(compared, owners * 10);
	/* the memo was used, and the context without one kept nothing */
	ck_assert_uint_gt(fa_memo_count_kind(ctx->memo, FA_MEMO_SPF_PREP), owners / 2);
	ck_assert_uint_gt(fa_memo_count_kind(ctx->memo, FA_MEMO_SPF_PARSE), 0);
	/* libspf2 compiled each record once; the plain context has no memo */
	ck_assert_uint_gt(fa_memo_count_kind(ctx->memo, FA_MEMO_SPF_COMPILED), owners / 2);
	/* one libspf2 server for all of them */
	ck_assert_uint_eq(fa_memo_count_kind(ctx->memo, FA_MEMO_SPF_SERVER), 1);
	ck_assert_uint_eq(fa_memo_count_kind(plain->memo, FA_MEMO_SPF_SERVER), 0);
	fromauth_ctx_free(plain);
}
END_TEST

/* libspf2's compiled records come from the memo: one per text, shared by
 * every address and every domain that includes it; a record whose
 * compile adds a message to libspf2's response is compiled every time,
 * and all of it gives what a context without memo gives. */
START_TEST(fromauth_spf_check_compiled_memo)
{
	static const char *const rrs[] = {
		"a.memo.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 include:p.memo.test -all\"",
		"b.memo.test. 300 IN TXT \"v=spf1 include:p.memo.test ~all\"",
		"p.memo.test. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 -all\"",
		"w.memo.test. 300 IN TXT \"v=spf1 a:192.0.2.9 -all\"",
	};
	static const char *const ips[] = {
		"192.0.2.1", "198.51.100.7", "203.0.113.5", "2001:db8::1", "2001:db9::1",
	};
	struct fromauth_ctx *memo = test_offline_ctx(NULL), *plain = test_offline_ctx(NULL);
	fa_dns_set_memo(plain->dns, NULL);
	char err[256] = "";
	for (size_t i = 0; i < FA_ARRAY_SIZE(rrs); i++) {
		ck_assert_msg(fromauth_ctx_add_record(memo, rrs[i], err, sizeof(err)) == 0, "%s", err);
		ck_assert_int_eq(fromauth_ctx_add_record(plain, rrs[i], NULL, 0), 0);
	}
	static const char *const froms[] = { "u@a.memo.test", "u@b.memo.test", "u@w.memo.test" };
	size_t after[FA_ARRAY_SIZE(froms)];
	for (size_t f = 0; f < FA_ARRAY_SIZE(froms); f++) {
		for (int round = 0; round < 2; round++)
			for (size_t i = 0; i < FA_ARRAY_SIZE(ips); i++) {
				struct fromauth_spf *a = NULL, *b = NULL;
				ck_assert_int_eq(fromauth_spf_check(memo, ips[i], froms[f], NULL, &a,
								    NULL, 0), 0);
				ck_assert_int_eq(fromauth_spf_check(plain, ips[i], froms[f], NULL, &b,
								    NULL, 0), 0);
				ck_assert_int_eq(fromauth_spf_result(a), fromauth_spf_result(b));
				ck_assert_str_eq(fromauth_spf_reason(a), fromauth_spf_reason(b));
				fromauth_spf_free(a);
				fromauth_spf_free(b);
			}
		after[f] = fa_memo_count_kind(memo->memo, FA_MEMO_SPF_COMPILED);
	}
	/* a and the p it includes; then b (p again from the memo) */
	ck_assert_uint_eq(after[0], 2);
	ck_assert_uint_eq(after[1], 3);
	/* a host name that is an address: libspf2 warns, so no memo entry */
	ck_assert_uint_eq(after[2], 3);
	ck_assert_uint_eq(fa_memo_count_kind(plain->memo, FA_MEMO_SPF_COMPILED), 0);
	fromauth_ctx_free(plain);
	fromauth_ctx_free(memo);
}
END_TEST


/* Everything an evaluation gives, the same in @a and @b. */
static void same_spf(const struct fromauth_spf *a, const struct fromauth_spf *b,
		     const char *what)
{
	ck_assert_msg(fromauth_spf_result(a) == fromauth_spf_result(b) &&
		      !strcmp(fromauth_spf_reason(a), fromauth_spf_reason(b)),
		      "%s: %s \"%s\" vs %s \"%s\"", what,
		      fromauth_spf_result_name(fromauth_spf_result(a)), fromauth_spf_reason(a),
		      fromauth_spf_result_name(fromauth_spf_result(b)), fromauth_spf_reason(b));
	ck_assert_str_eq(fromauth_spf_record(a), fromauth_spf_record(b));
	ck_assert_str_eq(fromauth_spf_explanation(a), fromauth_spf_explanation(b));
	ck_assert_str_eq(fromauth_spf_domain(a), fromauth_spf_domain(b));
	ck_assert_str_eq(fromauth_spf_ip(a), fromauth_spf_ip(b));
	ck_assert_uint_eq(fromauth_spf_lookups(a), fromauth_spf_lookups(b));
	ck_assert_uint_eq(fromauth_spf_void_lookups(a), fromauth_spf_void_lookups(b));
	ck_assert_str_eq(fromauth_spf_json(a), fromauth_spf_json(b));
}

static void add_records(struct fromauth_ctx *c, const char *const *rrs, size_t n)
{
	char err[256] = "";
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(fromauth_ctx_add_record(c, rrs[i], err, sizeof(err)) == 0,
			      "%s: %s", rrs[i], err);
}

/* Records shared by the domains of the eval-memo tests. */
static const char *const em_targets[] = {
	"inc.em.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/25 ip6:2001:db8:1::/48 ~all\"",
	"red.em.test. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 -all\"",
	"deep.em.test. 300 IN TXT \"v=spf1 include:inc.em.test include:red.em.test -all\"",
	"hosts.em.test. 300 IN A 192.0.2.200",
	"hosts.em.test. 300 IN AAAA 2001:db8:1::200",
	"mxh.em.test. 300 IN MX 10 mail.em.test.",
	"mail.em.test. 300 IN A 203.0.113.9",
	"withexp.em.test. 300 IN TXT \"v=spf1 -all exp=why.em.test\"",
	"why.em.test. 300 IN TXT \"not from here\"",
};

/* Top records, each published by three domains; the first eight may be
 * memoized, the others may not (a bare a or mx, ptr, a macro, exp=). */
static const char *const em_tops[] = {
	"v=spf1 include:inc.em.test -all",
	"v=spf1 include:inc.em.test ~all",
	"v=spf1 redirect=red.em.test",
	"v=spf1 a:hosts.em.test mx:mxh.em.test -all",
	"v=spf1 ip4:203.0.113.0/24 include:deep.em.test ?all",
	"v=spf1 include:none.em.test -all",
	"v=spf1 exists:v1.em.test exists:v2.em.test exists:v3.em.test -all",
	"v=spf1 include:inc.em.test",
	"v=spf1 a -all",
	"v=spf1 mx/24 include:inc.em.test -all",
	"v=spf1 ptr:em.test -all",
	"v=spf1 include:%{d2}.em.test -all",
	"v=spf1 include:withexp.em.test",
	"v=spf1 ip4:192.0.2.1 -all exp=why.em.test",
};
#define EM_MEMOIZABLE 8

static const char *const em_ips[] = {
	"192.0.2.5", "192.0.2.200", "198.51.100.7", "203.0.113.9",
	"2001:db8:1::5", "2001:db8:1::200", "2001:db9::1",
};

/* Both contexts get the targets and, for each top record, domains
 * t<i>-a .. t<i>-c.em.test (and a long-named one) publishing it. */
static void em_zone(struct fromauth_ctx *c)
{
	add_records(c, em_targets, FA_ARRAY_SIZE(em_targets));
	for (size_t i = 0; i < FA_ARRAY_SIZE(em_tops); i++)
		for (int d = 0; d < 4; d++) {
			char rr[600];
			snprintf(rr, sizeof(rr), "%s.em.test. 300 IN TXT \"%s\"",
				 d < 3 ? (char[]){ 't', (char)('a' + i), '-', (char)('a' + d), 0 }
				       : "x1234567890123456789012345678901234567890123456789"
					 ".x123456789012345678901234567890123456789012345678",
				 em_tops[i]);
			if (d == 3 && i > 0)
				continue;
			add_records(c, (const char *const[]){ rr }, 1);
			/* the host a and mx name, for the bare ones */
			snprintf(rr, sizeof(rr), "t%c-%c.em.test. 300 IN A 192.0.2.200",
				 (char)('a' + i), (char)('a' + d));
			if (d < 3)
				add_records(c, (const char *const[]){ rr }, 1);
		}
}

static struct fromauth_spf *em_check(struct fromauth_ctx *c, const char *ip, const char *dom)
{
	char from[200];
	struct fromauth_spf *spf = NULL;
	snprintf(from, sizeof(from), "u@%s", dom);
	ck_assert_int_eq(fromauth_spf_check(c, ip, from, "mta.example.org", &spf, NULL, 0), 0);
	return spf;
}

/* Whole evaluations come from the memo for a domain publishing a record
 * another domain published before (same client): every field is what a
 * context without memo gives, the domain in the reason included; records
 * whose evaluation reads the domain or the sender are never kept. */
START_TEST(fromauth_spf_check_eval_memo)
{
	struct fromauth_ctx *memo = test_offline_ctx(NULL), *plain = test_offline_ctx(NULL);
	fa_dns_set_memo(plain->dns, NULL);
	em_zone(memo);
	em_zone(plain);
	static const char *const longname =
		"x1234567890123456789012345678901234567890123456789"
		".x123456789012345678901234567890123456789012345678.em.test";
	size_t compared = 0, hits = 0;
	for (int round = 0; round < 2; round++)
		for (size_t k = 0; k < FA_ARRAY_SIZE(em_ips); k++)
			for (size_t i = 0; i < FA_ARRAY_SIZE(em_tops); i++)
				for (int d = 0; d < 4; d++) {
					char dom[128];
					snprintf(dom, sizeof(dom), "t%c-%c.em.test",
						 (char)('a' + i), (char)('a' + d));
					if (d == 3 && i > 0)
						continue;
					const char *name = d < 3 ? dom : longname;
					unsigned long before = fa_spf_eval_memo_hits();
					struct fromauth_spf *a = em_check(memo, em_ips[k], name);
					int hit = fa_spf_eval_memo_hits() != before;
					struct fromauth_spf *b = em_check(plain, em_ips[k], name);
					same_spf(a, b, name);
					/* the first domain of a record fills the memo, the
					 * others (and all in round 1) find it there */
					int expect = i < EM_MEMOIZABLE && d < 3 && (round || d);
					ck_assert_msg(hit == expect, "%s %s round %d: hit %d", name,
						      em_ips[k], round, hit);
					hits += (size_t)hit;
					fromauth_spf_free(a);
					fromauth_spf_free(b);
					compared++;
				}
	ck_assert_uint_eq(hits, FA_ARRAY_SIZE(em_ips) * EM_MEMOIZABLE * 5);
	ck_assert_uint_gt(compared, 300);
	/* one entry per memoizable record and client: the long name
	 * neither used nor replaced one */
	ck_assert_uint_eq(fa_memo_count_kind(memo->memo, FA_MEMO_SPF_EVAL),
			  EM_MEMOIZABLE * FA_ARRAY_SIZE(em_ips));

	/* a record naming one of the domains that publish it (in another
	 * case): that domain evaluates it, the others share it */
	static const char *const named[] = {
		"qa.em.test. 300 IN TXT \"v=spf1 a:QB.em.test include:inc.em.test -all\"",
		"qb.em.test. 300 IN TXT \"v=spf1 a:QB.em.test include:inc.em.test -all\"",
		"qc.em.test. 300 IN TXT \"v=spf1 a:QB.em.test include:inc.em.test -all\"",
		"qb.em.test. 300 IN A 203.0.113.7",
	};
	add_records(memo, named, FA_ARRAY_SIZE(named));
	add_records(plain, named, FA_ARRAY_SIZE(named));
	static const char *const ndoms[] = { "qa.em.test", "qb.em.test", "qc.em.test" };
	for (size_t i = 0; i < FA_ARRAY_SIZE(ndoms); i++) {
		unsigned long before = fa_spf_eval_memo_hits();
		struct fromauth_spf *a = em_check(memo, "203.0.113.7", ndoms[i]);
		ck_assert_uint_eq(fa_spf_eval_memo_hits(), before + (i == 2));
		struct fromauth_spf *b = em_check(plain, "203.0.113.7", ndoms[i]);
		ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_PASS);
		same_spf(a, b, ndoms[i]);
		fromauth_spf_free(a);
		fromauth_spf_free(b);
	}
	fromauth_ctx_free(plain);
	fromauth_ctx_free(memo);
}
END_TEST


/* A memo entry is used only while the answers it was made from still
 * read the same, in the view of the evaluation: a record changed in the
 * context's overlay, a per-request overlay (a remedy's "what if"), a
 * lookup that now times out are all seen; a temporary error is never
 * kept. */
START_TEST(fromauth_spf_check_eval_memo_changes)
{
	struct fromauth_ctx *memo = test_offline_ctx(NULL), *plain = test_offline_ctx(NULL);
	fa_dns_set_memo(plain->dns, NULL);
	em_zone(memo);
	em_zone(plain);
	struct fromauth_spf *a = em_check(memo, "192.0.2.5", "ta-a.em.test");
	ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_PASS);
	fromauth_spf_free(a);
	unsigned long hits = fa_spf_eval_memo_hits();
	a = em_check(memo, "192.0.2.5", "ta-b.em.test");
	ck_assert_uint_eq(fa_spf_eval_memo_hits(), hits + 1);
	ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_PASS);
	ck_assert_ptr_nonnull(strstr(fromauth_spf_reason(a), "of ta-b.em.test"));
	fromauth_spf_free(a);
	ck_assert_uint_eq(fa_memo_count_kind(memo->memo, FA_MEMO_SPF_EVAL), 1);

	/* the included record changes in the context's overlay */
	static const char *const old_inc =
		"inc.em.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/25 ip6:2001:db8:1::/48 ~all\"";
	static const char *const new_inc =
		"inc.em.test. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 ~all\"";
	for (int c = 0; c < 2; c++) {
		struct fromauth_ctx *x = c ? plain : memo;
		ck_assert_int_eq(fromauth_ctx_delete_record(x, old_inc, NULL, 0), 0);
		ck_assert_int_eq(fromauth_ctx_add_record(x, new_inc, NULL, 0), 0);
	}
	const char *const doms[] = { "ta-c.em.test", "ta-a.em.test", "ta-b.em.test" };
	for (size_t i = 0; i < FA_ARRAY_SIZE(doms); i++) {
		hits = fa_spf_eval_memo_hits();
		a = em_check(memo, "192.0.2.5", doms[i]);
		/* the first finds the entry out of date and replaces it */
		ck_assert_uint_eq(fa_spf_eval_memo_hits(), hits + (i > 0));
		struct fromauth_spf *b = em_check(plain, "192.0.2.5", doms[i]);
		ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_FAIL);
		same_spf(a, b, doms[i]);
		fromauth_spf_free(a);
		fromauth_spf_free(b);
	}
	/* the out-of-date entry was replaced, not added to */
	ck_assert_uint_eq(fa_memo_count_kind(memo->memo, FA_MEMO_SPF_EVAL), 1);

	/* a per-request overlay above the context's: its view, not the
	 * memo's; and the context's view again after it */
	struct fa_dns *layer = NULL;
	ck_assert_int_eq(fa_dns_clone_overlay(memo->dns, &layer), 0);
	ck_assert_int_eq(fa_dns_add_record(layer, old_inc, NULL, 0), 0);
	struct fa_dns_req req;
	fa_dns_req_init(&req, layer);
	ck_assert_int_eq(fa_spf_eval(&req, "192.0.2.5", "u@ta-b.em.test", NULL, &a, NULL, 0),
			 0);
	ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_PASS);
	fromauth_spf_free(a);
	a = em_check(memo, "192.0.2.5", "ta-a.em.test");
	ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_FAIL);
	fromauth_spf_free(a);
	fa_dns_free(layer);

	/* not past the shortest TTL of what it read (1 s here) */
	static const char *const short_ttl[] = {
		"short.em.test. 1 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
		"sa.em.test. 300 IN TXT \"v=spf1 include:short.em.test -all\"",
		"sb.em.test. 300 IN TXT \"v=spf1 include:short.em.test -all\"",
		"sc.em.test. 300 IN TXT \"v=spf1 include:short.em.test -all\"",
	};
	add_records(memo, short_ttl, FA_ARRAY_SIZE(short_ttl));
	uint64_t t0 = fa_now_ms();
	a = em_check(memo, "192.0.2.5", "sa.em.test");
	fromauth_spf_free(a);
	hits = fa_spf_eval_memo_hits();
	a = em_check(memo, "192.0.2.5", "sb.em.test");
	if (fa_now_ms() - t0 < 500)     /* unless the machine stalled */
		ck_assert_uint_eq(fa_spf_eval_memo_hits(), hits + 1);
	fromauth_spf_free(a);
	struct timespec nap = { .tv_sec = 1, .tv_nsec = 100 * 1000 * 1000 };
	nanosleep(&nap, NULL);
	hits = fa_spf_eval_memo_hits();
	a = em_check(memo, "192.0.2.5", "sc.em.test");
	ck_assert_uint_eq(fa_spf_eval_memo_hits(), hits);
	ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_PASS);
	ck_assert_ptr_nonnull(strstr(fromauth_spf_reason(a), "of sc.em.test"));
	fromauth_spf_free(a);

	/* a lookup of the tree now times out: temperror, and not kept */
	ck_assert_int_eq(fromauth_ctx_delete_record(memo, new_inc, NULL, 0), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(memo, "inc.em.test"), 0);
	size_t kept = fa_memo_count_kind(memo->memo, FA_MEMO_SPF_EVAL);
	for (size_t i = 0; i < FA_ARRAY_SIZE(doms); i++) {
		a = em_check(memo, "192.0.2.5", doms[i]);
		ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_TEMPERROR);
		fromauth_spf_free(a);
	}
	/* the entry of ta-* went, and none came for the temperror */
	ck_assert_uint_eq(fa_memo_count_kind(memo->memo, FA_MEMO_SPF_EVAL), kept - 1);
	a = em_check(memo, "192.0.2.5", "tb-a.em.test");
	ck_assert_int_eq(fromauth_spf_result(a), FROMAUTH_SPF_TEMPERROR);
	fromauth_spf_free(a);
	ck_assert_uint_eq(fa_memo_count_kind(memo->memo, FA_MEMO_SPF_EVAL), kept - 1);
	fromauth_ctx_free(plain);
	fromauth_ctx_free(memo);
}
END_TEST

static void *read_spf_json(void *arg)
{
	return (void *)fromauth_spf_json(arg);
}

/* The JSON is built on first use: threads racing for it all get the one
 * published string, and it parses. */
START_TEST(fromauth_spf_json_once)
{
	struct fromauth_spf *spf = check("192.0.2.1", "pass.spf.test", NULL);
	test_same_from_threads(read_spf_json, spf);
	json_object *o = json_tokener_parse(fromauth_spf_json(spf));
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "result")), "pass");
	json_object_put(o);
	fromauth_spf_free(spf);
}
END_TEST

/* ---- the fixes of the customer's own record (remedy.c) ---- */

/* The scenario zones of tests/test-check.c, a service that includes
 * spf.sendco.example (192.0.2.0/25 and 2001:db8:5e::/48). */
static struct fromauth_ctx *fix_ctx(const char *zone, struct fromauth_profile **p,
				    struct fa_dns_req *req, struct fa_spf_budget *b)
{
	char path[256], err[256] = "";
	snprintf(path, sizeof(path), "check/zones/%s.zone", zone);
	struct fromauth_ctx *c = test_offline_ctx("check/esp.zone", path, NULL);
	ck_assert_int_eq(fromauth_profile_parse("name = SendCo\nspf-include = spf.sendco.example\n",
						"sendco", p, err, sizeof(err)), 0);
	fa_dns_req_init(req, c->dns);
	fa_spf_budget_init(b, req);
	return c;
}

START_TEST(fa_remedy_spf_fit_steps)
{
	struct fromauth_profile *p = NULL;
	struct fa_dns_req req;
	struct fa_spf_budget b;
	struct fromauth_ctx *c = fix_ctx("spf-flatten", &p, &req, &b);
	const char *rec = "v=spf1 mx include:crm.spf-flatten.example include:crm.spf-flatten.example "
			  "include:legacy.spf-flatten.example include:big.spf-flatten.example "
			  "include:small.spf-flatten.example include:spf.sendco.example -all";
	struct fa_spf_fix *fix = NULL;
	char *why = NULL;
	ck_assert_int_eq(fa_remedy_spf_fit(&b, p, "spf-flatten.example", rec, &fix, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_ptr_nonnull(fix);
	/* the repeat and the covered include dropped, big flattened, the
	 * service's include kept */
	ck_assert_str_eq(fix->record, "v=spf1 mx include:crm.spf-flatten.example ip4:203.0.113.1 "
			 "ip4:203.0.113.2 ip4:203.0.113.3 ip4:203.0.113.4 ip6:2001:db8:b5::/48 "
			 "ip4:203.0.113.6 include:small.spf-flatten.example "
			 "include:spf.sendco.example -all");
	ck_assert_uint_eq(fix->extra_count, 0);
	ck_assert(fix->flattened);
	ck_assert_ptr_nonnull(strstr(fix->note, "include:big.spf-flatten.example (8)"));
	ck_assert_ptr_nonnull(strstr(fix->note, "keep them in step with the provider"));
	ck_assert_ptr_nonnull(strstr(fix->note, "needs 4 of 10"));
	fa_spf_fix_free(fix);

	/* the costs the check shows: include:big with its whole tree */
	struct fa_spf_analysis *a = NULL;
	ck_assert_int_eq(fa_spf_analyze_record(&req, "spf-flatten.example", rec, &a), 0);
	ck_assert_int_eq(fa_spf_term_costs(&req, "spf-flatten.example", a, 40), 0);
	ck_assert_uint_eq(a->cost_count, 7);
	ck_assert_str_eq(a->costs[4].term, "include:big.spf-flatten.example");
	ck_assert_uint_eq(a->costs[4].lookups, 8);
	ck_assert_uint_eq(a->costs[0].lookups, 1);
	fa_spf_analysis_free(a);

	/* no room even flattened: said, no fix */
	char many[2048] = "v=spf1";
	for (int i = 0; i < 11; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), " a:h%d.spf-flatten.example", i);
	strcat(many, " -all");
	ck_assert_int_eq(fa_remedy_spf_fit(&b, p, "spf-flatten.example", many, &fix, &why), 0);
	ck_assert_ptr_null(fix);
	ck_assert_ptr_nonnull(strstr(why, "Even with every include"));
	free(why);

	/* a hostile record: no query spent on it */
	char huge[4096] = "v=spf1";
	for (int i = 0; i < 30; i++)
		snprintf(huge + strlen(huge), sizeof(huge) - strlen(huge), " include:i%d.flood.test", i);
	ck_assert_int_eq(fa_remedy_spf_fit(&b, p, "spf-flatten.example", huge, &fix, &why), 0);
	ck_assert_ptr_null(fix);
	ck_assert_ptr_nonnull(strstr(why, "31 terms that query DNS"));
	free(why);

	/* the budget spent: no fix, and said so */
	b.start = 0u - FA_SPF_REMEDY_QUERIES;
	ck_assert_int_eq(fa_remedy_spf_fit(&b, p, "spf-flatten.example", rec, &fix, &why), 0);
	ck_assert_ptr_null(fix);
	ck_assert_ptr_nonnull(strstr(why, "more than 40 further DNS queries"));
	free(why);
	fromauth_profile_free(p);
	fromauth_ctx_free(c);
}
END_TEST

START_TEST(fa_remedy_spf_keep_rule)
{
	struct fromauth_profile *p = NULL;
	struct fa_dns_req req;
	struct fa_spf_budget b;
	struct fromauth_ctx *c = fix_ctx("spf-multiple", &p, &req, &b);
	size_t keep = 9;
	char *merged = NULL, *why = NULL;

	/* the one that authorizes the service, taking over the other's mx */
	char *two[] = { "v=spf1 mx -all", "v=spf1 include:spf.sendco.example -all" };
	ck_assert_int_eq(fa_remedy_spf_keep(&b, p, "spf-multiple.example", two, 2, &keep, &merged,
					    &why), 0);
	ck_assert_uint_eq(keep, 1);
	ck_assert_str_eq(merged, "v=spf1 include:spf.sendco.example mx -all");
	ck_assert_ptr_nonnull(strstr(why, "authorizes the service"));
	free(merged);
	free(why);

	/* neither authorizes it: the one holding more of the other's terms,
	 * with the service added (it has all the other's terms) */
	char *other[] = { "v=spf1 a -all", "v=spf1 a mx ip4:198.51.100.9 -all" };
	ck_assert_int_eq(fa_remedy_spf_keep(&b, p, "spf-multiple.example", other, 2, &keep,
					    &merged, &why), 0);
	ck_assert_uint_eq(keep, 1);
	ck_assert_str_eq(merged, "v=spf1 a mx ip4:198.51.100.9 include:spf.sendco.example -all");
	ck_assert_ptr_nonnull(strstr(why, "the most of the other records' terms"));
	ck_assert_ptr_nonnull(strstr(why, "The service is added"));
	free(merged);
	free(why);

	/* an invalid one is never kept */
	char *bad[] = { "v=spf1 foo:bar include:spf.sendco.example -all", "v=spf1 mx -all" };
	ck_assert_int_eq(fa_remedy_spf_keep(&b, p, "spf-multiple.example", bad, 2, &keep, &merged,
					    &why), 0);
	ck_assert_uint_eq(keep, 1);
	ck_assert_ptr_nonnull(strstr(why, "the only valid one"));
	free(merged);
	free(why);

	/* no budget left: no choice */
	b.start = 0u - FA_SPF_REMEDY_QUERIES;
	ck_assert_int_eq(fa_remedy_spf_keep(&b, p, "spf-multiple.example", two, 2, &keep, &merged,
					    &why), 0);
	ck_assert_uint_eq(keep, 2);
	ck_assert_ptr_null(merged);
	free(why);
	fromauth_profile_free(p);
	fromauth_ctx_free(c);
}
END_TEST

START_TEST(fa_remedy_spf_correct_kinds)
{
	struct fromauth_profile *p = NULL;
	struct fa_dns_req req;
	struct fa_spf_budget b;
	struct fromauth_ctx *c = fix_ctx("spf-void", &p, &req, &b);
	static const struct {
		enum fa_spf_correction what;
		const char *in, *out, *why;
	} cases[] = {
		{ FA_SPF_FIX_SYNTAX, "v=spf1 include:spf.sendco.example\texp=e.test exp=E.test -all",
		  "v=spf1 include:spf.sendco.example exp=e.test -all", NULL },
		/* not guessable */
		{ FA_SPF_FIX_SYNTAX, "v=spf1 include:spf.sendco.example redirect=a.test redirect=b.test",
		  NULL, "which one is meant cannot be told" },
		{ FA_SPF_FIX_SYNTAX, "v=spf1 include:spf.sendco.example inclde:x.test -all",
		  NULL, "cannot be guessed" },
		/* +all: -all only when the rest authorizes the service */
		{ FA_SPF_FIX_PLUS_ALL, "v=spf1 include:spf.sendco.example +all",
		  "v=spf1 include:spf.sendco.example -all", NULL },
		{ FA_SPF_FIX_PLUS_ALL, "v=spf1 mx all", "v=spf1 mx include:spf.sendco.example ~all",
		  NULL },
		{ FA_SPF_FIX_PTR, "v=spf1 ptr:spf-void.example include:spf.sendco.example -all",
		  "v=spf1 include:spf.sendco.example -all", NULL },
		{ FA_SPF_FIX_PTR, "v=spf1 ptr -all", "v=spf1 include:spf.sendco.example -all", NULL },
		{ FA_SPF_FIX_PTR, "v=spf1 include:spf.sendco.example -all", NULL, "not in yours" },
	};
	for (size_t i = 0; i < FA_ARRAY_SIZE(cases); i++) {
		struct fa_spf_fix *fix = NULL;
		char *why = NULL;
		ck_assert_int_eq(fa_remedy_spf_correct(&b, p, "spf-void.example", cases[i].in,
						       cases[i].what, &fix, &why), 0);
		if (cases[i].out) {
			ck_assert_msg(fix != NULL, "%s: %s", cases[i].in, why);
			ck_assert_str_eq(fix->record, cases[i].out);
			ck_assert(strlen(fix->note) > 20);
		} else {
			ck_assert_ptr_null(fix);
			ck_assert_msg(why && strstr(why, cases[i].why), "%s: %s", cases[i].in, why);
		}
		fa_spf_fix_free(fix);
		free(why);
	}

	/* void: the dead names go, the service stays */
	struct fa_spf_fix *fix = NULL;
	char *why = NULL;
	ck_assert_int_eq(fa_remedy_spf_void(&b, p, "spf-void.example",
					    "v=spf1 a:gone1.spf-void.example include:nosuch.spf-void.example "
					    "a include:spf.sendco.example mx:gone3.spf-void.example -all",
					    &fix, &why), 0);
	ck_assert_ptr_nonnull(fix);
	ck_assert_str_eq(fix->record, "v=spf1 a include:spf.sendco.example -all");
	ck_assert_ptr_nonnull(strstr(fix->note, "include:nosuch.spf-void.example"));
	fa_spf_fix_free(fix);
	/* nothing of the record's own is dead */
	ck_assert_int_eq(fa_remedy_spf_void(&b, p, "spf-void.example",
					    "v=spf1 include:spf.sendco.example -all", &fix, &why), 0);
	ck_assert_ptr_null(fix);
	ck_assert_ptr_nonnull(why);
	free(why);
	fromauth_profile_free(p);
	fromauth_ctx_free(c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("spf");
	struct {
		const char *name;
		const TTest *test;
	} tests[] = {
		{ "fromauth_spf_check", fromauth_spf_check_results },
		{ "fromauth_spf_check", fromauth_spf_check_mechanisms },
		{ "fromauth_spf_check", fromauth_spf_check_identities },
		{ "fromauth_spf_check", fromauth_spf_check_limits },
		{ "fromauth_spf_check", fromauth_spf_check_errors },
		{ "fromauth_spf_check", fromauth_spf_check_hostile },
		{ "fromauth_spf_check", fromauth_spf_check_threads },
		{ "fromauth_spf_check", fromauth_spf_check_random_records },
		{ "fromauth_spf_check", fromauth_spf_check_delimiters },
		{ "fromauth_spf_check", fromauth_spf_check_helo_macro },
		{ "fromauth_spf_check", fromauth_spf_check_many_addresses },
		{ "fromauth_spf_check", fromauth_spf_check_memo_same_results },
		{ "fromauth_spf_check", fromauth_spf_check_compiled_memo },
		{ "fromauth_spf_check", fromauth_spf_check_eval_memo },
		{ "fromauth_spf_check", fromauth_spf_check_eval_memo_changes },
		{ "fromauth_spf_explanation", fromauth_spf_explanation_exp },
		{ "fromauth_spf_json", fromauth_spf_json_object },
		{ "fromauth_spf_json", fromauth_spf_json_once },
		{ "fromauth_spf_free", fromauth_spf_getters_null },
		{ "fromauth_spf_result_name", fromauth_spf_result_name_all },
		{ "fa_spf_record_parse", fa_spf_record_parse_grammar },
		{ "fa_spf_macro_expand", fa_spf_macro_expand_letters },
		{ "fa_spf_analyze", fa_spf_analyze_tree },
		{ "fa_spf_analyze_record", fa_spf_analyze_record_merged },
		{ "fa_spf_merge_include", fa_spf_merge_include_placement },
		{ "fa_spf_expand_ranges", fa_spf_expand_ranges_tree },
		{ "fa_remedy_spf_fit", fa_remedy_spf_fit_steps },
		{ "fa_remedy_spf_keep", fa_remedy_spf_keep_rule },
		{ "fa_remedy_spf_correct", fa_remedy_spf_correct_kinds },
	};
	TCase *tc = NULL;
	const char *current = NULL;
	for (size_t i = 0; i < FA_ARRAY_SIZE(tests); i++) {
		if (!current || strcmp(current, tests[i].name)) {
			current = tests[i].name;
			tc = tcase_create(current);
			tcase_add_checked_fixture(tc, setup, teardown);
			suite_add_tcase(s, tc);
		}
		tcase_add_test(tc, tests[i].test);
	}
	return s;
}
