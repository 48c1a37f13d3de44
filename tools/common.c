/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int report_error(const char *what, int error, const char *detail)
{
	if (detail && *detail)
		fprintf(stderr, "fromauth: %s: %s\n", what, detail);
	else
		fprintf(stderr, "fromauth: %s: %s\n", what, fromauth_strerror(error));
	switch (error) {
	case FROMAUTH_E_IO:
		return EXIT_NOINPUT;
	case FROMAUTH_E_NOMEM:
	case FROMAUTH_E_INTERNAL:
	case FROMAUTH_E_RESOLVER:
		return EXIT_SOFTWARE;
	default:
		return EXIT_DATAERR;
	}
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fromauth %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'fromauth %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int dns_option(struct fromauth_ctx *ctx, int c, const char *arg)
{
	char err[512] = "";
	int rc;

	switch (c) {
	case 'z':
		rc = fromauth_ctx_add_zone_file(ctx, arg, err, sizeof(err));
		return rc ? report_error(arg, rc, err) : 0;
	case 'a':
		rc = fromauth_ctx_add_record(ctx, arg, err, sizeof(err));
		return rc ? report_error("--assume", rc, err) : 0;
	case 'D':
		rc = fromauth_ctx_delete_record(ctx, arg, err, sizeof(err));
		return rc ? report_error("--assume-delete", rc, err) : 0;
	case 'L':
		rc = fromauth_ctx_set_psl(ctx, arg, err, sizeof(err));
		return rc ? report_error("--psl", rc, err) : 0;
	case 'o':
		fromauth_ctx_set_offline(ctx, 1);
		return 0;
	case 'n':
		rc = fromauth_ctx_add_nameserver(ctx, arg);
		if (rc) {
			fprintf(stderr, "fromauth: --nameserver %s: %s\n", arg,
				fromauth_strerror(rc));
			return EXIT_USAGE;
		}
		return 0;
	case 't': {
		char *end;
		errno = 0;
		unsigned long ms = strtoul(arg, &end, 10);
		if (errno || *end || end == arg ||
		    fromauth_ctx_set_timeout(ctx, (unsigned int)ms) != 0) {
			fprintf(stderr, "fromauth: --timeout %s: not a number of milliseconds in 1..600000\n", arg);
			return EXIT_USAGE;
		}
		return 0;
	}
	}
	return -1;
}

int set_params(struct fromauth_profile *profile, const char *const *params, size_t count)
{
	char err[1024] = "", name[64];
	for (size_t i = 0; i < count; i++) {
		const char *eq = strchr(params[i], '=');
		size_t len = eq ? (size_t)(eq - params[i]) : 0;
		if (!eq || len == 0 || len >= sizeof(name))
			return usage_error("check", "--param %s: expected NAME=VALUE", params[i]);
		memcpy(name, params[i], len);
		name[len] = '\0';
		int rc = fromauth_profile_set_param(profile, name, eq + 1, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "fromauth: --param %s: %s\n", name, err);
			return EXIT_USAGE;
		}
	}
	return 0;
}
