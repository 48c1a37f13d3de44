/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth dkim SELECTOR DOMAIN: is the DKIM key there and usable? */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void dkim_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth dkim SELECTOR DOMAIN [--target NAME] [--json]\n"
		"                     [--zone FILE]... [--assume 'RR']... [--offline]\n"
		"                     [--nameserver ADDR[@PORT]] [--timeout MS]\n\n"
		"Test the DKIM key at SELECTOR._domainkey.DOMAIN: present, valid, its type\n"
		"and size, testing flag (t=y) and the CNAMEs followed to it.\n\n"
		"  --target NAME        the CNAME target the sending service publishes the\n"
		"                       key at; anything else is a mismatch unless it holds\n"
		"                       the same key\n"
		"  --json               print the result as one JSON object\n"
		DNS_OPTIONS_HELP
		"\nExit status: 0 the key is valid, 1 it is not (missing, invalid, revoked,\n"
		"weak, mismatch, or the lookup failed temporarily), 64 usage error,\n"
		"65 bad input (a malformed selector or domain), 66 unreadable zone file.\n");
}

static void print_human(const struct fromauth_dkim *dkim)
{
	int status = fromauth_dkim_status(dkim);
	const char *type = fromauth_dkim_key_type(dkim);
	unsigned int bits = fromauth_dkim_key_bits(dkim);
	size_t ncnames = fromauth_dkim_cname_count(dkim);

	printf("%s._domainkey.%s: %s\n", fromauth_dkim_selector(dkim),
	       fromauth_dkim_domain(dkim), fromauth_dkim_status_name(status));
	printf("  %s\n", fromauth_dkim_reason(dkim));
	if (*type) {
		printf("  key:      %s", type);
		if (bits)
			printf(", %u bits", bits);
		if (fromauth_dkim_key_short(dkim))
			printf(" (short: 2048 advised)");
		printf("\n");
	}
	if (*type)
		printf("  testing:  %s\n", fromauth_dkim_testing(dkim)
		       ? "yes (t=y): receivers may treat failures as unsigned mail" : "no");
	if (ncnames) {
		printf("  CNAME:    %s._domainkey.%s", fromauth_dkim_selector(dkim),
		       fromauth_dkim_domain(dkim));
		for (size_t i = 0; i < ncnames; i++)
			printf(" -> %s", fromauth_dkim_cname(dkim, i));
		printf("\n");
	}
	const char *target = fromauth_dkim_expected_target(dkim);
	if (target) {
		const char *how = "not reached";
		if (fromauth_dkim_target_reached(dkim) == 1)
			how = "the CNAME chain reaches it";
		else if (fromauth_dkim_target_key_equal(dkim) == 1)
			how = ncnames ? "a CNAME elsewhere, but the same key"
			      : "not a CNAME, but the same key";
		printf("  target:   %s (%s)\n", target, how);
	}
	const char *record = fromauth_dkim_record(dkim);
	if (*record) {
		if (strlen(record) > 100)
			printf("  record:   %.97s...\n", record);
		else
			printf("  record:   %s\n", record);
	}
}

int cmd_dkim(int argc, char **argv)
{
	static const struct option options[] = {
		DNS_LONG_OPTIONS,
		{ "target", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_dkim *dkim = NULL;
	const char *target = NULL;
	int json = 0, status = 0, c, rc;

	if (fromauth_ctx_new(&ctx) != 0)
		return report_error("context", FROMAUTH_E_NOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			dkim_usage(stdout);
			goto out;
		}
		if (c == 'j') {
			json = 1;
			continue;
		}
		if (c == 'T') {
			target = optarg;
			continue;
		}
		if (c == '?') {
			status = usage_error("dkim", "bad option");
			goto out;
		}
		rc = dns_option(ctx, c, optarg);
		if (rc != 0) {
			status = rc;
			goto out;
		}
	}
	if (argc - optind != 2) {
		status = usage_error("dkim", "expected SELECTOR DOMAIN");
		goto out;
	}

	char err[512] = "";
	rc = fromauth_dkim_check(ctx, argv[optind], argv[optind + 1], target,
				 &dkim, err, sizeof(err));
	if (rc != 0) {
		status = report_error("dkim", rc, err);
		goto out;
	}
	if (json)
		printf("%s\n", fromauth_dkim_json(dkim));
	else
		print_human(dkim);
	status = fromauth_dkim_status(dkim) == FROMAUTH_DKIM_VALID ? 0 : 1;
out:
	fromauth_dkim_free(dkim);
	fromauth_ctx_free(ctx);
	return status;
}
