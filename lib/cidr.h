/* SPDX-License-Identifier: BSD-2-Clause */
/* IP ranges of a service: parsing and the addresses a check samples. */
#ifndef FROMAUTH_CIDR_H
#define FROMAUTH_CIDR_H

#include <stddef.h>

struct fa_cidr {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network address, host bits cleared */
	unsigned int prefix;
};

/* "192.0.2.0/24", "2001:db8::/32", or a bare address (full prefix).
 * Host bits set below the prefix are an error: a profile that says
 * 192.0.2.7/24 most likely means something else. */
int fa_cidr_parse(const char *text, struct fa_cidr *out,
		  char *errbuf, size_t errlen);

/* First and last address of the range as text (INET6_ADDRSTRLEN bytes). */
void fa_cidr_first(const struct fa_cidr *c, char *buf, size_t len);
void fa_cidr_last(const struct fa_cidr *c, char *buf, size_t len);

/* "addr/prefix" */
void fa_cidr_format(const struct fa_cidr *c, char *buf, size_t len);

#endif
