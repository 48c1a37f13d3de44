/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef FROMAUTH_CTX_H
#define FROMAUTH_CTX_H

#include "dns.h"

struct fa_dnsbl_list;
struct fa_pool;

struct fromauth_ctx {
	struct fa_dns *dns;
	struct fa_pool *pool;   /* workers, started on first use */
	void *psl;              /* fromauth_ctx_set_psl's list, or NULL */
	void (*psl_free)(void *list);   /* set with psl, by dmarc.c */
	struct fa_memo *memo;   /* facts derived once per context */
	/* fromauth_ctx_add_dnsbl(): replace the default blocklists */
	struct fa_dnsbl_list *dnsbl;
	size_t dnsbl_count;
};

#endif
