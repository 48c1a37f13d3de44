/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth dns NAME TYPE: what the library's DNS layer answers. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

static void dns_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth dns NAME TYPE [--zone FILE]... [--assume 'RR']... [--offline]\n"
		"                    [--nameserver ADDR[@PORT]] [--timeout MS]\n\n"
		"TYPE is one of A, AAAA, CNAME, MX, PTR, TXT.\n"
		DNS_OPTIONS_HELP);
}

int cmd_dns(int argc, char **argv)
{
	static const struct option options[] = {
		DNS_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_dns_answer *ans = NULL;
	int status = 0, c, rc;

	if (fromauth_ctx_new(&ctx) != 0)
		return report_error("context", FROMAUTH_E_NOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			dns_usage(stdout);
			goto out;
		}
		if (c == '?') {
			status = usage_error("dns", "bad option");
			goto out;
		}
		rc = dns_option(ctx, c, optarg);
		if (rc != 0) {
			status = rc;
			goto out;
		}
	}
	if (argc - optind != 2) {
		status = usage_error("dns", "expected NAME TYPE");
		goto out;
	}
	const char *name = argv[optind];
	int type = fromauth_rrtype_from_name(argv[optind + 1]);
	if (type == 0) {
		status = usage_error("dns", "unknown record type '%s'", argv[optind + 1]);
		goto out;
	}

	char err[512] = "";
	rc = fromauth_dns_lookup(ctx, name, type, &ans, err, sizeof(err));
	if (rc != 0) {
		status = report_error(name, rc, err);
		goto out;
	}
	int st = fromauth_dns_answer_status(ans);
	for (size_t i = 0; i < fromauth_dns_answer_cname_count(ans); i++)
		printf("; CNAME -> %s\n", fromauth_dns_answer_cname(ans, i));
	if (st == FROMAUTH_DNS_OK) {
		for (size_t i = 0; i < fromauth_dns_answer_count(ans); i++)
			printf("%s %u IN %s %s\n", name, fromauth_dns_answer_ttl(ans),
			       argv[optind + 1], fromauth_dns_answer_record(ans, i));
	} else {
		printf("%s %s: %s\n", name, argv[optind + 1],
		       fromauth_dns_status_name(st));
	}
	printf("; from %s, %u queries, %u ms\n", fromauth_dns_answer_source(ans),
	       fromauth_dns_answer_queries(ans), fromauth_dns_answer_elapsed_ms(ans));
	/* Temporary failures are worth a non-zero status in scripts. */
	if (st == FROMAUTH_DNS_TIMEOUT || st == FROMAUTH_DNS_SERVFAIL)
		status = 3;
out:
	fromauth_dns_answer_free(ans);
	fromauth_ctx_free(ctx);
	return status;
}
