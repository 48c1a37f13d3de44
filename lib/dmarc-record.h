/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DMARC policy record parser and validator (RFC 9989 section 4.7 with the
 * RFC 7489 tags pct, rf and ri).  Pure text work, no DNS and no
 * libopendmarc, so it can be fuzzed on its own.  Stricter than
 * libopendmarc: v=DMARC1 must come first, keyword values must match
 * exactly (no prefixes), and every unknown or malformed tag is named.
 */
#ifndef FROMAUTH_DMARC_RECORD_H
#define FROMAUTH_DMARC_RECORD_H

#include <stddef.h>

/* Bounds on what one hostile record can make us keep. */
#define FA_DMARC_MAX_PROBLEMS 16
#define FA_DMARC_MAX_URIS 16

/* One reporting URI of rua= or ruf=. */
struct fa_dmarc_uri {
	char *uri;      /* as written, without a !size suffix */
	char *host;     /* mailto: domain, lower case */
};

struct fa_dmarc_record {
	char *text;             /* the record, NULs shown as "\0" */
	int p, sp, np;          /* enum fromauth_dmarc_policy; 0 = absent */
	int p_bad, sp_bad, np_bad; /* present with an invalid value */
	char adkim, aspf;       /* 'r' or 's' (default 'r') */
	int pct;                /* 0..100, -1 absent or invalid */
	char t;                 /* 'y' or 'n' (default 'n') */
	char psd;               /* 'y', 'n' or 'u' (default 'u') */
	char *fo, *rf;          /* as written when valid, else NULL */
	long long ri;           /* -1 absent or invalid */
	size_t rua_count, ruf_count;
	struct fa_dmarc_uri rua[FA_DMARC_MAX_URIS];
	struct fa_dmarc_uri ruf[FA_DMARC_MAX_URIS];
	size_t problem_count;
	char *problems[FA_DMARC_MAX_PROBLEMS];
	int problems_dropped;   /* more problems than were kept */
};

/*
 * Is @txt (of @len bytes, may hold NULs) a DMARC record at all, i.e. does
 * it start with the v=DMARC1 tag (RFC 9989: exact, case-sensitive, first)?
 * Records that are not are ignored by discovery.
 */
int fa_dmarc_record_is_dmarc(const char *txt, size_t len);

/*
 * Does @txt look like a failed attempt at a DMARC record ("v=dmarc1",
 * "p=reject; v=DMARC1", " V = DMARC1")?  Used to tell the admin why a
 * TXT record at _dmarc was ignored.
 */
int fa_dmarc_record_looks_like_dmarc(const char *txt, size_t len);

/*
 * Parse and validate a record that fa_dmarc_record_is_dmarc() accepted
 * (others are parsed too, with a problem for the missing version).
 * Returns 0 or FROMAUTH_E_NOMEM.  Free with fa_dmarc_record_clear().
 */
int fa_dmarc_record_parse(const char *txt, size_t len,
			  struct fa_dmarc_record *rec);

void fa_dmarc_record_clear(struct fa_dmarc_record *rec);

/* Add a problem sentence (printf-style); returns 0 or FROMAUTH_E_NOMEM. */
int fa_dmarc_record_problem(struct fa_dmarc_record *rec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The policy a receiver takes from the record (RFC 9989 section 4.10.1):
 * a missing or invalid p=, or an invalid sp= or np=, makes the whole
 * record "p=none" if rua= holds a valid URI, else no policy at all
 * (returns 0 = absent, else sets *p, *sp, *np with sp/np falling back as
 * the RFC says: sp to p, np to sp to p).
 */
int fa_dmarc_record_policies(const struct fa_dmarc_record *rec,
			     int *p, int *sp, int *np);

#endif
