/* SPDX-License-Identifier: BSD-2-Clause */
/* Overlay zones of the DNS layer (dns-overlay.c). */
#ifndef FROMAUTH_DNS_OVERLAY_H
#define FROMAUTH_DNS_OVERLAY_H

#include <ldns/ldns.h>

#include "dns-rr.h"
#include "hash.h"

/* Overlay: records by owner name; read-only once queries start. */
struct fa_overlay;
struct fa_overlay_node {
	char *name;
	struct fa_dns_rr *rrs;
	size_t count, cap;
	int timeout;            /* missing types time out */
	struct fa_hnode link;   /* in the overlay's table */
};
int fa_overlay_new(struct fa_overlay **out);
void fa_overlay_free(struct fa_overlay *ov);
int fa_overlay_add_ldns(struct fa_overlay *ov, const ldns_rr *rr);
int fa_overlay_add_timeout(struct fa_overlay *ov, const char *key);
/* Exact node, or the wildcard that covers @key (RFC 4592); NULL if none. */
const struct fa_overlay_node *fa_overlay_find(const struct fa_overlay *ov,
					      const char *key);
/* Does the name exist in the overlay, as an owner or an ancestor of one? */
int fa_overlay_name_exists(const struct fa_overlay *ov, const char *key);

#endif
