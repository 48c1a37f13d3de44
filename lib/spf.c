/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SPF adapter: check_host() by libspf2, every query of which goes through
 * a libspf2 DNS layer of ours on top of the project's DNS layer.  The only
 * file that includes libspf2's headers.
 *
 * libspf2 (Debian's 2008 code) misses parts of RFC 7208, which the layer
 * makes up for because it sees every query in evaluation order:
 * - it counts DNS-querying terms across the whole include/redirect tree
 *   and void lookups (4.6.4), which libspf2 counts per record or not at
 *   all.  The query that exceeds a limit, and every later one, answers
 *   TRY_AGAIN so libspf2 stops at once; the result is then overridden to
 *   permerror with the limit as the reason;
 * - it screens every SPF record before libspf2 compiles it (RFC 7208
 *   grammar, bounds against CVE-2023-42118); a rejected record stops the
 *   evaluation the same way and ends in permerror, which is what a syntax
 *   error in any record of the tree means (4.6, 5.2);
 * - ptr lookups that fail temporarily do not match (5.5), a ptr answer
 *   beyond 10 names is cut (4.6.4), IPv4-mapped IPv6 clients are IPv4,
 *   expanded names longer than 253 bytes lose labels on the left (7.3);
 * - exp= text is fetched and expanded here (6.2): libspf2 mangles it;
 * - libspf2 gets each record rewritten from our parse (modifiers last,
 *   redirect dropped beside "all", unknown modifiers dropped) and /0
 *   prefixes, which it cannot compile, spelled another way: ip4/ip6 as
 *   two /1 halves, a and mx as a name with a random per-context
 *   suffix that this layer answers with the client's own address when
 *   the real name has any.
 *
 * Classifying queries: libspf2 asks for TXT for the top record and then
 * only for include/redirect targets (exp goes to our get_exp hook); MX
 * only for mx; PTR with should_cache set for ptr and unset for %{p};
 * A/AAAA for a, exists, and for the names an MX or PTR answer just gave,
 * which it asks in answer order right after it -- those are not terms.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <spf2/spf.h>

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "address.h"
#include "ctx.h"
#include "memo.h"
#include "private.h"
#include "spf-record.h"
#include "spf.h"

#define LOOKUP_LIMIT 10
#define VOID_LIMIT 2
#define PTR_NAME_LIMIT 10
#define MAX_RECORDS_SEEN 64

struct fromauth_spf {
	char *ip;
	char *domain;
	int result;
	char *reason;
	char *explanation;
	char *record;
	unsigned int lookups;
	unsigned int void_lookups;
	int needs_helo;
	char *json;             /* lib/json.c builds it on first use */
};

enum query_class { SKIPPED, TOP, TERM, TARGET, PMACRO };

#define MAX_LOG 64
/* Entries kept in the evaluation itself: most trees log fewer. */
#define LOG_INLINE 8
#define LOG_ADDRS 16

/* One query of a term (or of an MX/PTR target), in evaluation order. */
struct query_log {
	ns_type type;
	enum query_class cls;
	int answered;           /* records of the type came back */
	int more;               /* more addresses than kept here */
	size_t naddr;
	unsigned char addr[LOG_ADDRS][16];
	char name[256];
};

/* A segment of a long record, served under a name of ours. */
struct synth_record {
	char *name;
	char *origin;           /* the domain whose record it is part of */
	char *text;
};

#define MAX_SYNTH 32

struct seen_record {
	char *domain;
	char *text;
	const struct fa_spf_record *parsed;     /* of prep */
	struct prep *prep;      /* a reference (fa_memo_shared_release) */
};

/*
 * What one SPF record, fetched at one domain, gives a client of one
 * family: our parse (or why it failed) and the text(s) libspf2 gets.
 * Shared through the context's memo (review 3c: the same provider
 * records are screened and rewritten for every check otherwise), so
 * immutable once made.  A record with a macro we expand ourselves
 * depends on the sender and client too and is not memoized.
 */
struct compiled;

struct prep {
	struct fa_spf_record *parsed;   /* NULL: parse_rc says why */
	int parse_rc;
	char err[256];          /* of the parse */
	int rc;                 /* of fa_spf_record_for_libspf2() */
	int unsupported;
	char why[300];
	char **segs;
	size_t nsegs;
	/* libspf2's compile of a lone segment, once known (a reference,
	 * set once): spares the compiled memo's lookup by text */
	_Atomic(struct compiled *) compiled;
};

/* State of one evaluation, which its DNS layer finds as current_eval. */
struct eval {
	struct fa_dns_req *req;
	SPF_request_t *spf_req;
	int family;
	unsigned char ip[16];

	unsigned int terms;
	unsigned int voids;
	int top_fetched;
	int top_temp;           /* the top record's lookup failed temporarily */
	int needs_helo;         /* %{h} was to be expanded with no HELO name */

	/* first reason to stop, with the result it forces */
	int stop_result;        /* -1: not stopped */
	char stop_reason[512];

	/* names of the last MX/PTR answer, asked next in this order */
	char *pending[PTR_NAME_LIMIT * 4];
	size_t npending, pending_pos;
	enum { PENDING_MX, PENDING_PTR, PENDING_PMACRO } pending_kind;
	int pending_any;        /* targets of an mx with a /0 prefix */

	/* names ending so stand for "the client, if NAME has addresses":
	 * how a and mx with a /0 prefix reach libspf2, which cannot hold
	 * /0.  Random per context (memo.h's nonce), so no record or sender
	 * can forge it, yet the same for every check, so rewritten records
	 * can be memoized. */
	char any_suffix[48];

	char last_temp_name[256];

	/* exp text of the last get_exp call, valid only if no query came
	 * after it (then it belongs to the final result) */
	char *exp_text;

	struct seen_record seen[MAX_RECORDS_SEEN];
	size_t nseen;

	struct synth_record synth[MAX_SYNTH];
	size_t nsynth;

	struct query_log *log;  /* log_inline, then grown up to MAX_LOG */
	size_t nlog, log_cap;

	/* handed out when allocating an RR fails: libspf2 aborts on NULL */
	SPF_dns_rr_t *spare;

	/* the RR of layer_get_spf's TXT queries, which never reach
	 * libspf2: reused for each instead of made and freed */
	SPF_dns_rr_t *txt_rr;
	int in_get_spf;
	struct prep *served;    /* whose lone segment that RR holds */

	/* the top record's query, made before libspf2 asks (memo key) */
	int top_pre;
	int top_rc;
	struct fa_dns_answer *top_ans;
	const char *top_qname;

	/* for the memo of whole evaluations: the queries after the top
	 * one and what lookup() read of their answers (replay_put()) */
	int recording;
	int memo_ok;            /* nothing seen that forbids memoizing */
	unsigned char *replay;  /* REPLAY_MAX bytes */
	size_t replay_len;
	uint32_t min_ttl;       /* of the answers read, the top one's too */
	uint64_t start_ms;

	/* last: not cleared (log_query() fills each entry it uses) */
	struct query_log log_inline[LOG_INLINE];
};

#define REPLAY_MAX 4096

static void stop(struct eval *ev, int result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void stop(struct eval *ev, int result, const char *fmt, ...)
{
	if (ev->stop_result >= 0)
		return;
	ev->stop_result = result;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->stop_reason, sizeof(ev->stop_reason), fmt, ap);
	va_end(ap);
}

/* libspf2's callbacks can only answer "try again": the request keeps
 * the real reason, so the evaluation fails with NOMEM. */
static void out_of_memory(struct eval *ev)
{
	fa_dns_req_nomem(ev->req);
	stop(ev, FROMAUTH_SPF_TEMPERROR, "out of memory");
}

static void clear_pending(struct eval *ev)
{
	for (size_t i = 0; i < ev->npending; i++)
		free(ev->pending[i]);
	ev->npending = ev->pending_pos = 0;
}

static SPF_dns_rr_t *rr_new(struct eval *ev, SPF_dns_server_t *layer,
			    const char *domain, ns_type type, int herrno)
{
	if (ev->in_get_spf) {
		/* its domain is not read: keep whichever it has */
		SPF_dns_rr_t *rr = ev->txt_rr;
		rr->rr_type = type;
		rr->num_rr = 0;
		rr->ttl = 0;
		rr->herrno = herrno;
		return rr;
	}
	SPF_dns_rr_t *rr = SPF_dns_rr_new_init(layer, domain, type, 0, herrno);
	if (rr)
		return rr;
	out_of_memory(ev);
	rr = ev->spare;
	ev->spare = NULL;
	if (!rr)
		rr = SPF_dns_rr_new_init(layer, NULL, type, 0, TRY_AGAIN);
	if (rr)
		rr->herrno = TRY_AGAIN;
	/* NULL only if even the spare is gone: libspf2 aborts then. */
	return rr;
}

/* RFC 7208 7.3: cut labels on the left until the name fits 253 bytes. */
static const char *fit_name(const char *name)
{
	while (strlen(name) > 253) {
		const char *dot = strchr(name, '.');
		if (!dot)
			break;
		name = dot + 1;
	}
	return name;
}

/* Takes the reference to @prep. */
static void remember_record(struct eval *ev, const char *domain,
			    const char *text, size_t len, struct prep *prep)
{
	if (ev->nseen >= MAX_RECORDS_SEEN || memchr(text, '\0', len)) {
		ev->memo_ok = 0;        /* a record the memo's checks cannot see */
		if (ev->nseen >= MAX_RECORDS_SEEN) {
			fa_memo_shared_release(prep);
			return;
		}
	}
	struct seen_record *s = &ev->seen[ev->nseen];
	s->domain = fa_domain_normalize(domain);
	s->text = malloc(len + 1);
	if (!s->domain || !s->text) {
		free(s->domain);
		free(s->text);
		fa_memo_shared_release(prep);
		out_of_memory(ev);
		ev->memo_ok = 0;
		return;
	}
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->prep = prep;
	s->parsed = prep->parsed;
	ev->nseen++;
}

static void prep_dtor(void *val)
{
	struct prep *p = val;
	fa_spf_record_free(p->parsed);
	fa_spf_segments_free(p->segs, p->nsegs);
	fa_memo_shared_release(atomic_load(&p->compiled));
}

/* Screen and rewrite; NULL when out of memory.  *memoizable: the result
 * depends on nothing but the memo key. */
static struct prep *prep_make(const char *text, size_t len, int family,
			      const char *domain, const char *any_suffix,
			      const struct fa_spf_macro_vars *vars, int *memoizable)
{
	struct prep *p = fa_memo_shared_new(sizeof(*p), prep_dtor);
	if (!p)
		return NULL;
	*memoizable = 1;
	atomic_init(&p->compiled, NULL);
	p->parse_rc = fa_spf_record_parse(text, len, &p->parsed, p->err, sizeof(p->err));
	if (p->parse_rc == FROMAUTH_E_NOMEM)
		goto nomem;
	if (p->parse_rc)
		return p;
	*memoizable = !fa_spf_record_reads_vars(p->parsed);
	p->rc = fa_spf_record_for_libspf2(p->parsed, family, domain, any_suffix, vars,
					  &p->segs, &p->nsegs, &p->unsupported,
					  p->why, sizeof(p->why));
	if (p->rc)
		goto nomem;     /* it fails for nothing else */
	return p;
nomem:
	fa_memo_shared_release(p);
	return NULL;
}

/* The prep of @text at @domain: from the memo, or made (and memoized). */
static struct prep *prep_get(struct eval *ev, const char *domain,
			     const char *text, size_t len,
			     const struct fa_spf_macro_vars *vars)
{
	struct fa_memo *memo = fa_dns_memo(ev->req->dns);
	size_t dl = strlen(domain), klen = 1 + dl + 1 + len;
	unsigned char stackkey[1024], *key = stackkey;
	int memoizable = 0;

	if (memo && klen > sizeof(stackkey) && !(key = malloc(klen)))
		memo = NULL;
	if (memo) {
		key[0] = (unsigned char)ev->family;
		memcpy(key + 1, domain, dl + 1);
		memcpy(key + 1 + dl + 1, text, len);
		struct prep *p = fa_memo_get_shared(memo, FA_MEMO_SPF_PREP, key, klen);
		if (p) {
			if (key != stackkey)
				free(key);
			return p;
		}
	}
	struct prep *p = prep_make(text, len, ev->family, domain, ev->any_suffix, vars,
				   &memoizable);
	if (memo && p && memoizable) {
		size_t terms = p->parsed ? p->parsed->count : 0;
		/* an estimate: the parse, the rewrite and their allocations */
		fa_memo_put_shared(memo, FA_MEMO_SPF_PREP, key, klen, p,
				   sizeof(*p) + 6 * len + 64 * p->nsegs +
				   terms * (sizeof(struct fa_spf_term) + 64));
	} else if (memo) {
		fa_memo_abandon(memo, FA_MEMO_SPF_PREP, key, klen);
	}
	if (key != stackkey)
		free(key);
	return p;
}

static uint16_t fa_type_of(ns_type type)
{
	switch (type) {
	case ns_t_a: return FA_RR_A;
	case ns_t_aaaa: return FA_RR_AAAA;
	case ns_t_mx: return FA_RR_MX;
	case ns_t_ptr: return FA_RR_PTR;
	case ns_t_txt: return FA_RR_TXT;
	default: return 0;
	}
}

/* Serve segments 1.. of a long record under names of ours, each segment
 * chained to the next by redirect=; returns segment 0 so chained. */
static char *chain_segments(struct eval *ev, const char *domain,
			    char *const *segs, size_t n)
{
	char *next_name = NULL;
	for (size_t i = n; i-- > 0;) {
		char *text = NULL;
		if (next_name ? asprintf(&text, "%s redirect=%s", segs[i], next_name) < 0
			      : (text = strdup(segs[i])) == NULL) {
			free(next_name);
			return NULL;
		}
		free(next_name);
		next_name = NULL;
		if (i == 0)
			return text;
		if (ev->nsynth >= MAX_SYNTH ||
		    asprintf(&next_name, "seg%zu.%s", ev->nsynth, ev->any_suffix) < 0) {
			free(text);
			return NULL;
		}
		struct synth_record *sy = &ev->synth[ev->nsynth];
		sy->name = strdup(next_name);
		sy->origin = fa_domain_normalize(domain);
		sy->text = text;
		if (!sy->name || !sy->origin) {
			free(sy->name);
			free(sy->origin);
			free(text);
			free(next_name);
			return NULL;
		}
		ev->nsynth++;
	}
	return NULL;
}

static const struct synth_record *find_synth(const struct eval *ev, const char *name)
{
	for (size_t i = 0; i < ev->nsynth; i++)
		if (!strcasecmp(ev->synth[i].name, name))
			return &ev->synth[i];
	return NULL;
}

/* Fill @rr with the SPF record among the TXT answers, screened. */
static void fill_txt(struct eval *ev, SPF_dns_rr_t *rr, const char *domain,
		    const struct fa_dns_answer *ans)
{
	const struct fa_dns_rr *found = NULL;
	size_t nspf = 0;

	for (size_t i = 0; i < ans->count; i++) {
		const struct fa_dns_rr *r = &ans->rrs[i];
		if (r->type != FA_RR_TXT ||
		    !fa_spf_is_record((const char *)r->data, r->len))
			continue;
		nspf++;
		found = r;
	}
	if (nspf == 0) {
		rr->herrno = NO_DATA;
		return;
	}
	if (nspf > 1) {
		stop(ev, FROMAUTH_SPF_PERMERROR,
		     "%s has %zu SPF records, RFC 7208 4.5 allows one",
		     domain, nspf);
		rr->herrno = TRY_AGAIN;
		return;
	}
	/* for macros libspf2 cannot split (',' '/' delimiters) */
	const SPF_request_t *sr = ev->spf_req;
	struct fa_spf_macro_vars vars = {
		.sender = sr->env_from,
		.domain = domain,
		.helo = sr->helo_dom,
		.family = ev->family,
	};
	memcpy(vars.ip, ev->ip, sizeof(vars.ip));
	struct prep *prep = prep_get(ev, domain, (const char *)found->data, found->len,
				     &vars);
	if (!prep) {
		out_of_memory(ev);
		rr->herrno = TRY_AGAIN;
		return;
	}
	if (prep->parse_rc) {
		ev->memo_ok = 0;        /* not remembered, so not checked */
		stop(ev, FROMAUTH_SPF_PERMERROR, "the SPF record of %s is invalid: %s",
		     domain, prep->err);
		fa_memo_shared_release(prep);
		rr->herrno = TRY_AGAIN;
		return;
	}
	if (prep->unsupported) {
		if (prep->unsupported == FA_SPF_UNSUPPORTED_NO_HELO)
			ev->needs_helo = 1;
		stop(ev, FROMAUTH_SPF_PERMERROR,
		     "the SPF record of %s cannot be evaluated by libspf2: %s",
		     domain, prep->why);
		remember_record(ev, domain, (const char *)found->data, found->len, prep);
		rr->herrno = TRY_AGAIN;
		return;
	}
	/* one segment is served as it is */
	char *first = prep->nsegs == 1 ? prep->segs[0]
		    : chain_segments(ev, domain, prep->segs, prep->nsegs);
	int own = first != NULL && prep->nsegs != 1;
	size_t nseen = ev->nseen;
	remember_record(ev, domain, (const char *)found->data, found->len, prep);
	if (ev->in_get_spf && !own && ev->nseen > nseen)
		ev->served = prep;      /* kept alive by ev->seen */
	size_t len = first ? strlen(first) : 0;
	if (!first || SPF_dns_rr_buf_realloc(rr, 0, len + 1) != SPF_E_SUCCESS) {
		if (own)
			free(first);
		out_of_memory(ev);
		rr->herrno = TRY_AGAIN;
		return;
	}
	memcpy(rr->rr[0]->txt, first, len + 1);
	if (own)
		free(first);
	rr->num_rr = 1;
}

/* The status lookup() goes by: no record of the type is NODATA. */
static int answer_status(const struct fa_dns_answer *ans, uint16_t fatype)
{
	size_t of_type = 0;
	for (size_t i = 0; i < ans->count; i++)
		if (ans->rrs[i].type == fatype)
			of_type++;
	return ans->status == FA_DNS_OK && of_type == 0 ? FA_DNS_NODATA : ans->status;
}

struct rbuf {
	unsigned char *p;
	size_t len, cap;
	int full;
};

static void rb_put(struct rbuf *b, const void *src, size_t n)
{
	if (b->full || n > b->cap - b->len) {
		b->full = 1;
		return;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

/* One query and what lookup() reads of its answer, as bytes: the name,
 * the type, the status it goes by and the records of the type (of TXT,
 * fill_txt() reads only the SPF records).  Equal bytes: lookup() and
 * libspf2 go on the same way. */
static void replay_put(struct rbuf *b, const char *qname, uint16_t fatype,
		       const struct fa_dns_answer *ans)
{
	uint32_t ql = (uint32_t)strlen(qname), end = UINT32_MAX;
	unsigned char status = (unsigned char)answer_status(ans, fatype);
	rb_put(b, &ql, sizeof(ql));
	rb_put(b, qname, ql);
	rb_put(b, &fatype, sizeof(fatype));
	rb_put(b, &status, 1);
	for (size_t i = 0; i < ans->count; i++) {
		const struct fa_dns_rr *r = &ans->rrs[i];
		if (r->type != fatype || r->len >= UINT32_MAX ||
		    (fatype == FA_RR_TXT && !fa_spf_is_record((const char *)r->data, r->len)))
			continue;
		uint32_t l = (uint32_t)r->len;
		rb_put(b, &l, sizeof(l));
		rb_put(b, r->data, r->len);
	}
	rb_put(b, &end, sizeof(end));
}

static void record_query(struct eval *ev, const char *qname, uint16_t fatype,
			 const struct fa_dns_answer *ans)
{
	if (fa_dns_status_is_temporary(ans->status) || strlen(qname) > 1024) {
		ev->memo_ok = 0;
		return;
	}
	if (ans->ttl < ev->min_ttl)
		ev->min_ttl = ans->ttl;
	struct rbuf b = { .p = ev->replay, .len = ev->replay_len, .cap = REPLAY_MAX };
	replay_put(&b, qname, fatype, ans);
	if (b.full)
		ev->memo_ok = 0;
	ev->replay_len = b.len;
}

/* libspf2 now asks the address of each name of an MX (or PTR) answer in
 * turn, the client's family, until one matches: asked together, that is
 * one round trip instead of one per name. */
static void prefetch_pending(struct eval *ev)
{
	struct fa_dns_question q[FA_DNS_PREFETCH_MAX];
	size_t n = 0;
	uint16_t type = ev->family == AF_INET ? FA_RR_A : FA_RR_AAAA;
	for (size_t i = 0; i < ev->npending && n < FA_DNS_PREFETCH_MAX; i++)
		q[n++] = (struct fa_dns_question){ fit_name(ev->pending[i]), type };
	if (n > 1)
		fa_dns_prefetch(ev->req, q, n);
}

static SPF_dns_rr_t *lookup(struct eval *ev, SPF_dns_server_t *layer,
			    const char *domain, ns_type type, int should_cache,
			    enum query_class *clsp)
{
	enum query_class cls = TOP;
	uint16_t fatype = fa_type_of(type);
	char stripped[256];
	int any = 0;

	*clsp = SKIPPED;

	free(ev->exp_text);
	ev->exp_text = NULL;

	if (ev->stop_result >= 0)
		return rr_new(ev, layer, domain, type, TRY_AGAIN);
	/* Type SPF (99) was dropped by RFC 7208; never ask for it. */
	if (!fatype)
		return rr_new(ev, layer, domain, type, NO_DATA);
	/* a segment of a long record: ours, not a term, no DNS */
	const struct synth_record *sy = type == ns_t_txt ? find_synth(ev, domain) : NULL;
	if (sy) {
		SPF_dns_rr_t *rr = rr_new(ev, layer, domain, type, NETDB_SUCCESS);
		size_t len = strlen(sy->text);
		if (rr && rr->herrno == NETDB_SUCCESS &&
		    SPF_dns_rr_buf_realloc(rr, 0, len + 1) == SPF_E_SUCCESS) {
			memcpy(rr->rr[0]->txt, sy->text, len + 1);
			rr->num_rr = 1;
		} else if (rr) {
			out_of_memory(ev);
			rr->herrno = TRY_AGAIN;
		}
		return rr;
	}
	/* NAME.SUFFIX: the client's address if NAME has any (a/0, mx/0) */
	size_t dl = strlen(domain), sl = strlen(ev->any_suffix);
	if (sl && dl > sl + 1 && dl - sl - 1 < sizeof(stripped) &&
	    domain[dl - sl - 1] == '.' && !strcasecmp(domain + dl - sl, ev->any_suffix)) {
		memcpy(stripped, domain, dl - sl - 1);
		stripped[dl - sl - 1] = '\0';
		domain = stripped;
		any = 1;
	}

	if ((type == ns_t_a || type == ns_t_aaaa) &&
	    ev->pending_pos < ev->npending &&
	    !strcasecmp(domain, ev->pending[ev->pending_pos])) {
		ev->pending_pos++;
		cls = ev->pending_kind == PENDING_PMACRO ? PMACRO : TARGET;
		if (ev->pending_kind == PENDING_MX && ev->pending_any)
			any = 1;
		*clsp = cls;
	} else {
		clear_pending(ev);
		if (type == ns_t_txt && !ev->top_fetched) {
			ev->top_fetched = 1;
			cls = TOP;
		} else if (type == ns_t_ptr && !should_cache) {
			cls = PMACRO;
		} else {
			cls = TERM;
		}
		*clsp = cls;
	}

	if (cls == TERM && ++ev->terms > LOOKUP_LIMIT) {
		ev->terms = LOOKUP_LIMIT;
		*clsp = SKIPPED;
		stop(ev, FROMAUTH_SPF_PERMERROR,
		     "more than %d DNS-querying terms (RFC 7208 4.6.4)",
		     LOOKUP_LIMIT);
		return rr_new(ev, layer, domain, type, TRY_AGAIN);
	}

	const char *qname = fit_name(domain);
	struct fa_dns_answer *ans = NULL;
	int rc;
	if (cls == TOP && ev->top_pre && !strcmp(qname, ev->top_qname)) {
		/* asked already, by fa_spf_eval() */
		rc = ev->top_rc;
		ans = ev->top_ans;
		ev->top_ans = NULL;
	} else {
		rc = fa_dns_query(ev->req, qname, fatype, &ans, NULL);
		if (cls == TOP || rc)
			ev->memo_ok = 0;
		else if (ev->recording)
			record_query(ev, qname, fatype, ans);
	}
	ev->top_pre = 0;
	if (rc == FROMAUTH_E_DOMAIN) {
		if (cls == TERM) {
			stop(ev, FROMAUTH_SPF_PERMERROR,
			     "\"%s\" is not a valid domain name", domain);
			return rr_new(ev, layer, domain, type, TRY_AGAIN);
		}
		/* a name from an MX or PTR answer: skip it */
		return rr_new(ev, layer, domain, type, NO_DATA);
	}
	if (rc) {
		stop(ev, FROMAUTH_SPF_TEMPERROR, "DNS lookup of %s failed: %s",
		     qname, fromauth_strerror(rc));
		return rr_new(ev, layer, domain, type, TRY_AGAIN);
	}

	int status = answer_status(ans, fatype);

	if (cls == TERM && (status == FA_DNS_NXDOMAIN || status == FA_DNS_NODATA) &&
	    ++ev->voids > VOID_LIMIT) {
		ev->voids = VOID_LIMIT;
		stop(ev, FROMAUTH_SPF_PERMERROR,
		     "more than %d void lookups (RFC 7208 4.6.4), the last for %s",
		     VOID_LIMIT, qname);
		fa_dns_answer_release(ans);
		return rr_new(ev, layer, domain, type, TRY_AGAIN);
	}

	int herrno;
	switch (status) {
	case FA_DNS_OK: herrno = NETDB_SUCCESS; break;
	case FA_DNS_NXDOMAIN: herrno = HOST_NOT_FOUND; break;
	case FA_DNS_NODATA: herrno = NO_DATA; break;
	default: herrno = TRY_AGAIN; break;
	}
	if (herrno == TRY_AGAIN && cls == TOP)
		ev->top_temp = 1;
	if (herrno == TRY_AGAIN) {
		snprintf(ev->last_temp_name, sizeof(ev->last_temp_name), "%s", qname);
		/* RFC 7208 5.5: a failing PTR lookup, or a failing address
		 * lookup of a ptr name, just does not match. */
		if (type == ns_t_ptr ||
		    (cls == TARGET && ev->pending_kind == PENDING_PTR))
			herrno = NO_DATA;
	}

	SPF_dns_rr_t *rr = rr_new(ev, layer, domain, type, herrno);
	if (!rr || herrno != NETDB_SUCCESS || rr->herrno != NETDB_SUCCESS) {
		fa_dns_answer_release(ans);
		return rr;
	}
	rr->ttl = ans->ttl;

	if (type == ns_t_txt) {
		fill_txt(ev, rr, domain, ans);
		fa_dns_answer_release(ans);
		return rr;
	}

	/* every address of the answer (the message bounds their number;
	 * RFC 7208 limits only MX and PTR names, below and in 4.6.4) */
	int n = 0;
	for (size_t i = 0; i < ans->count && n < INT_MAX; i++) {
		const struct fa_dns_rr *r = &ans->rrs[i];
		size_t need;
		if (r->type != fatype)
			continue;
		if (type == ns_t_ptr && n >= PTR_NAME_LIMIT)
			break;  /* 4.6.4: names beyond 10 are ignored */
		if (type == ns_t_a)
			need = sizeof(struct in_addr);
		else if (type == ns_t_aaaa)
			need = sizeof(struct in6_addr);
		else
			need = r->len + 1;
		if ((type == ns_t_a && r->len != 4) ||
		    (type == ns_t_aaaa && r->len != 16))
			continue;
		if (SPF_dns_rr_buf_realloc(rr, n, need) != SPF_E_SUCCESS) {
			out_of_memory(ev);
			rr->herrno = TRY_AGAIN;
			break;
		}
		memcpy(rr->rr[n], r->data, r->len);
		if (type == ns_t_mx || type == ns_t_ptr)
			((char *)rr->rr[n])[r->len] = '\0';
		n++;
	}
	rr->num_rr = rr->herrno == NETDB_SUCCESS ? n : 0;
	if (rr->num_rr == 0 && rr->herrno == NETDB_SUCCESS)
		rr->herrno = NO_DATA;
	/* a or mx target under a /0 prefix: any address is the client's */
	if (any && rr->num_rr > 0 && (type == ns_t_a || type == ns_t_aaaa)) {
		memcpy(rr->rr[0], ev->ip, type == ns_t_a ? 4 : 16);
		rr->num_rr = 1;
	}

	if (type == ns_t_mx || type == ns_t_ptr) {
		clear_pending(ev);
		for (int i = 0; i < rr->num_rr && i < (int)FA_ARRAY_SIZE(ev->pending); i++) {
			ev->pending[i] = strdup(type == ns_t_mx ? rr->rr[i]->mx
							       : rr->rr[i]->ptr);
			if (!ev->pending[i]) {
				fa_dns_req_nomem(ev->req);
				break;
			}
			ev->npending++;
		}
		ev->pending_kind = type == ns_t_mx ? PENDING_MX
				 : cls == PMACRO ? PENDING_PMACRO : PENDING_PTR;
		ev->pending_any = type == ns_t_mx && any;
		prefetch_pending(ev);
	}
	fa_dns_answer_release(ans);
	return rr;
}

/* Keep what a term's query answered, for explain_match(). */
static void log_query(struct eval *ev, const char *domain, ns_type type,
		      enum query_class cls, const SPF_dns_rr_t *rr)
{
	if ((cls != TERM && cls != TARGET) || !rr || ev->nlog >= MAX_LOG)
		return;
	/* Grown here: room for all 64 (34 KB) up front was a large
	 * allocation per evaluation, where most trees log a few. */
	if (ev->nlog == ev->log_cap) {
		size_t cap = 2 * ev->log_cap;
		int inline_now = ev->log == ev->log_inline;
		struct query_log *grown = realloc(inline_now ? NULL : ev->log,
						  cap * sizeof(*grown));
		if (!grown) {
			fa_dns_req_nomem(ev->req);
			return;
		}
		if (inline_now)
			memcpy(grown, ev->log_inline, sizeof(ev->log_inline));
		ev->log = grown;
		ev->log_cap = cap;
	}
	struct query_log *q = &ev->log[ev->nlog];
	q->type = type;
	q->cls = cls;
	q->answered = rr->herrno == NETDB_SUCCESS && rr->num_rr > 0;
	q->naddr = 0;
	/* lower case, cut to the buffer (by hand: snprintf was 4 % of
	 * an evaluation) */
	size_t nl = 0;
	for (; domain[nl] && nl < sizeof(q->name) - 1; nl++)
		q->name[nl] = (char)tolower((unsigned char)domain[nl]);
	if (nl && q->name[nl - 1] == '.')
		nl--;   /* as remember_record() keeps names */
	q->name[nl] = '\0';
	q->more = q->answered && rr->num_rr > LOG_ADDRS;
	for (int i = 0; q->answered && i < rr->num_rr && q->naddr < LOG_ADDRS; i++) {
		if (type == ns_t_a)
			memcpy(q->addr[q->naddr++], &rr->rr[i]->a, 4);
		else if (type == ns_t_aaaa)
			memcpy(q->addr[q->naddr++], &rr->rr[i]->aaaa, 16);
	}
	ev->nlog++;
}

/*
 * One libspf2 server per context (review 3c), shared by every thread:
 * libspf2's docs/API calls a server reusable and thread safe, and its
 * source (src/libspf2) bears that out for our use: nothing but the
 * SPF_server_set_*() calls writes to an SPF_server_t, and those run
 * here, before the server is published through the memo; a compiled
 * record or a request only reads the server; the DNS layer it calls is
 * ours.  The only mutable statics are the log-handler globals, which we
 * never set.  The layer has no per-call argument, so it finds the
 * evaluation of the calling thread through this pointer, set only
 * around SPF_request_query_mailfrom().
 */
static _Thread_local struct eval *current_eval;

struct spf_server {
	SPF_dns_server_t layer;
	SPF_server_t *server;
};

static SPF_dns_rr_t *layer_lookup(SPF_dns_server_t *layer, const char *domain,
				  ns_type type, int should_cache)
{
	struct eval *ev = current_eval;
	enum query_class cls;
	if (!ev)        /* not inside fa_spf_eval(): never happens */
		return SPF_dns_rr_new_init(layer, domain, type, 0, TRY_AGAIN);
	SPF_dns_rr_t *rr = lookup(ev, layer, domain ? domain : "", type,
				  should_cache, &cls);
	log_query(ev, domain ? domain : "", type, cls, rr);
	return rr;
}

/* A compiled record, memoized: libspf2 frees each record it is handed,
 * so it gets a copy.  The compiled form holds no pointers (terms are
 * lengths and bytes in two buffers). */
struct compiled {
	SPF_record_t *rec;
};

static void compiled_dtor(void *val)
{
	struct compiled *c = val;
	if (c->rec)
		SPF_record_free(c->rec);
}

static SPF_record_t *record_copy(SPF_server_t *server, const SPF_record_t *r)
{
	SPF_record_t *c = SPF_record_new(server, NULL);
	if (!c)
		return NULL;
	c->version = r->version;
	c->num_mech = r->num_mech;
	c->num_mod = r->num_mod;
	c->num_dns_mech = r->num_dns_mech;
	c->mech_first = malloc(r->mech_len ? r->mech_len : 1);
	c->mod_first = malloc(r->mod_len ? r->mod_len : 1);
	if (!c->mech_first || !c->mod_first) {
		SPF_record_free(c);
		return NULL;
	}
	if (r->mech_len)
		memcpy(c->mech_first, r->mech_first, r->mech_len);
	if (r->mod_len)
		memcpy(c->mod_first, r->mod_first, r->mod_len);
	c->mech_size = c->mech_len = r->mech_len;
	c->mod_size = c->mod_len = r->mod_len;
	return c;
}

/* Give @prep our reference to @c, unless it has one already. */
static void attach_compiled(struct prep *prep, struct compiled *c)
{
	struct compiled *none = NULL;
	if (!prep || !atomic_compare_exchange_strong(&prep->compiled, &none, c))
		fa_memo_shared_release(c);
}

/* SPF_record_compile() once per text and context: the same provider
 * records reach libspf2 for every customer and every sampled address
 * (~70 compiles, 8.6 % of a check).  Only a compile that succeeds
 * without adding a message to the response is memoized, so a copy
 * leaves the response exactly as compiling would have. */
static SPF_errcode_t compile_memoized(SPF_server_t *server, SPF_response_t *resp,
				      SPF_record_t **out, const char *txt, struct prep *prep)
{
	struct eval *ev = current_eval;
	struct fa_memo *memo = ev ? fa_dns_memo(ev->req->dns) : NULL;
	struct compiled *c = prep ? atomic_load(&prep->compiled) : NULL;
	if (c && (*out = record_copy(server, c->rec)) != NULL)
		return SPF_E_SUCCESS;
	size_t len = strlen(txt);
	c = memo ? fa_memo_get_shared(memo, FA_MEMO_SPF_COMPILED, txt, len) : NULL;
	if (c) {
		*out = record_copy(server, c->rec);
		attach_compiled(prep, c);
		if (*out)
			return SPF_E_SUCCESS;
		memo = NULL;    /* no memory: let libspf2 try and say so */
	}
	int before = SPF_response_messages(resp);
	SPF_errcode_t err = SPF_record_compile(server, resp, out, txt);
	if (!memo)
		return err;
	if (err == SPF_E_SUCCESS && *out && SPF_response_messages(resp) == before &&
	    (c = fa_memo_shared_new(sizeof(*c), compiled_dtor)) &&
	    (c->rec = record_copy(server, *out))) {
		fa_memo_put_shared(memo, FA_MEMO_SPF_COMPILED, txt, len, c,
				   sizeof(*c) + sizeof(SPF_record_t) + len +
				   c->rec->mech_len + c->rec->mod_len + 64);
		attach_compiled(prep, c);       /* the memo keeps its own */
	} else {
		fa_memo_shared_release(c);
		fa_memo_abandon(memo, FA_MEMO_SPF_COMPILED, txt, len);
	}
	return err;
}

/*
 * libspf2's get_spf hook, in place of SPF_server_get_record() so that
 * compiling can be memoized.  It takes the steps of the 1.2.10 that
 * Debian 12 ships (src/libspf2/spf_server.c) with the same error codes
 * and texts (make_reason() reads them) and the same results, but skips
 * its first query, for type SPF (99): our layer (lookup()) answers that
 * one itself, with NO_DATA, after which 1.2.10 asks for TXT, or with
 * TRY_AGAIN once the evaluation has stopped, after which 1.2.10 gives
 * up with a temporary error.  That query was neither counted, logged
 * nor sent, yet cost two allocations per record.
 */
static SPF_errcode_t layer_get_spf(SPF_server_t *server, SPF_request_t *req,
				   SPF_response_t *resp, SPF_record_t **out)
{
	struct eval *ev = current_eval;
	const char *domain = req->cur_dom;
	*out = NULL;
	if (!ev || ev->stop_result >= 0) {
		if (ev) {       /* as any query of the layer does */
			free(ev->exp_text);
			ev->exp_text = NULL;
		}
		return SPF_response_add_error(resp, SPF_E_DNS_ERROR,
					      "Temporary DNS failure for '%s'.", domain);
	}
	/* the layer's lookup, on an RR of our own */
	ev->in_get_spf = 1;
	ev->served = NULL;
	SPF_dns_rr_t *rr = layer_lookup(server->resolver, domain, ns_t_txt, 1);
	ev->in_get_spf = 0;
	int herrno = rr->herrno;
	if (herrno != NETDB_SUCCESS) {
		if (herrno == HOST_NOT_FOUND || herrno == NO_DATA) {
			resp->result = SPF_RESULT_NONE;
			resp->reason = SPF_REASON_FAILURE;
			return SPF_response_add_error(resp, SPF_E_NOT_SPF,
						      herrno == NO_DATA
						      ? "No DNS data for '%s'."
						      : "Host '%s' not found.", domain);
		}
		if (herrno == TRY_AGAIN)
			return SPF_response_add_error(resp, SPF_E_DNS_ERROR,
						      "Temporary DNS failure for '%s'.",
						      domain);
		if (herrno == NO_RECOVERY)
			return SPF_response_add_error(resp, SPF_E_DNS_ERROR,
						      "Unrecoverable DNS failure for '%s'.",
						      domain);
		return SPF_response_add_error(resp, SPF_E_DNS_ERROR,
					      "Unknown DNS failure for '%s': %d.", domain,
					      herrno);
	}
	if (rr->num_rr == 0) {
		return SPF_response_add_error(resp, SPF_E_NOT_SPF,
					      "No TXT records returned from DNS lookup for '%s'",
					      domain);
	}
	int found = 0, at = 0;
	for (int i = 0; i < rr->num_rr; i++) {
		const char *t = rr->rr[i]->txt;
		if (!strncasecmp(t, "v=spf1", 6) && (t[6] == ' ' || t[6] == '\0')) {
			found++;
			at = i;
		}
	}
	if (found != 1) {
		if (found == 0) {
			resp->result = SPF_RESULT_NONE;
			resp->reason = SPF_REASON_FAILURE;
			return SPF_response_add_error(resp, SPF_E_NOT_SPF,
						      "No SPF records for '%s'", domain);
		}
		resp->result = SPF_RESULT_PERMERROR;
		resp->reason = SPF_REASON_FAILURE;
		return SPF_response_add_error(resp, SPF_E_MULTIPLE_RECORDS,
					      "Multiple SPF records for '%s'", domain);
	}
	SPF_errcode_t err = compile_memoized(server, resp, out, rr->rr[at]->txt, ev->served);
	if (err != SPF_E_SUCCESS)
		return SPF_response_add_error(resp, SPF_E_NOT_SPF,
					      "Failed to compile SPF record for '%s'",
					      domain);
	return SPF_E_SUCCESS;
}

/* exp= (RFC 6.2): fetched and expanded here; libspf2 gets "" back.
 * @domain is libspf2's own *bufp, so it is copied before *bufp is reset. */
static SPF_errcode_t layer_get_exp(SPF_server_t *server, const char *domain,
				   char **bufp, size_t *buflenp)
{
	struct eval *ev = current_eval;
	(void)server;
	if (!ev)
		return SPF_E_NOT_CONFIG;
	struct fa_dns_answer *ans = NULL;
	char name[256];

	free(ev->exp_text);
	ev->exp_text = NULL;
	ev->memo_ok = 0;
	snprintf(name, sizeof(name), "%s", domain ? fit_name(domain) : "");
	if (*buflenp < 1) {
		char *b = realloc(*bufp, 1);
		if (!b)
			return SPF_E_NO_MEMORY;
		*bufp = b;
		*buflenp = 1;
	}
	(*bufp)[0] = '\0';
	if (ev->stop_result >= 0 || !name[0])
		return SPF_E_SUCCESS;
	if (fa_dns_query(ev->req, name, FA_RR_TXT, &ans, NULL) != 0)
		return SPF_E_SUCCESS;
	/* one TXT record, no NUL inside, valid macro-string: else no exp */
	if (ans->status == FA_DNS_OK && ans->count == 1 &&
	    ans->rrs[0].type == FA_RR_TXT &&
	    strlen((const char *)ans->rrs[0].data) == ans->rrs[0].len) {
		const SPF_request_t *sr = ev->spf_req;
		struct fa_spf_macro_vars vars = {
			.sender = sr->env_from,
			.domain = find_synth(ev, sr->cur_dom)
				  ? find_synth(ev, sr->cur_dom)->origin : sr->cur_dom,
			.helo = sr->helo_dom,
			.family = ev->family,
			.timestamp = (unsigned long)time(NULL),
		};
		/* %{p} costs lookups: only when the text uses it */
		if (strcasestr((const char *)ans->rrs[0].data, "%{p"))
			vars.validated = SPF_request_get_client_dom(ev->spf_req);
		memcpy(vars.ip, ev->ip, sizeof(vars.ip));
		fa_spf_macro_expand((const char *)ans->rrs[0].data,
				    ans->rrs[0].len, &vars, 1024, &ev->exp_text);
	}
	fa_dns_answer_release(ans);
	return SPF_E_SUCCESS;
}

/* ---------------------------------------------------------------- */

static const char *result_names[] = {
	[FROMAUTH_SPF_NONE] = "none",
	[FROMAUTH_SPF_NEUTRAL] = "neutral",
	[FROMAUTH_SPF_PASS] = "pass",
	[FROMAUTH_SPF_FAIL] = "fail",
	[FROMAUTH_SPF_SOFTFAIL] = "softfail",
	[FROMAUTH_SPF_TEMPERROR] = "temperror",
	[FROMAUTH_SPF_PERMERROR] = "permerror",
};

FROMAUTH_EXPORT const char *fromauth_spf_result_name(int result)
{
	if (result < 0 || (size_t)result >= FA_ARRAY_SIZE(result_names))
		return "unknown";
	return result_names[result];
}

static int map_result(SPF_result_t r, SPF_errcode_t err)
{
	switch (r) {
	case SPF_RESULT_PASS: return FROMAUTH_SPF_PASS;
	case SPF_RESULT_FAIL: return FROMAUTH_SPF_FAIL;
	case SPF_RESULT_SOFTFAIL: return FROMAUTH_SPF_SOFTFAIL;
	case SPF_RESULT_NEUTRAL: return FROMAUTH_SPF_NEUTRAL;
	case SPF_RESULT_NONE: return FROMAUTH_SPF_NONE;
	case SPF_RESULT_TEMPERROR: return FROMAUTH_SPF_TEMPERROR;
	case SPF_RESULT_PERMERROR: return FROMAUTH_SPF_PERMERROR;
	default:
		/* Debian's libspf2 says "invalid" for a top-level TRY_AGAIN
		 * (err DNS_ERROR) and for a record that does not compile. */
		return err == SPF_E_DNS_ERROR || err == SPF_E_NO_MEMORY
			? FROMAUTH_SPF_TEMPERROR : FROMAUTH_SPF_PERMERROR;
	}
}

FROMAUTH_EXPORT void fromauth_spf_free(struct fromauth_spf *spf)
{
	if (!spf)
		return;
	free(spf->ip);
	free(spf->domain);
	free(spf->reason);
	free(spf->explanation);
	free(spf->record);
	free(spf->json);
	free(spf);
}

static int finish(struct fromauth_spf *spf)
{
	if (!spf->reason || !spf->explanation || !spf->record)
		return FROMAUTH_E_NOMEM;
	return 0;
}

static const struct seen_record *find_seen(const struct eval *ev,
					   const char *domain)
{
	for (size_t i = 0; i < ev->nseen; i++)
		if (!strcasecmp(ev->seen[i].domain, domain))
			return &ev->seen[i];
	return NULL;
}

/* The record that decided: the top record, or the end of its chain of
 * literal redirect= modifiers (a record with "all" ignores redirect). */
static const struct seen_record *deciding_record(const struct eval *ev,
						 const char *domain)
{
	const struct seen_record *s = find_seen(ev, domain);
	for (int hops = 0; s && hops < 10; hops++) {
		const struct fa_spf_record *p = s->parsed;
		int has_all = 0;
		for (size_t i = 0; p && i < p->count; i++)
			if (p->terms[i].kind == FA_SPF_ALL)
				has_all = 1;
		if (!p || has_all || !p->redirect || p->redirect->has_macro)
			break;
		char *target = fa_domain_normalize(p->redirect->value);
		const struct seen_record *next = target ? find_seen(ev, target) : NULL;
		free(target);
		if (!next)
			break;
		s = next;
	}
	return s;
}

/* ---- which mechanism matched ----
 *
 * libspf2 only says "a mechanism matched".  Replaying the records we saw
 * against the logged answers of their queries, in order, names it.  Any
 * doubt (macros in ptr, a log that does not line up) gives up: the reason
 * then stays generic rather than wrong. */

/* The concatenation of @n strings in @buf, cut to @size - 1 bytes as
 * snprintf() would cut it; by hand, as snprintf() showed in profiles. */
static void join(char *buf, size_t size, size_t n, const char *const *parts)
{
	size_t at = 0;
	for (size_t i = 0; i < n && at + 1 < size; i++) {
		size_t l = strnlen(parts[i], size - 1 - at);
		memcpy(buf + at, parts[i], l);
		at += l;
	}
	buf[at] = '\0';
}

#define JOIN(buf, ...) join((buf), sizeof(buf), \
			    sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *), \
			    (const char *[]){ __VA_ARGS__ })

enum sim { SIM_UNKNOWN, SIM_NOMATCH, SIM_MATCH };

struct sim_state {
	const struct eval *ev;
	size_t pos;             /* next log entry */
	int depth;
	char what[400];         /* the matching term, described */
};

static int in_prefix(const unsigned char *a, const unsigned char *b,
		     size_t bytes, int prefix)
{
	int bits = prefix < 0 ? (int)bytes * 8 : prefix;
	for (size_t i = 0; i < bytes && bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
		if ((a[i] & mask) != (b[i] & mask))
			return 0;
	}
	return 1;
}

/* 1 yes, 0 no, -1 cannot tell (the answer had more addresses than the
 * log keeps) */
static int entry_matches_client(const struct sim_state *st,
				const struct query_log *q,
				const struct fa_spf_term *t)
{
	size_t bytes = st->ev->family == AF_INET ? 4 : 16;
	int prefix = st->ev->family == AF_INET ? t->cidr4 : t->cidr6;
	for (size_t i = 0; i < q->naddr; i++)
		if (in_prefix(q->addr[i], st->ev->ip, bytes, prefix))
			return 1;
	return q->more ? -1 : 0;
}

static const struct query_log *next_entry(struct sim_state *st, ns_type type,
					  enum query_class cls)
{
	if (st->pos >= st->ev->nlog)
		return NULL;
	const struct query_log *q = &st->ev->log[st->pos];
	int ok_type = q->type == type ||
		(type == ns_t_a && q->type == ns_t_aaaa && st->ev->family == AF_INET6);
	if (!ok_type || q->cls != cls)
		return NULL;
	st->pos++;
	return q;
}

static enum sim sim_record(struct sim_state *st, const char *domain);

/* include:/redirect=: the target's record, found by the name queried */
static enum sim sim_target(struct sim_state *st)
{
	const struct query_log *q = next_entry(st, ns_t_txt, TERM);
	if (!q || st->depth >= 10)
		return SIM_UNKNOWN;
	st->depth++;
	enum sim r = sim_record(st, q->name);
	st->depth--;
	return r;
}

static enum sim sim_record(struct sim_state *st, const char *domain)
{
	const struct seen_record *s = find_seen(st->ev, domain);
	if (!s || !s->parsed)
		return SIM_UNKNOWN;
	const struct fa_spf_record *rec = s->parsed;
	int has_all = fa_spf_record_has_all(rec);

	for (size_t i = 0; i < rec->count; i++) {
		const struct fa_spf_term *t = &rec->terms[i];
		const struct query_log *q;
		int match = 0;

		switch (t->kind) {
		case FA_SPF_ALL:
			match = 1;
			break;
		case FA_SPF_IP4:
			match = st->ev->family == AF_INET &&
				in_prefix(t->addr, st->ev->ip, 4, t->cidr4);
			break;
		case FA_SPF_IP6:
			match = st->ev->family == AF_INET6 &&
				in_prefix(t->addr, st->ev->ip, 16, t->cidr6);
			break;
		case FA_SPF_A:
			q = next_entry(st, st->ev->family == AF_INET ? ns_t_a : ns_t_aaaa, TERM);
			if (!q)
				return SIM_UNKNOWN;
			match = entry_matches_client(st, q, t);
			if (match < 0)
				return SIM_UNKNOWN;
			break;
		case FA_SPF_MX:
			if (!next_entry(st, ns_t_mx, TERM))
				return SIM_UNKNOWN;
			while ((q = next_entry(st, st->ev->family == AF_INET ? ns_t_a
					       : ns_t_aaaa, TARGET)) != NULL) {
				match = entry_matches_client(st, q, t);
				if (match < 0)
					return SIM_UNKNOWN;
				if (match)
					break;
			}
			break;
		case FA_SPF_EXISTS:
			q = next_entry(st, ns_t_a, TERM);
			if (!q)
				return SIM_UNKNOWN;
			match = q->answered;
			break;
		case FA_SPF_INCLUDE: {
			enum sim r = sim_target(st);
			if (r == SIM_UNKNOWN)
				return r;
			/* the include matches when its record passes */
			if (r == SIM_MATCH && strncmp(st->what, "+", 1) == 0) {
				char inner[400];
				snprintf(inner, sizeof(inner), "%s", st->what + 1);
				snprintf(st->what, sizeof(st->what),
					 "%c%.100s in the SPF record of %.100s (through %.150s)",
					 t->qualifier, t->text, s->domain, inner);
				return SIM_MATCH;
			}
			break;
		}
		case FA_SPF_REDIRECT:
			break;  /* after every mechanism failed, below */
		case FA_SPF_PTR: {
			/* a validated name (its address is the client's)
			 * within the ptr domain */
			const char *within = t->value ? t->value : s->domain;
			if (t->has_macro || !next_entry(st, ns_t_ptr, TERM))
				return SIM_UNKNOWN;
			while ((q = next_entry(st, st->ev->family == AF_INET ? ns_t_a
					       : ns_t_aaaa, TARGET)) != NULL) {
				struct fa_spf_term exact = *t;
				exact.cidr4 = exact.cidr6 = -1;
				int m = entry_matches_client(st, q, &exact);
				if (m < 0)
					return SIM_UNKNOWN;
				if (m && fa_domain_is_within(q->name, within)) {
					match = 1;
					break;
				}
			}
			break;
		}
		default:
			if (fa_spf_term_queries_dns(t))
				return SIM_UNKNOWN;
			break;
		}
		if (match) {
			JOIN(st->what, (char[]){ t->qualifier, '\0' }, t->text,
			     " in the SPF record of ", s->domain);
			return SIM_MATCH;
		}
	}
	if (rec->redirect && !has_all)
		return sim_target(st);
	return SIM_NOMATCH;
}

/* "+ip4:192.0.2.0/24 in the SPF record of example.com" or NULL. */
static const char *explain_match(const struct eval *ev, const char *domain,
				 int result, char *buf, size_t len)
{
	struct sim_state st = { .ev = ev };
	static const char qual[] = {
		[FROMAUTH_SPF_PASS] = '+', [FROMAUTH_SPF_FAIL] = '-',
		[FROMAUTH_SPF_SOFTFAIL] = '~', [FROMAUTH_SPF_NEUTRAL] = '?',
	};
	if (sim_record(&st, domain) != SIM_MATCH || st.what[0] != qual[result])
		return NULL;
	join(buf, len, 1, (const char *[]){ st.what });
	return buf;
}

static int response_has_error(SPF_response_t *resp, SPF_errcode_t code)
{
	if (SPF_response_errcode(resp) == code)
		return 1;
	for (int i = 0; i < SPF_response_messages(resp); i++) {
		SPF_error_t *e = SPF_response_message(resp, i);
		if (e && SPF_error_code(e) == code)
			return 1;
	}
	return 0;
}

/* What libspf2 says went wrong: its error code's text, or when that is
 * "success" (a record that does not compile leaves it so), its first
 * error message. */
static const char *libspf2_error(SPF_response_t *resp, SPF_errcode_t err)
{
	if (err != SPF_E_SUCCESS)
		return SPF_strerror(err);
	for (int i = 0; i < SPF_response_messages(resp); i++) {
		SPF_error_t *e = SPF_response_message(resp, i);
		if (e && SPF_error_errorp(e) && SPF_error_code(e) != SPF_E_SUCCESS)
			return SPF_error_message(e) ? SPF_error_message(e)
						    : SPF_strerror(SPF_error_code(e));
	}
	return "libspf2 gave no reason";
}

static char *make_reason(const struct eval *ev, int result, SPF_response_t *resp,
			 const char *domain, const struct seen_record *rec)
{
	char buf[600], what[400];
	SPF_reason_t why = SPF_response_reason(resp);
	SPF_errcode_t err = SPF_response_errcode(resp);
	const char *where = rec ? rec->domain : domain;

	if (ev->stop_result >= 0) {
		JOIN(buf, ev->stop_reason);
		return strdup(buf);
	}
	switch (result) {
	case FROMAUTH_SPF_NONE:
		snprintf(buf, sizeof(buf), "%s publishes no SPF record", domain);
		break;
	case FROMAUTH_SPF_TEMPERROR:
		if (ev->last_temp_name[0])
			snprintf(buf, sizeof(buf), "DNS lookup of %s failed temporarily",
				 ev->last_temp_name);
		else
			snprintf(buf, sizeof(buf), "temporary error: %s",
				 libspf2_error(resp, err));
		break;
	case FROMAUTH_SPF_PERMERROR:
		JOIN(buf, "permanent error in the SPF record of ", where, ": ",
		     libspf2_error(resp, err));
		break;
	default:
		if (why == SPF_REASON_DEFAULT)
			JOIN(buf, "no mechanism of the SPF record of ", where,
			     " matched (default neutral)");
		else if (why == SPF_REASON_LOCALHOST)
			JOIN(buf, "loopback address (libspf2 always passes it)");
		else if (explain_match(ev, domain, result, what, sizeof(what)))
			JOIN(buf, what, " matched");
		else
			JOIN(buf, "a mechanism of the SPF record of ", where, " matched: ",
			     result_names[result]);
		break;
	}
	return strdup(buf);
}

/* ---- memo of whole evaluations ----
 *
 * Many domains publish the same record ("v=spf1 include:esp -all"), and
 * a check evaluates it for the same few service addresses.  When the
 * evaluation cannot depend on the domain or the sender -- no macro and
 * no exp= in any record of the tree, no ptr and no a or mx without a
 * domain in the top record, the domain in no record's text -- what it
 * gives is a function of the client, the top record's text and the
 * answers of the queries it made.  The memo keeps, per client and text,
 * the outcome and those queries with what lookup() read of their
 * answers.  A hit asks them again, in order, through the DNS layer (its
 * overlays, cache and TTLs): only if every answer reads the same would
 * libspf2 have asked the same and decided the same, so only then is the
 * outcome used; and never past the shortest TTL of the answers it read.
 * Temporary failures and out-of-memory are never kept.
 * The reason names the domain where make_reason() did, kept as MEMO_MARK.
 */
#define MEMO_MARK '\x01'
#define MEMO_MAX_DOMAIN 100     /* make_reason() cuts names at 100 */
#define MEMO_MAX_REASON 390     /* shorter than any buffer it fills */
#define MEMO_MAX_TEXT 2048

struct eval_memo {
	uint64_t expires_ms;    /* the shortest TTL of what it read */
	int result;
	unsigned int lookups, voids;
	char *record;
	char *reason;           /* MEMO_MARK for the domain */
	size_t marks;
	char *texts;            /* the tree's records, for holds_ci() */
	unsigned char *replay;
	size_t replay_len;
};

static void eval_memo_dtor(void *val)
{
	struct eval_memo *m = val;
	free(m->record);
	free(m->reason);
	free(m->texts);
	free(m->replay);
}

/* The one SPF record of a TXT answer, or NULL (then fill_txt() ends the
 * evaluation at once: nothing to memoize). */
static const struct fa_dns_rr *top_record(int rc, const struct fa_dns_answer *ans)
{
	const struct fa_dns_rr *found = NULL;
	if (rc || answer_status(ans, FA_RR_TXT) != FA_DNS_OK)
		return NULL;
	for (size_t i = 0; i < ans->count; i++) {
		const struct fa_dns_rr *r = &ans->rrs[i];
		if (r->type != FA_RR_TXT || !fa_spf_is_record((const char *)r->data, r->len))
			continue;
		if (found)
			return NULL;
		found = r;
	}
	return found;
}

static int has_exp(const struct fa_spf_record *p)
{
	if (p->exp)
		return 1;
	for (size_t i = 0; i < p->count; i++)
		if (p->terms[i].kind == FA_SPF_EXP)
			return 1;
	return 0;
}

/* Can the top record's result be the same for every domain publishing
 * it?  Not with exp=, a ptr, or an a or mx without a domain (which read
 * the domain's own names).  memo_make() checks the rest of the tree. */
static int top_terms_memoizable(const struct fa_spf_record *rec)
{
	if (has_exp(rec))
		return 0;
	for (size_t i = 0; i < rec->count; i++) {
		const struct fa_spf_term *t = &rec->terms[i];
		if (t->kind == FA_SPF_PTR ||
		    ((t->kind == FA_SPF_A || t->kind == FA_SPF_MX) && !t->value))
			return 0;
	}
	return 1;
}

/* The top record's text, before libspf2 runs: no macro, and terms that
 * allow a memo entry.  Its parse is the context's shared one (the SPF
 * analysis of the check has usually made it already). */
static int top_text_memoizable(struct fa_memo *memo, const char *t, size_t len)
{
	if (len > MEMO_MAX_TEXT || memchr(t, '%', len) || memchr(t, '\0', len))
		return 0;
	const struct fa_spf_record *rec = NULL;
	void *ref = NULL;
	int ok = fa_spf_record_parse_shared(memo, t, len, &rec, &ref, NULL, 0) == 0 &&
		 top_terms_memoizable(rec);
	fa_memo_shared_release(ref);
	return ok;
}

/* @reason with every MEMO_MARK replaced by @domain; NULL when out of
 * memory. */
static char *memo_reason(const char *reason, size_t marks, const char *domain)
{
	size_t dl = strlen(domain), len = strlen(reason) - marks + marks * dl;
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = reason; *p; p++) {
		if (*p == MEMO_MARK) {
			memcpy(o, domain, dl);
			o += dl;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* Would make_reason() have filled its buffers without cutting, for a
 * domain of @dl bytes? */
static int memo_fits(const struct eval_memo *m, size_t dl)
{
	return dl <= MEMO_MAX_DOMAIN &&
	       strlen(m->reason) - m->marks + m->marks * dl < MEMO_MAX_REASON;
}

/* Ask the memo entry's queries again: 1 if every answer reads the same. */
static int replay_same(struct eval *ev, const struct eval_memo *m)
{
	unsigned char scratch[REPLAY_MAX];
	char qname[1025];
	size_t at = 0;

	while (at < m->replay_len) {
		uint32_t ql;
		uint16_t type;
		memcpy(&ql, m->replay + at, sizeof(ql));
		memcpy(qname, m->replay + at + sizeof(ql), ql);
		qname[ql] = '\0';
		memcpy(&type, m->replay + at + sizeof(ql) + ql, sizeof(type));
		struct fa_dns_answer *ans = NULL;
		if (fa_dns_query(ev->req, qname, type, &ans, NULL) != 0)
			return 0;
		struct rbuf b = { .p = scratch, .cap = sizeof(scratch) };
		replay_put(&b, qname, type, ans);
		fa_dns_answer_release(ans);
		if (b.full || b.len > m->replay_len - at || memcmp(scratch, m->replay + at, b.len))
			return 0;
		at += b.len;
	}
	return 1;
}

/* Does @hay hold @needle, in any case?  (strcasestr() cost more than
 * all the rest of memo_make().) */
static int holds_ci(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);
	unsigned char c = (unsigned char)needle[0];
	const char set[] = { (char)tolower(c), (char)toupper(c), '\0' };
	if (!nl)
		return 1;
	for (const char *p = hay; (p = strpbrk(p, set)) != NULL; p++)
		if (!strncasecmp(p, needle, nl))
			return 1;
	return 0;
}

/* Evaluations this thread took from the memo, for tests. */
static _Thread_local unsigned long memo_hits;

unsigned long fa_spf_eval_memo_hits(void)
{
	return memo_hits;
}

/* Fill @spf from a memo entry (memo_fits()) if its queries still read
 * the same; 0 done, 1 out of date, or FROMAUTH_E_NOMEM. */
static int memo_use(struct eval *ev, const struct eval_memo *m, struct fromauth_spf *spf)
{
	if (fa_now_ms() >= m->expires_ms || !replay_same(ev, m))
		return 1;
	if (atomic_load(&ev->req->nomem))
		return FROMAUTH_E_NOMEM;
	spf->result = m->result;
	spf->lookups = m->lookups;
	spf->void_lookups = m->voids;
	spf->reason = memo_reason(m->reason, m->marks, spf->domain);
	spf->explanation = strdup("");
	spf->record = strdup(m->record);
	memo_hits++;
	return finish(spf);
}

/* The memo entry of a finished evaluation, or NULL when it may not be
 * kept (see above) or memory ran out. */
static struct eval_memo *memo_make(struct eval *ev, int result, SPF_response_t *resp,
				   const struct fromauth_spf *spf,
				   const struct seen_record *rec,
				   const unsigned char *top_text, size_t top_len)
{
	const char *d = spf->domain;
	struct seen_record *top = NULL;

	if (!ev->memo_ok || !ev->min_ttl || result == FROMAUTH_SPF_TEMPERROR || ev->needs_helo ||
	    ev->top_temp || ev->last_temp_name[0] || ev->exp_text ||
	    atomic_load(&ev->req->nomem) || strlen(d) > MEMO_MAX_DOMAIN ||
	    strlen(spf->reason) >= MEMO_MAX_REASON || strchr(spf->reason, MEMO_MARK))
		return NULL;
	for (size_t i = 0; i < ev->nseen; i++) {
		struct seen_record *s = &ev->seen[i];
		if (!s->parsed || strchr(s->text, '%') || has_exp(s->parsed) ||
		    holds_ci(s->text, d))
			return NULL;
		if (!strcmp(s->domain, d)) {
			if (top)
				return NULL;
			top = s;
		}
	}
	if (!top || strlen(top->text) != top_len || memcmp(top->text, top_text, top_len))
		return NULL;
	if (!top_terms_memoizable(top->parsed))
		return NULL;

	/* the reason again, for a domain spelled MEMO_MARK; a reason that
	 * does not hold the domain did not name it (nothing was cut) */
	static const char mark[] = { MEMO_MARK, '\0' };
	char *marked;
	if (holds_ci(spf->reason, d)) {
		char *saved = top->domain;
		top->domain = (char *)mark;
		marked = make_reason(ev, result, resp, mark, rec);
		top->domain = saved;
	} else {
		marked = strdup(spf->reason);
	}
	if (!marked)
		return NULL;
	size_t marks = 0;
	for (const char *p = marked; *p; p++)
		marks += *p == MEMO_MARK;
	char *check = holds_ci(marked, d) ? NULL : memo_reason(marked, marks, d);
	int same = check && !strcmp(check, spf->reason);
	free(check);
	struct eval_memo *m = same ? fa_memo_shared_new(sizeof(*m), eval_memo_dtor) : NULL;
	if (!m) {
		free(marked);
		return NULL;
	}
	m->expires_ms = ev->start_ms + (uint64_t)ev->min_ttl * 1000u;
	m->result = result;
	m->lookups = spf->lookups;
	m->voids = spf->void_lookups;
	m->reason = marked;
	m->marks = marks;
	m->record = strdup(spf->record);
	size_t tl = 0;
	for (size_t i = 0; i < ev->nseen; i++)
		tl += strlen(ev->seen[i].text) + 1;
	m->texts = malloc(tl + 1);
	for (size_t i = 0, at = 0; m->texts && i < ev->nseen; i++) {
		size_t l = strlen(ev->seen[i].text);
		memcpy(m->texts + at, ev->seen[i].text, l);
		m->texts[at + l] = '\n';
		at += l + 1;
	}
	if (m->texts)
		m->texts[tl] = '\0';
	m->replay = malloc(ev->replay_len ? ev->replay_len : 1);
	m->replay_len = ev->replay_len;
	if (!m->record || !m->texts || !m->replay) {
		fa_memo_shared_release(m);
		return NULL;
	}
	memcpy(m->replay, ev->replay, ev->replay_len);
	return m;
}

/* The identity to evaluate: MAIL FROM, or for the null sender the HELO
 * name; an internationalized domain becomes A-labels (SPEC 2), which is
 * what DNS holds.  *id_out is malloc'd; *domain points into it. */
static int check_identity(const char *mail_from, const char *helo,
			  char **id_out, const char **domain,
			  char *errbuf, size_t errlen)
{
	int null_sender = !mail_from || !*mail_from;
	const char *id = null_sender ? helo : mail_from;

	*id_out = NULL;
	if (!id || !*id)
		return fa_error(errbuf, errlen, FROMAUTH_E_ADDRESS,
				"the null sender needs a HELO name");
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			return fa_error(errbuf, errlen, FROMAUTH_E_ADDRESS,
					"\"%s\" holds a control byte", id);
	if (strlen(id) > 320)
		return fa_error(errbuf, errlen, FROMAUTH_E_ADDRESS,
				"\"%.40s...\" is too long", id);
	const char *at = null_sender ? NULL : strrchr(id, '@');
	const char *dom = at ? at + 1 : id;
	char *alabel = NULL;
	int ascii = 1;
	for (const char *p = dom; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	/* a domain that does not convert stays as given: "none" (4.3) */
	if (!ascii && fa_domain_to_alabel(dom, &alabel, NULL, 0) == 0) {
		int n = asprintf(id_out, "%.*s%s", (int)(dom - id), id, alabel);
		free(alabel);
		if (n < 0) {
			*id_out = NULL;
			return FROMAUTH_E_NOMEM;
		}
	} else {
		*id_out = strdup(id);
		if (!*id_out)
			return FROMAUTH_E_NOMEM;
	}
	/* the part before the domain is the same in both */
	*domain = *id_out + (dom - id);
	return 0;
}

static void server_dtor(void *val)
{
	struct spf_server *s = val;
	if (s->server)
		SPF_server_free(s->server);
}

/* The context's server, made on first use (or a private one without a
 * memo); a reference, or NULL when out of memory. */
static struct spf_server *server_get(struct fa_memo *memo)
{
	static const char key[] = "libspf2";
	struct spf_server *s = fa_memo_get_shared(memo, FA_MEMO_SPF_SERVER, key,
						  sizeof(key) - 1);
	if (s)
		return s;
	s = fa_memo_shared_new(sizeof(*s), server_dtor);
	if (s) {
		s->layer.lookup = layer_lookup;
		s->layer.get_exp = layer_get_exp;
		s->layer.get_spf = layer_get_spf;
		s->layer.name = "fromauth";
		s->server = SPF_server_new_dns(&s->layer, 0);
		SPF_response_t *resp = NULL;
		/* The layer counts terms over the whole tree (and does not
		 * count the redirects chaining a long record's segments);
		 * libspf2's own count, per record and with those redirects,
		 * must not get first.  The explanation libspf2 makes of its
		 * own is never read (exp= text is ours, layer_get_exp): a
		 * literal costs nothing to expand, its default's macros did
		 * (5 % of a check). */
		if (!s->server ||
		    SPF_server_set_rec_dom(s->server, "fromauth.invalid") != SPF_E_SUCCESS ||
		    SPF_server_set_max_dns_mech(s->server, 100) != SPF_E_SUCCESS ||
		    SPF_server_set_explanation(s->server, "fromauth", &resp) != SPF_E_SUCCESS) {
			fa_memo_shared_release(s);
			s = NULL;
		}
		if (resp)
			SPF_response_free(resp);
	}
	if (s)
		fa_memo_put_shared(memo, FA_MEMO_SPF_SERVER, key, sizeof(key) - 1, s,
				   sizeof(*s) + 4096);
	else
		fa_memo_abandon(memo, FA_MEMO_SPF_SERVER, key, sizeof(key) - 1);
	return s;
}

int fa_spf_eval(struct fa_dns_req *req, const char *ip, const char *mail_from,
		const char *helo, struct fromauth_spf **out,
		char *errbuf, size_t errlen)
{
	struct eval ev;
	struct fromauth_spf *spf = NULL;
	struct spf_server *server = NULL;
	SPF_request_t *sr = NULL;
	SPF_response_t *resp = NULL;
	const char *domain = NULL;
	char *identity = NULL;
	struct fa_memo *memo = NULL;
	struct eval_memo *hit = NULL;
	unsigned char *mkey = NULL;
	size_t mklen = 0;
	int pending = 0;
	int rc;

	if (!out)
		return FROMAUTH_E_INVAL;
	*out = NULL;
	if (!req || !ip)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no IP address");

	memset(&ev, 0, offsetof(struct eval, log_inline));
	ev.log = ev.log_inline;
	ev.log_cap = LOG_INLINE;
	ev.req = req;
	ev.stop_result = -1;
	/* per context, so that rewritten records can be memoized: drawn
	 * at random once, as unguessable as a per-check one */
	uint64_t nonce = fa_memo_nonce(fa_dns_memo(req->dns));
	if (!nonce &&
	    getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) != sizeof(nonce))
		nonce = fa_now_ms() ^ (uint64_t)(uintptr_t)&ev ^ ((uint64_t)time(NULL) << 20);
	/* "fa-any-%016llx.invalid", by hand: once per evaluation */
	static const char hex[] = "0123456789abcdef";
	memcpy(ev.any_suffix, "fa-any-", 7);
	for (int i = 0; i < 16; i++)
		ev.any_suffix[7 + i] = hex[(nonce >> (60 - 4 * i)) & 0xf];
	memcpy(ev.any_suffix + 23, ".invalid", sizeof(".invalid"));
	if (inet_pton(AF_INET, ip, ev.ip) == 1) {
		ev.family = AF_INET;
	} else if (inet_pton(AF_INET6, ip, ev.ip) == 1) {
		ev.family = AF_INET6;
		/* an IPv4-mapped client is an IPv4 client (RFC 7208 5) */
		static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
		if (!memcmp(ev.ip, mapped, 12)) {
			memmove(ev.ip, ev.ip + 12, 4);
			memset(ev.ip + 4, 0, 12);
			ev.family = AF_INET;
		}
	} else {
		return fa_error(errbuf, errlen, FROMAUTH_E_IP,
				"\"%s\" is not an IPv4 or IPv6 address", ip);
	}
	/* libspf2 passes loopback clients without looking at any record
	 * (SPF_request_query_mailfrom); a pass it did not evaluate would be
	 * a lie, and no sending service sends from loopback. */
	if ((ev.family == AF_INET && ev.ip[0] == 127) ||
	    (ev.family == AF_INET6 && !memcmp(ev.ip, in6addr_loopback.s6_addr, 16)))
		return fa_error(errbuf, errlen, FROMAUTH_E_IP,
				"%s is a loopback address, which libspf2 always passes "
				"without evaluating SPF", ip);
	rc = check_identity(mail_from, helo, &identity, &domain, errbuf, errlen);
	if (rc)
		return rc;
	/* from here on the identity is the converted one */
	if (mail_from && *mail_from)
		mail_from = identity;
	else
		helo = identity;

	spf = calloc(1, sizeof(*spf));
	if (!spf) {
		free(identity);
		return FROMAUTH_E_NOMEM;
	}
	spf->ip = strdup(ip);
	spf->domain = fa_domain_normalize(domain);
	if (!spf->ip || !spf->domain) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}

	/* RFC 7208 4.3: a malformed or single-label domain gives "none". */
	char derr[256];
	if (fa_domain_check(domain, derr, sizeof(derr)) != 0 ||
	    fa_domain_labels(domain) < 2) {
		spf->result = FROMAUTH_SPF_NONE;
		char buf[400];
		snprintf(buf, sizeof(buf), "\"%s\" is not a usable domain name (RFC 7208 4.3): %s",
			 domain, fa_domain_labels(domain) < 2 && !strchr(domain, '[')
			 ? "it has a single label" : derr);
		spf->reason = strdup(buf);
		spf->explanation = strdup("");
		spf->record = strdup("");
		rc = finish(spf);
		if (rc)
			goto fail;
		*out = spf;
		free(identity);
		return 0;
	}

	/* the top record, which libspf2 asks for first: asked here for the
	 * memo's key, and handed to lookup() */
	memo = fa_dns_memo(req->dns);
	if (memo) {
		ev.start_ms = fa_now_ms();
		ev.top_qname = fit_name(domain);
		ev.top_rc = fa_dns_query(req, ev.top_qname, FA_RR_TXT, &ev.top_ans, NULL);
		ev.top_pre = 1;
		const struct fa_dns_rr *top = top_record(ev.top_rc, ev.top_ans);
		if (top && top_text_memoizable(memo, (const char *)top->data, top->len) &&
		    (mkey = malloc(17 + top->len))) {
			mkey[0] = (unsigned char)ev.family;
			memcpy(mkey + 1, ev.ip, 16);
			memcpy(mkey + 17, top->data, top->len);
			mklen = 17 + top->len;
			hit = fa_memo_get_shared(memo, FA_MEMO_SPF_EVAL, mkey, mklen);
			pending = !hit;
		}
	}
	if (hit && (!memo_fits(hit, strlen(spf->domain)) || holds_ci(hit->texts, spf->domain))) {
		/* make_reason() would cut this domain, or the tree names it
		 * (an include of itself would read it): evaluate */
		fa_memo_shared_release(hit);
		hit = NULL;
	}
	if (hit) {
		rc = memo_use(&ev, hit, spf);
		if (rc <= 0) {
			fa_memo_shared_release(hit);
			if (rc)
				goto fail;
			*out = spf;
			spf = NULL;
			goto fail;      /* rc 0: only the cleanup */
		}
		/* an answer changed: evaluate, and memoize that instead */
		fa_memo_drop_shared(memo, FA_MEMO_SPF_EVAL, mkey, mklen, hit);
		fa_memo_shared_release(hit);
		hit = fa_memo_get_shared(memo, FA_MEMO_SPF_EVAL, mkey, mklen);
		pending = !hit;
		fa_memo_shared_release(hit);
		hit = NULL;
	}
	unsigned char replay[REPLAY_MAX];
	if (pending) {
		ev.replay = replay;
		ev.recording = ev.memo_ok = 1;
		ev.min_ttl = ev.top_ans->ttl;
	}

	server = server_get(fa_dns_memo(req->dns));
	if (!server) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	ev.spare = SPF_dns_rr_new_init(&server->layer, NULL, ns_t_txt, 0, TRY_AGAIN);
	ev.txt_rr = SPF_dns_rr_new_init(&server->layer, NULL, ns_t_txt, 0, TRY_AGAIN);
	if (!ev.spare || !ev.txt_rr) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	sr = SPF_request_new(server->server);
	if (!sr) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	ev.spf_req = sr;
	if (ev.family == AF_INET) {
		struct in_addr a;
		memcpy(&a, ev.ip, 4);
		SPF_request_set_ipv4(sr, a);
	} else {
		struct in6_addr a;
		memcpy(&a, ev.ip, 16);
		SPF_request_set_ipv6(sr, a);
	}
	if (helo && *helo && SPF_request_set_helo_dom(sr, helo) != SPF_E_SUCCESS) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	if (mail_from && *mail_from) {
		if (SPF_request_set_env_from(sr, mail_from) != 0) {
			rc = FROMAUTH_E_NOMEM;
			goto fail;
		}
	} else if (SPF_request_set_env_from(sr, "") != 0) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}

	struct eval *outer = current_eval;
	current_eval = &ev;
	SPF_request_query_mailfrom(sr, &resp);
	current_eval = outer;
	if (!resp) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}

	if (atomic_load(&ev.req->nomem)) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	int result = map_result(SPF_response_result(resp), SPF_response_errcode(resp));
	if (SPF_response_result(resp) == SPF_RESULT_INVALID && ev.top_temp)
		result = FROMAUTH_SPF_TEMPERROR;
	/* %{h} with no HELO name: libspf2 says "Uninitialized variable"
	 * and temperror, but nothing temporary failed: the input lacks
	 * what every receiver has.  h is the only variable a request of
	 * ours can leave unset. */
	if (ev.stop_result < 0 && (!helo || !*helo) &&
	    response_has_error(resp, SPF_E_UNINIT_VAR)) {
		ev.needs_helo = 1;
		stop(&ev, FROMAUTH_SPF_PERMERROR,
		     "the SPF record tree of %s expands the HELO name (%%{h}), and no "
		     "HELO name was given", spf->domain);
	}
	if (ev.stop_result >= 0)
		result = ev.stop_result;
	const struct seen_record *rec = deciding_record(&ev, spf->domain);
	spf->result = result;
	spf->needs_helo = ev.needs_helo;
	spf->lookups = ev.terms;
	spf->void_lookups = ev.voids;
	spf->reason = make_reason(&ev, result, resp, spf->domain, rec);
	spf->explanation = strdup(result == FROMAUTH_SPF_FAIL && ev.exp_text
				  ? ev.exp_text : "");
	spf->record = strdup(rec ? rec->text : "");
	rc = finish(spf);
	if (rc)
		goto fail;
	if (pending) {
		struct eval_memo *m = memo_make(&ev, result, resp, spf, rec, mkey + 17,
						       mklen - 17);
		if (m) {
			fa_memo_put_shared(memo, FA_MEMO_SPF_EVAL, mkey, mklen, m,
					   sizeof(*m) + strlen(m->record) + strlen(m->reason) +
					   strlen(m->texts) + m->replay_len + 64);
			fa_memo_shared_release(m);
			pending = 0;
		}
	}
	*out = spf;
	spf = NULL;
	rc = 0;
fail:
	if (pending)
		fa_memo_abandon(memo, FA_MEMO_SPF_EVAL, mkey, mklen);
	free(mkey);
	fa_dns_answer_release(ev.top_ans);
	if (resp)
		SPF_response_free(resp);
	if (sr)
		SPF_request_free(sr);
	if (ev.spare)
		SPF_dns_rr_free(ev.spare);
	if (ev.txt_rr)
		SPF_dns_rr_free(ev.txt_rr);
	fa_memo_shared_release(server);
	clear_pending(&ev);
	free(identity);
	if (ev.log != ev.log_inline)
		free(ev.log);
	free(ev.exp_text);
	for (size_t i = 0; i < ev.nsynth; i++) {
		free(ev.synth[i].name);
		free(ev.synth[i].origin);
		free(ev.synth[i].text);
	}
	for (size_t i = 0; i < ev.nseen; i++) {
		free(ev.seen[i].domain);
		free(ev.seen[i].text);
		fa_memo_shared_release(ev.seen[i].prep);
	}
	fromauth_spf_free(spf);
	return rc;
}

char *fa_spf_first_qname(const char *mail_from)
{
	char *identity = NULL;
	const char *domain = NULL;
	if (!mail_from || !*mail_from ||
	    check_identity(mail_from, NULL, &identity, &domain, NULL, 0) != 0)
		return NULL;
	char *name = fa_domain_normalize(domain);
	free(identity);
	return name;
}

FROMAUTH_EXPORT int fromauth_spf_check(struct fromauth_ctx *ctx, const char *ip,
				       const char *mail_from, const char *helo,
				       struct fromauth_spf **out,
				       char *errbuf, size_t errlen)
{
	struct fa_dns_req req;

	if (out)
		*out = NULL;
	if (!ctx || !out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no context");
	fa_dns_req_init(&req, ctx->dns);
	return fa_spf_eval(&req, ip, mail_from, helo, out, errbuf, errlen);
}

FROMAUTH_EXPORT const char *fromauth_spf_ip(const struct fromauth_spf *spf)
{
	return spf ? spf->ip : NULL;
}

FROMAUTH_EXPORT const char *fromauth_spf_domain(const struct fromauth_spf *spf)
{
	return spf ? spf->domain : NULL;
}

FROMAUTH_EXPORT int fromauth_spf_result(const struct fromauth_spf *spf)
{
	return spf ? spf->result : -1;
}

FROMAUTH_EXPORT const char *fromauth_spf_reason(const struct fromauth_spf *spf)
{
	return spf ? spf->reason : NULL;
}

FROMAUTH_EXPORT const char *fromauth_spf_explanation(const struct fromauth_spf *spf)
{
	return spf ? spf->explanation : NULL;
}

FROMAUTH_EXPORT const char *fromauth_spf_record(const struct fromauth_spf *spf)
{
	return spf ? spf->record : NULL;
}

FROMAUTH_EXPORT unsigned int fromauth_spf_lookups(const struct fromauth_spf *spf)
{
	return spf ? spf->lookups : 0;
}

FROMAUTH_EXPORT unsigned int fromauth_spf_void_lookups(const struct fromauth_spf *spf)
{
	return spf ? spf->void_lookups : 0;
}

int fa_spf_needs_helo(const struct fromauth_spf *spf)
{
	return spf && spf->needs_helo;
}

char *const *fa_spf_json_slot(const struct fromauth_spf *spf)
{
	return &spf->json;
}
