/* SPDX-License-Identifier: BSD-2-Clause */
/* The check's result object and the pieces check.c, remedy.c and result.c
 * share. */
#ifndef FROMAUTH_RESULT_H
#define FROMAUTH_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "private.h"
#include "rule-rows.h"
#include "spf.h"

/* One fix operation (enum fromauth_fix_op). */
struct fa_fix_op {
	int op;
	char *rr;               /* add, replace: the line to publish; delete: the
				 * line to remove; action: NULL */
	char *old;              /* replace: the line it replaces */
	char *text;             /* action: what to set up at the service */
};

struct fa_finding {
	const char *code;       /* static: one of SPEC section 4 */
	int severity;           /* enum fromauth_severity */
	char *message;
	char **fix;             /* master-file lines to publish (add, replace) */
	size_t fix_count;
	struct fa_fix_op *ops;  /* every fix in order, with its operation */
	size_t op_count;
	/* The fix holds a value only the user has (a placeholder): it is
	 * shown but never applied by the self-verified remediation. */
	int fix_needs_input;
};

struct fa_dkim_identity {
	struct fromauth_dkim *key;
	int aligned;            /* 1, 0, or -1 when alignment could not be told */
};

struct fromauth_result {
	char *from;             /* local@domain, A-label */
	char *domain;
	char *org_domain;
	char *service;
	char *mail_from;
	int mail_from_outside;  /* M is not within D's organizational domain */

	int verdict;
	int fixed_verdict;      /* -1 without FROMAUTH_CHECK_FIX */
	char **fixes_not_applied;
	size_t fixes_not_applied_count;

	/* SPF */
	char *spf_summary;      /* RFC 7208 name or "partial" */
	int spf_aligned;        /* SPF-aligned pass */
	struct fromauth_spf **spf;
	size_t spf_count;
	struct fa_spf_analysis *spf_analysis;   /* of M's record tree */

	/* DKIM */
	struct fa_dkim_identity *dkim;
	size_t dkim_count;
	int dkim_aligned;       /* DKIM-aligned pass */

	struct fromauth_dmarc *dmarc;

	struct fa_finding *findings;
	size_t finding_count;
	size_t finding_cap;     /* allocated: grown by doubling */

	/* Receivers' rules and reputation (lib/rules.c), when asked for. */
	unsigned int rules_flags;
	struct fa_rule *rules;
	size_t rule_count;
	struct fa_fcrdns *fcrdns;
	size_t fcrdns_count;
	struct fa_reputation *reputation;
	size_t reputation_count;
	struct fa_reputation_zone *reputation_zones;
	size_t reputation_zone_count;

	unsigned int dns_queries, cache_hits, elapsed_ms;
	char *json;             /* lib/json.c builds it on first use; atomic */
	/* An allocation failed while filling it in: a finding, a fix or a
	 * message may be missing, so the check must fail with NOMEM. */
	int nomem;
};

/* Evaluate SPEC section 3 steps 1-7 into @r on @dns, lookups run on
 * @pool's workers (NULL: on this thread); @r->from etc. must be set.
 * @deadline_ms is the check's fa_now_ms() bound (0 = none): one check has
 * one deadline, its remediation included.  @ahead (may be NULL): the
 * questions fa_check_send_ahead() sent for this check, now its own.
 * Returns 0 or an error (allocation, internal). */
struct fa_pool;
struct fa_dns_ahead;
int fa_check_evaluate(struct fa_dns *dns, struct fa_pool *pool,
		      const struct fromauth_profile *profile,
		      const struct fromauth_address *addr, struct fromauth_result *r,
		      uint64_t deadline_ms, struct fa_dns_ahead *ahead,
		      char *errbuf, size_t errlen);

/* fromauth_check() with every lookup on the calling thread: for a batch's
 * workers, which already run checks side by side, so handing each check's
 * lookups to the pool only adds wake-ups and lock traffic.  @ahead (may
 * be NULL, freed here): what fa_check_send_ahead() did for @from on this
 * thread. */
struct fa_check_ahead;
int fa_check_serial(struct fromauth_ctx *ctx, const struct fromauth_profile *profile,
		    const char *from, unsigned int flags, struct fa_check_ahead *ahead,
		    struct fromauth_result **out, char *errbuf, size_t errlen);

/* Parse @from and send the first questions of its check now, so that
 * their replies come while this thread does something else (a batch
 * worker: the check before it).  NULL only on bad arguments or no
 * memory; a bad address is for the check to report. */
struct fa_check_ahead *fa_check_send_ahead(struct fromauth_ctx *ctx,
					   const struct fromauth_profile *profile,
					   const char *from);
/* Free @ahead unused (its replies are cached all the same). */
void fa_check_ahead_free(struct fa_check_ahead *ahead);

/* Step 8: a layer over @dns with every concrete fix of @r applied on it
 * (additions, replacements, deletions; actions are not DNS), for the
 * check to evaluate again; the lines to publish of findings that need
 * the user's input go to r->fixes_not_applied instead, and nothing of
 * such a finding is applied.  Free *out with fa_dns_free(). */
int fa_remedy_layer(struct fa_dns *dns, struct fromauth_result *r, struct fa_dns **out);

struct fromauth_result *fa_result_new(void);

/* Append a finding; the message is formatted.  Returns the finding, or
 * NULL on allocation failure (r->nomem is set then). */
struct fa_finding *fa_finding_add(struct fromauth_result *r, const char *code,
				  int severity, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Fixes of a finding, in the order a user applies them.  add_fix is an
 * addition; a replacement publishes @line in place of @old; a deletion
 * removes @old; an action is text for the service, not DNS.  0 or
 * FROMAUTH_E_NOMEM. */
int fa_finding_add_fix(struct fa_finding *f, const char *line);
int fa_finding_add_replace(struct fa_finding *f, const char *old, const char *line);
int fa_finding_add_delete(struct fa_finding *f, const char *old);
int fa_finding_add_action(struct fa_finding *f, const char *text);

#endif
