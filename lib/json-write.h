/* SPDX-License-Identifier: BSD-2-Clause */
/* A JSON text written straight into one growing buffer (lib/json-write.c),
 * byte for byte what json-c 0.16 prints with JSON_C_TO_STRING_PLAIN (and
 * NOSLASHESCAPE when asked): no spaces, members in the order written. */
#ifndef FROMAUTH_JSON_WRITE_H
#define FROMAUTH_JSON_WRITE_H

#include <stddef.h>
#include <string.h>

/* The writer: zero it or fa_jw_init() it, write, then fa_jw_finish(). */
struct fa_jw {
	char *buf;
	size_t len, cap;
	unsigned char slash;  /* '/' as "\/", json-c's default */
	unsigned char comma;  /* a member or element comes before the next */
	unsigned char failed; /* an allocation failed: the text is lost */
};

/* Start a text of about @hint bytes; @escape_slash writes '/' as "\/"
 * (json-c without JSON_C_TO_STRING_NOSLASHESCAPE). */
void fa_jw_init(struct fa_jw *w, size_t hint, int escape_slash);

/* The NUL-terminated text (malloc'd, the caller's), or NULL when any
 * allocation failed on the way: never a truncated text. */
char *fa_jw_finish(struct fa_jw *w);

void fa_jw_obj(struct fa_jw *w);     /* { */
void fa_jw_obj_end(struct fa_jw *w); /* } */
void fa_jw_arr(struct fa_jw *w);     /* [ */
void fa_jw_arr_end(struct fa_jw *w); /* ] */

/* A member's name, escaped, made of @a, @sep and @b joined (without
 * building the joined string); the value follows. */
void fa_jw_key3(struct fa_jw *w, const char *a, const char *sep, const char *b);

void fa_jw_str(struct fa_jw *w, const char *s); /* NULL gives null */
void fa_jw_int(struct fa_jw *w, long long v);
void fa_jw_bool(struct fa_jw *w, int b);
void fa_jw_null(struct fa_jw *w);

/* Append @len bytes of @s escaped as json-c's json_escape_str() does,
 * without quotes (for tests and fuzzers comparing with json-c). */
void fa_jw_escape(struct fa_jw *w, const char *s, size_t len);

/* Room for @n more bytes and the final NUL, growing the buffer; false
 * once anything failed.  fa_jw_room() is its inline fast path. */
int fa_jw_grow(struct fa_jw *w, size_t n);

static inline int fa_jw_room(struct fa_jw *w, size_t n)
{
	/* a failed writer has cap 0, so it always takes the slow path */
	return w->cap - w->len > n || fa_jw_grow(w, n);
}

/* A member's name given as a string literal with nothing to escape
 * (a plain identifier): copied as it is, its length known at compile time.
 * Inline, so that the copy is a few moves and the comma needs no branch;
 * a check writes some 150 of them.  The fa_jw_k*() forms write the value
 * too. */
static inline void fa_jw_rawkey(struct fa_jw *w, const char *quoted, size_t len)
{
	if (fa_jw_room(w, len + 1)) {
		char *p = w->buf + w->len;
		*p = ',';
		memcpy(p + w->comma, quoted, len);
		w->len += w->comma + len;
	}
	w->comma = 0;
}
#define FA_JW_KEY(w, k) fa_jw_rawkey((w), "\"" k "\":", sizeof(k) + 2)
#define fa_jw_kstr(w, k, s) (FA_JW_KEY(w, k), fa_jw_str((w), (s)))
#define fa_jw_kint(w, k, v) (FA_JW_KEY(w, k), fa_jw_int((w), (v)))
#define fa_jw_kbool(w, k, b) (FA_JW_KEY(w, k), fa_jw_bool((w), (b)))
#define fa_jw_knull(w, k) (FA_JW_KEY(w, k), fa_jw_null(w))

#endif
