/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: a DKIM key record as it comes out of DNS (any bytes),
 * through our tag-list parser and the OpenSSL key decoding. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dkim-key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fa_dkim_keyrec rec;
	char err[256];

	if (fa_dkim_keyrec_parse(data, size, &rec, err, sizeof(err)) == 0) {
		if (rec.revoked && rec.key)
			__builtin_trap();
		if (fa_dkim_key_check(&rec, err, sizeof(err)) == 0 &&
		    (rec.bits == 0 || (rec.key_type == FA_DKIM_KEY_ED25519 && rec.key_len != 32)))
			__builtin_trap();
	}
	/* Messages are always terminated C strings. */
	if (memchr(err, '\0', sizeof(err)) == NULL)
		__builtin_trap();
	fa_dkim_keyrec_clear(&rec);
	return 0;
}
