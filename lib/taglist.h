/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tag-list of RFC 6376 section 3.2, shared by DKIM key records and
 * DMARC records (RFC 7489 section 6.3 uses the same syntax):
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *( ALPHA / DIGIT / "_" )
 *
 * White space is WSP (space, tab) or a CRLF followed by WSP; a lone CR
 * or LF is not.  Tag values are returned as they stand, trimmed; what a
 * value may hold is the caller's business.
 */
#ifndef FROMAUTH_TAGLIST_H
#define FROMAUTH_TAGLIST_H

#include <stddef.h>

enum fa_tag_error {
	FA_TAG_OK = 0,
	FA_TAG_EMPTY,           /* nothing between two ';', or an empty list */
	FA_TAG_NO_EQUALS,       /* no '=' in the tag-spec */
	FA_TAG_BAD_NAME,        /* the part before '=' is not a tag-name */
};

/* One tag-spec; the pointers point into the text given to the list. */
struct fa_tag {
	int error;              /* enum fa_tag_error */
	size_t index;           /* of the tag-spec in the list, from 0 */
	size_t start;           /* offset of the tag-spec, before white space */
	const char *spec;       /* the whole tag-spec, trimmed */
	size_t spec_len;
	const char *name;       /* trimmed; set unless FA_TAG_EMPTY/NO_EQUALS */
	size_t name_len;
	const char *value;      /* trimmed; set when name is */
	size_t value_len;
};

struct fa_taglist {
	const char *text;
	size_t len, pos, index;
	int done;
};

void fa_taglist_init(struct fa_taglist *tl, const void *text, size_t len);

/* The next tag-spec into *tag: 1, or 0 at the end.  A final ';' (with
 * white space after it) ends the list; other empty tag-specs come back
 * as FA_TAG_EMPTY, as does a list without any. */
int fa_taglist_next(struct fa_taglist *tl, struct fa_tag *tag);

/* Length of the white space (WSP, or CRLF followed by WSP) at text[i],
 * 0 where there is none. */
size_t fa_taglist_space(const char *text, size_t len, size_t i);

#endif
