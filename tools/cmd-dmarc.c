/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth dmarc DOMAIN: the DMARC policy that applies to a domain, as a
 * domain admin reads it.  Public API only, through the getters a binding
 * uses too. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void dmarc_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth dmarc DOMAIN [--zone FILE]... [--assume 'RR']... [--offline]\n"
		"                      [--nameserver ADDR[@PORT]] [--timeout MS] [--json]\n\n"
		"Find the DMARC record that applies to DOMAIN (RFC 9989 DNS tree walk,\n"
		"compared with RFC 7489's Public Suffix List discovery), validate it,\n"
		"and show the policy receivers apply, problems, and report addresses\n"
		"that lack their authorization record.\n\n"
		"  --json               print one JSON object\n"
		DNS_OPTIONS_HELP
		"\nExit status: 0 a valid DMARC record applies to DOMAIN; 1 none does (no\n"
		"record, an unusable one, or a temporary DNS failure); 64 usage error;\n"
		"65 bad input (malformed domain or zone data); 66 unreadable file.\n");
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static const char *tag_name(int policy)
{
	return policy == FROMAUTH_DMARC_POLICY_ABSENT ? "-" : fromauth_dmarc_policy_name(policy);
}

static void print_list(const char *label, const struct fromauth_dmarc *d,
		       size_t (*count)(const struct fromauth_dmarc *),
		       const char *(*item)(const struct fromauth_dmarc *, size_t))
{
	size_t n = count(d);
	if (n == 0) {
		printf("  %-12s -\n", label);
		return;
	}
	for (size_t i = 0; i < n; i++)
		printf("  %-12s %s\n", i ? "" : label, item(d, i));
}

static void print_human(const struct fromauth_dmarc *d)
{
	const char *domain = fromauth_dmarc_domain(d);
	const char *record_domain = fromauth_dmarc_record_domain(d);
	const char *policy = fromauth_dmarc_policy_name(fromauth_dmarc_policy(d));
	const char *applied = fromauth_dmarc_policy_name(fromauth_dmarc_effective_policy(d));
	const char *tag = fromauth_dmarc_policy_tag(d);
	int have_record = *record_domain != '\0';

	printf("DMARC for %s\n", domain);
	if (fromauth_dmarc_temperror(d))
		printf("  ! a DNS lookup failed temporarily: the result may be incomplete\n");
	if (have_record) {
		printf("  %-12s _dmarc.%s\n", "record at", record_domain);
		printf("  %-12s \"%s\"\n", "record", fromauth_dmarc_record(d));
	} else {
		printf("  %-12s none applies to %s\n", "record", domain);
	}
	const char *multi = fromauth_dmarc_multiple_domain(d);
	if (multi)
		printf("  %-12s _dmarc.%s has %zu DMARC records; receivers discard them all\n",
		       "!", multi, fromauth_dmarc_record_count(d));
	printf("  %-12s %s\n", "org domain", fromauth_dmarc_org_domain(d));

	if (have_record) {
		const char *why;
		if (!tag)
			why = "the record's policy tags are unusable";
		else if (!strcmp(record_domain, domain))
			why = "the record is the domain's own";
		else if (fromauth_dmarc_nonexistent(d))
			why = "for a subdomain that does not exist (no A, AAAA or MX)";
		else
			why = "for an existing subdomain";
		if (tag)
			printf("  %-12s %s (from %s=, %s)\n", "policy", policy, tag, why);
		else
			printf("  %-12s none applies: %s\n", "policy", why);
		if (!tag)
			;
		else if (strcmp(applied, policy) != 0)
			printf("  %-12s %s (t=y: the owner is testing, receivers apply one step less)\n",
			       "applied", applied);
		else
			printf("  %-12s %s\n", "applied", applied);
		char pct[16] = "-";
		if (fromauth_dmarc_pct(d) >= 0)
			snprintf(pct, sizeof(pct), "%d", fromauth_dmarc_pct(d));
		printf("  %-12s p=%s sp=%s np=%s adkim=%s aspf=%s pct=%s t=%s psd=%s\n",
		       "tags", tag_name(fromauth_dmarc_p(d)), tag_name(fromauth_dmarc_sp(d)),
		       tag_name(fromauth_dmarc_np(d)), fromauth_dmarc_adkim(d),
		       fromauth_dmarc_aspf(d), pct, fromauth_dmarc_testing(d) ? "y" : "n",
		       or_dash(fromauth_dmarc_psd(d)));
		print_list("rua", d, fromauth_dmarc_rua_count, fromauth_dmarc_rua);
		print_list("ruf", d, fromauth_dmarc_ruf_count, fromauth_dmarc_ruf);
	} else {
		printf("  %-12s none: receivers apply no DMARC policy\n", "policy");
	}
	print_list("problems", d, fromauth_dmarc_problem_count, fromauth_dmarc_problem);

	size_t n = fromauth_dmarc_unauthorized_count(d);
	for (size_t i = 0; i < n; i++) {
		const char *name = fromauth_dmarc_unauthorized_record(d, i);
		printf("  %-12s %s: %s has not agreed to receive reports for %s\n",
		       i ? "" : "unauthorized", fromauth_dmarc_unauthorized(d, i),
		       fromauth_dmarc_unauthorized_host(d, i), record_domain);
		/* One fix per destination host. */
		char fix[1024];
		if ((i + 1 == n || strcmp(fromauth_dmarc_unauthorized_record(d, i + 1), name) != 0) &&
		    fromauth_dmarc_unauthorized_fix(d, i, fix, sizeof(fix)) == 0)
			printf("  %-12s   fix: %s\n", "", fix);
	}

	const char *differs = fromauth_dmarc_discovery_differs(d);
	if (differs)
		printf("  %-12s %s\n", "! discovery", differs);
	else
		printf("  %-12s RFC 7489 (Public Suffix List, org domain %s) agrees\n",
		       "discovery", or_dash(fromauth_dmarc_rfc7489_org_domain(d)));

	n = fromauth_dmarc_tree_walk_count(d);
	printf("  %-12s", "tree walk");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ", fromauth_dmarc_tree_walk(d, i));
	printf("\n");
}

int cmd_dmarc(int argc, char **argv)
{
	static const struct option options[] = {
		DNS_LONG_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_dmarc *d = NULL;
	int status = 0, json = 0, c, rc;

	if (fromauth_ctx_new(&ctx) != 0)
		return report_error("context", FROMAUTH_E_NOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			dmarc_usage(stdout);
			goto out;
		}
		if (c == 'j') {
			json = 1;
			continue;
		}
		if (c == '?') {
			status = usage_error("dmarc", "bad option");
			goto out;
		}
		rc = dns_option(ctx, c, optarg);
		if (rc != 0) {
			status = rc;
			goto out;
		}
	}
	if (argc - optind != 1) {
		status = usage_error("dmarc", "expected one DOMAIN");
		goto out;
	}

	char err[FROMAUTH_ERRBUF_SIZE] = "";
	rc = fromauth_dmarc_check(ctx, argv[optind], &d, err, sizeof(err));
	if (rc != 0) {
		status = report_error(argv[optind], rc, err);
		goto out;
	}
	if (json)
		printf("%s\n", fromauth_dmarc_json(d));
	else
		print_human(d);
	status = fromauth_dmarc_policy(d) != FROMAUTH_DMARC_POLICY_ABSENT ? 0 : 1;
out:
	fromauth_dmarc_free(d);
	fromauth_ctx_free(ctx);
	return status;
}
