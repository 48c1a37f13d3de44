/* SPDX-License-Identifier: BSD-2-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "private.h"

int fa_cidr_parse(const char *text, struct fa_cidr *out,
		  char *errbuf, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(addr))
		return fa_error(errbuf, errlen, FROMAUTH_E_IP,
				"\"%s\" is not an IP address or CIDR range", text);
	memcpy(addr, text, alen);
	addr[alen] = '\0';

	unsigned int max;
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return fa_error(errbuf, errlen, FROMAUTH_E_IP,
				"\"%s\" is not an IPv4 or IPv6 address", addr);
	}

	out->prefix = max;
	if (slash) {
		const char *p = slash + 1;
		char *end;
		if (*p < '0' || *p > '9')
			return fa_error(errbuf, errlen, FROMAUTH_E_IP,
					"prefix length missing after '/' in \"%s\"", text);
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (errno || *end != '\0' || v > max)
			return fa_error(errbuf, errlen, FROMAUTH_E_IP,
					"prefix length \"%s\" in \"%s\" is not 0..%u",
					p, text, max);
		out->prefix = (unsigned int)v;
	}

	size_t nbytes = max / 8;
	for (size_t i = 0; i < nbytes; i++) {
		unsigned int bit0 = (unsigned int)i * 8;
		unsigned char mask;
		if (bit0 + 8 <= out->prefix)
			mask = 0xff;
		else if (bit0 >= out->prefix)
			mask = 0;
		else
			mask = (unsigned char)(0xff << (8 - (out->prefix - bit0)));
		if (out->addr[i] & (unsigned char)~mask)
			return fa_error(errbuf, errlen, FROMAUTH_E_IP,
					"\"%s\" has host bits set below the /%u prefix",
					text, out->prefix);
	}
	return FROMAUTH_OK;
}

static void fill_last(const struct fa_cidr *c, unsigned char *last)
{
	size_t nbytes = c->family == AF_INET ? 4 : 16;
	memcpy(last, c->addr, 16);
	for (size_t i = 0; i < nbytes; i++) {
		unsigned int bit0 = (unsigned int)i * 8;
		if (bit0 >= c->prefix)
			last[i] = 0xff;
		else if (bit0 + 8 > c->prefix)
			last[i] |= (unsigned char)(0xff >> (c->prefix - bit0));
	}
}

/* A decimal number of at most 3 digits at @p; the end. */
static char *put_decimal(char *p, unsigned int v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_ipv4(char *p, const unsigned char *addr)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_decimal(p, addr[i]);
	}
	return p;
}

/* RFC 5952 text, as glibc's inet_ntop writes it: the longest run of two
 * or more zero groups (the first of equal ones) as "::", hex in lower
 * case without leading zeros, and the last 32 bits as IPv4 after ::ffff:
 * or after six zero groups. */
static char *put_ipv6(char *p, const unsigned char *addr)
{
	unsigned int w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned int)addr[2 * i] << 8 | addr[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			if (++cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_ipv4(p, addr + 12);
		static const char hex[] = "0123456789abcdef";
		int started = 0;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned int d = w[i] >> shift & 0xf;
			if (d || started || !shift) {
				*p++ = hex[d];
				started = 1;
			}
		}
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

/* What inet_ntop() writes, without its cost: it formats through sprintf,
 * thousands of instructions an address, and a check formats the first
 * and last address of each range, a flattened fix every range. */
static void addr_text(int family, const unsigned char *addr, char *buf, size_t len)
{
	if ((family != AF_INET && family != AF_INET6) || len < INET6_ADDRSTRLEN) {
		inet_ntop(family, addr, buf, (socklen_t)len);
		return;
	}
	*(family == AF_INET ? put_ipv4(buf, addr) : put_ipv6(buf, addr)) = '\0';
}

void fa_cidr_first(const struct fa_cidr *c, char *buf, size_t len)
{
	addr_text(c->family, c->addr, buf, len);
}

void fa_cidr_last(const struct fa_cidr *c, char *buf, size_t len)
{
	unsigned char last[16];
	fill_last(c, last);
	addr_text(c->family, last, buf, len);
}

void fa_cidr_format(const struct fa_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN + 4];
	addr_text(c->family, c->addr, a, INET6_ADDRSTRLEN);
	size_t n = strlen(a);
	if (c->prefix > 128 || !len) {
		snprintf(buf, len, "%s/%u", a, c->prefix);
		return;
	}
	a[n] = '/';
	n = (size_t)(put_decimal(a + n + 1, c->prefix) - a);
	/* As snprintf would: cut to fit, always terminated. */
	if (n >= len)
		n = len - 1;
	memcpy(buf, a, n);
	buf[n] = '\0';
}
