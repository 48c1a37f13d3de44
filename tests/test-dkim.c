/* SPDX-License-Identifier: BSD-2-Clause */
/* DKIM keys offline: every status with real keys (tests/keys/, zone made
 * by tests/keys/make-dkim-zone.py), CNAME-delegated selectors, hostile
 * records, the key-record parser and thread use of one context. */
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "test-common.h"
#include "test-nsd.h"
#include "ctx.h"
#include "dkim.h"
#include "dns.h"
#include "memo.h"
#include "private.h"

static struct fromauth_ctx *ctx;

static void setup(void)
{
	ctx = test_offline_ctx("zones/dkim.zone", NULL);
}

static void teardown(void)
{
	fromauth_ctx_free(ctx);
	ctx = NULL;
}

static struct fromauth_dkim *check(const char *selector, const char *target)
{
	struct fromauth_dkim *dkim = NULL;
	char err[512] = "";
	int rc = fromauth_dkim_check(ctx, selector, "keys.example", target,
				     &dkim, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", selector, err);
	ck_assert_ptr_nonnull(dkim);
	ck_assert_ptr_nonnull(fromauth_dkim_reason(dkim));
	ck_assert_msg(*fromauth_dkim_reason(dkim), "%s: empty reason", selector);
	return dkim;
}

static void expect(const char *selector, const char *target, int status)
{
	struct fromauth_dkim *dkim = check(selector, target);
	ck_assert_msg(fromauth_dkim_status(dkim) == status,
		      "%s: %s (%s), expected %s", selector,
		      fromauth_dkim_status_name(fromauth_dkim_status(dkim)),
		      fromauth_dkim_reason(dkim), fromauth_dkim_status_name(status));
	fromauth_dkim_free(dkim);
}

/* The status, and a word the reason must contain. */
static void expect_reason(const char *selector, int status, const char *word)
{
	struct fromauth_dkim *dkim = check(selector, NULL);
	ck_assert_msg(fromauth_dkim_status(dkim) == status, "%s: %s (%s)", selector,
		      fromauth_dkim_status_name(fromauth_dkim_status(dkim)),
		      fromauth_dkim_reason(dkim));
	ck_assert_msg(strstr(fromauth_dkim_reason(dkim), word),
		      "%s: reason \"%s\" lacks \"%s\"", selector,
		      fromauth_dkim_reason(dkim), word);
	fromauth_dkim_free(dkim);
}

START_TEST(fromauth_dkim_check_valid)
{
	struct fromauth_dkim *dkim = check("rsa2048", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_str_eq(fromauth_dkim_selector(dkim), "rsa2048");
	ck_assert_str_eq(fromauth_dkim_domain(dkim), "keys.example");
	ck_assert_str_eq(fromauth_dkim_key_type(dkim), "rsa");
	ck_assert_uint_eq(fromauth_dkim_key_bits(dkim), 2048);
	ck_assert_int_eq(fromauth_dkim_testing(dkim), 0);
	ck_assert_int_eq(fa_dkim_key_short(dkim), 0);
	ck_assert_uint_eq(fromauth_dkim_cname_count(dkim), 0);
	ck_assert_ptr_null(fromauth_dkim_cname(dkim, 0));
	ck_assert_ptr_null(fa_dkim_expected_target(dkim));
	ck_assert_int_eq(fa_dkim_target_ok(dkim), 0);
	ck_assert_str_eq(fa_dkim_qname(dkim), "rsa2048._domainkey.keys.example");
	ck_assert(strncmp(fromauth_dkim_record(dkim), "v=DKIM1; k=rsa; p=MIIB", 22) == 0);
	fromauth_dkim_free(dkim);

	dkim = check("ed25519", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_str_eq(fromauth_dkim_key_type(dkim), "ed25519");
	ck_assert_uint_eq(fromauth_dkim_key_bits(dkim), 256);
	ck_assert_int_eq(fa_dkim_key_short(dkim), 0);
	fromauth_dkim_free(dkim);

	/* k= defaults to rsa; s=email, s=*, h= listing sha256, folding
	 * whitespace inside p=, a record in many 7-byte strings. */
	const char *more[] = { "nok", "semail", "sstar", "folded", "split" };
	for (size_t i = 0; i < FA_ARRAY_SIZE(more); i++) {
		dkim = check(more[i], NULL);
		ck_assert_msg(fromauth_dkim_status(dkim) == FROMAUTH_DKIM_VALID, "%s: %s",
			      more[i], fromauth_dkim_reason(dkim));
		ck_assert_uint_eq(fromauth_dkim_key_bits(dkim), 2048);
		fromauth_dkim_free(dkim);
	}
}
END_TEST

START_TEST(fromauth_dkim_check_short_and_testing)
{
	struct fromauth_dkim *dkim = check("rsa1024", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_uint_eq(fromauth_dkim_key_bits(dkim), 1024);
	ck_assert_int_eq(fa_dkim_key_short(dkim), 1);
	ck_assert_ptr_nonnull(strstr(fromauth_dkim_reason(dkim), "2048"));
	fromauth_dkim_free(dkim);

	dkim = check("testing", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_int_eq(fromauth_dkim_testing(dkim), 1);
	fromauth_dkim_free(dkim);
}
END_TEST

START_TEST(fromauth_dkim_check_weak_revoked_missing)
{
	struct fromauth_dkim *dkim = check("rsa512", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_WEAK);
	ck_assert_str_eq(fromauth_dkim_key_type(dkim), "rsa");
	ck_assert_uint_eq(fromauth_dkim_key_bits(dkim), 512);
	ck_assert_int_eq(fa_dkim_key_short(dkim), 0);
	fromauth_dkim_free(dkim);

	dkim = check("revoked", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_REVOKED);
	ck_assert_uint_eq(fromauth_dkim_key_bits(dkim), 0);
	fromauth_dkim_free(dkim);

	/* NXDOMAIN, and NODATA (the name holds only an A record). */
	dkim = check("nokey", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_MISSING);
	ck_assert_str_eq(fromauth_dkim_record(dkim), "");
	ck_assert_str_eq(fromauth_dkim_key_type(dkim), "");
	ck_assert_ptr_nonnull(strstr(fromauth_dkim_reason(dkim), "does not exist"));
	fromauth_dkim_free(dkim);
	dkim = check("nodata", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_MISSING);
	ck_assert_ptr_nonnull(strstr(fromauth_dkim_reason(dkim), "no TXT"));
	fromauth_dkim_free(dkim);
}
END_TEST

START_TEST(fromauth_dkim_check_invalid)
{
	expect_reason("notdkim", FROMAUTH_DKIM_INVALID, "syntax");
	expect_reason("version", FROMAUTH_DKIM_INVALID, "v=DKIM2");
	expect_reason("ktype", FROMAUTH_DKIM_INVALID, "k=dsa");
	expect_reason("service", FROMAUTH_DKIM_INVALID, "s=tlsrpt");
	expect_reason("hsha1", FROMAUTH_DKIM_INVALID, "sha256");
	expect_reason("nop", FROMAUTH_DKIM_INVALID, "p=");
	expect_reason("garbage", FROMAUTH_DKIM_INVALID, "base64");
	expect_reason("badpad", FROMAUTH_DKIM_INVALID, "padding");
	expect_reason("notakey", FROMAUTH_DKIM_INVALID, "SubjectPublicKeyInfo");
	expect_reason("ecrsa", FROMAUTH_DKIM_INVALID, "EC key");
	expect_reason("edspki", FROMAUTH_DKIM_INVALID, "32-byte");
	expect_reason("edrsa", FROMAUTH_DKIM_INVALID, "RSA key");
	expect_reason("dup", FROMAUTH_DKIM_INVALID, "more than once");
	expect_reason("trailing", FROMAUTH_DKIM_INVALID, "SubjectPublicKeyInfo");
	expect_reason("multi", FROMAUTH_DKIM_INVALID, "2 TXT records");
}
END_TEST

START_TEST(fromauth_dkim_check_hostile)
{
	/* A 6 kB p= split in 255-byte strings, 1200 one-byte strings,
	 * UTF-8 and a NUL inside the record. */
	expect_reason("huge", FROMAUTH_DKIM_INVALID, "6018 bytes");
	expect_reason("manystr", FROMAUTH_DKIM_INVALID, "SubjectPublicKeyInfo");
	expect_reason("nonascii", FROMAUTH_DKIM_INVALID, "0xc3");
	expect_reason("nul", FROMAUTH_DKIM_INVALID, "0x00");

	struct fromauth_dkim *dkim = check("nul", NULL);
	/* The record getter stays a printable C string. */
	ck_assert_ptr_nonnull(strstr(fromauth_dkim_record(dkim), "AAAA\\000AAAA"));
	fromauth_dkim_free(dkim);

	/* A single TXT too big for libopendkim's 8 kB packet buffer. */
	char *rr = malloc(12000);
	ck_assert_ptr_nonnull(rr);
	int n = sprintf(rr, "big._domainkey.keys.example. 300 IN TXT");
	for (int i = 0; i < 40; i++)
		n += sprintf(rr + n, " \"%0250d\"", i);
	char err[256];
	ck_assert_int_eq(fromauth_ctx_add_record(ctx, rr, err, sizeof(err)), 0);
	free(rr);
	expect_reason("big", FROMAUTH_DKIM_INVALID, "too large");
}
END_TEST

START_TEST(fromauth_dkim_check_cname)
{
	/* The CNAME the service asks for. */
	struct fromauth_dkim *dkim = check("s1", "s1.dkim.esp.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_uint_eq(fromauth_dkim_cname_count(dkim), 1);
	ck_assert_str_eq(fromauth_dkim_cname(dkim, 0), "s1.dkim.esp.example");
	ck_assert_ptr_null(fromauth_dkim_cname(dkim, 1));
	ck_assert_int_eq(fa_dkim_target_ok(dkim), 1);
	ck_assert_str_eq(fa_dkim_expected_target(dkim), "s1.dkim.esp.example");
	fromauth_dkim_free(dkim);

	/* Target given with a final dot and in capitals. */
	expect("s1", "S1.DKIM.esp.example.", FROMAUTH_DKIM_VALID);
	/* Without an expected target, any CNAME is fine. */
	expect("s2", NULL, FROMAUTH_DKIM_VALID);

	/* A chain of two ending at the target. */
	dkim = check("s5", "s5.dkim.esp.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_uint_eq(fromauth_dkim_cname_count(dkim), 2);
	ck_assert_str_eq(fromauth_dkim_cname(dkim, 0), "alias.esp.example");
	ck_assert_str_eq(fromauth_dkim_cname(dkim, 1), "s5.dkim.esp.example");
	ck_assert_str_eq(fromauth_dkim_key_type(dkim), "ed25519");
	ck_assert_int_eq(fa_dkim_target_ok(dkim), 1);
	fromauth_dkim_free(dkim);

	/* Through the target on to where the service keeps the key. */
	dkim = check("s10", "s10.dkim.esp.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_uint_eq(fromauth_dkim_cname_count(dkim), 2);
	ck_assert_str_eq(fromauth_dkim_cname(dkim, 1), "current.keys.esp.example");
	ck_assert_int_eq(fa_dkim_target_ok(dkim), 1);
	fromauth_dkim_free(dkim);

	/* Right CNAME, but the service's key is missing or weak. */
	dkim = check("s7", "s7.dkim.esp.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_MISSING);
	ck_assert_int_eq(fa_dkim_target_ok(dkim), 1);
	fromauth_dkim_free(dkim);
	expect("s8", "s8.dkim.esp.example", FROMAUTH_DKIM_WEAK);

	/* Nothing published: missing, not mismatch. */
	expect("nokey", "nokey.dkim.esp.example", FROMAUTH_DKIM_MISSING);
}
END_TEST

START_TEST(fromauth_dkim_check_mismatch)
{
	/* CNAME to another name holding a valid key. */
	struct fromauth_dkim *dkim = check("s2", "s2.dkim.esp.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_MISMATCH);
	ck_assert_int_eq(fa_dkim_target_ok(dkim), 0);
	ck_assert_str_eq(fromauth_dkim_cname(dkim, 0), "other.esp.example");
	ck_assert_ptr_nonnull(strstr(fromauth_dkim_reason(dkim), "other.esp.example"));
	fromauth_dkim_free(dkim);

	/* A TXT with a different key than the target's. */
	dkim = check("s4", "s4.dkim.esp.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_MISMATCH);
	ck_assert_int_eq(fa_dkim_target_key_equal(dkim), 0);
	fromauth_dkim_free(dkim);

	/* A dangling CNAME somewhere else. */
	expect("s9", "s9.dkim.esp.example", FROMAUTH_DKIM_MISMATCH);
	/* A TXT while the target publishes nothing. */
	expect("rsa2048", "nothing.esp.example", FROMAUTH_DKIM_MISMATCH);

	/* A TXT copy of the target's key is not a mismatch. */
	dkim = check("s3", "s3.dkim.esp.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_int_eq(fa_dkim_target_ok(dkim), 0);
	ck_assert_int_eq(fa_dkim_target_key_equal(dkim), 1);
	fromauth_dkim_free(dkim);
}
END_TEST

START_TEST(fromauth_dkim_check_temperror)
{
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "slow._domainkey.keys.example"), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "s6.dkim.esp.example"), 0);
	ck_assert_int_eq(fromauth_ctx_add_timeout_name(ctx, "down.esp.example"), 0);
	char err[256];
	ck_assert_int_eq(fromauth_ctx_add_record(ctx,
		"viaslow._domainkey.keys.example. 300 IN CNAME down.esp.example.",
		err, sizeof(err)), 0);

	struct fromauth_dkim *dkim = check("slow", NULL);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_TEMPERROR);
	ck_assert_ptr_nonnull(strstr(fromauth_dkim_reason(dkim), "timed out"));
	fromauth_dkim_free(dkim);
	/* The target's key cannot be compared: not a mismatch. */
	expect("s6", "s6.dkim.esp.example", FROMAUTH_DKIM_TEMPERROR);
	expect("viaslow", NULL, FROMAUTH_DKIM_TEMPERROR);
	expect("viaslow", "elsewhere.esp.example", FROMAUTH_DKIM_TEMPERROR);
}
END_TEST

START_TEST(fromauth_dkim_check_input)
{
	struct fromauth_dkim *dkim = (struct fromauth_dkim *)1;
	char err[256] = "";

	/* Case and a final dot do not matter. */
	ck_assert_int_eq(fromauth_dkim_check(ctx, "RSA2048", "Keys.Example.", NULL,
					     &dkim, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_str_eq(fromauth_dkim_selector(dkim), "rsa2048");
	ck_assert_str_eq(fromauth_dkim_domain(dkim), "keys.example");
	fromauth_dkim_free(dkim);

	/* U-labels become A-labels. */
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "b\xc3\xbc" "cher.example", NULL,
					     &dkim, err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_dkim_domain(dkim), "xn--bcher-kva.example");
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_MISSING);
	fromauth_dkim_free(dkim);
	/* The same mapping as every other input: 'ß' stays (IDNA2008), a
	 * symbol IDNA2008 forbids gets the transitional mapping, and an
	 * IP address is not a domain. */
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "fa\xc3\x9f.example", NULL,
					     &dkim, err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_dkim_domain(dkim), "xn--fa-hia.example");
	fromauth_dkim_free(dkim);
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "\xe2\x98\x83.example", NULL,
					     &dkim, err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_dkim_domain(dkim), "xn--n3h.example");
	fromauth_dkim_free(dkim);
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "keys.example",
					     "\xe2\x98\x83.example", &dkim, err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_dkim_expected_target(dkim), "xn--n3h.example");
	fromauth_dkim_free(dkim);
	dkim = (struct fromauth_dkim *)1;
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "192.0.2.1", NULL, &dkim, err,
					     sizeof(err)), FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(dkim);
	ck_assert_ptr_nonnull(strstr(err, "domain"));
	ck_assert_ptr_nonnull(strstr(err, "IP address"));

	/* A selector must not smuggle tags into libopendkim's tag-list. */
	dkim = (struct fromauth_dkim *)1;
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s; d=evil.example", "keys.example", NULL,
					     &dkim, err, sizeof(err)), FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(dkim);
	ck_assert_ptr_nonnull(strstr(err, "selector"));
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "", NULL, &dkim, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "a..example", NULL, &dkim, err, sizeof(err)),
			 FROMAUTH_E_DOMAIN);
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "keys.example", "bad target!", &dkim,
					     err, sizeof(err)), FROMAUTH_E_DOMAIN);
	char longsel[300];
	memset(longsel, 'a', sizeof(longsel));
	for (size_t i = 60; i < sizeof(longsel); i += 61)
		longsel[i] = '.';
	longsel[sizeof(longsel) - 1] = '\0';
	ck_assert_int_eq(fromauth_dkim_check(ctx, longsel, "keys.example", NULL, &dkim,
					     err, sizeof(err)), FROMAUTH_E_DOMAIN);
	ck_assert_ptr_null(dkim);

	ck_assert_int_eq(fromauth_dkim_check(NULL, "s", "keys.example", NULL, &dkim, NULL, 0),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_dkim_check(ctx, NULL, "keys.example", NULL, &dkim, NULL, 0),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", NULL, NULL, &dkim, NULL, 0),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_dkim_check(ctx, "s", "keys.example", NULL, NULL, NULL, 0),
			 FROMAUTH_E_INVAL);
}
END_TEST

START_TEST(fromauth_dkim_status_name_all)
{
	ck_assert_str_eq(fromauth_dkim_status_name(FROMAUTH_DKIM_VALID), "valid");
	ck_assert_str_eq(fromauth_dkim_status_name(FROMAUTH_DKIM_MISSING), "missing");
	ck_assert_str_eq(fromauth_dkim_status_name(FROMAUTH_DKIM_INVALID), "invalid");
	ck_assert_str_eq(fromauth_dkim_status_name(FROMAUTH_DKIM_REVOKED), "revoked");
	ck_assert_str_eq(fromauth_dkim_status_name(FROMAUTH_DKIM_WEAK), "weak");
	ck_assert_str_eq(fromauth_dkim_status_name(FROMAUTH_DKIM_MISMATCH), "mismatch");
	ck_assert_str_eq(fromauth_dkim_status_name(FROMAUTH_DKIM_TEMPERROR), "temperror");
	ck_assert_str_eq(fromauth_dkim_status_name(99), "unknown");
	ck_assert_str_eq(fromauth_dkim_status_name(-1), "unknown");
}
END_TEST

START_TEST(fromauth_dkim_free_null)
{
	fromauth_dkim_free(NULL);
	ck_assert_ptr_null(fromauth_dkim_selector(NULL));
	ck_assert_ptr_null(fromauth_dkim_domain(NULL));
	ck_assert_int_eq(fromauth_dkim_status(NULL), -1);
	ck_assert_ptr_null(fromauth_dkim_reason(NULL));
	ck_assert_ptr_null(fromauth_dkim_key_type(NULL));
	ck_assert_uint_eq(fromauth_dkim_key_bits(NULL), 0);
	ck_assert_int_eq(fromauth_dkim_testing(NULL), 0);
	ck_assert_ptr_null(fromauth_dkim_record(NULL));
	ck_assert_uint_eq(fromauth_dkim_cname_count(NULL), 0);
	ck_assert_ptr_null(fromauth_dkim_cname(NULL, 0));
	ck_assert_ptr_null(fromauth_dkim_json(NULL));
	ck_assert_int_eq(fa_dkim_key_short(NULL), 0);
	ck_assert_int_eq(fa_dkim_target_ok(NULL), 0);
	ck_assert_int_eq(fa_dkim_target_key_equal(NULL), 0);
	ck_assert_ptr_null(fa_dkim_expected_target(NULL));
	ck_assert_ptr_null(fa_dkim_qname(NULL));
}
END_TEST

static void *read_dkim_json(void *arg)
{
	return (void *)fromauth_dkim_json(arg);
}

/* Built on first use: threads racing for it all get the one published
 * string, and it parses. */
START_TEST(fromauth_dkim_json_once)
{
	struct fromauth_dkim *dkim = check("s1", "s1.dkim.esp.example");
	test_same_from_threads(read_dkim_json, dkim);
	json_object *o = json_tokener_parse(fromauth_dkim_json(dkim));
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "status")), "valid");
	json_object_put(o);
	fromauth_dkim_free(dkim);
}
END_TEST

START_TEST(fromauth_dkim_json_fields)
{
	struct fromauth_dkim *dkim = check("s1", "s1.dkim.esp.example");
	struct json_object *o = json_tokener_parse(fromauth_dkim_json(dkim));
	ck_assert_ptr_nonnull(o);
	struct json_object *v;
	ck_assert(json_object_object_get_ex(o, "status", &v));
	ck_assert_str_eq(json_object_get_string(v), "valid");
	ck_assert(json_object_object_get_ex(o, "selector", &v));
	ck_assert_str_eq(json_object_get_string(v), "s1");
	ck_assert(json_object_object_get_ex(o, "domain", &v));
	ck_assert_str_eq(json_object_get_string(v), "keys.example");
	ck_assert(json_object_object_get_ex(o, "key_type", &v));
	ck_assert_str_eq(json_object_get_string(v), "rsa");
	ck_assert(json_object_object_get_ex(o, "key_bits", &v));
	ck_assert_int_eq(json_object_get_int(v), 2048);
	ck_assert(json_object_object_get_ex(o, "testing", &v));
	ck_assert(!json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "key_short", &v));
	ck_assert(!json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "target_ok", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "cnames", &v));
	ck_assert_int_eq(json_object_array_length(v), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 0)),
			 "s1.dkim.esp.example");
	json_object_put(o);

	fromauth_dkim_free(dkim);

	/* Hostile bytes come out as valid JSON. */
	dkim = check("nonascii", NULL);
	o = json_tokener_parse(fromauth_dkim_json(dkim));
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "expected_target", &v));
	ck_assert_ptr_null(v);
	json_object_put(o);
	fromauth_dkim_free(dkim);
}
END_TEST

START_TEST(fa_dkim_eval_accounting)
{
	/* libopendkim's one query goes through our layer and is counted;
	 * a TXT compared with the target costs one more. */
	struct fa_dns_req req;
	struct fromauth_dkim *dkim = NULL;
	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_dkim_eval(&req, "rsa2048", "keys.example", NULL, &dkim, NULL, 0), 0);
	ck_assert_uint_eq(atomic_load(&req.lookups), 1);
	ck_assert_uint_eq(atomic_load(&req.overlay_hits), 1);
	ck_assert_uint_eq(atomic_load(&req.queries), 0);
	fromauth_dkim_free(dkim);

	fa_dns_req_init(&req, ctx->dns);
	ck_assert_int_eq(fa_dkim_eval(&req, "s3", "keys.example", "s3.dkim.esp.example",
				      &dkim, NULL, 0), 0);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_VALID);
	ck_assert_uint_eq(atomic_load(&req.lookups), 2);
	fromauth_dkim_free(dkim);

	ck_assert_int_eq(fa_dkim_eval(NULL, "s", "keys.example", NULL, &dkim, NULL, 0),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fa_dkim_eval(&req, "s", "keys.example", NULL, NULL, NULL, 0),
			 FROMAUTH_E_INVAL);
}
END_TEST

static struct fa_dkim_keyrec parse_ok(const char *text)
{
	struct fa_dkim_keyrec rec;
	char err[256] = "";
	int rc = fa_dkim_keyrec_parse((const unsigned char *)text, strlen(text), &rec,
				      err, sizeof(err));
	ck_assert_msg(rc == 0, "\"%s\": %s", text, err);
	return rec;
}

static void parse_bad(const char *text, size_t len, const char *word)
{
	struct fa_dkim_keyrec rec;
	char err[256] = "";
	int rc = fa_dkim_keyrec_parse((const unsigned char *)text, len, &rec, err, sizeof(err));
	ck_assert_msg(rc == FROMAUTH_E_RECORD, "\"%.*s\" parsed", (int)len, text);
	ck_assert_msg(strstr(err, word), "\"%.*s\": \"%s\" lacks \"%s\"", (int)len, text,
		      err, word);
	ck_assert_ptr_null(rec.key);
}

START_TEST(fa_dkim_keyrec_parse_cases)
{
	struct fa_dkim_keyrec rec = parse_ok("p=QUJD");
	ck_assert_int_eq(rec.key_type, FA_DKIM_KEY_RSA);
	ck_assert_uint_eq(rec.key_len, 3);
	ck_assert(memcmp(rec.key, "ABC", 3) == 0);
	fa_dkim_keyrec_clear(&rec);

	/* Padding optional, whitespace anywhere, unknown tags ignored,
	 * empty tag-specs and a final ';' harmless, t= flags. */
	rec = parse_ok(" v = DKIM1 ;; x_unknown2=1; zz=what ever; t = s : y ; k=ED25519;"
		       " p = QU\r\n JD RA ; n=notes here ;");
	ck_assert_int_eq(rec.key_type, FA_DKIM_KEY_ED25519);
	ck_assert_int_eq(rec.testing, 1);
	ck_assert_int_eq(rec.strict, 1);
	ck_assert_uint_eq(rec.key_len, 4);
	ck_assert(memcmp(rec.key, "ABCD", 4) == 0);
	fa_dkim_keyrec_clear(&rec);
	rec = parse_ok("v=DKIM1;\r\n\tp=QUJD;\r\n x_9=1\r\n ");
	ck_assert_uint_eq(rec.key_len, 3);
	fa_dkim_keyrec_clear(&rec);
	rec = parse_ok("p=QUI");
	ck_assert_uint_eq(rec.key_len, 2);
	fa_dkim_keyrec_clear(&rec);
	rec = parse_ok("p=QUI=");
	ck_assert_uint_eq(rec.key_len, 2);
	fa_dkim_keyrec_clear(&rec);
	rec = parse_ok("p=QQ==; t=s");
	ck_assert_uint_eq(rec.key_len, 1);
	ck_assert_int_eq(rec.testing, 0);
	fa_dkim_keyrec_clear(&rec);
	rec = parse_ok("v=DKIM1; h=sha1 : SHA256; s=email:tlsrpt; p=");
	ck_assert_int_eq(rec.revoked, 1);
	ck_assert_ptr_null(rec.key);
	fa_dkim_keyrec_clear(&rec);

	parse_bad("", 0, "empty");
	parse_bad(" ; ;", 4, "empty");
	parse_bad("p", 1, "'='");
	parse_bad("=QUJD", 5, "letter");
	parse_bad("1p=QUJD", 7, "letter");
	/* RFC 6376 3.2: a tag-name is ALPHA *(ALPHA / DIGIT / "_"), and a
	 * line break is white space only when WSP follows it. */
	parse_bad("s-p=1; p=QUJD", 13, "not a tag name");
	parse_bad("p=QUJD\n", 7, "line break");
	parse_bad("p=QU\nJD", 7, "0x0a");
	parse_bad("p=QUJD\r\n", 8, "0x0d");
	parse_bad("v=DKIM1;\r\np=QUJD", 17, "line break");
	parse_bad("p=Q", 3, "base64");
	parse_bad("p=QUJD=", 7, "base64");
	parse_bad("p=QQ===", 7, "base64");
	parse_bad("p=QQ=A", 6, "padding");
	parse_bad("p=QU*D", 6, "'*'");
	parse_bad("k=rsa; v=DKIM1; p=QUJD", 22, "first");
	parse_bad("v=dkim1; p=QUJD", 15, "DKIM1");
	parse_bad("p=QUJD; p=QUJD", 14, "more than once");
	parse_bad("h=sha1; p=QUJD", 14, "sha256");
	parse_bad("h=; p=QUJD", 10, "sha256");
	parse_bad("s=; p=QUJD", 10, "email");
	parse_bad("k=; p=QUJD", 10, "key type");
	parse_bad("v=DKIM1", 7, "p=");
	parse_bad("p=QUJD\x01", 7, "0x01");
	parse_bad("p=QU\0JD", 7, "0x00");
	parse_bad("p=QUJD\xff", 7, "0xff");

	static char big[FA_DKIM_RECORD_MAX + 10];
	memset(big, 'A', sizeof(big));
	memcpy(big, "p=", 2);
	parse_bad(big, sizeof(big), "bytes long");
	rec = parse_ok("v=DKIM1; p=AAAA");      /* sanity of the pattern */
	fa_dkim_keyrec_clear(&rec);
	fa_dkim_keyrec_clear(NULL);
}
END_TEST

START_TEST(fa_dkim_key_check_cases)
{
	struct fa_dkim_keyrec rec = parse_ok("k=ed25519; p=QUJD");
	char err[256] = "";
	ck_assert_int_eq(fa_dkim_key_check(&rec, err, sizeof(err)), FROMAUTH_E_RECORD);
	ck_assert_ptr_nonnull(strstr(err, "exactly 32"));
	fa_dkim_keyrec_clear(&rec);

	/* Any 32 bytes are an ed25519 public key. */
	rec = parse_ok("k=ed25519; p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	ck_assert_int_eq(fa_dkim_key_check(&rec, err, sizeof(err)), 0);
	ck_assert_uint_eq(rec.bits, 256);
	fa_dkim_keyrec_clear(&rec);

	/* 32 bytes with k=rsa: the forgotten k=ed25519. */
	rec = parse_ok("p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	ck_assert_int_eq(fa_dkim_key_check(&rec, err, sizeof(err)), FROMAUTH_E_RECORD);
	ck_assert_ptr_nonnull(strstr(err, "k=ed25519 is missing"));
	fa_dkim_keyrec_clear(&rec);

	rec = parse_ok("p=");
	ck_assert_int_eq(fa_dkim_key_check(&rec, err, sizeof(err)), FROMAUTH_E_RECORD);
	ck_assert_ptr_nonnull(strstr(err, "revoked"));
	fa_dkim_keyrec_clear(&rec);

	/* A truncated DER key. */
	rec = parse_ok("p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwszMAyBf");
	ck_assert_int_eq(fa_dkim_key_check(&rec, err, sizeof(err)), FROMAUTH_E_RECORD);
	fa_dkim_keyrec_clear(&rec);
}
END_TEST

struct thread_arg {
	int failures;
};

static void *thread_run(void *p)
{
	const struct {
		const char *sel, *target;
		int status;
	} cases[] = {
		{ "rsa2048", NULL, FROMAUTH_DKIM_VALID },
		{ "rsa512", NULL, FROMAUTH_DKIM_WEAK },
		{ "s1", "s1.dkim.esp.example", FROMAUTH_DKIM_VALID },
		{ "s4", "s4.dkim.esp.example", FROMAUTH_DKIM_MISMATCH },
		{ "revoked", NULL, FROMAUTH_DKIM_REVOKED },
		{ "nokey", NULL, FROMAUTH_DKIM_MISSING },
		{ "garbage", NULL, FROMAUTH_DKIM_INVALID },
	};
	struct thread_arg *arg = p;
	for (int i = 0; i < 40; i++) {
		size_t c = (size_t)i % FA_ARRAY_SIZE(cases);
		struct fromauth_dkim *dkim = NULL;
		if (fromauth_dkim_check(ctx, cases[c].sel, "keys.example", cases[c].target,
					&dkim, NULL, 0) != 0 ||
		    fromauth_dkim_status(dkim) != cases[c].status)
			arg->failures++;
		fromauth_dkim_free(dkim);
	}
	return NULL;
}

START_TEST(fromauth_dkim_check_threads)
{
	pthread_t threads[8];
	struct thread_arg args[8] = { { 0 } };
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, thread_run, &args[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		ck_assert_int_eq(args[i].failures, 0);
	}
}
END_TEST

/* Key records (parse, printable form) come from the context's memo after
 * the first check, libopendkim is not asked where its verdict is not
 * read: every selector of the test zone, without a target, with its own
 * service target and with another's (which compares keys), checked three
 * times on one context, gives the JSON a context without memo gives. */
START_TEST(fromauth_dkim_check_memo_same_results)
{
	struct fromauth_ctx *plain = test_offline_ctx("zones/dkim.zone", NULL);
	fa_dns_set_memo(plain->dns, NULL);
	FILE *f = fopen(test_data("zones/dkim.zone"), "r");
	ck_assert_ptr_nonnull(f);
	char line[8192];
	size_t compared = 0;
	while (fgets(line, sizeof(line), f)) {
		char owner[128], sel[128], target[192];
		if (sscanf(line, "%127s", owner) != 1 || !strstr(owner, "._domainkey"))
			continue;
		snprintf(sel, sizeof(sel), "%.*s", (int)(strstr(owner, "._domainkey") - owner),
			 owner);
		snprintf(target, sizeof(target), "%s.dkim.esp.example", sel);
		const char *targets[] = { NULL, target, "s1.dkim.esp.example", "*.dkim.esp.example" };
		for (int round = 0; round < 3; round++)
			for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
				struct fromauth_dkim *a = NULL, *b = NULL;
				int ra = fromauth_dkim_check(ctx, sel, "keys.example", targets[t],
							     &a, NULL, 0);
				int rb = fromauth_dkim_check(plain, sel, "keys.example", targets[t],
							     &b, NULL, 0);
				ck_assert_int_eq(ra, rb);
				if (ra == 0) {
					ck_assert_msg(!strcmp(fromauth_dkim_json(a),
							      fromauth_dkim_json(b)),
						      "%s round %d:\n%s\n%s", sel, round,
						      fromauth_dkim_json(a), fromauth_dkim_json(b));
					compared++;
				}
				fromauth_dkim_free(a);
				fromauth_dkim_free(b);
			}
	}
	fclose(f);
	ck_assert_uint_gt(compared, 300);
	/* the memo was used, and the context without one kept nothing */
	ck_assert_uint_gt(fa_memo_count_kind(ctx->memo, FA_MEMO_DKIM_RECORD), 20);
	ck_assert_uint_eq(fa_memo_count_kind(plain->memo, FA_MEMO_DKIM_RECORD), 0);
	fromauth_ctx_free(plain);
}
END_TEST

/* Through a real DNS server: NSD on 127.0.0.1 serving tests/zones/dkim-net.zone. */
START_TEST(fromauth_dkim_check_network)
{
	struct test_nsd nsd;
	int rc = test_nsd_start(&nsd, "test", test_data("zones/dkim-net.zone"));
	if (rc == 77) {
		test_nsd_stop(&nsd);
		fprintf(stderr, "nsd not installed: network case skipped\n");
		return;
	}
	ck_assert_int_eq(rc, 0);

	struct fromauth_ctx *net = NULL;
	ck_assert_int_eq(fromauth_ctx_new(&net), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(net, nsd.nameserver), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(net, 500), 0);
	static const struct {
		const char *sel, *target;
		int status;
		unsigned int bits;
		size_t cnames;
	} cases[] = {
		{ "rsa2048", NULL, FROMAUTH_DKIM_VALID, 2048, 0 },
		{ "ed25519", NULL, FROMAUTH_DKIM_VALID, 256, 0 },
		{ "rsa512", NULL, FROMAUTH_DKIM_WEAK, 512, 0 },
		{ "revoked", NULL, FROMAUTH_DKIM_REVOKED, 0, 0 },
		{ "nokey", NULL, FROMAUTH_DKIM_MISSING, 0, 0 },
		{ "s1", "s1.dkim.esp.test", FROMAUTH_DKIM_VALID, 2048, 1 },
		{ "s2", "s2.dkim.esp.test", FROMAUTH_DKIM_MISMATCH, 2048, 1 },
		{ "s3", "s3.dkim.esp.test", FROMAUTH_DKIM_VALID, 2048, 0 },
	};
	for (size_t i = 0; i < FA_ARRAY_SIZE(cases); i++) {
		struct fromauth_dkim *dkim = NULL;
		char err[256] = "";
		rc = fromauth_dkim_check(net, cases[i].sel, "keys.test", cases[i].target,
					 &dkim, err, sizeof(err));
		ck_assert_msg(rc == 0, "%s: %s", cases[i].sel, err);
		ck_assert_msg(fromauth_dkim_status(dkim) == cases[i].status, "%s: %s (%s)",
			      cases[i].sel, fromauth_dkim_status_name(fromauth_dkim_status(dkim)),
			      fromauth_dkim_reason(dkim));
		ck_assert_uint_eq(fromauth_dkim_key_bits(dkim), cases[i].bits);
		ck_assert_uint_eq(fromauth_dkim_cname_count(dkim), cases[i].cnames);
		fromauth_dkim_free(dkim);
	}
	fromauth_ctx_free(net);

	/* The server gone: the lookup times out, a temporary error. */
	char ns[32];
	snprintf(ns, sizeof(ns), "%s", nsd.nameserver);
	test_nsd_stop(&nsd);
	ck_assert_int_eq(fromauth_ctx_new(&net), 0);
	ck_assert_int_eq(fromauth_ctx_add_nameserver(net, ns), 0);
	ck_assert_int_eq(fromauth_ctx_set_timeout(net, 100), 0);
	ck_assert_int_eq(fromauth_ctx_set_tries(net, 1), 0);
	struct fromauth_dkim *dkim = NULL;
	ck_assert_int_eq(fromauth_dkim_check(net, "rsa2048", "keys.test", NULL, &dkim, NULL, 0), 0);
	ck_assert_int_eq(fromauth_dkim_status(dkim), FROMAUTH_DKIM_TEMPERROR);
	fromauth_dkim_free(dkim);
	fromauth_ctx_free(net);
}
END_TEST

/* Run the fromauth tool; its exit status, and its stdout in @out. */
static int run_tool(const char *args, char *out, size_t outlen)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "%s/tools/fromauth dkim %s --offline --zone %s 2>/dev/null",
		 TEST_BUILD_DIR, args, test_data("zones/dkim.zone"));
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(cmd_dkim_output)
{
	char out[8192];

	ck_assert_int_eq(run_tool("rsa1024 keys.example", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "rsa1024._domainkey.keys.example: valid\n"));
	ck_assert_ptr_nonnull(strstr(out, "key:      rsa, 1024 bits (short: 2048 advised)"));
	ck_assert_ptr_nonnull(strstr(out, "testing:  no"));

	ck_assert_int_eq(run_tool("testing keys.example", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "testing:  yes"));

	ck_assert_int_eq(run_tool("s5 keys.example --target s5.dkim.esp.example", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out,
		"CNAME:    s5._domainkey.keys.example -> alias.esp.example -> s5.dkim.esp.example"));
	ck_assert_ptr_nonnull(strstr(out, "(the CNAME chain reaches it)"));

	ck_assert_int_eq(run_tool("s3 keys.example --target s3.dkim.esp.example", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "not a CNAME, but the same key"));

	ck_assert_int_eq(run_tool("s2 keys.example --target s2.dkim.esp.example", out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, ": mismatch\n"));

	ck_assert_int_eq(run_tool("rsa512 keys.example", out, sizeof(out)), 1);
	ck_assert_int_eq(run_tool("revoked keys.example", out, sizeof(out)), 1);
	ck_assert_int_eq(run_tool("nokey keys.example", out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, ": missing\n"));

	ck_assert_int_eq(run_tool("ed25519 keys.example --json", out, sizeof(out)), 0);
	struct json_object *o = json_tokener_parse(out);
	ck_assert_ptr_nonnull(o);
	struct json_object *v;
	ck_assert(json_object_object_get_ex(o, "key_type", &v));
	ck_assert_str_eq(json_object_get_string(v), "ed25519");
	json_object_put(o);

	ck_assert_int_eq(run_tool("'a;b' keys.example", out, sizeof(out)), 65);
	ck_assert_int_eq(run_tool("onlyone", out, sizeof(out)), 64);
	ck_assert_int_eq(run_tool("--no-such-option a b", out, sizeof(out)), 64);
	ck_assert_int_eq(run_tool("--help", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "Exit status"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("dkim");
	const struct test_case tests[] = {
		{ "fromauth_dkim_check:valid", fromauth_dkim_check_valid },
		{ "fromauth_dkim_check:short_and_testing", fromauth_dkim_check_short_and_testing },
		{ "fromauth_dkim_check:weak_revoked_missing", fromauth_dkim_check_weak_revoked_missing },
		{ "fromauth_dkim_check:invalid", fromauth_dkim_check_invalid },
		{ "fromauth_dkim_check:hostile", fromauth_dkim_check_hostile },
		{ "fromauth_dkim_check:cname", fromauth_dkim_check_cname },
		{ "fromauth_dkim_check:mismatch", fromauth_dkim_check_mismatch },
		{ "fromauth_dkim_check:temperror", fromauth_dkim_check_temperror },
		{ "fromauth_dkim_check:input", fromauth_dkim_check_input },
		{ "fromauth_dkim_check:threads", fromauth_dkim_check_threads },
		{ "fromauth_dkim_check:memo", fromauth_dkim_check_memo_same_results },
		{ "fromauth_dkim_check:network", fromauth_dkim_check_network },
		{ "fromauth_dkim_status_name", fromauth_dkim_status_name_all },
		{ "cmd_dkim", cmd_dkim_output },
		{ "fromauth_dkim_free", fromauth_dkim_free_null },
		{ "fromauth_dkim_json", fromauth_dkim_json_fields },
		{ "fromauth_dkim_json:once", fromauth_dkim_json_once },
		{ "fa_dkim_eval", fa_dkim_eval_accounting },
		{ "fa_dkim_keyrec_parse", fa_dkim_keyrec_parse_cases },
		{ "fa_dkim_key_check", fa_dkim_key_check_cases },
	};
	test_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
	return s;
}
