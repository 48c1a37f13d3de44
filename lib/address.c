/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The From address: a bare addr-spec or an RFC 5322 mailbox, with RFC 6532
 * UTF-8 allowed where text is.  The input is lexed into tokens (comments
 * and folding whitespace dropped, quoted strings decoded), then the few
 * shapes a single mailbox can take are matched.  Anything else is an error
 * naming the byte offset: the library never guesses which part of a
 * malformed header the user meant.
 */
#include <idn2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "private.h"

/* RFC 5322 2.1.1: a header line is at most 998 bytes. */
#define FA_ADDRESS_MAX 998
/* RFC 5321 4.5.3.1.1 */
#define FA_LOCAL_MAX 64

struct fromauth_address {
	char *local;
	char *domain;
	char *display_name;
	char *addr_spec;
	bool angle; /* written as <addr-spec> */
};

enum tok_kind {
	T_END,
	T_ATOM,
	T_QSTRING,
	T_DOT,
	T_LT,
	T_GT,
	T_AT,
	T_COMMA,
	T_COLON,
	T_SEMI,
	T_LBRACKET,
	T_RBRACKET,
};

struct token {
	enum tok_kind kind;
	size_t off;       /* byte offset in the input */
	size_t end;       /* offset just past the token */
	bool space;       /* whitespace or a comment came before it */
	const char *text; /* ATOM: into the input; QSTRING: decoded, in arena */
	size_t len;
};

struct parser {
	const char *in;
	size_t len;
	struct token *toks;
	size_t ntok;
	size_t pos;
	char *arena;
	size_t arena_used;
	char *errbuf;
	size_t errlen;
};

static int addr_error(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int addr_error(struct parser *p, const char *fmt, ...)
{
	if (p->errbuf && p->errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->errbuf, p->errlen, fmt, ap);
		va_end(ap);
	}
	return FROMAUTH_E_ADDRESS;
}

size_t fa_utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int min, cp;

	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Controls, stray line breaks and broken UTF-8 are refused before lexing,
 * so the lexer only meets printable text, tabs and CRLF+WSP folds. */
static int check_bytes(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->in;

	for (size_t i = 0; i < p->len; i++) {
		unsigned char c = s[i];
		if (c == '\r' || c == '\n') {
			if (c == '\r' && s[i + 1] == '\n' &&
			    (s[i + 2] == ' ' || s[i + 2] == '\t')) {
				i++;
				continue;
			}
			return addr_error(p, "line break at offset %zu is not "
					  "header folding (CRLF followed by a space)", i);
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return addr_error(p, "control character 0x%02x at offset %zu",
					  c, i);
		if (c >= 0x80) {
			size_t n = fa_utf8_seq_len(s + i, p->len - i);
			if (n == 0)
				return addr_error(p, "invalid UTF-8 at offset %zu", i);
			i += n - 1;
		}
	}
	return FROMAUTH_OK;
}

static bool is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* A comment, nested ones and quoted-pairs included; *i is at '('. */
static int skip_comment(struct parser *p, size_t *i)
{
	size_t start = *i, depth = 0, j = *i;

	for (;;) {
		char c = p->in[j];
		if (c == '\0')
			return addr_error(p, "unterminated comment starting at offset %zu",
					  start);
		if (c == '\\') {
			if (p->in[j + 1] == '\0')
				return addr_error(p, "unterminated comment starting at offset %zu",
						  start);
			if (p->in[j + 1] == '\r')
				return addr_error(p, "'\\' before a line break at offset %zu",
						  j);
			j += 2;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0) {
			*i = j + 1;
			return FROMAUTH_OK;
		}
		j++;
	}
}

/* Whitespace, folds and comments; sets *saw when there was any. */
static int skip_cfws(struct parser *p, size_t *i, bool *saw)
{
	for (;;) {
		char c = p->in[*i];
		if (c == ' ' || c == '\t') {
			(*i)++;
		} else if (c == '\r') {
			*i += 2; /* check_bytes() saw that LF and a WSP follow */
		} else if (c == '(') {
			int rc = skip_comment(p, i);
			if (rc)
				return rc;
		} else {
			return FROMAUTH_OK;
		}
		*saw = true;
	}
}

/* A quoted string; *i is at '"'.  Decoded into the arena: quoted-pairs
 * unescaped, folds unfolded. */
static int lex_qstring(struct parser *p, size_t *i, struct token *t)
{
	size_t start = *i, j = *i + 1;
	char *out = p->arena + p->arena_used;
	size_t n = 0;

	for (;;) {
		char c = p->in[j];
		if (c == '\0')
			return addr_error(p, "unterminated quoted string starting at offset %zu",
					  start);
		if (c == '"')
			break;
		if (c == '\\') {
			char next = p->in[j + 1];
			if (next == '\0')
				return addr_error(p, "unterminated quoted string starting at offset %zu",
						  start);
			if (next == '\r')
				return addr_error(p, "'\\' before a line break at offset %zu",
						  j);
			out[n++] = next;
			j += 2;
			continue;
		}
		if (c == '\r') {
			j += 2;
			continue;
		}
		out[n++] = c;
		j++;
	}
	out[n] = '\0';
	p->arena_used += n + 1;
	t->kind = T_QSTRING;
	t->text = out;
	t->len = n;
	*i = j + 1;
	return FROMAUTH_OK;
}

static int lex(struct parser *p)
{
	size_t i = 0;

	for (;;) {
		bool space = false;
		int rc = skip_cfws(p, &i, &space);
		if (rc)
			return rc;

		struct token *t = &p->toks[p->ntok];
		memset(t, 0, sizeof(*t));
		t->off = i;
		t->space = space;

		unsigned char c = (unsigned char)p->in[i];
		if (c == '\0') {
			t->kind = T_END;
			t->end = i;
			p->ntok++;
			return FROMAUTH_OK;
		}
		if (c == '"') {
			rc = lex_qstring(p, &i, t);
			if (rc)
				return rc;
		} else if (is_atext(c)) {
			size_t j = i;
			while (is_atext((unsigned char)p->in[j]))
				j++;
			t->kind = T_ATOM;
			t->text = p->in + i;
			t->len = j - i;
			i = j;
		} else {
			switch (c) {
			case '.': t->kind = T_DOT; break;
			case '<': t->kind = T_LT; break;
			case '>': t->kind = T_GT; break;
			case '@': t->kind = T_AT; break;
			case ',': t->kind = T_COMMA; break;
			case ':': t->kind = T_COLON; break;
			case ';': t->kind = T_SEMI; break;
			case '[': t->kind = T_LBRACKET; break;
			case ']': t->kind = T_RBRACKET; break;
			case ')':
				return addr_error(p, "')' at offset %zu closes no comment", i);
			case '\\':
				return addr_error(p, "'\\' at offset %zu outside a quoted string",
						  i);
			default:
				return addr_error(p, "unexpected character '%c' at offset %zu",
						  c, i);
			}
			i++;
		}
		t->end = i;
		p->ntok++;
	}
}

static const struct token *peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

static const struct token *next(struct parser *p)
{
	const struct token *t = &p->toks[p->pos];
	if (t->kind != T_END)
		p->pos++;
	return t;
}

/* The message for a token that cannot come where it is; @what says what
 * was expected there ("'@'", "'>'", ...) or is NULL for "the end". */
static int unexpected(struct parser *p, const struct token *t, const char *what)
{
	switch (t->kind) {
	case T_COMMA:
	case T_SEMI:
		return addr_error(p, "'%c' at offset %zu: two addresses: group syntax / "
				  "lists are not a single From", p->in[t->off], t->off);
	case T_COLON:
		return addr_error(p, "':' at offset %zu: two addresses: group syntax / "
				  "lists are not a single From", t->off);
	case T_LBRACKET:
		return addr_error(p, "'[' at offset %zu: domain literals "
				  "([192.0.2.1]) cannot have DMARC, SPF or DKIM; "
				  "use a domain name", t->off);
	case T_END:
		if (what)
			return addr_error(p, "expected %s at offset %zu (end of input)",
					  what, t->off);
		return addr_error(p, "unexpected end of input at offset %zu", t->off);
	default:
		break;
	}
	if (!what)
		return addr_error(p, "unexpected text at offset %zu after the address",
				  t->off);
	return addr_error(p, "expected %s at offset %zu, found \"%.*s\"", what,
			  t->off, (int)(t->end - t->off > 20 ? 20 : t->end - t->off),
			  p->in + t->off);
}

/* dot-atom-text: ATOM *(DOT ATOM) with nothing between the pieces.
 * Returns the span in the input through *start and *end. */
static int parse_dot_atom(struct parser *p, const char *part,
			  size_t *start, size_t *end)
{
	const struct token *t = next(p);
	*start = t->off;
	for (;;) {
		*end = t->end;
		const struct token *d = peek(p);
		if (d->kind != T_DOT)
			return FROMAUTH_OK;
		if (d->space)
			return addr_error(p, "whitespace or comment inside the %s "
					  "at offset %zu", part, d->off);
		next(p);
		t = peek(p);
		if (t->kind == T_DOT)
			return addr_error(p, "two dots in a row at offset %zu in the %s",
					  t->off, part);
		if (t->kind != T_ATOM)
			return addr_error(p, "the %s ends with '.' at offset %zu",
					  part, d->off);
		if (t->space)
			return addr_error(p, "whitespace or comment inside the %s "
					  "at offset %zu", part, t->off);
		next(p);
	}
}

/* RFC 3696 2: top-level labels are never all digits.  "user@192.0.2.1"
 * is a typo for a domain literal, not a domain. */
static bool looks_like_ip(const char *domain)
{
	const char *last = strrchr(domain, '.');
	last = last ? last + 1 : domain;
	if (*last == '\0')
		return false;
	for (; *last; last++)
		if (*last < '0' || *last > '9')
			return false;
	return true;
}

/* Convert and validate; a trailing dot (also one that IDNA mapping makes
 * of U+3002 and its kin) is refused unless @fqdn_ok, and then only one. */
static int to_alabel(const char *domain, bool fqdn_ok, char **out,
		     char *errbuf, size_t errlen)
{
	char inner[256];
	bool ascii = true;
	char *alabel;
	int rc;

	*out = NULL;
	for (const unsigned char *s = (const unsigned char *)domain; *s; s++)
		if (*s >= 0x80)
			ascii = false;

	if (ascii) {
		alabel = strdup(domain);
		if (!alabel)
			return FROMAUTH_E_NOMEM;
	} else {
		char *idn = NULL;
		/* IDNA2008 (UTS #46 non-transitional) first: 'ß' stays 'ß'
		 * as registries register it.  Only what it forbids outright
		 * gets the IDNA2003-compatible transitional mapping, as curl
		 * does, so old names such as symbol domains still resolve. */
		rc = idn2_to_ascii_8z(domain, &idn,
				      IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc == IDN2_DISALLOWED)
			rc = idn2_to_ascii_8z(domain, &idn,
					      IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
		if (rc == IDN2_MALLOC)
			return FROMAUTH_E_NOMEM;
		if (rc != IDN2_OK)
			return fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
					"\"%s\" is not a valid internationalized "
					"domain name: %s", domain, idn2_strerror(rc));
		alabel = strdup(idn);
		idn2_free(idn);
		if (!alabel)
			return FROMAUTH_E_NOMEM;
	}

	size_t len = strlen(alabel);
	if (fqdn_ok && len > 1 && alabel[len - 1] == '.')
		alabel[--len] = '\0';
	if (len > 0 && alabel[len - 1] == '.') {
		fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
			 "\"%s\" ends with '.' (an empty label)", domain);
		free(alabel);
		return FROMAUTH_E_DOMAIN;
	}
	for (size_t i = 0; i < len; i++)
		if (alabel[i] >= 'A' && alabel[i] <= 'Z')
			alabel[i] = (char)(alabel[i] - 'A' + 'a');

	rc = fa_domain_check(alabel, inner, sizeof(inner));
	if (rc) {
		fa_error(errbuf, errlen, rc, "\"%s\": %s", alabel, inner);
		free(alabel);
		return rc;
	}
	if (looks_like_ip(alabel)) {
		fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
			 "\"%s\" is an IP address, not a domain name "
			 "(its last label is all digits)", alabel);
		free(alabel);
		return FROMAUTH_E_DOMAIN;
	}
	*out = alabel;
	return FROMAUTH_OK;
}

int fa_domain_to_alabel(const char *domain, char **out,
			char *errbuf, size_t errlen)
{
	return to_alabel(domain, true, out, errbuf, errlen);
}

/* Is the local part a dot-atom, so it needs no quotes? */
static bool is_dot_atom(const char *s)
{
	if (*s == '\0' || *s == '.')
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (s[1] == '.' || s[1] == '\0')
				return false;
		} else if (!is_atext((unsigned char)*s)) {
			return false;
		}
	}
	return true;
}

/* The local part as it is written in an addr-spec: quoted only when it
 * must be, so "john"@x and john@x come out the same. */
static char *quote_local(const char *local)
{
	if (is_dot_atom(local))
		return strdup(local);
	size_t n = strlen(local);
	char *q = malloc(2 * n + 3);
	if (!q)
		return NULL;
	size_t j = 0;
	q[j++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (local[i] == '"' || local[i] == '\\')
			q[j++] = '\\';
		q[j++] = local[i];
	}
	q[j++] = '"';
	q[j] = '\0';
	return q;
}

/* addr-spec: local-part "@" domain, into @a. */
static int parse_addr_spec(struct parser *p, struct fromauth_address *a)
{
	const struct token *t = peek(p);
	size_t start, end;
	int rc;

	switch (t->kind) {
	case T_AT:
		return addr_error(p, "empty local part before '@' at offset %zu",
				  t->off);
	case T_DOT:
		return addr_error(p, "the local part starts with '.' at offset %zu",
				  t->off);
	case T_END:
		return addr_error(p, "missing '@': no address at offset %zu", t->off);
	case T_QSTRING:
		next(p);
		if (t->len == 0)
			return addr_error(p, "empty local part (\"\") at offset %zu",
					  t->off);
		if (peek(p)->kind == T_DOT)
			return addr_error(p, "'.' at offset %zu after a quoted string: "
					  "quote the whole local part", peek(p)->off);
		a->local = strndup(t->text, t->len);
		break;
	case T_ATOM:
		rc = parse_dot_atom(p, "local part", &start, &end);
		if (rc)
			return rc;
		a->local = strndup(p->in + start, end - start);
		break;
	default:
		return unexpected(p, t, "a local part");
	}
	if (!a->local)
		return FROMAUTH_E_NOMEM;

	t = peek(p);
	if (t->kind == T_END)
		return addr_error(p, "missing '@' after the local part (offset %zu)",
				  t->off);
	if (t->kind == T_ATOM || t->kind == T_QSTRING)
		return addr_error(p, "expected '@' at offset %zu, found \"%.*s\": "
				  "a display name needs an angle address "
				  "(Name <user@domain>)", t->off,
				  (int)(t->end - t->off > 20 ? 20 : t->end - t->off),
				  p->in + t->off);
	if (t->kind != T_AT)
		return unexpected(p, t, "'@'");
	next(p);

	t = peek(p);
	if (t->kind == T_END)
		return addr_error(p, "empty domain after '@' at offset %zu", t->off);
	if (t->kind == T_DOT)
		return addr_error(p, "the domain starts with '.' at offset %zu",
				  t->off);
	if (t->kind == T_AT)
		return addr_error(p, "second '@' at offset %zu", t->off);
	if (t->kind != T_ATOM)
		return unexpected(p, t, "a domain");
	rc = parse_dot_atom(p, "domain", &start, &end);
	if (rc)
		return rc;
	if (peek(p)->kind == T_AT)
		return addr_error(p, "second '@' at offset %zu", peek(p)->off);

	char *raw = strndup(p->in + start, end - start);
	if (!raw)
		return FROMAUTH_E_NOMEM;
	char inner[512];
	rc = to_alabel(raw, false, &a->domain, inner, sizeof(inner));
	free(raw);
	if (rc == FROMAUTH_E_NOMEM)
		return rc;
	if (rc)
		return fa_error(p->errbuf, p->errlen, FROMAUTH_E_DOMAIN,
				"domain at offset %zu: %s", start, inner);

	char *quoted = quote_local(a->local);
	if (!quoted)
		return FROMAUTH_E_NOMEM;
	size_t qlen = strlen(quoted);
	if (qlen > FA_LOCAL_MAX) {
		free(quoted);
		return addr_error(p, "local part is %zu bytes long, the limit is %d",
				  qlen, FA_LOCAL_MAX);
	}
	size_t dlen = strlen(a->domain);
	a->addr_spec = malloc(qlen + 1 + dlen + 1);
	if (!a->addr_spec) {
		free(quoted);
		return FROMAUTH_E_NOMEM;
	}
	memcpy(a->addr_spec, quoted, qlen);
	a->addr_spec[qlen] = '@';
	memcpy(a->addr_spec + qlen + 1, a->domain, dlen + 1);
	free(quoted);
	return FROMAUTH_OK;
}

/* display-name (an obs-phrase: words and dots) before '<'; words are joined
 * by one space where the input separated them. */
static int parse_display_name(struct parser *p, struct fromauth_address *a)
{
	char *name = malloc(p->len + 1);
	size_t n = 0;

	if (!name)
		return FROMAUTH_E_NOMEM;
	for (;;) {
		const struct token *t = peek(p);
		if (t->kind == T_LT)
			break;
		if (t->kind == T_DOT && n == 0) {
			free(name);
			return addr_error(p, "display name starts with '.' at offset %zu",
					  t->off);
		}
		if (t->kind == T_AT) {
			free(name);
			return addr_error(p, "'@' at offset %zu in the display name: "
					  "quote the name (\"a@b\" <user@domain>)", t->off);
		}
		if (t->kind != T_ATOM && t->kind != T_QSTRING && t->kind != T_DOT) {
			free(name);
			return unexpected(p, t, "'<'");
		}
		if (n > 0 && t->space)
			name[n++] = ' ';
		if (t->kind == T_DOT) {
			name[n++] = '.';
		} else {
			memcpy(name + n, t->text, t->len);
			n += t->len;
		}
		next(p);
	}
	name[n] = '\0';
	a->display_name = name;
	return FROMAUTH_OK;
}

static int parse_mailbox(struct parser *p, struct fromauth_address *a)
{
	bool angle = false;
	int rc;

	for (size_t i = 0; i < p->ntok; i++)
		if (p->toks[i].kind == T_LT)
			angle = true;

	if (p->ntok >= 2 && p->toks[0].kind == T_ATOM &&
	    p->toks[0].len == 4 && strncasecmp(p->toks[0].text, "from", 4) == 0 &&
	    p->toks[1].kind == T_COLON)
		return addr_error(p, "the input starts with a 'From:' header name; "
				  "give only the address");
	if (p->toks[0].kind == T_END)
		return addr_error(p, "empty address");

	if (!angle) {
		rc = parse_addr_spec(p, a);
		if (rc)
			return rc;
		a->display_name = strdup("");
		if (!a->display_name)
			return FROMAUTH_E_NOMEM;
		const struct token *t = peek(p);
		if (t->kind == T_GT)
			return addr_error(p, "'>' at offset %zu without a '<'", t->off);
		if (t->kind != T_END)
			return unexpected(p, t, NULL);
		return FROMAUTH_OK;
	}

	rc = parse_display_name(p, a);
	if (rc)
		return rc;
	next(p); /* '<' */
	a->angle = true;
	if (peek(p)->kind == T_AT)
		return addr_error(p, "source route at offset %zu (<@host:user@domain>) "
				  "is obsolete and not supported", peek(p)->off);
	rc = parse_addr_spec(p, a);
	if (rc)
		return rc;
	const struct token *t = peek(p);
	if (t->kind != T_GT)
		return unexpected(p, t, "'>'");
	next(p);
	t = peek(p);
	if (t->kind == T_LT)
		return addr_error(p, "second angle address at offset %zu: "
				  "two addresses are not a single From", t->off);
	if (t->kind != T_END)
		return unexpected(p, t, NULL);
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT void fromauth_address_free(struct fromauth_address *addr)
{
	if (!addr)
		return;
	free(addr->local);
	free(addr->domain);
	free(addr->display_name);
	free(addr->addr_spec);
	free(addr);
}

FROMAUTH_EXPORT int fromauth_address_parse(const char *input,
					   struct fromauth_address **out,
					   char *errbuf, size_t errlen)
{
	struct parser p = { .in = input, .errbuf = errbuf, .errlen = errlen };
	struct fromauth_address *a;
	int rc;

	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!input)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no address given");

	p.len = strnlen(input, FA_ADDRESS_MAX + 1);
	if (p.len > FA_ADDRESS_MAX)
		return addr_error(&p, "address is %zu bytes long, the limit is %d",
				  strlen(input), FA_ADDRESS_MAX);
	rc = check_bytes(&p);
	if (rc)
		return rc;

	/* Every token takes at least one byte, END none; decoded quoted
	 * strings are shorter than their source. */
	p.toks = calloc(p.len + 1, sizeof(*p.toks));
	p.arena = malloc(p.len + 1);
	a = calloc(1, sizeof(*a));
	if (!p.toks || !p.arena || !a) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	rc = lex(&p);
	if (rc == FROMAUTH_OK)
		rc = parse_mailbox(&p, a);
out:
	if (rc == FROMAUTH_E_NOMEM)
		fa_error(errbuf, errlen, rc, "out of memory");
	if (rc) {
		fromauth_address_free(a);
		a = NULL;
	}
	free(p.toks);
	free(p.arena);
	*out = a;
	return rc;
}

FROMAUTH_EXPORT const char *fromauth_address_local(const struct fromauth_address *addr)
{
	return addr ? addr->local : NULL;
}

FROMAUTH_EXPORT const char *fromauth_address_domain(const struct fromauth_address *addr)
{
	return addr ? addr->domain : NULL;
}

FROMAUTH_EXPORT const char *fromauth_address_display_name(const struct fromauth_address *addr)
{
	return addr ? addr->display_name : NULL;
}

FROMAUTH_EXPORT const char *fromauth_address_addr_spec(const struct fromauth_address *addr)
{
	return addr ? addr->addr_spec : NULL;
}

/* ------------------------------------------------------------------ */
/* allowed-from patterns                                               */

static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb - 'A' + 'a');
		if (ca != cb)
			return ca - cb;
		if (ca == '\0')
			return 0;
	}
}

int fa_pattern_normalize(const char *pattern, char **out,
			 char *errbuf, size_t errlen)
{
	char inner[512];
	int rc;

	*out = NULL;
	if (strchr(pattern, '@')) {
		struct fromauth_address *a;
		rc = fromauth_address_parse(pattern, &a, inner, sizeof(inner));
		if (rc == FROMAUTH_E_NOMEM)
			return rc;
		if (rc)
			return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
					"\"%s\": %s", pattern, inner);
		if (a->angle) {
			fromauth_address_free(a);
			return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
					"\"%s\": give a bare address (user@domain), "
					"not a mailbox", pattern);
		}
		if (strcmp(a->local, "*") == 0) {
			fromauth_address_free(a);
			return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
					"\"%s\": write the bare domain to allow "
					"every address at it", pattern);
		}
		/* '*' is legal in a local part, but here it is a wildcard
		 * someone hoped for, not a mailbox name. */
		if (strchr(a->local, '*')) {
			fromauth_address_free(a);
			return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
					"\"%s\": no wildcards in the local part; "
					"list the addresses or give the domain",
					pattern);
		}
		*out = strdup(a->addr_spec);
		fromauth_address_free(a);
		return *out ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
	}

	bool wild = strncmp(pattern, "*.", 2) == 0;
	const char *domain = wild ? pattern + 2 : pattern;
	if (strchr(domain, '*'))
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE,
				"\"%s\": '*' is allowed only as a whole first "
				"label (*.example.com)", pattern);
	char *alabel;
	rc = fa_domain_to_alabel(domain, &alabel, inner, sizeof(inner));
	if (rc == FROMAUTH_E_NOMEM)
		return rc;
	if (rc)
		return fa_error(errbuf, errlen, FROMAUTH_E_PROFILE, "%s", inner);
	if (!wild) {
		*out = alabel;
		return FROMAUTH_OK;
	}
	size_t n = strlen(alabel);
	*out = malloc(n + 3);
	if (*out) {
		memcpy(*out, "*.", 2);
		memcpy(*out + 2, alabel, n + 1);
	}
	free(alabel);
	return *out ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
}

int fa_pattern_match_from(const char *pattern,
			  const struct fromauth_address *addr)
{
	if (!pattern || !addr || !addr->domain)
		return 0;
	if (strchr(pattern, '@'))
		return ascii_casecmp(pattern, addr->addr_spec) == 0;
	if (strncmp(pattern, "*.", 2) == 0)
		return fa_domain_is_within(addr->domain, pattern + 2) &&
		       ascii_casecmp(addr->domain, pattern + 2) != 0;
	return ascii_casecmp(pattern, addr->domain) == 0;
}

FROMAUTH_EXPORT int fromauth_domain_to_alabel(const char *domain, char *buf, size_t buflen,
					      char *errbuf, size_t errlen)
{
	if (buf && buflen)
		buf[0] = '\0';
	if (!domain || !buf)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "missing argument");
	char *alabel = NULL;
	int rc = fa_domain_to_alabel(domain, &alabel, errbuf, errlen);
	if (rc)
		return rc == FROMAUTH_E_NOMEM ? fa_error(errbuf, errlen, rc, "out of memory") : rc;
	size_t len = strlen(alabel);
	if (len >= buflen) {
		free(alabel);
		return fa_error(errbuf, errlen, FROMAUTH_E_RANGE,
				"the A-label form needs %zu bytes, the buffer has %zu",
				len + 1, buflen);
	}
	memcpy(buf, alabel, len + 1);
	free(alabel);
	return 0;
}
