/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer: profile text and single API settings never crash, and an
 * accepted profile, once its parameters are resolved, holds only values
 * that validate again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "cidr.h"
#include "private.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_template(const char *t)
{
	char err[512];
	if (!t)
		return;
	char *d = fa_profile_expand(t, "example.com");
	if (!d || fa_domain_check(d, err, sizeof(err)) != 0)
		abort();
	free(d);
}

static void check_resolved(const struct fromauth_profile *p)
{
	char err[512];
	struct fa_cidr c;
	size_t n;

	if (fromauth_profile_validate(p, err, sizeof(err)) != 0)
		abort();
	if (!fromauth_profile_name(p))
		abort();
	const struct fa_cidr *r = fa_profile_ranges(p, &n);
	if (n != fromauth_profile_ip_count(p) || (n && !r))
		abort();
	for (size_t i = 0; i < n; i++)
		if (fa_cidr_parse(fromauth_profile_ip(p, i), &c, err, sizeof(err)) ||
		    memcmp(&c, &r[i], sizeof(c)) != 0)
			abort();
	if (fromauth_profile_ip(p, n))
		abort();
	check_template(fromauth_profile_spf_include(p));
	check_template(fromauth_profile_mail_from(p));
	check_template(fromauth_profile_mail_from_target(p));
	check_template(fromauth_profile_helo(p));
	for (size_t i = 0; i < fromauth_profile_dkim_count(p); i++) {
		const char *sel = fromauth_profile_dkim_selector(p, i);
		if (!sel || fa_domain_check(sel, err, sizeof(err)) != 0)
			abort();
		check_template(fromauth_profile_dkim_domain(p, i));
		/* a target lacking a parameter is a pattern, not a name */
		if (!fa_profile_dkim_target_display(p, i))
			check_template(fromauth_profile_dkim_target(p, i));
	}
	for (size_t i = 0; i < fromauth_profile_allowed_from_count(p); i++) {
		const char *pat = fromauth_profile_allowed_from(p, i);
		char *again = NULL;
		/* normalizing is idempotent */
		if (!pat || fa_pattern_normalize(pat, &again, err, sizeof(err)) != 0 ||
		    strcmp(again, pat) != 0)
			abort();
		free(again);
	}
}

static void check_accepted(const struct fromauth_profile *p)
{
	struct fromauth_profile *r = NULL;
	int rc = fa_profile_resolve(p, &r);
	if (rc == 0)
		check_resolved(r);
	else if (rc != FROMAUTH_E_PROFILE && rc != FROMAUTH_E_NOMEM)
		abort();
	fromauth_profile_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct fromauth_profile *p = NULL;
	char err[1024] = "";

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	int rc = fromauth_profile_parse(text, "fuzz", &p, err, sizeof(err));
	if (rc == 0)
		check_accepted(p);
	else if (p || rc != FROMAUTH_E_PROFILE || err[0] == '\0')
		abort();
	fromauth_profile_free(p);

	/* First line as a key, the second as its value, through the API. */
	char *nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		char *value = nl + 1;
		char *nl2 = strchr(value, '\n');
		if (nl2)
			*nl2 = '\0';
		if (fromauth_profile_new(&p) != 0)
			abort();
		rc = fromauth_profile_set(p, text, value, err, sizeof(err));
		if (rc != 0 && rc != FROMAUTH_E_PROFILE)
			abort();
		if (fromauth_profile_validate(p, err, sizeof(err)) == 0)
			check_accepted(p);
		fromauth_profile_free(p);
	}
	free(text);
	return 0;
}
