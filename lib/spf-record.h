/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Our own reading of SPF records (RFC 7208 section 4.5 and the ABNF of
 * section 12), used twice: to screen every fetched record before libspf2
 * compiles it (Debian's libspf2 has CVE-2023-42118 in its macro compiler
 * and accepts much that RFC 7208 rejects), and for the record analysis
 * that is not tied to one IP.  Nothing here does DNS or knows libspf2.
 */
#ifndef FROMAUTH_SPF_RECORD_H
#define FROMAUTH_SPF_RECORD_H

#include <stddef.h>

/* Bounds of the screen.  A domain-spec or modifier value of at most 253
 * bytes with at most 16 macros compiles to under 490 bytes in libspf2,
 * well inside its 511-byte term buffer whose edge CVE-2023-42118 overruns. */
#define FA_SPF_MAX_RECORD 4096
#define FA_SPF_MAX_TERMS 256
#define FA_SPF_MAX_VALUE 253
#define FA_SPF_MAX_MACROS 16

enum fa_spf_term_kind {
	FA_SPF_ALL,
	FA_SPF_INCLUDE,
	FA_SPF_A,
	FA_SPF_MX,
	FA_SPF_PTR,
	FA_SPF_IP4,
	FA_SPF_IP6,
	FA_SPF_EXISTS,
	FA_SPF_REDIRECT,
	FA_SPF_EXP,
	FA_SPF_UNKNOWN_MODIFIER,
};

struct fa_spf_term {
	enum fa_spf_term_kind kind;
	char qualifier;         /* '+', '-', '~', '?'; '+' for modifiers */
	int explicit_qualifier; /* the qualifier was written */
	char *text;             /* the term as written (without qualifier) */
	char *value;            /* domain-spec, IP text or modifier value; NULL if none */
	int has_macro;          /* value holds a macro-expand */
	int cidr4;              /* ip4 / a / mx prefix, -1 if not given */
	int cidr6;              /* ip6 / a / mx prefix, -1 if not given */
	unsigned char addr[16]; /* ip4 (4 bytes) / ip6 network address */
};

struct fa_spf_record {
	size_t count;
	struct fa_spf_term *terms;
	const struct fa_spf_term *redirect; /* or NULL */
	const struct fa_spf_term *exp;      /* or NULL */
};

/* Is this TXT string an SPF record ("v=spf1" then the end or a space,
 * RFC 7208 4.5)? */
int fa_spf_is_record(const char *txt, size_t len);

/*
 * Parse and check @txt (@len bytes, may hold NUL bytes).  Returns 0, or
 * FROMAUTH_E_RECORD with what is wrong in @errbuf, or FROMAUTH_E_NOMEM.
 * @out may be NULL to only screen.
 */
int fa_spf_record_parse(const char *txt, size_t len, struct fa_spf_record **out,
			char *errbuf, size_t errlen);
void fa_spf_record_free(struct fa_spf_record *rec);
/* fa_spf_record_parse() through the context's memo (@memo may be NULL):
 * on 0, *rec is shared and read-only, kept alive by *ref, which the
 * caller releases with fa_memo_shared_release(). */
struct fa_memo;
int fa_spf_record_parse_shared(struct fa_memo *memo, const char *txt, size_t len,
			       const struct fa_spf_record **rec, void **ref,
			       char *errbuf, size_t errlen);

/* Is this a DNS-querying term (RFC 7208 4.6.4)? */
int fa_spf_term_queries_dns(const struct fa_spf_term *t);

/* Does the record have an all term?  Then redirect= is ignored (RFC 7208
 * section 6.1). */
int fa_spf_record_has_all(const struct fa_spf_record *rec);

/*
 * The record rewritten for libspf2 evaluating a client of @family at
 * @domain: terms in RFC 7208 meaning that libspf2 misreads are put in
 * forms it reads right (modifiers last, nothing after "all", redirect
 * dropped beside "all", unknown modifiers dropped, /0 prefixes spelled as
 * two halves or as exists).  An a or mx term with a /0 prefix for @family
 * becomes "a:SPEC.@any_suffix" (no prefix), for a DNS layer that answers
 * such names with the client's address when SPEC has any.
 *
 * A macro splitting on a delimiter libspf2 does not know (',' or '/')
 * is expanded here from @vars (may be NULL: then it is unsupported) and
 * handed over as a literal.
 *
 * A record longer than libspf2 can hold comes back in several segments:
 * the caller serves segment i+1 under a name of its own and appends
 * " redirect=NAME" to segment i.  *unsupported (enum fa_spf_unsupported)
 * is set, and @why (may be NULL) says why, when some term cannot be put
 * so: no @any_suffix for a /0, a term reading %{d} in a later segment, a
 * macro we cannot expand for libspf2.  Free with fa_spf_segments_free().
 */
enum fa_spf_unsupported {
	FA_SPF_UNSUPPORTED_FORM = 1,    /* too long, a or mx /0 */
	FA_SPF_UNSUPPORTED_MACRO,       /* a ',' or '/' macro delimiter */
	FA_SPF_UNSUPPORTED_NO_HELO,     /* the same, reading %{h}, no HELO */
};
struct fa_spf_macro_vars;
int fa_spf_record_for_libspf2(const struct fa_spf_record *rec, int family,
			      const char *domain, const char *any_suffix,
			      const struct fa_spf_macro_vars *vars,
			      char ***segments, size_t *nsegments, int *unsupported,
			      char *why, size_t whylen);
void fa_spf_segments_free(char **segments, size_t n);
/* Does fa_spf_record_for_libspf2() read @vars for this record (a macro
 * it must expand itself)?  If not, its output depends only on the
 * record, family, domain and suffix, and can be memoized. */
int fa_spf_record_reads_vars(const struct fa_spf_record *rec);

/* Check a macro-string (@exp_text: explanation text, where spaces and the
 * c, r, t letters are allowed). */
int fa_spf_macro_string_check(const char *s, size_t len, int exp_text,
			      char *errbuf, size_t errlen);

/* What the macro letters of RFC 7208 section 7 stand for. */
struct fa_spf_macro_vars {
	const char *sender;     /* s: local-part@domain */
	const char *domain;     /* d: current domain */
	const char *helo;       /* h */
	const char *receiver;   /* r */
	int family;             /* AF_INET / AF_INET6 */
	unsigned char ip[16];
	const char *validated;  /* p: or NULL for "unknown" */
	unsigned long timestamp;/* t */
};

/* Expand a checked macro-string into a malloc'd string (*out), at most
 * @max bytes (longer expansions are cut).  Returns 0, FROMAUTH_E_RECORD
 * or FROMAUTH_E_NOMEM. */
int fa_spf_macro_expand(const char *s, size_t len,
			const struct fa_spf_macro_vars *vars, size_t max,
			char **out);

#endif
