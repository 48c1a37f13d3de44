/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DNS blocklists: RFC 5782 query names and answer classification.  An
 * answer is listed only when every value is a documented listing code of
 * the zone; the zones' "query refused" values are never a listing, and a
 * value outside 127.0.0.0/8 (a parked domain's wildcard) is no answer.
 * Learnt from the lists' own pages and from how SpamAssassin and rspamd
 * treat the blocked codes; no code of theirs is used.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl.h"
#include "private.h"

#define ONE 0xffffffffu
#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Spamhaus: docs.spamhaus.com "Available zones"; 127.255.255.0/24 is
 * reserved for errors (Spamhaus news, 2019-09-30). */
static const struct fa_dnsbl_code spamhaus_refused[] = {
	{ IP4(127, 255, 255, 254), ONE, "query refused: it came through a public or open resolver" },
	{ IP4(127, 255, 255, 255), ONE, "query refused: too many queries (over the free-use limit)" },
	{ IP4(127, 255, 255, 252), ONE, "query refused: the zone name is misspelt" },
	{ IP4(127, 255, 255, 0), 0xffffff00u, "query error (Spamhaus's reserved error range)" },
};

static const struct fa_dnsbl_code zen_listed[] = {
	{ IP4(127, 0, 0, 2), ONE, "SBL: a Spamhaus-verified spam source" },
	{ IP4(127, 0, 0, 3), ONE, "CSS: a low-reputation sending address (automated SBL)" },
	{ IP4(127, 0, 0, 9), ONE, "DROP: a hijacked or criminal network" },
	{ IP4(127, 0, 0, 30), ONE, "BCL: a botnet controller" },
	{ IP4(127, 0, 0, 4), 0xfffffffcu, "XBL: an address seen sending from malware or exploits" },
	{ IP4(127, 0, 0, 10), ONE, "PBL (ISP-maintained): dynamic or end-user space that should not send direct to MX" },
	{ IP4(127, 0, 0, 11), ONE, "PBL (Spamhaus-maintained): end-user space that should not send direct to MX" },
};

static const struct fa_dnsbl_code dbl_refused[] = {
	{ IP4(127, 0, 1, 255), ONE, "query error: an IP address was sent to a domain list" },
	{ IP4(127, 255, 255, 254), ONE, "query refused: it came through a public or open resolver" },
	{ IP4(127, 255, 255, 255), ONE, "query refused: too many queries (over the free-use limit)" },
	{ IP4(127, 255, 255, 252), ONE, "query refused: the zone name is misspelt" },
	{ IP4(127, 255, 255, 0), 0xffffff00u, "query error (Spamhaus's reserved error range)" },
};

static const struct fa_dnsbl_code dbl_listed[] = {
	{ IP4(127, 0, 1, 2), ONE, "a low-reputation (spam) domain" },
	{ IP4(127, 0, 1, 4), ONE, "a phishing domain" },
	{ IP4(127, 0, 1, 5), ONE, "a malware domain" },
	{ IP4(127, 0, 1, 6), ONE, "a botnet command-and-control domain" },
	{ IP4(127, 0, 1, 102), ONE, "a legitimate domain abused by spammers (clean it up, then ask for removal)" },
	{ IP4(127, 0, 1, 103), ONE, "a legitimate domain abused as a redirector" },
	{ IP4(127, 0, 1, 104), ONE, "a legitimate domain abused for phishing" },
	{ IP4(127, 0, 1, 105), ONE, "a legitimate domain abused for malware" },
	{ IP4(127, 0, 1, 106), ONE, "a legitimate domain abused for botnet command and control" },
};

/* Bitmask lists: the value is a bit of the last octet; bit 1 is their
 * "query refused" (uribl.com/refused.shtml; SURBL's blocked bit). */
static const struct fa_dnsbl_code bit1_refused[] = {
	{ 1, ONE, "query refused by the list (the resolver is blocked)" },
};

static const struct fa_dnsbl_code uribl_listed[] = {
	{ 2, ONE, "URIBL black: a domain seen in spam" },
	{ 4, ONE, "URIBL grey: a bulk-mail domain (false positives expected)" },
	{ 8, ONE, "URIBL red: a very new or hidden-owner domain seen in mail" },
};

static const struct fa_dnsbl_code surbl_listed[] = {
	{ 4, ONE, "SURBL DM: a disposable-mail domain" },
	{ 8, ONE, "SURBL PH: a phishing domain" },
	{ 16, ONE, "SURBL MW: a malware domain" },
	{ 32, ONE, "SURBL CT: a click-tracking domain of a sender without confirmed opt-in" },
	{ 64, ONE, "SURBL ABUSE: a spam or abuse domain" },
	{ 128, ONE, "SURBL CR: a cracked or compromised site" },
};

static const struct fa_dnsbl_code spamcop_listed[] = {
	{ IP4(127, 0, 0, 2), ONE, "SpamCop: an address reported for sending spam (listings expire by themselves)" },
};

#define CODES(a) a, FA_ARRAY_SIZE(a)

/* Alive and documented as of the facts we have; none of the dead lists
 * (SORBS, NiX Spam, AHBL, DSBL, ...) and none that needs registration
 * or a key.  IPv6 only where the operator documents it. */
static const struct fa_dnsbl_list defaults[] = {
	{ "zen.spamhaus.org", FA_DNSBL_IP, 1, 0, CODES(zen_listed), CODES(spamhaus_refused),
	  0, NULL, "https://check.spamhaus.org/" },
	{ "bl.spamcop.net", FA_DNSBL_IP, 0, 0, CODES(spamcop_listed), NULL, 0,
	  0, NULL, "https://www.spamcop.net/bl.shtml" },
	{ "dbl.spamhaus.org", FA_DNSBL_DOMAIN, 0, 0, CODES(dbl_listed), CODES(dbl_refused),
	  0, "dbltest.com", "https://check.spamhaus.org/" },
	{ "multi.uribl.com", FA_DNSBL_DOMAIN, 0, 1, CODES(uribl_listed), CODES(bit1_refused),
	  1, "test.uribl.com", "https://admin.uribl.com/" },
	{ "multi.surbl.org", FA_DNSBL_DOMAIN, 0, 1, CODES(surbl_listed), CODES(bit1_refused),
	  0, "test.surbl.org", "https://surbl.org/surbl-analysis" },
};

const struct fa_dnsbl_list *fa_dnsbl_defaults(size_t *count)
{
	*count = FA_ARRAY_SIZE(defaults);
	return defaults;
}

int fa_reverse_name(const char *ip, const char *suffix, char *buf, size_t len)
{
	unsigned char a[16];
	size_t n = 0;
	int family;
	if (inet_pton(AF_INET, ip, a) == 1) {
		family = AF_INET;
		for (int i = 3; i >= 0 && n < len; i--)
			n += (size_t)snprintf(buf + n, len - n, "%u.", a[i]);
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		static const char hex[] = "0123456789abcdef";
		family = AF_INET6;
		for (int i = 15; i >= 0 && n < len; i--)
			n += (size_t)snprintf(buf + n, len - n, "%c.%c.", hex[a[i] & 15], hex[a[i] >> 4]);
	} else {
		return -1;
	}
	if (n >= len)
		return -1;
	n += (size_t)snprintf(buf + n, len - n, "%s", suffix);
	return n < len ? family : -1;
}

static const struct fa_dnsbl_code *match(const struct fa_dnsbl_code *codes, size_t count,
					 uint32_t v)
{
	for (size_t i = 0; i < count; i++)
		if ((v & codes[i].mask) == codes[i].value)
			return &codes[i];
	return NULL;
}

static void append(char *buf, size_t len, const char *sep, const char *text)
{
	size_t n = strlen(buf);
	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s%s", n ? sep : "", text);
}

/* Classify one A value into @out; returns the status it alone gives. */
static int classify(const struct fa_dnsbl_list *l, uint32_t v, struct fa_dnsbl_answer *out)
{
	if (v >> 24 != 127) {
		/* RFC 5782 codes live in 127/8: anything else is a wildcard
		 * of a parked or expired domain, not an answer. */
		append(out->meaning, sizeof(out->meaning), "; ",
		       "an answer outside 127.0.0.0/8: the list's domain is broken or parked");
		return FA_DNSBL_UNKNOWN;
	}
	if (!l->bitmask) {
		const struct fa_dnsbl_code *c = match(l->refused, l->refused_count, v);
		if (c) {
			append(out->meaning, sizeof(out->meaning), "; ", c->meaning);
			return FA_DNSBL_REFUSED;
		}
		c = match(l->listed, l->listed_count, v);
		append(out->meaning, sizeof(out->meaning), "; ", c ? c->meaning : "an undocumented code");
		return c ? FA_DNSBL_LISTED : FA_DNSBL_UNKNOWN;
	}
	/* Bitmask lists: only the last octet counts (SURBL, URIBL). */
	int status = FA_DNSBL_NOT_LISTED, unknown = 0;
	for (uint32_t bit = 1; bit < 256; bit <<= 1) {
		if (!(v & bit))
			continue;
		const struct fa_dnsbl_code *c = match(l->refused, l->refused_count, bit);
		if (c) {
			append(out->meaning, sizeof(out->meaning), "; ", c->meaning);
			return FA_DNSBL_REFUSED;
		}
		c = match(l->listed, l->listed_count, bit);
		if (c) {
			append(out->meaning, sizeof(out->meaning), "; ", c->meaning);
			status = FA_DNSBL_LISTED;
		} else {
			unknown = 1;
		}
	}
	if (unknown)
		append(out->meaning, sizeof(out->meaning), "; ", "an undocumented bit");
	return status == FA_DNSBL_LISTED ? status : FA_DNSBL_UNKNOWN;
}

/* TXT text for people: printable ASCII only, bounded. */
static void copy_txt(char *dst, size_t len, const unsigned char *src, size_t n)
{
	size_t o = strlen(dst);
	if (o && o + 3 < len) {
		memcpy(dst + o, " | ", 3);
		o += 3;
	}
	for (size_t i = 0; i < n && o + 1 < len; i++)
		dst[o++] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[o] = '\0';
}

static int query(struct fa_dns_req *req, const struct fa_dnsbl_list *l, const char *name,
		 struct fa_dnsbl_answer *out)
{
	memset(out, 0, sizeof(*out));
	struct fa_dns_answer *a = NULL;
	int rc = fa_dns_query(req, name, FA_RR_A, &a, NULL);
	if (rc == FROMAUTH_E_DOMAIN) {
		out->status = FA_DNSBL_UNKNOWN;
		snprintf(out->meaning, sizeof(out->meaning), "the query name is not a valid domain name");
		return FROMAUTH_OK;
	}
	if (rc)
		return rc;
	if (a->status == FA_DNS_NXDOMAIN || a->status == FA_DNS_NODATA) {
		out->status = FA_DNSBL_NOT_LISTED;
	} else if (a->status != FA_DNS_OK) {
		out->status = FA_DNSBL_ERROR;
		snprintf(out->meaning, sizeof(out->meaning), "the lookup failed (%s)",
			 fromauth_dns_status_name(a->status));
	} else {
		int refused = 0, listed = 0, broken = 0;
		for (size_t i = 0; i < a->count; i++) {
			const unsigned char *d = a->rrs[i].data;
			char raw[20];
			snprintf(raw, sizeof(raw), "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
			append(out->codes, sizeof(out->codes), ",", raw);
			int s = classify(l, IP4(d[0], d[1], d[2], d[3]), out);
			refused |= s == FA_DNSBL_REFUSED;
			listed |= s == FA_DNSBL_LISTED;
			broken |= d[0] != 127;
		}
		/* A refusal anywhere voids the answer, a wildcard value too;
		 * an undocumented code alone is no listing. */
		out->status = refused ? FA_DNSBL_REFUSED : broken ? FA_DNSBL_UNKNOWN
			      : listed ? FA_DNSBL_LISTED : FA_DNSBL_UNKNOWN;
		if (refused) {
			/* Say only why it was refused: the rest means nothing. */
			struct fa_dnsbl_answer tmp;
			out->meaning[0] = '\0';
			for (size_t i = 0; i < a->count; i++) {
				const unsigned char *d = a->rrs[i].data;
				tmp.meaning[0] = '\0';
				if (classify(l, IP4(d[0], d[1], d[2], d[3]), &tmp) == FA_DNSBL_REFUSED)
					append(out->meaning, sizeof(out->meaning), "; ", tmp.meaning);
			}
		}
	}
	fa_dns_answer_release(a);
	if (out->status != FA_DNSBL_LISTED && out->status != FA_DNSBL_REFUSED)
		return FROMAUTH_OK;
	/* RFC 5782: the TXT record says why; shown, never decided on. */
	if (fa_dns_query(req, name, FA_RR_TXT, &a, NULL) == FROMAUTH_OK) {
		for (size_t i = 0; a->status == FA_DNS_OK && i < a->count; i++)
			copy_txt(out->txt, sizeof(out->txt), a->rrs[i].data, a->rrs[i].len);
		fa_dns_answer_release(a);
	}
	return FROMAUTH_OK;
}

int fa_dnsbl_lookup(struct fa_dns_req *req, const struct fa_dnsbl_list *l,
		    const char *target, struct fa_dnsbl_answer *out)
{
	char name[600];
	if (l->kind == FA_DNSBL_IP) {
		int family = fa_reverse_name(target, l->zone, name, sizeof(name));
		if (family < 0)
			return FROMAUTH_E_IP;
		if (family == AF_INET6 && !l->ipv6) {
			memset(out, 0, sizeof(*out));
			out->status = FA_DNSBL_UNKNOWN;
			snprintf(out->meaning, sizeof(out->meaning), "the list answers IPv4 queries only");
			return FROMAUTH_OK;
		}
	} else if (snprintf(name, sizeof(name), "%s.%s", target, l->zone) >= (int)sizeof(name)) {
		return FROMAUTH_E_DOMAIN;
	}
	return query(req, l, name, out);
}

int fa_dnsbl_selftest(struct fa_dns_req *req, const struct fa_dnsbl_list *l,
		      int *state, char *why, size_t whylen)
{
	char pos[300], neg[300];
	struct fa_dnsbl_answer p, n;
	if (l->kind == FA_DNSBL_IP) {
		snprintf(pos, sizeof(pos), "2.0.0.127.%s", l->zone);
		snprintf(neg, sizeof(neg), "1.0.0.127.%s", l->zone);
	} else {
		snprintf(pos, sizeof(pos), "%s.%s", l->test_listed ? l->test_listed : "test", l->zone);
		snprintf(neg, sizeof(neg), "invalid.%s", l->zone);
	}
	int rc = query(req, l, pos, &p);
	if (!rc)
		rc = query(req, l, neg, &n);
	if (rc)
		return rc;
	if (p.status == FA_DNSBL_REFUSED || n.status == FA_DNSBL_REFUSED) {
		*state = FA_DNSBL_ZONE_REFUSED;
		snprintf(why, whylen, "its test entry %s answered %s: %s%s%s",
			 p.status == FA_DNSBL_REFUSED ? pos : neg,
			 p.status == FA_DNSBL_REFUSED ? p.codes : n.codes,
			 p.status == FA_DNSBL_REFUSED ? p.meaning : n.meaning,
			 *(p.status == FA_DNSBL_REFUSED ? p.txt : n.txt) ? " - " : "",
			 p.status == FA_DNSBL_REFUSED ? p.txt : n.txt);
	} else if (n.status == FA_DNSBL_LISTED || n.status == FA_DNSBL_UNKNOWN ||
		   p.status == FA_DNSBL_UNKNOWN) {
		/* A list that lists what must never be listed lists the
		 * world (AHBL, DSBL, SpamCop's 2021 parked domain). */
		*state = FA_DNSBL_ZONE_BROKEN;
		int neg_bad = n.status == FA_DNSBL_LISTED || n.status == FA_DNSBL_UNKNOWN;
		snprintf(why, whylen, "it answers %s for %s, which must %s: its answers are ignored",
			 neg_bad ? n.codes : p.codes, neg_bad ? neg : pos,
			 neg_bad ? "never be listed" : "be listed with a documented code");
	} else if (p.status == FA_DNSBL_ERROR || n.status == FA_DNSBL_ERROR) {
		*state = FA_DNSBL_ZONE_ERROR;
		snprintf(why, whylen, "its test entries could not be looked up (%s)",
			 p.status == FA_DNSBL_ERROR ? p.meaning : n.meaning);
	} else if (p.status != FA_DNSBL_LISTED) {
		*state = FA_DNSBL_ZONE_UNUSABLE;
		snprintf(why, whylen, "it does not list its test entry %s, so the resolver is refused or filtered%s",
			 pos, fa_dns_is_offline(req->dns) ? " (offline: the overlay does not hold the zone)" : "");
	} else {
		*state = FA_DNSBL_ZONE_OK;
		snprintf(why, whylen, "its test entries answer as RFC 5782 says");
	}
	return FROMAUTH_OK;
}

/* ---- lists configured by the caller ------------------------------------- */

void fa_dnsbl_list_clear(struct fa_dnsbl_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->listed_count; i++)
		free((char *)l->listed[i].meaning);
	for (size_t i = 0; i < l->refused_count; i++)
		free((char *)l->refused[i].meaning);
	free((void *)l->listed);
	free((void *)l->refused);
	free((char *)l->zone);
	free((char *)l->test_listed);
	free((char *)l->delist);
	memset(l, 0, sizeof(*l));
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int yes_no(const char *key, const char *v, int *out, char *errbuf, size_t errlen)
{
	if (!strcmp(v, "yes") || !strcmp(v, "no")) {
		*out = !strcmp(v, "yes");
		return FROMAUTH_OK;
	}
	return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "%s=%s: yes or no expected", key, v);
}

/* "127.0.0.2 meaning, 127.255.255.0/24 meaning" or, for bitmask lists,
 * "2 meaning, 4 meaning". */
static int parse_codes(const char *key, char *v, int bitmask, const struct fa_dnsbl_code **out,
		       size_t *count, char *errbuf, size_t errlen)
{
	struct fa_dnsbl_code *codes = NULL;
	size_t n = 0;
	for (char *save = NULL, *item = strtok_r(v, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		item = trim(item);
		if (!*item)
			continue;
		if (n >= 32) {
			free(codes);
			return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "%s: at most 32 codes", key);
		}
		struct fa_dnsbl_code *c = realloc(codes, (n + 1) * sizeof(*c));
		if (!c) {
			free(codes);
			return FROMAUTH_E_NOMEM;
		}
		codes = c;
		c = &codes[n];
		size_t vlen = strcspn(item, " \t");
		char val[64];
		snprintf(val, sizeof(val), "%.*s", (int)(vlen < 63 ? vlen : 63), item);
		const char *meaning = trim(item + vlen);
		int ok;
		c->mask = ONE;
		if (bitmask) {
			char *end;
			unsigned long bit = strtoul(val, &end, 10);
			ok = !*end && bit >= 1 && bit <= 128 && !(bit & (bit - 1));
			c->value = (uint32_t)bit;
		} else {
			char *slash = strchr(val, '/');
			unsigned long prefix = 32;
			unsigned char a[4];
			if (slash) {
				*slash = '\0';
				char *end;
				prefix = strtoul(slash + 1, &end, 10);
				ok = *end == '\0' && prefix >= 8 && prefix <= 32;
			} else {
				ok = 1;
			}
			ok = ok && inet_pton(AF_INET, val, a) == 1 && a[0] == 127;
			c->mask = prefix == 32 ? ONE : ~(ONE >> prefix);
			c->value = ok ? IP4(a[0], a[1], a[2], a[3]) & c->mask : 0;
		}
		if (!ok) {
			for (size_t i = 0; i < n; i++)
				free((char *)codes[i].meaning);
			free(codes);
			return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
					bitmask ? "%s: \"%s\" is not a bit (1, 2, 4, ... 128)"
					: "%s: \"%s\" is not an address (or /prefix) in 127.0.0.0/8", key, val);
		}
		c->meaning = strdup(*meaning ? meaning : key);
		if (!c->meaning) {
			for (size_t i = 0; i < n; i++)
				free((char *)codes[i].meaning);
			free(codes);
			return FROMAUTH_E_NOMEM;
		}
		n++;
	}
	*out = codes;
	*count = n;
	return FROMAUTH_OK;
}

int fa_dnsbl_parse(const char *spec, struct fa_dnsbl_list *l, char *errbuf, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	if (!spec || strlen(spec) > 4000)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no blocklist, or one over 4000 bytes");
	char *copy = strdup(spec);
	if (!copy)
		return FROMAUTH_E_NOMEM;
	char *listed = NULL, *refused = NULL;
	int rc = FROMAUTH_OK, kind = -1;
	for (char *save = NULL, *part = strtok_r(copy, ";", &save); part && !rc;
	     part = strtok_r(NULL, ";", &save)) {
		part = trim(part);
		if (!*part)
			continue;
		char *eq = strchr(part, '=');
		if (!eq) {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "\"%s\": key=value expected", part);
			break;
		}
		*eq = '\0';
		char *key = trim(part), *v = trim(eq + 1);
		if (!strcmp(key, "zone") || !strcmp(key, "test") || !strcmp(key, "delist")) {
			const char **dst = !strcmp(key, "zone") ? &l->zone
					   : !strcmp(key, "test") ? &l->test_listed : &l->delist;
			if (*key != 'd' && fa_domain_check(v, errbuf, errlen) != FROMAUTH_OK) {
				rc = FROMAUTH_E_INVAL;
				break;
			}
			free((char *)*dst);
			if (!(*dst = strdup(v)))
				rc = FROMAUTH_E_NOMEM;
		} else if (!strcmp(key, "kind")) {
			kind = !strcmp(v, "ip") ? FA_DNSBL_IP : !strcmp(v, "domain") ? FA_DNSBL_DOMAIN : -2;
			if (kind == -2)
				rc = fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "kind=%s: ip or domain expected", v);
		} else if (!strcmp(key, "ipv6")) {
			rc = yes_no(key, v, &l->ipv6, errbuf, errlen);
		} else if (!strcmp(key, "bitmask")) {
			rc = yes_no(key, v, &l->bitmask, errbuf, errlen);
		} else if (!strcmp(key, "registered")) {
			rc = yes_no(key, v, &l->registered, errbuf, errlen);
		} else if (!strcmp(key, "listed")) {
			listed = v;
		} else if (!strcmp(key, "refused")) {
			refused = v;
		} else {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "unknown key \"%s\"", key);
		}
	}
	if (!rc && (!l->zone || kind < 0 || !listed))
		rc = fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "zone=, kind= and listed= are required");
	if (!rc) {
		l->kind = kind;
		rc = parse_codes("listed", listed, l->bitmask, &l->listed, &l->listed_count, errbuf, errlen);
	}
	if (!rc && refused)
		rc = parse_codes("refused", refused, l->bitmask, &l->refused, &l->refused_count, errbuf,
				 errlen);
	if (!rc && l->listed_count == 0)
		rc = fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "listed= names no code");
	if (!rc && !l->delist && !(l->delist = strdup("the list's operator")))
		rc = FROMAUTH_E_NOMEM;
	free(copy);
	if (rc)
		fa_dnsbl_list_clear(l);
	return rc;
}
