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
	/* Records this layer deletes from the layers and network below it
	 * ("what if I removed this?"); a type with deletions here is this
	 * layer's records plus what is left of the lower ones. */
	struct fa_dns_rr *dels;
	size_t del_count, del_cap;
	size_t below;           /* records at names under this one */
	struct fa_hnode link;   /* in the overlay's table */
};
int fa_overlay_new(struct fa_overlay **out);
void fa_overlay_free(struct fa_overlay *ov);
int fa_overlay_add_ldns(struct fa_overlay *ov, const ldns_rr *rr);
int fa_overlay_add_timeout(struct fa_overlay *ov, const char *key);
/* Delete @rr (matched by owner, type and rdata, not TTL): from this
 * layer's records if there, and from what lower layers and the network
 * answer.  A later add of the same record publishes it again. */
int fa_overlay_delete_ldns(struct fa_overlay *ov, const ldns_rr *rr);
/* Does any record or deletion make this layer's node hold something? A
 * node only holding deletions is no name of its own. */
int fa_overlay_node_live(const struct fa_overlay_node *n);
/* Does @rr of the overlay match @del (type and rdata)? */
int fa_overlay_rr_same(const struct fa_dns_rr *rr, const struct fa_dns_rr *del);
/* Deletions anywhere in this layer? */
size_t fa_overlay_deletions(const struct fa_overlay *ov);
/* Names the layer holds anything at (records, deletions, timeouts). */
size_t fa_overlay_names(const struct fa_overlay *ov);
/* Exact node, or the wildcard that covers @key (RFC 4592); NULL if none. */
const struct fa_overlay_node *fa_overlay_find(const struct fa_overlay *ov,
					      const char *key);
/* Does the name exist in the overlay, as an owner or an ancestor of one? */
int fa_overlay_name_exists(const struct fa_overlay *ov, const char *key);

#endif
