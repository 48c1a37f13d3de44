/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fromauth bulk --service FILE [FILE | -]: the check for every From address
 * of a list (SPEC section 9), on a batch of the library, printed in input
 * order.  Memory stays bounded: at most WINDOW addresses are in flight or
 * waiting to be printed, however long the list.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

enum format { HUMAN, JSON, TSV };

/* Standard output's buffer when it is not a terminal: ~50 JSON results. */
#define OUT_BUFFER (256 * 1024)

/* One input line between reading and printing. */
struct slot {
	size_t line;            /* 1-based line number in the input */
	char *input;            /* the address as given, trimmed */
	int ready;
	struct fromauth_result *result;
	int error;
	char *message;
};

struct code_count {
	char *code;
	size_t count;
};

struct run {
	enum format format;
	int progress;
	size_t total;           /* addresses in the input; 0 when unknown */
	size_t done, bad, failed;
	size_t verdicts[4];
	struct code_count *codes;
	size_t ncodes;
	uint64_t queries, hits;
	double start, last_progress;
	int worst;              /* most severe verdict so far, -1 none */
};

static void bulk_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth bulk --service FILE [--jobs N] [--json | --tsv]\n"
		"                     [--progress | --no-progress] [--zone FILE]... [--offline]\n"
		"                     [--assume 'RR']... [--nameserver ADDR[@PORT]] [--timeout MS]\n"
		"                     [FILE | -]\n\n"
		"Check every From address of FILE (standard input without FILE or with\n"
		"'-'), one per line, against the service of the profile.  Blank lines and\n"
		"lines starting with # are skipped.  Results come in input order.\n\n"
		"  --service FILE       the sending service's profile (required)\n"
		"  --jobs N             checks in parallel, 1..256 (default 16)\n"
		"  --json               JSON Lines: the check --json object plus \"line\",\n"
		"                       or {\"line\", \"input\", \"error\"} for a bad line\n"
		"  --tsv                line, From, verdict, finding codes (tab-separated)\n"
		"  --progress           progress on stderr (default: when it is a terminal)\n"
		"  --no-progress        no progress line\n"
		DNS_OPTIONS_HELP
		"\nA summary goes to stderr at the end.  Exit status: 65 if any line was\n"
		"not a valid address, else the most severe verdict: 2 fail, 3 unknown,\n"
		"1 at-risk, 0 pass; 64 usage error, 66 unreadable file.\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The address on a line, trimmed; NULL for blank lines and comments. */
static char *address_of(char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	return *line && *line != '#' ? line : NULL;
}

/* Addresses in a regular file, for progress; 0 when it cannot be told. */
static size_t count_addresses(FILE *in)
{
	long start = ftell(in);
	if (start < 0)
		return 0;
	size_t n = 0, cap = 0;
	char *line = NULL;
	while (getline(&line, &cap, in) != -1)
		n += address_of(line) != NULL;
	free(line);
	clearerr(in);
	if (fseek(in, start, SEEK_SET) != 0)
		return 0;
	return n;
}

/* Severity of a verdict for the exit status: fail > unknown > at-risk > pass. */
static int rank(int verdict)
{
	switch (verdict) {
	case FROMAUTH_VERDICT_FAIL: return 3;
	case FROMAUTH_VERDICT_UNKNOWN: return 2;
	case FROMAUTH_VERDICT_AT_RISK: return 1;
	}
	return 0;
}

static void count_code(struct run *run, const char *code)
{
	for (size_t i = 0; i < run->ncodes; i++)
		if (!strcmp(run->codes[i].code, code)) {
			run->codes[i].count++;
			return;
		}
	struct code_count *c = realloc(run->codes, (run->ncodes + 1) * sizeof(*c));
	if (!c)
		return;
	run->codes = c;
	if ((c[run->ncodes].code = strdup(code)))
		c[run->ncodes++].count = 1;
}

/* TSV fields hold no tabs or newlines. */
static void tsv_field(const char *s)
{
	for (; *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void print_slot(struct run *run, const struct slot *s)
{
	const struct fromauth_result *r = s->result;
	if (!r) {
		if (run->format == JSON) {
			struct json_object *o = json_object_new_object();
			json_object_object_add(o, "line", json_object_new_int64((int64_t)s->line));
			json_object_object_add(o, "input", json_object_new_string(s->input));
			json_object_object_add(o, "error", json_object_new_string(s->message));
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		} else if (run->format == TSV) {
			printf("%zu\t", s->line);
			tsv_field(s->input);
			printf("\terror\t");
			tsv_field(s->message);
			putchar('\n');
		} else {
			printf("%zu: %s: error: %s\n", s->line, s->input, s->message);
		}
		return;
	}
	const char *verdict = fromauth_verdict_name(fromauth_result_verdict(r));
	size_t n = fromauth_result_finding_count(r);
	if (run->format == JSON) {
		/* The check's object with "line" first: splice, do not re-parse. */
		const char *json = fromauth_result_json(r);
		printf("{\"line\":%zu%s%s\n", s->line, json[1] == '}' ? "" : ",", json + 1);
	} else if (run->format == TSV) {
		printf("%zu\t", s->line);
		tsv_field(s->input);
		printf("\t%s\t", verdict);
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i ? "," : "", fromauth_result_finding_code(r, i));
		putchar('\n');
	} else {
		/* The problems only: info findings say what works. */
		printf("%zu: %s: %s", s->line, s->input, verdict);
		int first = 1;
		for (size_t i = 0; i < n; i++) {
			if (fromauth_result_finding_severity(r, i) == FROMAUTH_SEVERITY_INFO)
				continue;
			printf("%s%s", first ? " (" : ", ", fromauth_result_finding_code(r, i));
			first = 0;
		}
		printf("%s\n", first ? "" : ")");
	}
}

static void account(struct run *run, const struct slot *s)
{
	run->done++;
	const struct fromauth_result *r = s->result;
	if (!r) {
		if (s->error == FROMAUTH_E_ADDRESS || s->error == FROMAUTH_E_DOMAIN)
			run->bad++;
		else
			run->failed++;
		return;
	}
	int v = fromauth_result_verdict(r);
	if (v >= 0 && v < 4)
		run->verdicts[v]++;
	if (run->worst < 0 || rank(v) > rank(run->worst))
		run->worst = v;
	for (size_t i = 0; i < fromauth_result_finding_count(r); i++)
		count_code(run, fromauth_result_finding_code(r, i));
	run->queries += fromauth_result_dns_queries(r);
	run->hits += fromauth_result_cache_hits(r);
}

static void show_progress(struct run *run, int final)
{
	double t = now_s();
	if (!run->progress || (!final && t - run->last_progress < 0.2))
		return;
	run->last_progress = t;
	/* What the count says is done is in the output too. */
	fflush(stdout);
	double elapsed = t - run->start, rate = elapsed > 0 ? (double)run->done / elapsed : 0;
	if (run->total) {
		double eta = rate > 0 ? (double)(run->total - run->done) / rate : 0;
		fprintf(stderr, "\r%zu/%zu (%.0f%%), %.0f checks/s, ETA %.0f s   ", run->done,
			run->total, 100.0 * (double)run->done / (double)run->total, rate, eta);
	} else {
		fprintf(stderr, "\r%zu done, %.0f checks/s   ", run->done, rate);
	}
	if (final)
		fprintf(stderr, "\r%*s\r", 60, "");
}

static int by_count(const void *a, const void *b)
{
	const struct code_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->code, y->code);
}

static void summary(struct run *run)
{
	double elapsed = now_s() - run->start;
	size_t checked = run->done - run->bad - run->failed;
	fprintf(stderr, "fromauth bulk: %zu addresses in %.1f s (%.0f checks/s); %zu bad line%s",
		run->done, elapsed, elapsed > 0 ? (double)checked / elapsed : 0.0, run->bad, run->bad == 1 ? "" : "s");
	if (run->failed)
		fprintf(stderr, ", %zu checks failed", run->failed);
	fprintf(stderr, "\n  verdicts: pass %zu, at-risk %zu, fail %zu, unknown %zu\n",
		run->verdicts[FROMAUTH_VERDICT_PASS], run->verdicts[FROMAUTH_VERDICT_AT_RISK],
		run->verdicts[FROMAUTH_VERDICT_FAIL], run->verdicts[FROMAUTH_VERDICT_UNKNOWN]);
	if (run->ncodes) {
		qsort(run->codes, run->ncodes, sizeof(*run->codes), by_count);
		fprintf(stderr, "  most frequent findings:");
		for (size_t i = 0; i < run->ncodes && i < 8; i++)
			fprintf(stderr, "%s %s %zu", i ? "," : "", run->codes[i].code,
				run->codes[i].count);
		fprintf(stderr, "\n");
	}
	uint64_t asked = run->queries + run->hits;
	fprintf(stderr, "  DNS: %.2f queries per check, cache hit rate %.1f%%\n",
		checked ? (double)run->queries / (double)checked : 0.0,
		asked ? 100.0 * (double)run->hits / (double)asked : 0.0);
}

static void slot_clear(struct slot *s)
{
	fromauth_result_free(s->result);
	free(s->input);
	free(s->message);
	memset(s, 0, sizeof(*s));
}

static int parse_jobs(const char *arg, unsigned int *jobs)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || n < 1 || n > 256)
		return -1;
	*jobs = (unsigned int)n;
	return 0;
}

int cmd_bulk(int argc, char **argv)
{
	static const struct option options[] = {
		DNS_LONG_OPTIONS,
		{ "service", required_argument, NULL, 's' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "json", no_argument, NULL, 'j' },
		{ "tsv", no_argument, NULL, 'T' },
		{ "progress", no_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fromauth_ctx *ctx = NULL;
	struct fromauth_profile *profile = NULL;
	struct fromauth_batch *batch = NULL;
	struct slot *slots = NULL;
	const char *service = NULL;
	unsigned int jobs = 16;
	int progress = -1, status = 0, c, rc;
	char err[1024] = "";
	struct run run = { .format = HUMAN, .worst = -1 };
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0;

	if (fromauth_ctx_new(&ctx) != 0)
		return report_error("context", FROMAUTH_E_NOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "hj:", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			bulk_usage(stdout);
			goto out;
		case 's':
			service = optarg;
			continue;
		case 'J':
			if (parse_jobs(optarg, &jobs)) {
				status = usage_error("bulk", "--jobs %s: not a number in 1..256", optarg);
				goto out;
			}
			continue;
		case 'j':
			run.format = JSON;
			continue;
		case 'T':
			run.format = TSV;
			continue;
		case 'p':
			progress = 1;
			continue;
		case 'P':
			progress = 0;
			continue;
		case '?':
			status = usage_error("bulk", "bad option");
			goto out;
		}
		if ((rc = dns_option(ctx, c, optarg)) != 0) {
			status = rc;
			goto out;
		}
	}
	if (argc - optind > 1) {
		status = usage_error("bulk", "expected at most one input file");
		goto out;
	}
	if (!service) {
		status = usage_error("bulk", "--service FILE is required");
		goto out;
	}
	rc = fromauth_profile_load(service, &profile, err, sizeof(err));
	if (rc) {
		status = report_error("--service", rc, err);
		goto out;
	}
	if (argc - optind == 1 && strcmp(argv[optind], "-")) {
		if (!(in = fopen(argv[optind], "r"))) {
			fprintf(stderr, "fromauth: %s: %s\n", argv[optind], strerror(errno));
			status = EXIT_NOINPUT;
			goto out;
		}
	}
	/* Into a file or a pipe, results go out in large writes, not one or
	 * two per result (stdio's default buffer is a few KiB); a terminal
	 * keeps line buffering. */
	static char outbuf[OUT_BUFFER];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	run.progress = progress >= 0 ? progress : isatty(STDERR_FILENO);
	if (run.progress)
		run.total = count_addresses(in);
	rc = fromauth_batch_new(ctx, profile, 0, jobs, &batch, err, sizeof(err));
	if (rc) {
		status = report_error("bulk", rc, err);
		goto out;
	}

	/* Slot i % window holds item i from reading until printing.  Wide,
	 * so that the workers (each holding two addresses) still have
	 * addresses queued while a slow one (a timeout) holds up printing
	 * in order: idle workers cost a wake-up per address. */
	size_t window = 8 * (size_t)jobs < 256 ? 256 : 8 * (size_t)jobs;
	if (!(slots = calloc(window, sizeof(*slots)))) {
		status = report_error("bulk", FROMAUTH_E_NOMEM, NULL);
		goto out;
	}
	size_t added = 0, printed = 0, lineno = 0;
	int more = 1;
	run.start = now_s();
	while (more || printed < added) {
		if (more && added - printed < window) {
			if (getline(&line, &cap, in) == -1) {
				if (ferror(in)) {
					fprintf(stderr, "fromauth: reading input: %s\n", strerror(errno));
					status = EXIT_NOINPUT;
					goto out;
				}
				fromauth_batch_close(batch);
				more = 0;
				continue;
			}
			lineno++;
			char *address = address_of(line);
			if (!address)
				continue;
			struct slot *s = &slots[added % window];
			s->line = lineno;
			if (!(s->input = strdup(address)) ||
			    fromauth_batch_add(batch, address, NULL) != 0) {
				status = report_error("bulk", FROMAUTH_E_NOMEM, NULL);
				goto out;
			}
			added++;
			continue;
		}
		size_t index;
		struct fromauth_result *r = NULL;
		int error = 0;
		rc = fromauth_batch_next(batch, &index, &r, &error, err, sizeof(err));
		if (rc != 1) {
			status = report_error("bulk", rc ? rc : FROMAUTH_E_INTERNAL, err);
			goto out;
		}
		/* A text that cannot be made (no memory) makes the item an
		 * error, not a crash when it is printed. */
		if (r && run.format == JSON && !fromauth_result_json(r)) {
			fromauth_result_free(r);
			r = NULL;
			error = FROMAUTH_E_NOMEM;
			snprintf(err, sizeof(err), "%s", fromauth_strerror(error));
		}
		struct slot *s = &slots[index % window];
		s->ready = 1;
		s->result = r;
		s->error = error;
		if (error && !(s->message = strdup(err))) {
			status = report_error("bulk", FROMAUTH_E_NOMEM, NULL);
			goto out;
		}
		while (printed < added && slots[printed % window].ready) {
			struct slot *p = &slots[printed % window];
			print_slot(&run, p);
			account(&run, p);
			slot_clear(p);
			printed++;
		}
		show_progress(&run, 0);
	}
	fflush(stdout);
	show_progress(&run, 1);
	summary(&run);
	if (run.bad)
		status = EXIT_DATAERR;
	else if (run.failed)
		status = EXIT_SOFTWARE;
	else
		status = run.worst < 0 ? 0 : run.worst;
out:
	fromauth_batch_free(batch);
	for (size_t i = 0; slots && i < (4 * (size_t)jobs < 64 ? 64 : 4 * (size_t)jobs); i++)
		slot_clear(&slots[i]);
	free(slots);
	for (size_t i = 0; i < run.ncodes; i++)
		free(run.codes[i].code);
	free(run.codes);
	free(line);
	if (in && in != stdin)
		fclose(in);
	fromauth_profile_free(profile);
	fromauth_ctx_free(ctx);
	return status;
}
