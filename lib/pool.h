/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A context's worker threads (review section 3f): started on first use,
 * min(ncpu, 8) of them, joined when the context is freed.  A caller of
 * fa_pool_run() drains its own work too, so a run never waits on an idle
 * pool and nested runs (a batch worker running a check) cannot deadlock.
 * No other part of the library creates threads per check.
 */
#ifndef FROMAUTH_POOL_H
#define FROMAUTH_POOL_H

#include <stddef.h>

struct fa_pool;

/* @max_workers 0: min(ncpu, 8). */
int fa_pool_new(struct fa_pool **out, unsigned int max_workers);
/* Joins the workers; no run may be in progress. */
void fa_pool_free(struct fa_pool *pool);

/*
 * Call fn(arg, i) once for every i in [0, n), on the caller's thread and on
 * whichever workers are free; returns when all calls have returned.  A NULL
 * @pool, or n < 2, runs everything on the caller's thread.
 */
void fa_pool_run(struct fa_pool *pool, void (*fn)(void *arg, size_t i), void *arg,
		 size_t n);

/* Workers started so far (0 until a run needs them). */
unsigned int fa_pool_started(struct fa_pool *pool);

#endif
