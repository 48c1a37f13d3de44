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
	FA_MEMO_SPF_PREP = 3,   /* (family, domain, SPF record) -> screened, rewritten */
	FA_MEMO_SPF_SERVER = 4, /* the context's libspf2 server */
	FA_MEMO_SPF_PARSE = 5,  /* SPF record text -> our parse (spf-tree.c) */
	FA_MEMO_DMARC_RECORD = 6,       /* DMARC record text -> parse + libopendmarc's say */
	FA_MEMO_DKIM_RECORD = 7,        /* DKIM key record text -> parse, printable form */
	FA_MEMO_SPF_COMPILED = 8,       /* text given to libspf2 -> its compiled record */
	FA_MEMO_SPF_EVAL = 9,   /* (client, top SPF record) -> outcome, queries (spf.c) */
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
/* Settled entries of one kind (a walk of the table: for tests). */
size_t fa_memo_count_kind(struct fa_memo *memo, int kind);

/*
 * Shared values, for facts that hold pointers (a parsed record): an
 * immutable, reference-counted block.  fa_memo_shared_new() makes one
 * with one reference for the caller and @len bytes for it to fill;
 * @dtor (may be NULL) frees what the bytes point to when the last
 * reference goes.  The memo keeps its own reference, so an entry
 * evicted while a check still reads it stays alive until released.
 */
void *fa_memo_shared_new(size_t len, void (*dtor)(void *val));
void fa_memo_shared_release(void *val);
/* As fa_memo_get(): non-NULL (a new reference) or NULL, and then the
 * caller computes and calls fa_memo_put_shared() or fa_memo_abandon().
 * @bytes is what the value costs in memory, for the byte cap. */
void *fa_memo_get_shared(struct fa_memo *memo, int kind, const void *key, size_t klen);
void fa_memo_put_shared(struct fa_memo *memo, int kind, const void *key, size_t klen,
			void *val, size_t bytes);

/* Drop the settled entry of @key if it still holds @val, which its user
 * found out of date; others holding @val keep it until they release it. */
void fa_memo_drop_shared(struct fa_memo *memo, int kind, const void *key, size_t klen,
			 const void *val);

/* A random number drawn once per memo (so per context): for names no
 * record or sender can guess, yet the same for every check, so that
 * what is derived from them can be memoized. */
unsigned long long fa_memo_nonce(const struct fa_memo *memo);

#endif
