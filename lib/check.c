/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The check (SPEC section 3): can mail with this From address, sent via
 * this service, pass at receivers?  The lookups of one check are
 * independent, so they run on the context's workers sharing its cache;
 * the findings and the verdict are then read top to bottom.
 */
#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "result.h"
#include "cidr.h"
#include "ctx.h"
#include "pool.h"
#include "dkim.h"
#include "dmarc.h"
#include "profile.h"
#include "service.h"
#include "spf.h"

/* Profiles can list many ranges; two samples each is the SPEC minimum,
 * and a bound keeps a hostile spf-include from fanning out without end. */
#define MAX_SPF_SAMPLES 64

/* ---- the parallel part --------------------------------------------- */

struct job;
typedef void (*job_fn)(struct job *);

struct job {
	job_fn run;
	struct fa_dns_req *req;
	const char *name;       /* domain, or selector */
	const char *arg;        /* signing domain / helo / target */
	const char *arg2;
	char ip[INET6_ADDRSTRLEN];
	void *out;
	int rc;
	char err[256];
};

static void run_job(void *arg, size_t i)
{
	struct job *jobs = arg;
	jobs[i].run(&jobs[i]);
}

static void job_dmarc(struct job *j)
{
	j->rc = fa_dmarc_eval(j->req, j->name, (struct fromauth_dmarc **)&j->out,
			      j->err, sizeof(j->err));
}

static void job_spf(struct job *j)
{
	j->rc = fa_spf_eval(j->req, j->ip, j->name, j->arg,
			    (struct fromauth_spf **)&j->out, j->err, sizeof(j->err));
}

static void job_spf_analyze(struct job *j)
{
	j->rc = fa_spf_analyze(j->req, j->name, (struct fa_spf_analysis **)&j->out);
}

static void job_dkim(struct job *j)
{
	j->rc = fa_dkim_eval(j->req, j->name, j->arg, j->arg2,
			     (struct fromauth_dkim **)&j->out, j->err, sizeof(j->err));
}

/* Domain existence; out: 1 nxdomain, 0 exists, -1 could not tell. */
static void job_exists(struct job *j)
{
	int nx = -1;
	j->rc = fa_dns_name_nonexistent(j->req, j->name, &nx);
	j->out = (void *)(intptr_t)nx;
}

/* ---- helpers ---------------------------------------------------------- */

static int spf_rank_failure(int result)
{
	/* Which result describes a set of non-passing samples best: the
	 * errors first, they say the record itself is the problem. */
	switch (result) {
	case FROMAUTH_SPF_TEMPERROR: return 6;
	case FROMAUTH_SPF_PERMERROR: return 5;
	case FROMAUTH_SPF_FAIL: return 4;
	case FROMAUTH_SPF_SOFTFAIL: return 3;
	case FROMAUTH_SPF_NEUTRAL: return 2;
	case FROMAUTH_SPF_NONE: return 1;
	}
	return 0;
}

static const char *spf_finding_code(int result)
{
	switch (result) {
	case FROMAUTH_SPF_FAIL: return "spf.fail";
	case FROMAUTH_SPF_SOFTFAIL: return "spf.softfail";
	case FROMAUTH_SPF_NEUTRAL: return "spf.neutral";
	case FROMAUTH_SPF_NONE: return "spf.none";
	case FROMAUTH_SPF_TEMPERROR: return "spf.temperror";
	}
	return NULL;
}

/* A line "owner. 3600 IN TYPE rdata" for non-TXT fixes. */
static char *rr_line(const char *owner, const char *type, const char *rdata)
{
	char *line = NULL;
	if (asprintf(&line, "%s. 3600 IN %s %s", owner, type, rdata) < 0)
		return NULL;
	return line;
}

/* Add @line (malloc'd, may be NULL after a failed allocation) to @f; a
 * failure marks @r incomplete. */
static void add_fix_owned(struct fromauth_result *r, struct fa_finding *f, char *line)
{
	if (!f || !line || fa_finding_add_fix(f, line) != FROMAUTH_OK)
		r->nomem = 1;
	free(line);
}

/* Append @extra to @f's message; a failure marks @r incomplete. */
static void append_message(struct fromauth_result *r, struct fa_finding *f,
			   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append_message(struct fromauth_result *r, struct fa_finding *f,
			   const char *fmt, ...)
{
	char *extra = NULL, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&extra, fmt, ap);
	va_end(ap);
	if (n < 0 || asprintf(&msg, "%s %s", f->message, extra) < 0) {
		if (n >= 0)
			free(extra);
		r->nomem = 1;
		return;
	}
	free(extra);
	free(f->message);
	f->message = msg;
}

/* The SPF terms the service needs: its include, or its ranges. */
static char *service_spf_terms(const struct fromauth_profile *profile)
{
	const char *inc = fromauth_profile_spf_include(profile);
	if (inc) {
		char *t = NULL;
		return asprintf(&t, "include:%s", inc) < 0 ? NULL : t;
	}
	size_t n = 0;
	const struct fa_cidr *ranges = fa_profile_ranges(profile, &n);
	size_t cap = n * 56 + 1;
	char *t = calloc(1, cap);
	if (!t)
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		fa_cidr_format(&ranges[i], buf, sizeof(buf));
		/* One address is written as the platform gives it: ip4:ADDR. */
		if (ranges[i].prefix == (ranges[i].family == AF_INET ? 32u : 128u) && strchr(buf, '/'))
			*strchr(buf, '/') = '\0';
		len += (size_t)snprintf(t + len, cap - len, "%s%s:%s", i ? " " : "",
					ranges[i].family == AF_INET ? "ip4" : "ip6", buf);
	}
	return t;
}

/* ---- the evaluation ---------------------------------------------------- */

struct eval_state {
	struct fa_dns_req req;
	const struct fromauth_profile *profile;
	struct fromauth_result *r;
	int nxdomain;           /* 1, 0, -1 unknown */
	int spf_temperror;
	int spf_alignment;      /* of M with D: 1, 0, -1 could not tell */
	int dkim_temperror;
	int dmarc_valid;        /* a valid record applies */
	int ranges_temperror;   /* the service's spf-include failed temporarily */
};

static int sample_ranges(struct eval_state *st, struct job **jobs, size_t *njobs,
			 const char *helo)
{
	const struct fa_cidr *ranges;
	size_t n = 0;
	struct fa_cidr *expanded = NULL;
	int rc = FROMAUTH_OK;

	ranges = fa_profile_ranges(st->profile, &n);
	if (n == 0 && fromauth_profile_spf_include(st->profile)) {
		rc = fa_spf_expand_ranges(&st->req, fromauth_profile_spf_include(st->profile),
					  &expanded, &n, &st->ranges_temperror);
		if (rc)
			return rc;
		ranges = expanded;
	}
	for (size_t i = 0; i < n && *njobs < MAX_SPF_SAMPLES; i++) {
		char first[INET6_ADDRSTRLEN], last[INET6_ADDRSTRLEN];
		fa_cidr_first(&ranges[i], first, sizeof(first));
		fa_cidr_last(&ranges[i], last, sizeof(last));
		/* The bound is per sample: a single address adds one. */
		for (int k = 0; k < 2 && *njobs < MAX_SPF_SAMPLES; k++) {
			const char *ip = k ? last : first;
			if (k && !strcmp(first, last))
				break;
			struct job *j = &(*jobs)[(*njobs)++];
			memset(j, 0, sizeof(*j));
			j->run = job_spf;
			j->req = &st->req;
			j->name = st->r->mail_from;
			j->arg = helo;
			snprintf(j->ip, sizeof(j->ip), "%s", ip);
		}
	}
	free(expanded);
	return rc;
}

static void dmarc_findings(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	const struct fromauth_dmarc *d = r->dmarc;
	const char *rec_dom = fromauth_dmarc_record_domain(d);

	if (fa_dmarc_temperror(d)) {
		fa_finding_add(r, "dmarc.temperror", FROMAUTH_SEVERITY_ERROR,
			       "The DMARC record of %s could not be looked up (DNS timeout or server failure); try again later.",
			       r->domain);
		return;
	}
	if (fa_dmarc_record_count(d) > 1) {
		fa_finding_add(r, "dmarc.multiple", FROMAUTH_SEVERITY_ERROR,
			       "_dmarc.%s has %zu DMARC records; receivers ignore them all. Delete all but one.",
			       fa_dmarc_multiple_domain(d) ? fa_dmarc_multiple_domain(d) : r->domain,
			       fa_dmarc_record_count(d));
	} else if (fa_dmarc_record_count(d) == 0) {
		/* A starting record at the organizational domain covers
		 * subdomains too; p=none only asks for reports. */
		const char *at = r->org_domain && *r->org_domain ? r->org_domain : r->domain;
		struct fa_finding *f = fa_finding_add(r, "dmarc.none", FROMAUTH_SEVERITY_WARNING,
			"%s has no DMARC record, so receivers apply their own rules to mail from it; publish one, starting with p=none.",
			r->domain);
		char owner[300];
		snprintf(owner, sizeof(owner), "_dmarc.%s", at);
		add_fix_owned(r, f, fa_txt_rr_line(owner, "v=DMARC1; p=none"));
	}
	/* Problems of an ignored look-alike record name their own place. */
	for (size_t i = 0; i < fa_dmarc_problem_count(d); i++)
		fa_finding_add(r, "dmarc.syntax",
			       st->dmarc_valid ? FROMAUTH_SEVERITY_WARNING : FROMAUTH_SEVERITY_ERROR,
			       "%s%s%s%s", *rec_dom ? "DMARC record at _dmarc." : "", rec_dom,
			       *rec_dom ? ": " : "", fa_dmarc_problem(d, i));
	if (!st->dmarc_valid)
		return;

	int policy = fromauth_dmarc_policy(d);
	if (policy == FROMAUTH_DMARC_POLICY_NONE)
		fa_finding_add(r, "dmarc.policy_none", FROMAUTH_SEVERITY_INFO,
			       "The DMARC policy for %s is none (%s=none at _dmarc.%s): receivers report but do not act on failing mail.",
			       r->domain, fa_dmarc_policy_tag(d), rec_dom);
	int pct = fa_dmarc_pct(d);
	if (pct >= 0 && pct < 100)
		fa_finding_add(r, "dmarc.pct", FROMAUTH_SEVERITY_INFO,
			       "The DMARC record at _dmarc.%s has pct=%d; RFC 9989 receivers ignore pct and apply the policy to all mail.",
			       rec_dom, pct);
	if (fa_dmarc_testing(d))
		fa_finding_add(r, "dmarc.testing", FROMAUTH_SEVERITY_INFO,
			       "The DMARC record at _dmarc.%s has t=y (testing): RFC 9989 receivers apply one step less than %s.",
			       rec_dom, fromauth_dmarc_policy_name(policy));
	if (fa_dmarc_discovery_differs(d))
		fa_finding_add(r, "dmarc.discovery_differs", FROMAUTH_SEVERITY_WARNING,
			       "%s", fa_dmarc_discovery_differs(d));
	for (size_t i = 0; i < fa_dmarc_unauthorized_count(d); i++) {
		struct fa_finding *f = fa_finding_add(r, "dmarc.rua_unauthorized", FROMAUTH_SEVERITY_WARNING,
			"Reports for %s go to %s, outside the domain, which has not authorized them; the owner of %s must publish the record below.",
			rec_dom, fa_dmarc_unauthorized(d, i), fa_dmarc_unauthorized_host(d, i));
		add_fix_owned(r, f, fa_txt_rr_line(fa_dmarc_authorization_name(d, i), "v=DMARC1"));
	}
}

/* The record-level SPF findings at M (not tied to one IP). */
static void spf_record_findings(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	const struct fa_spf_analysis *a = r->spf_analysis;
	if (!a)
		return;
	if (a->record_count > 1)
		fa_finding_add(r, "spf.multiple", FROMAUTH_SEVERITY_ERROR,
			       "%s has %zu SPF records; RFC 7208 makes that a permanent error. Merge them into one.",
			       r->mail_from, a->record_count);
	if (a->syntax_error)
		fa_finding_add(r, "spf.syntax", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record tree of %s has an error: %s", r->mail_from, a->syntax_error);
	if (a->lookups > 10)
		fa_finding_add(r, "spf.lookup_limit", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record of %s needs %s%u DNS lookups; RFC 7208 allows 10, so receivers return permerror.",
			       r->mail_from, a->cut ? "at least " : "", a->lookups);
	if (a->void_lookups > 2)
		fa_finding_add(r, "spf.void_limit", FROMAUTH_SEVERITY_ERROR,
			       "The SPF record of %s has %s%u lookups that find nothing; RFC 7208 allows 2, so receivers return permerror.",
			       r->mail_from, a->cut ? "at least " : "", a->void_lookups);
	if (a->plus_all)
		fa_finding_add(r, "spf.plus_all", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record of %s ends in +all: it authorizes every host on the internet to send as %s.",
			       r->mail_from, r->mail_from);
	if (a->uses_ptr)
		fa_finding_add(r, "spf.ptr", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record tree of %s uses the ptr mechanism, which RFC 7208 says not to use; many receivers skip it.",
			       r->mail_from);
}

/* A fix that authorizes the service in M's SPF record. */
static void spf_authorize_fix(struct eval_state *st, struct fa_finding *f)
{
	struct fromauth_result *r = st->r;
	const char *target = fromauth_profile_mail_from_target(st->profile);
	const struct fa_spf_analysis *a = r->spf_analysis;
	if (!f)
		return;
	/* A custom return-path the service hosts: the CNAME is the fix. */
	if (target && (!a || a->record_count == 0)) {
		char rdata[300];
		char *t = fa_profile_expand(target, r->domain);
		snprintf(rdata, sizeof(rdata), "%s.", t ? t : target);
		free(t);
		add_fix_owned(r, f, rr_line(r->mail_from, "CNAME", rdata));
		if (fa_profile_mail_from_target_needs_input(st->profile))
			f->fix_needs_input = 1;
		return;
	}
	if (a && a->record_count > 1)
		return;         /* spf.multiple says what to do first */
	char *terms = service_spf_terms(st->profile);
	char *merged = NULL;
	int rc = terms ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
	/* The merge also moves a service term that is in the wrong place
	 * or qualified wrongly (after -all, ?include:X). */
	if (!rc)
		rc = fa_spf_merge_include(a ? a->record : NULL, terms, &merged);
	if (rc == FROMAUTH_OK) {
		add_fix_owned(r, f, fa_txt_rr_line(r->mail_from, merged));
		/* RFC 7208 4.6.4: a merge past 10 lookups trades one
		 * failure for another; say so before it is published. */
		struct fa_spf_analysis *after = NULL;
		rc = fa_spf_analyze_record(&st->req, r->mail_from, merged, &after);
		if (rc != FROMAUTH_OK) {
			/* no count to tell */
		} else if (after->lookups > 10) {
			/* f may move once another finding is added: last use */
			fa_finding_add(r, "spf.lookup_limit", FROMAUTH_SEVERITY_WARNING,
				       "With the service added, the SPF record of %s would need %s%u DNS lookups, over RFC 7208's limit of 10: remove or flatten other includes first.",
				       r->mail_from, after->cut ? "at least " : "", after->lookups);
		} else {
			append_message(r, f, "With the fix the record uses %u of 10 DNS lookups.",
				       after->lookups);
		}
		fa_spf_analysis_free(after);
	}
	if (rc == FROMAUTH_E_NOMEM)
		r->nomem = 1;
	free(merged);
	free(terms);
}

static void spf_findings(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	size_t pass = 0;
	int worst = -1;
	const struct fromauth_spf *worst_spf = NULL;
	for (size_t i = 0; i < r->spf_count; i++) {
		int res = fromauth_spf_result(r->spf[i]);
		if (res == FROMAUTH_SPF_PASS) {
			pass++;
		} else if (worst < 0 || spf_rank_failure(res) > spf_rank_failure(worst)) {
			worst = res;
			worst_spf = r->spf[i];
		}
	}
	if (r->spf_count == 0)
		r->spf_summary = strdup(st->ranges_temperror ? "temperror" : "none");
	else if (pass == r->spf_count)
		r->spf_summary = strdup("pass");
	else if (pass > 0)
		r->spf_summary = strdup("partial");
	else
		r->spf_summary = strdup(fromauth_spf_result_name(worst));
	if (!r->spf_summary)
		r->nomem = 1;
	/* Any sample or the record tree failing temporarily leaves SPF
	 * undecided (SPEC 3 step 6, "unknown"). */
	for (size_t i = 0; i < r->spf_count; i++)
		st->spf_temperror |= fromauth_spf_result(r->spf[i]) == FROMAUTH_SPF_TEMPERROR;
	st->spf_temperror |= r->spf_analysis && r->spf_analysis->temperror;

	if (r->spf_count == 0 && fa_service_open_ip(st->profile, r))
		return;
	/* The service's addresses come from DNS too: when that lookup
	 * failed, SPF is undecided, not unconfigured. */
	if (st->ranges_temperror) {
		st->spf_temperror = 1;
		fa_finding_add(r, "spf.temperror", FROMAUTH_SEVERITY_WARNING,
			       r->spf_count == 0
			       ? "The SPF record of the service's spf-include %s could not be looked up (DNS timeout or server failure), so its sending addresses and SPF could not be checked; try again later."
			       : "Part of the SPF record tree of the service's spf-include %s could not be looked up (DNS timeout or server failure), so some of its sending addresses may not have been checked; try again later.",
			       fromauth_profile_spf_include(st->profile));
		if (r->spf_count == 0)
			return;
	}
	if (r->spf_count == 0) {
		/* Nothing to evaluate: say why rather than report "none". */
		fa_finding_add(r, "service.no_ranges", FROMAUTH_SEVERITY_WARNING,
			       "The service profile has no ip lines and the SPF record of its spf-include %s names no address it sends from, so SPF could not be checked; add the service's ranges to the profile.",
			       fromauth_profile_spf_include(st->profile) ? fromauth_profile_spf_include(st->profile) : "(none)");
		return;
	}
	if (r->mail_from_outside) {
		fa_finding_add(r, "spf.not_used", FROMAUTH_SEVERITY_INFO,
			       "The service sends with its own bounce domain %s, so SPF is checked there and cannot align with %s: your own SPF record does not matter for DMARC, no include is needed, and DMARC must pass through DKIM.",
			       r->mail_from, r->domain);
		if (pass < r->spf_count && worst_spf)
			fa_finding_add(r, spf_finding_code(worst) ? spf_finding_code(worst) : "spf.fail",
				       FROMAUTH_SEVERITY_WARNING,
				       "The service's own SPF at %s gives %s for %s (%s); that is the service's to fix.",
				       r->mail_from, fromauth_spf_result_name(worst),
				       fromauth_spf_ip(worst_spf), fromauth_spf_reason(worst_spf));
		return;
	}

	spf_record_findings(st);
	if (r->spf_count > 0 && pass == r->spf_count) {
		if (r->spf_aligned)
			fa_finding_add(r, "spf.pass", FROMAUTH_SEVERITY_INFO,
				       "SPF at %s authorizes every sampled address of the service (%zu checked).",
				       r->mail_from, r->spf_count);
		else if (st->spf_alignment == 0)
			fa_finding_add(r, "spf.unaligned", FROMAUTH_SEVERITY_WARNING,
				       fa_dmarc_aspf(r->dmarc) == 's'
				       ? "SPF passes for %s, but aspf=s requires the MAIL FROM domain to be exactly %s, so it does not count for DMARC."
				       : "SPF passes for %s, but it is not in the same organizational domain as %s, so it does not count for DMARC.",
				       r->mail_from, r->domain);
		else
			fa_finding_add(r, "spf.temperror", FROMAUTH_SEVERITY_WARNING,
				       "SPF passes for %s, but whether it aligns with %s could not be told: a DNS lookup of the organizational domain failed.",
				       r->mail_from, r->domain);
		return;
	}
	if (!worst_spf)
		return;

	const struct fa_spf_analysis *a = r->spf_analysis;
	int res = worst;
	if (res == FROMAUTH_SPF_PERMERROR && fa_spf_needs_helo(worst_spf)) {
		/* the profile lacks what every receiver has: not a DNS error */
		fa_finding_add(r, "service.helo_needed", FROMAUTH_SEVERITY_WARNING,
			       "The SPF record tree of %s expands the HELO name (%%{h}), and the service profile gives none, so SPF could not be checked; add the service's HELO name to the profile (helo = ...).",
			       r->mail_from);
		return;
	}
	if (res == FROMAUTH_SPF_PERMERROR) {
		/* The record findings above name the cause; only when they do
		 * not, say what libspf2 said. */
		if (!a || (a->record_count <= 1 && !a->syntax_error && a->lookups <= 10 &&
			   a->void_lookups <= 2))
			fa_finding_add(r, "spf.syntax", FROMAUTH_SEVERITY_ERROR,
				       "SPF at %s gives permerror for %s: %s",
				       r->mail_from, fromauth_spf_ip(worst_spf),
				       fromauth_spf_reason(worst_spf));
		return;
	}
	if (res == FROMAUTH_SPF_TEMPERROR) {
		fa_finding_add(r, "spf.temperror", FROMAUTH_SEVERITY_WARNING,
			       "SPF at %s could not be evaluated for %s: %s",
			       r->mail_from, fromauth_spf_ip(worst_spf),
			       fromauth_spf_reason(worst_spf));
		return;
	}
	if (pass > 0) {
		struct fa_finding *f = fa_finding_add(r, "spf.partial", FROMAUTH_SEVERITY_ERROR,
			"SPF at %s authorizes only %zu of %zu sampled service addresses; %s gives %s.",
			r->mail_from, pass, r->spf_count, fromauth_spf_ip(worst_spf),
			fromauth_spf_result_name(res));
		spf_authorize_fix(st, f);
		return;
	}
	if (res == FROMAUTH_SPF_NONE) {
		struct fa_finding *f = fa_finding_add(r, "spf.none", FROMAUTH_SEVERITY_ERROR,
			"%s has no SPF record, so the service's addresses are not authorized to send for it.",
			r->mail_from);
		spf_authorize_fix(st, f);
		return;
	}
	fa_finding_add(r, spf_finding_code(res), FROMAUTH_SEVERITY_ERROR,
		       "SPF at %s gives %s for the service address %s (%s).",
		       r->mail_from, fromauth_spf_result_name(res), fromauth_spf_ip(worst_spf),
		       fromauth_spf_reason(worst_spf));
	struct fa_finding *f;
	if (a && a->record)
		f = fa_finding_add(r, "spf.include_missing", FROMAUTH_SEVERITY_ERROR,
			"The SPF record of %s does not authorize the service; add it before the all term (the record uses %u of 10 DNS lookups now).",
			r->mail_from, a->lookups);
	else
		f = fa_finding_add(r, "spf.include_missing", FROMAUTH_SEVERITY_ERROR,
			"The SPF record of %s does not authorize the service.", r->mail_from);
	spf_authorize_fix(st, f);
}

static void dkim_key_fix(struct fromauth_result *r, struct fa_finding *f,
			 const struct fromauth_dkim *k, const char *shown_target)
{
	if (!f)
		return;
	char owner[600];
	snprintf(owner, sizeof(owner), "%s._domainkey.%s", fromauth_dkim_selector(k),
		 fromauth_dkim_domain(k));
	const char *target = fa_dkim_expected_target(k);
	if (shown_target && !(target && fa_dkim_target_ok(k))) {
		/* A target with a per-account part: the fix shows <name>. */
		char rdata[300];
		snprintf(rdata, sizeof(rdata), "%s.", shown_target);
		add_fix_owned(r, f, rr_line(owner, "CNAME", rdata));
		f->fix_needs_input = 1;
		return;
	}
	if (target && fa_dkim_target_ok(k)) {
		/* The CNAME is already right: the key at the target is the
		 * service's to replace, and repeating the CNAME fixes nothing. */
		append_message(r, f, "%s is a CNAME to the service's key at %s as it should be, so the service must publish a usable key there.",
			       owner, target);
		return;
	}
	if (target) {
		char rdata[300];
		snprintf(rdata, sizeof(rdata), "%s.", target);
		add_fix_owned(r, f, rr_line(owner, "CNAME", rdata));
		return;
	}
	/* Only the service knows the key: a placeholder, never applied. */
	add_fix_owned(r, f, fa_txt_rr_line(owner, "v=DKIM1; k=rsa; p=<public key from the service>"));
	f->fix_needs_input = 1;
}

static void dkim_findings(struct eval_state *st)
{
	struct fromauth_result *r = st->r;
	/* Identities that lack a parameter are reported on their own. */
	int open_dkim = 0;
	for (size_t i = 0; i < fa_profile_open_count(st->profile); i++)
		open_dkim |= fa_profile_open(st->profile, i)->kind == FA_OPEN_DKIM;
	if (r->dkim_count == 0 && open_dkim)
		return;
	if (r->dkim_count == 0) {
		fa_finding_add(r, "dkim.none", FROMAUTH_SEVERITY_WARNING,
			       "The service profile names no DKIM identity: the service does not sign mail for %s, so DMARC can only pass through SPF.",
			       r->domain);
		return;
	}
	for (size_t i = 0; i < r->dkim_count; i++) {
		const struct fromauth_dkim *k = r->dkim[i].key;
		const char *sel = fromauth_dkim_selector(k), *dom = fromauth_dkim_domain(k);
		struct fa_finding *f;
		const char *disp = fa_profile_dkim_target_display(st->profile, i);
		char *shown = disp ? fa_profile_expand(disp, r->domain) : NULL;
		switch (fromauth_dkim_status(k)) {
		case FROMAUTH_DKIM_VALID:
			if (r->dkim[i].aligned == 1)
				fa_finding_add(r, "dkim.pass", FROMAUTH_SEVERITY_INFO,
					       "DKIM key %s._domainkey.%s is valid (%s, %u bits) and aligned with %s.",
					       sel, dom, fromauth_dkim_key_type(k), fromauth_dkim_key_bits(k),
					       r->domain);
			else if (r->dkim[i].aligned == 0)
				fa_finding_add(r, "dkim.unaligned", FROMAUTH_SEVERITY_WARNING,
					       "DKIM key %s._domainkey.%s is valid, but %s is not aligned with %s, so its signatures do not count for DMARC.",
					       sel, dom, dom, r->domain);
			if (fa_dkim_key_short(k))
				fa_finding_add(r, "dkim.key_short", FROMAUTH_SEVERITY_INFO,
					       "DKIM key %s._domainkey.%s is %u-bit RSA: it works, but 2048 bits is advised.",
					       sel, dom, fromauth_dkim_key_bits(k));
			if (fromauth_dkim_testing(k))
				fa_finding_add(r, "dkim.testing", FROMAUTH_SEVERITY_WARNING,
					       "DKIM key %s._domainkey.%s is in testing mode (t=y); remove the flag once signing works.",
					       sel, dom);
			break;
		case FROMAUTH_DKIM_MISSING:
			f = fa_finding_add(r, "dkim.key_missing", FROMAUTH_SEVERITY_ERROR,
					   "No DKIM key at %s._domainkey.%s: mail signed with selector %s cannot be verified.",
					   sel, dom, sel);
			dkim_key_fix(r, f, k, shown);
			break;
		case FROMAUTH_DKIM_INVALID:
			f = fa_finding_add(r, "dkim.key_invalid", FROMAUTH_SEVERITY_ERROR,
					   "DKIM key %s._domainkey.%s: %s",
					   sel, dom, fromauth_dkim_reason(k));
			dkim_key_fix(r, f, k, shown);
			break;
		case FROMAUTH_DKIM_REVOKED:
			f = fa_finding_add(r, "dkim.key_revoked", FROMAUTH_SEVERITY_ERROR,
					   "The DKIM key at %s._domainkey.%s is revoked (empty p=).",
					   sel, dom);
			dkim_key_fix(r, f, k, shown);
			break;
		case FROMAUTH_DKIM_WEAK:
			f = fa_finding_add(r, "dkim.key_weak", FROMAUTH_SEVERITY_ERROR,
					   "The DKIM key at %s._domainkey.%s is %u-bit RSA; RFC 8301 says receivers must not accept keys under 1024 bits.",
					   sel, dom, fromauth_dkim_key_bits(k));
			dkim_key_fix(r, f, k, shown);
			break;
		case FROMAUTH_DKIM_MISMATCH:
			f = fa_finding_add(r, "dkim.key_mismatch", FROMAUTH_SEVERITY_ERROR,
					   "%s._domainkey.%s does not point to the service's key at %s: %s",
					   sel, dom, shown ? shown : fa_dkim_expected_target(k) ? fa_dkim_expected_target(k) : "(none)",
					   fromauth_dkim_reason(k));
			dkim_key_fix(r, f, k, shown);
			break;
		case FROMAUTH_DKIM_TEMPERROR:
			st->dkim_temperror = 1;
			fa_finding_add(r, "dkim.temperror", FROMAUTH_SEVERITY_WARNING,
				       "The DKIM key at %s._domainkey.%s could not be looked up: %s",
				       sel, dom, fromauth_dkim_reason(k));
			break;
		}
		free(shown);
	}
}

static int aligned_with(struct eval_state *st, const char *other, char mode)
{
	int aligned = -1;
	int rc = fa_dmarc_aligned(&st->req, st->r->dmarc, other, mode == 's', &aligned);
	if (rc == FROMAUTH_E_NOMEM)
		st->r->nomem = 1;
	return rc ? -1 : aligned;
}

/* Did SPF end in a temporary error where it could still have given an
 * aligned pass (SPEC 3 step 6)?  Not when M cannot align, nor when some
 * sample already failed for good. */
static int spf_could_pass(const struct eval_state *st)
{
	const struct fromauth_result *r = st->r;
	if (r->mail_from_outside)
		return 0;
	int temp = st->ranges_temperror, all_pass = r->spf_count > 0;
	for (size_t i = 0; i < r->spf_count; i++) {
		int res = fromauth_spf_result(r->spf[i]);
		if (res == FROMAUTH_SPF_TEMPERROR)
			temp = 1, all_pass = 0;
		else if (res != FROMAUTH_SPF_PASS)
			return 0;
	}
	/* every sample passed: only alignment can be undecided */
	return all_pass ? st->spf_alignment < 0 : temp;
}

/* Did a DKIM key lookup fail temporarily for an identity that aligns
 * (or whose alignment could not be told)? */
static int dkim_could_pass(const struct eval_state *st)
{
	const struct fromauth_result *r = st->r;
	for (size_t i = 0; i < r->dkim_count; i++)
		if (fromauth_dkim_status(r->dkim[i].key) == FROMAUTH_DKIM_TEMPERROR &&
		    r->dkim[i].aligned != 0)
			return 1;
	return 0;
}

int fa_check_evaluate(struct fa_dns *dns, struct fa_pool *pool,
		      const struct fromauth_profile *profile,
		      const struct fromauth_address *addr, struct fromauth_result *r,
		      uint64_t deadline_ms, char *errbuf, size_t errlen)
{
	struct eval_state st = { .profile = profile, .r = r };
	uint64_t start = fa_now_ms();
	int rc = FROMAUTH_OK;
	fa_dns_req_init(&st.req, dns);
	st.req.deadline_ms = deadline_ms;

	const char *D = r->domain;
	const char *mf = fromauth_profile_mail_from(profile);
	/* A MAIL FROM lacking a parameter is shown, not looked up. */
	const char *mf_open = fa_profile_mail_from_open(profile);
	r->mail_from = mf_open ? fa_profile_expand(mf_open, D) : mf ? fa_profile_expand(mf, D) : strdup(D);
	if (!r->mail_from)
		return FROMAUTH_E_NOMEM;
	char *helo = NULL;
	if (fromauth_profile_helo(profile) && !(helo = strdup(fromauth_profile_helo(profile))))
		return FROMAUTH_E_NOMEM;

	/* Step 1: send-as, by the profile's rule. */
	int denied = fa_service_send_as(profile, addr, r);

	/* Steps 2-5, looked up in parallel: existence, DMARC, M's record
	 * tree, every sampled service address, every DKIM identity. */
	size_t ndkim = fromauth_profile_dkim_count(profile);
	struct job *jobs = calloc(3 + MAX_SPF_SAMPLES + ndkim, sizeof(*jobs));
	if (!jobs) {
		free(helo);
		return FROMAUTH_E_NOMEM;
	}
	size_t njobs = 0;
	jobs[njobs++] = (struct job){ .run = job_exists, .req = &st.req, .name = D };
	jobs[njobs++] = (struct job){ .run = job_dmarc, .req = &st.req, .name = D };
	size_t spf_analyze = njobs;
	if (!mf_open)
		jobs[njobs++] = (struct job){ .run = job_spf_analyze, .req = &st.req, .name = r->mail_from };
	size_t first_dkim = njobs;
	char **dkim_names = calloc(ndkim ? ndkim * 2 : 1, sizeof(char *));
	if (!dkim_names) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < ndkim; i++) {
		dkim_names[2 * i] = fa_profile_expand(fromauth_profile_dkim_domain(profile, i), D);
		const char *t = fromauth_profile_dkim_target(profile, i);
		dkim_names[2 * i + 1] = t ? fa_profile_expand(t, D) : NULL;
		if (!dkim_names[2 * i] || (t && !dkim_names[2 * i + 1])) {
			rc = FROMAUTH_E_NOMEM;
			goto out;
		}
		jobs[njobs++] = (struct job){ .run = job_dkim, .req = &st.req,
			.name = fromauth_profile_dkim_selector(profile, i),
			.arg = dkim_names[2 * i], .arg2 = dkim_names[2 * i + 1] };
	}
	size_t first_spf = njobs;
	struct job *spf_jobs = jobs + first_spf;
	size_t nspf = 0;
	rc = mf_open ? FROMAUTH_OK : sample_ranges(&st, &spf_jobs, &nspf, helo);
	if (rc)
		goto out;
	njobs += nspf;

	/* Offline every lookup is a memory read: handing them to other
	 * threads costs more than doing them here. */
	fa_pool_run(fa_dns_is_offline(dns) ? NULL : pool, run_job, jobs, njobs);

	for (size_t i = 0; i < njobs; i++) {
		if (jobs[i].rc && jobs[i].rc != FROMAUTH_OK) {
			rc = fa_error(errbuf, errlen, jobs[i].rc, "%s",
				      jobs[i].err[0] ? jobs[i].err : fromauth_strerror(jobs[i].rc));
			goto out;
		}
	}
	st.nxdomain = (int)(intptr_t)jobs[0].out;
	r->dmarc = jobs[1].out;
	jobs[1].out = NULL;
	if (!mf_open) {
		r->spf_analysis = jobs[spf_analyze].out;
		jobs[spf_analyze].out = NULL;
	}
	r->dkim = calloc(ndkim ? ndkim : 1, sizeof(*r->dkim));
	r->spf = calloc(nspf ? nspf : 1, sizeof(*r->spf));
	if (!r->dkim || !r->spf) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < ndkim; i++) {
		r->dkim[i].key = jobs[first_dkim + i].out;
		jobs[first_dkim + i].out = NULL;
	}
	r->dkim_count = ndkim;
	for (size_t i = 0; i < nspf; i++) {
		r->spf[i] = jobs[first_spf + i].out;
		jobs[first_spf + i].out = NULL;
	}
	r->spf_count = nspf;

	const struct fromauth_dmarc *d = r->dmarc;
	free(r->org_domain);
	/* With no DMARC record yet, the domain where the first one goes. */
	const char *org = fa_dmarc_alignment_org(d);
	r->org_domain = strdup(org && *org ? org : D);
	if (!r->org_domain) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	st.dmarc_valid = !fa_dmarc_temperror(d) &&
			 fromauth_dmarc_policy(d) != FROMAUTH_DMARC_POLICY_ABSENT;

	/* Step 2. */
	if (st.nxdomain == 1)
		fa_finding_add(r, "domain.nxdomain", FROMAUTH_SEVERITY_ERROR,
			       "%s does not exist in DNS (NXDOMAIN for A, AAAA and MX): receivers reject mail from it.",
			       D);

	/* Step 3. */
	dmarc_findings(&st);

	/* Step 4: alignment of M with D; outside D's organizational
	 * domain it can never align. */
	r->mail_from_outside = !fa_domain_is_within(r->mail_from, r->org_domain);
	int spf_all_pass = nspf > 0;
	for (size_t i = 0; i < nspf; i++)
		spf_all_pass &= fromauth_spf_result(r->spf[i]) == FROMAUTH_SPF_PASS;
	if (spf_all_pass && !r->mail_from_outside) {
		st.spf_alignment = aligned_with(&st, r->mail_from, fa_dmarc_aspf(d));
		r->spf_aligned = st.spf_alignment == 1;
		/* Alignment that could not be told is a temporary error too. */
		st.spf_temperror = st.spf_alignment < 0;
	}
	if (mf_open)
		r->spf_summary = strdup("none");
	else
		spf_findings(&st);
	rc = fa_service_mail_from_mx(profile, r, &st.req);
	if (rc)
		goto out;

	/* Step 5. */
	for (size_t i = 0; i < ndkim; i++) {
		r->dkim[i].aligned = aligned_with(&st, fromauth_dkim_domain(r->dkim[i].key),
						  fa_dmarc_adkim(d));
		if (fromauth_dkim_status(r->dkim[i].key) == FROMAUTH_DKIM_VALID &&
		    r->dkim[i].aligned == 1)
			r->dkim_aligned = 1;
	}
	dkim_findings(&st);
	fa_service_open_items(profile, r);

	/* Step 6: the verdict, rules in the SPEC's order. */
	int aligned_pass = r->spf_aligned || r->dkim_aligned;
	int effective = fromauth_dmarc_effective_policy(d);
	/* An evaluation that could have passed aligned but failed
	 * temporarily: receivers defer such mail, they do not act on it. */
	int deferred = !aligned_pass && (spf_could_pass(&st) || dkim_could_pass(&st));
	if (denied || st.nxdomain == 1 ||
	    (!aligned_pass && !deferred && !fa_dmarc_temperror(d) &&
	     (effective == FROMAUTH_DMARC_POLICY_QUARANTINE ||
	      effective == FROMAUTH_DMARC_POLICY_REJECT))) {
		r->verdict = FROMAUTH_VERDICT_FAIL;
	} else if (fa_dmarc_temperror(d) ||
		   (!aligned_pass && (st.spf_temperror || st.dkim_temperror))) {
		r->verdict = FROMAUTH_VERDICT_UNKNOWN;
	} else if (aligned_pass && st.dmarc_valid) {
		r->verdict = FROMAUTH_VERDICT_PASS;
	} else {
		r->verdict = FROMAUTH_VERDICT_AT_RISK;
	}
	/* What the service does with a From it cannot sign for. */
	fa_service_outcome(profile, r, st.dmarc_valid, denied || st.nxdomain == 1);

	if (!fa_dmarc_temperror(d) && st.dmarc_valid && !deferred) {
		if (aligned_pass)
			fa_finding_add(r, "dmarc.pass", FROMAUTH_SEVERITY_INFO,
				       "DMARC passes for %s through %s.", D,
				       r->spf_aligned && r->dkim_aligned ? "SPF and DKIM"
				       : r->spf_aligned ? "SPF" : "DKIM");
		else if (effective == FROMAUTH_DMARC_POLICY_QUARANTINE)
			fa_finding_add(r, "dmarc.fail_quarantine", FROMAUTH_SEVERITY_ERROR,
				       "Neither SPF nor DKIM passes aligned with %s, and its DMARC policy is quarantine: receivers will put this mail in spam.",
				       D);
		else if (effective == FROMAUTH_DMARC_POLICY_REJECT)
			fa_finding_add(r, "dmarc.fail_reject", FROMAUTH_SEVERITY_ERROR,
				       "Neither SPF nor DKIM passes aligned with %s, and its DMARC policy is reject: receivers will refuse this mail.",
				       D);
	}

	/* A finding, fix or message lost to a failed allocation, here or
	 * inside a library's DNS callback: never an OK result with
	 * something missing. */
	if (r->nomem || atomic_load(&st.req.nomem))
		rc = FROMAUTH_E_NOMEM;
	r->dns_queries = atomic_load(&st.req.queries);
	r->cache_hits = atomic_load(&st.req.cache_hits);
	r->elapsed_ms = (unsigned int)(fa_now_ms() - start);
out:
	for (size_t i = 0; i < njobs; i++) {
		if (!jobs[i].out)
			continue;
		if (jobs[i].run == job_dmarc)
			fromauth_dmarc_free(jobs[i].out);
		else if (jobs[i].run == job_spf)
			fromauth_spf_free(jobs[i].out);
		else if (jobs[i].run == job_spf_analyze)
			fa_spf_analysis_free(jobs[i].out);
		else if (jobs[i].run == job_dkim)
			fromauth_dkim_free(jobs[i].out);
	}
	for (size_t i = 0; dkim_names && i < 2 * ndkim; i++)
		free(dkim_names[i]);
	free(dkim_names);
	free(jobs);
	free(helo);
	return rc;
}

static int has_finding(const struct fromauth_result *r, const char *code)
{
	for (size_t i = 0; i < r->finding_count; i++)
		if (!strcmp(r->findings[i].code, code))
			return 1;
	return 0;
}

/* Step 8: the same evaluation on a layer with the fixes published, within
 * the check's deadline; sets r->fixed_verdict. */
static int evaluate_fixed(struct fa_dns *dns, struct fa_pool *pool,
			  const struct fromauth_profile *profile,
			  const struct fromauth_address *addr, struct fromauth_result *r,
			  uint64_t deadline_ms)
{
	struct fa_dns *layer = NULL;
	struct fromauth_result *again = NULL;
	int rc = fa_remedy_layer(dns, r, &layer);
	if (rc == FROMAUTH_OK && !(again = fa_result_new()))
		rc = FROMAUTH_E_NOMEM;
	if (rc == FROMAUTH_OK) {
		again->from = strdup(r->from);
		again->domain = strdup(r->domain);
		again->service = strdup(r->service ? r->service : "");
		if (!again->from || !again->domain || !again->service)
			rc = FROMAUTH_E_NOMEM;
	}
	if (rc == FROMAUTH_OK)
		rc = fa_check_evaluate(layer, pool, profile, addr, again, deadline_ms, NULL, 0);
	if (rc == FROMAUTH_OK) {
		r->fixed_verdict = again->verdict;
		/* No fix creates a domain that does not exist.  Records below
		 * it (a DKIM key, _dmarc) only make it an empty non-terminal,
		 * which the second run no longer calls NXDOMAIN, yet receivers
		 * still find no A, AAAA or MX for it. */
		if (has_finding(r, "domain.nxdomain"))
			r->fixed_verdict = FROMAUTH_VERDICT_FAIL;
		/* The remediation's DNS work counts toward the check's. */
		r->dns_queries += again->dns_queries;
		r->cache_hits += again->cache_hits;
	}
	fromauth_result_free(again);
	fa_dns_free(layer);
	return rc;
}

FROMAUTH_EXPORT int fromauth_check(struct fromauth_ctx *ctx,
				   const struct fromauth_profile *profile, const char *from,
				   unsigned int flags, struct fromauth_result **out,
				   char *errbuf, size_t errlen)
{
	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!ctx || !profile || !from)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"context, profile and From address are required");
	const unsigned int known = FROMAUTH_CHECK_FIX | FROMAUTH_CHECK_RULES_ALL |
				   FROMAUTH_CHECK_REPUTATION;
	if (flags & ~known)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"unknown flags 0x%x", flags & ~known);
	int rc = fromauth_profile_validate(profile, errbuf, errlen);
	if (rc)
		return rc;
	struct fromauth_address *addr = NULL;
	rc = fromauth_address_parse(from, &addr, errbuf, errlen);
	if (rc)
		return rc;

	/* One deadline for the whole check, the remediation's run too. */
	uint64_t start = fa_now_ms();
	struct fa_dns_req clock;
	fa_dns_req_init(&clock, ctx->dns);
	uint64_t deadline_ms = clock.deadline_ms;

	struct fromauth_result *r = fa_result_new();
	if (!r) {
		fromauth_address_free(addr);
		return FROMAUTH_E_NOMEM;
	}
	r->from = strdup(fromauth_address_addr_spec(addr));
	r->domain = strdup(fromauth_address_domain(addr));
	r->service = strdup(fromauth_profile_name(profile));
	if (!r->from || !r->domain || !r->service)
		rc = FROMAUTH_E_NOMEM;
	/* Parameters filled in; what lacks one is reported, not looked up. */
	struct fromauth_profile *resolved = NULL;
	if (!rc && (rc = fa_profile_resolve(profile, &resolved)) == FROMAUTH_E_PROFILE)
		fa_error(errbuf, errlen, rc, "%s: its parameter values do not make valid names",
			 fromauth_profile_name(profile));
	if (!rc)
		rc = fa_check_evaluate(ctx->dns, ctx->pool, resolved, addr, r, deadline_ms,
				       errbuf, errlen);
	if (!rc && (flags & (FROMAUTH_CHECK_RULES_ALL | FROMAUTH_CHECK_REPUTATION)))
		rc = fa_rules_run(ctx->dns, ctx->dnsbl, ctx->dnsbl_count, r, flags, deadline_ms);
	if (!rc && (flags & FROMAUTH_CHECK_FIX))
		rc = evaluate_fixed(ctx->dns, ctx->pool, resolved, addr, r, deadline_ms);
	fromauth_profile_free(resolved);
	/* A finding lost to a failed allocation after the evaluation. */
	if (!rc && r->nomem)
		rc = FROMAUTH_E_NOMEM;
	r->elapsed_ms = (unsigned int)(fa_now_ms() - start);
	fromauth_address_free(addr);
	if (rc) {
		fromauth_result_free(r);
		return rc;
	}
	*out = r;
	return FROMAUTH_OK;
}
