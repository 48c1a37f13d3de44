/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: an SPF record as it comes out of DNS (any bytes),
 * through the screen that runs before libspf2 compiles anything, the
 * rewrite handed to libspf2, and exp= macro expansion. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "private.h"
#include "spf-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txt = (const char *)data;
	struct fa_spf_record *rec = NULL;
	char err[256] = "";

	if (fa_spf_record_parse(txt, size, &rec, err, sizeof(err)) == 0) {
		if (!fa_spf_is_record(txt, size))
			__builtin_trap();
		/* What libspf2 gets must itself pass the screen, within the
		 * bounds that keep it off the CVE-2023-42118 edge. */
		static const int families[] = { AF_INET, AF_INET6 };
		for (size_t f = 0; f < 2; f++) {
			char **segs = NULL;
			size_t nseg = 0;
			int unsupported;
			if (fa_spf_record_for_libspf2(rec, families[f], "example.com",
						      f ? "fa-any-0123456789abcdef.invalid" : NULL,
						      NULL, &segs, &nseg,
						      &unsupported, NULL, 0) != 0)
				continue;
			/* each segment as served: all but the last chained on */
			for (size_t k = 0; k < nseg; k++) {
				size_t len = strlen(segs[k]) + 32;
				char *seg = malloc(len);
				if (!seg)
					__builtin_trap();
				snprintf(seg, len, "%s%s", segs[k],
					 k + 1 < nseg ? " redirect=seg.x.invalid" : "");
				if (fa_spf_record_parse(seg, strlen(seg), NULL, err, sizeof(err)) != 0)
					__builtin_trap();
				free(seg);
			}
			fa_spf_segments_free(segs, nseg);
		}
		for (size_t i = 0; i < rec->count; i++) {
			const struct fa_spf_term *t = &rec->terms[i];
			if (t->value && t->kind != FA_SPF_UNKNOWN_MODIFIER &&
			    strlen(t->value) > FA_SPF_MAX_VALUE)
				__builtin_trap();
		}
		fa_spf_record_free(rec);
	} else if (rec || memchr(err, '\0', sizeof(err)) == NULL || !err[0]) {
		__builtin_trap();
	}

	/* the same bytes as explanation text */
	struct fa_spf_macro_vars vars = {
		.sender = "user@example.com", .domain = "example.com",
		.helo = "mx.example.com", .family = AF_INET6,
	};
	inet_pton(AF_INET6, "2001:db8::1", vars.ip);
	char *out = NULL;
	if (fa_spf_macro_expand(txt, size, &vars, 512, &out) == 0) {
		if (!out || strlen(out) > 512)
			__builtin_trap();
		free(out);
	} else if (out) {
		__builtin_trap();
	}
	return 0;
}
