/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth check FROM --service FILE: the whole question, answered. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth check FROM --service NAME|FILE [--param NAME=VALUE]...\n"
		"                      [--zone FILE]... [--offline]\n"
		"                      [--assume 'RR']... [--nameserver ADDR[@PORT]] [--timeout MS]\n"
		"                      [--fix] [--rules LIST] [--reputation [--dnsbl SPEC]...]\n"
		"                      [--json]\n\n"
		"Can mail with the From address FROM, sent through the service described\n"
		"by the profile FILE, pass SPF, DKIM and DMARC?  If not, which DNS records\n"
		"fix it?\n\n"
		"  --service NAME|FILE  a catalogue service ('fromauth services' lists them)\n"
		"                       or a profile file (required)\n"
		"  --param NAME=VALUE   a per-account value the profile asks for (repeatable)\n"
		"  --fix                apply every concrete fix as overlay and check again\n"
		"  --rules LIST         receivers' sender rules: gmail,yahoo,outlook,apple or all\n"
		"  --reputation         look the domains and service addresses up on DNS\n"
		"                       blocklists (sends queries about them to the lists)\n"
		"  --dnsbl SPEC         ask this blocklist instead of the defaults (repeatable):\n"
		"                       'zone=Z; kind=ip|domain; listed=127.0.0.2 meaning,...'\n"
		"  --json               print one JSON object\n"
		DNS_OPTIONS_HELP
		"\nExit status: 0 pass, 1 at-risk, 2 fail, 3 unknown, 64 usage error,\n"
		"65 bad input data, 66 unreadable file.\n");
}

static void print_rules(const struct fromauth_result *r);

/* The first error finding with a fix, else the first error, else the
 * first warning (an at-risk domain may have no error): the one thing to
 * do next. */
/* Fixes of finding @i, each with its operation; additions keep the
 * "fix:" label scripts may read. */
static void print_fixes(const struct fromauth_result *r, size_t i, const char *indent,
			int labels)
{
	const char *add = fromauth_result_finding_fix_needs_input(r, i) > 0
			  ? "fix (fill in <...>): " : "fix: ";
	for (size_t j = 0; j < fromauth_result_finding_op_count(r, i); j++) {
		const char *rr = fromauth_result_finding_op_rr(r, i, j);
		switch (fromauth_result_finding_op(r, i, j)) {
		case FROMAUTH_FIX_ADD:
			printf("%s%s%s\n", indent, labels ? add : "", rr);
			break;
		case FROMAUTH_FIX_REPLACE:
			printf("%sreplace: %s\n%s   with: %s\n", indent,
			       fromauth_result_finding_op_old(r, i, j), indent, rr);
			break;
		case FROMAUTH_FIX_DELETE:
			printf("%sdelete: %s\n", indent, rr);
			break;
		case FROMAUTH_FIX_ACTION:
			printf("%sAt the service: %s\n", indent,
			       fromauth_result_finding_op_text(r, i, j));
			break;
		}
	}
}

/* Fixes of finding @i that change DNS records. */
static size_t dns_fixes(const struct fromauth_result *r, size_t i)
{
	size_t n = 0;
	for (size_t j = 0; j < fromauth_result_finding_op_count(r, i); j++)
		n += fromauth_result_finding_op(r, i, j) != FROMAUTH_FIX_ACTION;
	return n;
}

static size_t next_step(const struct fromauth_result *r);

/* The finding of @code, or the count when there is none. */
static size_t finding_of(const struct fromauth_result *r, const char *code)
{
	size_t n = fromauth_result_finding_count(r);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fromauth_result_finding_code(r, i), code))
			return i;
	return n;
}

/* With --fix: what publishing the fixes gives, and when it is not a
 * pass, why: what only the service can change, or why nothing can.  "No
 * DNS record of yours changes this" only when no fix of the customer's
 * records changes the verdict. */
static void print_outlook(const struct fromauth_result *r)
{
	int verdict = fromauth_result_verdict(r), fixed = fromauth_result_fixed_verdict(r);
	size_t n = fromauth_result_finding_count(r), fixes = 0, actions = 0;
	for (size_t i = 0; i < n; i++) {
		size_t dns = dns_fixes(r, i);
		fixes += dns;
		actions += fromauth_result_finding_op_count(r, i) - dns;
	}
	if (fixes)
		printf("After publishing the fixes below: %s\n", fromauth_verdict_name(fixed));
	if (fixed == FROMAUTH_VERDICT_PASS || (!fixes && verdict == FROMAUTH_VERDICT_PASS))
		return;
	if (fixes)
		printf("It stays %s", fromauth_verdict_name(fixed));
	else
		printf("No DNS record of yours changes this: the verdict stays %s",
		       fromauth_verdict_name(fixed));
	if (actions) {
		printf("; only the service can change it:\n");
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < fromauth_result_finding_op_count(r, i); j++)
				if (fromauth_result_finding_op(r, i, j) == FROMAUTH_FIX_ACTION)
					printf("    At the service: %s\n",
					       fromauth_result_finding_op_text(r, i, j));
		return;
	}
	size_t step = next_step(r);
	if (finding_of(r, "domain.nxdomain") < n)
		printf(" (no record creates a domain that does not exist).\n");
	else if (fixed == FROMAUTH_VERDICT_UNKNOWN)
		printf(" (a DNS lookup failed temporarily; check again later).\n");
	else if (step < n)
		printf(" (see %s below).\n", fromauth_result_finding_code(r, step));
	else
		printf(".\n");
}

static size_t next_step(const struct fromauth_result *r)
{
	size_t n = fromauth_result_finding_count(r), first_error = n, first_warning = n;
	/* What no record fixes comes first: the service refusing the
	 * address, a domain that does not exist (findings in SPEC order). */
	for (size_t i = 0; i < n; i++) {
		const char *code = fromauth_result_finding_code(r, i);
		if (!strcmp(code, "service.send_as_denied") || !strcmp(code, "domain.nxdomain"))
			return i;
	}
	for (size_t i = 0; i < n; i++) {
		int severity = fromauth_result_finding_severity(r, i);
		if (severity == FROMAUTH_SEVERITY_WARNING && first_warning == n)
			first_warning = i;
		if (severity != FROMAUTH_SEVERITY_ERROR)
			continue;
		if (fromauth_result_finding_op_count(r, i) > 0)
			return i;
		if (first_error == n)
			first_error = i;
	}
	return first_error < n ? first_error : first_warning;
}

static void print_report(const struct fromauth_result *r, const char *from)
{
	int verdict = fromauth_result_verdict(r);
	static const char *const meaning[] = {
		[FROMAUTH_VERDICT_PASS] = "mail will pass DMARC at receivers",
		[FROMAUTH_VERDICT_AT_RISK] = "mail may be delivered, but is not protected or not aligned",
		[FROMAUTH_VERDICT_FAIL] = "receivers will reject or spam-folder this mail",
		[FROMAUTH_VERDICT_UNKNOWN] = "a DNS lookup failed temporarily; check again later",
	};
	printf("%s: %s (%s)\n", from, fromauth_verdict_name(verdict), meaning[verdict]);

	size_t step = next_step(r);
	if (step < fromauth_result_finding_count(r)) {
		printf("Next step: %s\n", fromauth_result_finding_message(r, step));
		if (fromauth_result_finding_fix_needs_input(r, step) > 0)
			printf("    (replace the <...> part with the value the service gives you)\n");
		print_fixes(r, step, "    ", 0);
	}
	if (fromauth_result_fixed_verdict(r) >= 0)
		print_outlook(r);

	const struct fromauth_dmarc *d = fromauth_result_dmarc(r);
	printf("\nDMARC  ");
	if (*fromauth_dmarc_record(d))
		printf("_dmarc.%s: %s\n       policy %s, applied %s\n", fromauth_dmarc_record_domain(d),
		       fromauth_dmarc_record(d),
		       fromauth_dmarc_policy_name(fromauth_dmarc_policy(d)),
		       fromauth_dmarc_policy_name(fromauth_dmarc_effective_policy(d)));
	else
		printf("no record for %s\n", fromauth_result_domain(r));
	printf("SPF    MAIL FROM %s: %s", fromauth_result_mail_from(r),
	       fromauth_result_spf_summary(r));
	for (size_t i = 0; i < fromauth_result_spf_count(r); i++) {
		const struct fromauth_spf *s = fromauth_result_spf(r, i);
		printf("%s%s %s", i ? ", " : " (", fromauth_spf_ip(s),
		       fromauth_spf_result_name(fromauth_spf_result(s)));
	}
	printf("%s\n", fromauth_result_spf_count(r) ? ")" : "");
	for (size_t i = 0; i < fromauth_result_dkim_count(r); i++) {
		const struct fromauth_dkim *k = fromauth_result_dkim(r, i);
		printf("DKIM   %s._domainkey.%s: %s", fromauth_dkim_selector(k),
		       fromauth_dkim_domain(k), fromauth_dkim_status_name(fromauth_dkim_status(k)));
		if (fromauth_dkim_key_bits(k))
			printf(" (%s %u bits)", fromauth_dkim_key_type(k), fromauth_dkim_key_bits(k));
		printf("\n");
	}

	printf("\nFindings:\n");
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++) {
		printf("  %-7s %-22s %s\n",
		       fromauth_severity_name(fromauth_result_finding_severity(r, i)),
		       fromauth_result_finding_code(r, i), fromauth_result_finding_message(r, i));
		print_fixes(r, i, "          ", 1);
	}
	print_rules(r);
	printf("\nDNS: %u queries, %u cache hits, %u ms\n", fromauth_result_dns_queries(r),
	       fromauth_result_cache_hits(r), fromauth_result_elapsed_ms(r));
}

/* "gmail,yahoo" or "all" into FROMAUTH_CHECK_RULES_* bits; 0 if bad. */
static unsigned int parse_rules(const char *list)
{
	static const struct { const char *name; unsigned int bit; } names[] = {
		{ "gmail", FROMAUTH_CHECK_RULES_GMAIL }, { "yahoo", FROMAUTH_CHECK_RULES_YAHOO },
		{ "outlook", FROMAUTH_CHECK_RULES_OUTLOOK }, { "apple", FROMAUTH_CHECK_RULES_APPLE },
		{ "all", FROMAUTH_CHECK_RULES_ALL },
	};
	unsigned int bits = 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		unsigned int bit = 0;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(p, names[i].name, n))
				bit = names[i].bit;
		if (!bit)
			return 0;
		bits |= bit;
		p += n + (p[n] == ',');
	}
	return bits;
}

/* The receivers' rows: what passes in one line each, what does not with
 * its message and the finding that fixes it. */
static void print_rules(const struct fromauth_result *r)
{
	size_t n = fromauth_result_rule_count(r);
	if (n) {
		printf("\nReceivers' rules (tier: all senders or bulk senders):\n");
		for (size_t i = 0; i < n; i++) {
			int status = fromauth_result_rule_status(r, i);
			printf("  %-7s %-4s %-11s %s\n", fromauth_result_rule_receiver(r, i),
			       fromauth_result_rule_tier(r, i), fromauth_rule_status_name(status),
			       fromauth_result_rule_requirement(r, i));
			if (status != FROMAUTH_RULE_FAIL && status != FROMAUTH_RULE_UNKNOWN)
				continue;
			printf("          %s\n", fromauth_result_rule_message(r, i));
			if (*fromauth_result_rule_code(r, i))
				printf("          reply: %s\n", fromauth_result_rule_code(r, i));
			if (fromauth_result_rule_finding(r, i))
				printf("          fix: see finding %s\n", fromauth_result_rule_finding(r, i));
		}
	}
	size_t m = fromauth_result_reputation_count(r);
	if (m) {
		size_t clean = 0;
		printf("\nReputation (DNS blocklists):\n");
		for (size_t i = 0; i < m; i++) {
			int status = fromauth_result_reputation_status(r, i);
			if (status == FROMAUTH_REPUTATION_NOT_LISTED) {
				clean++;
				continue;
			}
			printf("  %-10s %s on %s: %s\n", fromauth_reputation_status_name(status),
			       fromauth_result_reputation_target(r, i), fromauth_result_reputation_zone(r, i),
			       fromauth_result_reputation_reason(r, i));
		}
		printf("  %zu of %zu lookups not listed\n", clean, m);
	}
}

int cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
		DNS_LONG_OPTIONS,
		{ "service", required_argument, NULL, 's' },
		{ "param", required_argument, NULL, 'p' },
		{ "fix", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "rules", required_argument, NULL, 'r' },
		{ "reputation", no_argument, NULL, 'R' },
		{ "dnsbl", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_profile *profile = NULL;
	struct fromauth_result *r = NULL;
	const char *service = NULL;
	const char *params[32];
	size_t nparams = 0;
	int json = 0, fix = 0, status = 0, c, rc;
	unsigned int extra = 0;
	char err[1024] = "";

	if (fromauth_ctx_new(&ctx) != 0)
		return report_error("context", FROMAUTH_E_NOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			check_usage(stdout);
			goto out;
		case 's':
			service = optarg;
			continue;
		case 'p':
			if (nparams == sizeof(params) / sizeof(params[0]) || !strchr(optarg, '=')) {
				status = usage_error("check", "--param %s: expected NAME=VALUE (at most 32)",
						     optarg);
				goto out;
			}
			params[nparams++] = optarg;
			continue;
		case 'f':
			fix = 1;
			continue;
		case 'j':
			json = 1;
			continue;
		case 'r': {
			unsigned int bits = parse_rules(optarg);
			if (!bits) {
				status = usage_error("check", "--rules takes gmail, yahoo, outlook, apple or all, comma-separated");
				goto out;
			}
			extra |= bits;
			continue;
		}
		case 'R':
			extra |= FROMAUTH_CHECK_REPUTATION;
			continue;
		case 'B':
			if ((rc = fromauth_ctx_add_dnsbl(ctx, optarg, err, sizeof(err))) != 0) {
				status = report_error("--dnsbl", rc, err);
				goto out;
			}
			continue;
		case '?':
			status = usage_error("check", "bad option");
			goto out;
		}
		if ((rc = dns_option(ctx, c, optarg)) != 0) {
			status = rc;
			goto out;
		}
	}
	if (argc - optind != 1) {
		status = usage_error("check", "expected exactly one From address");
		goto out;
	}
	if (!service) {
		status = usage_error("check", "--service NAME or FILE is required");
		goto out;
	}
	rc = fromauth_profile_load_service(service, &profile, err, sizeof(err));
	if (rc) {
		status = report_error("--service", rc, err);
		goto out;
	}
	if ((status = set_params(profile, params, nparams)) != 0)
		goto out;
	rc = fromauth_check(ctx, profile, argv[optind], (fix ? FROMAUTH_CHECK_FIX : 0) | extra, &r,
			    err, sizeof(err));
	if (rc) {
		status = report_error(argv[optind], rc, err);
		goto out;
	}
	if (json) {
		const char *text = fromauth_result_json(r);
		if (!text) {
			status = report_error(argv[optind], FROMAUTH_E_NOMEM, NULL);
			goto out;
		}
		printf("%s\n", text);
	} else
		print_report(r, argv[optind]);
	status = fromauth_result_verdict(r);
out:
	fromauth_result_free(r);
	fromauth_profile_free(profile);
	fromauth_ctx_free(ctx);
	return status;
}
