/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Batches (SPEC section 9): a queue of addresses, a fixed set of worker
 * threads running the check on them, and a queue of completed items the
 * caller takes in completion order.  Both queues are FIFO lists under one
 * mutex; the caller bounds them by how far ahead it adds.  The workers are
 * the parallelism: each runs its check's lookups on its own thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "result.h"

#define BATCH_MAX_JOBS 256
#define BATCH_DEFAULT_JOBS 16
/* A caller waiting for results is woken when this many are ready (or all
 * it has outstanding, if fewer): one wake-up per result cost a kernel
 * round trip each. */
#define BATCH_WAKE_AFTER 8

struct item {
	size_t index;
	char *from;
	struct fromauth_result *result;
	int error;
	char *message;          /* of the error */
	struct item *next;
};

struct queue {
	struct item *head, *tail;
};

struct fromauth_batch {
	struct fromauth_ctx *ctx;
	const struct fromauth_profile *profile;
	unsigned int flags;
	pthread_mutex_t lock;
	pthread_cond_t input;           /* an address was added, or closed */
	pthread_cond_t output;          /* an item completed */
	struct queue todo, done;
	size_t queued;                  /* items in todo */
	unsigned int workers;           /* started, or about to be */
	unsigned int busy;              /* workers holding an address */
	size_t added, taken;
	size_t ndone;                   /* items in done */
	size_t want;                    /* the caller sleeps until ndone >= want; 0: awake */
	int closed, stopping;
	pthread_t *threads;
	unsigned int started;
};

static void push(struct queue *q, struct item *it)
{
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
}

static struct item *pop(struct queue *q)
{
	struct item *it = q->head;
	if (it && !(q->head = it->next))
		q->tail = NULL;
	return it;
}

/* The queue of addresses, counted (callers hold the lock). */
static struct item *take(struct fromauth_batch *b)
{
	struct item *it = pop(&b->todo);
	if (it)
		b->queued--;
	return it;
}

static void enqueue(struct fromauth_batch *b, struct item *it)
{
	push(&b->todo, it);
	b->queued++;
}

static void item_free(struct item *it)
{
	if (!it)
		return;
	fromauth_result_free(it->result);
	free(it->from);
	free(it->message);
	free(it);
}

/* Check @it on this thread; @ahead: what was sent for it. */
static void run_item(struct fromauth_batch *b, struct item *it, struct fa_check_ahead *ahead)
{
	char err[512] = "";
	it->error = fa_check_serial(b->ctx, b->profile, it->from, b->flags, ahead,
				    &it->result, err, sizeof(err));
	if (it->error)
		it->message = strdup(err[0] ? err : fromauth_strerror(it->error));
	free(it->from);
	it->from = NULL;
}

/*
 * Each worker takes the next address before it checks the current one and
 * sends that one's first questions: their replies arrive while it works,
 * so it seldom sleeps waiting for them (a sleep and a wake-up cost more
 * than the rest of a lookup).  Only an address no idle worker is there
 * for: a batch smaller than its workers still checks every address at
 * once.
 */
static void *worker(void *arg)
{
	struct fromauth_batch *b = arg;
	struct item *it = NULL;
	struct fa_check_ahead *ahead = NULL;
	pthread_mutex_lock(&b->lock);
	for (;;) {
		if (!it) {
			while (!(it = take(b)) && !b->closed && !b->stopping)
				pthread_cond_wait(&b->input, &b->lock);
			b->busy += it != NULL;
		}
		if (!it || b->stopping) {
			if (it) {
				enqueue(b, it);         /* freed by fromauth_batch_free */
				b->busy--;
			}
			break;
		}
		/* Idle workers (started or not) are each left an address. */
		struct item *next = b->queued > b->workers - b->busy ? take(b) : NULL;
		pthread_mutex_unlock(&b->lock);

		struct fa_check_ahead *next_ahead =
			next ? fa_check_send_ahead(b->ctx, b->profile, next->from) : NULL;
		run_item(b, it, ahead);

		pthread_mutex_lock(&b->lock);
		push(&b->done, it);
		if (++b->ndone >= b->want && b->want)
			pthread_cond_signal(&b->output);
		it = next;
		ahead = next_ahead;
		b->busy -= it == NULL;
	}
	pthread_mutex_unlock(&b->lock);
	/* Stopping with a next address taken: its replies are not needed. */
	fa_check_ahead_free(ahead);
	return NULL;
}

FROMAUTH_EXPORT int fromauth_batch_new(struct fromauth_ctx *ctx,
				       const struct fromauth_profile *profile,
				       unsigned int flags, unsigned int jobs,
				       struct fromauth_batch **out, char *errbuf, size_t errlen)
{
	if (!out)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "no output pointer");
	*out = NULL;
	if (!ctx || !profile)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "context and profile are required");
	/* The flags of fromauth_check(), rules and reputation included. */
	const unsigned int known = FROMAUTH_CHECK_FIX | FROMAUTH_CHECK_RULES_ALL |
				   FROMAUTH_CHECK_REPUTATION;
	if (flags & ~known)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "unknown flags 0x%x",
				flags & ~known);
	if (jobs > BATCH_MAX_JOBS)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL, "%u jobs: at most %d",
				jobs, BATCH_MAX_JOBS);
	int rc = fromauth_profile_validate(profile, errbuf, errlen);
	if (rc)
		return rc;
	if (!jobs)
		jobs = BATCH_DEFAULT_JOBS;

	struct fromauth_batch *b = calloc(1, sizeof(*b));
	if (!b || !(b->threads = calloc(jobs, sizeof(*b->threads)))) {
		free(b);
		return FROMAUTH_E_NOMEM;
	}
	b->ctx = ctx;
	b->profile = profile;
	b->flags = flags;
	fa_mutex_init(&b->lock);
	pthread_cond_init(&b->input, NULL);
	pthread_cond_init(&b->output, NULL);

	/* Workers block every signal: those belong to the application. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	b->workers = jobs;
	for (; b->started < jobs; b->started++)
		if (pthread_create(&b->threads[b->started], NULL, worker, b) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&b->lock);
	b->workers = b->started;
	pthread_mutex_unlock(&b->lock);
	if (!b->started) {
		fromauth_batch_free(b);
		return fa_error(errbuf, errlen, FROMAUTH_E_NOMEM, "no thread could be started");
	}
	*out = b;
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT int fromauth_batch_add(struct fromauth_batch *b, const char *from,
				       size_t *index)
{
	if (!b || !from)
		return FROMAUTH_E_INVAL;
	struct item *it = calloc(1, sizeof(*it));
	if (!it || !(it->from = strdup(from))) {
		free(it);
		return FROMAUTH_E_NOMEM;
	}
	pthread_mutex_lock(&b->lock);
	if (b->closed) {
		pthread_mutex_unlock(&b->lock);
		item_free(it);
		return FROMAUTH_E_INVAL;
	}
	it->index = b->added++;
	if (index)
		*index = it->index;
	enqueue(b, it);
	pthread_cond_signal(&b->input);
	pthread_mutex_unlock(&b->lock);
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT int fromauth_batch_close(struct fromauth_batch *b)
{
	if (!b)
		return FROMAUTH_E_INVAL;
	pthread_mutex_lock(&b->lock);
	b->closed = 1;
	pthread_cond_broadcast(&b->input);
	pthread_cond_broadcast(&b->output);
	pthread_mutex_unlock(&b->lock);
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT int fromauth_batch_next(struct fromauth_batch *b, size_t *index,
					struct fromauth_result **result, int *error,
					char *errbuf, size_t errlen)
{
	if (result)
		*result = NULL;
	if (!b || !index || !result || !error)
		return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
				"batch, index, result and error are required");
	if (errbuf && errlen)
		errbuf[0] = '\0';
	pthread_mutex_lock(&b->lock);
	struct item *it;
	while (!(it = pop(&b->done))) {
		if (b->taken == b->added) {
			int closed = b->closed;
			pthread_mutex_unlock(&b->lock);
			if (closed)
				return 0;
			return fa_error(errbuf, errlen, FROMAUTH_E_INVAL,
					"no item outstanding and the batch is open: add an address or close the batch");
		}
		size_t outstanding = b->added - b->taken;
		b->want = outstanding < BATCH_WAKE_AFTER ? outstanding : BATCH_WAKE_AFTER;
		/* Every outstanding item completes: the wait ends. */
		while (b->ndone < b->want)
			pthread_cond_wait(&b->output, &b->lock);
		b->want = 0;
	}
	b->ndone--;
	b->taken++;
	pthread_mutex_unlock(&b->lock);

	*index = it->index;
	*error = it->error;
	*result = it->result;
	it->result = NULL;
	if (it->error)
		fa_error(errbuf, errlen, it->error, "%s",
			 it->message ? it->message : fromauth_strerror(it->error));
	item_free(it);
	return 1;
}

FROMAUTH_EXPORT void fromauth_batch_free(struct fromauth_batch *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_cond_broadcast(&b->input);
	pthread_mutex_unlock(&b->lock);
	for (unsigned int i = 0; i < b->started; i++)
		pthread_join(b->threads[i], NULL);
	for (struct item *it; (it = pop(&b->todo));)
		item_free(it);
	for (struct item *it; (it = pop(&b->done));)
		item_free(it);
	pthread_cond_destroy(&b->output);
	pthread_cond_destroy(&b->input);
	pthread_mutex_destroy(&b->lock);
	free(b->threads);
	free(b);
}
