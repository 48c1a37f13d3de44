/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Service profiles (SPEC section 6): `key = value` lines read with libinih,
 * or settings made one by one through fromauth_profile_set().  Both paths
 * validate every value the same way; errors name source, line and key.
 *
 * How we use inih, and why through our own line reader
 * (ini_parse_stream()): Debian's libinih 55 is built with the upstream
 * defaults, which its patched ini.h exposes as process-wide variables
 * (ini_allow_inline_comments, ini_inline_comment_prefixes = ";",
 * ini_allow_multiline = 1, ini_max_line = 200, no handler line numbers).
 * So inih alone would keep `# comment` in values (SPEC 6 writes comments
 * that way), take an indented line as the continuation of the previous
 * key, split lines over 200 bytes into two, and not tell the handler the
 * line number.  Changing those globals would race with any other inih
 * user in the process, so the reader hands inih each line already
 * cleaned: leading blanks and `#`/`;` comments (at the start of a line or
 * after a blank) removed, controls and bad UTF-8 refused, over-long lines
 * refused instead of split, and it counts lines for the messages.  inih
 * still does the key/value splitting and trimming.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "cidr.h"
#include "private.h"
#include "profile.h"

/* A profile is a handful of lines; anything bigger is not a profile. */
#define FA_PROFILE_MAX_BYTES (1024 * 1024)
#define FA_PLACEHOLDER "{domain}"
/* Filled into templates to check they make a domain. */
#define FA_SAMPLE_DOMAIN "example.com"

enum key_id {
	K_NAME,
	K_IP,
	K_SPF_INCLUDE,
	K_MAIL_FROM,
	K_MAIL_FROM_TARGET,
	K_HELO,
	K_DKIM,
	K_ALLOWED_FROM,
	K_COUNT,
};

static const struct {
	const char *name;
	bool repeatable;
} keys[K_COUNT] = {
	[K_NAME] = { "name", false },
	[K_IP] = { "ip", true },
	[K_SPF_INCLUDE] = { "spf-include", false },
	[K_MAIL_FROM] = { "mail-from", false },
	[K_MAIL_FROM_TARGET] = { "mail-from-target", false },
	[K_HELO] = { "helo", false },
	[K_DKIM] = { "dkim", true },
	[K_ALLOWED_FROM] = { "allowed-from", true },
};

struct dkim_identity {
	char *selector;
	char *domain;
	char *target;
};

struct fromauth_profile {
	char *source;         /* file name, or "api", for messages */
	char *name;
	char **ips;           /* as written */
	struct fa_cidr *ranges;
	size_t nip;
	char *spf_include;
	char *mail_from;
	char *mail_from_target;
	char *helo;
	struct dkim_identity *dkim;
	size_t ndkim;
	char **allowed;
	size_t nallowed;
	unsigned int set_on_line[K_COUNT]; /* single keys: where first set */
	bool set[K_COUNT];
};

/* Where a setting came from, for messages. */
struct origin {
	const char *source;
	unsigned int line; /* 0 for the API */
	const char *key;
};

static int setting_error(char *errbuf, size_t errlen, const struct origin *o,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int setting_error(char *errbuf, size_t errlen, const struct origin *o,
			 const char *fmt, ...)
{
	char msg[768], key[72];
	va_list ap;
	size_t i;

	if (!errbuf || errlen == 0)
		return FROMAUTH_E_PROFILE;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The key may be anything a caller passed; print it tamely. */
	for (i = 0; o->key[i] && i < sizeof(key) - 1; i++) {
		unsigned char c = (unsigned char)o->key[i];
		key[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	key[i] = '\0';
	if (o->line)
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"%s:%u: key '%s': %s", o->source, o->line, key, msg);
	return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
			"%s: key '%s': %s", o->source, key, msg);
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[32];

	if (la >= 31 || lb >= 31)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* UTF-8 check and no controls but tab; returns the offending offset or
 * -1 when the text is fine. */
static long bad_text_offset(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = u[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return (long)i;
		if (c < 0x80)
			continue;
		size_t n = c >= 0xc2 && c <= 0xdf ? 2
			 : c >= 0xe0 && c <= 0xef ? 3
			 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (n == 0 || i + n > len)
			return (long)i;
		unsigned int cp = c & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		static const unsigned int min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
		if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += n - 1;
	}
	return -1;
}

static bool grow(void **array, size_t count, size_t size)
{
	/* Grow one element at a time: profiles hold a few dozen entries. */
	void *n = realloc(*array, (count + 1) * size);
	if (!n)
		return false;
	*array = n;
	return true;
}

/* A plain domain value (spf-include, helo, mail-from-target). */
static int parse_domain(const struct origin *o, const char *value, char **out,
			char *errbuf, size_t errlen)
{
	char inner[512];
	if (strchr(value, '{') || strchr(value, '}'))
		return setting_error(errbuf, errlen, o,
				     "\"%s\": placeholders are not allowed here, "
				     "give a fixed domain", value);
	int rc = fa_domain_to_alabel(value, out, inner, sizeof(inner));
	if (rc == FROMAUTH_E_NOMEM)
		return rc;
	if (rc)
		return setting_error(errbuf, errlen, o, "%s", inner);
	return FROMAUTH_OK;
}

/* A domain that may contain {domain} standing for whole labels
 * ("bounce.{domain}", "{domain}").  Without the placeholder it is a plain
 * domain.  With it, the fixed part must already be ASCII (A-labels), since
 * converting pieces of a name to A-labels is not defined. */
static int parse_template(const struct origin *o, const char *value,
			  char **out, char *errbuf, size_t errlen)
{
	const char *ph = strstr(value, FA_PLACEHOLDER);
	size_t plen = strlen(FA_PLACEHOLDER);
	char inner[512];
	int rc;

	*out = NULL;
	if (ph && strstr(ph + plen, FA_PLACEHOLDER))
		return setting_error(errbuf, errlen, o,
				     "\"%s\": {domain} may appear only once", value);
	for (const char *s = value; *s; s++) {
		if (s == ph) {
			s += plen - 1;
			continue;
		}
		if (*s == '{' || *s == '}')
			return setting_error(errbuf, errlen, o,
					     "\"%s\": unknown placeholder at column %zu; "
					     "only {domain} is supported",
					     value, (size_t)(s - value) + 1);
		if ((unsigned char)*s >= 0x80 && ph)
			return setting_error(errbuf, errlen, o,
					     "\"%s\": write the fixed part of a "
					     "template in A-labels (xn--...)", value);
	}
	if (!ph)
		return parse_domain(o, value, out, errbuf, errlen);
	if ((ph != value && ph[-1] != '.') ||
	    (ph[plen] != '\0' && ph[plen] != '.'))
		return setting_error(errbuf, errlen, o,
				     "\"%s\": {domain} must stand for whole "
				     "labels, as in bounce.{domain}", value);

	char *norm = fa_domain_normalize(value);
	if (!norm)
		return FROMAUTH_E_NOMEM;
	char *sample = fa_profile_expand(norm, FA_SAMPLE_DOMAIN);
	if (!sample) {
		free(norm);
		return FROMAUTH_E_NOMEM;
	}
	rc = fa_domain_check(sample, inner, sizeof(inner));
	if (rc) {
		rc = setting_error(errbuf, errlen, o,
				   "\"%s\" does not make a valid domain "
				   "(with %s filled in: %s)", value,
				   FA_SAMPLE_DOMAIN, inner);
		free(sample);
		free(norm);
		return rc;
	}
	free(sample);
	*out = norm;
	return FROMAUTH_OK;
}

static int add_ip(struct fromauth_profile *p, const struct origin *o,
		  const char *value, char *errbuf, size_t errlen)
{
	struct fa_cidr cidr;
	char inner[256];

	if (fa_cidr_parse(value, &cidr, inner, sizeof(inner)))
		return setting_error(errbuf, errlen, o, "%s", inner);
	char *text = strdup(value);
	if (!text || !grow((void **)&p->ips, p->nip, sizeof(*p->ips)) ||
	    !grow((void **)&p->ranges, p->nip, sizeof(*p->ranges))) {
		free(text);
		return FROMAUTH_E_NOMEM;
	}
	p->ips[p->nip] = text;
	p->ranges[p->nip] = cidr;
	p->nip++;
	return FROMAUTH_OK;
}

static void free_identity(struct dkim_identity *id)
{
	free(id->selector);
	free(id->domain);
	free(id->target);
}

/* `selector domain [target]` */
static int add_dkim(struct fromauth_profile *p, const struct origin *o,
		    const char *value, char *errbuf, size_t errlen)
{
	char *fields[4] = { 0 };
	struct dkim_identity id = { 0 };
	size_t n = 0;
	char inner[512];
	int rc = FROMAUTH_OK;

	char *copy = strdup(value);
	if (!copy)
		return FROMAUTH_E_NOMEM;
	char *save = NULL;
	for (char *f = strtok_r(copy, " \t", &save); f;
	     f = strtok_r(NULL, " \t", &save)) {
		if (n == 3) {
			rc = setting_error(errbuf, errlen, o,
					   "\"%s\": too many fields; expected "
					   "'selector domain [target]'", value);
			goto out;
		}
		fields[n++] = f;
	}
	if (n == 0) {
		rc = setting_error(errbuf, errlen, o, "empty dkim line; expected "
				   "'selector domain [target]'");
		goto out;
	}
	if (n == 1) {
		rc = setting_error(errbuf, errlen, o, "\"%s\": signing domain "
				   "missing; expected 'selector domain [target]'",
				   value);
		goto out;
	}
	if (fa_domain_check(fields[0], inner, sizeof(inner))) {
		rc = setting_error(errbuf, errlen, o, "selector \"%s\": %s",
				   fields[0], inner);
		goto out;
	}
	id.selector = fa_domain_normalize(fields[0]);
	if (!id.selector) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	rc = parse_template(o, fields[1], &id.domain, errbuf, errlen);
	if (rc)
		goto out;
	if (n == 3) {
		rc = parse_template(o, fields[2], &id.target, errbuf, errlen);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < p->ndkim; i++) {
		if (strcmp(p->dkim[i].selector, id.selector) == 0 &&
		    strcmp(p->dkim[i].domain, id.domain) == 0) {
			rc = setting_error(errbuf, errlen, o, "identity \"%s %s\" "
					   "is listed twice", id.selector, id.domain);
			goto out;
		}
	}
	if (!grow((void **)&p->dkim, p->ndkim, sizeof(*p->dkim))) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	p->dkim[p->ndkim++] = id;
	memset(&id, 0, sizeof(id));
out:
	free_identity(&id);
	free(copy);
	return rc;
}

/* Comma-separated patterns; all or none are added. */
static int add_allowed_from(struct fromauth_profile *p, const struct origin *o,
			    const char *value, char *errbuf, size_t errlen)
{
	size_t old = p->nallowed;
	char inner[768];
	int rc = FROMAUTH_OK;

	for (const char *s = value;;) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		const char *b = s, *e = end;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (b == e) {
			rc = setting_error(errbuf, errlen, o,
					   "empty item at column %zu of the list",
					   (size_t)(b - value) + 1);
			break;
		}
		char *item = strndup(b, (size_t)(e - b));
		char *norm = NULL;
		if (!item) {
			rc = FROMAUTH_E_NOMEM;
			break;
		}
		rc = fa_pattern_normalize(item, &norm, inner, sizeof(inner));
		free(item);
		if (rc == FROMAUTH_OK &&
		    !grow((void **)&p->allowed, p->nallowed, sizeof(*p->allowed))) {
			free(norm);
			rc = FROMAUTH_E_NOMEM;
		}
		if (rc) {
			if (rc != FROMAUTH_E_NOMEM)
				rc = setting_error(errbuf, errlen, o, "%s", inner);
			break;
		}
		p->allowed[p->nallowed++] = norm;
		if (!comma)
			break;
		s = comma + 1;
	}
	if (rc) {
		while (p->nallowed > old)
			free(p->allowed[--p->nallowed]);
	}
	return rc;
}

static char **single_slot(struct fromauth_profile *p, enum key_id k)
{
	switch (k) {
	case K_NAME: return &p->name;
	case K_SPF_INCLUDE: return &p->spf_include;
	case K_MAIL_FROM: return &p->mail_from;
	case K_MAIL_FROM_TARGET: return &p->mail_from_target;
	case K_HELO: return &p->helo;
	default: return NULL;
	}
}

/* One setting from a file (@replace false: a repeated single key is an
 * error) or from the API (@replace true: it replaces). */
static int apply(struct fromauth_profile *p, const struct origin *o,
		 const char *raw_value, bool replace, char *errbuf, size_t errlen)
{
	enum key_id k = K_COUNT;
	int rc;

	for (size_t i = 0; i < K_COUNT; i++)
		if (strcasecmp(o->key, keys[i].name) == 0)
			k = (enum key_id)i;
	if (k == K_COUNT) {
		const char *best = NULL;
		size_t best_d = 3;
		for (size_t i = 0; i < K_COUNT; i++) {
			size_t d = edit_distance(o->key, keys[i].name);
			if (d < best_d) {
				best_d = d;
				best = keys[i].name;
			}
		}
		if (best)
			return setting_error(errbuf, errlen, o,
					     "unknown key (did you mean '%s'?)", best);
		return setting_error(errbuf, errlen, o, "unknown key");
	}

	size_t len = strlen(raw_value);
	long bad = bad_text_offset(raw_value, len);
	if (bad >= 0)
		return setting_error(errbuf, errlen, o, "control character or "
				     "invalid UTF-8 at column %ld of the value",
				     bad + 1);
	while (len > 0 && (raw_value[len - 1] == ' ' || raw_value[len - 1] == '\t'))
		len--;
	while (len > 0 && (*raw_value == ' ' || *raw_value == '\t')) {
		raw_value++;
		len--;
	}
	char *value = strndup(raw_value, len);
	if (!value)
		return FROMAUTH_E_NOMEM;
	if (len == 0 && k != K_DKIM) {
		free(value);
		return setting_error(errbuf, errlen, o, "empty value");
	}

	if (!keys[k].repeatable && p->set[k] && !replace) {
		free(value);
		if (p->set_on_line[k])
			return setting_error(errbuf, errlen, o, "given twice "
					     "(first on line %u)", p->set_on_line[k]);
		return setting_error(errbuf, errlen, o, "given twice");
	}

	char *parsed = NULL;
	switch (k) {
	case K_IP:
		rc = add_ip(p, o, value, errbuf, errlen);
		break;
	case K_DKIM:
		rc = add_dkim(p, o, value, errbuf, errlen);
		break;
	case K_ALLOWED_FROM:
		rc = add_allowed_from(p, o, value, errbuf, errlen);
		break;
	case K_NAME:
		parsed = value;
		value = NULL;
		rc = FROMAUTH_OK;
		break;
	case K_MAIL_FROM:
		rc = parse_template(o, value, &parsed, errbuf, errlen);
		break;
	default:
		rc = parse_domain(o, value, &parsed, errbuf, errlen);
		break;
	}
	free(value);
	if (rc == FROMAUTH_E_NOMEM)
		fa_error(errbuf, errlen, rc, "out of memory");
	if (rc)
		return rc;
	if (parsed) {
		char **slot = single_slot(p, k);
		free(*slot);
		*slot = parsed;
	}
	if (!p->set[k])
		p->set_on_line[k] = o->line;
	p->set[k] = true;
	return FROMAUTH_OK;
}

static struct fromauth_profile *profile_alloc(const char *source)
{
	struct fromauth_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->source = strdup(source);
	if (!p->source) {
		free(p);
		return NULL;
	}
	return p;
}

FROMAUTH_EXPORT int fromauth_profile_new(struct fromauth_profile **out)
{
	if (!out)
		return FROMAUTH_E_INVAL;
	*out = profile_alloc("api");
	return *out ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
}

FROMAUTH_EXPORT void fromauth_profile_free(struct fromauth_profile *profile)
{
	if (!profile)
		return;
	for (size_t i = 0; i < profile->nip; i++)
		free(profile->ips[i]);
	free(profile->ips);
	free(profile->ranges);
	for (size_t i = 0; i < profile->ndkim; i++)
		free_identity(&profile->dkim[i]);
	free(profile->dkim);
	for (size_t i = 0; i < profile->nallowed; i++)
		free(profile->allowed[i]);
	free(profile->allowed);
	free(profile->name);
	free(profile->spf_include);
	free(profile->mail_from);
	free(profile->mail_from_target);
	free(profile->helo);
	free(profile->source);
	free(profile);
}

FROMAUTH_EXPORT int fromauth_profile_set(struct fromauth_profile *profile,
					 const char *key, const char *value,
					 char *errbuf, size_t errlen)
{
	if (!profile || !key || !value)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"profile, key and value must not be NULL");
	struct origin o = { .source = "api", .line = 0, .key = key };
	return apply(profile, &o, value, true, errbuf, errlen);
}

FROMAUTH_EXPORT int fromauth_profile_validate(const struct fromauth_profile *profile,
					      char *errbuf, size_t errlen)
{
	if (!profile)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no profile");
	if (profile->nip == 0 && !profile->spf_include)
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"%s: the profile has neither 'ip' nor 'spf-include': "
				"the addresses the service sends from are unknown",
				profile->source);
	if (profile->mail_from_target && !profile->mail_from)
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"%s: 'mail-from-target' needs a 'mail-from' "
				"(the From domain itself cannot be a CNAME)",
				profile->source);
	return FROMAUTH_OK;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

struct reader {
	struct fromauth_profile *profile;
	const char *source;
	const char *cur;       /* next line of the text */
	unsigned int line;     /* number of the line last handed to inih */
	int rc;                /* first error; stops the reader */
	char *errbuf;
	size_t errlen;
};

static int line_error(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int line_error(struct reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->rc = fa_error(r->errbuf, r->errlen, FROMAUTH_E_PROFILE, "%s:%u: %s",
			 r->source, r->line, msg);
	return r->rc;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* inih's ini_reader: hand over the next line, cleaned (see the top of the
 * file); NULL at the end or after an error, which ends the parse. */
static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;

	if (r->rc || *r->cur == '\0' || num < 4)
		return NULL;
	const char *start = r->cur;
	const char *nl = strchr(start, '\n');
	size_t len = nl ? (size_t)(nl - start) : strlen(start);
	r->cur = nl ? nl + 1 : start + len;
	r->line++;

	if (r->line == 1 && len >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0) {
		start += 3;
		len -= 3;
	}
	if (len > 0 && start[len - 1] == '\r')
		len--;
	long bad = bad_text_offset(start, len);
	if (bad >= 0) {
		line_error(r, "control character or invalid UTF-8 at column %ld",
			   bad + 1);
		return NULL;
	}

	while (len > 0 && blank(*start)) {
		start++;
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		if ((start[i] == '#' || start[i] == ';') &&
		    (i == 0 || blank(start[i - 1]))) {
			len = i;
			break;
		}
	}
	while (len > 0 && blank(start[len - 1]))
		len--;

	if (len > 0) {
		const char *eq = memchr(start, '=', len);
		const char *colon = memchr(start, ':', len);
		if (start[0] == '[') {
			line_error(r, "sections ([...]) are not used in a profile");
			return NULL;
		}
		if (!eq || (colon && colon < eq)) {
			line_error(r, "expected 'key = value'");
			return NULL;
		}
		if (eq == start) {
			line_error(r, "key missing before '='");
			return NULL;
		}
		/* inih needs room for the newline and NUL, and splits what
		 * does not fit into two lines: refuse instead. */
		if (len + 3 > (size_t)num) {
			line_error(r, "line is %zu bytes long without its comment, "
				   "the limit is %d; split repeatable keys over "
				   "several lines", len, num - 3);
			return NULL;
		}
	}
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int handle_pair(void *user, const char *section, const char *name,
		       const char *value)
{
	struct reader *r = user;
	struct origin o = { .source = r->source, .line = r->line, .key = name };

	if (r->rc)
		return 0;
	if (section && section[0]) {
		line_error(r, "sections ([...]) are not used in a profile");
		return 0;
	}
	r->rc = apply(r->profile, &o, value ? value : "", false,
		      r->errbuf, r->errlen);
	return r->rc == FROMAUTH_OK;
}

FROMAUTH_EXPORT int fromauth_profile_parse(const char *text, const char *source,
					   struct fromauth_profile **out,
					   char *errbuf, size_t errlen)
{
	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!text)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no profile text");
	if (!source)
		source = "profile";

	struct fromauth_profile *p = profile_alloc(source);
	if (!p)
		return fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "out of memory");
	struct reader r = {
		.profile = p, .source = p->source, .cur = text,
		.errbuf = errbuf, .errlen = errlen,
	};
	int ret = ini_parse_stream(read_line, &r, handle_pair, &r);
	int rc = r.rc;
	if (rc == FROMAUTH_OK && ret == -2)
		rc = fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "out of memory");
	else if (rc == FROMAUTH_OK && ret != 0)
		/* The reader leaves inih nothing to object to; if it does,
		 * still say where. */
		rc = fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
			      "%s:%d: syntax error", p->source, ret);
	if (rc == FROMAUTH_OK)
		rc = fromauth_profile_validate(p, errbuf, errlen);
	if (rc) {
		fromauth_profile_free(p);
		return rc;
	}
	*out = p;
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT int fromauth_profile_load(const char *path,
					  struct fromauth_profile **out,
					  char *errbuf, size_t errlen)
{
	char ebuf[128];

	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!path)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no path");

	FILE *f = fopen(path, "rb");
	if (!f)
		return fa_error(errbuf, errlen, FROMAUTH_E_IO, "%s: %s", path,
				strerror_r(errno, ebuf, sizeof(ebuf)));
	char *text = malloc(FA_PROFILE_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "out of memory");
	}
	size_t n = fread(text, 1, FA_PROFILE_MAX_BYTES + 1, f);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		free(text);
		return fa_error(errbuf, errlen, FROMAUTH_E_IO, "%s: %s", path,
				strerror_r(err, ebuf, sizeof(ebuf)));
	}
	if (n > FA_PROFILE_MAX_BYTES) {
		free(text);
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"%s: larger than %d bytes; not a profile", path,
				FA_PROFILE_MAX_BYTES);
	}
	const char *nul = memchr(text, '\0', n);
	if (nul) {
		unsigned int line = 1;
		for (const char *s = text; s < nul; s++)
			line += *s == '\n';
		free(text);
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"%s:%u: NUL byte; not a text file", path, line);
	}
	text[n] = '\0';
	int rc = fromauth_profile_parse(text, path, out, errbuf, errlen);
	free(text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Getters                                                             */

FROMAUTH_EXPORT const char *fromauth_profile_name(const struct fromauth_profile *profile)
{
	if (!profile)
		return NULL;
	return profile->name ? profile->name : "";
}

FROMAUTH_EXPORT size_t fromauth_profile_ip_count(const struct fromauth_profile *profile)
{
	return profile ? profile->nip : 0;
}

FROMAUTH_EXPORT const char *fromauth_profile_ip(const struct fromauth_profile *profile,
						size_t i)
{
	return profile && i < profile->nip ? profile->ips[i] : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_spf_include(const struct fromauth_profile *profile)
{
	return profile ? profile->spf_include : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_mail_from(const struct fromauth_profile *profile)
{
	return profile ? profile->mail_from : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_mail_from_target(const struct fromauth_profile *profile)
{
	return profile ? profile->mail_from_target : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_helo(const struct fromauth_profile *profile)
{
	return profile ? profile->helo : NULL;
}

FROMAUTH_EXPORT size_t fromauth_profile_dkim_count(const struct fromauth_profile *profile)
{
	return profile ? profile->ndkim : 0;
}

FROMAUTH_EXPORT const char *fromauth_profile_dkim_selector(const struct fromauth_profile *profile,
							   size_t i)
{
	return profile && i < profile->ndkim ? profile->dkim[i].selector : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_dkim_domain(const struct fromauth_profile *profile,
							 size_t i)
{
	return profile && i < profile->ndkim ? profile->dkim[i].domain : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_dkim_target(const struct fromauth_profile *profile,
							 size_t i)
{
	return profile && i < profile->ndkim ? profile->dkim[i].target : NULL;
}

FROMAUTH_EXPORT size_t fromauth_profile_allowed_from_count(const struct fromauth_profile *profile)
{
	return profile ? profile->nallowed : 0;
}

FROMAUTH_EXPORT const char *fromauth_profile_allowed_from(const struct fromauth_profile *profile,
							  size_t i)
{
	return profile && i < profile->nallowed ? profile->allowed[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Internal                                                            */

const struct fa_cidr *fa_profile_ranges(const struct fromauth_profile *profile,
					size_t *count)
{
	if (count)
		*count = profile ? profile->nip : 0;
	return profile && profile->nip ? profile->ranges : NULL;
}

char *fa_profile_expand(const char *template, const char *domain)
{
	if (!template || !domain)
		return NULL;
	size_t plen = strlen(FA_PLACEHOLDER), dlen = strlen(domain);
	size_t n = 0;

	for (const char *s = strstr(template, FA_PLACEHOLDER); s;
	     s = strstr(s + plen, FA_PLACEHOLDER))
		n++;
	size_t tlen = strlen(template);
	char *out = malloc(tlen - n * plen + n * dlen + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *s = template; *s;) {
		if (strncmp(s, FA_PLACEHOLDER, plen) == 0) {
			memcpy(o, domain, dlen);
			o += dlen;
			s += plen;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

int fa_profile_allows_from(const struct fromauth_profile *profile,
			   const struct fromauth_address *addr)
{
	if (!profile || profile->nallowed == 0)
		return 1;
	for (size_t i = 0; i < profile->nallowed; i++)
		if (fa_pattern_match_from(profile->allowed[i], addr))
			return 1;
	return 0;
}
