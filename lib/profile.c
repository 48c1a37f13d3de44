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
#include <fnmatch.h>
#include <ini.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "address.h"
#include "cidr.h"
#include "config.h"
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
	/* Catalogue additions (fromauth.profile(5)). */
	K_ID,
	K_DOC,
	K_VERIFIED,
	K_PARAM,
	K_PARAM_PATTERN,
	K_PARAM_DEFAULT,
	K_SOURCE,
	K_MAIL_FROM_MX,
	K_SEND_AS,
	K_SEND_AS_ERROR,
	K_SEND_AS_GRANT,
	K_UNAUTH_FROM,
	K_AUTHENTICATED_BY,
	K_ACTION_DKIM,
	K_ACTION_RETURN_PATH,
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
	[K_ID] = { "id", false },
	[K_DOC] = { "doc", false },
	[K_VERIFIED] = { "verified", false },
	[K_PARAM] = { "param", true },
	[K_PARAM_PATTERN] = { "param-pattern", true },
	[K_PARAM_DEFAULT] = { "param-default", true },
	[K_SOURCE] = { "source", true },
	[K_MAIL_FROM_MX] = { "mail-from-mx", false },
	[K_SEND_AS] = { "send-as", false },
	[K_SEND_AS_ERROR] = { "send-as-error", false },
	[K_SEND_AS_GRANT] = { "send-as-grant", true },  /* lines join */
	[K_UNAUTH_FROM] = { "unauthenticated-from", false },
	[K_AUTHENTICATED_BY] = { "authenticated-by", false },
	[K_ACTION_DKIM] = { "action-dkim", true },              /* lines join */
	[K_ACTION_RETURN_PATH] = { "action-return-path", true }, /* lines join */
};

/* Keys that state a fact about the service: a catalogue profile names a
 * source for each one it uses. */
static const bool is_fact[K_COUNT] = {
	[K_IP] = true, [K_SPF_INCLUDE] = true, [K_MAIL_FROM] = true,
	[K_MAIL_FROM_TARGET] = true, [K_HELO] = true, [K_DKIM] = true,
	[K_MAIL_FROM_MX] = true, [K_SEND_AS] = true,
	[K_SEND_AS_ERROR] = true, [K_SEND_AS_GRANT] = true,
	[K_UNAUTH_FROM] = true, [K_AUTHENTICATED_BY] = true,
	[K_ACTION_DKIM] = true, [K_ACTION_RETURN_PATH] = true,
};

#define FA_MAX_PARAMS 16
#define FA_MAX_GLOBS 8      /* alternatives of one param-pattern */
#define FA_MAX_COMBOS 16    /* glob alternatives of one template */
#define FA_MAX_DKIM_IDS 64  /* identities with a per-account target */

struct param {
	char *name;
	char *description;
	char *globs[FA_MAX_GLOBS]; /* param-pattern; none: "*" */
	size_t nglobs;
	char *fallback;         /* param-default */
	char *value;            /* fromauth_profile_set_param() */
};

struct fact_source {
	char *key;
	char *status;           /* O, T, X or UNCONFIRMED */
	char *reference;
};

/* A setting as given, replayed with parameter values by fa_profile_resolve(). */
struct setting {
	enum key_id key;
	char *value;
	unsigned int line;
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

	char *id, *doc, *verified;
	char *mail_from_mx;
	int send_as;            /* enum fa_send_as */
	char *send_as_error, *send_as_grant;
	char *action_dkim, *action_return_path; /* the vendor's steps */
	int unauth;             /* enum fa_unauth */
	char *rewrite;          /* unauthenticated-from = rewrite TEMPLATE */
	int auth_dmarc;         /* authenticated-by includes dmarc */
	struct param params[FA_MAX_PARAMS];
	size_t nparams;
	char **ip_params;       /* `ip = {name}` */
	size_t nip_params;
	struct fact_source *sources;
	size_t nsources;
	struct setting *log;
	size_t nlog;
	/* Set by fa_profile_resolve() on its copy only. */
	struct fa_open_item *open;
	size_t nopen;
	char *mail_from_open;   /* display form when mail-from lacks a value */
	int mail_from_target_needs_input;
	int mail_from_mx_needs_input;
	char **dkim_target_display; /* per identity: NULL, or the target with <name> */
	/* The resolved copy, made once and shared by every check until a
	 * setting changes (it costs more than the rest of a cached check). */
	pthread_mutex_t resolved_lock;
	struct fromauth_profile *resolved;  /* holds one of its refs */
	unsigned int refs;      /* of a resolved copy: the cache's and the checks' */
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
		size_t n = fa_utf8_seq_len(u + i, len - i);
		if (n == 0)
			return (long)i;
		i += n - 1;
	}
	return -1;
}

static bool blank_char(char c)
{
	return c == ' ' || c == '\t';
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

static struct param *find_param(const struct fromauth_profile *p, const char *name,
			       size_t len)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strlen(p->params[i].name) == len && !strncmp(p->params[i].name, name, len))
			return (struct param *)&p->params[i];
	return NULL;
}

static const char *param_current(const struct param *pa)
{
	return pa->value ? pa->value : pa->fallback;
}

enum subst_mode {
	SUBST_SAMPLE,   /* every parameter a sample value, to validate */
	SUBST_VALUE,    /* values (or defaults); *open when one has none */
	SUBST_DISPLAY,  /* values, else <name> */
	SUBST_GLOB,     /* values, else alternative @combo of their pattern */
};

/* @t with its declared {parameters} replaced; {domain} and {domain-dashes}
 * stay for fa_profile_expand().  NULL on allocation failure, or in VALUE
 * mode when a parameter has no value (then *open is set). */
static char *subst(const struct fromauth_profile *p, const char *t, enum subst_mode mode,
		   size_t combo, int *open)
{
	char *buf = NULL;
	size_t size = 0, radix = 1;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	for (const char *s = t; *s; s++) {
		const char *close = *s == '{' ? strchr(s, '}') : NULL;
		struct param *pa = close ? find_param(p, s + 1, (size_t)(close - s - 1)) : NULL;
		if (!pa) {
			fputc(*s, f);
			continue;
		}
		const char *v = mode == SUBST_SAMPLE ? (pa->fallback ? pa->fallback : "x1")
			      : param_current(pa);
		if (!v && mode == SUBST_VALUE) {
			if (open)
				*open = 1;
			fclose(f);
			free(buf);
			return NULL;
		}
		if (!v && mode == SUBST_DISPLAY) {
			fprintf(f, "<%s>", pa->name);
		} else if (!v) {
			size_t n = pa->nglobs ? pa->nglobs : 1;
			fputs(pa->nglobs ? pa->globs[(combo / radix) % n] : "*", f);
			radix *= n;
		} else {
			fputs(v, f);
		}
		s = close;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A domain that may contain {domain} standing for whole labels
 * ("bounce.{domain}", "{domain}"), {domain-dashes} (the From domain with
 * dots as dashes) and declared {parameters} anywhere in a label.  Without
 * placeholders it is a plain domain.  With them, the fixed part must
 * already be ASCII (A-labels), since converting pieces of a name to
 * A-labels is not defined.  @whole: {domain} allowed. */
static int parse_template_in(const struct fromauth_profile *p, const struct origin *o,
			     const char *value, bool whole, char **out,
			     char *errbuf, size_t errlen)
{
	const char *ph = strstr(value, FA_PLACEHOLDER);
	size_t plen = strlen(FA_PLACEHOLDER);
	bool any = false;
	char inner[512];
	int rc;

	*out = NULL;
	if (ph && strstr(ph + plen, FA_PLACEHOLDER))
		return setting_error(errbuf, errlen, o,
				     "\"%s\": {domain} may appear only once", value);
	if (ph && !whole)
		return setting_error(errbuf, errlen, o,
				     "\"%s\": {domain} is not allowed here", value);
	for (const char *s = value; *s; s++) {
		if (*s == '{') {
			const char *close = strchr(s, '}');
			size_t n = close ? (size_t)(close - s - 1) : 0;
			if (close && ((n == 6 && !strncmp(s + 1, "domain", 6)) ||
				      (n == 13 && !strncmp(s + 1, "domain-dashes", 13)) ||
				      find_param(p, s + 1, n))) {
				any = true;
				s = close;
				continue;
			}
			return setting_error(errbuf, errlen, o,
					     "\"%s\": unknown placeholder at column %zu; "
					     "use {domain}, {domain-dashes} or a parameter "
					     "declared above with 'param = NAME | description'",
					     value, (size_t)(s - value) + 1);
		}
		if (*s == '}')
			return setting_error(errbuf, errlen, o,
					     "\"%s\": '}' without '{' at column %zu",
					     value, (size_t)(s - value) + 1);
	}
	if (!any)
		return parse_domain(o, value, out, errbuf, errlen);
	for (const char *s = value; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return setting_error(errbuf, errlen, o,
					     "\"%s\": write the fixed part of a "
					     "template in A-labels (xn--...)", value);
	if (ph && ((ph != value && ph[-1] != '.') ||
		   (ph[plen] != '\0' && ph[plen] != '.')))
		return setting_error(errbuf, errlen, o,
				     "\"%s\": {domain} must stand for whole "
				     "labels, as in bounce.{domain}", value);

	char *norm = fa_domain_normalize(value);
	if (!norm)
		return FROMAUTH_E_NOMEM;
	char *filled = subst(p, norm, SUBST_SAMPLE, 0, NULL);
	char *sample = filled ? fa_profile_expand(filled, FA_SAMPLE_DOMAIN) : NULL;
	free(filled);
	if (!sample) {
		free(norm);
		return FROMAUTH_E_NOMEM;
	}
	rc = fa_domain_check(sample, inner, sizeof(inner));
	if (rc) {
		rc = setting_error(errbuf, errlen, o,
				   "\"%s\" does not make a valid domain "
				   "(with %s and sample values filled in: %s)", value,
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
	if (strchr(fields[0], '{')) {
		/* A per-account selector: {parameters} only. */
		rc = parse_template_in(p, o, fields[0], false, &id.selector, errbuf, errlen);
		if (rc)
			goto out;
	} else if (fa_domain_check(fields[0], inner, sizeof(inner))) {
		rc = setting_error(errbuf, errlen, o, "selector \"%s\": %s",
				   fields[0], inner);
		goto out;
	} else if (!(id.selector = fa_domain_normalize(fields[0]))) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	rc = parse_template_in(p, o, fields[1], true, &id.domain, errbuf, errlen);
	if (rc)
		goto out;
	if (n == 3) {
		rc = parse_template_in(p, o, fields[2], true, &id.target, errbuf, errlen);
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

static int add_ip_param(struct fromauth_profile *p, const struct origin *o,
			const char *value, char *errbuf, size_t errlen)
{
	size_t len = strlen(value);
	if (len < 3 || value[len - 1] != '}' || !find_param(p, value + 1, len - 2))
		return setting_error(errbuf, errlen, o, "\"%s\": an ip is a CIDR range, or "
				     "{NAME} of a parameter declared above", value);
	char *name = strndup(value + 1, len - 2);
	if (!name || !grow((void **)&p->ip_params, p->nip_params, sizeof(*p->ip_params))) {
		free(name);
		return FROMAUTH_E_NOMEM;
	}
	p->ip_params[p->nip_params++] = name;
	return FROMAUTH_OK;
}

static int log_setting(struct fromauth_profile *p, enum key_id k, const char *value,
		       size_t len, unsigned int line)
{
	char *copy = strndup(value, len);
	if (!copy || !grow((void **)&p->log, p->nlog, sizeof(*p->log))) {
		free(copy);
		return FROMAUTH_E_NOMEM;
	}
	p->log[p->nlog++] = (struct setting){ .key = k, .value = copy, .line = line };
	return FROMAUTH_OK;
}

static bool valid_param_name(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !((s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return (n != 6 || strncmp(s, "domain", 6)) && (n != 13 || strncmp(s, "domain-dashes", 13));
}

/* Split "A | B [| C]" (fields trimmed) into at most @max parts. */
static size_t split_bar(char *v, char **parts, size_t max)
{
	size_t n = 0;
	for (char *s = v; n < max; n++) {
		char *bar = n + 1 < max ? strchr(s, '|') : NULL;
		if (bar)
			*bar = '\0';
		while (blank_char(*s))
			s++;
		char *e = s + strlen(s);
		while (e > s && blank_char(e[-1]))
			*--e = '\0';
		parts[n] = s;
		if (!bar)
			return n + 1;
		s = bar + 1;
	}
	return n;
}

static int set_text(char **slot, const char *value)
{
	char *c = strdup(value);
	if (!c)
		return FROMAUTH_E_NOMEM;
	free(*slot);
	*slot = c;
	return FROMAUTH_OK;
}

/* "NAME REST": the declared parameter NAME and the rest. */
static int param_and_rest(struct fromauth_profile *p, const struct origin *o, char *v,
			  struct param **pa, char **rest, char *errbuf, size_t errlen)
{
	size_t n = strcspn(v, " \t");
	*pa = find_param(p, v, n);
	if (!*pa)
		return setting_error(errbuf, errlen, o, "\"%.*s\" is not a parameter declared "
				     "above with 'param = NAME | description'", (int)(n > 40 ? 40 : n), v);
	*rest = v + n;
	while (blank_char(**rest))
		(*rest)++;
	if (!**rest)
		return setting_error(errbuf, errlen, o, "expected '%s VALUE'", (*pa)->name);
	return FROMAUTH_OK;
}

/* Long texts continue on further lines (inih's line limit): join them. */
static int join_text(char **slot, const char *v)
{
	if (!*slot)
		return set_text(slot, v);
	char *joined = NULL;
	if (asprintf(&joined, "%s %s", *slot, v) < 0)
		return FROMAUTH_E_NOMEM;
	free(*slot);
	*slot = joined;
	return FROMAUTH_OK;
}

static int apply_catalogue(struct fromauth_profile *p, const struct origin *o, enum key_id k,
			   const char *value, char *errbuf, size_t errlen)
{
	char *v = strdup(value), *parts[3];
	struct param *pa;
	char *rest;
	int rc = FROMAUTH_OK;
	size_t n;

	if (!v)
		return FROMAUTH_E_NOMEM;
	switch (k) {
	case K_ID:
		if (!valid_param_name(v, strlen(v))) {
			rc = setting_error(errbuf, errlen, o, "\"%s\": an id is lower-case letters, "
					   "digits and '-', starting with a letter, at most 32", v);
			break;
		}
		rc = set_text(&p->id, v);
		break;
	case K_DOC:
		if (strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) {
			rc = setting_error(errbuf, errlen, o, "\"%s\": expected an http(s) URL", v);
			break;
		}
		rc = set_text(&p->doc, v);
		break;
	case K_VERIFIED: {
		unsigned y, m, d;
		char tail;
		if (strlen(v) != 10 || sscanf(v, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
		    m < 1 || m > 12 || d < 1 || d > 31) {
			rc = setting_error(errbuf, errlen, o, "\"%s\": expected a date YYYY-MM-DD", v);
			break;
		}
		rc = set_text(&p->verified, v);
		break;
	}
	case K_PARAM:
		n = split_bar(v, parts, 2);
		if (n != 2 || !*parts[1]) {
			rc = setting_error(errbuf, errlen, o, "expected 'NAME | description'");
			break;
		}
		if (!valid_param_name(parts[0], strlen(parts[0]))) {
			rc = setting_error(errbuf, errlen, o, "\"%s\": a parameter name is lower-case "
					   "letters, digits and '-', starting with a letter, at most 32 "
					   "(and not domain or domain-dashes)", parts[0]);
			break;
		}
		if (find_param(p, parts[0], strlen(parts[0]))) {
			rc = setting_error(errbuf, errlen, o, "parameter \"%s\" is declared twice",
					   parts[0]);
			break;
		}
		if (p->nparams == FA_MAX_PARAMS) {
			rc = setting_error(errbuf, errlen, o, "more than %d parameters", FA_MAX_PARAMS);
			break;
		}
		pa = &p->params[p->nparams];
		pa->name = strdup(parts[0]);
		pa->description = strdup(parts[1]);
		if (!pa->name || !pa->description) {
			free(pa->name);
			free(pa->description);
			memset(pa, 0, sizeof(*pa));
			rc = FROMAUTH_E_NOMEM;
			break;
		}
		p->nparams++;
		break;
	case K_PARAM_PATTERN:
		rc = param_and_rest(p, o, v, &pa, &rest, errbuf, errlen);
		if (rc)
			break;
		/* Globs (fnmatch(3)) separated by commas: what the value looks
		 * like, matched in its place while it is not set. */
		for (char *save = NULL, *g = strtok_r(rest, ", \t", &save); g;
		     g = strtok_r(NULL, ", \t", &save)) {
			if (pa->nglobs == FA_MAX_GLOBS) {
				rc = setting_error(errbuf, errlen, o, "more than %d patterns",
						   FA_MAX_GLOBS);
				break;
			}
			if (strspn(g, "abcdefghijklmnopqrstuvwxyz0123456789-.*?[]") != strlen(g)) {
				rc = setting_error(errbuf, errlen, o, "\"%s\": a pattern is lower-case "
						   "letters, digits, '-', '.' and the globs * ? [...]", g);
				break;
			}
			if (!(pa->globs[pa->nglobs] = strdup(g))) {
				rc = FROMAUTH_E_NOMEM;
				break;
			}
			pa->nglobs++;
		}
		break;
	case K_PARAM_DEFAULT:
		rc = param_and_rest(p, o, v, &pa, &rest, errbuf, errlen);
		if (rc == FROMAUTH_OK)
			rc = set_text(&pa->fallback, rest);
		break;
	case K_SOURCE: {
		static const char *const statuses[] = { "O", "T", "X", "UNCONFIRMED" };
		bool known = false, fact = false;
		n = split_bar(v, parts, 3);
		if (n != 3 || !*parts[0] || !*parts[2]) {
			rc = setting_error(errbuf, errlen, o, "expected 'KEY | O|T|X|UNCONFIRMED | "
					   "where it is stated (URL, note)'");
			break;
		}
		for (size_t i = 0; i < K_COUNT; i++)
			if (!strcmp(parts[0], keys[i].name))
				fact = is_fact[i];
		for (size_t i = 0; i < FA_ARRAY_SIZE(statuses); i++)
			known |= !strcmp(parts[1], statuses[i]);
		if (!fact) {
			rc = setting_error(errbuf, errlen, o, "\"%s\" is not a key that states a fact "
					   "about the service", parts[0]);
			break;
		}
		if (!known) {
			rc = setting_error(errbuf, errlen, o, "\"%s\": the confidence is O (vendor "
					   "documentation), T (third party), X (public configs) or "
					   "UNCONFIRMED", parts[1]);
			break;
		}
		if (!grow((void **)&p->sources, p->nsources, sizeof(*p->sources))) {
			rc = FROMAUTH_E_NOMEM;
			break;
		}
		struct fact_source *fs = &p->sources[p->nsources];
		fs->key = strdup(parts[0]);
		fs->status = strdup(parts[1]);
		fs->reference = strdup(parts[2]);
		if (!fs->key || !fs->status || !fs->reference) {
			free(fs->key);
			free(fs->status);
			free(fs->reference);
			rc = FROMAUTH_E_NOMEM;
			break;
		}
		p->nsources++;
		break;
	}
	case K_SEND_AS: {
		static const char *const kinds[] = {
			[FA_SEND_AS_ANY] = "any", [FA_SEND_AS_VERIFIED_DOMAIN] = "verified-domain",
			[FA_SEND_AS_VERIFIED_ADDRESS] = "verified-address",
			[FA_SEND_AS_MAILBOX] = "mailbox-permission",
		};
		int kind = -1;
		for (size_t i = 0; i < FA_ARRAY_SIZE(kinds); i++)
			if (!strcmp(v, kinds[i]))
				kind = (int)i;
		if (kind < 0) {
			rc = setting_error(errbuf, errlen, o, "\"%s\": expected any, verified-domain, "
					   "verified-address or mailbox-permission", v);
			break;
		}
		if (kind == FA_SEND_AS_MAILBOX && !find_param(p, "login", 5)) {
			rc = setting_error(errbuf, errlen, o, "mailbox-permission needs a parameter "
					   "'login' declared above (the mailbox the device or "
					   "application signs in as)");
			break;
		}
		p->send_as = kind;
		break;
	}
	case K_SEND_AS_ERROR:
		rc = set_text(&p->send_as_error, v);
		break;
	case K_SEND_AS_GRANT:
		rc = join_text(&p->send_as_grant, v);
		break;
	case K_ACTION_DKIM:
		rc = join_text(&p->action_dkim, v);
		break;
	case K_ACTION_RETURN_PATH:
		rc = join_text(&p->action_return_path, v);
		break;
	case K_UNAUTH_FROM:
		if (!strcmp(v, "refuse")) {
			p->unauth = FA_UNAUTH_REFUSE;
		} else if (!strcmp(v, "send-unaligned")) {
			p->unauth = FA_UNAUTH_UNALIGNED;
		} else if (!strncmp(v, "rewrite", 7) && blank_char(v[7])) {
			rest = v + 8;
			while (blank_char(*rest))
				rest++;
			if (!strchr(rest, '@')) {
				rc = setting_error(errbuf, errlen, o, "\"%s\": expected 'rewrite "
						   "ADDRESS-PATTERN', e.g. {local}@{account-id}.brevosend.com",
						   rest);
				break;
			}
			rc = set_text(&p->rewrite, rest);
			p->unauth = FA_UNAUTH_REWRITE;
		} else {
			rc = setting_error(errbuf, errlen, o, "\"%s\": expected refuse, send-unaligned "
					   "or rewrite ADDRESS-PATTERN", v);
		}
		break;
	case K_AUTHENTICATED_BY:
		if (!strcmp(v, "dkim")) {
			p->auth_dmarc = 0;
		} else if (!strcmp(v, "dkim dmarc") || !strcmp(v, "dkim+dmarc")) {
			p->auth_dmarc = 1;
		} else {
			rc = setting_error(errbuf, errlen, o, "\"%s\": expected 'dkim' or 'dkim dmarc'",
					   v);
		}
		break;
	default:
		rc = FROMAUTH_E_INTERNAL;
		break;
	}
	free(v);
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
	case K_MAIL_FROM_MX: return &p->mail_from_mx;
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
		rc = value[0] == '{' ? add_ip_param(p, o, value, errbuf, errlen)
				     : add_ip(p, o, value, errbuf, errlen);
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
	case K_MAIL_FROM_TARGET:
	case K_MAIL_FROM_MX:
		rc = parse_template_in(p, o, value, true, &parsed, errbuf, errlen);
		break;
	case K_ID:
	case K_DOC:
	case K_VERIFIED:
	case K_PARAM:
	case K_PARAM_PATTERN:
	case K_PARAM_DEFAULT:
	case K_SOURCE:
	case K_SEND_AS:
	case K_SEND_AS_ERROR:
	case K_SEND_AS_GRANT:
	case K_UNAUTH_FROM:
	case K_AUTHENTICATED_BY:
	case K_ACTION_DKIM:
	case K_ACTION_RETURN_PATH:
		rc = apply_catalogue(p, o, k, value, errbuf, errlen);
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
	return log_setting(p, k, raw_value, len, o->line);
}

static struct fromauth_profile *profile_alloc(const char *source)
{
	struct fromauth_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->source = strdup(source);
	if (!p->source || pthread_mutex_init(&p->resolved_lock, NULL)) {
		free(p->source);
		free(p);
		return NULL;
	}
	return p;
}

/* The cached resolved copy is dropped by every call that may change a
 * setting; checks that hold it keep their reference. */
static void forget_resolved(struct fromauth_profile *p)
{
	pthread_mutex_lock(&p->resolved_lock);
	struct fromauth_profile *old = p->resolved;
	p->resolved = NULL;
	pthread_mutex_unlock(&p->resolved_lock);
	fa_profile_resolved_put(old);
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
	fa_profile_resolved_put(profile->resolved);
	pthread_mutex_destroy(&profile->resolved_lock);
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
	free(profile->id);
	free(profile->doc);
	free(profile->verified);
	free(profile->mail_from_mx);
	free(profile->send_as_error);
	free(profile->send_as_grant);
	free(profile->action_dkim);
	free(profile->action_return_path);
	free(profile->rewrite);
	for (size_t i = 0; i < profile->nparams; i++) {
		struct param *pa = &profile->params[i];
		free(pa->name);
		free(pa->description);
		for (size_t g = 0; g < pa->nglobs; g++)
			free(pa->globs[g]);
		free(pa->fallback);
		free(pa->value);
	}
	for (size_t i = 0; i < profile->nip_params; i++)
		free(profile->ip_params[i]);
	free(profile->ip_params);
	for (size_t i = 0; i < profile->nsources; i++) {
		free(profile->sources[i].key);
		free(profile->sources[i].status);
		free(profile->sources[i].reference);
	}
	free(profile->sources);
	for (size_t i = 0; i < profile->nlog; i++)
		free(profile->log[i].value);
	free(profile->log);
	for (size_t i = 0; i < profile->nopen; i++) {
		free(profile->open[i].missing);
		free(profile->open[i].selector);
		free(profile->open[i].domain);
		free(profile->open[i].target);
	}
	free(profile->open);
	free(profile->mail_from_open);
	if (profile->dkim_target_display)
		for (size_t i = 0; i < profile->ndkim && i < FA_MAX_DKIM_IDS; i++)
			free(profile->dkim_target_display[i]);
	free(profile->dkim_target_display);
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
	forget_resolved(profile);
	return apply(profile, &o, value, true, errbuf, errlen);
}

FROMAUTH_EXPORT int fromauth_profile_validate(const struct fromauth_profile *profile,
					      char *errbuf, size_t errlen)
{
	if (!profile)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no profile");
	if (profile->nip == 0 && !profile->spf_include && profile->nip_params == 0 &&
	    !profile->nopen)
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"%s: the profile has neither 'ip' nor 'spf-include': "
				"the addresses the service sends from are unknown",
				profile->source);
	if (profile->mail_from_mx && !profile->mail_from)
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"%s: 'mail-from-mx' needs a 'mail-from'", profile->source);
	/* A catalogue entry says where each of its facts comes from. */
	if (profile->id) {
		for (size_t k = 0; k < K_COUNT; k++) {
			if (!is_fact[k] || !profile->set[k])
				continue;
			bool found = false;
			for (size_t i = 0; i < profile->nsources && !found; i++)
				found = !strcmp(profile->sources[i].key, keys[k].name);
			if (!found)
				return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
						"%s: catalogue entry '%s' gives '%s' without a "
						"'source = %s | O|T|X|UNCONFIRMED | where' line",
						profile->source, profile->id, keys[k].name,
						keys[k].name);
		}
		if (!profile->name || !profile->doc || !profile->verified)
			return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
					"%s: catalogue entry '%s' needs name, doc and verified",
					profile->source, profile->id);
	}
	if (profile->mail_from_target && !profile->mail_from && !profile->mail_from_open)
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
/* Parameters and the resolved copy                                    */

FROMAUTH_EXPORT int fromauth_profile_set_param(struct fromauth_profile *profile,
					       const char *name, const char *value,
					       char *errbuf, size_t errlen)
{
	if (!profile || !name || !value)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"profile, name and value must not be NULL");
	struct param *pa = find_param(profile, name, strlen(name));
	struct origin o = { .source = profile->source, .line = 0, .key = name };
	if (!pa) {
		char list[512] = "";
		size_t len = 0;
		for (size_t i = 0; i < profile->nparams && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						i ? ", " : "", profile->params[i].name);
		return setting_error(errbuf, errlen, &o, "%s declares no such parameter%s%s",
				     profile->name ? profile->name : "the profile",
				     len ? "; it has: " : " (it has none)", list);
	}
	size_t len = strlen(value);
	if (len == 0 || len > 253 || bad_text_offset(value, len) >= 0 ||
	    strpbrk(value, "{}<> \t\"\\;"))
		return setting_error(errbuf, errlen, &o, "\"%.64s\": a value is 1-253 "
				     "printable characters without blanks, quotes, ';', "
				     "'{}' or '<>'", value);
	if (pa->nglobs) {
		bool match = false;
		char *lower = fa_domain_normalize(value);
		if (!lower)
			return FROMAUTH_E_NOMEM;
		for (size_t g = 0; g < pa->nglobs && !match; g++)
			match = fnmatch(pa->globs[g], lower, 0) == 0;
		free(lower);
		if (!match)
			return setting_error(errbuf, errlen, &o, "\"%s\" does not look like %s "
					     "(%s%s)", value, pa->description, pa->globs[0],
					     pa->nglobs > 1 ? ", ..." : "");
	}
	/* An ip parameter is a range; a value used in names must make them
	 * valid, which the resolved copy checks through apply(). */
	for (size_t i = 0; i < profile->nip_params; i++) {
		struct fa_cidr cidr;
		char inner[256];
		if (!strcmp(profile->ip_params[i], pa->name) &&
		    fa_cidr_parse(value, &cidr, inner, sizeof(inner)))
			return setting_error(errbuf, errlen, &o, "%s", inner);
	}
	forget_resolved(profile);
	char *old = pa->value;
	pa->value = strdup(value);
	if (!pa->value) {
		pa->value = old;
		return fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "out of memory");
	}
	struct fromauth_profile *trial = NULL;
	int rc = fa_profile_resolve(profile, &trial);
	fromauth_profile_free(trial);
	if (rc) {
		free(pa->value);
		pa->value = old;
		if (rc == FROMAUTH_E_NOMEM)
			return fa_error(errbuf, errlen, rc, "out of memory");
		return setting_error(errbuf, errlen, &o, "\"%.64s\" does not make valid "
				     "names in the profile", value);
	}
	free(old);
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT size_t fromauth_profile_param_count(const struct fromauth_profile *profile)
{
	return profile ? profile->nparams : 0;
}

FROMAUTH_EXPORT const char *fromauth_profile_param_name(const struct fromauth_profile *profile,
							size_t i)
{
	return profile && i < profile->nparams ? profile->params[i].name : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_param_description(
	const struct fromauth_profile *profile, size_t i)
{
	return profile && i < profile->nparams ? profile->params[i].description : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_param_value(const struct fromauth_profile *profile,
							 size_t i)
{
	return profile && i < profile->nparams ? param_current(&profile->params[i]) : NULL;
}

static int add_open(struct fromauth_profile *c, int kind, const struct fromauth_profile *p,
		    const char *sel, const char *dom, const char *target)
{
	if (!grow((void **)&c->open, c->nopen, sizeof(*c->open)))
		return FROMAUTH_E_NOMEM;
	struct fa_open_item *it = &c->open[c->nopen];
	memset(it, 0, sizeof(*it));
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return FROMAUTH_E_NOMEM;
	for (size_t i = 0, n = 0; i < p->nparams; i++) {
		char ph[48];
		snprintf(ph, sizeof(ph), "{%s}", p->params[i].name);
		if (param_current(&p->params[i]) ||
		    !((sel && strstr(sel, ph)) || (dom && strstr(dom, ph))))
			continue;
		fprintf(f, "%s%s", n++ ? ", " : "", p->params[i].name);
	}
	if (fclose(f) != 0) {
		free(buf);
		return FROMAUTH_E_NOMEM;
	}
	it->kind = kind;
	it->missing = buf;
	it->selector = sel ? subst(p, sel, SUBST_DISPLAY, 0, NULL) : NULL;
	it->domain = dom ? subst(p, dom, SUBST_DISPLAY, 0, NULL) : NULL;
	it->target = target ? subst(p, target, SUBST_DISPLAY, 0, NULL) : NULL;
	c->nopen++;
	if ((sel && !it->selector) || (dom && !it->domain) || (target && !it->target))
		return FROMAUTH_E_NOMEM;
	return FROMAUTH_OK;
}

/* The DKIM target as patterns: every combination of the alternatives of
 * the parameters it lacks, without repeats. */
static char *target_globs(const struct fromauth_profile *p, const char *t)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	if (!f)
		return NULL;
	int n = 0;
	for (size_t combo = 0; combo < FA_MAX_COMBOS; combo++) {
		char *g = subst(p, t, SUBST_GLOB, combo, NULL);
		if (!g)
			break;
		fflush(f);
		bool dup = false;
		for (const char *s = out; s && *s && !dup;) {
			size_t l = strcspn(s, ",");
			dup = l == strlen(g) && !strncmp(s, g, l);
			s += l + (s[l] == ',');
		}
		if (!dup)
			fprintf(f, "%s%s", n++ ? "," : "", g);
		free(g);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int resolve_dkim(struct fromauth_profile *c, const struct fromauth_profile *p,
			const struct setting *st)
{
	char *copy = strdup(st->value), *f[3] = { 0 }, *save = NULL;
	size_t n = 0;
	int rc = FROMAUTH_OK, open = 0;
	if (!copy)
		return FROMAUTH_E_NOMEM;
	for (char *t = strtok_r(copy, " \t", &save); t && n < 3; t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	char *sel = subst(p, f[0], SUBST_VALUE, 0, &open);
	char *dom = sel ? subst(p, f[1], SUBST_VALUE, 0, &open) : NULL;
	if (open) {
		rc = add_open(c, FA_OPEN_DKIM, p, f[0], f[1], f[2]);
		goto out;
	}
	char *line = NULL;
	if (!dom || asprintf(&line, "%s %s", sel, dom) < 0) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	struct origin o = { .source = c->source, .line = st->line, .key = "dkim" };
	rc = apply(c, &o, line, true, NULL, 0);
	free(line);
	if (rc || !f[2])
		goto out;
	struct dkim_identity *id = &c->dkim[c->ndkim - 1];
	char *target = subst(p, f[2], SUBST_VALUE, 0, &open);
	if (!target && !open) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	if (target) {
		/* Validated like any target. */
		rc = parse_template_in(c, &(struct origin){ .source = c->source, .key = "dkim" },
				       target, true, &id->target, NULL, 0);
		free(target);
		goto out;
	}
	if (!c->dkim_target_display &&
	    !(c->dkim_target_display = calloc(FA_MAX_DKIM_IDS, sizeof(char *)))) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	if (c->ndkim > FA_MAX_DKIM_IDS) {
		rc = FROMAUTH_E_PROFILE;
		goto out;
	}
	id->target = target_globs(p, f[2]);
	c->dkim_target_display[c->ndkim - 1] = subst(p, f[2], SUBST_DISPLAY, 0, NULL);
	if (!id->target || !c->dkim_target_display[c->ndkim - 1])
		rc = FROMAUTH_E_NOMEM;
out:
	free(sel);
	free(dom);
	free(copy);
	return rc;
}

static int resolve_setting(struct fromauth_profile *c, const struct fromauth_profile *p,
			   const struct setting *st)
{
	struct origin o = { .source = c->source, .line = st->line, .key = keys[st->key].name };
	int open = 0, rc = FROMAUTH_OK;
	char *v;

	switch (st->key) {
	case K_DKIM:
		return resolve_dkim(c, p, st);
	case K_IP:
	case K_MAIL_FROM:
	case K_MAIL_FROM_TARGET:
	case K_MAIL_FROM_MX:
		v = subst(p, st->value, SUBST_VALUE, 0, &open);
		if (v) {
			rc = apply(c, &o, v, true, NULL, 0);
			free(v);
			return rc;
		}
		if (!open)
			return FROMAUTH_E_NOMEM;
		v = subst(p, st->value, SUBST_DISPLAY, 0, NULL);
		if (!v)
			return FROMAUTH_E_NOMEM;
		if (st->key == K_MAIL_FROM) {
			free(c->mail_from_open);
			c->mail_from_open = v;
			rc = add_open(c, FA_OPEN_MAIL_FROM, p, st->value, NULL, NULL);
		} else if (st->key == K_IP) {
			free(v);
			rc = add_open(c, FA_OPEN_IP, p, st->value, NULL, NULL);
		} else {
			/* Shown in fixes, flagged as needing input. */
			char **slot = single_slot(c, st->key);
			free(*slot);
			*slot = v;
			c->set[st->key] = true;
			if (st->key == K_MAIL_FROM_TARGET)
				c->mail_from_target_needs_input = 1;
			else
				c->mail_from_mx_needs_input = 1;
		}
		return rc;
	default:
		rc = apply(c, &o, st->value, true, NULL, 0);
		if (rc == FROMAUTH_OK && st->key == K_PARAM) {
			struct param *dst = &c->params[c->nparams - 1];
			const struct param *src = find_param(p, dst->name, strlen(dst->name));
			if (src && src->value && !(dst->value = strdup(src->value)))
				rc = FROMAUTH_E_NOMEM;
		}
		return rc;
	}
}

int fa_profile_resolve(const struct fromauth_profile *profile, struct fromauth_profile **out)
{
	*out = NULL;
	struct fromauth_profile *c = profile_alloc(profile->source);
	if (!c)
		return FROMAUTH_E_NOMEM;
	int rc = FROMAUTH_OK;
	for (size_t i = 0; i < profile->nlog && rc == FROMAUTH_OK; i++)
		rc = resolve_setting(c, profile, &profile->log[i]);
	if (rc) {
		fromauth_profile_free(c);
		return rc == FROMAUTH_E_NOMEM ? rc : FROMAUTH_E_PROFILE;
	}
	*out = c;
	return FROMAUTH_OK;
}

int fa_profile_resolved_get(const struct fromauth_profile *profile,
			    const struct fromauth_profile **out)
{
	/* The lock and the cache are not settings: a const profile may
	 * fill them in. */
	struct fromauth_profile *p = (struct fromauth_profile *)profile;
	*out = NULL;
	pthread_mutex_lock(&p->resolved_lock);
	struct fromauth_profile *c = p->resolved;
	if (c)
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&p->resolved_lock);
	if (c) {
		*out = c;
		return FROMAUTH_OK;
	}
	/* Resolved outside the lock: two first checks may both do it, and
	 * the one that comes second uses the first one's copy. */
	int rc = fa_profile_resolve(profile, &c);
	if (rc)
		return rc;
	c->refs = 2;    /* ours and the cache's */
	pthread_mutex_lock(&p->resolved_lock);
	struct fromauth_profile *other = p->resolved;
	if (other)
		__atomic_add_fetch(&other->refs, 1, __ATOMIC_RELAXED);
	else
		p->resolved = c;
	pthread_mutex_unlock(&p->resolved_lock);
	if (other) {
		fromauth_profile_free(c);
		c = other;
	}
	*out = c;
	return FROMAUTH_OK;
}

void fa_profile_resolved_put(const struct fromauth_profile *resolved)
{
	struct fromauth_profile *c = (struct fromauth_profile *)resolved;
	if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		fromauth_profile_free(c);
}

size_t fa_profile_open_count(const struct fromauth_profile *profile)
{
	return profile ? profile->nopen : 0;
}

const struct fa_open_item *fa_profile_open(const struct fromauth_profile *profile, size_t i)
{
	return profile && i < profile->nopen ? &profile->open[i] : NULL;
}

const char *fa_profile_mail_from_open(const struct fromauth_profile *profile)
{
	return profile ? profile->mail_from_open : NULL;
}

int fa_profile_mail_from_target_needs_input(const struct fromauth_profile *profile)
{
	return profile ? profile->mail_from_target_needs_input : 0;
}

int fa_profile_mail_from_mx_needs_input(const struct fromauth_profile *profile)
{
	return profile ? profile->mail_from_mx_needs_input : 0;
}

const char *fa_profile_dkim_target_display(const struct fromauth_profile *profile, size_t i)
{
	if (!profile || !profile->dkim_target_display || i >= profile->ndkim ||
	    i >= FA_MAX_DKIM_IDS)
		return NULL;
	return profile->dkim_target_display[i];
}

const char *fa_profile_mail_from_mx(const struct fromauth_profile *profile)
{
	return profile ? profile->mail_from_mx : NULL;
}

int fa_profile_send_as(const struct fromauth_profile *profile)
{
	return profile ? profile->send_as : FA_SEND_AS_ANY;
}



int fa_profile_unauth(const struct fromauth_profile *profile)
{
	return profile ? profile->unauth : FA_UNAUTH_UNSTATED;
}

int fa_profile_auth_dmarc(const struct fromauth_profile *profile)
{
	return profile ? profile->auth_dmarc : 0;
}

const char *fa_profile_param(const struct fromauth_profile *profile, const char *name)
{
	const struct param *pa = profile && name ? find_param(profile, name, strlen(name)) : NULL;
	return pa ? param_current(pa) : NULL;
}


char *fa_profile_text(const struct fromauth_profile *profile, const char *which,
		      const char *from, const char *local, const char *domain)
{
	const char *t = !profile ? NULL
		      : !strcmp(which, "send-as-error") ? profile->send_as_error
		      : !strcmp(which, "send-as-grant") ? profile->send_as_grant
		      : !strcmp(which, "action-dkim") ? profile->action_dkim
		      : !strcmp(which, "action-return-path") ? profile->action_return_path
		      : !strcmp(which, "rewrite") ? profile->rewrite : NULL;
	if (!t)
		return NULL;
	char *filled = subst(profile, t, SUBST_DISPLAY, 0, NULL);
	if (!filled)
		return NULL;
	const char *login = fa_profile_param(profile, "login");
	const struct { const char *ph, *v; } rep[] = {
		{ "{from}", from }, { "{local}", local }, { "{domain}", domain },
		{ "{login}", login ? login : "<login>" },
	};
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f) {
		free(filled);
		return NULL;
	}
	for (const char *s = filled; *s;) {
		bool done = false;
		for (size_t i = 0; i < FA_ARRAY_SIZE(rep) && !done; i++) {
			size_t l = strlen(rep[i].ph);
			if (!strncmp(s, rep[i].ph, l)) {
				fputs(rep[i].v ? rep[i].v : "", f);
				s += l;
				done = true;
			}
		}
		if (!done)
			fputc(*s++, f);
	}
	free(filled);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int fa_profile_unconfirmed(const struct fromauth_profile *profile, const char *key)
{
	/* Unconfirmed when every source given for the fact says so. */
	int any = 0;
	for (size_t i = 0; profile && i < profile->nsources; i++) {
		if (strcmp(profile->sources[i].key, key))
			continue;
		if (strcmp(profile->sources[i].status, "UNCONFIRMED"))
			return 0;
		any = 1;
	}
	return any;
}

/* ------------------------------------------------------------------ */
/* Catalogue                                                           */

FROMAUTH_EXPORT const char *fromauth_services_dir(void)
{
	const char *env = secure_getenv("FROMAUTH_SERVICES_DIR");
	return env && *env ? env : FROMAUTH_SERVICES_DATADIR;
}

FROMAUTH_EXPORT int fromauth_profile_load_service(const char *name,
						  struct fromauth_profile **out,
						  char *errbuf, size_t errlen)
{
	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!name || !*name)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no service name");
	/* A path names a file; a name is looked up in the catalogue. */
	if (strchr(name, '/') || strstr(name, ".profile"))
		return fromauth_profile_load(name, out, errbuf, errlen);
	if (!valid_param_name(name, strlen(name)))
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"\"%.64s\" is not a service name (lower-case letters, digits, "
				"'-') nor a path", name);
	char *path = NULL;
	if (asprintf(&path, "%s/%s.profile", fromauth_services_dir(), name) < 0)
		return fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "out of memory");
	int rc = fromauth_profile_load(path, out, errbuf, errlen);
	if (rc == FROMAUTH_E_IO && access(path, F_OK) != 0)
		rc = fa_error(errbuf, errlen, FROMAUTH_E_IO, "no service '%s' in %s "
			      "('fromauth services' lists them)", name, fromauth_services_dir());
	free(path);
	return rc;
}

FROMAUTH_EXPORT const char *fromauth_profile_id(const struct fromauth_profile *profile)
{
	return profile ? profile->id : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_doc(const struct fromauth_profile *profile)
{
	return profile ? profile->doc : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_verified(const struct fromauth_profile *profile)
{
	return profile ? profile->verified : NULL;
}

FROMAUTH_EXPORT size_t fromauth_profile_source_count(const struct fromauth_profile *profile)
{
	return profile ? profile->nsources : 0;
}

FROMAUTH_EXPORT const char *fromauth_profile_source_key(const struct fromauth_profile *profile,
							size_t i)
{
	return profile && i < profile->nsources ? profile->sources[i].key : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_source_status(
	const struct fromauth_profile *profile, size_t i)
{
	return profile && i < profile->nsources ? profile->sources[i].status : NULL;
}

FROMAUTH_EXPORT const char *fromauth_profile_source_reference(
	const struct fromauth_profile *profile, size_t i)
{
	return profile && i < profile->nsources ? profile->sources[i].reference : NULL;
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
	static const char dashes_ph[] = "{domain-dashes}";
	size_t plen = strlen(FA_PLACEHOLDER), qlen = strlen(dashes_ph), dlen = strlen(domain);
	size_t n = 0;

	for (const char *s = strchr(template, '{'); s; s = strchr(s + 1, '{'))
		n++;
	size_t tlen = strlen(template);
	char *out = malloc(tlen + n * dlen + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *s = template; *s;) {
		if (*s != '{') {
			*o++ = *s++;    /* the common case: no strncmp per byte */
		} else if (strncmp(s, FA_PLACEHOLDER, plen) == 0) {
			memcpy(o, domain, dlen);
			o += dlen;
			s += plen;
		} else if (strncmp(s, dashes_ph, qlen) == 0) {
			for (size_t i = 0; i < dlen; i++)
				*o++ = domain[i] == '.' ? '-' : domain[i];
			s += qlen;
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
