/* SPDX-License-Identifier: BSD-2-Clause */
/* The fromauth tool: one file per subcommand, sharing the DNS options. */
#ifndef FROMAUTH_TOOL_CMD_H
#define FROMAUTH_TOOL_CMD_H

#include <stdio.h>

#include "fromauth/fromauth.h"

/* Exit statuses (sysexits.h values, spelled out for portability). */
enum {
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,
	EXIT_NOINPUT = 66,
	EXIT_SOFTWARE = 70,
};

/* Long options every DNS-using command takes. */
#define DNS_LONG_OPTIONS \
	{ "zone", required_argument, NULL, 'z' }, \
	{ "offline", no_argument, NULL, 'o' }, \
	{ "assume", required_argument, NULL, 'a' }, \
	{ "assume-delete", required_argument, NULL, 'D' }, \
	{ "nameserver", required_argument, NULL, 'n' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "psl", required_argument, NULL, 'L' }

#define DNS_OPTIONS_HELP \
	"  --zone FILE          add the records of a master file as overlay (repeatable)\n" \
	"  --assume 'RR'        add one overlay record, a master-file line (repeatable)\n" \
	"  --assume-delete 'RR' answer as if this record were deleted (repeatable)\n" \
	"  --offline            answer only from the overlay, no network\n" \
	"  --nameserver A[@P]   query this server (repeatable), not /etc/resolv.conf\n" \
	"  --timeout MS         timeout of one DNS try in milliseconds\n" \
	"  --psl FILE           Public Suffix List for RFC 7489 DMARC discovery\n"

/* Apply one DNS option (c is its short code) to ctx.  Returns 0, or an exit
 * status after printing why.  Returns -1 if c is not a DNS option. */
int dns_option(struct fromauth_ctx *ctx, int c, const char *arg);

/* Print "fromauth: <what>: <strerror>[: detail]" and map error -> exit status. */
int report_error(const char *what, int error, const char *detail);

int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int cmd_dns(int argc, char **argv);
int cmd_spf(int argc, char **argv);
int cmd_dkim(int argc, char **argv);
int cmd_dmarc(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_bulk(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_services(int argc, char **argv);

/* Apply "NAME=VALUE" parameters to a profile; 0 or an exit status after
 * printing why. */
int set_params(struct fromauth_profile *profile, const char *const *params, size_t count);

#endif
