/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth dmarc DOMAIN: the DMARC policy that applies to a domain, as a
 * domain admin reads it.  Public API only; the details come from the
 * result's JSON, as a binding would read them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

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

static const char *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v ||
	    json_object_get_type(v) == json_type_null)
		return NULL;
	return json_object_get_string(v);
}

static int jbool(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static struct json_object *jarray(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_get_type(v) != json_type_array)
		return NULL;
	return v;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void print_list(const char *label, struct json_object *a)
{
	size_t n = a ? json_object_array_length(a) : 0;
	if (n == 0) {
		printf("  %-12s -\n", label);
		return;
	}
	for (size_t i = 0; i < n; i++)
		printf("  %-12s %s\n", i ? "" : label,
		       json_object_get_string(json_object_array_get_idx(a, i)));
}

static void print_human(const struct fromauth_dmarc *d)
{
	struct json_object *j = json_tokener_parse(fromauth_dmarc_json(d));
	if (!j) {
		printf("(no details available)\n");
		return;
	}
	const char *domain = jget(j, "domain");
	const char *record_domain = jget(j, "record_domain");
	const char *policy = jget(j, "policy");
	const char *applied = jget(j, "applied_policy");
	const char *tag = jget(j, "policy_tag");

	printf("DMARC for %s\n", domain);
	if (jbool(j, "temperror"))
		printf("  ! a DNS lookup failed temporarily: the result may be incomplete\n");
	if (record_domain) {
		printf("  %-12s _dmarc.%s\n", "record at", record_domain);
		printf("  %-12s \"%s\"\n", "record", jget(j, "record"));
	} else {
		printf("  %-12s none applies to %s\n", "record", domain);
	}
	const char *multi = jget(j, "multiple_at");
	if (multi)
		printf("  %-12s _dmarc.%s has %s DMARC records; receivers discard them all\n",
		       "!", multi, jget(j, "records"));
	printf("  %-12s %s\n", "org domain", jget(j, "org_domain"));

	if (record_domain) {
		const char *why;
		if (!tag)
			why = "the record's policy tags are unusable";
		else if (!strcmp(record_domain, domain))
			why = "the record is the domain's own";
		else if (jbool(j, "nonexistent"))
			why = "for a subdomain that does not exist (no A, AAAA or MX)";
		else
			why = "for an existing subdomain";
		if (tag)
			printf("  %-12s %s (from %s=, %s)\n", "policy", policy, tag, why);
		else
			printf("  %-12s none applies: %s\n", "policy", why);
		if (!tag)
			;
		else if (applied && policy && strcmp(applied, policy) != 0)
			printf("  %-12s %s (t=y: the owner is testing, receivers apply one step less)\n",
			       "applied", applied);
		else
			printf("  %-12s %s\n", "applied", applied);
		printf("  %-12s p=%s sp=%s np=%s adkim=%s aspf=%s pct=%s t=%s psd=%s\n",
		       "tags", or_dash(jget(j, "p")), or_dash(jget(j, "sp")),
		       or_dash(jget(j, "np")), jget(j, "adkim"), jget(j, "aspf"),
		       or_dash(jget(j, "pct")), jbool(j, "testing") ? "y" : "n",
		       or_dash(jget(j, "psd")));
		print_list("rua", jarray(j, "rua"));
		print_list("ruf", jarray(j, "ruf"));
	} else {
		printf("  %-12s none: receivers apply no DMARC policy\n", "policy");
	}
	print_list("problems", jarray(j, "problems"));

	struct json_object *unauth = jarray(j, "unauthorized");
	size_t n = unauth ? json_object_array_length(unauth) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *u = json_object_array_get_idx(unauth, i);
		const char *name = jget(u, "authorization_record");
		printf("  %-12s %s: %s has not agreed to receive reports for %s\n",
		       i ? "" : "unauthorized", jget(u, "uri"), jget(u, "host"),
		       record_domain);
		struct json_object *next = i + 1 < n ? json_object_array_get_idx(unauth, i + 1) : NULL;
		/* One fix per destination host. */
		if (!next || strcmp(jget(next, "authorization_record"), name) != 0)
			printf("  %-12s   fix: %s. 3600 IN TXT \"v=DMARC1\"\n", "", name);
	}

	struct json_object *old = NULL;
	json_object_object_get_ex(j, "rfc7489", &old);
	const char *differs = jget(j, "discovery_differs");
	if (differs)
		printf("  %-12s %s\n", "! discovery", differs);
	else if (old)
		printf("  %-12s RFC 7489 (Public Suffix List, org domain %s) agrees\n",
		       "discovery", or_dash(jget(old, "org_domain")));

	struct json_object *walk = jarray(j, "tree_walk");
	n = walk ? json_object_array_length(walk) : 0;
	printf("  %-12s", "tree walk");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ",
		       json_object_get_string(json_object_array_get_idx(walk, i)));
	printf("\n");
	json_object_put(j);
}

/* A-labels for a domain typed with non-ASCII characters, through the
 * address parser's IDN conversion. */
static char *to_a_labels(const char *domain, char *err, size_t errlen)
{
	int ascii = 1;
	for (const char *p = domain; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	if (ascii)
		return strdup(domain);
	char buf[600];
	if (snprintf(buf, sizeof(buf), "postmaster@%s", domain) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "domain too long");
		return NULL;
	}
	struct fromauth_address *addr = NULL;
	if (fromauth_address_parse(buf, &addr, NULL, 0) != 0) {
		/* The parser's offsets would count our "postmaster@". */
		snprintf(err, errlen, "%s is not a valid domain name", domain);
		return NULL;
	}
	char *out = strdup(fromauth_address_domain(addr));
	fromauth_address_free(addr);
	return out;
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
	char *domain = NULL;
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

	char err[512] = "";
	domain = to_a_labels(argv[optind], err, sizeof(err));
	if (!domain) {
		status = report_error(argv[optind], FROMAUTH_E_DOMAIN, err);
		goto out;
	}
	rc = fromauth_dmarc_check(ctx, domain, &d, err, sizeof(err));
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
	free(domain);
	fromauth_ctx_free(ctx);
	return status;
}
