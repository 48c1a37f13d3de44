/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Message verification (SPEC section 10): "why did this message fail?".
 * The message is framed by lib/message.c, its DKIM signatures verified by
 * the DKIM adapter (libopendkim), SPF evaluated for the connection by the
 * SPF adapter, DMARC and identifier alignment (RFC 7489/9989, strict or
 * relaxed per adkim/aspf) by the DMARC adapter; the receiver's own
 * Authentication-Results fields (lib/authres.c) are set beside ours.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "ctx.h"
#include "dns.h"
#include "dkim.h"
#include "dmarc.h"
#include "json.h"
#include "message.h"
#include "remedy.h"
#include "result.h"
#include "spf.h"
#include "verify.h"
#include "verify-facts.h"

FROMAUTH_EXPORT void fromauth_verify_free(struct fromauth_verify *v)
{
	if (!v)
		return;
	free(v->from);
	free(v->domain);
	free(v->ip);
	free(v->helo);
	free(v->mail_from);
	free(v->spf_skipped);
	fromauth_spf_free(v->spf);
	free(v->spf_domain);
	fa_dkim_sigs_free(v->sigs, v->sig_count);
	free(v->sig_aligned);
	fromauth_dmarc_free(v->dmarc);
	for (size_t i = 0; i < v->received_count; i++) {
		fa_authres_clear(&v->received[i].ar);
		free(v->received[i].error);
		free(v->received[i].raw);
	}
	free(v->received);
	free(v->authserv_id);
	free(v->authres);
	fromauth_result_free(v->findings);
	free(v->json);
	free(v);
}

/* ---- the connection -------------------------------------------------- */

/* From the topmost Received: field, "from HELO (... [IP])": the HELO name
 * and the client IP in brackets (RFC 5321 section 4.4's TCP-info). */
static int connection_from_received(struct fromauth_verify *v, const struct fa_message *m)
{
	size_t h = fa_message_find(m, "Received", 0);
	if (h == m->header_count)
		return 0;
	char *val = fa_header_unfold(&m->headers[h]);
	if (!val)
		return FROMAUTH_E_NOMEM;
	char *p = val;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "from", 4) != 0 || (p[4] != ' ' && p[4] != '\t'))
		goto out;
	p += 4;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, " \t();");
	if (!v->helo && n > 0 && n < 256) {
		v->helo = strndup(p, n);
		if (!v->helo)
			goto nomem;
		v->helo_source = "received";
	}
	/* The IP of the from-clause, before " by ". */
	char *by = strstr(p, " by ");
	char *lb = strchr(p, '[');
	if (!v->ip && lb && (!by || lb < by)) {
		char *rb = strchr(lb, ']');
		if (rb && rb - lb < 64) {
			char ip[64];
			const char *s = lb + 1;
			if (strncasecmp(s, "IPv6:", 5) == 0)
				s += 5;
			snprintf(ip, sizeof(ip), "%.*s", (int)(rb - s), s);
			unsigned char buf[16];
			if (inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1) {
				v->ip = strdup(ip);
				if (!v->ip)
					goto nomem;
				v->ip_source = "received";
			}
		}
	}
out:
	free(val);
	return 0;
nomem:
	free(val);
	return FROMAUTH_E_NOMEM;
}

/* Return-Path: <addr> (RFC 5321 section 4.4), "<>" the null sender. */
static int connection_from_return_path(struct fromauth_verify *v, const struct fa_message *m)
{
	size_t h = fa_message_find(m, "Return-Path", 0);
	if (v->mail_from || h == m->header_count)
		return 0;
	char *val = fa_header_unfold(&m->headers[h]);
	if (!val)
		return FROMAUTH_E_NOMEM;
	char *lt = strchr(val, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		*gt = '\0';
		v->mail_from = strdup(lt + 1);
	} else if (*val && !strpbrk(val, " \t")) {
		v->mail_from = strdup(val);
	} else {
		free(val);
		return 0;
	}
	free(val);
	if (!v->mail_from)
		return FROMAUTH_E_NOMEM;
	v->mail_from_source = "return-path";
	return 0;
}

/* ---- findings ------------------------------------------------------- */

static int fix_owned(struct fa_finding *f, char *line)
{
	if (!f || !line) {
		free(line);
		return FROMAUTH_E_NOMEM;
	}
	int rc = fa_finding_add_fix(f, line);
	free(line);
	return rc;
}

static const char *spf_name(int result)
{
	return fromauth_spf_result_name(result);
}

static int spf_findings(struct fromauth_verify *v, struct fa_dns_req *req)
{
	struct fromauth_result *r = v->findings;
	const char *res = v->spf_result;

	if (!v->spf && v->spf_skipped)
		return fa_finding_add(r, "spf.none", FROMAUTH_SEVERITY_WARNING,
				      "SPF was not evaluated for %s from the Received: field: %s.",
				      v->ip, v->spf_skipped) ? 0 : FROMAUTH_E_NOMEM;
	if (!v->spf) {
		const char *missing = !v->ip ? "the client IP (--ip, or a Received: field with [IP])"
					     : "the MAIL FROM (--mail-from, or a Return-Path: field) and HELO";
		return fa_finding_add(r, "spf.none", FROMAUTH_SEVERITY_WARNING,
				      "SPF was not evaluated: the message does not show %s.",
				      missing) ? 0 : FROMAUTH_E_NOMEM;
	}
	const char *dom = v->spf_domain;
	if (strcmp(res, "pass") == 0) {
		if (v->spf_aligned == 1)
			return fa_finding_add(r, "spf.pass", FROMAUTH_SEVERITY_INFO,
					      "SPF passes for %s from %s, aligned with %s.", dom,
					      v->ip, v->domain) ? 0 : FROMAUTH_E_NOMEM;
		return fa_finding_add(r, "spf.unaligned", FROMAUTH_SEVERITY_WARNING,
				      "SPF passes for %s, but %s is not aligned with the From domain %s%s, so it does not count for DMARC.",
				      dom, dom, v->domain,
				      fa_dmarc_aspf(v->dmarc) == 's' ? " (aspf=s requires the same domain)" : "")
			? 0 : FROMAUTH_E_NOMEM;
	}
	const char *code = strcmp(res, "permerror") == 0 ? "spf.syntax" :
			   strcmp(res, "temperror") == 0 ? "spf.temperror" :
			   strcmp(res, "fail") == 0 ? "spf.fail" :
			   strcmp(res, "softfail") == 0 ? "spf.softfail" :
			   strcmp(res, "neutral") == 0 ? "spf.neutral" : "spf.none";
	int sev = strcmp(res, "temperror") == 0 || strcmp(res, "none") == 0
		  ? FROMAUTH_SEVERITY_WARNING : FROMAUTH_SEVERITY_ERROR;
	const char *why = fromauth_spf_reason(v->spf);
	struct fa_finding *f = fa_finding_add(r, code, sev, "SPF %s for %s from %s%s%s.", res, dom,
					      v->ip, why && *why ? ": " : "", why ? why : "");
	if (!f)
		return FROMAUTH_E_NOMEM;
	/* The From domain's own record at fault: the fix lists the server,
	 * merged into the record (the support person confirms the IP is
	 * really theirs; a forwarder's would be wrong to add). */
	int aligned = 0;
	if ((!strcmp(res, "fail") || !strcmp(res, "softfail") || !strcmp(res, "neutral") ||
	     !strcmp(res, "none")) &&
	    fa_dmarc_aligned(req, v->dmarc, dom, 0, &aligned) == 0 && aligned == 1) {
		char term[80], *merged = NULL;
		snprintf(term, sizeof(term), "%s:%s", strchr(v->ip, ':') ? "ip6" : "ip4", v->ip);
		const char *rec = fromauth_spf_record(v->spf);
		if (fa_spf_merge_include(rec && *rec ? rec : NULL, term, &merged) == 0) {
			int rc = fix_owned(f, fa_txt_rr_line(dom, merged));
			free(merged);
			return rc;
		}
	}
	return 0;
}

static int dkim_findings(struct fromauth_verify *v)
{
	struct fromauth_result *r = v->findings;
	if (v->sig_count == 0)
		return fa_finding_add(r, "dkim.none", FROMAUTH_SEVERITY_WARNING,
				      "The message has no DKIM signature.") ? 0 : FROMAUTH_E_NOMEM;
	for (size_t i = 0; i < v->sig_count; i++) {
		const struct fa_dkim_sig *s = &v->sigs[i];
		struct fa_finding *f;
		if (strcmp(s->result, "pass") != 0)
			f = fa_finding_add(r, s->code,
					   strcmp(s->result, "temperror") ? FROMAUTH_SEVERITY_ERROR
									  : FROMAUTH_SEVERITY_WARNING,
					   "DKIM signature d=%s s=%s: %s", s->d, s->s, s->reason);
		else if (v->sig_aligned[i] == 1)
			f = fa_finding_add(r, "dkim.pass", FROMAUTH_SEVERITY_INFO,
					   "DKIM signature d=%s s=%s verifies and is aligned with %s.",
					   s->d, s->s, v->domain);
		else
			f = fa_finding_add(r, "dkim.unaligned", FROMAUTH_SEVERITY_WARNING,
					   "DKIM signature d=%s s=%s verifies, but %s is not aligned with the From domain %s%s, so it does not count for DMARC.",
					   s->d, s->s, s->d, v->domain,
					   fa_dmarc_adkim(v->dmarc) == 's'
					   ? " (adkim=s requires the same domain)" : "");
		if (!f)
			return FROMAUTH_E_NOMEM;
	}
	return 0;
}

static int dmarc_findings(struct fromauth_verify *v)
{
	struct fromauth_result *r = v->findings;
	const struct fromauth_dmarc *d = v->dmarc;
	const char *res = v->dmarc_result;
	struct fa_finding *f = NULL;

	if (v->from_multiple &&
	    !fa_finding_add(r, "message.from_multiple", FROMAUTH_SEVERITY_ERROR,
			    "The message has %d From fields; receivers reject such messages (RFC 7489 section 6.6.1), and a signature may cover another From than the one shown.",
			    v->from_multiple))
		return FROMAUTH_E_NOMEM;
	if (fa_dmarc_discovery_differs(d) &&
	    !fa_finding_add(r, "dmarc.discovery_differs", FROMAUTH_SEVERITY_WARNING, "%s",
			    fa_dmarc_discovery_differs(d)))
		return FROMAUTH_E_NOMEM;
	if (!strcmp(res, "temperror"))
		f = fa_finding_add(r, "dmarc.temperror", FROMAUTH_SEVERITY_WARNING,
				   "DMARC could not be decided: a DNS lookup failed temporarily; try again later.");
	else if (!strcmp(res, "none") && fa_dmarc_record_count(d) > 1)
		f = fa_finding_add(r, "dmarc.multiple", FROMAUTH_SEVERITY_ERROR,
				   "%s has %zu DMARC records; receivers ignore them all. Delete all but one.",
				   fa_dmarc_multiple_domain(d) ? fa_dmarc_multiple_domain(d) : v->domain,
				   fa_dmarc_record_count(d));
	else if (!strcmp(res, "none")) {
		const char *org = fromauth_dmarc_org_domain(d);
		f = fa_finding_add(r, "dmarc.none", FROMAUTH_SEVERITY_WARNING,
				   "%s has no DMARC record, so receivers apply their own rules to mail from it; publish one, starting with p=none.",
				   v->domain);
		if (!f || fix_owned(f, fa_remedy_dmarc_start(org && *org ? org : v->domain)))
			return FROMAUTH_E_NOMEM;
	} else if (!strcmp(res, "pass")) {
		f = fa_finding_add(r, "dmarc.pass", FROMAUTH_SEVERITY_INFO,
				   "DMARC passes for %s: %s.", v->domain,
				   v->spf_aligned == 1 ? "SPF is aligned" : "a DKIM signature is aligned");
	} else {
		int eff = fromauth_dmarc_effective_policy(d);
		const char *applied = fromauth_dmarc_policy_name(eff);
		if (eff == FROMAUTH_DMARC_POLICY_REJECT)
			f = fa_finding_add(r, "dmarc.fail_reject", FROMAUTH_SEVERITY_ERROR,
					   "DMARC fails for %s: neither an aligned SPF pass nor an aligned DKIM pass; the policy is reject, so receivers refuse this message.",
					   v->domain);
		else if (eff == FROMAUTH_DMARC_POLICY_QUARANTINE)
			f = fa_finding_add(r, "dmarc.fail_quarantine", FROMAUTH_SEVERITY_ERROR,
					   "DMARC fails for %s: neither an aligned SPF pass nor an aligned DKIM pass; the policy is quarantine, so receivers put this message in spam.",
					   v->domain);
		else
			f = fa_finding_add(r, "dmarc.policy_none", FROMAUTH_SEVERITY_WARNING,
					   "DMARC fails for %s, but the applied policy is %s: receivers decide by their own rules.",
					   v->domain, applied);
	}
	return f ? 0 : FROMAUTH_E_NOMEM;
}

/* ---- the receiver's Authentication-Results ------------------------- */

static int parse_received(struct fromauth_verify *v, const struct fa_message *m)
{
	size_t n = fa_message_count(m, "Authentication-Results");
	if (n == 0)
		return 0;
	v->received = calloc(n, sizeof(*v->received));
	if (!v->received)
		return FROMAUTH_E_NOMEM;
	for (size_t h = 0; h < m->header_count; h++) {
		const struct fa_header *hd = &m->headers[h];
		if (!fa_header_is(hd, "Authentication-Results"))
			continue;
		struct received_ar *ra = &v->received[v->received_count++];
		ra->raw = fa_header_unfold(hd);
		if (!ra->raw)
			return FROMAUTH_E_NOMEM;
		char err[256] = "";
		int rc = fa_authres_parse(hd->value, hd->value_len, &ra->ar, err, sizeof(err));
		if (rc == FROMAUTH_E_NOMEM)
			return rc;
		ra->parsed = rc == 0;
		if (!ra->parsed) {
			ra->error = strdup(err[0] ? err : fromauth_strerror(rc));
			if (!ra->error)
				return FROMAUTH_E_NOMEM;
		}
		ra->compared = ra->parsed && (!v->authserv_id ||
					      strcasecmp(ra->ar.authserv_id, v->authserv_id) == 0);
	}
	return 0;
}

static const char *explain(const char *method, const char *theirs, const char *ours)
{
	if (!strcmp(method, "dmarc"))
		return "DMARC follows the DKIM and SPF results, see how they differ";
	if (!strcmp(ours, "pass"))
		return "with the current DNS the signature verifies: the key was probably rotated, or the message was changed in transit by a forwarder before that receiver";
	if (!strcmp(theirs, "pass"))
		return "the message was probably changed after that receiver checked it (by a forwarder or a mail client), or the key has been changed or removed since";
	return "the DNS records have probably changed since";
}

/* A finding for each result of a compared field that disagrees with ours. */
static int compare_received(struct fromauth_verify *v)
{
	for (size_t k = 0; k < v->received_count; k++) {
		const struct received_ar *ra = &v->received[k];
		if (!ra->compared)
			continue;
		for (size_t j = 0; j < ra->ar.result_count; j++) {
			const struct fa_authres_result *res = &ra->ar.results[j];
			const char *ours = NULL, *what = NULL;
			char subject[300] = "";
			if (!strcmp(res->method, "dkim")) {
				const char *hd = fa_authres_prop(res, "header", "d");
				const char *hi = fa_authres_prop(res, "header", "i");
				const char *hs = fa_authres_prop(res, "header", "s");
				const char *hb = fa_authres_prop(res, "header", "b");
				if (!hd && hi && strrchr(hi, '@'))
					hd = strrchr(hi, '@') + 1;
				for (size_t i = 0; hd && i < v->sig_count; i++) {
					const struct fa_dkim_sig *s = &v->sigs[i];
					if (strcasecmp(s->d, hd) || (hs && strcasecmp(s->s, hs)) ||
					    (hb && strncmp(s->header_b, hb, strlen(hb) < 12 ? strlen(hb) : 12)))
						continue;
					ours = s->result;
					snprintf(subject, sizeof(subject), "for the signature d=%s s=%s", s->d, s->s);
					break;
				}
				what = "dkim";
			} else if (!strcmp(res->method, "spf") && v->spf) {
				const char *mf = fa_authres_prop(res, "smtp", "mailfrom");
				const char *at = mf ? strrchr(mf, '@') : NULL;
				const char *dom = at ? at + 1 : mf;
				if (!dom || strcasecmp(dom, v->spf_domain) == 0) {
					ours = v->spf_result;
					snprintf(subject, sizeof(subject), "for %s", v->spf_domain);
				}
				what = "spf";
			} else if (!strcmp(res->method, "dmarc")) {
				ours = v->dmarc_result;
				snprintf(subject, sizeof(subject), "for %s", v->domain);
				what = "dmarc";
			}
			if (!ours || !strcmp(ours, res->result))
				continue;
			if (!fa_finding_add(v->findings, "authres.differs", FROMAUTH_SEVERITY_WARNING,
					    "%s said %s=%s %s; now it is %s=%s: %s.",
					    ra->ar.authserv_id, what, res->result, subject, what, ours,
					    explain(what, res->result, ours)))
				return FROMAUTH_E_NOMEM;
		}
	}
	return 0;
}

/* ---- our Authentication-Results value ------------------------------ */

/* A comment's text: parentheses and backslashes would end or escape it. */
static void put_comment(FILE *f, const char *text)
{
	fputs(" (", f);
	for (const char *p = text; *p; p++)
		fputc(*p == '(' || *p == ')' || *p == '\\' ? ' ' : *p, f);
	fputc(')', f);
}

/* The short RFC 8601 comment for a signature's finding code. */
static const char *short_reason(const char *code)
{
	static const struct {
		const char *code, *text;
	} map[] = {
		{ "dkim.body_hash", "body hash mismatch" },
		{ "dkim.signature", "signature mismatch" },
		{ "dkim.expired", "signature expired" },
		{ "dkim.key_missing", "key missing" },
		{ "dkim.key_revoked", "key revoked" },
		{ "dkim.key_invalid", "key does not allow this signature" },
		{ "dkim.key_weak", "RSA key under 1024 bits" },
		{ "dkim.weak_algorithm", "rsa-sha1 is not accepted" },
		{ "dkim.syntax", "invalid signature" },
		{ "dkim.temperror", "key lookup failed" },
	};
	for (size_t i = 0; i < FA_ARRAY_SIZE(map); i++)
		if (!strcmp(map[i].code, code))
			return map[i].text;
	return code;
}

static int build_authres(struct fromauth_verify *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return FROMAUTH_E_NOMEM;
	fputs(v->authserv_id ? v->authserv_id : "fromauth", f);
	if (v->sig_count == 0)
		fputs("; dkim=none", f);
	for (size_t i = 0; i < v->sig_count; i++) {
		const struct fa_dkim_sig *s = &v->sigs[i];
		fprintf(f, "; dkim=%s", s->result);
		if (strcmp(s->result, "pass") != 0)
			put_comment(f, short_reason(s->code));
		if (*s->d)
			fprintf(f, " header.d=%s", s->d);
		if (*s->s)
			fprintf(f, " header.s=%s", s->s);
		/* A base64 '/' or '=' is a tspecial: quote the value then. */
		if (*s->header_b && !strpbrk(s->header_b, "();\" \\"))
			fprintf(f, strpbrk(s->header_b, "/=") && strcspn(s->header_b, "/=") < 8
				   ? " header.b=\"%.8s\"" : " header.b=%.8s", s->header_b);
	}
	fprintf(f, "; spf=%s", v->spf_result);
	if (!v->spf)
		put_comment(f, "the connection is unknown");
	else if (v->mail_from && *v->mail_from && !strpbrk(v->mail_from, " ;()\"\\"))
		fprintf(f, " smtp.mailfrom=%s", v->mail_from);
	else if (v->helo && !strpbrk(v->helo, " ;()\"\\"))
		fprintf(f, " smtp.helo=%s", v->helo);
	fprintf(f, "; dmarc=%s", v->dmarc_result);
	if (!strcmp(v->dmarc_result, "fail") || !strcmp(v->dmarc_result, "pass")) {
		char pol[64];
		snprintf(pol, sizeof(pol), "p=%s",
			 fromauth_dmarc_policy_name(fromauth_dmarc_policy(v->dmarc)));
		put_comment(f, pol);
	}
	fprintf(f, " header.from=%s", v->domain);
	if (fclose(f) != 0) {
		free(buf);
		return FROMAUTH_E_NOMEM;
	}
	v->authres = buf;
	return 0;
}

/* ---- the flow ------------------------------------------------------- */

static int set_from(struct fromauth_verify *v, const struct fa_message *m,
		    char *errbuf, size_t errlen)
{
	size_t n = fa_message_count(m, "From");
	if (n == 0)
		return fa_error(errbuf, errlen, FROMAUTH_E_MESSAGE,
				"the message has no From field");
	if (n > 1)
		v->from_multiple = (int)n;
	char *val = fa_header_unfold(&m->headers[fa_message_find(m, "From", 0)]);
	if (!val)
		return FROMAUTH_E_NOMEM;
	struct fromauth_address *addr = NULL;
	char err[256] = "";
	int rc = fromauth_address_parse(val, &addr, err, sizeof(err));
	if (rc == FROMAUTH_E_NOMEM) {
		free(val);
		return rc;
	}
	if (rc) {
		rc = fa_error(errbuf, errlen, FROMAUTH_E_MESSAGE,
			      "From: %.200s: %s (DMARC needs exactly one address)", val, err);
		free(val);
		return rc;
	}
	free(val);
	v->from = strdup(fromauth_address_addr_spec(addr));
	v->domain = strdup(fromauth_address_domain(addr));
	fromauth_address_free(addr);
	return v->from && v->domain ? 0 : FROMAUTH_E_NOMEM;
}

static int evaluate_spf(struct fromauth_verify *v, struct fa_dns_req *req,
			char *errbuf, size_t errlen)
{
	v->spf_result = "none";
	if (!v->ip || (!v->mail_from && !v->helo))
		return 0;
	const char *mf = v->mail_from ? v->mail_from : "";
	char why[256] = "";
	int rc = fa_spf_eval(req, v->ip, mf, v->helo, &v->spf, why, sizeof(why));
	if (rc && rc != FROMAUTH_E_NOMEM && (strcmp(v->ip_source, "option") != 0 ||
					     (v->mail_from_source && strcmp(v->mail_from_source, "option")))) {
		/* Trace fields are the message's word, not the caller's:
		 * one we cannot use leaves SPF unknown rather than failing. */
		v->spf_skipped = strdup(why[0] ? why : fromauth_strerror(rc));
		return v->spf_skipped ? 0 : FROMAUTH_E_NOMEM;
	}
	if (rc)
		return fa_error(errbuf, errlen, rc, "%s", why);
	v->spf_result = spf_name(fromauth_spf_result(v->spf));
	const char *dom = fromauth_spf_domain(v->spf);
	v->spf_domain = strdup(dom ? dom : "");
	if (!v->spf_domain)
		return FROMAUTH_E_NOMEM;
	v->spf_aligned = 0;
	if (!strcmp(v->spf_result, "pass") && *v->spf_domain) {
		int aligned = 0;
		rc = fa_dmarc_aligned(req, v->dmarc, v->spf_domain, fa_dmarc_aspf(v->dmarc) == 's',
				      &aligned);
		if (rc == FROMAUTH_E_NOMEM)
			return rc;
		v->spf_aligned = rc ? 0 : aligned;
	}
	return 0;
}

static void decide_dmarc(struct fromauth_verify *v)
{
	const struct fromauth_dmarc *d = v->dmarc;
	int aligned_pass = v->spf_aligned == 1, aligned_temp = 0;

	if (v->spf && !strcmp(v->spf_result, "temperror"))
		aligned_temp = 1;
	for (size_t i = 0; i < v->sig_count; i++) {
		if (!strcmp(v->sigs[i].result, "pass") && v->sig_aligned[i] == 1)
			aligned_pass = 1;
		if (!strcmp(v->sigs[i].result, "temperror") || v->sig_aligned[i] < 0)
			aligned_temp = 1;
	}
	if (v->spf_aligned < 0)
		aligned_temp = 1;
	if (fa_dmarc_temperror(d))
		v->dmarc_result = "temperror";
	else if (fa_dmarc_record_count(d) != 1)
		v->dmarc_result = "none";
	else if (v->from_multiple)
		v->dmarc_result = "permerror";
	else if (aligned_pass)
		v->dmarc_result = "pass";
	else if (aligned_temp)
		v->dmarc_result = "temperror";
	else
		v->dmarc_result = "fail";
}

/* Publish every fix record on an overlay layer over the context and
 * verify again (as fromauth_check()'s remediation does). */
static int verify_fixed(struct fromauth_verify *v, struct fromauth_ctx *ctx, const char *message,
			size_t len, const char *ip, const char *helo, const char *mail_from,
			long long now)
{
	struct fa_dns *layer = NULL;
	int rc = fa_dns_clone_overlay(ctx->dns, &layer);
	if (rc)
		return rc;
	const struct fromauth_result *r = v->findings;
	for (size_t i = 0; rc == 0 && i < fromauth_result_finding_count(r); i++)
		for (size_t j = 0; rc == 0 && j < fromauth_result_finding_fix_count(r, i); j++) {
			rc = fa_dns_add_record(layer, fromauth_result_finding_fix(r, i, j), NULL, 0);
			if (rc == FROMAUTH_E_RECORD)
				rc = FROMAUTH_E_INTERNAL;       /* our own line: our bug */
		}
	struct fromauth_ctx fixed = { .dns = layer };
	struct fromauth_verify *again = NULL;
	if (rc == 0)
		rc = fa_verify_at(&fixed, message, len, ip, helo, mail_from, v->authserv_id, 0, now,
				  &again, NULL, 0);
	if (rc == 0)
		v->fixed_dmarc_result = again->dmarc_result;    /* static strings */
	fromauth_verify_free(again);
	fa_dns_free(layer);
	return rc;
}

int fa_verify_at(struct fromauth_ctx *ctx, const char *message, size_t len,
		 const char *ip, const char *helo, const char *mail_from,
		 const char *authserv_id, unsigned int flags, long long now,
		 struct fromauth_verify **out, char *errbuf, size_t errlen)
{
	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!ctx || !message)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "context and message are required");
	if (flags & ~(unsigned int)FROMAUTH_VERIFY_FIX)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "unknown flags 0x%x",
				flags & ~(unsigned int)FROMAUTH_VERIFY_FIX);
	if (ip) {
		unsigned char buf[16];
		if (inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1)
			return fa_error(errbuf, errlen, FROMAUTH_E_IP, "\"%.64s\" is not an IP address", ip);
	}
	if (authserv_id && (!*authserv_id || strpbrk(authserv_id, " \t\r\n;()\"\\")))
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"authserv-id \"%.64s\" must be one token", authserv_id);

	struct fa_message m;
	int rc = fa_message_parse(message, len, &m, errbuf, errlen);
	if (rc)
		return rc;
	struct fromauth_verify *v = calloc(1, sizeof(*v));
	if (!v) {
		fa_message_clear(&m);
		return FROMAUTH_E_NOMEM;
	}
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);

	v->findings = fa_result_new();
	if (!v->findings || (authserv_id && !(v->authserv_id = strdup(authserv_id)))) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	rc = set_from(v, &m, errbuf, errlen);
	if (rc)
		goto out;
	if (ip) {
		v->ip = strdup(ip);
		v->ip_source = "option";
	}
	if (helo) {
		v->helo = strdup(helo);
		v->helo_source = "option";
	}
	if (mail_from) {
		v->mail_from = strdup(mail_from);
		v->mail_from_source = "option";
	}
	if ((ip && !v->ip) || (helo && !v->helo) || (mail_from && !v->mail_from)) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	if ((rc = connection_from_received(v, &m)) || (rc = connection_from_return_path(v, &m)))
		goto out;

	rc = fa_dmarc_eval(&req, v->domain, &v->dmarc, errbuf, errlen);
	if (rc)
		goto out;
	rc = fa_dkim_verify(&req, &m, now, &v->sigs, &v->sig_count, errbuf, errlen);
	if (rc)
		goto out;
	v->sig_aligned = calloc(v->sig_count ? v->sig_count : 1, sizeof(*v->sig_aligned));
	if (!v->sig_aligned) {
		rc = FROMAUTH_E_NOMEM;
		goto out;
	}
	int strict_dkim = fa_dmarc_adkim(v->dmarc) == 's';
	for (size_t i = 0; i < v->sig_count; i++) {
		if (!*v->sigs[i].d || fa_domain_check(v->sigs[i].d, NULL, 0))
			continue;       /* no d= (or garbage): aligned with nothing */
		rc = fa_dmarc_aligned(&req, v->dmarc, v->sigs[i].d, strict_dkim, &v->sig_aligned[i]);
		if (rc == FROMAUTH_E_NOMEM)
			goto out;
		if (rc)
			v->sig_aligned[i] = 0;
		rc = 0;
	}
	rc = evaluate_spf(v, &req, errbuf, errlen);
	if (rc)
		goto out;
	decide_dmarc(v);
	if ((rc = parse_received(v, &m)) || (rc = dmarc_findings(v)) || (rc = dkim_findings(v)) ||
	    (rc = spf_findings(v, &req)) || (rc = compare_received(v)) ||
	    (rc = build_authres(v)))
		goto out;
	if ((flags & FROMAUTH_VERIFY_FIX) &&
	    (rc = verify_fixed(v, ctx, message, len, ip, helo, mail_from, now)))
		goto out;
	v->json = fa_json_verify(v);
	rc = v->json ? 0 : FROMAUTH_E_NOMEM;
out:
	fa_message_clear(&m);
	if (rc) {
		fromauth_verify_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

FROMAUTH_EXPORT int fromauth_verify(struct fromauth_ctx *ctx, const char *message, size_t len,
				    const char *ip, const char *helo, const char *mail_from,
				    const char *authserv_id, unsigned int flags,
				    struct fromauth_verify **out, char *errbuf, size_t errlen)
{
	return fa_verify_at(ctx, message, len, ip, helo, mail_from, authserv_id, flags, 0,
			    out, errbuf, errlen);
}

/* ---- getters -------------------------------------------------------- */

FROMAUTH_EXPORT const char *fromauth_verify_from(const struct fromauth_verify *v)
{
	return v ? v->from : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_domain(const struct fromauth_verify *v)
{
	return v ? v->domain : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_dmarc_result(const struct fromauth_verify *v)
{
	return v ? v->dmarc_result : NULL;
}

FROMAUTH_EXPORT const struct fromauth_dmarc *fromauth_verify_dmarc(const struct fromauth_verify *v)
{
	return v ? v->dmarc : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_spf_result(const struct fromauth_verify *v)
{
	return v ? v->spf_result : NULL;
}

FROMAUTH_EXPORT const struct fromauth_spf *fromauth_verify_spf(const struct fromauth_verify *v)
{
	return v ? v->spf : NULL;
}

FROMAUTH_EXPORT int fromauth_verify_spf_aligned(const struct fromauth_verify *v)
{
	return v && v->spf ? v->spf_aligned : 0;
}

FROMAUTH_EXPORT size_t fromauth_verify_signature_count(const struct fromauth_verify *v)
{
	return v ? v->sig_count : 0;
}

static const struct fa_dkim_sig *sig_at(const struct fromauth_verify *v, size_t i)
{
	return v && i < v->sig_count ? &v->sigs[i] : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_signature_domain(const struct fromauth_verify *v, size_t i)
{
	return sig_at(v, i) ? sig_at(v, i)->d : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_signature_selector(const struct fromauth_verify *v, size_t i)
{
	return sig_at(v, i) ? sig_at(v, i)->s : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_signature_result(const struct fromauth_verify *v, size_t i)
{
	return sig_at(v, i) ? sig_at(v, i)->result : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_signature_reason(const struct fromauth_verify *v, size_t i)
{
	return sig_at(v, i) ? sig_at(v, i)->reason : NULL;
}

FROMAUTH_EXPORT int fromauth_verify_signature_aligned(const struct fromauth_verify *v, size_t i)
{
	return sig_at(v, i) ? v->sig_aligned[i] : 0;
}

FROMAUTH_EXPORT const char *fromauth_verify_authentication_results(const struct fromauth_verify *v)
{
	return v ? v->authres : NULL;
}

FROMAUTH_EXPORT size_t fromauth_verify_finding_count(const struct fromauth_verify *v)
{
	return v ? fromauth_result_finding_count(v->findings) : 0;
}

FROMAUTH_EXPORT const char *fromauth_verify_finding_code(const struct fromauth_verify *v, size_t i)
{
	return v ? fromauth_result_finding_code(v->findings, i) : NULL;
}

FROMAUTH_EXPORT int fromauth_verify_finding_severity(const struct fromauth_verify *v, size_t i)
{
	return v ? fromauth_result_finding_severity(v->findings, i) : -1;
}

FROMAUTH_EXPORT const char *fromauth_verify_finding_message(const struct fromauth_verify *v, size_t i)
{
	return v ? fromauth_result_finding_message(v->findings, i) : NULL;
}

FROMAUTH_EXPORT size_t fromauth_verify_finding_fix_count(const struct fromauth_verify *v, size_t i)
{
	return v ? fromauth_result_finding_fix_count(v->findings, i) : 0;
}

FROMAUTH_EXPORT const char *fromauth_verify_finding_fix(const struct fromauth_verify *v, size_t i,
							size_t j)
{
	return v ? fromauth_result_finding_fix(v->findings, i, j) : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_fixed_dmarc_result(const struct fromauth_verify *v)
{
	return v ? v->fixed_dmarc_result : NULL;
}

FROMAUTH_EXPORT const char *fromauth_verify_json(const struct fromauth_verify *v)
{
	return v ? v->json : NULL;
}
