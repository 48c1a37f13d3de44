/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef FROMAUTH_CTX_H
#define FROMAUTH_CTX_H

#include "dns.h"

struct fa_dnsbl_list;

struct fromauth_ctx {
	struct fa_dns *dns;
	/* fromauth_ctx_add_dnsbl(): replace the default blocklists */
	struct fa_dnsbl_list *dnsbl;
	size_t dnsbl_count;
};

#endif
