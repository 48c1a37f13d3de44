/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal helpers shared by every file of the library. */
#ifndef FROMAUTH_PRIVATE_H
#define FROMAUTH_PRIVATE_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "fromauth/fromauth.h"

/* Second half of the double hiding: -fvisibility=hidden hides everything,
 * this marks what the version script exports. */
#define FROMAUTH_EXPORT __attribute__((visibility("default")))

#define FA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A mutex for locks held a few instructions by many threads: it spins a
 * little before sleeping, since its holder is about to let go, where a
 * plain one goes to the kernel at once.  0 or an errno. */
int fa_mutex_init(pthread_mutex_t *m);

/* Write a message into the caller's error buffer (may be NULL/0) and return
 * @code, so error paths read `return fa_error(buf, len, FROMAUTH_E_X, ...)`. */
int fa_error(char *errbuf, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Monotonic clock in milliseconds. */
uint64_t fa_now_ms(void);

/* strdup that returns NULL only on NULL input or allocation failure. */
char *fa_strdup(const char *s);
/* @a, @b and @c (may be NULL) joined, malloc'd; what asprintf("%s%s%s")
 * gives, without printf.  NULL: no memory. */
char *fa_concat(const char *a, const char *b, const char *c);

/* The one escaper for showing bytes: RFC 1035 master-file form, as ldns
 * prints a character-string.  Printable ASCII and tab stay, '"' and
 * '\\' get a backslash, every other byte becomes \DDD (decimal).  Writes to @out
 * when not NULL (no NUL added) and returns the length, at most 4 * len. */
size_t fa_escape_bytes(char *out, const void *data, size_t len);

/* fa_escape_bytes() into a new NUL-terminated string; NULL on failure. */
char *fa_escape_dup(const void *data, size_t len);

/* Lower-case ASCII copy without a trailing dot; NULL on allocation failure. */
char *fa_domain_normalize(const char *name);

/* Validate a domain in A-label form: labels of 1..63 bytes of
 * letters, digits, '-' and '_' (SPF and DKIM owner names use '_'), total
 * length <= 253.  Returns 0 or FROMAUTH_E_DOMAIN with a message. */
int fa_domain_check(const char *name, char *errbuf, size_t errlen);

/* Number of labels of a domain ("a.b.c" -> 3). */
size_t fa_domain_labels(const char *name);

/* Is @sub equal to @parent or below it (case-insensitive, no trailing dots)? */
int fa_domain_is_within(const char *sub, const char *parent);

#endif
