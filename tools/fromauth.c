/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth: a thin demo client of libfromauth; it uses the public header
 * only, like any binding. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check, "can FROM send via a service? verdict, findings, fixes" },
	{ "bulk", cmd_bulk, "check a list of From addresses, in parallel, in input order" },
	{ "services", cmd_services, "list the service catalogue, or show one service" },
	{ "dns", cmd_dns, "show what the DNS layer answers for NAME TYPE" },
	{ "spf", cmd_spf, "evaluate SPF for a client IP and a MAIL FROM" },
	{ "dkim", cmd_dkim, "test the DKIM key at SELECTOR._domainkey.DOMAIN" },
	{ "dmarc", cmd_dmarc, "show the DMARC policy that applies to DOMAIN" },
	{ "verify", cmd_verify, "why did this message fail? DKIM, SPF, DMARC of a message" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth COMMAND [ARGS]\n"
		"       fromauth --help | --version\n\n"
		"Can mail with this From address, sent through this service, pass SPF,\n"
		"DKIM and DMARC?  Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'fromauth COMMAND --help' describes each; see fromauth(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("fromauth %s\n", fromauth_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "fromauth: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
