/* SPDX-License-Identifier: BSD-2-Clause */
/* Overlay records: a hash of owner names.  Ancestors of every owner are
 * entered as empty nodes so an empty non-terminal is NODATA, not NXDOMAIN. */
#include <stdlib.h>
#include <string.h>

#include "dns-overlay.h"
#include "private.h"

struct fa_overlay {
	struct fa_htable table;         /* of fa_overlay_node, by name */
	size_t wildcards;       /* nodes named "*..."; none: no walk up */
};

int fa_overlay_new(struct fa_overlay **out)
{
	struct fa_overlay *ov = calloc(1, sizeof(*ov));
	if (!ov)
		return FROMAUTH_E_NOMEM;
	if (fa_htable_init(&ov->table, 64) != FROMAUTH_OK) {
		free(ov);
		return FROMAUTH_E_NOMEM;
	}
	*out = ov;
	return FROMAUTH_OK;
}

static void node_free(struct fa_hnode *hn)
{
	struct fa_overlay_node *n = FA_CONTAINER_OF(hn, struct fa_overlay_node, link);
	for (size_t j = 0; j < n->count; j++)
		fa_rr_clear(&n->rrs[j]);
	free(n->rrs);
	free(n->name);
	free(n);
}

void fa_overlay_free(struct fa_overlay *ov)
{
	if (!ov)
		return;
	fa_htable_fini(&ov->table, node_free);
	free(ov);
}

static struct fa_overlay_node *lookup(const struct fa_overlay *ov, const char *key)
{
	size_t hash = fa_fnv1a_str(key);
	for (struct fa_hnode *hn = fa_htable_chain(&ov->table, hash); hn; hn = hn->next) {
		struct fa_overlay_node *n = FA_CONTAINER_OF(hn, struct fa_overlay_node, link);
		if (hn->hash == hash && !strcmp(n->name, key))
			return n;
	}
	return NULL;
}

static struct fa_overlay_node *get_or_add(struct fa_overlay *ov, const char *key)
{
	struct fa_overlay_node *n = lookup(ov, key);
	if (n)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(key))) {
		free(n);
		return NULL;
	}
	fa_htable_insert(&ov->table, &n->link, fa_fnv1a_str(key));
	if (key[0] == '*')
		ov->wildcards++;
	return n;
}

/* Enter @key and its ancestors; returns the node of @key. */
static struct fa_overlay_node *add_name(struct fa_overlay *ov, const char *key)
{
	struct fa_overlay_node *n = get_or_add(ov, key);
	if (!n)
		return NULL;
	for (const char *p = strchr(key, '.'); p; p = strchr(p + 1, '.')) {
		/* An escaped dot ("\.") is part of a label, not a separator. */
		if (p > key && p[-1] == '\\')
			continue;
		if (!get_or_add(ov, p + 1))
			return NULL;
	}
	return n;
}

int fa_overlay_add_ldns(struct fa_overlay *ov, const ldns_rr *rr)
{
	char *key = fa_dns_rdf_key(ldns_rr_owner(rr));
	if (!key)
		return FROMAUTH_E_NOMEM;
	struct fa_overlay_node *n = add_name(ov, key);
	free(key);
	if (!n)
		return FROMAUTH_E_NOMEM;
	if (n->count == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 4;
		struct fa_dns_rr *rrs = realloc(n->rrs, cap * sizeof(*rrs));
		if (!rrs)
			return FROMAUTH_E_NOMEM;
		n->rrs = rrs;
		n->cap = cap;
	}
	int rc = fa_rr_from_ldns(rr, &n->rrs[n->count]);
	if (rc)
		return rc;
	n->count++;
	return FROMAUTH_OK;
}

int fa_overlay_add_timeout(struct fa_overlay *ov, const char *key)
{
	struct fa_overlay_node *n = add_name(ov, key);
	if (!n)
		return FROMAUTH_E_NOMEM;
	n->timeout = 1;
	return FROMAUTH_OK;
}

static const char *parent_of(const char *key)
{
	for (const char *p = strchr(key, '.'); p; p = strchr(p + 1, '.'))
		if (!(p > key && p[-1] == '\\'))
			return p + 1;
	return NULL;
}

const struct fa_overlay_node *fa_overlay_find(const struct fa_overlay *ov,
					      const char *key)
{
	const struct fa_overlay_node *n = lookup(ov, key);
	if (n || !ov->wildcards)
		return n;
	/* RFC 4592: the wildcard at the closest encloser covers the name. */
	char buf[1200];
	for (const char *p = parent_of(key); p; p = parent_of(p)) {
		if (snprintf(buf, sizeof(buf), "*.%s", p) >= (int)sizeof(buf))
			return NULL;
		if ((n = lookup(ov, buf)))
			return n;
		if (lookup(ov, p))
			return NULL;
	}
	return NULL;
}

int fa_overlay_name_exists(const struct fa_overlay *ov, const char *key)
{
	return fa_overlay_find(ov, key) != NULL;
}
