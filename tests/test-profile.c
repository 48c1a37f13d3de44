/* SPDX-License-Identifier: BSD-2-Clause */
/* Service profiles (SPEC 6): files, text, API-built, every error path. */
#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "profile.h"
#include "test-common.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct fromauth_profile *load_ok(const char *rel)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	int rc = fromauth_profile_load(test_data(rel), &p, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %d %s", rel, rc, err);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void assert_has(const char *err, const char *part)
{
	ck_assert_msg(strstr(err, part) != NULL, "\"%s\" lacks \"%s\"", err, part);
}

START_TEST(test_load_esp)
{
	struct fromauth_profile *p = load_ok("profiles/esp.profile");

	ck_assert_str_eq(fromauth_profile_name(p), "Example ESP");
	/* inline '#' comments are gone from every value */
	ck_assert_uint_eq(fromauth_profile_ip_count(p), 2);
	ck_assert_str_eq(fromauth_profile_ip(p, 0), "192.0.2.0/24");
	ck_assert_str_eq(fromauth_profile_ip(p, 1), "2001:db8:1::/48");
	ck_assert_ptr_null(fromauth_profile_ip(p, 2));
	ck_assert_str_eq(fromauth_profile_spf_include(p), "spf.esp.example");
	ck_assert_str_eq(fromauth_profile_mail_from(p), "bounce.{domain}");
	ck_assert_str_eq(fromauth_profile_mail_from_target(p), "bounces.esp.example");
	ck_assert_str_eq(fromauth_profile_helo(p), "mta1.esp.example");

	ck_assert_uint_eq(fromauth_profile_dkim_count(p), 2);
	ck_assert_str_eq(fromauth_profile_dkim_selector(p, 0), "s1");
	ck_assert_str_eq(fromauth_profile_dkim_domain(p, 0), "{domain}");
	ck_assert_str_eq(fromauth_profile_dkim_target(p, 0), "s1.dkim.esp.example");
	ck_assert_str_eq(fromauth_profile_dkim_selector(p, 1), "s2");
	ck_assert_str_eq(fromauth_profile_dkim_domain(p, 1), "{domain}");
	ck_assert_ptr_null(fromauth_profile_dkim_target(p, 1));
	ck_assert_ptr_null(fromauth_profile_dkim_selector(p, 2));

	ck_assert_uint_eq(fromauth_profile_allowed_from_count(p), 2);
	ck_assert_str_eq(fromauth_profile_allowed_from(p, 0), "members.example");
	ck_assert_str_eq(fromauth_profile_allowed_from(p, 1), "*.members.example");
	ck_assert_ptr_null(fromauth_profile_allowed_from(p, 2));

	size_t n = 0;
	const struct fa_cidr *r = fa_profile_ranges(p, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(r[0].family, AF_INET);
	ck_assert_uint_eq(r[0].prefix, 24);
	ck_assert_int_eq(r[1].family, AF_INET6);
	ck_assert_uint_eq(r[1].prefix, 48);
	char first[64], last[64];
	fa_cidr_first(&r[0], first, sizeof(first));
	fa_cidr_last(&r[0], last, sizeof(last));
	ck_assert_str_eq(first, "192.0.2.0");
	ck_assert_str_eq(last, "192.0.2.255");

	ck_assert_int_eq(fromauth_profile_validate(p, NULL, 0), 0);
	fromauth_profile_free(p);
}
END_TEST

START_TEST(test_load_variants)
{
	struct fromauth_profile *p = load_ok("profiles/include-only.profile");
	ck_assert_str_eq(fromauth_profile_name(p), "");
	ck_assert_uint_eq(fromauth_profile_ip_count(p), 0);
	ck_assert_str_eq(fromauth_profile_spf_include(p), "_spf.esp.example");
	ck_assert_ptr_null(fromauth_profile_mail_from(p));
	ck_assert_ptr_null(fromauth_profile_mail_from_target(p));
	ck_assert_ptr_null(fromauth_profile_helo(p));
	ck_assert_str_eq(fromauth_profile_dkim_domain(p, 0), "esp.example");
	ck_assert_uint_eq(fromauth_profile_allowed_from_count(p), 0);
	size_t n = 99;
	ck_assert_ptr_null(fa_profile_ranges(p, &n));
	ck_assert_uint_eq(n, 0);
	fromauth_profile_free(p);

	p = load_ok("profiles/idn.profile");
	ck_assert_str_eq(fromauth_profile_name(p), "Bücher-Versand");
	ck_assert_str_eq(fromauth_profile_ip(p, 0), "198.51.100.7");
	ck_assert_str_eq(fromauth_profile_helo(p), "mx.xn--bcher-kva.example");
	ck_assert_uint_eq(fromauth_profile_allowed_from_count(p), 3);
	ck_assert_str_eq(fromauth_profile_allowed_from(p, 0), "xn--bcher-kva.example");
	ck_assert_str_eq(fromauth_profile_allowed_from(p, 1),
			 "news@xn--bcher-kva.example");
	ck_assert_str_eq(fromauth_profile_allowed_from(p, 2),
			 "*.xn--bcher-kva.example");
	fromauth_profile_free(p);

	p = load_ok("profiles/crlf-bom.profile");
	ck_assert_str_eq(fromauth_profile_name(p), "Windows");
	ck_assert_str_eq(fromauth_profile_ip(p, 0), "203.0.113.0/24");
	fromauth_profile_free(p);
}
END_TEST

struct bad_file {
	const char *file;
	int rc;
	const char *parts[3];
};

static const struct bad_file bad_files[] = {
	{ "profiles/unknown-key.profile", FROMAUTH_E_PROFILE,
	  { "unknown-key.profile:4: key 'dkm': unknown key", "did you mean 'dkim'" } },
	{ "profiles/bad-cidr.profile", FROMAUTH_E_PROFILE,
	  { "bad-cidr.profile:3: key 'ip':", "host bits set" } },
	{ "profiles/empty-dkim.profile", FROMAUTH_E_PROFILE,
	  { "empty-dkim.profile:3: key 'dkim':", "empty dkim line" } },
	{ "profiles/duplicate.profile", FROMAUTH_E_PROFILE,
	  { "duplicate.profile:4: key 'helo':", "given twice (first on line 3)" } },
	{ "profiles/no-ranges.profile", FROMAUTH_E_PROFILE,
	  { "no-ranges.profile:", "neither 'ip' nor 'spf-include'" } },
	{ "profiles/section.profile", FROMAUTH_E_PROFILE,
	  { "section.profile:2:", "sections" } },
	{ "profiles/bad-template.profile", FROMAUTH_E_PROFILE,
	  { "bad-template.profile:2: key 'mail-from':", "whole labels" } },
	{ "profiles/does-not-exist.profile", FROMAUTH_E_IO,
	  { "does-not-exist.profile", "No such file or directory" } },
	{ "profiles", FROMAUTH_E_IO, { "profiles: ", "Is a directory" } },
};

START_TEST(test_load_bad)
{
	const struct bad_file *b = &bad_files[_i];
	struct fromauth_profile *p = (void *)1;
	char err[1024] = "";
	int rc = fromauth_profile_load(test_data(b->file), &p, err, sizeof(err));
	ck_assert_msg(rc == b->rc, "%s: rc %d want %d (%s)", b->file, rc, b->rc, err);
	ck_assert_ptr_null(p);
	for (size_t i = 0; i < N_ELEMS(b->parts) && b->parts[i]; i++)
		assert_has(err, b->parts[i]);
}
END_TEST

START_TEST(test_load_binary)
{
	char path[] = "/tmp/fromauth-test-profile-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	static const char data[] = "name = x\nip = 192.0.2.0/24\nhelo = a\0b\n";
	ck_assert_int_eq(write(fd, data, sizeof(data) - 1), (int)sizeof(data) - 1);
	close(fd);
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_load(path, &p, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, ":3: NUL byte");
	unlink(path);
	ck_assert_int_eq(fromauth_profile_load(NULL, &p, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_profile_load(path, NULL, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
}
END_TEST

/* In-memory profiles: each error path of a value or line, with the
 * message naming source, line and key. */
struct bad_text {
	const char *text;
	const char *parts[3];
};

#define BASE "name = ESP\nip = 192.0.2.0/24\n"

static const struct bad_text bad_texts[] = {
	{ BASE "ip = 192.0.2.0/33\n", { "t.profile:3: key 'ip':", "0..32" } },
	{ BASE "ip = not-an-ip\n", { ":3: key 'ip':", "not an IPv4 or IPv6" } },
	{ BASE "ip = 192.0.2.0/\n", { ":3: key 'ip':", "prefix length missing" } },
	{ BASE "ip = 192.0.2.0/24#x\n", { ":3: key 'ip':" } },
	{ BASE "spf-include = spf..esp.example\n",
	  { ":3: key 'spf-include':", "empty label" } },
	{ BASE "spf-include = {domain}.esp.example\n",
	  { ":3: key 'spf-include':", "placeholders are not allowed" } },
	{ BASE "helo = -bad.example\n", { ":3: key 'helo':", "'-'" } },
	{ BASE "mail-from-target = 192.0.2.1\n",
	  { ":3: key 'mail-from-target':", "IP address" } },
	{ BASE "mail-from = \n", { ":3: key 'mail-from':", "empty value" } },
	{ BASE "mail-from = .{domain}\n", { ":3: key 'mail-from':", "empty label" } },
	{ BASE "mail-from = .\n", { ":3: key 'mail-from':", "empty label" } },
	{ BASE "mail-from = bounce..{domain}\n",
	  { ":3: key 'mail-from':", "does not make a valid domain" } },
	{ BASE "mail-from = bounce{domain}\n",
	  { ":3: key 'mail-from':", "whole labels" } },
	{ BASE "mail-from = {domain}x.example\n",
	  { ":3: key 'mail-from':", "whole labels" } },
	{ BASE "mail-from = {domain}.{domain}\n",
	  { ":3: key 'mail-from':", "only once" } },
	{ BASE "mail-from = bounce.{DOMAIN}\n",
	  { ":3: key 'mail-from':", "unknown placeholder at column 8" } },
	{ BASE "mail-from = bounce.{dom}\n",
	  { ":3: key 'mail-from':", "unknown placeholder" } },
	{ BASE "mail-from = bö.{domain}\n",
	  { ":3: key 'mail-from':", "A-labels" } },
	{ BASE "dkim = s1\n", { ":3: key 'dkim':", "signing domain missing" } },
	{ BASE "dkim = s1 {domain} t.example extra\n",
	  { ":3: key 'dkim':", "too many fields" } },
	{ BASE "dkim = s_1! {domain}\n", { ":3: key 'dkim':", "selector \"s_1!\"" } },
	{ BASE "dkim = s1 {domain}x\n", { ":3: key 'dkim':", "whole labels" } },
	{ BASE "dkim = s1 {domain} bad..target\n",
	  { ":3: key 'dkim':", "empty label" } },
	{ BASE "dkim = s1 {domain}\ndkim = S1 {domain}\n",
	  { ":4: key 'dkim':", "listed twice" } },
	{ BASE "allowed-from = members.example,\n",
	  { ":3: key 'allowed-from':", "empty item at column 17" } },
	{ BASE "allowed-from = a.example, , b.example\n",
	  { ":3: key 'allowed-from':", "empty item" } },
	{ BASE "allowed-from = news*@members.example\n",
	  { ":3: key 'allowed-from':", "no wildcards in the local part" } },
	{ BASE "allowed-from = a*.example\n",
	  { ":3: key 'allowed-from':", "whole first label" } },
	{ BASE "allowed-from = [192.0.2.1]\n", { ":3: key 'allowed-from':" } },
	{ BASE "name = Again\n", { ":3: key 'name':", "given twice (first on line 1)" } },
	{ BASE "spf-include = a.example\nspf-include = b.example\n",
	  { ":4: key 'spf-include':", "given twice (first on line 3)" } },
	{ BASE "\nbogus = 1\n", { "t.profile:4: key 'bogus': unknown key" } },
	{ BASE "ip_range = 10.0.0.0/8\n", { ":3: key 'ip_range': unknown key" } },
	{ BASE "just some words\n", { "t.profile:3:", "expected 'key = value'" } },
	{ BASE "ip: 192.0.2.0/24\n", { "t.profile:3:", "expected 'key = value'" } },
	{ BASE " = value\n", { "t.profile:3:", "key missing" } },
	{ BASE "[section]\n", { "t.profile:3:", "sections" } },
	{ BASE "name2 = a\x01z\n", { "t.profile:3:", "control character" } },
	{ BASE "helo = \xc3\x28.example\n", { "t.profile:3:", "invalid UTF-8" } },
	/* The address parser's UTF-8 check: overlong, surrogate, too high. */
	{ BASE "name = a\xc0\xafz\n", { "t.profile:3:", "invalid UTF-8" } },
	{ BASE "name = a\xed\xa0\x80z\n", { "t.profile:3:", "invalid UTF-8" } },
	{ BASE "name = a\xf4\x90\x80\x80z\n", { "t.profile:3:", "invalid UTF-8" } },
	{ "ip = 192.0.2.0/24\nmail-from-target = b.example\n",
	  { "t.profile:", "'mail-from-target' needs a 'mail-from'" } },
	{ "# nothing\n\n", { "t.profile:", "neither 'ip' nor 'spf-include'" } },
	{ "", { "neither 'ip' nor 'spf-include'" } },
};

START_TEST(test_parse_bad)
{
	const struct bad_text *b = &bad_texts[_i];
	struct fromauth_profile *p = (void *)1;
	char err[1024] = "";
	int rc = fromauth_profile_parse(b->text, "t.profile", &p, err, sizeof(err));
	ck_assert_msg(rc == FROMAUTH_E_PROFILE, "case %d: rc %d (%s)", _i, rc, err);
	ck_assert_ptr_null(p);
	for (size_t i = 0; i < N_ELEMS(b->parts) && b->parts[i]; i++)
		ck_assert_msg(strstr(err, b->parts[i]) != NULL,
			      "case %d: \"%s\" lacks \"%s\"", _i, err, b->parts[i]);
}
END_TEST

START_TEST(test_parse_comments)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	/* '#' and ';' start a comment at the start of a line or after a
	 * blank; elsewhere they are data.  Indented lines are plain lines,
	 * not inih continuations. */
	static const char text[] =
		"# full-line comment\n"
		"   ; indented comment\n"
		"ip = 192.0.2.0/24  # comment\n"
		"ip = 198.51.100.0/24\t; comment\n"
		"    name = ESP #1 ; west\n"
		"\thelo = mta.esp.example#not-a-comment-but-bad\n";
	ck_assert_int_eq(fromauth_profile_parse(text, "c.profile", &p, err,
						sizeof(err)), FROMAUTH_E_PROFILE);
	assert_has(err, "c.profile:6: key 'helo':");
	assert_has(err, "'#'");

	static const char text2[] =
		"ip = 192.0.2.0/24  # comment\n"
		"ip = 198.51.100.0/24\t; comment\n"
		"    name = ESP#1 ; west\n"
		"DKIM = s1 {domain}   # keys are case-insensitive\n";
	ck_assert_int_eq(fromauth_profile_parse(text2, "c.profile", &p, err,
						sizeof(err)), 0);
	ck_assert_str_eq(fromauth_profile_ip(p, 0), "192.0.2.0/24");
	ck_assert_str_eq(fromauth_profile_ip(p, 1), "198.51.100.0/24");
	ck_assert_str_eq(fromauth_profile_name(p), "ESP#1");
	ck_assert_uint_eq(fromauth_profile_dkim_count(p), 1);
	fromauth_profile_free(p);
}
END_TEST

START_TEST(test_parse_long_lines)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	char text[1024];

	/* A long comment is fine: only what inih gets counts. */
	snprintf(text, sizeof(text), "ip = 192.0.2.0/24 # %0300d\n", 0);
	ck_assert_int_eq(fromauth_profile_parse(text, "l.profile", &p, err,
						sizeof(err)), 0);
	fromauth_profile_free(p);

	/* A long value is refused, not split into two lines. */
	snprintf(text, sizeof(text), "ip = 192.0.2.0/24\nname = %0300d\n", 0);
	ck_assert_int_eq(fromauth_profile_parse(text, "l.profile", &p, err,
						sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_ptr_null(p);
	assert_has(err, "l.profile:2:");
	assert_has(err, "split repeatable keys");
}
END_TEST

START_TEST(test_parse_args)
{
	struct fromauth_profile *p = (void *)1;
	char err[256] = "";
	ck_assert_int_eq(fromauth_profile_parse(NULL, "x", &p, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(fromauth_profile_parse("ip = 192.0.2.1", "x", NULL, err,
						sizeof(err)), FROMAUTH_E_INVAL);
	/* no source name: a generic one; no error buffer: fine */
	ck_assert_int_eq(fromauth_profile_parse("ip = 192.0.2.1", NULL, &p, NULL, 0), 0);
	fromauth_profile_free(p);
	ck_assert_int_eq(fromauth_profile_parse("bogus = 1", NULL, &p, err,
						sizeof(err)), FROMAUTH_E_PROFILE);
	assert_has(err, "profile:1: key 'bogus'");
	ck_assert_int_eq(fromauth_profile_parse("bogus = 1", NULL, &p, NULL, 0),
			 FROMAUTH_E_PROFILE);
}
END_TEST

START_TEST(test_new_set)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";

	ck_assert_int_eq(fromauth_profile_new(&p), 0);
	ck_assert_str_eq(fromauth_profile_name(p), "");
	ck_assert_int_eq(fromauth_profile_validate(p, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "api: ");
	assert_has(err, "neither 'ip' nor 'spf-include'");

	ck_assert_int_eq(fromauth_profile_set(p, "name", "API ESP", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_set(p, "ip", "192.0.2.0/25", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_set(p, "ip", " 2001:db8::/32 ", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_set(p, "mail-from", "Bounce.{domain}", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_set(p, "dkim", "s1 {domain} s1.dkim.esp.example", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_set(p, "allowed-from", "members.example, news@other.example", err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_validate(p, err, sizeof(err)), 0);

	/* single keys replace through the API */
	ck_assert_int_eq(fromauth_profile_set(p, "name", "Renamed", err, sizeof(err)), 0);
	ck_assert_str_eq(fromauth_profile_name(p), "Renamed");
	ck_assert_str_eq(fromauth_profile_mail_from(p), "bounce.{domain}");
	ck_assert_uint_eq(fromauth_profile_ip_count(p), 2);
	ck_assert_str_eq(fromauth_profile_ip(p, 1), "2001:db8::/32");
	ck_assert_uint_eq(fromauth_profile_allowed_from_count(p), 2);
	ck_assert_str_eq(fromauth_profile_allowed_from(p, 1), "news@other.example");

	/* same validation as files, source "api" and no line */
	ck_assert_int_eq(fromauth_profile_set(p, "ip", "192.0.2.1/24", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "api: key 'ip':");
	assert_has(err, "host bits");
	ck_assert_int_eq(fromauth_profile_set(p, "dkm", "x y", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "api: key 'dkm': unknown key");
	ck_assert_int_eq(fromauth_profile_set(p, "dkim", "   ", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "empty dkim line");
	ck_assert_int_eq(fromauth_profile_set(p, "helo", "", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "api: key 'helo': empty value");
	ck_assert_int_eq(fromauth_profile_set(p, "helo", "a\nb.example", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "control character");
	ck_assert_int_eq(fromauth_profile_set(p, "k\x01y", "v", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "key 'k?y'");
	/* a failed list leaves nothing behind */
	ck_assert_int_eq(fromauth_profile_set(p, "allowed-from", "c.example, bad..example",
					      err, sizeof(err)), FROMAUTH_E_PROFILE);
	ck_assert_uint_eq(fromauth_profile_allowed_from_count(p), 2);
	/* a failed single key keeps the old value */
	ck_assert_int_eq(fromauth_profile_set(p, "mail-from", "x..y", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	ck_assert_str_eq(fromauth_profile_mail_from(p), "bounce.{domain}");

	ck_assert_int_eq(fromauth_profile_set(NULL, "ip", "192.0.2.0/24", err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_profile_set(p, NULL, "x", err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_profile_set(p, "ip", NULL, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_profile_new(NULL), FROMAUTH_E_INVAL);
	fromauth_profile_free(p);
}
END_TEST

START_TEST(test_validate)
{
	struct fromauth_profile *p = NULL;
	char err[512] = "";
	ck_assert_int_eq(fromauth_profile_validate(NULL, err, sizeof(err)),
			 FROMAUTH_E_INVAL);
	ck_assert_int_eq(fromauth_profile_new(&p), 0);
	ck_assert_int_eq(fromauth_profile_set(p, "spf-include", "spf.esp.example",
					      err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_validate(p, err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_set(p, "mail-from-target", "b.esp.example",
					      err, sizeof(err)), 0);
	ck_assert_int_eq(fromauth_profile_validate(p, err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	assert_has(err, "needs a 'mail-from'");
	fromauth_profile_free(p);
}
END_TEST

START_TEST(test_getters_null)
{
	ck_assert_ptr_null(fromauth_profile_name(NULL));
	ck_assert_uint_eq(fromauth_profile_ip_count(NULL), 0);
	ck_assert_ptr_null(fromauth_profile_ip(NULL, 0));
	ck_assert_ptr_null(fromauth_profile_spf_include(NULL));
	ck_assert_ptr_null(fromauth_profile_mail_from(NULL));
	ck_assert_ptr_null(fromauth_profile_mail_from_target(NULL));
	ck_assert_ptr_null(fromauth_profile_helo(NULL));
	ck_assert_uint_eq(fromauth_profile_dkim_count(NULL), 0);
	ck_assert_ptr_null(fromauth_profile_dkim_selector(NULL, 0));
	ck_assert_ptr_null(fromauth_profile_dkim_domain(NULL, 0));
	ck_assert_ptr_null(fromauth_profile_dkim_target(NULL, 0));
	ck_assert_uint_eq(fromauth_profile_allowed_from_count(NULL), 0);
	ck_assert_ptr_null(fromauth_profile_allowed_from(NULL, 0));
	ck_assert_ptr_null(fromauth_profile_ip(NULL, (size_t)-1));
	size_t n = 5;
	ck_assert_ptr_null(fa_profile_ranges(NULL, &n));
	ck_assert_uint_eq(n, 0);
	fromauth_profile_free(NULL);
}
END_TEST

START_TEST(test_expand)
{
	char *s = fa_profile_expand("bounce.{domain}", "members.example");
	ck_assert_str_eq(s, "bounce.members.example");
	free(s);
	s = fa_profile_expand("{domain}", "a.example");
	ck_assert_str_eq(s, "a.example");
	free(s);
	s = fa_profile_expand("fixed.example", "a.example");
	ck_assert_str_eq(s, "fixed.example");
	free(s);
	s = fa_profile_expand("{domain}.{domain}", "ab");
	ck_assert_str_eq(s, "ab.ab");
	free(s);
	ck_assert_ptr_null(fa_profile_expand(NULL, "x"));
}
END_TEST

static int allows(const struct fromauth_profile *p, const char *from)
{
	struct fromauth_address *a = NULL;
	char err[256];
	ck_assert_int_eq(fromauth_address_parse(from, &a, err, sizeof(err)), 0);
	int r = fa_profile_allows_from(p, a);
	fromauth_address_free(a);
	return r;
}

START_TEST(test_allows_from)
{
	struct fromauth_profile *p = load_ok("profiles/esp.profile");
	ck_assert(allows(p, "news@members.example"));
	ck_assert(allows(p, "Club <club@section.members.example>"));
	ck_assert(!allows(p, "news@other.example"));
	fromauth_profile_free(p);

	p = load_ok("profiles/idn.profile");
	ck_assert(allows(p, "x@bücher.example"));
	ck_assert(allows(p, "News@xn--bcher-kva.example"));
	ck_assert(allows(p, "a@shop.bücher.example"));
	ck_assert(!allows(p, "a@buecher.example"));
	fromauth_profile_free(p);

	/* no allowed-from: anything goes */
	p = load_ok("profiles/include-only.profile");
	ck_assert(allows(p, "anyone@anywhere.example"));
	fromauth_profile_free(p);
}
END_TEST

/* The vendor's steps the check's service actions quote: lines join,
 * placeholders are filled, a catalogue entry names their source. */
START_TEST(test_action_text)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	static const char text[] =
		"ip = 192.0.2.0/24\n"
		"action-dkim = authenticate {domain} under Settings > Domains\n"
		"action-dkim = and publish its two CNAMEs\n"
		"action-return-path = set the return path of {from} to bounce.{domain}\n";
	ck_assert_int_eq(fromauth_profile_parse(text, "a.profile", &p, err, sizeof(err)), 0);
	char *t = fa_profile_text(p, "action-dkim", "n@m.example", "n", "m.example");
	ck_assert_str_eq(t, "authenticate m.example under Settings > Domains and publish its two CNAMEs");
	free(t);
	t = fa_profile_text(p, "action-return-path", "n@m.example", "n", "m.example");
	ck_assert_str_eq(t, "set the return path of n@m.example to bounce.m.example");
	free(t);
	fromauth_profile_free(p);

	/* no step: no text */
	ck_assert_int_eq(fromauth_profile_parse("ip = 192.0.2.0/24", "b", &p, err, sizeof(err)), 0);
	ck_assert_ptr_null(fa_profile_text(p, "action-dkim", "n@m.example", "n", "m.example"));
	fromauth_profile_free(p);

	/* a catalogue entry states where a step comes from */
	static const char cat[] =
		"id = esp\nname = ESP\ndoc = https://esp.example/doc\nverified = 2026-11-29\n"
		"ip = 192.0.2.0/24\nsource = ip | O | https://esp.example/ips\n"
		"action-dkim = authenticate {domain}\n";
	ck_assert_int_eq(fromauth_profile_parse(cat, "c", &p, err, sizeof(err)), FROMAUTH_E_PROFILE);
	assert_has(err, "'action-dkim' without a 'source = action-dkim");
	char both[512];
	snprintf(both, sizeof(both), "%ssource = action-dkim | UNCONFIRMED | no page found\n", cat);
	ck_assert_int_eq(fromauth_profile_parse(both, "c", &p, err, sizeof(err)), 0);
	ck_assert(fa_profile_unconfirmed(p, "action-dkim"));
	fromauth_profile_free(p);
}
END_TEST

/* The resolved copy is made once and shared; a change of a setting or
 * of a parameter value makes the next check resolve again, and a copy a
 * check still holds stays readable. */
START_TEST(test_resolved_shared)
{
	static const char text[] =
		"name = T\n"
		"ip = 192.0.2.1\n"
		"param = host | the host label\n"
		"mail-from = bounce.{domain}\n"
		"mail-from-target = {host}.mail.example\n";
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	ck_assert_int_eq(fromauth_profile_parse(text, "r.profile", &p, err, sizeof(err)), 0);

	const struct fromauth_profile *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;
	ck_assert_int_eq(fa_profile_resolved_get(p, &r1), 0);
	ck_assert_int_eq(fa_profile_mail_from_target_needs_input(r1), 1); /* no value yet */
	ck_assert_int_eq(fa_profile_resolved_get(p, &r2), 0);
	ck_assert_ptr_eq(r1, r2);                                    /* shared */
	fa_profile_resolved_put(r2);

	ck_assert_int_eq(fromauth_profile_set_param(p, "host", "abc", err, sizeof(err)), 0);
	ck_assert_int_eq(fa_profile_resolved_get(p, &r2), 0);
	ck_assert_ptr_ne(r1, r2);
	ck_assert_str_eq(fromauth_profile_mail_from_target(r2), "abc.mail.example");
	ck_assert_int_eq(fa_profile_mail_from_target_needs_input(r1), 1); /* still readable */
	ck_assert_int_eq(fa_profile_mail_from_target_needs_input(r2), 0);
	fa_profile_resolved_put(r1);

	/* A failed change drops the copy too; the next one is the same. */
	ck_assert_int_eq(fromauth_profile_set_param(p, "host", "bad_label!", err, sizeof(err)),
			 FROMAUTH_E_PROFILE);
	ck_assert_int_eq(fa_profile_resolved_get(p, &r3), 0);
	ck_assert_str_eq(fromauth_profile_mail_from_target(r3), "abc.mail.example");

	ck_assert_int_eq(fromauth_profile_set(p, "mail-from-target", "{host}.other.example",
					      err, sizeof(err)), 0);
	ck_assert_int_eq(fa_profile_resolved_get(p, &r4), 0);
	ck_assert_ptr_ne(r3, r4);
	ck_assert_str_eq(fromauth_profile_mail_from_target(r4), "abc.other.example");
	fa_profile_resolved_put(r2);
	fa_profile_resolved_put(r3);
	fa_profile_resolved_put(NULL);
	fromauth_profile_free(p);               /* drops the cache's reference */
	fa_profile_resolved_put(r4);            /* the last one frees it */
}
END_TEST

struct resolve_race {
	const struct fromauth_profile *profile;
	const struct fromauth_profile *seen[50];
};

static void *resolve_many(void *arg)
{
	struct resolve_race *t = arg;
	for (size_t i = 0; i < 50; i++) {
		const struct fromauth_profile *r = NULL;
		if (fa_profile_resolved_get(t->profile, &r) == 0) {
			t->seen[i] = r;
			(void)fromauth_profile_mail_from_target(r);
			fa_profile_resolved_put(r);
		}
	}
	return NULL;
}

/* Many first checks at once: every one gets a copy, all the same one
 * once the cache holds it (TSan watches the races). */
START_TEST(test_resolved_threads)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	ck_assert_int_eq(fromauth_profile_parse("name = T\nip = 192.0.2.1\n"
						"mail-from = bounce.{domain}\n"
						"mail-from-target = b.example\n",
						"r.profile", &p, err, sizeof(err)), 0);
	struct resolve_race t[8];
	pthread_t th[8];
	for (int i = 0; i < 8; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].profile = p;
		ck_assert_int_eq(pthread_create(&th[i], NULL, resolve_many, &t[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	const struct fromauth_profile *last = NULL;
	ck_assert_int_eq(fa_profile_resolved_get(p, &last), 0);
	for (int i = 0; i < 8; i++) {
		ck_assert_ptr_nonnull(t[i].seen[0]);
		ck_assert_ptr_eq(t[i].seen[49], last);
	}
	fa_profile_resolved_put(last);
	fromauth_profile_free(p);
}
END_TEST

/* The range texts are inet_ntop's, IPv4 written without it included:
 * every octet width, every prefix, small buffers cut as snprintf would. */
START_TEST(test_cidr_text)
{
	static const unsigned char octets[] = { 0, 1, 9, 10, 99, 100, 199, 255 };
	for (size_t i = 0; i < N_ELEMS(octets) * N_ELEMS(octets); i++) {
		for (unsigned int prefix = 0; prefix <= 32; prefix++) {
			unsigned char a[4] = { octets[i % N_ELEMS(octets)], 0,
					       octets[i / N_ELEMS(octets)], 0 };
			for (unsigned int b = prefix; b < 32; b++)
				a[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
			char text[64], want[64], got[64], ntop[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, a, ntop, sizeof(ntop));
			snprintf(text, sizeof(text), "%s/%u", ntop, prefix);
			struct fa_cidr c;
			ck_assert_int_eq(fa_cidr_parse(text, &c, NULL, 0), 0);
			fa_cidr_format(&c, got, sizeof(got));
			ck_assert_str_eq(got, text);
			fa_cidr_first(&c, got, sizeof(got));
			ck_assert_str_eq(got, ntop);
			unsigned char last[4];
			memcpy(last, a, 4);
			for (unsigned int b = prefix; b < 32; b++)
				last[b / 8] |= (unsigned char)(0x80u >> (b % 8));
			inet_ntop(AF_INET, last, want, sizeof(want));
			fa_cidr_last(&c, got, sizeof(got));
			ck_assert_str_eq(got, want);
			for (size_t len = 1; len < 8; len++) {
				char cut[8];
				size_t keep = strlen(text) < len - 1 ? strlen(text) : len - 1;
				memcpy(want, text, keep);
				want[keep] = '\0';
				fa_cidr_format(&c, cut, len);
				ck_assert_str_eq(cut, want);
			}
		}
	}
	/* IPv6: every pattern of zero groups (runs, ties, ends), the
	 * IPv4-mapped and -compatible forms, digits of every width. */
	static const unsigned int values[] = { 1, 0xa, 0xff, 0x100, 0xffff, 0x1234, 0xfff0 };
	for (unsigned int zeros = 0; zeros < 256; zeros++) {
		for (size_t v = 0; v < N_ELEMS(values); v++) {
			struct fa_cidr c = { .family = AF_INET6, .prefix = 128 };
			for (int g = 0; g < 8; g++) {
				unsigned int w = zeros >> g & 1 ? 0 : values[(v + (size_t)g) % N_ELEMS(values)];
				if (g == 5 && v == 4 && zeros == 0x1f)
					w = 0xffff;
				c.addr[2 * g] = (unsigned char)(w >> 8);
				c.addr[2 * g + 1] = (unsigned char)w;
			}
			char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, c.addr, want, sizeof(want));
			fa_cidr_first(&c, got, sizeof(got));
			ck_assert_str_eq(got, want);
		}
	}
	const char *v6[] = { "2001:db8::/32", "::/0", "2001:db8:0:1::/64", "::ffff:0.0.0.0/96",
			     "fe80::1/128", "::ffff:192.0.2.1/128", "::192.0.2.1/128", "::1/128",
			     "1::/128", "1:0:0:1::/64", "1::1:0:0:1/128", "0:1::/32" };
	for (size_t i = 0; i < N_ELEMS(v6); i++) {
		struct fa_cidr c;
		char got[64];
		ck_assert_int_eq(fa_cidr_parse(v6[i], &c, NULL, 0), 0);
		fa_cidr_format(&c, got, sizeof(got));
		ck_assert_str_eq(got, v6[i]);
		unsigned char last[16];
		char want[INET6_ADDRSTRLEN];
		memcpy(last, c.addr, 16);
		for (unsigned int b = c.prefix; b < 128; b++)
			last[b / 8] |= (unsigned char)(0x80u >> (b % 8));
		inet_ntop(AF_INET6, last, want, sizeof(want));
		fa_cidr_last(&c, got, sizeof(got));
		ck_assert_str_eq(got, want);
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc;

	tc = tcase_create("fromauth_profile_load");
	tcase_add_test(tc, test_load_esp);
	tcase_add_test(tc, test_load_variants);
	tcase_add_loop_test(tc, test_load_bad, 0, (int)N_ELEMS(bad_files));
	tcase_add_test(tc, test_load_binary);
	suite_add_tcase(s, tc);

	tc = tcase_create("fromauth_profile_parse");
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)N_ELEMS(bad_texts));
	tcase_add_test(tc, test_parse_comments);
	tcase_add_test(tc, test_parse_long_lines);
	tcase_add_test(tc, test_parse_args);
	tcase_add_test(tc, test_action_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("fromauth_profile_set");
	tcase_add_test(tc, test_new_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("fromauth_profile_validate");
	tcase_add_test(tc, test_validate);
	suite_add_tcase(s, tc);

	tc = tcase_create("fromauth_profile_getters");
	tcase_add_test(tc, test_getters_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_profile_expand");
	tcase_add_test(tc, test_expand);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_profile_resolved_get");
	tcase_add_test(tc, test_resolved_shared);
	tcase_add_test(tc, test_resolved_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_cidr_format");
	tcase_add_test(tc, test_cidr_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("fa_profile_allows_from");
	tcase_add_test(tc, test_allows_from);
	suite_add_tcase(s, tc);
	return s;
}
