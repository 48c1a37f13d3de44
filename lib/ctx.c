/* SPDX-License-Identifier: BSD-2-Clause */
/* The public context and DNS calls: thin shells over lib/dns.c. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctx.h"
#include "dnsbl.h"
#include "dns-internal.h"
#include "memo.h"
#include "pool.h"
#include "private.h"

FROMAUTH_EXPORT int fromauth_ctx_new(struct fromauth_ctx **out)
{
	if (!out)
		return FROMAUTH_E_INVAL;
	*out = NULL;
	struct fromauth_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return FROMAUTH_E_NOMEM;
	int rc = fa_dns_new(&ctx->dns);
	if (!rc)
		rc = fa_pool_new(&ctx->pool, 0);
	if (!rc)
		rc = fa_memo_new(&ctx->memo, FA_MEMO_DEFAULT_BYTES);
	if (rc) {
		fa_pool_free(ctx->pool);
		fa_dns_free(ctx->dns);
		free(ctx);
		return rc;
	}
	fa_dns_set_memo(ctx->dns, ctx->memo);
	*out = ctx;
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT void fromauth_ctx_free(struct fromauth_ctx *ctx)
{
	if (!ctx)
		return;
	fa_pool_free(ctx->pool);     /* joins the workers */
	fa_dns_free(ctx->dns);
	if (ctx->psl_free)
		ctx->psl_free(ctx->psl);
	fa_memo_free(ctx->memo);
	for (size_t i = 0; i < ctx->dnsbl_count; i++)
		fa_dnsbl_list_clear(&ctx->dnsbl[i]);
	free(ctx->dnsbl);
	free(ctx);
}

FROMAUTH_EXPORT int fromauth_ctx_add_dnsbl(struct fromauth_ctx *ctx, const char *spec,
					   char *errbuf, size_t errlen)
{
	if (!ctx || !spec)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "context and spec are required");
	if (ctx->dnsbl_count >= 64)
		return fa_error(errbuf, errlen, FROMAUTH_E_RANGE, "at most 64 blocklists");
	struct fa_dnsbl_list l;
	int rc = fa_dnsbl_parse(spec, &l, errbuf, errlen);
	if (rc)
		return rc;
	struct fa_dnsbl_list *lists = realloc(ctx->dnsbl, (ctx->dnsbl_count + 1) * sizeof(*lists));
	if (!lists) {
		fa_dnsbl_list_clear(&l);
		return FROMAUTH_E_NOMEM;
	}
	ctx->dnsbl = lists;
	ctx->dnsbl[ctx->dnsbl_count++] = l;
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT int fromauth_ctx_add_nameserver(struct fromauth_ctx *ctx, const char *addr)
{
	if (!ctx || !addr)
		return FROMAUTH_E_INVAL;
	return fa_dns_add_nameserver(ctx->dns, addr);
}

FROMAUTH_EXPORT int fromauth_ctx_set_timeout(struct fromauth_ctx *ctx, unsigned int ms)
{
	return ctx ? fa_dns_set_timeout(ctx->dns, ms) : FROMAUTH_E_INVAL;
}

FROMAUTH_EXPORT int fromauth_ctx_set_tries(struct fromauth_ctx *ctx, unsigned int tries)
{
	return ctx ? fa_dns_set_tries(ctx->dns, tries) : FROMAUTH_E_INVAL;
}

FROMAUTH_EXPORT int fromauth_ctx_set_deadline(struct fromauth_ctx *ctx, unsigned int ms)
{
	return ctx ? fa_dns_set_deadline(ctx->dns, ms) : FROMAUTH_E_INVAL;
}

FROMAUTH_EXPORT int fromauth_ctx_set_cache_size(struct fromauth_ctx *ctx, size_t bytes)
{
	if (!ctx)
		return FROMAUTH_E_INVAL;
	fa_cache_set_max_bytes(ctx->dns->cache, bytes);
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT int fromauth_ctx_set_offline(struct fromauth_ctx *ctx, int offline)
{
	return ctx ? fa_dns_set_offline(ctx->dns, offline) : FROMAUTH_E_INVAL;
}

FROMAUTH_EXPORT int fromauth_ctx_add_zone_file(struct fromauth_ctx *ctx, const char *path,
					       char *errbuf, size_t errlen)
{
	if (!ctx || !path)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no context or path");
	return fa_dns_add_zone_file(ctx->dns, path, errbuf, errlen);
}

FROMAUTH_EXPORT int fromauth_ctx_add_record(struct fromauth_ctx *ctx, const char *rr,
					    char *errbuf, size_t errlen)
{
	if (!ctx || !rr)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no context or record");
	return fa_dns_add_record(ctx->dns, rr, errbuf, errlen);
}

FROMAUTH_EXPORT int fromauth_ctx_delete_record(struct fromauth_ctx *ctx, const char *rr,
					       char *errbuf, size_t errlen)
{
	if (!ctx || !rr)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no context or record");
	return fa_dns_delete_record(ctx->dns, rr, errbuf, errlen);
}

FROMAUTH_EXPORT int fromauth_ctx_add_timeout_name(struct fromauth_ctx *ctx, const char *name)
{
	if (!ctx || !name)
		return FROMAUTH_E_INVAL;
	return fa_dns_add_timeout_name(ctx->dns, name);
}

/* ---- fromauth_dns_* -------------------------------------------------- */

struct fromauth_dns_answer {
	struct fa_dns_answer *ans;
	enum fa_dns_source source;
	unsigned int queries;
	unsigned int elapsed_ms;
	char **texts;           /* presentation rdata of each record */
};

static const struct {
	const char *name;
	int type;
} rrtypes[] = {
	{ "A", FROMAUTH_RR_A }, { "CNAME", FROMAUTH_RR_CNAME },
	{ "PTR", FROMAUTH_RR_PTR }, { "MX", FROMAUTH_RR_MX },
	{ "TXT", FROMAUTH_RR_TXT }, { "AAAA", FROMAUTH_RR_AAAA },
};

FROMAUTH_EXPORT int fromauth_rrtype_from_name(const char *name)
{
	for (size_t i = 0; name && i < FA_ARRAY_SIZE(rrtypes); i++)
		if (!strcasecmp(name, rrtypes[i].name))
			return rrtypes[i].type;
	return 0;
}

FROMAUTH_EXPORT int fromauth_dns_lookup(struct fromauth_ctx *ctx, const char *name,
					int rrtype, struct fromauth_dns_answer **out,
					char *errbuf, size_t errlen)
{
	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!ctx || !name)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no context or name");
	int known = 0;
	for (size_t i = 0; i < FA_ARRAY_SIZE(rrtypes); i++)
		known |= rrtypes[i].type == rrtype;
	if (!known)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"record type %d is not one the layer serves", rrtype);

	struct fromauth_dns_answer *res = calloc(1, sizeof(*res));
	if (!res)
		return FROMAUTH_E_NOMEM;
	struct fa_dns_req req;
	fa_dns_req_init(&req, ctx->dns);
	uint64_t start = fa_now_ms();
	int rc = fa_dns_query(&req, name, (uint16_t)rrtype, &res->ans, &res->source);
	if (rc) {
		free(res);
		if (rc == FROMAUTH_E_DOMAIN)
			return fa_error(errbuf, errlen, rc,
					"\"%s\" is not a valid domain name (empty, a label over 63 bytes or a name over 255)",
					name);
		if (rc == FROMAUTH_E_RESOLVER)
			return fa_error(errbuf, errlen, rc,
					"no nameserver: /etc/resolv.conf unreadable or empty, and none given");
		return fa_error(errbuf, errlen, rc, "%s", fromauth_strerror(rc));
	}
	res->queries = atomic_load(&req.queries);
	res->elapsed_ms = (unsigned int)(fa_now_ms() - start);
	res->texts = calloc(res->ans->count ? res->ans->count : 1, sizeof(*res->texts));
	for (size_t i = 0; res->texts && i < res->ans->count; i++)
		if (!(res->texts[i] = fa_rr_text(&res->ans->rrs[i]))) {
			fromauth_dns_answer_free(res);
			return fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "%s",
					fromauth_strerror(FROMAUTH_E_NOMEM));
		}
	if (!res->texts) {
		fromauth_dns_answer_free(res);
		return FROMAUTH_E_NOMEM;
	}
	*out = res;
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT void fromauth_dns_answer_free(struct fromauth_dns_answer *a)
{
	if (!a)
		return;
	for (size_t i = 0; a->texts && i < a->ans->count; i++)
		free(a->texts[i]);
	free(a->texts);
	fa_dns_answer_release(a->ans);
	free(a);
}

FROMAUTH_EXPORT int fromauth_dns_answer_status(const struct fromauth_dns_answer *a)
{
	return a ? a->ans->status : -1;
}

FROMAUTH_EXPORT size_t fromauth_dns_answer_count(const struct fromauth_dns_answer *a)
{
	return a ? a->ans->count : 0;
}

FROMAUTH_EXPORT const char *fromauth_dns_answer_record(const struct fromauth_dns_answer *a, size_t i)
{
	return a && i < a->ans->count ? a->texts[i] : NULL;
}

FROMAUTH_EXPORT uint32_t fromauth_dns_answer_ttl(const struct fromauth_dns_answer *a)
{
	return a ? a->ans->ttl : 0;
}

FROMAUTH_EXPORT size_t fromauth_dns_answer_cname_count(const struct fromauth_dns_answer *a)
{
	return a ? a->ans->cname_count : 0;
}

FROMAUTH_EXPORT const char *fromauth_dns_answer_cname(const struct fromauth_dns_answer *a, size_t i)
{
	return a && i < a->ans->cname_count ? a->ans->cnames[i] : NULL;
}

FROMAUTH_EXPORT const char *fromauth_dns_answer_source(const struct fromauth_dns_answer *a)
{
	if (!a)
		return NULL;
	switch (a->source) {
	case FA_DNS_FROM_OVERLAY: return "overlay";
	case FA_DNS_FROM_CACHE: return "cache";
	case FA_DNS_FROM_NETWORK: return "network";
	}
	return "unknown";
}

FROMAUTH_EXPORT unsigned int fromauth_dns_answer_queries(const struct fromauth_dns_answer *a)
{
	return a ? a->queries : 0;
}

FROMAUTH_EXPORT unsigned int fromauth_dns_answer_elapsed_ms(const struct fromauth_dns_answer *a)
{
	return a ? a->elapsed_ms : 0;
}
