/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fix builders of the check floor (lib/remedy.c): every record line a
 * finding proposes is built here.  Findings code calls them; they call
 * nothing of check.c or findings-*.c.  fa_remedy_layer(), which publishes
 * the fixes for the second run, is declared in result.h.
 */
#ifndef FROMAUTH_REMEDY_H
#define FROMAUTH_REMEDY_H

#include <stddef.h>

#include "result.h"

struct fromauth_dkim;
struct fromauth_profile;
struct fa_spf_analysis;

/* A line "owner. 3600 IN TYPE rdata" for non-TXT fixes.  malloc'd. */
char *fa_rr_line(const char *owner, const char *type, const char *rdata);

/* A TXT record as a master-file line: @text split into character-strings
 * of at most 255 bytes, quotes and backslashes escaped.  malloc'd. */
char *fa_txt_rr_line(const char *owner, const char *text);

/* Add @line (malloc'd, may be NULL after a failed allocation) to @f and
 * free it; a failure (or a NULL @f) marks @r incomplete. */
void fa_fix_add_owned(struct fromauth_result *r, struct fa_finding *f, char *line);

/* Append @fmt to @f's message; a failure marks @r incomplete. */
void fa_finding_append(struct fromauth_result *r, struct fa_finding *f,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* @record with "include:@include" placed before its all/redirect term,
 * keeping the qualifier; NULL @record gives "v=spf1 include:X ~all".
 * @include is a bare domain, or SPF mechanisms as text ("include:x.test
 * ip4:192.0.2.0/24"), which are added as given.  Terms the record already
 * has are not added again; a record with all of them comes back
 * unchanged.  *merged is malloc'd.  0, FROMAUTH_E_DOMAIN, _RECORD (not
 * v=spf1, or @include is not mechanisms) or _NOMEM.
 * fa_spf_analyze_record() gives the merged record's lookups. */
int fa_spf_merge_include(const char *record, const char *include,
			 char **merged);

/* The SPF terms the service needs: its include, or its ranges.  malloc'd. */
char *fa_remedy_spf_terms(const struct fromauth_profile *profile);

/* The fix that authorizes the service at @mail_from, whose record tree is
 * @a (may be NULL): the CNAME to the service's return-path host, or M's
 * record with the service merged in.  On 0, *line is the fix or NULL
 * (several records: nothing to merge into), *merged the merged record
 * or NULL, *needs_input whether the line holds a placeholder.  Returns
 * 0, FROMAUTH_E_NOMEM, or the merge's error (no fix then). */
int fa_remedy_spf_authorize(const struct fromauth_profile *profile, const char *domain,
			    const char *mail_from, const struct fa_spf_analysis *a,
			    char **line, char **merged, int *needs_input);

/* The fix for the DKIM key of @k when its CNAME is not already right:
 * the CNAME to the service's key (@shown_target: one with a per-account
 * part, shown as is), else a TXT placeholder.  *needs_input is set for
 * lines that hold a value only the user has.  malloc'd, NULL on failure. */
char *fa_remedy_dkim_key(const struct fromauth_dkim *k, const char *shown_target,
			 int *needs_input);

/* The DKIM key record at @owner with a placeholder for the key only the
 * service has (a fix that needs the user's input).  malloc'd. */
char *fa_remedy_dkim_placeholder(const char *owner);

/* The DKIM key record @text without the testing flag y of its t= tag
 * (the tag goes when no flag is left), the other tags as written.
 * malloc'd; NULL when it has no such flag or on allocation failure. */
char *fa_remedy_dkim_untested(const char *text);

/* The DMARC record @text corrected: v=DMARC1 and p= first, then every
 * other tag that is valid, corrected (case, a policy's misspelling, a
 * URI without mailto:) or else dropped; a p= no receiver can read
 * becomes p=none, what receivers apply to it today.  @drop_testing also
 * drops t=.  malloc'd; NULL when the result would be the record as it is,
 * when it still has a problem, or on allocation failure. */
char *fa_remedy_dmarc_corrected(const char *text, int drop_testing);

/* The starting DMARC record (p=none) at _dmarc.@domain.  malloc'd. */
char *fa_remedy_dmarc_start(const char *domain);
/* The record at @name that authorizes a domain's reports (RFC 9989
 * section 3.2.3).  malloc'd. */
char *fa_remedy_dmarc_authorize(const char *name);

/* Several DMARC records at one name (@d's multiple domain): add to @f the
 * deletion of all but the one to keep (valid first, never the weaker
 * policy), and name that one in its message.  A failure marks @r
 * incomplete. */
struct fromauth_dmarc;
void fa_remedy_dmarc_duplicates(struct fromauth_result *r, struct fa_finding *f,
				const struct fromauth_dmarc *d);

/* ---- what to set up at the service (fix operation "action") ----
 * One sentence each, naming the service; with a catalogue profile's step
 * (action-dkim, action-return-path, send-as-grant) the vendor's own words
 * follow, marked when unconfirmed.  malloc'd, NULL on allocation failure. */

/* Have the service sign as @domain: it @signs with a domain of its own,
 * or (0) not at all as far as the profile says. */
char *fa_remedy_action_dkim(const struct fromauth_profile *profile, const char *domain,
			    const char *from, int signs);
/* The service's own SPF at its bounce domain @mail_from does not pass for
 * @ip: the service's to fix. */
char *fa_remedy_action_service_spf(const struct fromauth_profile *profile,
				   const char *mail_from, const char *ip, const char *result);
/* The service's bounce domain @mail_from is not @domain's (or aspf=s,
 * @strict, wants @domain itself): have it use one of @domain's. */
char *fa_remedy_action_return_path(const struct fromauth_profile *profile, const char *domain,
				   const char *from, const char *mail_from, int strict);
/* The service refuses @from: allow it there. */
char *fa_remedy_action_send_as(const struct fromauth_profile *profile, const char *from,
			       const char *local, const char *domain);
/* The profile names the service's addresses, no include: confirm them. */
char *fa_remedy_action_spf_ranges(const struct fromauth_profile *profile);

#endif
