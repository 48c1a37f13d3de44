/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Receivers' sender rules and blocklist reputation.  Each rule is a row
 * decided from what the check already found (SPF, DKIM, DMARC,
 * alignment, key sizes) plus a few lookups of its own: forward-confirmed
 * reverse DNS of the sampled service addresses, SOA and MX of the sender
 * domains, and, only when asked, the blocklists.  What DNS cannot show
 * (TLS, complaint rates, message headers) is a row "not_checked", never
 * a pass.  Sources: the receivers' own pages as captured in 2024-2026;
 * where those disagree or are silent, the row says so.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "result.h"
#include "dkim.h"
#include "dmarc.h"
#include "dnsbl.h"
#include "rules.h"
#include "spf.h"

#define MAX_FCRDNS_ADDRS 16
#define MAX_PTR_NAMES 4

enum kind {
	K_NOT_CHECKED,
	K_AUTH_ANY,             /* SPF or DKIM passes */
	K_AUTH_BOTH,
	K_SPF,
	K_DKIM,
	K_DMARC_RECORD,         /* a record that states a policy */
	K_ALIGNED,
	K_DMARC_PASS,           /* record with a policy and an aligned pass */
	K_DMARC_ENFORCED,       /* the domain's own policy lets the mail through */
	K_FCRDNS,
	K_DKIM_BITS,
	K_DKIM_SHA256,
	K_SPF_HARDFAIL,
	K_NOT_GMAIL,
	K_RESOLVES,
	K_NULL_MX,
	K_SPAMHAUS_IP,          /* any ZEN listing */
	K_SPAMHAUS_BLOCK,       /* SBL, CSS, XBL: not the PBL */
	K_DYNAMIC_IP,           /* the PBL */
	K_SPF_LOOKUPS,
	K_SPF_DENY_ALL,
};

struct row {
	unsigned int receiver;  /* FROMAUTH_CHECK_RULES_* */
	const char *tier;
	enum kind kind;
	const char *requirement;
	const char *code;
	const char *action;     /* what the receiver does; why not checked */
};

#define GMAIL FROMAUTH_CHECK_RULES_GMAIL
#define YAHOO FROMAUTH_CHECK_RULES_YAHOO
#define OUTLOOK FROMAUTH_CHECK_RULES_OUTLOOK
#define APPLE FROMAUTH_CHECK_RULES_APPLE

#define YAHOO_CODES "421/451, 553/554"
#define YAHOO_DOES "Yahoo defers (421/451) or rejects (553/554) such mail; it publishes reply classes, not exact codes."
#define MS_DOES "Outlook.com refuses such mail from senders of over 5,000 messages a day with 550 5.7.515 (its blog: from 2025-05-05; its policies page still says junk folder first - which applies today is unconfirmed)."
#define APPLE_DOES "iCloud Mail rejects mail that misses one of its requirements (no reply code published)."
#define NC_SESSION "A property of the SMTP session, not visible in DNS."
#define NC_MESSAGE "A property of each message, not visible in DNS."
#define NC_DATA "Only the receiver's complaint and traffic data show this."

static const struct row rows[] = {
	/* Gmail: support.google.com/mail/answer/81126, a/answer/14229414,
	 * a/answer/3726730 */
	{ GMAIL, "all", K_AUTH_ANY, "SPF or DKIM passes", "421 4.7.26 / 550 5.7.26",
	  "Gmail rate-limits (421 4.7.26) or rejects (550 5.7.26) unauthenticated mail." },
	{ GMAIL, "bulk", K_AUTH_BOTH, "SPF and DKIM both pass",
	  "421 4.7.27 / 550 5.7.27 (SPF), 421 4.7.30 / 550 5.7.30 (DKIM)",
	  "Gmail rate-limits (4.7.27 SPF, 4.7.30 DKIM) or rejects (5.7.27, 5.7.30) bulk mail that lacks either." },
	{ GMAIL, "bulk", K_DMARC_RECORD, "a DMARC record stating a policy (p=none is enough)",
	  "550 5.7.40",
	  "Gmail blocks such bulk mail (550 5.7.40) or rate-limits it (421 4.7.40 on its error page, 4.7.31 in its FAQ: Google's pages disagree)." },
	{ GMAIL, "bulk", K_ALIGNED, "From domain aligned with the SPF or the DKIM domain", "421 4.7.32",
	  "Gmail rate-limits unaligned bulk mail (421 4.7.32) and blocks it (printed as 5.7.32)." },
	{ GMAIL, "all", K_FCRDNS, "forward-confirmed reverse DNS for the sending addresses",
	  "451 4.7.23 / 550 5.7.25",
	  "Gmail rate-limits (451 4.7.23) or blocks (550 5.7.25) mail from addresses without it." },
	{ GMAIL, "all", K_DKIM_BITS, "DKIM key of at least 1024 bits (2048 advised)", "",
	  "Gmail treats a shorter key as a DKIM failure (no reply code published)." },
	{ GMAIL, "all", K_DKIM_SHA256, "DKIM key not restricted to rsa-sha1 (h=sha1, RFC 8301)", "",
	  "RFC 8301 verifiers ignore sha1 signatures, so DKIM fails." },
	{ GMAIL, "all", K_SPF_HARDFAIL, "SPF does not fail (-all) for the sending addresses", "550 5.7.26",
	  "Gmail rejects mail failing an SPF -all policy (550 5.7.26)." },
	{ GMAIL, "all", K_DMARC_ENFORCED, "mail passes the From domain's own DMARC policy", "550 5.7.26",
	  "Gmail applies the policy: it rejects under p=reject (550 5.7.26; 451 4.7.26 when the lookup fails) and spam-folders under p=quarantine." },
	{ GMAIL, "all", K_NOT_GMAIL, "From is not a gmail.com or googlemail.com address", "",
	  "Gmail applies a DMARC quarantine policy to its own domains sent from elsewhere, and defers bulk spoofers (no reply code published)." },
	{ GMAIL, "all", K_NOT_CHECKED, "TLS for the SMTP connection", "421 4.7.29 / 550 5.7.29", NC_SESSION },
	{ GMAIL, "all", K_NOT_CHECKED, "spam rate in Postmaster Tools below 0.3% (aim for 0.1%)", "", NC_DATA },
	{ GMAIL, "all", K_NOT_CHECKED, "messages formatted per RFC 5322", "550 5.7.1", NC_MESSAGE },
	{ GMAIL, "all", K_NOT_CHECKED, "SPF record without \"suspicious entries\"", "451 4.7.24 / 550 5.7.24",
	  "Google does not say what counts as suspicious." },
	{ GMAIL, "all", K_NOT_CHECKED, "within Gmail's rate limits", "421 4.7.28", NC_DATA },
	{ GMAIL, "all", K_NOT_CHECKED, "good sending IP and domain reputation at Google", "421 4.7.0 / 550 5.7.1",
	  "Google's own data; public blocklists (--reputation) are only a proxy." },
	{ GMAIL, "all", K_NOT_CHECKED, "your and linked domains clean in Google Safe Browsing", "",
	  "Not in DNS." },
	{ GMAIL, "bulk", K_NOT_CHECKED, "one-click unsubscribe (RFC 8058, HTTPS) in marketing mail", "", NC_MESSAGE },
	{ GMAIL, "bulk", K_NOT_CHECKED, "unsubscribes honoured within 48 hours", "", NC_DATA },

	/* Yahoo: senders.yahooinc.com best practices, FAQ, SMTP error codes */
	{ YAHOO, "all", K_AUTH_ANY, "SPF or DKIM passes", YAHOO_CODES, YAHOO_DOES },
	{ YAHOO, "bulk", K_AUTH_BOTH, "SPF and DKIM both pass", YAHOO_CODES, YAHOO_DOES },
	{ YAHOO, "bulk", K_DMARC_PASS, "a DMARC policy (p=none or stronger) that passes, From aligned with SPF or DKIM",
	  YAHOO_CODES, YAHOO_DOES },
	{ YAHOO, "all", K_FCRDNS, "valid forward and reverse DNS for the sending addresses", "",
	  "Yahoo lowers the reputation of addresses without it (no reply code published)." },
	{ YAHOO, "all", K_DKIM_BITS, "DKIM key of at least 1024 bits (2048 advised)", "",
	  "Yahoo requires 1024 bits; a shorter key does not verify." },
	{ YAHOO, "all", K_DKIM_SHA256, "DKIM key not restricted to rsa-sha1 (h=sha1, RFC 8301)", "",
	  "RFC 8301 verifiers ignore sha1 signatures, so DKIM fails." },
	{ YAHOO, "all", K_RESOLVES, "MAIL FROM and From domains resolve (Yahoo asks for their SOA)", "451 / 554",
	  "Yahoo defers (451) when the lookup fails and rejects (554 \"Unresolvable RFC.5321 or RFC.5322 from domain\") a domain that does not exist." },
	{ YAHOO, "all", K_NULL_MX, "no null MX (RFC 7505) on the MAIL FROM and From domains", "550 / 554",
	  "Yahoo rejects mail from a domain whose null MX says it takes no mail (550/554)." },
	{ YAHOO, "all", K_SPAMHAUS_IP, "sending addresses not listed by Spamhaus", "553 / 554",
	  "Yahoo names a Spamhaus listing among the causes of its permanent errors (553/554)." },
	{ YAHOO, "all", K_NOT_CHECKED, "spam complaint rate below 0.3%", "", NC_DATA },
	{ YAHOO, "all", K_NOT_CHECKED, "RFC 5321 and RFC 5322 compliance", "", NC_MESSAGE },
	{ YAHOO, "all", K_NOT_CHECKED, "DKIM signature where the signing domain's policy demands one", "",
	  "Needs the message's signatures, not only DNS." },
	{ YAHOO, "all", K_NOT_CHECKED, "ARC headers when forwarding (recommended)", "", NC_MESSAGE },
	{ YAHOO, "bulk", K_NOT_CHECKED, "one-click unsubscribe (List-Unsubscribe; mailto: accepted), honoured within 2 days",
	  "", NC_MESSAGE },

	/* Outlook.com: Microsoft Defender blog 2025-04-02 (v4.0), postmaster
	 * policies and troubleshooting pages */
	{ OUTLOOK, "bulk", K_SPF, "SPF passes", "550 5.7.515", MS_DOES },
	{ OUTLOOK, "bulk", K_DKIM, "DKIM passes", "550 5.7.515", MS_DOES },
	{ OUTLOOK, "bulk", K_DMARC_PASS, "DMARC of at least p=none, aligned with SPF or DKIM", "550 5.7.515",
	  MS_DOES },
	{ OUTLOOK, "all", K_FCRDNS, "valid reverse DNS for the sending addresses (checked forward-confirmed, which Microsoft does not spell out)", "",
	  "Outlook.com \"may not accept\" mail from senders failing a reverse-DNS lookup (no reply code published)." },
	{ OUTLOOK, "all", K_SPAMHAUS_BLOCK, "sending addresses not on Spamhaus's block lists (SBL, CSS, XBL)", "550 OU-001",
	  "Outlook.com rejects such mail (550 OU-001) and points to Spamhaus for removal." },
	{ OUTLOOK, "all", K_DYNAMIC_IP, "no sending from dynamic address space (Spamhaus PBL)", "550 DY-001",
	  "Outlook.com rejects mail from dynamic addresses (550 DY-001)." },
	{ OUTLOOK, "all", K_SPF_LOOKUPS, "SPF needs at most 10 DNS lookups", "",
	  "Past 10 lookups receivers return permerror, so SPF fails." },
	{ OUTLOOK, "all", K_SPF_DENY_ALL, "MAIL FROM domain does not publish \"v=spf1 -all\" (sends nothing)", "550",
	  "Outlook.com rejects it (\"550 command rejected due to Sender ID validation failure\")." },
	{ OUTLOOK, "bulk", K_NOT_CHECKED, "working unsubscribe link, valid From and Reply-To, list hygiene", "",
	  NC_MESSAGE },
	{ OUTLOOK, "all", K_NOT_CHECKED, "at most 500 simultaneous connections", "", NC_SESSION },

	/* Apple iCloud Mail: support.apple.com/en-us/102322 (2025-02-25) */
	{ APPLE, "bulk", K_AUTH_BOTH, "SPF and DKIM both pass", "", APPLE_DOES },
	{ APPLE, "bulk", K_DMARC_RECORD, "the sending domain publishes a DMARC policy", "", APPLE_DOES },
	{ APPLE, "bulk", K_FCRDNS, "reverse DNS for the sending addresses (Apple asks for a name of your domain; only forward confirmation is checked)",
	  "", APPLE_DOES },
	{ APPLE, "bulk", K_NOT_CHECKED, "ARC on forwarded mail", "", NC_MESSAGE },
	{ APPLE, "bulk", K_NOT_CHECKED, "RFC 5321 and RFC 5322 compliance", "", NC_MESSAGE },
	{ APPLE, "bulk", K_NOT_CHECKED, "an unsubscribe link", "", NC_MESSAGE },
	{ APPLE, "bulk", K_NOT_CHECKED, "consistent sending addresses, domains and From", "", NC_DATA },
	{ APPLE, "bulk", K_NOT_CHECKED, "opt-in recipients only, bounces handled", "", NC_DATA },
};

static const char *receiver_name(unsigned int bit)
{
	switch (bit) {
	case GMAIL: return "gmail";
	case YAHOO: return "yahoo";
	case OUTLOOK: return "outlook";
	case APPLE: return "apple";
	}
	return "";
}

/* ---- what the check found ---------------------------------------------- */

struct state {
	struct fa_dns_req req;
	struct fromauth_result *r;
	unsigned int flags;
	int spf_pass, spf_temp, spf_hardfail;
	int dkim_valid, dkim_temp;
	int align_temp;
	/* sender domains: SOA status (enum fa_dns_status) of D and M, null MX */
	int soa[2], null_mx[2], mx_temp[2];
	/* Spamhaus ZEN on the sampled addresses */
	int zen_listed, zen_pbl, zen_unknown, zen_checked;
	const char *zen_finding;        /* why ZEN gave no usable answer */
	const struct fa_dnsbl_list *lists;      /* the caller's, or NULL */
	size_t nlists;
	char zen_detail[512];
};

struct outcome {
	int status;
	char *message;
	const char *finding;
};

/* The first code of @codes (in order of preference) that the check
 * reported: the finding whose fix makes the row pass. */
static const char *link_finding(const struct fromauth_result *r, const char *const *codes)
{
	for (; *codes; codes++)
		for (size_t i = 0; i < r->finding_count; i++)
			if (!strcmp(r->findings[i].code, *codes))
				return r->findings[i].code;
	return NULL;
}

static const char *const spf_fixes[] = {
	"spf.multiple", "spf.syntax", "spf.lookup_limit", "spf.void_limit", "spf.include_missing",
	"spf.none", "spf.partial", "spf.fail", "spf.softfail", "spf.neutral", "spf.temperror",
	"spf.not_used", "service.no_ranges", NULL,
};
static const char *const dkim_fixes[] = {
	"dkim.key_missing", "dkim.key_mismatch", "dkim.key_invalid", "dkim.key_revoked",
	"dkim.key_weak", "dkim.temperror", "dkim.none", NULL,
};
static const char *const dmarc_fixes[] = {
	"dmarc.temperror", "dmarc.multiple", "dmarc.none", "dmarc.syntax", NULL,
};
static const char *const align_fixes[] = {
	"spf.unaligned", "dkim.unaligned", "spf.include_missing", "spf.none", "dkim.key_missing",
	"dkim.key_mismatch", "dkim.key_invalid", "dkim.key_revoked", "dkim.key_weak",
	"spf.not_used", "dkim.none", NULL,
};

/* Value of tag @tag in a tag=value; list (DKIM key, DMARC record), or
 * NULL; *len gets its length. */
static const char *tag_value(const char *rec, const char *tag, size_t *len)
{
	size_t tl = strlen(tag);
	for (const char *p = rec; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq) {
			const char *ne = eq;
			while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
				ne--;
			if ((size_t)(ne - p) == tl && !strncasecmp(p, tag, tl)) {
				const char *v = eq + 1;
				while (v < end && (*v == ' ' || *v == '\t'))
					v++;
				*len = (size_t)(end - v);
				return v;
			}
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/* Does the colon-separated list @v hold @item? */
static int list_has(const char *v, size_t len, const char *item)
{
	size_t il = strlen(item);
	for (size_t i = 0; i < len;) {
		while (i < len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		size_t s = i;
		while (i < len && v[i] != ':')
			i++;
		size_t e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == il && !strncasecmp(v + s, item, il))
			return 1;
		i++;
	}
	return 0;
}

static void gather(struct state *st)
{
	struct fromauth_result *r = st->r;
	st->spf_pass = r->spf_summary && !strcmp(r->spf_summary, "pass");
	for (size_t i = 0; i < r->spf_count; i++) {
		int res = fromauth_spf_result(r->spf[i]);
		st->spf_temp |= res == FROMAUTH_SPF_TEMPERROR;
		st->spf_hardfail |= res == FROMAUTH_SPF_FAIL;
	}
	st->spf_temp |= r->spf_analysis && r->spf_analysis->temperror;
	for (size_t i = 0; i < r->dkim_count; i++) {
		int s = fromauth_dkim_status(r->dkim[i].key);
		st->dkim_valid |= s == FROMAUTH_DKIM_VALID;
		st->dkim_temp |= s == FROMAUTH_DKIM_TEMPERROR;
		st->align_temp |= s == FROMAUTH_DKIM_VALID && r->dkim[i].aligned < 0;
	}
	/* The check says when a lookup left SPF, DKIM or DMARC undecided,
	 * alignment included. */
	st->align_temp |= st->spf_temp || st->dkim_temp ||
			  link_finding(r, (const char *const[]){ "spf.temperror", "dkim.temperror",
								  "dmarc.temperror", NULL });
}

/* ---- lookups of the rules' own -------------------------------------- */

/* PTR of @ip, then A/AAAA of each name back to @ip. */
static int fcrdns_one(struct state *st, const char *ip, struct fa_fcrdns *out)
{
	char rev[128];
	unsigned char bin[16];
	int family = fa_reverse_name(ip, "", rev, sizeof(rev));
	if (family < 0)
		return FROMAUTH_OK;
	size_t alen = family == AF_INET ? 4 : 16;
	inet_pton(family, ip, bin);
	fa_reverse_name(ip, family == AF_INET ? "in-addr.arpa" : "ip6.arpa", rev, sizeof(rev));
	out->ip = strdup(ip);
	if (!out->ip)
		return FROMAUTH_E_NOMEM;

	struct fa_dns_answer *ptr = NULL;
	int rc = fa_dns_query(&st->req, rev, FA_RR_PTR, &ptr, NULL);
	if (rc)
		return rc;
	char names[MAX_PTR_NAMES * 256 + 1] = "";
	char detail[1024] = "";
	int status;
	if (fa_dns_status_is_temporary(ptr->status)) {
		status = FROMAUTH_RULE_UNKNOWN;
		snprintf(detail, sizeof(detail), "%s: the PTR lookup of %s failed (%s)", ip, rev,
			 fromauth_dns_status_name(ptr->status));
	} else if (ptr->status != FA_DNS_OK || ptr->count == 0) {
		status = FROMAUTH_RULE_FAIL;
		snprintf(detail, sizeof(detail), "%s: no PTR record at %s", ip, rev);
	} else {
		int confirmed = 0, temp = 0;
		const char *good = NULL;
		for (size_t i = 0; i < ptr->count && i < MAX_PTR_NAMES; i++) {
			const char *name = (const char *)ptr->rrs[i].data;
			size_t n = strlen(names);
			snprintf(names + n, sizeof(names) - n, "%s%s", n ? " " : "", name);
			struct fa_dns_answer *fw = NULL;
			rc = fa_dns_query(&st->req, name, family == AF_INET ? FA_RR_A : FA_RR_AAAA, &fw, NULL);
			if (rc == FROMAUTH_E_DOMAIN) {
				rc = FROMAUTH_OK;
				continue;       /* a PTR name we cannot ask for confirms nothing */
			}
			if (rc) {
				fa_dns_answer_release(ptr);
				return rc;
			}
			temp |= fa_dns_status_is_temporary(fw->status);
			for (size_t k = 0; k < fw->count && !confirmed; k++)
				if (fw->rrs[k].len == alen && !memcmp(fw->rrs[k].data, bin, alen)) {
					confirmed = 1;
					good = name;
				}
			fa_dns_answer_release(fw);
			if (confirmed)
				break;
		}
		if (confirmed) {
			status = FROMAUTH_RULE_PASS;
			snprintf(detail, sizeof(detail), "%s: PTR %s, which resolves back to it", ip, good);
		} else if (temp) {
			status = FROMAUTH_RULE_UNKNOWN;
			snprintf(detail, sizeof(detail), "%s: PTR %s, whose address lookup failed", ip, names);
		} else {
			status = FROMAUTH_RULE_FAIL;
			snprintf(detail, sizeof(detail), "%s: PTR %s, which does not resolve back to it", ip, names);
		}
	}
	fa_dns_answer_release(ptr);
	out->status = status;
	out->ptr = strdup(names);
	out->detail = strdup(detail);
	return out->ptr && out->detail ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
}

static int fcrdns_all(struct state *st)
{
	struct fromauth_result *r = st->r;
	r->fcrdns = calloc(r->spf_count ? r->spf_count : 1, sizeof(*r->fcrdns));
	if (!r->fcrdns)
		return FROMAUTH_E_NOMEM;
	for (size_t i = 0; i < r->spf_count && r->fcrdns_count < MAX_FCRDNS_ADDRS; i++) {
		const char *ip = fromauth_spf_ip(r->spf[i]);
		int seen = 0;
		for (size_t k = 0; k < r->fcrdns_count && !seen; k++)
			seen = !strcmp(r->fcrdns[k].ip, ip);
		if (seen)
			continue;
		struct fa_fcrdns *f = &r->fcrdns[r->fcrdns_count];
		int rc = fcrdns_one(st, ip, f);
		if (f->ip)
			r->fcrdns_count++;
		if (rc)
			return rc;
	}
	return FROMAUTH_OK;
}

/* SOA (existence as Yahoo tests it) and MX (null MX) of D and M. */
static int sender_domains(struct state *st)
{
	const char *doms[2] = { st->r->domain, st->r->mail_from };
	for (int i = 0; i < 2; i++) {
		struct fa_dns_answer *a = NULL;
		int rc = fa_dns_query(&st->req, doms[i], FA_RR_SOA, &a, NULL);
		if (rc)
			return rc;
		st->soa[i] = a->status;
		fa_dns_answer_release(a);
		rc = fa_dns_query(&st->req, doms[i], FA_RR_MX, &a, NULL);
		if (rc)
			return rc;
		/* RFC 7505: exactly one MX, preference 0, the root as host. */
		st->null_mx[i] = a->status == FA_DNS_OK && a->count == 1 && a->rrs[0].preference == 0 &&
				 (a->rrs[0].len == 0 || !strcmp((const char *)a->rrs[0].data, "."));
		st->mx_temp[i] = fa_dns_status_is_temporary(a->status);
		fa_dns_answer_release(a);
	}
	return FROMAUTH_OK;
}

/* ---- reputation -------------------------------------------------------- */

static const char *zone_state_name(int state)
{
	switch (state) {
	case FA_DNSBL_ZONE_OK: return "ok";
	case FA_DNSBL_ZONE_BROKEN: return "broken";
	case FA_DNSBL_ZONE_UNUSABLE: return "unusable";
	case FA_DNSBL_ZONE_REFUSED: return "refused";
	}
	return "error";
}

struct target {
	const char *name;
	const char *what;
};

static int add_lookup(struct fromauth_result *r, const struct fa_dnsbl_list *l,
		      const struct target *t, const char *asked, int status, const char *codes,
		      const char *reason)
{
	struct fa_reputation *p = realloc(r->reputation, (r->reputation_count + 1) * sizeof(*p));
	if (!p)
		return FROMAUTH_E_NOMEM;
	r->reputation = p;
	p = &p[r->reputation_count];
	memset(p, 0, sizeof(*p));
	p->what = t->what;
	p->status = status;
	p->zone = strdup(l->zone);
	p->target = strdup(asked);
	p->codes = strdup(codes);
	p->reason = strdup(reason);
	r->reputation_count++;
	return p->zone && p->target && p->codes && p->reason ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
}

static int is_pbl(const char *codes)
{
	return strstr(codes, "127.0.0.10") || strstr(codes, "127.0.0.11");
}

static int reputation_list(struct state *st, const struct fa_dnsbl_list *l,
			   const struct target *targets, size_t ntargets)
{
	struct fromauth_result *r = st->r;
	int state;
	char why[1024];
	int rc = fa_dnsbl_selftest(&st->req, l, &state, why, sizeof(why));
	if (rc)
		return rc;
	struct fa_reputation_zone *z = realloc(r->reputation_zones,
					       (r->reputation_zone_count + 1) * sizeof(*z));
	if (!z)
		return FROMAUTH_E_NOMEM;
	r->reputation_zones = z;
	z = &z[r->reputation_zone_count++];
	z->state = zone_state_name(state);
	z->zone = strdup(l->zone);
	z->why = strdup(why);
	if (!z->zone || !z->why)
		return FROMAUTH_E_NOMEM;

	int offline = fa_dns_is_offline(st->req.dns);
	int zen = !strcmp(l->zone, "zen.spamhaus.org");
	if (zen && state != FA_DNSBL_ZONE_OK)
		st->zen_finding = state == FA_DNSBL_ZONE_BROKEN ? "reputation.list_broken"
				  : state == FA_DNSBL_ZONE_ERROR ? "reputation.temperror"
				  : "reputation.refused";
	switch (state) {
	case FA_DNSBL_ZONE_BROKEN:
		fa_finding_add(r, "reputation.list_broken", FROMAUTH_SEVERITY_WARNING,
			       "The blocklist %s failed its self-test: %s.", l->zone, why);
		break;
	case FA_DNSBL_ZONE_UNUSABLE:
	case FA_DNSBL_ZONE_REFUSED:
		fa_finding_add(r, "reputation.refused",
			       offline && state == FA_DNSBL_ZONE_UNUSABLE ? FROMAUTH_SEVERITY_INFO
			       : FROMAUTH_SEVERITY_WARNING,
			       "The blocklist %s was not usable: %s. This says nothing about the sender; query through a resolver of your own that does not forward to a public one.",
			       l->zone, why);
		break;
	case FA_DNSBL_ZONE_ERROR:
		fa_finding_add(r, "reputation.temperror", FROMAUTH_SEVERITY_WARNING,
			       "The blocklist %s could not be tested: %s; check again later.", l->zone, why);
		break;
	}

	int refused_reported = state == FA_DNSBL_ZONE_REFUSED || state == FA_DNSBL_ZONE_UNUSABLE;
	for (size_t i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];
		int ip = !strcmp(t->what, "service address");
		if (ip != (l->kind == FA_DNSBL_IP))
			continue;
		const char *asked = t->name;
		/* Registered-domain lists: the organizational domain when the
		 * name is under the From domain's. */
		if (l->registered && r->org_domain && fa_domain_is_within(t->name, r->org_domain))
			asked = r->org_domain;
		int dup = 0;
		for (size_t k = 0; k < r->reputation_count && !dup; k++)
			dup = !strcmp(r->reputation[k].zone, l->zone) && !strcmp(r->reputation[k].target, asked);
		if (dup)
			continue;
		if (l->kind == FA_DNSBL_IP && !l->ipv6 && strchr(asked, ':'))
			continue;       /* an IPv4-only list */
		if (state != FA_DNSBL_ZONE_OK) {
			/* Untested answers are not used, nor even asked for;
			 * the zone's self-test says why. */
			if (ip && !strcmp(l->zone, "zen.spamhaus.org"))
				st->zen_unknown = 1;
			continue;
		}
		struct fa_dnsbl_answer a;
		rc = fa_dnsbl_lookup(&st->req, l, asked, &a);
		if (rc == FROMAUTH_E_IP || rc == FROMAUTH_E_DOMAIN)
			continue;
		if (rc)
			return rc;
		char reason[1400] = "";
		if (a.status == FA_DNSBL_LISTED)
			snprintf(reason, sizeof(reason), "%s%s%s; look it up and request delisting at %s",
				 a.meaning, *a.txt ? "; the list says: " : "", a.txt, l->delist);
		else if (a.status != FA_DNSBL_NOT_LISTED)
			snprintf(reason, sizeof(reason), "%s%s%s", a.meaning,
				 *a.txt ? "; the list says: " : "", a.txt);
		if ((rc = add_lookup(r, l, t, asked, a.status, a.codes, reason)))
			return rc;
		if (ip && !strcmp(l->zone, "zen.spamhaus.org")) {
			st->zen_checked = 1;
			if (a.status == FA_DNSBL_LISTED) {
				size_t n = strlen(st->zen_detail);
				snprintf(st->zen_detail + n, sizeof(st->zen_detail) - n, "%s%s (%s)",
					 n ? "; " : "", asked, a.codes);
				if (is_pbl(a.codes))
					st->zen_pbl = 1;
				if (!is_pbl(a.codes) || strchr(a.codes, ','))
					st->zen_listed = 1;
			} else if (a.status != FA_DNSBL_NOT_LISTED) {
				st->zen_unknown = 1;
				if (a.status == FA_DNSBL_REFUSED)
					st->zen_finding = "reputation.refused";
			}
		}
		switch (a.status) {
		case FA_DNSBL_LISTED:
			if (ip)
				fa_finding_add(r, "reputation.ip_listed", FROMAUTH_SEVERITY_ERROR,
					       "The service address %s is listed on %s (%s: %s): receivers using the list refuse or spam-folder mail from it. Only the service can have it removed: ask it to, or to send from other addresses.",
					       asked, l->zone, a.codes, reason);
			else
				fa_finding_add(r, "reputation.domain_listed", FROMAUTH_SEVERITY_ERROR,
					       "The %s %s is listed on %s (%s: %s): receivers using the list refuse or spam-folder mail naming it. Remove the cause first, then request delisting.",
					       t->what, asked, l->zone, a.codes, reason);
			break;
		case FA_DNSBL_REFUSED:
			if (!refused_reported)
				fa_finding_add(r, "reputation.refused", FROMAUTH_SEVERITY_WARNING,
					       "%s refused the query for %s (%s: %s): its answer says nothing about the sender. Query through a resolver of your own that does not forward to a public one.",
					       l->zone, asked, a.codes, reason);
			refused_reported = 1;
			break;
		case FA_DNSBL_ERROR:
			if (ip && zen)
				st->zen_finding = "reputation.temperror";
			fa_finding_add(r, "reputation.temperror", FROMAUTH_SEVERITY_WARNING,
				       "The lookup of %s on %s failed (%s); check again later.",
				       asked, l->zone, reason);
			break;
		}
	}
	return FROMAUTH_OK;
}

static int reputation(struct state *st)
{
	struct fromauth_result *r = st->r;
	size_t cap = 2 + r->dkim_count + MAX_FCRDNS_ADDRS, n = 0;
	struct target *t = calloc(cap, sizeof(*t));
	if (!t)
		return FROMAUTH_E_NOMEM;
	t[n++] = (struct target){ r->domain, "From domain" };
	if (strcasecmp(r->mail_from, r->domain))
		t[n++] = (struct target){ r->mail_from, "MAIL FROM domain" };
	for (size_t i = 0; i < r->dkim_count; i++)
		t[n++] = (struct target){ fromauth_dkim_domain(r->dkim[i].key), "DKIM signing domain" };
	for (size_t i = 0; i < r->spf_count && n < cap; i++)
		t[n++] = (struct target){ fromauth_spf_ip(r->spf[i]), "service address" };

	size_t nlists = st->nlists;
	const struct fa_dnsbl_list *lists = nlists ? st->lists : fa_dnsbl_defaults(&nlists);
	int rc = FROMAUTH_OK;
	for (size_t i = 0; i < nlists && !rc; i++)
		rc = reputation_list(st, &lists[i], t, n);
	free(t);
	return rc;
}

/* ---- the rows ------------------------------------------------------------ */

static void set(struct outcome *o, int status, const char *finding, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct outcome *o, int status, const char *finding, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&o->message, fmt, ap) < 0)
		o->message = NULL;
	va_end(ap);
	o->status = status;
	o->finding = status == FROMAUTH_RULE_PASS ? NULL : finding;
}

static const char *first_valid_key(const struct fromauth_result *r, char *buf, size_t len)
{
	for (size_t i = 0; i < r->dkim_count; i++)
		if (fromauth_dkim_status(r->dkim[i].key) == FROMAUTH_DKIM_VALID) {
			snprintf(buf, len, "%s._domainkey.%s", fromauth_dkim_selector(r->dkim[i].key),
				 fromauth_dkim_domain(r->dkim[i].key));
			return buf;
		}
	return "(none)";
}

static void spf_part(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	if (st->spf_pass)
		set(o, FROMAUTH_RULE_PASS, NULL, "SPF at %s passes for all %zu sampled service addresses.",
		    r->mail_from, r->spf_count);
	else if (st->spf_temp)
		set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, spf_fixes),
		    "SPF at %s could not be evaluated (a lookup failed).", r->mail_from);
	else
		set(o, FROMAUTH_RULE_FAIL, link_finding(r, spf_fixes), "SPF at %s gives %s.",
		    r->mail_from, r->spf_summary ? r->spf_summary : "none");
}

static void dkim_part(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	char key[600];
	if (st->dkim_valid)
		set(o, FROMAUTH_RULE_PASS, NULL, "The DKIM key %s is valid.",
		    first_valid_key(r, key, sizeof(key)));
	else if (st->dkim_temp)
		set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, dkim_fixes),
		    "The DKIM key could not be looked up.");
	else if (r->dkim_count == 0)
		set(o, FROMAUTH_RULE_FAIL, link_finding(r, dkim_fixes),
		    "The service does not sign mail for %s.", r->domain);
	else
		set(o, FROMAUTH_RULE_FAIL, link_finding(r, dkim_fixes),
		    "No valid DKIM key: %s._domainkey.%s is %s.",
		    fromauth_dkim_selector(r->dkim[0].key), fromauth_dkim_domain(r->dkim[0].key),
		    fromauth_dkim_status_name(fromauth_dkim_status(r->dkim[0].key)));
}

/* Two parts into one: the worse status, both messages. */
static void combine(struct outcome *o, struct outcome *a, struct outcome *b, int need_both)
{
	static const int rank_all[] = { [FROMAUTH_RULE_PASS] = 0, [FROMAUTH_RULE_UNKNOWN] = 1,
					[FROMAUTH_RULE_FAIL] = 2 };
	int sa = a->status, sb = b->status, status;
	if (need_both)
		status = rank_all[sa] >= rank_all[sb] ? sa : sb;
	else
		status = sa == FROMAUTH_RULE_PASS || sb == FROMAUTH_RULE_PASS ? FROMAUTH_RULE_PASS
			 : sa == FROMAUTH_RULE_UNKNOWN || sb == FROMAUTH_RULE_UNKNOWN ? FROMAUTH_RULE_UNKNOWN
			 : FROMAUTH_RULE_FAIL;
	const char *finding = a->status != FROMAUTH_RULE_PASS && a->finding ? a->finding : b->finding;
	set(o, status, finding, "%s %s", a->message ? a->message : "", b->message ? b->message : "");
	free(a->message);
	free(b->message);
}

static int dmarc_states_policy(const struct fromauth_result *r)
{
	size_t len;
	const char *rec = fromauth_dmarc_record(r->dmarc);
	return rec && tag_value(rec, "p", &len) != NULL;
}

static void dmarc_record(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	const struct fromauth_dmarc *d = r->dmarc;
	if (fa_dmarc_temperror(d))
		set(o, FROMAUTH_RULE_UNKNOWN, "dmarc.temperror", "The DMARC record of %s could not be looked up.",
		    r->domain);
	else if (fromauth_dmarc_policy(d) == FROMAUTH_DMARC_POLICY_ABSENT)
		set(o, FROMAUTH_RULE_FAIL, link_finding(r, dmarc_fixes), "%s has no valid DMARC record.",
		    r->domain);
	else if (!dmarc_states_policy(r))
		set(o, FROMAUTH_RULE_FAIL, link_finding(r, dmarc_fixes),
		    "The DMARC record at _dmarc.%s has no p= tag, which Gmail counts as stating no policy.",
		    fromauth_dmarc_record_domain(d));
	else
		set(o, FROMAUTH_RULE_PASS, NULL, "_dmarc.%s states the policy %s.",
		    fromauth_dmarc_record_domain(d), fromauth_dmarc_policy_name(fromauth_dmarc_policy(d)));
}

static void aligned(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	if (r->spf_aligned || r->dkim_aligned)
		set(o, FROMAUTH_RULE_PASS, NULL, "%s is aligned with %s.", r->domain,
		    r->spf_aligned && r->dkim_aligned ? "SPF and DKIM" : r->spf_aligned ? "SPF" : "DKIM");
	else if (st->align_temp)
		set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, align_fixes),
		    "Alignment with %s could not be told (a lookup failed).", r->domain);
	else
		set(o, FROMAUTH_RULE_FAIL, link_finding(r, align_fixes),
		    "Neither SPF nor DKIM passes aligned with %s.", r->domain);
}

static void dkim_bits(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	size_t valid = 0;
	unsigned int smallest = 0;
	for (size_t i = 0; i < r->dkim_count; i++) {
		const struct fromauth_dkim *k = r->dkim[i].key;
		if (fromauth_dkim_status(k) == FROMAUTH_DKIM_WEAK) {
			set(o, FROMAUTH_RULE_FAIL, "dkim.key_weak", "The DKIM key %s._domainkey.%s has %u bits.",
			    fromauth_dkim_selector(k), fromauth_dkim_domain(k), fromauth_dkim_key_bits(k));
			return;
		}
		if (fromauth_dkim_status(k) != FROMAUTH_DKIM_VALID)
			continue;
		valid++;
		if (!strcmp(fromauth_dkim_key_type(k), "rsa") &&
		    (!smallest || fromauth_dkim_key_bits(k) < smallest))
			smallest = fromauth_dkim_key_bits(k);
	}
	if (valid == 0)
		set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, dkim_fixes), "No valid DKIM key to measure.");
	else if (!smallest)
		set(o, FROMAUTH_RULE_PASS, NULL, "The DKIM key is ed25519; the size rule is for RSA.");
	else
		set(o, FROMAUTH_RULE_PASS, NULL, "The smallest RSA key has %u bits%s.", smallest,
		    smallest < 2048 ? "; 2048 is advised" : "");
}

static void dkim_sha256(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	size_t read = 0;
	for (size_t i = 0; i < r->dkim_count; i++) {
		const struct fromauth_dkim *k = r->dkim[i].key;
		const char *rec = fromauth_dkim_record(k);
		if (!rec || !*rec)
			continue;
		read++;
		size_t len;
		const char *h = tag_value(rec, "h", &len);
		if (h && !list_has(h, len, "sha256")) {
			set(o, FROMAUTH_RULE_FAIL, "dkim.key_invalid",
			    "The DKIM key %s._domainkey.%s says h=%.*s: it may only sign with sha1.",
			    fromauth_dkim_selector(k), fromauth_dkim_domain(k), (int)(len > 32 ? 32 : len), h);
			return;
		}
	}
	if (read == 0)
		set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, dkim_fixes), "No DKIM key record to read.");
	else
		set(o, FROMAUTH_RULE_PASS, NULL, "No DKIM key restricts itself to sha1.");
}

static void fcrdns(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	size_t pass = 0, fail = 0, unknown = 0;
	char detail[4096] = "";
	for (size_t i = 0; i < r->fcrdns_count; i++) {
		int s = r->fcrdns[i].status;
		pass += s == FROMAUTH_RULE_PASS;
		fail += s == FROMAUTH_RULE_FAIL;
		unknown += s == FROMAUTH_RULE_UNKNOWN;
		/* Every address, so each one's PTR is reported. */
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof(detail) - n, " %s.", r->fcrdns[i].detail);
	}
	if (r->fcrdns_count == 0)
		set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, (const char *const[]){ "service.no_ranges", NULL }),
		    "The profile gives no service address to test.");
	else if (fail)
		set(o, FROMAUTH_RULE_FAIL, "rules.fcrdns",
		    "%zu of %zu sampled service addresses lack forward-confirmed reverse DNS:%s",
		    fail, r->fcrdns_count, detail);
	else if (unknown)
		set(o, FROMAUTH_RULE_UNKNOWN, NULL,
		    "%zu of %zu sampled service addresses could not be tested:%s", unknown,
		    r->fcrdns_count, detail);
	else
		set(o, FROMAUTH_RULE_PASS, NULL,
		    "All %zu sampled service addresses have a PTR name that resolves back to them:%s", pass,
		    detail);
}

static void resolves(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	const char *doms[2] = { r->domain, r->mail_from };
	for (int i = 0; i < 2; i++)
		if (st->soa[i] == FA_DNS_NXDOMAIN) {
			set(o, FROMAUTH_RULE_FAIL, i ? link_finding(r, spf_fixes) : "domain.nxdomain",
			    "The %s domain %s does not exist (NXDOMAIN for SOA).", i ? "MAIL FROM" : "From",
			    doms[i]);
			return;
		}
	for (int i = 0; i < 2; i++)
		if (fa_dns_status_is_temporary(st->soa[i])) {
			set(o, FROMAUTH_RULE_UNKNOWN, NULL, "The SOA lookup of %s failed (%s).", doms[i],
			    fromauth_dns_status_name(st->soa[i]));
			return;
		}
	if (!strcasecmp(doms[0], doms[1]))
		set(o, FROMAUTH_RULE_PASS, NULL, "%s exists (its SOA query answers without NXDOMAIN).",
		    doms[0]);
	else
		set(o, FROMAUTH_RULE_PASS, NULL, "%s and %s exist (their SOA queries answer without NXDOMAIN).",
		    doms[0], doms[1]);
}

static void null_mx(struct state *st, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	const char *doms[2] = { r->domain, r->mail_from };
	for (int i = 0; i < 2; i++)
		if (st->null_mx[i]) {
			set(o, FROMAUTH_RULE_FAIL, "rules.null_mx", "%s publishes a null MX (MX 0 .).", doms[i]);
			return;
		}
	if (st->mx_temp[0] || st->mx_temp[1])
		set(o, FROMAUTH_RULE_UNKNOWN, NULL, "The MX lookup of %s failed.",
		    st->mx_temp[0] ? doms[0] : doms[1]);
	else if (!strcasecmp(doms[0], doms[1]))
		set(o, FROMAUTH_RULE_PASS, NULL, "%s publishes no null MX.", doms[0]);
	else
		set(o, FROMAUTH_RULE_PASS, NULL, "Neither %s nor %s publishes a null MX.", doms[0], doms[1]);
}

/* @which: K_SPAMHAUS_IP, K_SPAMHAUS_BLOCK or K_DYNAMIC_IP. */
static void spamhaus(struct state *st, struct outcome *o, enum kind which)
{
	if (!(st->flags & FROMAUTH_CHECK_REPUTATION)) {
		set(o, FROMAUTH_RULE_NOT_CHECKED, NULL,
		    "Needs the blocklist lookups (fromauth check --reputation), which query Spamhaus.");
		return;
	}
	int listed = which == K_DYNAMIC_IP ? st->zen_pbl
		     : which == K_SPAMHAUS_BLOCK ? st->zen_listed : st->zen_listed || st->zen_pbl;
	if (listed)
		set(o, FROMAUTH_RULE_FAIL, "reputation.ip_listed", "zen.spamhaus.org lists %s: %s.",
		    which == K_DYNAMIC_IP ? "a sampled address as dynamic space (PBL)" : "a sampled address",
		    st->zen_detail);
	else if (st->zen_unknown || !st->zen_checked)
		set(o, FROMAUTH_RULE_UNKNOWN, st->zen_finding,
		    "zen.spamhaus.org gave no usable answer for some sampled address.");
	else
		set(o, FROMAUTH_RULE_PASS, NULL, "zen.spamhaus.org lists none of the sampled addresses%s.",
		    which == K_DYNAMIC_IP ? " as dynamic space" : which == K_SPAMHAUS_BLOCK
		    ? " on its block lists" : "");
}

static void evaluate(struct state *st, const struct row *row, struct outcome *o)
{
	const struct fromauth_result *r = st->r;
	struct outcome a = { 0 }, b = { 0 };
	switch (row->kind) {
	case K_NOT_CHECKED:
		set(o, FROMAUTH_RULE_NOT_CHECKED, NULL, "%s", row->action);
		return;
	case K_AUTH_ANY:
	case K_AUTH_BOTH:
		spf_part(st, &a);
		dkim_part(st, &b);
		combine(o, &a, &b, row->kind == K_AUTH_BOTH);
		return;
	case K_SPF:
		spf_part(st, o);
		return;
	case K_DKIM:
		dkim_part(st, o);
		return;
	case K_DMARC_RECORD:
		dmarc_record(st, o);
		return;
	case K_ALIGNED:
		aligned(st, o);
		return;
	case K_DMARC_PASS:
		dmarc_record(st, &a);
		aligned(st, &b);
		combine(o, &a, &b, 1);
		return;
	case K_DMARC_ENFORCED: {
		int eff = fromauth_dmarc_effective_policy(r->dmarc);
		if (r->spf_aligned || r->dkim_aligned)
			set(o, FROMAUTH_RULE_PASS, NULL, "DMARC passes for %s.", r->domain);
		else if (fa_dmarc_temperror(r->dmarc))
			set(o, FROMAUTH_RULE_UNKNOWN, "dmarc.temperror", "The DMARC record could not be looked up.");
		else if (eff != FROMAUTH_DMARC_POLICY_QUARANTINE && eff != FROMAUTH_DMARC_POLICY_REJECT)
			set(o, FROMAUTH_RULE_PASS, NULL,
			    "DMARC does not pass, but the policy applied to %s is %s: nothing to enforce.",
			    r->domain, fromauth_dmarc_policy_name(eff));
		else if (st->align_temp)
			set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, align_fixes),
			    "Whether DMARC passes could not be told (a lookup failed).");
		else
			set(o, FROMAUTH_RULE_FAIL, link_finding(r, (const char *const[]){
				"dmarc.fail_reject", "dmarc.fail_quarantine", NULL }),
			    "DMARC fails for %s under its policy %s.", r->domain,
			    fromauth_dmarc_policy_name(eff));
		return;
	}
	case K_FCRDNS:
		fcrdns(st, o);
		return;
	case K_DKIM_BITS:
		dkim_bits(st, o);
		return;
	case K_DKIM_SHA256:
		dkim_sha256(st, o);
		return;
	case K_SPF_HARDFAIL:
		if (st->spf_hardfail)
			set(o, FROMAUTH_RULE_FAIL, link_finding(r, spf_fixes),
			    "SPF at %s fails for a sampled service address.", r->mail_from);
		else if (st->spf_temp)
			set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, spf_fixes),
			    "SPF at %s could not be evaluated.", r->mail_from);
		else
			set(o, FROMAUTH_RULE_PASS, NULL, "SPF at %s does not fail for any sampled address.",
			    r->mail_from);
		return;
	case K_NOT_GMAIL:
		if (fa_domain_is_within(r->domain, "gmail.com") ||
		    fa_domain_is_within(r->domain, "googlemail.com"))
			set(o, FROMAUTH_RULE_FAIL, NULL,
			    "%s is Google's own domain: mail from it must be sent through Google.", r->domain);
		else
			set(o, FROMAUTH_RULE_PASS, NULL, "%s is not a Google domain.", r->domain);
		return;
	case K_RESOLVES:
		resolves(st, o);
		return;
	case K_NULL_MX:
		null_mx(st, o);
		return;
	case K_SPAMHAUS_IP:
	case K_SPAMHAUS_BLOCK:
	case K_DYNAMIC_IP:
		spamhaus(st, o, row->kind);
		return;
	case K_SPF_LOOKUPS: {
		const struct fa_spf_analysis *an = r->spf_analysis;
		if (!an || !an->record)
			set(o, FROMAUTH_RULE_UNKNOWN, link_finding(r, spf_fixes),
			    "%s has no single SPF record to count.", r->mail_from);
		else if (an->lookups > 10)
			set(o, FROMAUTH_RULE_FAIL, "spf.lookup_limit", "The SPF record of %s needs %u lookups.",
			    r->mail_from, an->lookups);
		else
			set(o, FROMAUTH_RULE_PASS, NULL, "The SPF record of %s needs %u lookups.", r->mail_from,
			    an->lookups);
		return;
	}
	case K_SPF_DENY_ALL: {
		const struct fa_spf_analysis *an = r->spf_analysis;
		const char *rec = an && an->record ? an->record : "";
		char norm[64];
		size_t n = 0;
		/* "v=spf1 -all" up to spacing and case */
		for (const char *c = rec; *c && n + 1 < sizeof(norm); c++)
			if (*c != ' ' && *c != '\t')
				norm[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		norm[n] = '\0';
		if (!strcmp(norm, "v=spf1-all"))
			set(o, FROMAUTH_RULE_FAIL, link_finding(r, spf_fixes),
			    "The SPF record of %s is \"%s\": it says the domain sends no mail.", r->mail_from, rec);
		else
			set(o, FROMAUTH_RULE_PASS, NULL, "The SPF record of %s is not \"v=spf1 -all\".",
			    r->mail_from);
		return;
	}
	}
	set(o, FROMAUTH_RULE_UNKNOWN, NULL, "not evaluated");
}

static int add_row(struct fromauth_result *r, const struct row *row, struct outcome *o)
{
	struct fa_rule *u = realloc(r->rules, (r->rule_count + 1) * sizeof(*u));
	if (!u) {
		free(o->message);
		return FROMAUTH_E_NOMEM;
	}
	r->rules = u;
	u = &u[r->rule_count];
	u->receiver = receiver_name(row->receiver);
	u->tier = row->tier;
	u->requirement = row->requirement;
	u->code = row->code;
	u->status = o->status;
	u->finding = o->finding;
	u->message = NULL;
	if (!o->message)
		return FROMAUTH_E_NOMEM;
	/* A failing row says what the receiver does about it. */
	if (o->status == FROMAUTH_RULE_FAIL) {
		if (asprintf(&u->message, "%s %s", o->message, row->action) < 0)
			u->message = NULL;
		free(o->message);
	} else {
		u->message = o->message;
	}
	if (!u->message)
		return FROMAUTH_E_NOMEM;
	r->rule_count++;
	return FROMAUTH_OK;
}

/* Findings for what no check finding covers, so every failing row links
 * to one that says what to do. */
static void rule_findings(struct state *st)
{
	struct fromauth_result *r = st->r;
	for (size_t i = 0; i < r->fcrdns_count; i++)
		if (r->fcrdns[i].status == FROMAUTH_RULE_FAIL) {
			fa_finding_add(r, "rules.fcrdns", FROMAUTH_SEVERITY_WARNING,
				       "Sampled service address %s. Receivers (Gmail, Yahoo, Outlook.com, iCloud) want a PTR name that resolves back to the address; only the service, which owns the address, can publish it: ask it.",
				       r->fcrdns[i].detail);
			break;
		}
	for (int i = 0; i < 2; i++)
		if (st->null_mx[i]) {
			fa_finding_add(r, "rules.null_mx", FROMAUTH_SEVERITY_ERROR,
				       "%s publishes a null MX (RFC 7505: it takes no mail), and Yahoo rejects mail from such domains; if the domain sends mail, replace MX 0 . with the domain's real mail server.",
				       i ? r->mail_from : r->domain);
			break;
		}
}

int fa_rules_run(struct fa_dns *dns, const struct fa_dnsbl_list *lists, size_t nlists,
		 struct fromauth_result *r, unsigned int flags, uint64_t deadline_ms)
{
	struct state st = { .r = r, .flags = flags, .lists = lists, .nlists = nlists };
	uint64_t start = fa_now_ms();
	fa_dns_req_init(&st.req, dns);
	st.req.deadline_ms = deadline_ms;       /* the check's one deadline */
	r->rules_flags = flags & (FROMAUTH_CHECK_RULES_ALL | FROMAUTH_CHECK_REPUTATION);
	gather(&st);

	int rc = FROMAUTH_OK;
	if (flags & FROMAUTH_CHECK_REPUTATION)
		rc = reputation(&st);
	if (!rc && (flags & FROMAUTH_CHECK_RULES_ALL)) {
		rc = fcrdns_all(&st);
		if (!rc)
			rc = sender_domains(&st);
		if (!rc)
			rule_findings(&st);
		for (size_t i = 0; !rc && i < FA_ARRAY_SIZE(rows); i++) {
			if (!(flags & rows[i].receiver))
				continue;
			struct outcome o = { 0 };
			evaluate(&st, &rows[i], &o);
			rc = add_row(r, &rows[i], &o);
		}
	}
	if (!rc && atomic_load(&st.req.nomem))
		rc = FROMAUTH_E_NOMEM;
	r->dns_queries += atomic_load(&st.req.queries);
	r->cache_hits += atomic_load(&st.req.cache_hits);
	r->elapsed_ms += (unsigned int)(fa_now_ms() - start);
	return rc;
}

/* ---- accessors ----------------------------------------------------------- */

static const struct fa_rule *rule_at(const struct fromauth_result *r, size_t i)
{
	return r && i < r->rule_count ? &r->rules[i] : NULL;
}

static const struct fa_reputation *rep_at(const struct fromauth_result *r, size_t i)
{
	return r && i < r->reputation_count ? &r->reputation[i] : NULL;
}

FROMAUTH_EXPORT size_t fromauth_result_rule_count(const struct fromauth_result *r)
{
	return r ? r->rule_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_result_rule_receiver(const struct fromauth_result *r, size_t i)
{
	const struct fa_rule *u = rule_at(r, i);
	return u ? u->receiver : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_rule_tier(const struct fromauth_result *r, size_t i)
{
	const struct fa_rule *u = rule_at(r, i);
	return u ? u->tier : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_rule_requirement(const struct fromauth_result *r,
							     size_t i)
{
	const struct fa_rule *u = rule_at(r, i);
	return u ? u->requirement : NULL;
}

FROMAUTH_EXPORT int fromauth_result_rule_status(const struct fromauth_result *r, size_t i)
{
	const struct fa_rule *u = rule_at(r, i);
	return u ? u->status : -1;
}

FROMAUTH_EXPORT const char *fromauth_result_rule_code(const struct fromauth_result *r, size_t i)
{
	const struct fa_rule *u = rule_at(r, i);
	return u ? u->code : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_rule_message(const struct fromauth_result *r, size_t i)
{
	const struct fa_rule *u = rule_at(r, i);
	return u ? u->message : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_rule_finding(const struct fromauth_result *r, size_t i)
{
	const struct fa_rule *u = rule_at(r, i);
	return u ? u->finding : NULL;
}

FROMAUTH_EXPORT size_t fromauth_result_reputation_count(const struct fromauth_result *r)
{
	return r ? r->reputation_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_result_reputation_zone(const struct fromauth_result *r,
							    size_t i)
{
	const struct fa_reputation *p = rep_at(r, i);
	return p ? p->zone : NULL;
}

FROMAUTH_EXPORT const char *fromauth_result_reputation_target(const struct fromauth_result *r,
							      size_t i)
{
	const struct fa_reputation *p = rep_at(r, i);
	return p ? p->target : NULL;
}

FROMAUTH_EXPORT int fromauth_result_reputation_status(const struct fromauth_result *r, size_t i)
{
	const struct fa_reputation *p = rep_at(r, i);
	return p ? p->status : -1;
}

FROMAUTH_EXPORT const char *fromauth_result_reputation_reason(const struct fromauth_result *r,
							      size_t i)
{
	const struct fa_reputation *p = rep_at(r, i);
	return p ? p->reason : NULL;
}
