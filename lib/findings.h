/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The check floor's private interface between check.c and the findings of
 * each protocol (findings-spf.c, findings-dkim.c, findings-dmarc.c): the
 * evaluation state check.c fills in, and the findings that read it.
 */
#ifndef FROMAUTH_FINDINGS_H
#define FROMAUTH_FINDINGS_H

#include "dns.h"
#include "result.h"

struct eval_state {
	struct fa_dns_req req;
	const struct fromauth_profile *profile;
	struct fromauth_result *r;
	int nxdomain;           /* 1, 0, -1 unknown */
	int spf_temperror;
	int spf_alignment;      /* of M with D: 1, 0, -1 could not tell */
	int dkim_temperror;
	int dmarc_valid;        /* a valid record applies */
	int ranges_temperror;   /* the service's spf-include failed temporarily */
};

/* Step 3: the DMARC record's findings and fixes. */
void fa_findings_dmarc(struct eval_state *st);
/* Step 4: SPF's summary and findings; sets st->spf_temperror. */
void fa_findings_spf(struct eval_state *st);
/* Step 5: each DKIM identity's findings; sets st->dkim_temperror. */
void fa_findings_dkim(struct eval_state *st);

#endif
