/* SPDX-License-Identifier: BSD-2-Clause */
/* JSON of SPEC sections 7 and 10 (lib/json.c, written with
 * lib/json-write.c): the adapters and the check keep facts only.  Public
 * fromauth_*_json() getters build their text on first use. */
#ifndef FROMAUTH_JSON_H
#define FROMAUTH_JSON_H

struct fromauth_verify;

/* The JSON text of SPEC section 10 for @v (malloc'd), or NULL when an
 * allocation failed. */
char *fa_json_verify(const struct fromauth_verify *v);

#endif
