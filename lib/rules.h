/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Receivers' sender rules (Gmail, Yahoo, Outlook.com, Apple) as rows
 * decided from the check's own results and a few lookups more, and the
 * blocklist reputation of the sender (lib/rules.c).  The rows
 * (rule-rows.h) live in the result; result.c frees them and writes their
 * JSON.
 */
#ifndef FROMAUTH_RULES_H
#define FROMAUTH_RULES_H

#include <stddef.h>

#include "dns.h"
#include "private.h"
#include "rule-rows.h"

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
