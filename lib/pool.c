/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-context worker pool.  A run is a task on a list; workers take item
 * indexes from the oldest task that has any left, the caller takes items
 * from its own task only (its latency is its own), then waits for the items
 * workers took.  Workers block every signal: signals belong to the
 * application's threads.  fork() with a live pool is not supported.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"
#include "private.h"

#define POOL_MAX_WORKERS 8

struct task {
	void (*fn)(void *, size_t);
	void *arg;
	size_t n;
	size_t next;            /* next index to hand out (under pool lock) */
	size_t done;            /* calls returned (under pool lock) */
	pthread_cond_t finished;
	struct task *prev, *nextt;
};

struct fa_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;            /* a task with items was queued */
	struct task *head, *tail;       /* tasks with items left to hand out */
	pthread_t threads[POOL_MAX_WORKERS];
	unsigned int max, started;
	int stopping;
};

int fa_pool_new(struct fa_pool **out, unsigned int max_workers)
{
	*out = NULL;
	struct fa_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return FROMAUTH_E_NOMEM;
	if (!max_workers) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		max_workers = ncpu > 0 ? (unsigned int)ncpu : 1;
	}
	p->max = max_workers < POOL_MAX_WORKERS ? max_workers : POOL_MAX_WORKERS;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return FROMAUTH_E_NOMEM;
	}
	if (pthread_cond_init(&p->work, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return FROMAUTH_E_NOMEM;
	}
	*out = p;
	return FROMAUTH_OK;
}

static void unlink_task(struct fa_pool *p, struct task *t)
{
	if (t->prev)
		t->prev->nextt = t->nextt;
	else if (p->head == t)
		p->head = t->nextt;
	else
		return;         /* not linked */
	if (t->nextt)
		t->nextt->prev = t->prev;
	else
		p->tail = t->prev;
	t->prev = t->nextt = NULL;
}

/* Take an index of @t, under the lock; n when none is left. */
static size_t take(struct fa_pool *p, struct task *t)
{
	size_t i = t->next;
	if (i < t->n && ++t->next == t->n)
		unlink_task(p, t);
	return i;
}

static void finish_one(struct task *t)
{
	if (++t->done == t->n)
		pthread_cond_broadcast(&t->finished);
}

static void *worker(void *arg)
{
	struct fa_pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->head)
			break;
		struct task *t = p->head;
		size_t i = take(p, t);
		pthread_mutex_unlock(&p->lock);
		t->fn(t->arg, i);
		pthread_mutex_lock(&p->lock);
		finish_one(t);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Start workers up to what @want items can use; under the lock. */
static void grow(struct fa_pool *p, size_t want)
{
	if (p->started >= p->max || p->started >= want)
		return;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (p->started < p->max && p->started < want) {
		if (pthread_create(&p->threads[p->started], NULL, worker, p) != 0)
			break;  /* fewer workers; the caller still does the work */
		p->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void fa_pool_run(struct fa_pool *p, void (*fn)(void *arg, size_t i), void *arg, size_t n)
{
	if (!p || n < 2) {
		for (size_t i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	struct task t = { .fn = fn, .arg = arg, .n = n };
	if (pthread_cond_init(&t.finished, NULL) != 0) {
		for (size_t i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	pthread_mutex_lock(&p->lock);
	grow(p, n - 1);
	t.prev = p->tail;
	if (p->tail)
		p->tail->nextt = &t;
	else
		p->head = &t;
	p->tail = &t;
	pthread_cond_broadcast(&p->work);
	for (;;) {
		size_t i = take(p, &t);
		if (i >= n)
			break;
		pthread_mutex_unlock(&p->lock);
		fn(arg, i);
		pthread_mutex_lock(&p->lock);
		finish_one(&t);
	}
	while (t.done < n)
		pthread_cond_wait(&t.finished, &p->lock);
	pthread_mutex_unlock(&p->lock);
	pthread_cond_destroy(&t.finished);
}

unsigned int fa_pool_started(struct fa_pool *p)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	unsigned int n = p->started;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void fa_pool_free(struct fa_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->started; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
