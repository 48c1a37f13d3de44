/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A real DNS server for the network tests: NSD from Debian, started on
 * 127.0.0.1 and a free high port in a private temporary directory, and
 * stopped by the test itself.  Only loopback is ever queried.
 */
#ifndef FROMAUTH_TEST_NSD_H
#define FROMAUTH_TEST_NSD_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "fromauth/fromauth.h"

struct test_nsd {
	pid_t pid;
	unsigned int port;
	char dir[64];
	char nameserver[32];    /* "127.0.0.1@PORT" */
};

#define NSD_PATH "/usr/sbin/nsd"

/* A port no one listens on right now, UDP and TCP. */
static inline unsigned int test_free_port(void)
{
	for (int attempt = 0; attempt < 50; attempt++) {
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET };
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		socklen_t len = sizeof(sa);
		if (u < 0 || bind(u, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    getsockname(u, (struct sockaddr *)&sa, &len) != 0) {
			if (u >= 0)
				close(u);
			continue;
		}
		int t = socket(AF_INET, SOCK_STREAM, 0);
		int ok = t >= 0 && bind(t, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		unsigned int port = ntohs(sa.sin_port);
		close(u);
		if (t >= 0)
			close(t);
		if (ok && port > 1024)
			return port;
	}
	return 0;
}

/* Start NSD serving @zone_file (absolute path) as zone @zone_name.
 * Returns 0, or 77 (skip) when nsd is not installed, or 1. */
static inline int test_nsd_start(struct test_nsd *n, const char *zone_name,
				 const char *zone_file)
{
	memset(n, 0, sizeof(*n));
	if (access(NSD_PATH, X_OK) != 0)
		return 77;
	strcpy(n->dir, "/tmp/fromauth-nsd-XXXXXX");
	if (!mkdtemp(n->dir))
		return 1;
	n->port = test_free_port();
	if (!n->port)
		return 1;
	snprintf(n->nameserver, sizeof(n->nameserver), "127.0.0.1@%u", n->port);

	char conf[128];
	snprintf(conf, sizeof(conf), "%s/nsd.conf", n->dir);
	FILE *f = fopen(conf, "w");
	if (!f)
		return 1;
	/* No privilege drop or chroot, state kept in our directory, and no
	 * response-rate limiting: every test query comes from 127.0.0.1. */
	fprintf(f,
		"server:\n"
		"  ip-address: 127.0.0.1@%u\n"
		"  username: \"\"\n  chroot: \"\"\n  database: \"\"\n"
		"  zonelistfile: \"%s/zone.list\"\n"
		"  xfrdfile: \"%s/xfrd.state\"\n"
		"  pidfile: \"%s/nsd.pid\"\n"
		"  logfile: \"%s/nsd.log\"\n"
		"  rrl-ratelimit: 0\n"
		"  server-count: 1\n"
		"  verbosity: 0\n"
		"remote-control:\n  control-enable: no\n"
		"zone:\n  name: %s\n  zonefile: \"%s\"\n",
		n->port, n->dir, n->dir, n->dir, n->dir, zone_name, zone_file);
	fclose(f);

	n->pid = fork();
	if (n->pid < 0)
		return 1;
	if (n->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execl(NSD_PATH, "nsd", "-d", "-c", conf, (char *)NULL);
		_exit(127);
	}

	/* Ready when it answers the zone apex. */
	struct fromauth_ctx *ctx = NULL;
	fromauth_ctx_new(&ctx);
	fromauth_ctx_add_nameserver(ctx, n->nameserver);
	fromauth_ctx_set_timeout(ctx, 200);
	fromauth_ctx_set_tries(ctx, 1);
	int ready = 0;
	for (int i = 0; i < 50 && !ready; i++) {
		struct fromauth_dns_answer *a = NULL;
		if (fromauth_dns_lookup(ctx, "ns.test", FROMAUTH_RR_A, &a, NULL, 0) == 0)
			ready = fromauth_dns_answer_status(a) == FROMAUTH_DNS_OK;
		fromauth_dns_answer_free(a);
		if (!ready) {
			int st;
			if (waitpid(n->pid, &st, WNOHANG) == n->pid)
				break;  /* it died */
			struct timespec ts = { 0, 100 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	fromauth_ctx_free(ctx);
	return ready ? 0 : 1;
}

static inline void test_nsd_stop(struct test_nsd *n)
{
	if (n->pid > 0) {
		kill(n->pid, SIGTERM);
		waitpid(n->pid, NULL, 0);
		n->pid = 0;
	}
	if (n->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", n->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", n->dir);
		n->dir[0] = '\0';
	}
}

/* main() of a network test program: serve @zone_file (absolute) as zone
 * "test", run the suite, stop the server. */
static inline int test_nsd_main(struct test_nsd *n, const char *zone_file, Suite *suite)
{
	int rc = test_nsd_start(n, "test", zone_file);
	if (rc != 0) {
		fprintf(stderr, "cannot start nsd (%d)\n", rc);
		test_nsd_stop(n);
		srunner_free(srunner_create(suite));
		return rc;
	}
	SRunner *sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	test_nsd_stop(n);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
