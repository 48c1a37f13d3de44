/* SPDX-License-Identifier: BSD-2-Clause */
/* An RFC 5322 message as `fromauth verify` reads it: header fields (folded
 * lines kept, LF or CRLF input) and the body, all in CRLF form. */
#ifndef FROMAUTH_MESSAGE_H
#define FROMAUTH_MESSAGE_H

#include <stddef.h>

/* Bounds (documented in fromauth(1) and fromauth_verify(3)): a larger
 * message or more header fields is an error, never a partial check. */
#define FA_MESSAGE_MAX (10u * 1024 * 1024)      /* bytes as given */
#define FA_MESSAGE_HEADERS_MAX 1000u            /* header fields */
#define FA_MESSAGE_FIELD_MAX (64u * 1024)       /* bytes of one field */

struct fa_header {
	const char *name;       /* points into the message, not terminated */
	size_t name_len;
	const char *field;      /* the whole field, folding CRLFs kept, no final CRLF */
	size_t field_len;
	const char *value;      /* after the colon */
	size_t value_len;
};

struct fa_message {
	char *data;             /* the message with CRLF line ends, NUL-terminated */
	size_t len;
	struct fa_header *headers;
	size_t header_count;
	size_t body_offset;     /* of the body in data (== len without body) */
};

/*
 * Parse @len bytes.  A leading mbox "From " line is skipped; a header
 * section without the empty line ends at the end of input (no body).
 * Returns 0, FROMAUTH_E_MESSAGE (errbuf says what and on which line),
 * FROMAUTH_E_RANGE (a bound above) or FROMAUTH_E_NOMEM.
 */
int fa_message_parse(const char *msg, size_t len, struct fa_message *out,
		     char *errbuf, size_t errlen);
void fa_message_clear(struct fa_message *m);

/* Does header @h have name @name (case-insensitive)? */
int fa_header_is(const struct fa_header *h, const char *name);

/* The unfolded value of @h: CRLFs removed, NUL bytes as spaces, leading and
 * trailing white space trimmed.  malloc'd, NULL on allocation failure. */
char *fa_header_unfold(const struct fa_header *h);

/* Number of fields named @name, and the index of the first at or after
 * @from (header_count when none). */
size_t fa_message_count(const struct fa_message *m, const char *name);
size_t fa_message_find(const struct fa_message *m, const char *name, size_t from);

#endif
