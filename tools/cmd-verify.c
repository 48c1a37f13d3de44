/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth verify FILE|-: why did this message fail? (SPEC section 10) */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* One more than the library's bound, so a larger message reaches the
 * library and gets its clear error instead of being cut here. */
#define READ_MAX (10u * 1024 * 1024 + 1)

static void verify_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth verify FILE|- [--ip IP] [--helo HOST] [--mail-from ADDR]\n"
		"                       [--authserv-id ID] [--zone FILE]... [--offline]\n"
		"                       [--assume 'RR']... [--nameserver ADDR[@PORT]] [--timeout MS]\n"
		"                       [--fix] [--json]\n\n"
		"Why did this message fail?  Verifies its DKIM signatures, SPF for the\n"
		"connection and DMARC for its From domain, and sets the receiver's own\n"
		"Authentication-Results beside ours.\n\n"
		"  --ip IP              the client IP (default: topmost Received: field)\n"
		"  --helo HOST          the HELO name (default: topmost Received: field)\n"
		"  --mail-from ADDR     the MAIL FROM, '' for <> (default: Return-Path:)\n"
		"  --authserv-id ID     our authserv-id; compare only the message's fields with it\n"
		"  --fix                publish the fix records as overlay and verify again\n"
		"  --json               print one JSON object\n"
		DNS_OPTIONS_HELP
		"\nExit status: 0 DMARC pass or none, 2 DMARC fail, 3 temperror,\n"
		"64 usage error, 65 bad input data, 66 unreadable file.\n");
}

static int read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -1;
	for (;;) {
		if (n == cap) {
			if (cap >= READ_MAX)
				break;
			cap = cap * 2 > READ_MAX ? READ_MAX : cap * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

static void print_report(const struct fromauth_verify *v)
{
	const char *res = fromauth_verify_dmarc_result(v);
	printf("%s: DMARC %s\n", fromauth_verify_from(v), res);
	if (fromauth_verify_fixed_dmarc_result(v))
		printf("After publishing the fixes below: DMARC %s\n",
		       fromauth_verify_fixed_dmarc_result(v));
	printf("Authentication-Results: %s\n\n", fromauth_verify_authentication_results(v));
	size_t n = fromauth_verify_signature_count(v);
	for (size_t i = 0; i < n; i++) {
		int al = fromauth_verify_signature_aligned(v, i);
		printf("DKIM   d=%s s=%s: %s%s\n       %s\n", fromauth_verify_signature_domain(v, i),
		       fromauth_verify_signature_selector(v, i),
		       fromauth_verify_signature_result(v, i),
		       al == 1 ? ", aligned" : al == 0 ? ", not aligned" : "",
		       fromauth_verify_signature_reason(v, i));
	}
	if (n == 0)
		printf("DKIM   no signature\n");
	const struct fromauth_spf *spf = fromauth_verify_spf(v);
	if (spf)
		printf("SPF    %s for %s from %s%s\n", fromauth_verify_spf_result(v),
		       fromauth_spf_domain(spf), fromauth_spf_ip(spf),
		       fromauth_verify_spf_aligned(v) == 1 ? ", aligned" : "");
	else
		printf("SPF    none (the connection is unknown)\n");
	printf("\nFindings:\n");
	for (size_t i = 0; i < fromauth_verify_finding_count(v); i++) {
		printf("  %-7s %-22s %s\n",
		       fromauth_severity_name(fromauth_verify_finding_severity(v, i)),
		       fromauth_verify_finding_code(v, i), fromauth_verify_finding_message(v, i));
		for (size_t j = 0; j < fromauth_verify_finding_fix_count(v, i); j++)
			printf("          fix: %s\n", fromauth_verify_finding_fix(v, i, j));
	}
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'm' },
		{ "authserv-id", required_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "fix", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		DNS_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *ip = NULL, *helo = NULL, *mail_from = NULL, *authserv_id = NULL;
	int json = 0, fix = 0, c, status;
	struct fromauth_ctx *ctx = NULL;

	if (fromauth_ctx_new(&ctx) != 0) {
		fprintf(stderr, "fromauth: out of memory\n");
		return EXIT_SOFTWARE;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': ip = optarg; break;
		case 'H': helo = optarg; break;
		case 'm': mail_from = optarg; break;
		case 'A': authserv_id = optarg; break;
		case 'j': json = 1; break;
		case 'f': fix = 1; break;
		case 'h':
			verify_usage(stdout);
			fromauth_ctx_free(ctx);
			return 0;
		default:
			status = dns_option(ctx, c, optarg);
			if (status == -1)
				status = usage_error("verify", "unknown option");
			if (status) {
				fromauth_ctx_free(ctx);
				return status;
			}
		}
	}
	if (optind != argc - 1) {
		fromauth_ctx_free(ctx);
		return usage_error("verify", "exactly one FILE (or - for standard input) is required");
	}
	const char *path = argv[optind];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *msg = NULL;
	size_t len = 0;
	if (!f || read_all(f, &msg, &len) != 0) {
		fprintf(stderr, "fromauth: %s: %s\n", path, strerror(errno ? errno : EIO));
		if (f && f != stdin)
			fclose(f);
		fromauth_ctx_free(ctx);
		return EXIT_NOINPUT;
	}
	if (f != stdin)
		fclose(f);

	struct fromauth_verify *v = NULL;
	char err[512] = "";
	int rc = fromauth_verify(ctx, msg, len, ip, helo, mail_from, authserv_id,
				 fix ? FROMAUTH_VERIFY_FIX : 0, &v,
				 err, sizeof(err));
	free(msg);
	if (rc) {
		fromauth_ctx_free(ctx);
		return rc == FROMAUTH_E_INVAL && authserv_id
			? usage_error("verify", "%s", err) : report_error(path, rc, err);
	}
	if (json)
		printf("%s\n", fromauth_verify_json(v));
	else
		print_report(v);
	const char *res = fromauth_verify_dmarc_result(v);
	status = !strcmp(res, "pass") || !strcmp(res, "none") ? 0 :
		 !strcmp(res, "temperror") ? 3 : 2;
	fromauth_verify_free(v);
	fromauth_ctx_free(ctx);
	return status;
}
