/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer: fa_authres_parse() never crashes, and what it accepts is
 * consistent: an authserv-id, bounded counts, methods and results as
 * lower-case keywords, properties with all three parts. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void keyword(const char *s)
{
	if (!s || !*s)
		abort();
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		      *s == '-' || *s == '_'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fa_authres ar;
	char err[256];

	if (fa_authres_parse((const char *)data, size, &ar, err, sizeof(err)) != 0)
		return 0;
	if (!ar.authserv_id || !*ar.authserv_id || ar.result_count > FA_AUTHRES_RESULTS_MAX)
		abort();
	for (size_t i = 0; i < ar.result_count; i++) {
		const struct fa_authres_result *r = &ar.results[i];
		keyword(r->method);
		keyword(r->result);
		if (r->prop_count > FA_AUTHRES_PROPS_MAX)
			abort();
		for (size_t j = 0; j < r->prop_count; j++)
			if (!r->props[j].ptype || !r->props[j].property || !r->props[j].value)
				abort();
		fa_authres_find(&ar, r->method, "example.com");
	}
	fa_authres_clear(&ar);
	return 0;
}
