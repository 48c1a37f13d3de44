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
	size_t deletions;
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
	for (size_t j = 0; j < n->del_count; j++)
		fa_rr_clear(&n->dels[j]);
	free(n->dels);
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
	if (!ov->table.count)
		return NULL;    /* most contexts: no hashing the key */
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

/* Enter @key and its ancestors; returns the node of @key.  @below is
 * added to the ancestors' count of records under them. */
static struct fa_overlay_node *add_name(struct fa_overlay *ov, const char *key, long below)
{
	struct fa_overlay_node *n = get_or_add(ov, key), *a;
	if (!n)
		return NULL;
	for (const char *p = strchr(key, '.'); p; p = strchr(p + 1, '.')) {
		/* An escaped dot ("\.") is part of a label, not a separator. */
		if (p > key && p[-1] == '\\')
			continue;
		if (!(a = get_or_add(ov, p + 1)))
			return NULL;
		a->below += (size_t)below;
	}
	return n;
}

int fa_overlay_add_ldns(struct fa_overlay *ov, const ldns_rr *rr)
{
	char *key = fa_dns_rdf_key(ldns_rr_owner(rr));
	if (!key)
		return FROMAUTH_E_NOMEM;
	struct fa_overlay_node *n = add_name(ov, key, 1);
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
	/* Published again: no longer deleted. */
	for (size_t i = 0; i < n->del_count; i++) {
		if (fa_overlay_rr_same(&n->rrs[n->count], &n->dels[i])) {
			fa_rr_clear(&n->dels[i]);
			n->dels[i] = n->dels[--n->del_count];
			ov->deletions--;
			break;
		}
	}
	n->count++;
	return FROMAUTH_OK;
}

int fa_overlay_rr_same(const struct fa_dns_rr *rr, const struct fa_dns_rr *del)
{
	if (rr->type != del->type)
		return 0;
	switch (rr->type) {
	case FA_RR_A:
	case FA_RR_AAAA:
	case FA_RR_CNAME:
	case FA_RR_PTR:
	case FA_RR_MX:
	case FA_RR_TXT:
		/* TXT by its text, however it is cut into strings. */
		return rr->preference == del->preference && rr->len == del->len &&
		       !memcmp(rr->data, del->data, rr->len);
	default:
		return rr->wire_len == del->wire_len &&
		       !memcmp(rr->wire, del->wire, rr->wire_len);
	}
}

int fa_overlay_delete_ldns(struct fa_overlay *ov, const ldns_rr *rr)
{
	struct fa_dns_rr del;
	int rc = fa_rr_from_ldns(rr, &del);
	if (rc)
		return rc;
	char *key = fa_dns_rdf_key(ldns_rr_owner(rr));
	/* Not add_name(): deleting creates no name nor ancestors. */
	struct fa_overlay_node *n = key ? get_or_add(ov, key) : NULL;
	if (!n) {
		free(key);
		fa_rr_clear(&del);
		return FROMAUTH_E_NOMEM;
	}
	size_t removed = 0;
	for (size_t i = 0; i < n->count;) {
		if (fa_overlay_rr_same(&n->rrs[i], &del)) {
			fa_rr_clear(&n->rrs[i]);
			memmove(&n->rrs[i], &n->rrs[i + 1], (n->count - i - 1) * sizeof(*n->rrs));
			n->count--;
			removed++;
		} else {
			i++;
		}
	}
	if (removed && !add_name(ov, key, -(long)removed))
		rc = FROMAUTH_E_NOMEM;  /* cannot happen: the names exist */
	free(key);
	for (size_t i = 0; rc == FROMAUTH_OK && i < n->del_count; i++) {
		if (fa_overlay_rr_same(&n->dels[i], &del)) {
			fa_rr_clear(&del);
			return FROMAUTH_OK;
		}
	}
	if (rc == FROMAUTH_OK && n->del_count == n->del_cap) {
		size_t cap = n->del_cap ? n->del_cap * 2 : 2;
		struct fa_dns_rr *d = realloc(n->dels, cap * sizeof(*d));
		if (d) {
			n->dels = d;
			n->del_cap = cap;
		} else {
			rc = FROMAUTH_E_NOMEM;
		}
	}
	if (rc) {
		fa_rr_clear(&del);
		return rc;
	}
	n->dels[n->del_count++] = del;
	ov->deletions++;
	return FROMAUTH_OK;
}

int fa_overlay_node_live(const struct fa_overlay_node *n)
{
	return n->count || n->below || n->timeout;
}

size_t fa_overlay_deletions(const struct fa_overlay *ov)
{
	return ov ? ov->deletions : 0;
}

size_t fa_overlay_names(const struct fa_overlay *ov)
{
	return ov ? ov->table.count : 0;
}

int fa_overlay_add_timeout(struct fa_overlay *ov, const char *key)
{
	struct fa_overlay_node *n = add_name(ov, key, 0);
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
	const struct fa_overlay_node *n = fa_overlay_find(ov, key);
	return n && fa_overlay_node_live(n);
}
