/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the DMARC record parser and validator on arbitrary
 * TXT data (every DNS record is hostile input).  Checks invariants, not
 * just the absence of crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc-record.h"
#include "fromauth/fromauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_policy(int p)
{
	return p >= FROMAUTH_DMARC_POLICY_ABSENT && p <= FROMAUTH_DMARC_POLICY_REJECT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txt = (const char *)data;
	struct fa_dmarc_record rec;

	int is_dmarc = fa_dmarc_record_is_dmarc(txt, size);
	(void)fa_dmarc_record_looks_like_dmarc(txt, size);
	if (fa_dmarc_record_parse(txt, size, &rec) != 0)
		return 0;       /* out of memory */

	if (!rec.text || rec.problem_count > FA_DMARC_MAX_PROBLEMS ||
	    rec.rua_count > FA_DMARC_MAX_URIS || rec.ruf_count > FA_DMARC_MAX_URIS)
		abort();
	if (!valid_policy(rec.p) || !valid_policy(rec.sp) || !valid_policy(rec.np))
		abort();
	if (!strchr("rs", rec.adkim) || !strchr("rs", rec.aspf) || !rec.adkim || !rec.aspf)
		abort();
	if (!rec.t || !strchr("yn", rec.t) || !rec.psd || !strchr("ynu", rec.psd))
		abort();
	if (rec.pct < -1 || rec.pct > 100)
		abort();
	/* Not a DMARC record: always a problem saying so. */
	if (!is_dmarc && rec.problem_count == 0)
		abort();
	for (size_t i = 0; i < rec.problem_count; i++)
		if (!rec.problems[i] || !*rec.problems[i])
			abort();
	for (size_t i = 0; i < rec.rua_count; i++)
		if (!rec.rua[i].uri || !rec.rua[i].host || !strchr(rec.rua[i].host, '.'))
			abort();
	/* The display copy holds only printable ASCII. */
	for (const char *c = rec.text; *c; c++)
		if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
			abort();

	int p = -1, sp = -1, np = -1;
	if (fa_dmarc_record_policies(&rec, &p, &sp, &np)) {
		if (p < FROMAUTH_DMARC_POLICY_NONE || sp < FROMAUTH_DMARC_POLICY_NONE ||
		    np < FROMAUTH_DMARC_POLICY_NONE || !valid_policy(p) ||
		    !valid_policy(sp) || !valid_policy(np))
			abort();
	} else if (!(rec.p == 0 || rec.sp_bad || rec.np_bad) || rec.rua_count) {
		/* No policy only for a missing/invalid p= or invalid sp=/np=
		 * without a usable rua=. */
		abort();
	}
	fa_dmarc_record_clear(&rec);
	return 0;
}
