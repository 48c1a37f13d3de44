/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Throughput and memory of the check on one shared context, the bulk-mode
 * shape: THREADS threads run CHECKS checks of the README example offline.
 * `meson test -C build --benchmark` runs it; it prints checks/s, the mean
 * per check and the peak resident set, and fails only when a check does.
 * Targets (2 cores): >= 1000 checks/s, peak RSS < 64 MiB.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "fromauth/fromauth.h"

static struct fromauth_ctx *ctx;
static struct fromauth_profile *profile;
static atomic_int next, failures;
static int total;

static void *run(void *arg)
{
	(void)arg;
	while (atomic_fetch_add(&next, 1) < total) {
		struct fromauth_result *r = NULL;
		if (fromauth_check(ctx, profile, "news@members.example", 0, &r, NULL, 0) != 0 ||
		    fromauth_result_verdict(r) != FROMAUTH_VERDICT_FAIL)
			atomic_fetch_add(&failures, 1);
		fromauth_result_free(r);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PROFILE ZONE\n", argv[0]);
		return 2;
	}
	total = getenv("CHECKS") ? atoi(getenv("CHECKS")) : 4000;
	int threads = getenv("THREADS") ? atoi(getenv("THREADS")) : 8;
	char err[512];
	if (fromauth_ctx_new(&ctx) || fromauth_ctx_set_offline(ctx, 1) ||
	    fromauth_ctx_add_zone_file(ctx, argv[2], err, sizeof(err)) ||
	    fromauth_profile_load(argv[1], &profile, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_t *t = calloc((size_t)threads, sizeof(*t));
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, run, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%d checks on %d threads in %.3f s: %.0f checks/s, %.3f ms per check, peak RSS %ld KiB\n",
	       total, threads, s, total / s, s * 1000.0 / total, ru.ru_maxrss);
	free(t);
	fromauth_profile_free(profile);
	fromauth_ctx_free(ctx);
	return atomic_load(&failures) ? 1 : 0;
}
