/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DMARC adapter.  libopendmarc 1.4.2 parses a record
 * (opendmarc_policy_store_dmarc), which we use as a second opinion on our
 * own stricter validator.  Its Public Suffix List code lacks the PSL's
 * default rule, so RFC 7489 organizational domains come from libpsl on
 * Debian's list (the same file).  Everything it
 * gets wrong (REFERENCE-LIBS.md section 3: strict alignment, d=co.uk
 * aligning with example.co.uk, no np, pct never applied, a lax parser,
 * CVE-2024-25768 in fetch_ruf) is done here instead, and all DNS goes
 * through our layer (libopendmarc's libresolv code is never called).
 *
 * Discovery follows RFC 9989 (DNS tree walk, psd tag) and, for the
 * comparison the SPEC asks for, RFC 7489 (record at D, else at the PSL
 * organizational domain).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>
#include <netinet/in.h>
#include <opendmarc/dmarc.h>

#include "address.h"
#include "config.h"
#include "ctx.h"
#include "dmarc-record.h"
#include "dmarc.h"
#include "memo.h"


/* RFC 9989 section 4.10: at most eight queries per tree walk. */
#define WALK_MAX 8
/* A tree walk never starts further than seven labels from the root. */
#define WALK_LABELS 7
/* Report destinations checked for authorization, per record. */
#define REPORT_HOSTS_MAX 8
/* Unauthorized report destinations kept, per result. */
#define UNAUTH_MAX (2 * REPORT_HOSTS_MAX)
/* Records longer than this are not handed to libopendmarc (it copies
 * into fixed buffers); ours handles any length. */
#define OPENDMARC_RECORD_MAX 2048

/* ---- libopendmarc, initialized once --------------------------------- */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_ready;

static void lib_init(void)
{
	/* Not thread-safe in libopendmarc: it fills globals.  It needs no
	 * PSL of its own: organizational domains are computed here. */
	static OPENDMARC_LIB_T lib;
	memset(&lib, 0, sizeof(lib));
	lib.tld_type = OPENDMARC_TLD_TYPE_NONE;
	lib_ready = opendmarc_policy_library_init(&lib) == DMARC_PARSE_OKAY;
}

static void lib_ensure(void)
{
	pthread_once(&lib_once, lib_init);
}

/*
 * RFC 7489 section 3.2 organizational domain from the PSL, with libpsl on
 * Debian's list.  libopendmarc's opendmarc_get_tld() lacks the PSL's
 * default rule ("*"): under a TLD the list does not name it returns the
 * whole domain, so a.b.example would be its own organizational domain.
 */
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static psl_ctx_t *psl;

static void psl_init(void)
{
	psl = psl_load_file(FROMAUTH_PSL_FILE);
	if (!psl)
		psl = (psl_ctx_t *)psl_builtin();      /* static, never freed */
}

static void psl_ensure(void)
{
	pthread_once(&psl_once, psl_init);
}

/* @own: the context's list (fromauth_ctx_set_psl), else NULL. */
static char *psl_org_domain(const psl_ctx_t *own, const char *domain)
{
	if (!own)
		psl_ensure();
	const psl_ctx_t *list = own ? own : psl;
	char *lower = fa_domain_normalize(domain);
	if (!lower)
		return NULL;
	/* NULL when the domain is itself a public suffix (or no list). */
	const char *reg = list ? psl_registrable_domain(list, lower) : NULL;
	char *org = reg ? strdup(reg) : NULL;
	if (!reg)
		return lower;
	free(lower);
	return org;
}

/*
 * libopendmarc's verdict on a record, as a problem sentence when it
 * rejects what our validator let through.  Only called with NUL-free
 * records; never touches fetch_rua/fetch_ruf.
 */
static int opendmarc_second_opinion(struct fa_dmarc_record *rec,
				    const char *txt, size_t len,
				    const char *domain)
{
	if (len > OPENDMARC_RECORD_MAX || memchr(txt, '\0', len))
		return 0;
	lib_ensure();
	if (!lib_ready)
		return 0;
	DMARC_POLICY_T *pctx = opendmarc_policy_connect_init((u_char *)"127.0.0.1",
							     DMARC_POLICY_IP_TYPE_IPV4);
	if (!pctx)
		return FROMAUTH_E_NOMEM;
	char *copy = strndup(txt, len);
	int rc = 0;
	if (!copy) {
		rc = FROMAUTH_E_NOMEM;
	} else {
		OPENDMARC_STATUS_T st = opendmarc_policy_store_dmarc(pctx, (u_char *)copy,
								     (u_char *)domain, NULL);
		if (st != DMARC_PARSE_OKAY && rec->problem_count == 0)
			rc = fa_dmarc_record_problem(rec,
				"receivers using OpenDMARC (libopendmarc) reject the record: %s",
				opendmarc_policy_status_to_str(st));
	}
	free(copy);
	opendmarc_policy_connect_shutdown(pctx);
	return rc;
}

/*
 * A record as parsed by us and judged by libopendmarc, kept per context
 * by its text (SPEC section 9): both depend on the text alone (the
 * domain libopendmarc is given only has to be non-NULL), and customers
 * share a few records, such as their provider's.  Read-only once made.
 */
struct shared_record {
	struct fa_dmarc_record rec;
};

static void shared_record_dtor(void *val)
{
	fa_dmarc_record_clear(&((struct shared_record *)val)->rec);
}

/*
 * Parse @txt into *@rec.  With a memo, *@rec is a copy of the shared
 * parse (always with libopendmarc's opinion) and *@ref holds it alive;
 * without, *@ref is NULL, *@rec is our own, and @opinion says whether
 * libopendmarc is asked.  Release with record_release().
 */
static int record_get(struct fa_memo *memo, const char *txt, size_t len,
		      const char *domain, int opinion,
		      struct fa_dmarc_record *rec, void **ref)
{
	*ref = NULL;
	if (!memo) {
		int rc = fa_dmarc_record_parse(txt, len, rec);
		if (!rc && opinion)
			rc = opendmarc_second_opinion(rec, txt, len, domain);
		if (rc)
			fa_dmarc_record_clear(rec);
		return rc;
	}
	struct shared_record *sh = fa_memo_get_shared(memo, FA_MEMO_DMARC_RECORD, txt, len);
	if (!sh) {
		sh = fa_memo_shared_new(sizeof(*sh), shared_record_dtor);
		int rc = sh ? fa_dmarc_record_parse(txt, len, &sh->rec) : FROMAUTH_E_NOMEM;
		if (!rc)
			rc = opendmarc_second_opinion(&sh->rec, txt, len, domain);
		if (rc) {
			fa_memo_abandon(memo, FA_MEMO_DMARC_RECORD, txt, len);
			fa_memo_shared_release(sh);
			memset(rec, 0, sizeof(*rec));
			return rc;
		}
		/* The record, its escaped text, strings and sentences. */
		fa_memo_put_shared(memo, FA_MEMO_DMARC_RECORD, txt, len, sh,
				   sizeof(*sh) + 4 * len + 64 * sh->rec.problem_count + 256);
	}
	*rec = sh->rec;
	*ref = sh;
	return 0;
}

static void record_release(struct fa_dmarc_record *rec, void *ref)
{
	if (ref) {
		memset(rec, 0, sizeof(*rec));
		fa_memo_shared_release(ref);
	} else {
		fa_dmarc_record_clear(rec);
	}
}

/* ---- the result object ------------------------------------------------ */

/* A name of a tree walk holding exactly one DMARC record. */
struct found {
	char *domain;
	struct fa_dmarc_record rec;     /* with ref: a copy that owns nothing */
	void *ref;                      /* the memo's shared parse, or NULL */
};

struct walk {
	char *start;
	size_t nqueried;
	char *queried[WALK_MAX];
	size_t counts[WALK_MAX];     /* DMARC records at each name queried */
	size_t nfound;
	/* Longest name first; allocated as found (WALK_MAX of them took
	 * 6 KB a walk, zeroed and freed each time, mostly unused). */
	struct found *found;
	int temp;                    /* some query failed temporarily */
	int start_temp;              /* the query at the start failed */
	char *org;                   /* organizational domain */
	size_t psd_index;            /* found[] with psd=y, or SIZE_MAX */
	/* TXT records at queried names that look like DMARC but are not,
	 * and the domain (without _dmarc.) each was found at. */
	size_t nlookalike;
	char *lookalike[WALK_MAX];
	char *lookalike_raw[WALK_MAX];  /* its text, NULL if not shown whole */
	const char *lookalike_at[WALK_MAX];
	/* The records of the first name holding several (all discarded),
	 * so the check can say which to delete. */
	const char *dup_at;
	size_t ndup;
	char *dup[FA_DMARC_MAX_DUPLICATES];
};

struct unauthorized {
	char *uri;
	char *host;
	char *name;      /* the authorization record's owner name */
};

struct fromauth_dmarc {
	char *domain;
	int temperror;
	int org_temperror;
	struct walk walk;
	const struct found *applied;   /* in walk.found, or NULL */
	int nonexistent;               /* D has NXDOMAIN for A, AAAA, MX */
	int p, sp, np;                 /* of the applied record, 0 if none */
	int policy, effective;
	const char *policy_tag;        /* "p", "sp", "np" or NULL */
	size_t record_count;
	const char *multiple_domain;
	const char *lookalike, *lookalike_at; /* the first one reported */

	/* RFC 7489 discovery, for comparison. */
	int have_psl;                  /* a Public Suffix List was used */
	char *psl_org;
	char *psl_record_domain;
	char *psl_record;
	int psl_policy;
	int psl_temperror;
	char *differs;

	size_t nproblems;
	char **problems;
	size_t nunauth;         /* at most UNAUTH_MAX, allocated at the first */
	struct unauthorized *unauth;
	char *json;                    /* lib/json.c builds it on first use */
};

static int add_problem(struct fromauth_dmarc *d, char *msg)
{
	if (!msg)
		return FROMAUTH_E_NOMEM;
	char **n = realloc(d->problems, (d->nproblems + 1) * sizeof(*n));
	if (!n) {
		free(msg);
		return FROMAUTH_E_NOMEM;
	}
	d->problems = n;
	d->problems[d->nproblems++] = msg;
	return 0;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void walk_clear(struct walk *w)
{
	free(w->start);
	for (size_t i = 0; i < w->nqueried; i++)
		free(w->queried[i]);
	for (size_t i = 0; i < w->nfound; i++) {
		free(w->found[i].domain);
		record_release(&w->found[i].rec, w->found[i].ref);
	}
	free(w->found);
	for (size_t i = 0; i < w->nlookalike; i++) {
		free(w->lookalike[i]);
		free(w->lookalike_raw[i]);
	}
	for (size_t i = 0; i < w->ndup; i++)
		free(w->dup[i]);
	free(w->org);
	memset(w, 0, sizeof(*w));
}

/* ---- DNS -------------------------------------------------------------- */

/* Outcome of one _dmarc query. */
struct txt_set {
	int temp;                /* timeout or server failure */
	size_t count;            /* records starting with v=DMARC1 */
	char *first;             /* the first of them (raw bytes + NUL) */
	size_t first_len;
	char *lookalike;         /* a TXT that looks like DMARC but is not */
	char *lookalike_raw;     /* its text, when short and without NUL */
	size_t nall;             /* copies of the DMARC records (bounded) */
	char *all[FA_DMARC_MAX_DUPLICATES];
};

static void txt_set_clear(struct txt_set *t)
{
	free(t->first);
	free(t->lookalike);
	free(t->lookalike_raw);
	for (size_t i = 0; i < t->nall; i++)
		free(t->all[i]);
	memset(t, 0, sizeof(*t));
}

/* TXT records at @name (no prefix added).  Returns 0 or an error. */
static int fetch_dmarc_txt(struct fa_dns_req *req, const char *name,
			   struct txt_set *out)
{
	struct fa_dns_answer *ans = NULL;
	memset(out, 0, sizeof(*out));
	/* A name too long for the DNS cannot hold a record. */
	if (strlen(name) > 253)
		return 0;
	int rc = fa_dns_query(req, name, FA_RR_TXT, &ans, NULL);
	if (rc == FROMAUTH_E_DOMAIN)
		return 0;
	if (rc)
		return rc;
	if (fa_dns_status_is_temporary(ans->status)) {
		out->temp = 1;
	} else if (ans->status == FA_DNS_OK) {
		for (size_t i = 0; i < ans->count; i++) {
			const struct fa_dns_rr *rr = &ans->rrs[i];
			if (rr->type != FA_RR_TXT)
				continue;
			const char *txt = (const char *)rr->data;
			if (fa_dmarc_record_is_dmarc(txt, rr->len)) {
				/* One with a NUL byte cannot be named as a line. */
				if (out->nall < FA_DMARC_MAX_DUPLICATES &&
				    strlen(txt) == rr->len) {
					if (!(out->all[out->nall] = fa_strdup(txt))) {
						rc = FROMAUTH_E_NOMEM;
						break;
					}
					out->nall++;
				}
				if (out->count++ == 0) {
					out->first = malloc(rr->len + 1);
					if (!out->first) {
						rc = FROMAUTH_E_NOMEM;
						break;
					}
					memcpy(out->first, txt, rr->len);
					out->first[rr->len] = '\0';
					out->first_len = rr->len;
				}
			} else if (!out->lookalike &&
				   fa_dmarc_record_looks_like_dmarc(txt, rr->len)) {
				struct fa_dmarc_record tmp;
				if (fa_dmarc_record_parse(txt, rr->len > 200 ? 200 : rr->len, &tmp) == 0) {
					out->lookalike = xasprintf(
						"TXT record \"%s\" at %s is ignored: a DMARC record must start with v=DMARC1",
						tmp.text, name);
					if (!out->lookalike)
						rc = FROMAUTH_E_NOMEM;
				}
				/* Whole, so the check can offer its correction. */
				if (rc == 0 && rr->len <= 200 && strlen(txt) == rr->len &&
				    !(out->lookalike_raw = fa_strdup(txt)))
					rc = FROMAUTH_E_NOMEM;
				fa_dmarc_record_clear(&tmp);
			}
		}
	}
	fa_dns_answer_release(ans);
	if (rc)
		txt_set_clear(out);
	return rc;
}

/* The last @labels labels of @name (a pointer into it). */
static const char *suffix_labels(const char *name, size_t labels)
{
	size_t n = fa_domain_labels(name);
	const char *p = name;
	while (n > labels) {
		const char *dot = strchr(p, '.');
		if (!dot)
			break;
		p = dot + 1;
		n--;
	}
	return p;
}

/*
 * RFC 9989 section 4.10 DNS tree walk from @start (normalized), and the
 * organizational domain selection of section 4.10.2.  @keep: also keep
 * the names queried and lookalike records (for reporting).
 */
/* Long names jump to seven labels, then one label at a time. */
static const char *walk_next(const char *target)
{
	size_t x = fa_domain_labels(target);
	return x <= 1 ? NULL : suffix_labels(target, x > WALK_LABELS ? WALK_LABELS : x - 1);
}

size_t fa_dmarc_first_qnames(const char *domain, char **names, size_t max)
{
	char *d = fa_domain_normalize(domain);
	size_t n = 0;
	for (const char *t = d; t && n < max && n < WALK_MAX; t = walk_next(t))
		if (!(names[n++] = xasprintf("_dmarc.%s", t)))
			break;
	free(d);
	if (n && !names[n - 1]) {
		while (n)
			free(names[--n]);
	}
	return n;
}

static int tree_walk(struct fa_dns_req *req, const char *start,
		     struct walk *w, int keep)
{
	int rc = 0;
	memset(w, 0, sizeof(*w));
	w->psd_index = SIZE_MAX;
	w->start = fa_strdup(start);
	if (!w->start)
		return FROMAUTH_E_NOMEM;

	const char *target = start;
	for (size_t step = 0; step < WALK_MAX; step++) {
		char *qname = fa_concat("_dmarc.", target, NULL);
		if (!qname)
			return FROMAUTH_E_NOMEM;
		struct txt_set set;
		rc = fetch_dmarc_txt(req, qname, &set);
		if (rc) {
			free(qname);
			return rc;
		}
		if (keep) {
			w->queried[w->nqueried] = qname;
			w->counts[w->nqueried++] = set.count;
			if (set.lookalike && set.count == 0) {
				w->lookalike_at[w->nlookalike] = qname + strlen("_dmarc.");
				w->lookalike_raw[w->nlookalike] = set.lookalike_raw;
				w->lookalike[w->nlookalike++] = set.lookalike;
				set.lookalike = set.lookalike_raw = NULL;
			}
			if (set.count > 1 && !w->dup_at && set.nall == set.count) {
				w->dup_at = qname + strlen("_dmarc.");
				memcpy(w->dup, set.all, set.nall * sizeof(*set.all));
				w->ndup = set.nall;
				set.nall = 0;
			}
		} else {
			free(qname);
		}
		if (set.temp) {
			w->temp = 1;
			if (step == 0)
				w->start_temp = 1;
		}
		int stop = 0;
		/* Several records at one name are all discarded. */
		if (set.count == 1) {
			struct found *more = realloc(w->found, (w->nfound + 1) * sizeof(*more));
			if (!more) {
				txt_set_clear(&set);
				return FROMAUTH_E_NOMEM;
			}
			w->found = more;
			struct found *f = &w->found[w->nfound];
			memset(f, 0, sizeof(*f));
			f->domain = fa_strdup(target);
			if (!f->domain) {
				txt_set_clear(&set);
				return FROMAUTH_E_NOMEM;
			}
			w->nfound++;
			rc = record_get(fa_dns_memo(req->dns), set.first, set.first_len, target,
					keep, &f->rec, &f->ref);
			if (rc) {
				txt_set_clear(&set);
				return rc;
			}
			if (f->rec.psd == 'y' || f->rec.psd == 'n')
				stop = 1;
		}
		txt_set_clear(&set);
		if (stop || !(target = walk_next(target)))
			break;
	}

	/* Organizational domain: from the longest name to the shortest. */
	const char *org = NULL;
	for (size_t i = 0; i < w->nfound && !org; i++) {
		const struct found *f = &w->found[i];
		if (f->rec.psd == 'n') {
			org = f->domain;
		} else if (f->rec.psd == 'y' && strcmp(f->domain, start) != 0) {
			w->psd_index = i;
			org = suffix_labels(start, fa_domain_labels(f->domain) + 1);
		}
	}
	if (!org)
		org = w->nfound ? w->found[w->nfound - 1].domain : start;
	w->org = fa_strdup(org);
	return w->org ? 0 : FROMAUTH_E_NOMEM;
}

/* Organizational domain of @domain by a tree walk; NULL with *temp set
 * when the DNS failed temporarily. */
static int org_domain_of(struct fa_dns_req *req, const char *domain,
			 char **org, int *temp)
{
	struct walk w;
	*org = NULL;
	*temp = 0;
	int rc = tree_walk(req, domain, &w, 0);
	if (!rc) {
		if (w.temp) {
			*temp = 1;
		} else {
			*org = w.org;
			w.org = NULL;
		}
	}
	walk_clear(&w);
	return rc;
}

/* ---- evaluation ------------------------------------------------------- */

static int lower_policy(int policy)
{
	switch (policy) {
	case FROMAUTH_DMARC_POLICY_REJECT:
		return FROMAUTH_DMARC_POLICY_QUARANTINE;
	case FROMAUTH_DMARC_POLICY_QUARANTINE:
		return FROMAUTH_DMARC_POLICY_NONE;
	}
	return policy;
}

/* RFC 9989 policy discovery (section 4.10.1) on the walk from D. */
static int discover_9989(struct fa_dns_req *req, struct fromauth_dmarc *d)
{
	struct walk *w = &d->walk;
	int rc = tree_walk(req, d->domain, w, 1);
	if (rc)
		return rc;
	d->org_temperror = w->temp;

	if (w->nfound > 0 && strcmp(w->found[0].domain, d->domain) == 0) {
		d->applied = &w->found[0];
	} else {
		for (size_t i = 0; i < w->nfound; i++)
			if (strcmp(w->found[i].domain, w->org) == 0)
				d->applied = &w->found[i];
		if (!d->applied && w->psd_index != SIZE_MAX)
			d->applied = &w->found[w->psd_index];
	}
	int at_d = d->applied && strcmp(d->applied->domain, d->domain) == 0;
	/* Without a record at D, a failed parent query could hide the one
	 * that applies. */
	if (w->start_temp || (w->temp && !at_d))
		d->temperror = 1;

	/* How many records: at D, else a name where several were discarded. */
	d->record_count = d->applied ? 1 : 0;
	for (size_t i = 0; i < w->nqueried; i++) {
		if (i == 0 && w->counts[0] > 0) {
			d->record_count = w->counts[0];
			if (w->counts[0] > 1)
				d->multiple_domain = w->queried[0] + strlen("_dmarc.");
			break;
		}
		if (w->counts[i] > 1) {
			d->record_count = w->counts[i];
			d->multiple_domain = w->queried[i] + strlen("_dmarc.");
			break;
		}
	}

	/* Broken records matter where a record would have applied: at D
	 * and at the organizational domain. */
	for (size_t i = 0; i < w->nlookalike; i++) {
		if (strcmp(w->lookalike_at[i], d->domain) != 0 &&
		    strcmp(w->lookalike_at[i], w->org) != 0)
			continue;
		rc = add_problem(d, fa_strdup(w->lookalike[i]));
		if (rc)
			return rc;
		if (!d->lookalike_at) {
			d->lookalike = w->lookalike_raw[i];
			d->lookalike_at = w->lookalike_at[i];
		}
	}
	if (!d->applied)
		return 0;

	const struct fa_dmarc_record *rec = &d->applied->rec;
	for (size_t i = 0; i < rec->problem_count; i++) {
		rc = add_problem(d, fa_strdup(rec->problems[i]));
		if (rc)
			return rc;
	}
	if (rec->problems_dropped) {
		rc = add_problem(d, fa_strdup("the record has more problems than are listed here"));
		if (rc)
			return rc;
	}
	if (!fa_dmarc_record_policies(rec, &d->p, &d->sp, &d->np)) {
		rc = add_problem(d, fa_strdup(
			"the record has no valid p= (or an invalid sp=/np=) and no valid rua= address, so receivers apply no DMARC policy"));
		d->policy = d->effective = FROMAUTH_DMARC_POLICY_ABSENT;
		return rc;
	}
	if (rec->p_bad || rec->sp_bad || rec->np_bad) {
		rc = add_problem(d, fa_strdup(
			"because of an invalid policy tag, receivers treat the record as p=none (it has a valid rua=)"));
		if (rc)
			return rc;
	}

	if (at_d) {
		d->policy = d->p;
		d->policy_tag = "p";
	} else {
		/* Could not tell (-1) counts as existing: sp=, not np=. */
		rc = fa_dns_name_nonexistent(req, d->domain, &d->nonexistent);
		if (rc)
			return rc;
		d->nonexistent = d->nonexistent == 1;
		if (d->nonexistent) {
			d->policy = d->np;
			d->policy_tag = rec->np ? "np" : rec->sp ? "sp" : "p";
		} else {
			d->policy = d->sp;
			d->policy_tag = rec->sp ? "sp" : "p";
		}
	}
	d->effective = rec->t == 'y' ? lower_policy(d->policy) : d->policy;
	return 0;
}

/* RFC 7489 section 6.6.3: D, else the PSL organizational domain. */
static int discover_7489(struct fa_dns_req *req, struct fromauth_dmarc *d)
{
	struct txt_set set;
	char *qname = fa_concat("_dmarc.", d->domain, NULL);
	if (!qname)
		return FROMAUTH_E_NOMEM;
	int rc = fetch_dmarc_txt(req, qname, &set);
	free(qname);
	if (rc)
		return rc;
	d->psl_org = psl_org_domain(fa_dns_psl(req->dns), d->domain);
	d->have_psl = fa_dns_psl(req->dns) || psl;     /* read after psl_ensure() */
	if (!d->psl_org) {
		txt_set_clear(&set);
		return FROMAUTH_E_NOMEM;
	}
	const char *at = d->domain;
	if (!set.temp && set.count == 0 && strcmp(d->psl_org, d->domain) != 0) {
		txt_set_clear(&set);
		at = d->psl_org;
		qname = fa_concat("_dmarc.", at, NULL);
		if (!qname)
			return FROMAUTH_E_NOMEM;
		rc = fetch_dmarc_txt(req, qname, &set);
		free(qname);
		if (rc)
			return rc;
	}
	d->psl_temperror = set.temp;
	d->psl_policy = FROMAUTH_DMARC_POLICY_ABSENT;
	/* Several records, or none: no DMARC processing. */
	if (set.count == 1) {
		struct fa_dmarc_record rec;
		void *ref;
		rc = record_get(fa_dns_memo(req->dns), set.first, set.first_len, at, 0,
				&rec, &ref);
		if (rc) {
			txt_set_clear(&set);
			return rc;
		}
		int p, sp, np;
		d->psl_record_domain = fa_strdup(at);
		d->psl_record = fa_strdup(rec.text);
		if (fa_dmarc_record_policies(&rec, &p, &sp, &np))
			d->psl_policy = at == d->domain ? p : (rec.sp && !rec.sp_bad ? sp : p);
		record_release(&rec, ref);
		if (!d->psl_record_domain || !d->psl_record)
			rc = FROMAUTH_E_NOMEM;
	}
	txt_set_clear(&set);
	return rc;
}

static int compare_discoveries(struct fromauth_dmarc *d)
{
	/* Without the PSL, RFC 7489's organizational domain is a guess. */
	if (d->temperror || d->psl_temperror || !d->have_psl)
		return 0;
	/* No record for either generation: no receiver applies DMARC, and
	 * where a first record goes is the check's advice, not a dispute. */
	if (!d->applied && !d->psl_record_domain)
		return 0;
	const char *rd9 = d->applied ? d->applied->domain : NULL;
	const char *rd7 = d->psl_record_domain;
	char *msg = NULL;
	if ((rd9 == NULL) != (rd7 == NULL) || (rd9 && strcmp(rd9, rd7) != 0)) {
		msg = xasprintf("RFC 7489 receivers (Public Suffix List) use %s%s, RFC 9989 receivers (DNS tree walk) use %s%s",
				rd7 ? "the record at _dmarc." : "no record", rd7 ? rd7 : "",
				rd9 ? "the record at _dmarc." : "no record", rd9 ? rd9 : "");
	} else if (strcmp(d->psl_org, d->walk.org) != 0) {
		msg = xasprintf("the organizational domain is %s for RFC 7489 receivers (Public Suffix List) but %s for RFC 9989 receivers (DNS tree walk), so relaxed alignment differs",
				d->psl_org, d->walk.org);
	} else if (d->psl_policy != d->policy) {
		msg = xasprintf("RFC 7489 receivers apply policy %s, RFC 9989 receivers apply %s%s",
				fromauth_dmarc_policy_name(d->psl_policy),
				fromauth_dmarc_policy_name(d->policy),
				d->policy_tag && !strcmp(d->policy_tag, "np")
				? " (np=, for a domain that does not exist)" : "");
	} else {
		return 0;
	}
	if (!msg)
		return FROMAUTH_E_NOMEM;
	d->differs = msg;
	return 0;
}

static int add_unauthorized(struct fromauth_dmarc *d, const struct fa_dmarc_uri *u,
			    const char *name)
{
	if (d->nunauth >= UNAUTH_MAX)
		return 0;
	/* Allocated apart: inside, they made the result too big for the
	 * allocator's cache of small blocks, at every evaluation. */
	if (!d->unauth && !(d->unauth = calloc(UNAUTH_MAX, sizeof(*d->unauth))))
		return FROMAUTH_E_NOMEM;
	struct unauthorized *x = &d->unauth[d->nunauth];
	x->uri = fa_strdup(u->uri);
	x->host = fa_strdup(u->host);
	x->name = fa_strdup(name);
	if (!x->uri || !x->host || !x->name) {
		free(x->uri);
		free(x->host);
		free(x->name);
		memset(x, 0, sizeof(*x));
		return FROMAUTH_E_NOMEM;
	}
	d->nunauth++;
	return 0;
}

/*
 * External report destinations (RFC 7489 section 7.1, RFC 9990 section
 * 3.1): a destination whose organizational domain differs from the
 * policy domain's needs "<policy domain>._report._dmarc.<host>" TXT
 * starting with v=DMARC1.
 */
static int check_report_destinations(struct fa_dns_req *req, struct fromauth_dmarc *d)
{
	if (!d->applied)
		return 0;
	const char *pd = d->applied->domain;
	const struct fa_dmarc_record *rec = &d->applied->rec;
	char *pd_org = NULL;
	int temp = 0, rc = 0;
	if (strcmp(pd, d->domain) == 0 || strcmp(pd, d->walk.org) == 0) {
		pd_org = fa_strdup(d->walk.org);
		if (!pd_org)
			return FROMAUTH_E_NOMEM;
	} else {
		rc = org_domain_of(req, pd, &pd_org, &temp);
		if (rc || temp)
			return rc;
	}
	const char *checked[REPORT_HOSTS_MAX];
	size_t nchecked = 0;
	for (int list = 0; list < 2 && !rc; list++) {
		const struct fa_dmarc_uri *uris = list ? rec->ruf : rec->rua;
		size_t n = list ? rec->ruf_count : rec->rua_count;
		for (size_t i = 0; i < n && !rc; i++) {
			const struct fa_dmarc_uri *u = &uris[i];
			int seen = 0;
			for (size_t k = 0; k < nchecked; k++)
				if (!strcmp(checked[k], u->host))
					seen = 1;
			if (seen || nchecked >= REPORT_HOSTS_MAX)
				continue;
			checked[nchecked++] = u->host;
			if (strcmp(u->host, pd) == 0)
				continue;
			char *host_org = NULL;
			rc = org_domain_of(req, u->host, &host_org, &temp);
			if (rc)
				break;
			if (temp) {
				rc = add_problem(d, xasprintf(
					"could not check whether %s accepts reports for %s (DNS failure)",
					u->host, pd));
				continue;
			}
			int same = strcmp(host_org, pd_org) == 0;
			free(host_org);
			if (same)
				continue;
			char *name = fa_concat(pd, "._report._dmarc.", u->host);
			if (!name) {
				rc = FROMAUTH_E_NOMEM;
				break;
			}
			struct txt_set set;
			rc = fetch_dmarc_txt(req, name, &set);
			if (!rc && set.temp)
				rc = add_problem(d, xasprintf(
					"could not check whether %s accepts reports for %s (DNS failure at %s)",
					u->host, pd, name));
			else if (!rc && set.count == 0) {
				/* Every URI with this host is unauthorized. */
				for (int l2 = 0; l2 < 2 && !rc; l2++) {
					const struct fa_dmarc_uri *u2 = l2 ? rec->ruf : rec->rua;
					size_t n2 = l2 ? rec->ruf_count : rec->rua_count;
					for (size_t j = 0; j < n2 && !rc; j++)
						if (!strcmp(u2[j].host, u->host))
							rc = add_unauthorized(d, &u2[j], name);
				}
			}
			txt_set_clear(&set);
			free(name);
		}
	}
	free(pd_org);
	return rc;
}

static const char *psd_name(char psd)
{
	return psd == 'y' ? "y" : psd == 'n' ? "n" : "u";
}

int fa_dmarc_eval(struct fa_dns_req *req, const char *domain,
		  struct fromauth_dmarc **out, char *errbuf, size_t errlen)
{
	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no result pointer");
	*out = NULL;
	if (!req || !domain)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no domain");
	int rc = fa_domain_check(domain, errbuf, errlen);
	if (rc)
		return rc;
	/* Both libraries are set up before any walk, so that no result
	 * depends on what this process evaluated before.  Debian's list is
	 * not read (some 30 million instructions) when the context has its
	 * own: this check never looks at it then. */
	lib_ensure();
	if (!fa_dns_psl(req->dns))
		psl_ensure();
	struct fromauth_dmarc *d = calloc(1, sizeof(*d));
	if (!d)
		return fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "out of memory");
	d->domain = fa_domain_normalize(domain);
	if (!d->domain)
		rc = FROMAUTH_E_NOMEM;
	if (!rc)
		rc = discover_9989(req, d);
	if (!rc)
		rc = discover_7489(req, d);
	if (!rc)
		rc = compare_discoveries(d);
	if (!rc && !d->temperror)
		rc = check_report_destinations(req, d);
	if (rc) {
		fromauth_dmarc_free(d);
		if (rc == FROMAUTH_E_NOMEM)
			return fa_error(errbuf, errlen, rc, "out of memory");
		return fa_error(errbuf, errlen, rc, "DMARC lookup failed: %s",
				fromauth_strerror(rc));
	}
	*out = d;
	return 0;
}

/* ---- alignment -------------------------------------------------------- */

/* No DMARC record at any name of the walk (nor several at one). */
static int no_record_anywhere(const struct fromauth_dmarc *d)
{
	if (d->temperror || d->org_temperror || d->walk.nfound > 0)
		return 0;
	for (size_t i = 0; i < d->walk.nqueried; i++)
		if (d->walk.counts[i] > 0)
			return 0;
	return 1;
}

const char *fa_dmarc_alignment_org(const struct fromauth_dmarc *d)
{
	if (!d)
		return NULL;
	if (no_record_anywhere(d) && d->psl_org && *d->psl_org)
		return d->psl_org;
	return d->walk.org;
}

/* Relaxed alignment of @o once a record is published at @base (o within
 * base): the walk from @o then ends at base, unless a psd=n record below
 * base makes its own organizational domain. */
static int aligned_after_publishing(struct fa_dns_req *req, const char *o,
				    const char *base, int *aligned)
{
	struct walk w;
	int rc = tree_walk(req, o, &w, 0);
	if (!rc) {
		const char *org = base;
		for (size_t i = 0; i < w.nfound; i++) {
			if (w.found[i].rec.psd == 'n' &&
			    strlen(w.found[i].domain) > strlen(base)) {
				org = w.found[i].domain;
				break;
			}
		}
		*aligned = w.temp ? -1 : strcmp(org, base) == 0;
	}
	walk_clear(&w);
	return rc;
}

int fa_dmarc_aligned(struct fa_dns_req *req, const struct fromauth_dmarc *d,
		     const char *other, int strict, int *aligned)
{
	if (!aligned)
		return FROMAUTH_E_INVAL;
	*aligned = 0;
	if (!req || !d || !other)
		return FROMAUTH_E_INVAL;
	int rc = fa_domain_check(other, NULL, 0);
	if (rc)
		return rc;
	char *o = fa_domain_normalize(other);
	if (!o)
		return FROMAUTH_E_NOMEM;
	/* Strict: the same name.  Relaxed: the same organizational domain,
	 * both found by the tree walk (never the PSL's guess, so d=co.uk
	 * does not align with example.co.uk). */
	if (strcmp(o, d->domain) == 0) {
		*aligned = 1;
	} else if (!strict) {
		char *oo = NULL;
		int temp = 0;
		const char *base = fa_dmarc_alignment_org(d);
		if (d->org_temperror) {
			*aligned = -1;
		} else if (base != d->walk.org) {
			/* No DMARC yet: as it will be with the first record. */
			if (fa_domain_is_within(o, base))
				rc = aligned_after_publishing(req, o, base, aligned);
		} else if ((rc = org_domain_of(req, o, &oo, &temp)) == 0) {
			*aligned = temp ? -1 : strcmp(oo, d->walk.org) == 0;
			free(oo);
		}
	}
	free(o);
	return rc;
}

/* ---- getters ---------------------------------------------------------- */

int fa_dmarc_temperror(const struct fromauth_dmarc *d)
{
	return d ? d->temperror : 0;
}

size_t fa_dmarc_record_count(const struct fromauth_dmarc *d)
{
	return d ? d->record_count : 0;
}

size_t fa_dmarc_duplicate_count(const struct fromauth_dmarc *d)
{
	return d && d->multiple_domain && d->walk.dup_at &&
	       !strcmp(d->multiple_domain, d->walk.dup_at) ? d->walk.ndup : 0;
}

const char *fa_dmarc_duplicate(const struct fromauth_dmarc *d, size_t i)
{
	return i < fa_dmarc_duplicate_count(d) ? d->walk.dup[i] : NULL;
}

const char *fa_dmarc_multiple_domain(const struct fromauth_dmarc *d)
{
	return d ? d->multiple_domain : NULL;
}

const char *fa_dmarc_lookalike(const struct fromauth_dmarc *d, const char **at)
{
	*at = d && d->lookalike ? d->lookalike_at : NULL;
	return *at ? d->lookalike : NULL;
}

size_t fa_dmarc_problem_count(const struct fromauth_dmarc *d)
{
	return d ? d->nproblems : 0;
}

const char *fa_dmarc_problem(const struct fromauth_dmarc *d, size_t i)
{
	return d && i < d->nproblems ? d->problems[i] : NULL;
}

int fa_dmarc_testing(const struct fromauth_dmarc *d)
{
	return d && d->applied && d->applied->rec.t == 'y';
}

int fa_dmarc_pct(const struct fromauth_dmarc *d)
{
	return d && d->applied ? d->applied->rec.pct : -1;
}

char fa_dmarc_adkim(const struct fromauth_dmarc *d)
{
	return d && d->applied ? d->applied->rec.adkim : 'r';
}

char fa_dmarc_aspf(const struct fromauth_dmarc *d)
{
	return d && d->applied ? d->applied->rec.aspf : 'r';
}

const char *fa_dmarc_discovery_differs(const struct fromauth_dmarc *d)
{
	return d ? d->differs : NULL;
}

size_t fa_dmarc_unauthorized_count(const struct fromauth_dmarc *d)
{
	return d ? d->nunauth : 0;
}

const char *fa_dmarc_unauthorized(const struct fromauth_dmarc *d, size_t i)
{
	return d && i < d->nunauth ? d->unauth[i].uri : NULL;
}

const char *fa_dmarc_unauthorized_host(const struct fromauth_dmarc *d, size_t i)
{
	return d && i < d->nunauth ? d->unauth[i].host : NULL;
}

const char *fa_dmarc_authorization_name(const struct fromauth_dmarc *d, size_t i)
{
	return d && i < d->nunauth ? d->unauth[i].name : NULL;
}

int fa_dmarc_nonexistent(const struct fromauth_dmarc *d)
{
	return d ? d->nonexistent : 0;
}

const char *fa_dmarc_policy_tag(const struct fromauth_dmarc *d)
{
	return d ? d->policy_tag : NULL;
}

int fa_dmarc_tag_policy(const struct fromauth_dmarc *d, const char *tag)
{
	if (!d || !d->applied || !tag)
		return FROMAUTH_DMARC_POLICY_ABSENT;
	const struct fa_dmarc_record *rec = &d->applied->rec;
	if (!strcmp(tag, "p"))
		return d->p;
	if (!strcmp(tag, "sp"))
		return rec->sp;
	if (!strcmp(tag, "np"))
		return rec->np;
	return FROMAUTH_DMARC_POLICY_ABSENT;
}

char fa_dmarc_psd(const struct fromauth_dmarc *d)
{
	return d && d->applied ? d->applied->rec.psd : 'u';
}

const char *fa_dmarc_psl_org_domain(const struct fromauth_dmarc *d)
{
	return d ? d->psl_org : NULL;
}

int fa_dmarc_psl_used(const struct fromauth_dmarc *d)
{
	return d ? d->have_psl : 0;
}

char *const *fa_dmarc_json_slot(const struct fromauth_dmarc *d)
{
	return &d->json;
}

int fa_dmarc_psl_load(const char *path, void **out, char *errbuf, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f)
		return fa_error(errbuf, errlen, FROMAUTH_E_IO, "%s: %s", path, strerror(errno));
	fclose(f);
	psl_ctx_t *p = psl_load_file(path);
	if (!p)
		return fa_error(errbuf, errlen, FROMAUTH_E_IO,
				"%s: not a Public Suffix List libpsl can read", path);
	*out = p;
	return FROMAUTH_OK;
}

void fa_dmarc_psl_free(void *list)
{
	psl_free(list);
}

/* ---- public API ------------------------------------------------------- */

FROMAUTH_EXPORT const char *fromauth_dmarc_policy_name(int policy)
{
	switch (policy) {
	case FROMAUTH_DMARC_POLICY_NONE: return "none";
	case FROMAUTH_DMARC_POLICY_QUARANTINE: return "quarantine";
	case FROMAUTH_DMARC_POLICY_REJECT: return "reject";
	case FROMAUTH_DMARC_POLICY_ABSENT: return "absent";
	}
	return "unknown";
}

FROMAUTH_EXPORT int fromauth_dmarc_check(struct fromauth_ctx *ctx, const char *domain,
					 struct fromauth_dmarc **out,
					 char *errbuf, size_t errlen)
{
	if (out)
		*out = NULL;
	if (!ctx || !domain || !out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "missing argument");
	/* U-labels as typed: the same conversion the address parser uses. */
	char *alabel = NULL;
	int rc = fa_domain_to_alabel(domain, &alabel, errbuf, errlen);
	if (rc)
		return rc == FROMAUTH_E_NOMEM ? fa_error(errbuf, errlen, rc, "out of memory") : rc;
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	rc = fa_dmarc_eval(&req, alabel, out, errbuf, errlen);
	free(alabel);
	return rc;
}

/* Here rather than in ctx.c: the list is libpsl's, read by DMARC alone,
 * and ctx.c then needs nothing of this file. */
FROMAUTH_EXPORT int fromauth_ctx_set_psl(struct fromauth_ctx *ctx, const char *path,
					 char *errbuf, size_t errlen)
{
	if (!ctx)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no context");
	void *list = NULL;
	if (path) {
		int rc = fa_dmarc_psl_load(path, &list, errbuf, errlen);
		if (rc)
			return rc;
	}
	fa_dmarc_psl_free(ctx->psl);
	ctx->psl = list;
	ctx->psl_free = fa_dmarc_psl_free;
	fa_dns_set_psl(ctx->dns, list);
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT void fromauth_dmarc_free(struct fromauth_dmarc *d)
{
	if (!d)
		return;
	free(d->domain);
	walk_clear(&d->walk);
	free(d->psl_org);
	free(d->psl_record_domain);
	free(d->psl_record);
	free(d->differs);
	for (size_t i = 0; i < d->nproblems; i++)
		free(d->problems[i]);
	free(d->problems);
	for (size_t i = 0; i < d->nunauth; i++) {
		free(d->unauth[i].uri);
		free(d->unauth[i].host);
		free(d->unauth[i].name);
	}
	free(d->unauth);
	free(d->json);
	free(d);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_record_domain(const struct fromauth_dmarc *d)
{
	if (!d)
		return NULL;
	return d->applied ? d->applied->domain : "";
}

FROMAUTH_EXPORT const char *fromauth_dmarc_record(const struct fromauth_dmarc *d)
{
	if (!d)
		return NULL;
	return d->applied ? d->applied->rec.text : "";
}

FROMAUTH_EXPORT const char *fromauth_dmarc_org_domain(const struct fromauth_dmarc *d)
{
	return d ? d->walk.org : NULL;
}

FROMAUTH_EXPORT int fromauth_dmarc_policy(const struct fromauth_dmarc *d)
{
	return d ? d->policy : FROMAUTH_DMARC_POLICY_ABSENT;
}

FROMAUTH_EXPORT int fromauth_dmarc_effective_policy(const struct fromauth_dmarc *d)
{
	return d ? d->effective : FROMAUTH_DMARC_POLICY_ABSENT;
}

/* ---- public getters of 1.1: the facts of the JSON ------------------------ */

static const struct fa_dmarc_record *applied_rec(const struct fromauth_dmarc *d)
{
	return d && d->applied ? &d->applied->rec : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_domain(const struct fromauth_dmarc *d)
{
	return d ? d->domain : NULL;
}

FROMAUTH_EXPORT int fromauth_dmarc_p(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? rec->p : FROMAUTH_DMARC_POLICY_ABSENT;
}

FROMAUTH_EXPORT int fromauth_dmarc_sp(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? rec->sp : FROMAUTH_DMARC_POLICY_ABSENT;
}

FROMAUTH_EXPORT int fromauth_dmarc_np(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? rec->np : FROMAUTH_DMARC_POLICY_ABSENT;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_policy_tag(const struct fromauth_dmarc *d)
{
	return d ? d->policy_tag : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_adkim(const struct fromauth_dmarc *d)
{
	if (!d)
		return NULL;
	return fa_dmarc_adkim(d) == 's' ? "s" : "r";
}

FROMAUTH_EXPORT const char *fromauth_dmarc_aspf(const struct fromauth_dmarc *d)
{
	if (!d)
		return NULL;
	return fa_dmarc_aspf(d) == 's' ? "s" : "r";
}

FROMAUTH_EXPORT int fromauth_dmarc_pct(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec && rec->pct >= 0 ? rec->pct : -1;
}

FROMAUTH_EXPORT int fromauth_dmarc_testing(const struct fromauth_dmarc *d)
{
	return fa_dmarc_testing(d);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_psd(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? psd_name(rec->psd) : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_fo(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? rec->fo : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_rf(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? rec->rf : NULL;
}

FROMAUTH_EXPORT long long fromauth_dmarc_ri(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec && rec->ri >= 0 ? rec->ri : -1;
}

FROMAUTH_EXPORT int fromauth_dmarc_nonexistent(const struct fromauth_dmarc *d)
{
	return fa_dmarc_nonexistent(d);
}

FROMAUTH_EXPORT int fromauth_dmarc_temperror(const struct fromauth_dmarc *d)
{
	return fa_dmarc_temperror(d);
}

FROMAUTH_EXPORT size_t fromauth_dmarc_record_count(const struct fromauth_dmarc *d)
{
	return fa_dmarc_record_count(d);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_multiple_domain(const struct fromauth_dmarc *d)
{
	return fa_dmarc_multiple_domain(d);
}

FROMAUTH_EXPORT size_t fromauth_dmarc_rua_count(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? rec->rua_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_rua(const struct fromauth_dmarc *d, size_t i)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec && i < rec->rua_count ? rec->rua[i].uri : NULL;
}

FROMAUTH_EXPORT size_t fromauth_dmarc_ruf_count(const struct fromauth_dmarc *d)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec ? rec->ruf_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_ruf(const struct fromauth_dmarc *d, size_t i)
{
	const struct fa_dmarc_record *rec = applied_rec(d);
	return rec && i < rec->ruf_count ? rec->ruf[i].uri : NULL;
}

FROMAUTH_EXPORT size_t fromauth_dmarc_problem_count(const struct fromauth_dmarc *d)
{
	return fa_dmarc_problem_count(d);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_problem(const struct fromauth_dmarc *d, size_t i)
{
	return fa_dmarc_problem(d, i);
}

FROMAUTH_EXPORT size_t fromauth_dmarc_unauthorized_count(const struct fromauth_dmarc *d)
{
	return fa_dmarc_unauthorized_count(d);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_unauthorized(const struct fromauth_dmarc *d, size_t i)
{
	return fa_dmarc_unauthorized(d, i);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_unauthorized_host(const struct fromauth_dmarc *d,
							     size_t i)
{
	return fa_dmarc_unauthorized_host(d, i);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_unauthorized_record(const struct fromauth_dmarc *d,
							       size_t i)
{
	return fa_dmarc_authorization_name(d, i);
}

FROMAUTH_EXPORT size_t fromauth_dmarc_tree_walk_count(const struct fromauth_dmarc *d)
{
	return d ? d->walk.nqueried : 0;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_tree_walk(const struct fromauth_dmarc *d, size_t i)
{
	return d && i < d->walk.nqueried ? d->walk.queried[i] : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_discovery_differs(const struct fromauth_dmarc *d)
{
	return fa_dmarc_discovery_differs(d);
}

FROMAUTH_EXPORT const char *fromauth_dmarc_rfc7489_org_domain(const struct fromauth_dmarc *d)
{
	return d ? d->psl_org : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_rfc7489_record_domain(const struct fromauth_dmarc *d)
{
	return d ? d->psl_record_domain : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dmarc_rfc7489_record(const struct fromauth_dmarc *d)
{
	return d ? d->psl_record : NULL;
}

FROMAUTH_EXPORT int fromauth_dmarc_rfc7489_policy(const struct fromauth_dmarc *d)
{
	return d ? d->psl_policy : FROMAUTH_DMARC_POLICY_ABSENT;
}

FROMAUTH_EXPORT int fromauth_dmarc_rfc7489_temperror(const struct fromauth_dmarc *d)
{
	return d ? d->psl_temperror : 0;
}
