/* SPDX-License-Identifier: BSD-2-Clause */
/* RFC 6376 section 3.2 tag-lists; see taglist.h. */
#include <string.h>

#include "taglist.h"

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

size_t fa_taglist_space(const char *text, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	if (is_wsp(text[i]))
		return 1;
	if (text[i] == '\r' && i + 2 < len && text[i + 1] == '\n' && is_wsp(text[i + 2]))
		return 2;
	return 0;
}

/* Trim white space off [*from, *to) of text; a CRLF at the end counts
 * only when WSP followed it in the text. */
static void trim(const char *text, size_t len, size_t *from, size_t *to)
{
	size_t n;
	while (*from < *to && (n = fa_taglist_space(text, *to, *from)) > 0)
		*from += n;
	while (*to > *from) {
		if (is_wsp(text[*to - 1]))
			(*to)--;
		else if (*to - *from >= 2 && text[*to - 2] == '\r' && text[*to - 1] == '\n' &&
			 *to < len && is_wsp(text[*to]))
			*to -= 2;
		else
			break;
	}
}

void fa_taglist_init(struct fa_taglist *tl, const void *text, size_t len)
{
	memset(tl, 0, sizeof(*tl));
	tl->text = text ? text : "";
	tl->len = text ? len : 0;
}

int fa_taglist_next(struct fa_taglist *tl, struct fa_tag *tag)
{
	const char *t = tl->text;

	memset(tag, 0, sizeof(*tag));
	if (tl->done)
		return 0;
	size_t start = tl->pos;
	const char *semi = memchr(t + start, ';', tl->len - start);
	size_t end = semi ? (size_t)(semi - t) : tl->len;
	if (semi)
		tl->pos = end + 1;
	else
		tl->done = 1;

	size_t from = start, to = end;
	trim(t, tl->len, &from, &to);
	if (from == to && !semi && tl->index > 0)
		return 0;       /* after the optional final ';' */
	tag->index = tl->index++;
	tag->start = start;
	tag->spec = t + from;
	tag->spec_len = to - from;
	if (from == to) {
		tag->error = FA_TAG_EMPTY;
		return 1;
	}
	const char *eq = memchr(t + from, '=', to - from);
	if (!eq) {
		tag->error = FA_TAG_NO_EQUALS;
		return 1;
	}
	size_t name_from = from, name_to = (size_t)(eq - t);
	size_t value_from = name_to + 1, value_to = to;
	trim(t, tl->len, &name_from, &name_to);
	trim(t, tl->len, &value_from, &value_to);
	tag->name = t + name_from;
	tag->name_len = name_to - name_from;
	tag->value = t + value_from;
	tag->value_len = value_to - value_from;
	int ok = tag->name_len > 0 && is_alpha(tag->name[0]);
	for (size_t i = 1; ok && i < tag->name_len; i++) {
		char c = tag->name[i];
		ok = is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
	}
	if (!ok)
		tag->error = FA_TAG_BAD_NAME;
	return 1;
}
