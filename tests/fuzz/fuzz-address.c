/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer: fromauth_address_parse() never crashes, and what it accepts
 * is consistent (the canonical addr-spec parses back to itself, the domain
 * is valid lower-case A-labels, patterns made from it match it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct fromauth_address *a)
{
	const char *spec = fromauth_address_addr_spec(a);
	const char *local = fromauth_address_local(a);
	const char *domain = fromauth_address_domain(a);
	const char *name = fromauth_address_display_name(a);
	struct fromauth_address *b = NULL;
	char err[512];

	if (!spec || !local || !domain || !name || !local[0])
		abort();
	if (fa_domain_check(domain, err, sizeof(err)) != 0)
		abort();
	for (const char *s = domain; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (unsigned char)*s >= 0x80)
			abort();
	/* outputs never carry line breaks (header injection) */
	if (strpbrk(spec, "\r\n") || strpbrk(name, "\r\n"))
		abort();

	if (fromauth_address_parse(spec, &b, err, sizeof(err)) != 0)
		abort();
	if (strcmp(fromauth_address_addr_spec(b), spec) != 0 ||
	    strcmp(fromauth_address_local(b), local) != 0 ||
	    strcmp(fromauth_address_domain(b), domain) != 0)
		abort();
	fromauth_address_free(b);

	char *pat = NULL;
	if (fa_pattern_normalize(domain, &pat, err, sizeof(err)) != 0 ||
	    !fa_pattern_match_from(pat, a))
		abort();
	free(pat);
	if (!strchr(local, '*')) {
		if (fa_pattern_normalize(spec, &pat, err, sizeof(err)) != 0 ||
		    !fa_pattern_match_from(pat, a))
			abort();
		free(pat);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = malloc(size + 1);
	struct fromauth_address *a = NULL;
	char err[512] = "";

	if (!input)
		return 0;
	memcpy(input, data, size);
	input[size] = '\0';

	int rc = fromauth_address_parse(input, &a, err, sizeof(err));
	if (rc == 0) {
		check_accepted(a);
	} else {
		if (a || (rc != FROMAUTH_E_ADDRESS && rc != FROMAUTH_E_DOMAIN &&
			  rc != FROMAUTH_E_NOMEM) || err[0] == '\0')
			abort();
	}
	fromauth_address_free(a);

	/* The same bytes as an allowed-from pattern. */
	char *pat = NULL;
	rc = fa_pattern_normalize(input, &pat, err, sizeof(err));
	if ((rc == 0) != (pat != NULL))
		abort();
	free(pat);
	free(input);
	return 0;
}
