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

#include "address.h"
#include "result.h"
#include "cidr.h"
#include "ctx.h"
#include "pool.h"
#include "dkim.h"
#include "dmarc.h"
#include "findings.h"
#include "profile.h"
#include "rules.h"
#include "service.h"
#include "spf.h"

/* Profiles can list many ranges; two samples each is the SPEC minimum,
 * and a bound keeps a hostile spf-include from fanning out without end. */
#define MAX_SPF_SAMPLES 64
/* Jobs of a check kept on its stack (~4 KB); more are allocated. */
#define JOBS_ON_STACK 12

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

/* ---- the evaluation ---------------------------------------------------- */

/* The first question of each job of a check of @domain: existence, M's
 * record, each DKIM key (@dkim_names as the jobs have them), then the
 * DMARC walk.  The names made go to @names[0..*owned). */
static size_t first_questions(const struct fromauth_profile *profile, const char *domain,
			      const char *mail_from, char *const *dkim_names,
			      struct fa_dns_question q[FA_DNS_PREFETCH_MAX],
			      char *names[FA_DNS_PREFETCH_MAX], size_t *owned)
{
	size_t n = 0;
	*owned = 0;
	q[n++] = (struct fa_dns_question){ domain, FA_DNS_EXISTENCE_FIRST_TYPE };
	if (mail_from && (names[*owned] = fa_spf_first_qname(mail_from)))
		q[n++] = (struct fa_dns_question){ names[(*owned)++], FA_RR_TXT };
	size_t ndkim = fromauth_profile_dkim_count(profile);
	for (size_t i = 0; i < ndkim && n < FA_DNS_PREFETCH_MAX; i++)
		if ((names[*owned] = fa_dkim_first_qname(
			     fromauth_profile_dkim_selector(profile, i), dkim_names[2 * i])))
			q[n++] = (struct fa_dns_question){ names[(*owned)++], FA_RR_TXT };
	size_t nwalk = fa_dmarc_first_qnames(domain, names + *owned, FA_DNS_PREFETCH_MAX - n);
	for (size_t i = 0; i < nwalk; i++)
		q[n++] = (struct fa_dns_question){ names[(*owned)++], FA_RR_TXT };
	return n;
}

/* Those questions asked together: one round trip where a check run on
 * one thread (a batch) waited for one per job. */
static void prefetch_first_questions(struct eval_state *st, const char *domain,
				     const char *mail_from, char *const *dkim_names)
{
	struct fa_dns_question q[FA_DNS_PREFETCH_MAX];
	char *names[FA_DNS_PREFETCH_MAX];
	size_t owned;
	size_t n = first_questions(st->profile, domain, mail_from, dkim_names, q, names, &owned);
	fa_dns_prefetch(&st->req, q, n);
	while (owned)
		free(names[--owned]);
}

/* The MAIL FROM domain of a check of @domain, when the profile's has
 * all its parameters (NULL also when out of memory). */
static char *complete_mail_from(const struct fromauth_profile *profile, const char *domain)
{
	const char *mf = fromauth_profile_mail_from(profile);
	return mf ? fa_profile_expand(mf, domain) : strdup(domain);
}

static int sample_ranges(struct eval_state *st, struct job **jobs, size_t *njobs,
			 size_t cap, const char *helo)
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
	for (size_t i = 0; i < n && *njobs < cap; i++) {
		char first[INET6_ADDRSTRLEN], last[INET6_ADDRSTRLEN];
		fa_cidr_first(&ranges[i], first, sizeof(first));
		fa_cidr_last(&ranges[i], last, sizeof(last));
		/* The bound is per sample: a single address adds one. */
		for (int k = 0; k < 2 && *njobs < cap; k++) {
			const char *ip = k ? last : first;
			if (k && !strcmp(first, last))
				break;
			struct job *j = &(*jobs)[(*njobs)++];
			memset(j, 0, sizeof(*j));
			j->run = job_spf;
			j->req = &st->req;
			j->name = st->r->mail_from;
			j->arg = helo;
			size_t iplen = strlen(ip);
			if (iplen >= sizeof(j->ip))
				iplen = sizeof(j->ip) - 1;
			memcpy(j->ip, ip, iplen);       /* snprintf("%s") without printf */
			j->ip[iplen] = '\0';
		}
	}
	free(expanded);
	return rc;
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
		      uint64_t deadline_ms, struct fa_dns_ahead *ahead,
		      char *errbuf, size_t errlen)
{
	struct eval_state st = { .profile = profile, .r = r };
	uint64_t start = fa_now_ms();
	int rc = FROMAUTH_OK;
	fa_dns_req_init(&st.req, dns);
	st.req.deadline_ms = deadline_ms;
	/* Questions sent before this check began are its own. */
	int asked_ahead = ahead != NULL;
	fa_dns_ahead_finish(ahead, &st.req);

	const char *D = r->domain;
	/* A MAIL FROM lacking a parameter is shown, not looked up. */
	const char *mf_open = fa_profile_mail_from_open(profile);
	r->mail_from = mf_open ? fa_profile_expand(mf_open, D) : complete_mail_from(profile, D);
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
	/* Room for the most samples (~25 KB) unless the profile's own
	 * ranges bound them: then a typical check's jobs fit on the stack.
	 * Not zeroed: every job is written whole before it counts. */
	size_t nranges = 0;
	fa_profile_ranges(profile, &nranges);
	size_t max_samples = nranges && 2 * nranges < MAX_SPF_SAMPLES ? 2 * nranges
								      : MAX_SPF_SAMPLES;
	struct job local_jobs[JOBS_ON_STACK];
	size_t need = 3 + max_samples + ndkim;
	struct job *jobs = need <= JOBS_ON_STACK ? local_jobs : malloc(need * sizeof(*jobs));
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
	rc = mf_open ? FROMAUTH_OK : sample_ranges(&st, &spf_jobs, &nspf, max_samples, helo);
	if (rc)
		goto out;
	njobs += nspf;

	if (!asked_ahead)
		prefetch_first_questions(&st, D, mf_open ? NULL : r->mail_from, dkim_names);
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
	fa_findings_dmarc(&st);

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
		fa_findings_spf(&st);
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
	fa_findings_dkim(&st);
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
	if (jobs != local_jobs)
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
		rc = fa_check_evaluate(layer, pool, profile, addr, again, deadline_ms, NULL, NULL, 0);
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

/* What fa_check_send_ahead() did for an address: parsed it, and sent
 * the first questions of its check. */
struct fa_check_ahead {
	struct fromauth_address *addr;
	struct fa_dns_ahead *dns;
};

void fa_check_ahead_free(struct fa_check_ahead *ahead)
{
	if (!ahead)
		return;
	/* The replies are cached all the same. */
	fa_dns_ahead_finish(ahead->dns, NULL);
	fromauth_address_free(ahead->addr);
	free(ahead);
}

/* fromauth_check() with a check's lookups run on @pool (NULL: on this
 * thread); what @ahead holds (may be NULL) becomes this check's. */
static int check_with(struct fromauth_ctx *ctx, struct fa_pool *pool,
		      const struct fromauth_profile *profile, const char *from,
		      unsigned int flags, struct fa_check_ahead *ahead,
		      struct fromauth_result **out, char *errbuf, size_t errlen)
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
	if (ahead && ahead->addr) {
		addr = ahead->addr;
		ahead->addr = NULL;
	} else if ((rc = fromauth_address_parse(from, &addr, errbuf, errlen))) {
		return rc;
	}

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
	const struct fromauth_profile *resolved = NULL;
	if (!rc && (rc = fa_profile_resolved_get(profile, &resolved)) == FROMAUTH_E_PROFILE)
		fa_error(errbuf, errlen, rc, "%s: its parameter values do not make valid names",
			 fromauth_profile_name(profile));
	if (!rc) {
		rc = fa_check_evaluate(ctx->dns, pool, resolved, addr, r, deadline_ms,
				       ahead ? ahead->dns : NULL, errbuf, errlen);
		if (ahead)
			ahead->dns = NULL;
	}
	if (!rc && (flags & (FROMAUTH_CHECK_RULES_ALL | FROMAUTH_CHECK_REPUTATION)))
		rc = fa_rules_run(ctx->dns, ctx->dnsbl, ctx->dnsbl_count, r, flags, deadline_ms);
	if (!rc && (flags & FROMAUTH_CHECK_FIX))
		rc = evaluate_fixed(ctx->dns, pool, resolved, addr, r, deadline_ms);
	fa_profile_resolved_put(resolved);
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

FROMAUTH_EXPORT int fromauth_check(struct fromauth_ctx *ctx,
				   const struct fromauth_profile *profile, const char *from,
				   unsigned int flags, struct fromauth_result **out,
				   char *errbuf, size_t errlen)
{
	/* One caller waiting: its lookups side by side on the workers. */
	return check_with(ctx, ctx ? ctx->pool : NULL, profile, from, flags, NULL, out,
			  errbuf, errlen);
}

int fa_check_serial(struct fromauth_ctx *ctx, const struct fromauth_profile *profile,
		    const char *from, unsigned int flags, struct fa_check_ahead *ahead,
		    struct fromauth_result **out, char *errbuf, size_t errlen)
{
	int rc = check_with(ctx, NULL, profile, from, flags, ahead, out, errbuf, errlen);
	fa_check_ahead_free(ahead);
	return rc;
}

struct fa_check_ahead *fa_check_send_ahead(struct fromauth_ctx *ctx,
					   const struct fromauth_profile *profile,
					   const char *from)
{
	struct fa_check_ahead *ahead = NULL;
	const struct fromauth_profile *resolved = NULL;
	if (!ctx || !profile || !from || fromauth_profile_validate(profile, NULL, 0) ||
	    !(ahead = calloc(1, sizeof(*ahead))))
		return NULL;
	/* A bad address: the check says why. */
	if (fromauth_address_parse(from, &ahead->addr, NULL, 0) ||
	    fa_profile_resolved_get(profile, &resolved))
		goto out;
	const char *D = fromauth_address_domain(ahead->addr);
	size_t ndkim = fromauth_profile_dkim_count(resolved);
	char *dkim_names[2 * FA_DNS_PREFETCH_MAX] = { 0 };
	/* Only the names first_questions() reads: the jobs' signing domains. */
	for (size_t i = 0; i < ndkim && i < FA_DNS_PREFETCH_MAX; i++)
		dkim_names[2 * i] = fa_profile_expand(fromauth_profile_dkim_domain(resolved, i), D);
	char *mail_from = fa_profile_mail_from_open(resolved) ? NULL
							      : complete_mail_from(resolved, D);
	struct fa_dns_question q[FA_DNS_PREFETCH_MAX];
	char *names[FA_DNS_PREFETCH_MAX];
	size_t owned;
	size_t n = first_questions(resolved, D, mail_from, dkim_names, q, names, &owned);
	ahead->dns = fa_dns_send_ahead(ctx->dns, q, n);
	while (owned)
		free(names[--owned]);
	free(mail_from);
	for (size_t i = 0; i < ndkim && i < FA_DNS_PREFETCH_MAX; i++)
		free(dkim_names[2 * i]);
out:
	fa_profile_resolved_put(resolved);
	return ahead;
}
