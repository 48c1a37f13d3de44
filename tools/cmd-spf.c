/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth spf --ip IP --mail-from ADDR_OR_DOMAIN: one check_host(). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

static void spf_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth spf --ip IP --mail-from ADDR_OR_DOMAIN [--helo HOST] [--json]\n"
		"                    [--zone FILE]... [--assume 'RR']... [--offline]\n"
		"                    [--nameserver ADDR[@PORT]] [--timeout MS]\n\n"
		"Evaluate SPF (RFC 7208 check_host) for a client IP and an envelope sender.\n"
		"An empty --mail-from is the null sender: SPF then checks postmaster@HELO.\n"
		"Prints the result and why; exit status 0 when the evaluation was done,\n"
		"whatever its result.\n\n"
		"  --ip IP              the sending client's IPv4 or IPv6 address\n"
		"  --mail-from ADDR     MAIL FROM address or domain (\"\" for the null sender)\n"
		"  --helo HOST          HELO/EHLO name\n"
		"  --json               print one JSON object\n"
		DNS_OPTIONS_HELP);
}

int cmd_spf(int argc, char **argv)
{
	static const struct option options[] = {
		DNS_LONG_OPTIONS,
		{ "ip", required_argument, NULL, 'i' },
		{ "mail-from", required_argument, NULL, 'm' },
		{ "helo", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_spf *spf = NULL;
	const char *ip = NULL, *mail_from = NULL, *helo = NULL;
	int json = 0, status = 0, c, rc;

	if (fromauth_ctx_new(&ctx) != 0)
		return report_error("context", FROMAUTH_E_NOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			spf_usage(stdout);
			goto out;
		case 'i':
			ip = optarg;
			continue;
		case 'm':
			mail_from = optarg;
			continue;
		case 'e':
			helo = optarg;
			continue;
		case 'j':
			json = 1;
			continue;
		case '?':
			status = usage_error("spf", "bad option");
			goto out;
		}
		rc = dns_option(ctx, c, optarg);
		if (rc != 0) {
			status = rc;
			goto out;
		}
	}
	if (optind != argc) {
		status = usage_error("spf", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!ip || !mail_from) {
		status = usage_error("spf", "--ip and --mail-from are required");
		goto out;
	}

	char err[512] = "";
	rc = fromauth_spf_check(ctx, ip, mail_from, helo, &spf, err, sizeof(err));
	if (rc != 0) {
		status = report_error("spf", rc, err);
		goto out;
	}
	if (json) {
		printf("%s\n", fromauth_spf_json(spf));
	} else {
		const char *exp = fromauth_spf_explanation(spf);
		printf("%s: %s%s%s%s\n",
		       fromauth_spf_result_name(fromauth_spf_result(spf)),
		       fromauth_spf_reason(spf),
		       *exp ? " (explanation: \"" : "", exp, *exp ? "\")" : "");
	}
out:
	fromauth_spf_free(spf);
	fromauth_ctx_free(ctx);
	return status;
}
