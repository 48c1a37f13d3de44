/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Receivers' sender rules (Gmail, Yahoo, Outlook.com, Apple) as rows
 * decided from the check's own results and a few lookups more, and the
 * blocklist reputation of the sender (lib/rules.c).  The rows live in the
 * result; result.c frees them and writes their JSON.
 */
#ifndef FROMAUTH_RULES_H
#define FROMAUTH_RULES_H

#include <stddef.h>

#include "dns.h"
#include "private.h"

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

struct fromauth_result;
struct fa_dnsbl_list;

/* The FROMAUTH_CHECK_RULES_* and FROMAUTH_CHECK_REPUTATION parts of a
 * check on @dns, with the caller's blocklists @lists (NULL/0: the
 * defaults): adds rows, lookups and their findings to @r, which
 * fa_check_evaluate() has filled, within the check's @deadline_ms
 * (fa_now_ms() bound, 0 = none).  Returns 0 or an error (allocation). */
int fa_rules_run(struct fa_dns *dns, const struct fa_dnsbl_list *lists, size_t nlists,
		 struct fromauth_result *r, unsigned int flags, uint64_t deadline_ms);

#endif
