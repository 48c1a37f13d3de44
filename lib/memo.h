/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-context memo (review section 3a): facts that many checks share and
 * that cost CPU to derive, such as what a DKIM key decodes to, keyed by
 * the bytes they are derived from.  Values are small, fixed-size and
 * copied in and out, so no reference outlives a call.  Single-flight: a
 * key being computed makes other askers wait instead of computing it too.
 * Bounded by bytes, least recently used first, like the DNS cache; freed
 * with the context.  No process-global state.
 */
#ifndef FROMAUTH_MEMO_H
#define FROMAUTH_MEMO_H

#include <stddef.h>

/* What a memo entry is about; keys of different kinds never meet. */
enum fa_memo_kind {
	FA_MEMO_DKIM_KEY = 1,   /* (key type, p= bytes) -> decode verdict */
	FA_MEMO_OPENDKIM_PASS = 2,      /* key record wire -> libopendkim passed it */
};

#define FA_MEMO_DEFAULT_BYTES (8u << 20)

struct fa_memo;

int fa_memo_new(struct fa_memo **out, size_t max_bytes);
void fa_memo_free(struct fa_memo *memo);

/*
 * Find @key of @kind.  1: found, its @vlen bytes copied to @val.  0: absent,
 * and the caller now computes it and must call fa_memo_put() (or
 * fa_memo_abandon()); others asking meanwhile wait.  A NULL memo always
 * returns 0 and needs no put.
 */
int fa_memo_get(struct fa_memo *memo, int kind, const void *key, size_t klen,
		void *val, size_t vlen);
void fa_memo_put(struct fa_memo *memo, int kind, const void *key, size_t klen,
		 const void *val, size_t vlen);
/* The computation failed (no memory): drop the pending entry. */
void fa_memo_abandon(struct fa_memo *memo, int kind, const void *key, size_t klen);

size_t fa_memo_count(struct fa_memo *memo);

#endif
