/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DKIM key of one identity (SPEC section 3 step 5): libopendkim's
 * dkim_test_key() fetches and checks the record through DNS hooks fed by
 * our DNS layer (overlays, cache, timeouts and accounting apply); we then
 * decode the key ourselves (lib/dkim-key.c), since libopendkim never
 * looks at its size or validity, and compare with the service's target.
 *
 * This is the only file that includes OpenDKIM's header.
 */
#include <ctype.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/time.h>

#include <opendkim/dkim.h>

#include "address.h"
#include "ctx.h"
#include "dkim.h"
#include "memo.h"
#include "message.h"

struct fromauth_dkim {
	char *selector;
	char *domain;
	char *qname;
	char *expected_target;
	int status;             /* enum fromauth_dkim_status */
	char *reason;
	const char *key_type;   /* static: "rsa", "ed25519", "" */
	unsigned int key_bits;
	int testing;
	int key_short;
	int target_ok;
	int target_key_equal;
	char *record;           /* printable copy of the TXT record */
	size_t cname_count;
	char **cnames;
	char *json;             /* lib/json.c builds it on first use */
};

FROMAUTH_EXPORT const char *fromauth_dkim_status_name(int status)
{
	switch (status) {
	case FROMAUTH_DKIM_VALID: return "valid";
	case FROMAUTH_DKIM_MISSING: return "missing";
	case FROMAUTH_DKIM_INVALID: return "invalid";
	case FROMAUTH_DKIM_REVOKED: return "revoked";
	case FROMAUTH_DKIM_WEAK: return "weak";
	case FROMAUTH_DKIM_MISMATCH: return "mismatch";
	case FROMAUTH_DKIM_TEMPERROR: return "temperror";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* libopendkim's DNS hooks, answered synchronously from our layer.     */

/*
 * One DKIM_LIB for the process, made once, its options never changed
 * after: libopendkim lets many threads share it.  Its DNS hooks get the
 * library's single query-service handle, so the call they serve is found
 * through a thread-local pointer; dkim_test_key() runs the hooks on the
 * calling thread.  (A DKIM_LIB per call costs only 0.6 us, but
 * dkim_init()/dkim_close() race on libopendkim's OpenSSL reference count,
 * which helgrind reports.)
 */
struct dkim_call {
	struct fa_dns_req *req;
	struct fa_dns_answer *ans;      /* of the key query */
	int query_error;                /* negative fromauth_error, or 0 */
	int too_big;                    /* the answer did not fit libopendkim's buffer */
	int dns_failed;                 /* temporary failure: DKIM_DNS_ERROR */
	int served;                     /* the one question was answered */
	size_t wire_len;
};

static _Thread_local struct dkim_call *current_call;

static int hook_start(void *service, int type, unsigned char *query,
		      unsigned char *buf, size_t buflen, void **qh)
{
	struct dkim_call *call = current_call;

	*qh = call;
	if (!call || type != FA_RR_TXT || call->served)
		return -1;      /* libopendkim asks exactly one TXT question */
	call->served = 1;
	int rc = 0;
	if (!call->ans)         /* else fetched beforehand, for the memo */
		rc = fa_dns_query(call->req, (const char *)query, FA_RR_TXT, &call->ans, NULL);
	if (rc < 0) {
		call->query_error = rc;
		call->ans = NULL;
		return -1;
	}
	if (fa_dns_status_is_temporary(call->ans->status)) {
		/* A SERVFAIL packet would read as "no key": say error. */
		call->dns_failed = 1;
		return 0;
	}
	rc = fa_dns_answer_to_wire(call->ans, 0, buf, buflen, &call->wire_len);
	if (rc == FROMAUTH_E_RANGE) {
		call->too_big = 1;
		call->dns_failed = 1;
	} else if (rc != 0) {
		call->query_error = rc;
		return -1;
	}
	return 0;
}

static int hook_waitreply(void *service, void *qh, struct timeval *timeout,
			  size_t *bytes, int *error, int *dnssec)
{
	struct dkim_call *call = qh;

	if (dnssec)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	if (!call || call->dns_failed || !call->ans) {
		if (error)
			*error = 0;
		return DKIM_DNS_ERROR;
	}
	*bytes = call->wire_len;
	return DKIM_DNS_SUCCESS;
}

static int hook_cancel(void *service, void *qh)
{
	return 0;
}

static DKIM_LIB *shared_lib;
static pthread_mutex_t shared_lib_lock = PTHREAD_MUTEX_INITIALIZER;

/* Under shared_lib_lock.  A mutex rather than pthread_once: the cost is
 * nothing next to a DNS lookup, and helgrind sees the ordering (it does
 * not model pthread_once and reported every later read of the library). */
static void shared_lib_init(void)
{
	/* Any non-NULL service handle: libopendkim then never starts its
	 * own resolver.  Nothing of ours is to be closed. */
	static char service;
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	if (!lib)
		return;
	dkim_dns_set_query_service(lib, &service);
	dkim_dns_set_query_start(lib, hook_start);
	dkim_dns_set_query_waitreply(lib, hook_waitreply);
	dkim_dns_set_query_cancel(lib, hook_cancel);
	dkim_dns_set_init(lib, NULL);
	dkim_dns_set_close(lib, NULL);
	shared_lib = lib;
}

/* Run dkim_test_key() for the key of @selector and @domain.  Returns its
 * result (0 key found, -1 error with @err set), or -1 with a negative
 * fromauth_error in *fatal. */
static int opendkim_test(struct dkim_call *call, const char *selector,
			 const char *domain, char *err, size_t errlen, int *fatal)
{
	pthread_mutex_lock(&shared_lib_lock);
	if (!shared_lib)
		shared_lib_init();
	DKIM_LIB *lib = shared_lib;
	pthread_mutex_unlock(&shared_lib_lock);
	if (!lib) {
		*fatal = FROMAUTH_E_NOMEM;
		return -1;
	}
	int dnssec = DKIM_DNSSEC_UNKNOWN;
	err[0] = '\0';
	current_call = call;
	int rc = dkim_test_key(lib, (char *)selector, (char *)domain, NULL, 0,
			       &dnssec, err, errlen);
	current_call = NULL;
	return rc;
}

/*
 * libopendkim's verdict depends only on the answer its hook serves.  A key
 * record that passed is kept per context by its wire form, so customers
 * delegating to the same service key run dkim_test_key() once between
 * them; several records or a failure (whose messages may name the query)
 * run it every time, and no record or a DNS failure not at all.
 */
struct odkim_pass {
	int rc;
};

static int opendkim_test_memo(struct dkim_call *call, const char *qname,
			      const char *selector, const char *domain,
			      char *err, size_t errlen, int *fatal)
{
	struct fa_memo *memo = fa_dns_memo(call->req->dns);
	int rc = fa_dns_query(call->req, qname, FA_RR_TXT, &call->ans, NULL);
	if (rc < 0) {
		call->query_error = rc;
		call->ans = NULL;
		return -1;
	}
	const struct fa_dns_answer *a = call->ans;
	/* No record, or a failure: classify() says so before it reads
	 * libopendkim's verdict, so that verdict is not asked for. */
	if (a->status != FA_DNS_OK || a->count == 0) {
		if (err && errlen)
			err[0] = '\0';
		return -1;
	}
	if (!memo || a->count != 1 || !a->rrs[0].wire)
		return opendkim_test(call, selector, domain, err, errlen, fatal);
	struct odkim_pass v;
	if (fa_memo_get(memo, FA_MEMO_OPENDKIM_PASS, a->rrs[0].wire, a->rrs[0].wire_len, &v,
			sizeof(v))) {
		if (err && errlen)
			err[0] = '\0';
		return v.rc;
	}
	int odkim_rc = opendkim_test(call, selector, domain, err, errlen, fatal);
	if (odkim_rc == 0 && !*fatal && !call->query_error && !call->dns_failed) {
		v.rc = 0;
		fa_memo_put(memo, FA_MEMO_OPENDKIM_PASS, a->rrs[0].wire, a->rrs[0].wire_len, &v,
			    sizeof(v));
	} else {
		fa_memo_abandon(memo, FA_MEMO_OPENDKIM_PASS, a->rrs[0].wire, a->rrs[0].wire_len);
	}
	return odkim_rc;
}

/* ------------------------------------------------------------------ */

/* A printable copy of record bytes, bounded, in master-file form. */
static char *printable(const unsigned char *data, size_t len)
{
	if (len > FA_DKIM_RECORD_MAX * 2)
		len = FA_DKIM_RECORD_MAX * 2;
	return fa_escape_dup(data, len);
}

/*
 * A key record as parsed by us and shown, kept per context by its text
 * (SPEC section 9): customers delegating to a service share its record.
 * Read-only once made; the key's decode verdict has its own memo
 * (fa_dkim_key_check_memo()), keyed by the key alone.
 */
struct shared_key {
	int rc;                 /* fa_dkim_keyrec_parse()'s: 0 or E_RECORD */
	char why[512];          /* its reason when rc != 0 */
	struct fa_dkim_keyrec rec;      /* when rc == 0 */
	char *text;             /* printable() */
};

static void shared_key_dtor(void *val)
{
	struct shared_key *k = val;
	fa_dkim_keyrec_clear(&k->rec);
	free(k->text);
}

/* The parse of one TXT record: a reference to release with
 * fa_memo_shared_release(), or NULL when out of memory.  Without a memo
 * the reference is the caller's alone. */
static struct shared_key *key_get(struct fa_memo *memo, const unsigned char *data, size_t len)
{
	struct shared_key *k = fa_memo_get_shared(memo, FA_MEMO_DKIM_RECORD, data, len);
	if (k)
		return k;
	k = fa_memo_shared_new(sizeof(*k), shared_key_dtor);
	if (k) {
		k->rc = fa_dkim_keyrec_parse(data, len, &k->rec, k->why, sizeof(k->why));
		k->text = printable(data, len);
	}
	if (!k || k->rc == FROMAUTH_E_NOMEM || !k->text) {
		fa_memo_abandon(memo, FA_MEMO_DKIM_RECORD, data, len);
		fa_memo_shared_release(k);
		return NULL;
	}
	fa_memo_put_shared(memo, FA_MEMO_DKIM_RECORD, data, len, k,
			   sizeof(*k) + k->rec.key_len + strlen(k->text) + 2 * 16);
	return k;
}

static int set_reason(struct fromauth_dkim *dkim, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_reason(struct fromauth_dkim *dkim, int status, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(dkim->reason);
	dkim->status = status;
	dkim->reason = strdup(buf);
	return dkim->reason ? 0 : FROMAUTH_E_NOMEM;
}

/* Domain input through the library's one IDN entry point, so DKIM maps
 * names as the other checks do. */
static int domain_input(const char *in, const char *what, char **out,
			char *errbuf, size_t errlen)
{
	char inner[384];
	int rc = fa_domain_to_alabel(in, out, inner, sizeof(inner));
	if (rc == FROMAUTH_E_DOMAIN)
		fa_error(errbuf, errlen, rc, "%s %s", what, inner);
	return rc;
}

static const char *key_type_name(int type)
{
	switch (type) {
	case FA_DKIM_KEY_RSA: return "rsa";
	case FA_DKIM_KEY_ED25519: return "ed25519";
	}
	return "";
}

static const char *temp_name(int status)
{
	return status == FA_DNS_TIMEOUT ? "timed out" : "failed (server failure)";
}

/*
 * The key at the expected target, for "is the TXT the same key?".
 * Returns 1 equal, 0 different or none, -1 temporary failure, or a
 * negative fromauth_error below -1.
 */
static int target_key_equal(struct fa_dns_req *req, const char *target,
			    const struct fa_dkim_keyrec *own)
{
	struct fa_dns_answer *ans = NULL;
	int rc = fa_dns_query(req, target, FA_RR_TXT, &ans, NULL);
	if (rc < 0)
		return rc < -1 ? rc : FROMAUTH_E_INTERNAL;
	int result = 0;
	if (fa_dns_status_is_temporary(ans->status)) {
		result = -1;
	} else if (ans->status == FA_DNS_OK && ans->count == 1 && own->key) {
		struct shared_key *k = key_get(fa_dns_memo(req->dns), ans->rrs[0].data,
					       ans->rrs[0].len);
		if (!k) {
			result = FROMAUTH_E_NOMEM;
		} else if (k->rc == 0) {
			const struct fa_dkim_keyrec *theirs = &k->rec;
			result = theirs->key && theirs->key_type == own->key_type &&
				 theirs->key_len == own->key_len &&
				 memcmp(theirs->key, own->key, own->key_len) == 0;
		}
		fa_memo_shared_release(k);
	}
	fa_dns_answer_release(ans);
	return result;
}

/* Status and reason from the key answer, libopendkim's verdict and ours. */
static int classify(struct fromauth_dkim *dkim, struct dkim_call *call,
		    int odkim_rc, const char *odkim_err, const struct shared_key *key,
		    struct fa_dkim_keyrec *rec, int *have_rec)
{
	const struct fa_dns_answer *ans = call->ans;
	char why[512] = "";

	if (fa_dns_status_is_temporary(ans->status))
		return set_reason(dkim, FROMAUTH_DKIM_TEMPERROR,
				  "The DNS lookup of %s %s; try again later.",
				  dkim->qname, temp_name(ans->status));
	if (ans->status == FA_DNS_NXDOMAIN)
		return set_reason(dkim, FROMAUTH_DKIM_MISSING,
				  "No DKIM key is published: %s does not exist.",
				  ans->cname_count ? ans->cnames[ans->cname_count - 1]
						   : dkim->qname);
	if (ans->status != FA_DNS_OK || ans->count == 0)
		return set_reason(dkim, FROMAUTH_DKIM_MISSING,
				  "No DKIM key is published: %s has no TXT record.",
				  ans->cname_count ? ans->cnames[ans->cname_count - 1]
						   : dkim->qname);
	if (call->too_big)
		return set_reason(dkim, FROMAUTH_DKIM_INVALID,
				  "The key record is invalid: the DNS answer is too large for receivers to handle.");
	if (ans->count > 1)
		return set_reason(dkim, FROMAUTH_DKIM_INVALID,
				  "The key record is invalid: %s has %zu TXT records, receivers need exactly one.",
				  dkim->qname, ans->count);

	if (key->rc != 0)
		return set_reason(dkim, FROMAUTH_DKIM_INVALID,
				  "The key record is invalid: %s.", key->why);
	*rec = key->rec;        /* a copy: the key bytes stay the memo's */
	*have_rec = 1;
	dkim->key_type = key_type_name(rec->key_type);
	dkim->testing = rec->testing;
	if (rec->revoked)
		return set_reason(dkim, FROMAUTH_DKIM_REVOKED,
				  "The key is revoked (the record has an empty p=).");
	if (odkim_rc != 0)
		/* We found nothing wrong; libopendkim, which receivers run,
		 * did: its record buffer holds 1024 bytes, for one. */
		return set_reason(dkim, FROMAUTH_DKIM_INVALID,
				  "The key record is invalid: OpenDKIM says \"%s\"%s.",
				  odkim_err[0] ? odkim_err : "error",
				  ans->rrs[0].len > 1024 ? " (the record is longer than 1024 bytes)" : "");
	if (fa_dkim_key_check_memo(fa_dns_memo(call->req->dns), rec, why, sizeof(why)) != 0)
		return set_reason(dkim, FROMAUTH_DKIM_INVALID,
				  "The key record is invalid: %s.", why);
	dkim->key_bits = rec->bits;
	if (rec->key_type == FA_DKIM_KEY_RSA && rec->bits < 1024)
		return set_reason(dkim, FROMAUTH_DKIM_WEAK,
				  "The RSA key has %u bits; receivers must not accept keys under 1024 bits (RFC 8301).",
				  rec->bits);
	if (rec->key_type == FA_DKIM_KEY_RSA && rec->bits < 2048) {
		dkim->key_short = 1;
		return set_reason(dkim, FROMAUTH_DKIM_VALID,
				  "A valid RSA key of %u bits; it works, but 2048 bits are advised.",
				  rec->bits);
	}
	if (rec->key_type == FA_DKIM_KEY_ED25519)
		return set_reason(dkim, FROMAUTH_DKIM_VALID,
				  "A valid ed25519 key; receivers that do not know ed25519 (RFC 8463) ignore it, so sign with an RSA key too.");
	if (rec->bits > 4096)
		/* OpenDKIM reads 1024 bytes of a record: a longer key is cut
		 * off there and its signatures fail. */
		return set_reason(dkim, FROMAUTH_DKIM_VALID,
				  "A valid RSA key of %u bits, but receivers need only handle up to 4096 bits (RFC 8301)%s.",
				  rec->bits, ans->rrs[0].len > 1024
				  ? " and OpenDKIM reads only the first 1024 bytes of its record" : "");
	return set_reason(dkim, FROMAUTH_DKIM_VALID, "A valid RSA key of %u bits.", rec->bits);
}

static int is_pattern(const char *target)
{
	return strpbrk(target, "*?[,") != NULL;
}

/* Does @name match one of the comma-separated patterns? */
static int matches_pattern(const char *patterns, const char *name)
{
	char glob[256];
	for (const char *s = patterns; *s;) {
		size_t l = strcspn(s, ",");
		if (l < sizeof(glob)) {
			memcpy(glob, s, l);
			glob[l] = '\0';
			if (fnmatch(glob, name, 0) == 0)
				return 1;
		}
		s += l + (s[l] == ',');
	}
	return 0;
}

/* A target known only by its form (a per-account part not given): a
 * chain through a matching name is right; a CNAME elsewhere is a
 * mismatch; a TXT key of the customer's own cannot be compared. */
static int check_target_pattern(struct fromauth_dkim *dkim)
{
	for (size_t i = 0; i < dkim->cname_count; i++) {
		if (matches_pattern(dkim->expected_target, dkim->cnames[i])) {
			dkim->target_ok = 1;
			return 0;
		}
	}
	if (dkim->status == FROMAUTH_DKIM_TEMPERROR || dkim->cname_count == 0)
		return 0;
	return set_reason(dkim, FROMAUTH_DKIM_MISMATCH,
			  "%s is a CNAME to %s, which does not have the form of the service's targets (%s).",
			  dkim->qname, dkim->cnames[dkim->cname_count - 1], dkim->expected_target);
}

/* The expected CNAME target: a chain reaching it is right; anything
 * else is a mismatch unless it carries the target's very key. */
static int check_target(struct fromauth_dkim *dkim, struct fa_dns_req *req,
			const struct fa_dkim_keyrec *rec, int have_rec)
{
	const char *target = dkim->expected_target;

	if (is_pattern(target))
		return check_target_pattern(dkim);

	/* Through the target counts too: services often alias their
	 * target on to where the current key lives. */
	for (size_t i = 0; i < dkim->cname_count; i++) {
		if (strcmp(dkim->cnames[i], target) == 0) {
			dkim->target_ok = 1;
			return 0;
		}
	}
	if (dkim->status == FROMAUTH_DKIM_TEMPERROR)
		return 0;
	/* Nothing published at all: missing, the fix is the CNAME. */
	if (dkim->status == FROMAUTH_DKIM_MISSING && dkim->cname_count == 0)
		return 0;

	int eq = target_key_equal(req, target, have_rec ? rec : &(struct fa_dkim_keyrec){ 0 });
	if (eq < -1)
		return eq;
	if (eq < 0)
		return set_reason(dkim, FROMAUTH_DKIM_TEMPERROR,
				  "The DNS lookup of the expected target %s failed temporarily; try again later.",
				  target);
	if (eq == 1) {
		dkim->target_key_equal = 1;
		return 0;
	}
	if (dkim->cname_count > 0)
		return set_reason(dkim, FROMAUTH_DKIM_MISMATCH,
				  "%s is a CNAME to %s, not to %s as the service expects.",
				  dkim->qname, dkim->cnames[dkim->cname_count - 1], target);
	return set_reason(dkim, FROMAUTH_DKIM_MISMATCH,
			  "%s is a TXT record whose key differs from the one at %s; publish a CNAME to %s instead.",
			  dkim->qname, target, target);
}

static void result_free(struct fromauth_dkim *dkim)
{
	if (!dkim)
		return;
	free(dkim->selector);
	free(dkim->domain);
	free(dkim->qname);
	free(dkim->expected_target);
	free(dkim->reason);
	free(dkim->record);
	for (size_t i = 0; i < dkim->cname_count; i++)
		free(dkim->cnames[i]);
	free(dkim->cnames);
	free(dkim->json);
	free(dkim);
}

static int copy_answer(struct fromauth_dkim *dkim, const struct fa_dns_answer *ans,
		       const struct shared_key *key)
{
	if (ans->status == FA_DNS_OK && ans->count > 0) {
		dkim->record = key ? fa_strdup(key->text)
				   : printable(ans->rrs[0].data, ans->rrs[0].len);
		if (!dkim->record)
			return FROMAUTH_E_NOMEM;
	}
	if (ans->cname_count == 0)
		return 0;
	dkim->cnames = calloc(ans->cname_count, sizeof(*dkim->cnames));
	if (!dkim->cnames)
		return FROMAUTH_E_NOMEM;
	for (size_t i = 0; i < ans->cname_count; i++) {
		dkim->cnames[i] = fa_domain_normalize(ans->cnames[i]);
		if (!dkim->cnames[i])
			return FROMAUTH_E_NOMEM;
		dkim->cname_count++;
	}
	return 0;
}

char *fa_dkim_first_qname(const char *selector, const char *domain)
{
	char *sel = NULL, *dom = NULL, *qname = NULL;
	if (selector && domain && fa_domain_check(selector, NULL, 0) == 0 &&
	    (sel = fa_domain_normalize(selector)) &&
	    domain_input(domain, "domain", &dom, NULL, 0) == 0 &&
	    asprintf(&qname, "%s._domainkey.%s", sel, dom) < 0)
		qname = NULL;
	free(sel);
	free(dom);
	return qname;
}

int fa_dkim_eval(struct fa_dns_req *req, const char *selector,
		 const char *domain, const char *expected_target,
		 struct fromauth_dkim **out, char *errbuf, size_t errlen)
{
	if (!out)
		return FROMAUTH_E_INVAL;
	*out = NULL;
	if (!req || !selector || !domain)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"selector and domain are required");

	struct fromauth_dkim *dkim = calloc(1, sizeof(*dkim));
	if (!dkim)
		return FROMAUTH_E_NOMEM;
	dkim->key_type = "";
	int rc = fa_domain_check(selector, errbuf, errlen);
	if (rc != 0) {
		char detail[256];
		snprintf(detail, sizeof(detail), "%s", errbuf && errlen ? errbuf : "");
		rc = fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
			      "selector \"%.64s\": %s", selector, detail);
		goto fail;
	}
	dkim->selector = fa_domain_normalize(selector);
	if (!dkim->selector) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	rc = domain_input(domain, "domain", &dkim->domain, errbuf, errlen);
	if (rc != 0)
		goto fail;
	if (expected_target && *expected_target && is_pattern(expected_target)) {
		/* A per-account target: fnmatch(3) patterns, matched below. */
		if (strlen(expected_target) > 1024 ||
		    strspn(expected_target, "abcdefghijklmnopqrstuvwxyz0123456789-_.*?[],")
		    != strlen(expected_target)) {
			rc = fa_error(errbuf, errlen, FROMAUTH_E_DOMAIN,
				      "expected target pattern \"%.64s\" is not lower-case "
				      "name characters and globs", expected_target);
			goto fail;
		}
		dkim->expected_target = strdup(expected_target);
		if (!dkim->expected_target) {
			rc = FROMAUTH_E_NOMEM;
			goto fail;
		}
	} else if (expected_target && *expected_target) {
		rc = domain_input(expected_target, "expected target",
				  &dkim->expected_target, errbuf, errlen);
		if (rc != 0)
			goto fail;
	}
	if (!(dkim->qname = fa_concat(dkim->selector, "._domainkey.", dkim->domain))) {
		rc = FROMAUTH_E_NOMEM;
		goto fail;
	}
	/* The parts reach libopendkim inside a tag-list: a strict name
	 * check keeps ';' and '=' out, and bounds the length. */
	rc = fa_domain_check(dkim->qname, errbuf, errlen);
	if (rc != 0)
		goto fail;

	struct dkim_call call = { .req = req };
	char odkim_err[512];
	int fatal = 0;
	int odkim_rc = opendkim_test_memo(&call, dkim->qname, dkim->selector, dkim->domain,
					  odkim_err, sizeof(odkim_err), &fatal);
	if (fatal || call.query_error || !call.ans) {
		rc = fatal ? fatal : call.query_error;
		if (!rc)
			rc = fa_error(errbuf, errlen, FROMAUTH_E_INTERNAL,
				      "libopendkim did not query %s: %s",
				      dkim->qname, odkim_err);
		else
			fa_error(errbuf, errlen, rc, "%s: %s", dkim->qname,
				 fromauth_strerror(rc));
		fa_dns_answer_release(call.ans);
		goto fail;
	}

	struct fa_dkim_keyrec rec;
	int have_rec = 0;
	memset(&rec, 0, sizeof(rec));
	const struct fa_dns_answer *ans = call.ans;
	struct shared_key *key = NULL;
	/* The one record classify() reads: parsed once per context. */
	if (ans->status == FA_DNS_OK && ans->count == 1 && !call.too_big) {
		key = key_get(fa_dns_memo(req->dns), ans->rrs[0].data, ans->rrs[0].len);
		rc = key ? 0 : FROMAUTH_E_NOMEM;
	}
	if (rc == 0)
		rc = copy_answer(dkim, ans, key);
	if (rc == 0)
		rc = classify(dkim, &call, odkim_rc, odkim_err, key, &rec, &have_rec);
	if (rc == 0 && dkim->expected_target)
		rc = check_target(dkim, req, &rec, have_rec);
	fa_memo_shared_release(key);    /* rec's key bytes were its */
	fa_dns_answer_release(call.ans);
	if (rc != 0)
		goto fail;

	*out = dkim;
	return 0;
fail:
	result_free(dkim);
	return rc;
}

char *const *fa_dkim_json_slot(const struct fromauth_dkim *dkim)
{
	return &dkim->json;
}

int fa_dkim_key_short(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->key_short : 0;
}

const char *fa_dkim_expected_target(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->expected_target : NULL;
}

int fa_dkim_target_ok(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->target_ok : 0;
}

int fa_dkim_target_key_equal(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->target_key_equal : 0;
}

const char *fa_dkim_qname(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->qname : NULL;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

FROMAUTH_EXPORT int fromauth_dkim_check(struct fromauth_ctx *ctx, const char *selector,
					const char *domain, const char *expected_target,
					struct fromauth_dkim **out, char *errbuf, size_t errlen)
{
	if (out)
		*out = NULL;
	if (!ctx || !out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no context or result pointer");
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	return fa_dkim_eval(&req, selector, domain, expected_target, out, errbuf, errlen);
}

FROMAUTH_EXPORT void fromauth_dkim_free(struct fromauth_dkim *dkim)
{
	result_free(dkim);
}

FROMAUTH_EXPORT const char *fromauth_dkim_selector(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->selector : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dkim_domain(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->domain : NULL;
}

FROMAUTH_EXPORT int fromauth_dkim_status(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->status : -1;
}

FROMAUTH_EXPORT const char *fromauth_dkim_reason(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->reason : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dkim_key_type(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->key_type : NULL;
}

FROMAUTH_EXPORT unsigned int fromauth_dkim_key_bits(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->key_bits : 0;
}

FROMAUTH_EXPORT int fromauth_dkim_testing(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->testing : 0;
}

FROMAUTH_EXPORT const char *fromauth_dkim_record(const struct fromauth_dkim *dkim)
{
	if (!dkim)
		return NULL;
	return dkim->record ? dkim->record : "";
}

FROMAUTH_EXPORT size_t fromauth_dkim_cname_count(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->cname_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_dkim_cname(const struct fromauth_dkim *dkim, size_t i)
{
	return dkim && i < dkim->cname_count ? dkim->cnames[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Message verification (RFC 6376 section 6, RFC 8463, RFC 8301).      */

/*
 * A second DKIM_LIB for verification: its hooks answer any number of key
 * queries (one per signature), and its options (bad-signature handles)
 * differ from the key test's.  Made once, like shared_lib.
 */
struct verify_call {
	struct fa_dns_req *req;
	struct fa_dns_answer *ans;      /* of the latest key query */
	int dns_failed;
	int query_error;
	size_t wire_len;
};

static _Thread_local struct verify_call *current_verify;

static int vhook_start(void *service, int type, unsigned char *query,
		       unsigned char *buf, size_t buflen, void **qh)
{
	struct verify_call *call = current_verify;

	*qh = call;
	if (!call || type != FA_RR_TXT)
		return -1;
	fa_dns_answer_release(call->ans);
	call->ans = NULL;
	call->dns_failed = 0;
	call->wire_len = 0;
	int rc = fa_dns_query(call->req, (const char *)query, FA_RR_TXT, &call->ans, NULL);
	if (rc < 0) {
		call->query_error = rc;
		call->ans = NULL;
		return -1;
	}
	if (fa_dns_status_is_temporary(call->ans->status)) {
		call->dns_failed = 1;
		return 0;
	}
	rc = fa_dns_answer_to_wire(call->ans, 0, buf, buflen, &call->wire_len);
	if (rc == FROMAUTH_E_RANGE)
		call->dns_failed = 1;
	else if (rc != 0) {
		call->query_error = rc;
		return -1;
	}
	return 0;
}

static int vhook_waitreply(void *service, void *qh, struct timeval *timeout,
			   size_t *bytes, int *error, int *dnssec)
{
	struct verify_call *call = qh;

	if (dnssec)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	if (!call || call->dns_failed || !call->ans) {
		if (error)
			*error = 0;
		return DKIM_DNS_ERROR;
	}
	*bytes = call->wire_len;
	return DKIM_DNS_SUCCESS;
}

static DKIM_LIB *verify_lib;

/* Under shared_lib_lock.  @fixed_time 0 for the shared library. */
static DKIM_LIB *verify_lib_new(uint64_t fixed_time)
{
	static char service;
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	if (!lib)
		return NULL;
	/* Handles for signatures libopendkim rejects while parsing, so
	 * every DKIM-Signature gets a verdict of its own. */
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;
	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags));
	if (fixed_time)
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed_time,
			     sizeof(fixed_time));
	dkim_dns_set_query_service(lib, &service);
	dkim_dns_set_query_start(lib, vhook_start);
	dkim_dns_set_query_waitreply(lib, vhook_waitreply);
	dkim_dns_set_query_cancel(lib, hook_cancel);
	dkim_dns_set_init(lib, NULL);
	dkim_dns_set_close(lib, NULL);
	return lib;
}

void fa_dkim_sigs_free(struct fa_dkim_sig *sigs, size_t count)
{
	if (!sigs)
		return;
	for (size_t i = 0; i < count; i++) {
		free(sigs[i].d);
		free(sigs[i].s);
		free(sigs[i].i);
		free(sigs[i].algorithm);
		free(sigs[i].header_b);
		free(sigs[i].reason);
	}
	free(sigs);
}

/* Our own reading of a signature's tag-list (RFC 6376 section 3.2): the
 * values we report and the rules we enforce ourselves. */
#define SIG_TAGS_MAX 32
struct sig_tags {
	size_t count;
	struct { char *name, *value; } tag[SIG_TAGS_MAX];
	int duplicate;          /* a tag occurs twice: the tag-list is invalid */
	int malformed;          /* a segment without '=' or a bad tag name */
};

static void sig_tags_clear(struct sig_tags *t)
{
	for (size_t i = 0; i < t->count; i++) {
		free(t->tag[i].name);
		free(t->tag[i].value);
	}
	t->count = 0;
}

/* Value with all white space (FWS) removed: tags whose values we use
 * never hold meaningful spaces. */
static char *squeeze(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			out[n++] = s[i] == '\0' ? '?' : s[i];
	out[n] = '\0';
	return out;
}

static int sig_tags_parse(const char *v, size_t len, struct sig_tags *t)
{
	memset(t, 0, sizeof(*t));
	size_t p = 0;
	while (p < len) {
		size_t e = p;
		while (e < len && v[e] != ';')
			e++;
		const char *eq = memchr(v + p, '=', e - p);
		char *name = eq ? squeeze(v + p, (size_t)(eq - (v + p))) : squeeze(v + p, e - p);
		if (!name)
			return FROMAUTH_E_NOMEM;
		if (!eq) {
			if (*name)
				t->malformed = 1;   /* only an empty last segment is fine */
			free(name);
		} else {
			for (const char *c = name; *c; c++)
				if (!isalnum((unsigned char)*c) && *c != '_')
					t->malformed = 1;
			if (!*name)
				t->malformed = 1;
			for (size_t i = 0; i < t->count; i++)
				if (strcmp(t->tag[i].name, name) == 0)
					t->duplicate = 1;
			char *value = squeeze(eq + 1, (size_t)(v + e - eq - 1));
			if (!value || t->count == SIG_TAGS_MAX) {
				free(name);
				free(value);
				if (!value)
					return FROMAUTH_E_NOMEM;
				t->malformed = 1;
			} else {
				t->tag[t->count].name = name;
				t->tag[t->count].value = value;
				t->count++;
			}
		}
		p = e + 1;
	}
	return 0;
}

static const char *sig_tag(const struct sig_tags *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->tag[i].name, name) == 0)
			return t->tag[i].value;
	return NULL;
}

/* Does the colon-separated h= list name From? */
static int h_has_from(const char *h)
{
	for (const char *p = h; p && *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 4 && strncasecmp(p, "from", 4) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int sig_set(struct fa_dkim_sig *sig, const char *result, const char *code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int sig_set(struct fa_dkim_sig *sig, const char *result, const char *code,
		   const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(sig->reason);
	sig->result = result;
	sig->code = code;
	sig->reason = strdup(buf);
	return sig->reason ? 0 : FROMAUTH_E_NOMEM;
}

/* RFC 6376 sections 3.2, 3.5 and 6.1.1, checked on our own reading: the
 * permanent failures no signature may pass with.  libopendkim 2.11
 * enforces all of them but one: a tag given twice (3.2) still verifies
 * there, with whichever value it reads.  Checking all of them here keeps
 * a build that relaxes one from turning it into a pass.  Returns 1 when
 * @sig was set to permerror. */
static int tag_rules(struct fa_dkim_sig *sig, const struct sig_tags *t, int *rc)
{
	const char *v = sig_tag(t, "v"), *a = sig_tag(t, "a"), *h = sig_tag(t, "h");
	const char *why = NULL;
	char detail[200] = "";

	if (t->malformed)
		why = "the tag-list is malformed";
	else if (t->duplicate)
		why = "a tag occurs twice, which makes the signature invalid";
	else if (!v)
		why = "v= is missing";
	else if (strcmp(v, "1") != 0) {
		snprintf(detail, sizeof(detail), "v=%.20s is not version 1", v);
		why = detail;
	} else if (!a || (strcmp(a, "rsa-sha256") && strcmp(a, "ed25519-sha256") &&
			  strcmp(a, "rsa-sha1"))) {
		snprintf(detail, sizeof(detail), "a=%.40s is not a known algorithm", a ? a : "");
		why = a ? detail : "a= is missing";
	} else if (!*sig->d)
		why = "d= is missing or empty";
	else if (!*sig->s)
		why = "s= is missing or empty";
	else if (!sig_tag(t, "b") || !*sig_tag(t, "b"))
		why = "b= is missing or empty";
	else if (!sig_tag(t, "bh") || !*sig_tag(t, "bh"))
		why = "bh= is missing or empty";
	else if (!h || !*h)
		why = "h= is missing or empty";
	else if (!h_has_from(h))
		why = "h= does not include From, which RFC 6376 section 5.4 requires";
	else if (sig->i) {
		const char *at = strrchr(sig->i, '@');
		if (!at || !fa_domain_is_within(at + 1, sig->d)) {
			snprintf(detail, sizeof(detail), "i=%.80s is not within d=%.80s",
				 sig->i, sig->d);
			why = detail;
		}
	}
	if (!why)
		return 0;
	*rc = sig_set(sig, "permerror", "dkim.syntax",
		      "The signature is invalid (RFC 6376): %s.", why);
	return 1;
}

/* libopendkim's verdict on one signature, in RFC 8601 words. */
static int classify_sig(struct fa_dkim_sig *sig, DKIM_SIGINFO *si, const char *a)
{
	unsigned int flags = dkim_sig_getflags(si);
	int err = dkim_sig_geterror(si);
	int bh = dkim_sig_getbh(si);
	unsigned int bits = 0;

	int ed = strncmp(a, "ed25519", 7) == 0;
	if (dkim_sig_getkeysize(si, &bits) == DKIM_STAT_OK && bits > 0) {
		sig->key_bits = bits;
		sig->key_type = ed ? "ed25519" : "rsa";
	} else if (ed && (flags & (DKIM_SIGFLAG_KEYLOADED | DKIM_SIGFLAG_PASSED))) {
		/* libopendkim gives no size for ed25519 keys: always 256. */
		sig->key_bits = 256;
		sig->key_type = "ed25519";
	}
	sig->testing = (flags & DKIM_SIGFLAG_TESTKEY) != 0;

	if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH) {
		if (strcmp(a, "rsa-sha1") == 0)
			return sig_set(sig, "policy", "dkim.weak_algorithm",
				       "The signature verifies, but it uses rsa-sha1, which receivers must not accept (RFC 8301); sign with rsa-sha256.");
		if (sig->key_type && strcmp(sig->key_type, "rsa") == 0 && sig->key_bits < 1024)
			return sig_set(sig, "policy", "dkim.key_weak",
				       "The signature verifies, but its RSA key has %u bits; receivers must not accept keys under 1024 bits (RFC 8301).",
				       sig->key_bits);
		return sig_set(sig, "pass", "dkim.pass", "The signature verifies%s.",
			       sig->length >= 0 ? " (but l= leaves part of the body unsigned)" : "");
	}
	switch (err) {
	case DKIM_SIGERROR_NOKEY:
		return sig_set(sig, "permerror", "dkim.key_missing",
			       "Key missing: no DKIM key is published at %s._domainkey.%s.",
			       sig->s, sig->d);
	case DKIM_SIGERROR_KEYFAIL:
		return sig_set(sig, "temperror", "dkim.temperror",
			       "The DNS lookup of the key %s._domainkey.%s failed temporarily; try again later.",
			       sig->s, sig->d);
	case DKIM_SIGERROR_KEYREVOKED:
		return sig_set(sig, "permerror", "dkim.key_revoked",
			       "Key revoked: the record at %s._domainkey.%s has an empty p=.",
			       sig->s, sig->d);
	case DKIM_SIGERROR_EXPIRED:
		return sig_set(sig, "fail", "dkim.expired",
			       "Expired: the signature's x= time has passed.");
	case DKIM_SIGERROR_KEYTOOSMALL:
		return sig_set(sig, "policy", "dkim.key_weak",
			       "The RSA key is too short; receivers must not accept keys under 1024 bits (RFC 8301).");
	case DKIM_SIGERROR_BADSIG:
		if (bh == DKIM_SIGBH_MISMATCH)
			break;
		return sig_set(sig, "fail", "dkim.signature",
			       "Signature mismatch: a signed header field was changed after signing, or the key in DNS is not the one that signed.");
	case DKIM_SIGERROR_TOOLARGE_L:
		return sig_set(sig, "fail", "dkim.body_hash",
			       "Body hash mismatch: l= is longer than the body; the body was cut after signing.");
	case DKIM_SIGERROR_KEYVERSION:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
	case DKIM_SIGERROR_NOTEMAILKEY:
	case DKIM_SIGERROR_KEYTYPEMISSING:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYDECODE:
	case DKIM_SIGERROR_DNSSYNTAX:
	case DKIM_SIGERROR_MULTIREPLY:
	case DKIM_SIGERROR_SUBDOMAIN:
		return sig_set(sig, "permerror", "dkim.key_invalid",
			       "The key record at %s._domainkey.%s does not allow this signature: %s.",
			       sig->s, sig->d, dkim_sig_geterrorstr(err));
	case DKIM_SIGERROR_OK:
	case DKIM_SIGERROR_UNKNOWN:
		if (bh == DKIM_SIGBH_MISMATCH)
			break;
		if (!(flags & DKIM_SIGFLAG_PROCESSED))
			return sig_set(sig, "permerror", "dkim.syntax",
				       "The signature was not processed by the verifier.");
		return sig_set(sig, "fail", "dkim.signature",
			       "Signature mismatch: a signed header field was changed after signing, or the key in DNS is not the one that signed.");
	default:
		return sig_set(sig, "permerror", "dkim.syntax",
			       "The signature is invalid: %s.", dkim_sig_geterrorstr(err));
	}
	return sig_set(sig, "fail", "dkim.body_hash",
		       "Body hash mismatch: the body was changed after signing (a footer, a re-encoding or a forwarder).");
}

static char *copy_or_empty(const char *s, int lower)
{
	char *out = strdup(s ? s : "");
	if (out && lower)
		for (char *p = out; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return out;
}

static long long tag_number(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	return strtoll(s, NULL, 10);
}

/* The siginfo of libopendkim with the same b= as ours (whitespace
 * removed), or NULL. */
static DKIM_SIGINFO *find_siginfo(DKIM_SIGINFO **list, int n, const char *b, int *used)
{
	for (int k = 0; b && k < n; k++) {
		if (used[k])
			continue;
		const unsigned char *theirs = dkim_sig_gettagvalue(list[k], 0, (u_char *)"b");
		if (!theirs)
			continue;
		char *sq = squeeze((const char *)theirs, strlen((const char *)theirs));
		int same = sq && strcmp(sq, b) == 0;
		free(sq);
		if (same) {
			used[k] = 1;
			return list[k];
		}
	}
	return NULL;
}

int fa_dkim_verify(struct fa_dns_req *req, const struct fa_message *msg, long long now,
		   struct fa_dkim_sig **out, size_t *count, char *errbuf, size_t errlen)
{
	if (!out || !count)
		return FROMAUTH_E_INVAL;
	*out = NULL;
	*count = 0;
	if (!req || !msg)
		return FROMAUTH_E_INVAL;

	size_t nsig = fa_message_count(msg, "DKIM-Signature");
	if (nsig == 0)
		return 0;
	if (nsig > FA_DKIM_SIGNATURES_MAX)
		return fa_error(errbuf, errlen, FROMAUTH_E_RANGE,
				"the message has %zu DKIM signatures; at most %u are verified",
				nsig, FA_DKIM_SIGNATURES_MAX);
	struct fa_dkim_sig *sigs = calloc(nsig, sizeof(*sigs));
	struct sig_tags *tags = calloc(nsig, sizeof(*tags));
	if (!sigs || !tags) {
		free(sigs);
		free(tags);
		return FROMAUTH_E_NOMEM;
	}
	int rc = 0;
	size_t k = 0;
	for (size_t h = 0; h < msg->header_count && k < nsig; h++) {
		const struct fa_header *hd = &msg->headers[h];
		if (!fa_header_is(hd, "DKIM-Signature"))
			continue;
		struct fa_dkim_sig *sig = &sigs[k];
		sig->length = sig->expires = -1;
		sig->key_type = "";
		rc = sig_tags_parse(hd->value, hd->value_len, &tags[k]);
		k++;
		if (rc)
			goto out;
		const struct sig_tags *t = &tags[k - 1];
		const char *b = sig_tag(t, "b");
		sig->d = copy_or_empty(sig_tag(t, "d"), 1);
		sig->s = copy_or_empty(sig_tag(t, "s"), 1);
		sig->algorithm = copy_or_empty(sig_tag(t, "a"), 1);
		sig->header_b = strndup(b ? b : "", 12);
		sig->i = sig_tag(t, "i") ? strdup(sig_tag(t, "i")) : NULL;
		if (!sig->d || !sig->s || !sig->algorithm || !sig->header_b ||
		    (sig_tag(t, "i") && !sig->i)) {
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		sig->length = tag_number(sig_tag(t, "l"));
		sig->expires = tag_number(sig_tag(t, "x"));
	}

	/* libopendkim: a temporary library for a fixed time, else the
	 * shared one. */
	pthread_mutex_lock(&shared_lib_lock);
	if (!verify_lib)
		verify_lib = verify_lib_new(0);
	DKIM_LIB *lib = now > 0 ? verify_lib_new((uint64_t)now) : verify_lib;
	pthread_mutex_unlock(&shared_lib_lock);
	if (!lib) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	struct verify_call call = { .req = req };
	DKIM_STAT st;
	current_verify = &call;
	DKIM *dk = dkim_verify(lib, (const unsigned char *)"fromauth", NULL, &st);
	if (!dk) {
		rc = fa_error(errbuf, errlen, FROMAUTH_E_INTERNAL,
			      "libopendkim cannot start a verification (status %d)", st);
		goto close;
	}
	for (size_t h = 0; h < msg->header_count; h++) {
		const struct fa_header *hd = &msg->headers[h];
		/* A field libopendkim refuses (syntax) is skipped: the
		 * signatures then fail on their own. */
		dkim_header(dk, (u_char *)hd->field, hd->field_len);
	}
	st = dkim_eoh(dk);
	if (st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG || st == DKIM_STAT_SYNTAX ||
	    st == DKIM_STAT_CANTVRFY) {
		if (msg->body_offset < msg->len)
			dkim_body(dk, (u_char *)msg->data + msg->body_offset,
				  msg->len - msg->body_offset);
		_Bool testkey = 0;
		dkim_eom(dk, &testkey);
	}
	if (call.query_error) {
		rc = call.query_error;
		fa_error(errbuf, errlen, rc, "DKIM key lookup: %s", fromauth_strerror(rc));
		goto free_dk;
	}
	DKIM_SIGINFO **list = NULL;
	int nlist = 0;
	if (dkim_getsiglist(dk, &list, &nlist) != DKIM_STAT_OK)
		nlist = 0;
	int *used = calloc(nlist > 0 ? (size_t)nlist : 1, sizeof(*used));
	if (!used) {
		rc = FROMAUTH_E_NOMEM;
		goto free_dk;
	}
	for (size_t i = 0; i < nsig && rc == 0; i++) {
		struct fa_dkim_sig *sig = &sigs[i];
		DKIM_SIGINFO *si = find_siginfo(list, nlist, sig_tag(&tags[i], "b"), used);
		if (tag_rules(sig, &tags[i], &rc)) {
			/* permerror by our rules, whatever libopendkim said */
		} else if (!si) {
			rc = sig_set(sig, "permerror", "dkim.syntax",
				     "The signature is invalid: the verifier could not read it.");
		} else {
			rc = classify_sig(sig, si, sig->algorithm);
		}
	}
	free(used);
free_dk:
	dkim_free(dk);
close:
	current_verify = NULL;
	fa_dns_answer_release(call.ans);
	if (now > 0) {
		pthread_mutex_lock(&shared_lib_lock);
		dkim_close(lib);
		pthread_mutex_unlock(&shared_lib_lock);
	}
out:
	for (size_t i = 0; i < nsig; i++)
		sig_tags_clear(&tags[i]);
	free(tags);
	if (rc) {
		fa_dkim_sigs_free(sigs, nsig);
		return rc;
	}
	*out = sigs;
	*count = nsig;
	return 0;
}

/* ---- public getters of 1.1 -------------------------------------------- */

FROMAUTH_EXPORT const char *fromauth_dkim_name(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->qname : NULL;
}

FROMAUTH_EXPORT int fromauth_dkim_key_short(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->key_short : 0;
}

FROMAUTH_EXPORT const char *fromauth_dkim_expected_target(const struct fromauth_dkim *dkim)
{
	return dkim ? dkim->expected_target : NULL;
}

FROMAUTH_EXPORT int fromauth_dkim_target_reached(const struct fromauth_dkim *dkim)
{
	if (!fromauth_dkim_expected_target(dkim))
		return -1;
	return dkim->target_ok;
}

FROMAUTH_EXPORT int fromauth_dkim_target_key_equal(const struct fromauth_dkim *dkim)
{
	if (!fromauth_dkim_expected_target(dkim))
		return -1;
	return dkim->target_key_equal;
}
