/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The rows lib/rules.c adds to a check's result: receivers' rules,
 * forward-confirmed reverse DNS and blocklist reputation.  Types only, so
 * that result.c can free them and write their JSON without depending on
 * rules.c, which adds its findings through result.c.
 */
#ifndef FROMAUTH_RULE_ROWS_H
#define FROMAUTH_RULE_ROWS_H

struct fa_rule {
	const char *receiver;   /* static: "gmail", ... */
	const char *tier;       /* static: "all" or "bulk" */
	const char *requirement;        /* static */
	const char *code;       /* static SMTP reply, or "" */
	int status;             /* enum fromauth_rule_status */
	char *message;
	const char *finding;    /* static code of the finding that fixes it */
};

/* Forward-confirmed reverse DNS of one sampled service address. */
struct fa_fcrdns {
	char *ip;
	char *ptr;              /* the PTR names, space-separated, or "" */
	int status;             /* enum fromauth_rule_status */
	char *detail;
};

struct fa_reputation {
	char *zone;             /* a copy: the caller's lists may go first */
	const char *what;       /* static: "From domain", "service address", ... */
	char *target;
	int status;             /* enum fromauth_reputation_status */
	char *codes;            /* the A values, or "" */
	char *reason;           /* meaning, TXT and where to delist; or "" */
};

/* The self-test of one blocklist zone. */
struct fa_reputation_zone {
	char *zone;
	const char *state;      /* static: "ok", "broken", "unusable", "refused", "error" */
	char *why;
};

#endif
