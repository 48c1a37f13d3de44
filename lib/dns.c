/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DNS layer: configuration, the network path (our own sockets with
 * absolute deadlines, ldns for the packets; UDP, TCP when truncated,
 * bounded tries), and resolution through overlay, cache and
 * network with CNAMEs followed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"
#include "private.h"

#define DEFAULT_TIMEOUT_MS 2000u
#define DEFAULT_TRIES 2u
/* A check never hangs: its DNS work as a whole is bounded too. */
#define DEFAULT_DEADLINE_MS 30000u
#define EDNS_UDP_SIZE 1232u     /* DNS flag day 2020 */

/* ---- configuration -------------------------------------------------- */

int fa_dns_new(struct fa_dns **out)
{
	struct fa_dns *d = calloc(1, sizeof(*d));
	if (!d)
		return FROMAUTH_E_NOMEM;
	d->timeout_ms = DEFAULT_TIMEOUT_MS;
	d->tries = DEFAULT_TRIES;
	d->deadline_ms = DEFAULT_DEADLINE_MS;
	pthread_mutex_init(&d->ns_lock, NULL);
	fa_mutex_init(&d->udp_lock);
	if (fa_overlay_new(&d->overlay) != FROMAUTH_OK ||
	    fa_cache_new(&d->cache, FA_CACHE_DEFAULT_BYTES) != FROMAUTH_OK) {
		fa_dns_free(d);
		return FROMAUTH_E_NOMEM;
	}
	*out = d;
	return FROMAUTH_OK;
}

static void clear_nameservers(struct fa_dns *d)
{
	for (size_t i = 0; i < d->ns_count; i++)
		ldns_rdf_deep_free(d->ns[i].addr);
	free(d->ns);
	d->ns = NULL;
	d->ns_count = 0;
}

void fa_dns_free(struct fa_dns *d)
{
	if (!d)
		return;
	clear_nameservers(d);
	fa_overlay_free(d->overlay);
	if (!d->parent)
		fa_cache_free(d->cache);
	pthread_mutex_destroy(&d->ns_lock);
	for (size_t i = 0; i < d->udp_count; i++) {
		close(d->udp[i].fd);
		free(d->udp[i].buf);
	}
	pthread_mutex_destroy(&d->udp_lock);
	free(d);
}

static int push_nameserver(struct fa_dns *d, ldns_rdf *addr, uint16_t port)
{
	struct fa_nameserver *ns = realloc(d->ns, (d->ns_count + 1) * sizeof(*ns));
	if (!ns) {
		ldns_rdf_deep_free(addr);
		return FROMAUTH_E_NOMEM;
	}
	d->ns = ns;
	ns[d->ns_count].addr = addr;
	ns[d->ns_count].port = port;
	d->ns_count++;
	return FROMAUTH_OK;
}

int fa_dns_add_nameserver(struct fa_dns *d, const char *text)
{
	char host[INET6_ADDRSTRLEN + 1];
	unsigned long port = 53;
	const char *at = strrchr(text, '@');
	size_t hlen = at ? (size_t)(at - text) : strlen(text);

	if (hlen == 0 || hlen >= sizeof(host))
		return FROMAUTH_E_NAMESERVER;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (at) {
		char *end;
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (errno || end == at + 1 || *end || port == 0 || port > 65535)
			return FROMAUTH_E_NAMESERVER;
	}
	unsigned char bin[16];
	ldns_rdf *addr;
	if (inet_pton(AF_INET, host, bin) == 1)
		addr = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, bin);
	else if (inet_pton(AF_INET6, host, bin) == 1)
		addr = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, bin);
	else
		return FROMAUTH_E_NAMESERVER;
	if (!addr)
		return FROMAUTH_E_NOMEM;
	if (!d->ns_explicit) {
		clear_nameservers(d);   /* drop what resolv.conf gave */
		d->ns_explicit = 1;
		d->ns_loaded = 1;
	}
	return push_nameserver(d, addr, (uint16_t)port);
}

int fa_dns_set_timeout(struct fa_dns *d, unsigned int ms)
{
	if (ms < 1 || ms > 600000)
		return FROMAUTH_E_INVAL;
	d->timeout_ms = ms;
	return FROMAUTH_OK;
}

int fa_dns_set_tries(struct fa_dns *d, unsigned int tries)
{
	if (tries < 1 || tries > 10)
		return FROMAUTH_E_INVAL;
	d->tries = tries;
	return FROMAUTH_OK;
}

int fa_dns_set_deadline(struct fa_dns *d, unsigned int ms)
{
	d->deadline_ms = ms;
	return FROMAUTH_OK;
}

int fa_dns_set_offline(struct fa_dns *d, int offline)
{
	d->offline = offline != 0;
	return FROMAUTH_OK;
}

int fa_dns_is_offline(const struct fa_dns *d)
{
	return d->offline;
}

void fa_dns_set_psl(struct fa_dns *d, const void *psl)
{
	d->psl = psl;
}

const void *fa_dns_psl(const struct fa_dns *d)
{
	while (d->parent)
		d = d->parent;
	return d->psl;
}

void fa_dns_set_memo(struct fa_dns *d, struct fa_memo *memo)
{
	d->memo = memo;
}

struct fa_memo *fa_dns_memo(const struct fa_dns *d)
{
	while (d->parent)
		d = d->parent;
	return d->memo;
}

/* One master-file line into the overlay: added, or (@delete) taken away. */
static int change_record(struct fa_dns *d, const char *text, int delete,
			 char *errbuf, size_t errlen)
{
	ldns_rr *rr = NULL;
	uint32_t default_ttl = 3600;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, default_ttl, NULL, NULL);
	if (st != LDNS_STATUS_OK)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"record \"%s\": %s", text, ldns_get_errorstr_by_id(st));
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		ldns_rr_free(rr);
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD,
				"record \"%s\": only class IN is served", text);
	}
	int rc = delete ? fa_overlay_delete_ldns(d->overlay, rr)
			: fa_overlay_add_ldns(d->overlay, rr);
	ldns_rr_free(rr);
	if (rc)
		return fa_error(errbuf, errlen, rc, "record \"%s\": %s", text,
				fromauth_strerror(rc));
	return FROMAUTH_OK;
}

int fa_dns_add_record(struct fa_dns *d, const char *text,
		      char *errbuf, size_t errlen)
{
	return change_record(d, text, 0, errbuf, errlen);
}

int fa_dns_delete_record(struct fa_dns *d, const char *text,
			 char *errbuf, size_t errlen)
{
	return change_record(d, text, 1, errbuf, errlen);
}

int fa_dns_add_zone_file(struct fa_dns *d, const char *path,
			 char *errbuf, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return fa_error(errbuf, errlen, FROMAUTH_E_IO, "%s: %s", path,
				strerror(errno));
	ldns_zone *zone = NULL;
	int line = 0;
	ldns_status st = ldns_zone_new_frm_fp_l(&zone, fp, NULL, 3600,
						LDNS_RR_CLASS_IN, &line);
	fclose(fp);
	if (st != LDNS_STATUS_OK)
		return fa_error(errbuf, errlen, FROMAUTH_E_RECORD, "%s:%d: %s",
				path, line, ldns_get_errorstr_by_id(st));
	int rc = FROMAUTH_OK;
	if (ldns_zone_soa(zone))
		rc = fa_overlay_add_ldns(d->overlay, ldns_zone_soa(zone));
	const ldns_rr_list *rrs = ldns_zone_rrs(zone);
	for (size_t i = 0; rc == FROMAUTH_OK && i < ldns_rr_list_rr_count(rrs); i++)
		rc = fa_overlay_add_ldns(d->overlay, ldns_rr_list_rr(rrs, i));
	ldns_zone_deep_free(zone);
	if (rc)
		return fa_error(errbuf, errlen, rc, "%s: %s", path,
				fromauth_strerror(rc));
	return FROMAUTH_OK;
}

int fa_dns_add_timeout_name(struct fa_dns *d, const char *name)
{
	char *key = fa_dns_name_key(name);
	if (!key)
		return FROMAUTH_E_DOMAIN;
	int rc = fa_overlay_add_timeout(d->overlay, key);
	free(key);
	return rc;
}

int fa_dns_clone_overlay(const struct fa_dns *d, struct fa_dns **out)
{
	struct fa_dns *c = calloc(1, sizeof(*c));
	if (!c)
		return FROMAUTH_E_NOMEM;
	pthread_mutex_init(&c->ns_lock, NULL);
	fa_mutex_init(&c->udp_lock);
	c->parent = d;
	c->cache = d->cache;    /* network truth is the same: share it */
	c->timeout_ms = d->timeout_ms;
	c->tries = d->tries;
	c->deadline_ms = d->deadline_ms;
	c->offline = d->offline;
	/* Nameservers are read from the bottom context when needed. */
	int rc = fa_overlay_new(&c->overlay);
	if (rc) {
		fa_dns_free(c);
		return rc;
	}
	*out = c;
	return FROMAUTH_OK;
}

/* Nameservers from /etc/resolv.conf, read once on first network use. */
static int load_system_nameservers(struct fa_dns *d)
{
	int rc = FROMAUTH_OK;
	/* Asked before every network question: loaded once, then read. */
	if (__atomic_load_n(&d->ns_loaded, __ATOMIC_ACQUIRE))
		return rc;
	pthread_mutex_lock(&d->ns_lock);
	if (!d->ns_loaded) {
		ldns_resolver *r = NULL;
		if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK) {
			rc = FROMAUTH_E_RESOLVER;
		} else {
			ldns_rdf **ns = ldns_resolver_nameservers(r);
			for (size_t i = 0; rc == FROMAUTH_OK && i < ldns_resolver_nameserver_count(r); i++) {
				ldns_rdf *a = ldns_rdf_clone(ns[i]);
				rc = a ? push_nameserver(d, a, ldns_resolver_port(r))
				       : FROMAUTH_E_NOMEM;
			}
			ldns_resolver_deep_free(r);
			if (rc == FROMAUTH_OK && d->ns_count == 0)
				rc = FROMAUTH_E_RESOLVER;
		}
		if (rc == FROMAUTH_OK)
			__atomic_store_n(&d->ns_loaded, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&d->ns_lock);
	return rc;
}

void fa_dns_req_init(struct fa_dns_req *req, struct fa_dns *d)
{
	memset(req, 0, sizeof(*req));
	req->dns = d;
	req->deadline_ms = d->deadline_ms ? fa_now_ms() + d->deadline_ms : 0;
	atomic_init(&req->queries, 0);
	atomic_init(&req->cache_hits, 0);
	atomic_init(&req->overlay_hits, 0);
	atomic_init(&req->lookups, 0);
	atomic_init(&req->nomem, 0);
}

/* Why a name got no key: not a name, or no memory. */
static int name_key_error(const char *name)
{
	ldns_rdf *d = name && *name ? ldns_dname_new_frm_str(name) : NULL;
	if (!d)
		return FROMAUTH_E_DOMAIN;
	ldns_rdf_deep_free(d);
	return FROMAUTH_E_NOMEM;
}

/* ---- the network path ------------------------------------------------ */

static struct fa_dns *bottom(struct fa_dns *d)
{
	while (d->parent)
		d = (struct fa_dns *)d->parent;
	return d;
}

/* Where a nameserver listens, as a socket address. */
static int ns_sockaddr(const struct fa_nameserver *ns, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	const ldns_rdf *a = ns->addr;
	if (ldns_rdf_get_type(a) == LDNS_RDF_TYPE_A && ldns_rdf_size(a) == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(ns->port);
		memcpy(&sin->sin_addr, ldns_rdf_data(a), 4);
		*len = sizeof(*sin);
		return 0;
	}
	if (ldns_rdf_get_type(a) == LDNS_RDF_TYPE_AAAA && ldns_rdf_size(a) == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ns->port);
		memcpy(&sin6->sin6_addr, ldns_rdf_data(a), 16);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* Did the datagram come from the address and port we asked? */
static int same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port &&
	       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
}

/* Wait until @fd is ready for @events, never past @end (fa_now_ms()).
 * 1 ready, 0 out of time, -1 error. */
static int wait_fd(int fd, short events, uint64_t end)
{
	for (;;) {
		uint64_t now = fa_now_ms();
		if (now >= end)
			return 0;
		uint64_t left = end - now;
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 1;       /* errors show in the following call */
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* What one exchange with a server gave. */
enum exchange {
	EX_ANSWER,      /* *out: a reply to our question */
	EX_SILENT,      /* nothing usable in time, or the network failed */
	EX_BROKEN,      /* the server answered wrongly (TCP) */
};

/*
 * UDP sockets are reused: making, connecting and closing one per query
 * was about a third of a bulk run's CPU time (in the kernel).  The price
 * is source-port entropy (RFC 5452 section 9.2): a socket's port stays
 * the same for up to UDP_MAX_USES queries, so an off-path forger who
 * learnt it has only the 16-bit random ID (and the question) against
 * him for those few queries.  To keep that window small a socket is
 * retired after UDP_MAX_USES queries, and at once after any exchange
 * that was not clean (a timeout, an error, or any datagram that was not
 * our reply: a late answer or a forgery attempt).  The ID stays random
 * per query, and the socket stays connected, so the kernel still drops
 * datagrams from anyone but the server and reports ICMP errors.
 */
#define UDP_MAX_USES 32u

/* Bumped in a forked child, so that it neither shares its parent's
 * sockets nor repeats its random IDs; no getpid() per query. */
static atomic_uint fork_gen;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
}

static void watch_forks(void)
{
	pthread_atfork(NULL, NULL, on_fork_child);
}

static unsigned int current_fork_gen(void)
{
	pthread_once(&fork_once, watch_forks);
	return atomic_load(&fork_gen);
}

#define UDP_BUF 65535

/* A UDP socket's receive timeout.  A wait with at least this long left
 * blocks in the receive call (which gives up after this long and is
 * called again); a shorter one polls for exactly what is left. */
#define UDP_WAIT_QUANTUM_MS 100

/* Receive datagrams on the blocking UDP socket @fd (recvmmsg() of up to
 * @n, returning as soon as one has come), never waiting past @end.  The
 * count, or -1 (errno ETIMEDOUT when out of time). */
static int udp_recv(int fd, struct mmsghdr *msgs, unsigned int n, uint64_t end)
{
	for (;;) {
		uint64_t now = fa_now_ms();
		if (now >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		int flags = MSG_WAITFORONE;
		if (end - now < UDP_WAIT_QUANTUM_MS) {
			if (wait_fd(fd, POLLIN, end) != 1) {
				errno = ETIMEDOUT;
				return -1;
			}
			flags |= MSG_DONTWAIT;
		}
		int got = recvmmsg(fd, msgs, n, flags, NULL);
		if (got >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return got;
	}
}

static void udp_close(struct fa_udp_sock *u)
{
	if (u->fd >= 0)
		close(u->fd);
	free(u->buf);
}

/* A connected UDP socket to @ss and its buffer: an idle one of @base's,
 * else a new one.  0, or -1 when none can be made. */
static int udp_take(struct fa_dns *base, const struct sockaddr_storage *ss,
		    socklen_t sslen, struct fa_udp_sock *u)
{
	unsigned int gen = current_fork_gen();
	pthread_mutex_lock(&base->udp_lock);
	for (size_t i = base->udp_count; i-- > 0;) {
		if (base->udp[i].fork_gen != gen) {
			/* Inherited over fork(): the parent's copy stays open. */
			udp_close(&base->udp[i]);
			base->udp[i] = base->udp[--base->udp_count];
			continue;
		}
		if (same_peer(&base->udp[i].peer, ss)) {
			*u = base->udp[i];
			base->udp[i] = base->udp[--base->udp_count];
			pthread_mutex_unlock(&base->udp_lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&base->udp_lock);
	memset(u, 0, sizeof(*u));
	u->peer = *ss;
	u->fork_gen = gen;
	u->buf = malloc(UDP_BUF);
	u->fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* Blocking, with a receive timeout: udp_recv() waits in the receive
	 * call itself, with no poll() before it. */
	struct timeval quantum = { .tv_usec = UDP_WAIT_QUANTUM_MS * 1000 };
	/* Connected: the kernel, too, drops datagrams from anyone else. */
	if (!u->buf || u->fd < 0 ||
	    setsockopt(u->fd, SOL_SOCKET, SO_RCVTIMEO, &quantum, sizeof(quantum)) != 0 ||
	    connect(u->fd, (const struct sockaddr *)ss, sslen) != 0) {
		udp_close(u);
		return -1;
	}
	return 0;
}

/* Keep @u for another query, or close it when it has served enough or
 * the pool is full. */
static void udp_give(struct fa_dns *base, struct fa_udp_sock *u)
{
	if (u->uses < UDP_MAX_USES) {
		pthread_mutex_lock(&base->udp_lock);
		if (base->udp_count < FA_DNS_UDP_POOL) {
			base->udp[base->udp_count++] = *u;
			u = NULL;
		}
		pthread_mutex_unlock(&base->udp_lock);
	}
	if (u)
		udp_close(u);
}

/* One query over UDP: wait for the reply until @end, dropping datagrams
 * that are not the reply to our question from the server we asked. */
static enum exchange udp_exchange(struct fa_dns *base,
				  const struct sockaddr_storage *ss, socklen_t sslen,
				  const uint8_t *q, size_t qlen, uint16_t id,
				  const ldns_rdf *qname, uint16_t type,
				  uint64_t end, struct fa_dns_reply **out)
{
	enum exchange ex = EX_SILENT;
	int clean = 1;
	struct fa_udp_sock u;
	if (udp_take(base, ss, sslen, &u) != 0)
		return EX_SILENT;
	if (send(u.fd, q, qlen, MSG_DONTWAIT) != (ssize_t)qlen)
		goto out;
	u.uses++;
	for (;;) {
		struct sockaddr_storage from;
		struct iovec iov = { .iov_base = u.buf, .iov_len = UDP_BUF };
		struct mmsghdr m = { .msg_hdr = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		} };
		if (udp_recv(u.fd, &m, 1, end) != 1)
			break;          /* out of time, or e.g. ICMP port unreachable */
		size_t n = m.msg_len;
		if (!same_peer(&from, ss)) {
			clean = 0;
			continue;
		}
		if (fa_dns_reply_parse(u.buf, n, id, qname, type, out) == FROMAUTH_OK) {
			ex = EX_ANSWER;
			break;
		}
		clean = 0;
	}
out:
	if (ex == EX_ANSWER && clean)
		udp_give(base, &u);
	else
		udp_close(&u);
	return ex;
}

/* Write all of @buf to @fd before @end.  0, or -1. */
static int send_all(int fd, const uint8_t *buf, size_t len, uint64_t end)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT, end) != 1)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* Read exactly @len bytes before @end, however the server drips them.
 * 0, or -1 (out of time, closed, error). */
static int recv_all(int fd, uint8_t *buf, size_t len, uint64_t end)
{
	while (len) {
		ssize_t n = recv(fd, buf, len, 0);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, end) != 1)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* One query over TCP (RFC 1035 section 4.2.2 framing), all of it (connect,
 * send, every partial read) before @end.  Any reply that is not ours
 * ends the exchange: a stream has no room for a second one. */
static enum exchange tcp_exchange(const struct sockaddr_storage *ss, socklen_t sslen,
				  const uint8_t *q, size_t qlen, uint16_t id,
				  const ldns_rdf *qname, uint16_t type,
				  uint64_t end, struct fa_dns_reply **out)
{
	enum exchange ex = EX_SILENT;
	uint8_t *msg = malloc(qlen + 2), *reply = NULL;
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || !msg)
		goto out;
	if (connect(fd, (const struct sockaddr *)ss, sslen) != 0) {
		int err = 0;
		socklen_t elen = sizeof(err);
		if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, end) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err)
			goto out;
	}
	msg[0] = (uint8_t)(qlen >> 8);
	msg[1] = (uint8_t)qlen;
	memcpy(msg + 2, q, qlen);
	uint8_t lenbuf[2];
	if (send_all(fd, msg, qlen + 2, end) || recv_all(fd, lenbuf, 2, end))
		goto out;
	size_t rlen = (size_t)lenbuf[0] << 8 | lenbuf[1];
	reply = malloc(rlen ? rlen : 1);
	if (!reply || recv_all(fd, reply, rlen, end))
		goto out;
	ex = fa_dns_reply_parse(reply, rlen, id, qname, type, out) == FROMAUTH_OK
		? EX_ANSWER : EX_BROKEN;
out:
	free(reply);
	free(msg);
	if (fd >= 0)
		close(fd);
	return ex;
}

/* A query ID from the kernel's CSPRNG, fetched 32 at a time per thread
 * (one getrandom() per query was a syscall we can spare). */
static uint16_t random_id(void)
{
	static _Thread_local struct {
		uint16_t ids[32];
		unsigned int left, gen;
	} r;
	unsigned int gen = current_fork_gen();
	if (!r.left || r.gen != gen) {
		if (getrandom(r.ids, sizeof(r.ids), 0) != (ssize_t)sizeof(r.ids))
			return (uint16_t)ldns_get_random();
		r.left = 32;
		r.gen = gen;
	}
	return r.ids[--r.left];
}

/* Written directly: header, one question, an OPT record.  ldns_pkt2wire
 * (a packet object, name compression for a name that has nothing to
 * compress) cost more than the rest of sending a query. */
size_t fa_dns_query_wire(const ldns_rdf *qname, uint16_t type, uint16_t id,
			 uint8_t wire[FA_DNS_QUERY_MAX])
{
	size_t nlen = ldns_rdf_size(qname);
	if (ldns_rdf_get_type(qname) != LDNS_RDF_TYPE_DNAME || nlen < 1 ||
	    nlen > LDNS_MAX_DOMAINLEN + 1)
		return 0;
	uint8_t *p = wire;
	*p++ = (uint8_t)(id >> 8);
	*p++ = (uint8_t)id;
	*p++ = 0x01;            /* QR=0, opcode QUERY, RD */
	*p++ = 0x00;
	static const uint8_t counts[8] = { 0, 1, 0, 0, 0, 0, 0, 1 };   /* QD=1, AR=1 */
	memcpy(p, counts, sizeof(counts));
	p += sizeof(counts);
	memcpy(p, ldns_rdf_data(qname), nlen);
	p += nlen;
	*p++ = (uint8_t)(type >> 8);
	*p++ = (uint8_t)type;
	*p++ = 0x00;
	*p++ = LDNS_RR_CLASS_IN;
	/* OPT (RFC 6891): root owner, our UDP size as class, TTL 0, no data. */
	*p++ = 0x00;
	*p++ = 0x00;
	*p++ = LDNS_RR_TYPE_OPT;
	*p++ = (uint8_t)(EDNS_UDP_SIZE >> 8);
	*p++ = (uint8_t)EDNS_UDP_SIZE;
	memset(p, 0, 6);
	p += 6;
	return (size_t)(p - wire);
}

/* Send one question, trying each nameserver in turn, at most `tries`
 * times and never past @deadline.  UDP with EDNS; a truncated answer is
 * asked again over TCP within the same try's time.  Every wait (each
 * datagram, connect, partial read) ends by the try's end. */
static int network_fetch(struct fa_dns_req *req, const char *key,
			 uint16_t type, struct fa_dns_answer **out)
{
	struct fa_dns *d = req->dns;
	struct fa_dns *base = bottom(d);
	int rc = load_system_nameservers(base);
	if (rc)
		return rc;
	ldns_rdf *qname = fa_dns_key_rdf(key);
	if (!qname)
		return FROMAUTH_E_DOMAIN;

	uint64_t start = fa_now_ms();
	uint64_t bound = start + (uint64_t)d->timeout_ms * d->tries;
	if (req->deadline_ms && req->deadline_ms < bound)
		bound = req->deadline_ms;
	int status = FA_DNS_TIMEOUT;
	struct fa_dns_reply *pkt = NULL;

	for (unsigned int t = 0; t < d->tries && !pkt; t++) {
		uint64_t now = fa_now_ms();
		if (now >= bound)
			break;
		uint64_t try_end = now + d->timeout_ms;
		if (try_end > bound)
			try_end = bound;
		const struct fa_nameserver *ns = &base->ns[t % base->ns_count];
		struct sockaddr_storage ss;
		socklen_t sslen;
		if (ns_sockaddr(ns, &ss, &sslen) != 0)
			continue;
		uint16_t id = random_id();
		uint8_t wire[FA_DNS_QUERY_MAX];
		size_t wlen = fa_dns_query_wire(qname, type, id, wire);
		if (!wlen) {
			rc = FROMAUTH_E_DOMAIN;
			break;
		}

		for (int tcp = 0; tcp < 2; tcp++) {
			if (fa_now_ms() >= try_end)
				break;
			struct fa_dns_reply *p = NULL;
			atomic_fetch_add(&req->queries, 1);
			enum exchange ex = tcp
				? tcp_exchange(&ss, sslen, wire, wlen, id, qname, type, try_end, &p)
				: udp_exchange(base, &ss, sslen, wire, wlen, id, qname, type, try_end, &p);
			if (ex == EX_BROKEN)
				status = FA_DNS_SERVFAIL;
			if (ex != EX_ANSWER)
				break;          /* timeout, network error, bad reply */
			if (p->tc) {
				fa_dns_reply_free(p);
				if (!tcp)
					continue;
				/* Truncated over TCP: the server failed, it did
				 * not say there is no data. */
				status = FA_DNS_SERVFAIL;
				break;
			}
			if (p->rcode == LDNS_RCODE_NOERROR || p->rcode == LDNS_RCODE_NXDOMAIN) {
				pkt = p;
			} else {
				/* SERVFAIL, REFUSED...: another try may do better. */
				status = FA_DNS_SERVFAIL;
				fa_dns_reply_free(p);
			}
			break;
		}
	}
	ldns_rdf_deep_free(qname);
	if (rc)
		return rc;

	struct fa_dns_answer *a;
	if (pkt) {
		a = fa_dns_answer_from_reply(pkt, key, type);
		fa_dns_reply_free(pkt);
	} else {
		a = fa_answer_new(key, type, status);
		if (a)
			a->ttl = 0;
	}
	if (!a)
		return FROMAUTH_E_NOMEM;
	*out = a;
	return FROMAUTH_OK;
}

/* The cache's key of @key/@type: "type/key", as snprintf("%u/%s") made
 * it, without its cost (one per question, hits included). */
#define CACHE_KEY_MAX 1100
static void cache_key(char ckey[CACHE_KEY_MAX], const char *key, uint16_t type)
{
	char digits[6];
	size_t nd = 0;
	unsigned int t = type;
	do
		digits[nd++] = (char)('0' + t % 10);
	while ((t /= 10) && nd < sizeof(digits));
	size_t at = 0;
	while (nd)
		ckey[at++] = digits[--nd];
	ckey[at++] = '/';
	size_t klen = strnlen(key, CACHE_KEY_MAX - at - 1);
	memcpy(ckey + at, key, klen);
	ckey[at + klen] = '\0';
}

static void drain_own_ahead(const char *ckey);

/* Was @ckey fetched for @req by fa_dns_prefetch() and not looked up
 * since?  Then this first lookup is the network's, not a cache hit. */
static int claim_prefetched(struct fa_dns_req *req, const char *ckey)
{
	unsigned int left = atomic_load(&req->prefetched_unclaimed);
	if (!left)
		return 0;
	uint64_t h = fa_fnv1a_str(ckey);
	for (unsigned int i = 0; i < FA_DNS_PREFETCH_MAX; i++) {
		unsigned int bit = 1u << i;
		if ((left & bit) && req->prefetched[i] == h &&
		    (atomic_fetch_and(&req->prefetched_unclaimed, ~bit) & bit))
			return 1;
	}
	return 0;
}

/* Network answer for @key/@type through the shared cache. */
static int cached_fetch(struct fa_dns_req *req, const char *key, uint16_t type,
			struct fa_dns_answer **out, enum fa_dns_source *source)
{
	char ckey[CACHE_KEY_MAX];
	cache_key(ckey, key, type);
	struct fa_cache *cache = req->dns->cache;

	drain_own_ahead(ckey);
	switch (fa_cache_acquire(cache, ckey, req->deadline_ms, out)) {
	case FA_CACHE_HIT:
		if (claim_prefetched(req, ckey)) {
			*source = FA_DNS_FROM_NETWORK;
			return FROMAUTH_OK;
		}
		atomic_fetch_add(&req->cache_hits, 1);
		*source = FA_DNS_FROM_CACHE;
		return FROMAUTH_OK;
	case FA_CACHE_EXPIRED_WAIT:
		*out = fa_answer_new(key, type, FA_DNS_TIMEOUT);
		*source = FA_DNS_FROM_NETWORK;
		return *out ? FROMAUTH_OK : FROMAUTH_E_NOMEM;
	case FA_CACHE_FETCH:
		break;
	}
	struct fa_dns_answer *a = NULL;
	int rc = network_fetch(req, key, type, &a);
	uint32_t ttl = 0;
	if (a && !fa_dns_status_is_temporary(a->status))
		ttl = a->ttl;
	fa_cache_complete(cache, ckey, a, ttl);
	*out = a;
	*source = FA_DNS_FROM_NETWORK;
	return rc;
}

/* ---- resolution ------------------------------------------------------ */

/* What the overlay layers say of @key/@type. */
enum overlay_verdict {
	OV_NONE, OV_RECORDS, OV_CNAME, OV_TIMEOUT,
	OV_MERGE,       /* records of layers that edit the type: join the network's */
};

/* Deletions of upper layers met on the way down, to filter lower data. */
#define MAX_DEL_LAYERS 16
struct overlay_view {
	const struct fa_overlay_node *del[MAX_DEL_LAYERS];
	size_t ndel;
	int overflow;           /* more layers with deletions than fit */
};

static int view_deleted(const struct overlay_view *v, const struct fa_dns_rr *rr)
{
	for (size_t l = 0; l < v->ndel; l++)
		for (size_t i = 0; i < v->del[l]->del_count; i++)
			if (fa_overlay_rr_same(rr, &v->del[l]->dels[i]))
				return 1;
	return 0;
}

static int has_deletions(const struct fa_dns *d)
{
	for (; d; d = d->parent)
		if (fa_overlay_deletions(d->overlay))
			return 1;
	return 0;
}

/* No layer holds anything: every question goes to the network (cache). */
static int network_only(const struct fa_dns *d)
{
	if (d->offline)
		return 0;
	for (; d; d = d->parent)
		if (fa_overlay_names(d->overlay))
			return 0;
	return 1;
}

/*
 * Walk the layers from the top.  A layer's records of @type hide the
 * lower ones, unless the layer deletes records of that type there: then
 * its records join what is left below (the union is gathered into
 * @merged).  OV_NONE with @v holding deletions: ask the network and
 * filter.
 */
static enum overlay_verdict overlay_lookup(const struct fa_dns *d,
					   const char *key, uint16_t type,
					   const struct fa_overlay_node **node,
					   int *exists, struct overlay_view *v,
					   struct fa_dns_answer *merged, int *rc)
{
	int timeout = 0;
	*exists = 0;
	*rc = FROMAUTH_OK;
	v->ndel = 0;
	v->overflow = 0;
	for (; d; d = d->parent) {
		const struct fa_overlay_node *n = fa_overlay_find(d->overlay, key);
		if (!n)
			continue;
		int has_type = 0, has_cname = 0, edits = 0;
		for (size_t i = 0; i < n->count; i++) {
			if (v->ndel && view_deleted(v, &n->rrs[i]))
				continue;
			*exists = 1;
			if (n->rrs[i].type == type)
				has_type = 1;
			else if (n->rrs[i].type == FA_RR_CNAME)
				has_cname = 1;
		}
		if (n->below || n->timeout)
			*exists = 1;
		for (size_t i = 0; i < n->del_count; i++)
			if (n->dels[i].type == type || n->dels[i].type == FA_RR_CNAME)
				edits = 1;
		*node = n;
		if (has_type) {
			if (!edits && !merged->count)
				return OV_RECORDS;
			for (size_t i = 0; i < n->count && *rc == FROMAUTH_OK; i++)
				if (n->rrs[i].type == type && !view_deleted(v, &n->rrs[i]))
					*rc = fa_answer_add_rr(merged, &n->rrs[i]);
			if (*rc)
				return OV_NONE;
			if (!edits)
				return OV_RECORDS;
		} else if (has_cname && !merged->count) {
			return OV_CNAME;
		}
		timeout |= n->timeout;
		if (n->del_count) {
			if (v->ndel < MAX_DEL_LAYERS)
				v->del[v->ndel++] = n;
			else
				v->overflow = 1;
		}
	}
	if (merged->count)
		return OV_MERGE;
	return timeout ? OV_TIMEOUT : OV_NONE;
}

/*
 * The network's answer for @key/@type with @v's deletions made, added to
 * @result (which may hold records of overlay layers already).  A CNAME
 * at @key that is not deleted is to be followed: *next gets its target.
 * A name left with
 * nothing answers NXDOMAIN when the overlay does not hold it either; the
 * network cannot tell whether the name holds other types, so a set
 * emptied otherwise is NODATA.
 */
static int edited_fetch(struct fa_dns_req *req, const char *key, uint16_t type,
			const struct overlay_view *v, int exists,
			struct fa_dns_answer *result, char **next,
			enum fa_dns_source *source)
{
	struct fa_dns_answer *net = NULL;
	enum fa_dns_source s;
	*next = NULL;
	int rc = cached_fetch(req, key, type, &net, &s);
	if (rc)
		return rc;
	*source = s;
	if (net->cname_count && result->count) {
		/* The overlay's records at the name win over an alias there. */
		fa_dns_answer_release(net);
		return FROMAUTH_OK;
	}
	if (net->cname_count) {
		struct fa_dns_rr cn = {
			.type = FA_RR_CNAME,
			.data = (unsigned char *)net->cnames[0],
			.len = strlen(net->cnames[0]),
		};
		if (!view_deleted(v, &cn)) {
			rc = fa_answer_add_cname(result, net->cnames[0]);
			if (rc == FROMAUTH_OK && !(*next = strdup(net->cnames[0])))
				rc = FROMAUTH_E_NOMEM;
			fa_dns_answer_release(net);
			return rc;
		}
		/* The alias is gone: the name held nothing else. */
		result->status = exists ? FA_DNS_NODATA : FA_DNS_NXDOMAIN;
		fa_dns_answer_release(net);
		return rc;
	}
	for (size_t i = 0; i < net->count && rc == FROMAUTH_OK; i++)
		if (!view_deleted(v, &net->rrs[i]))
			rc = fa_answer_add_rr(result, &net->rrs[i]);
	if (net->ttl < result->ttl)
		result->ttl = net->ttl;
	if (result->count)
		result->status = FA_DNS_OK;
	else if (net->status == FA_DNS_OK || net->status == FA_DNS_NODATA)
		result->status = FA_DNS_NODATA;
	else
		result->status = exists && net->status == FA_DNS_NXDOMAIN ? FA_DNS_NODATA
									    : net->status;
	fa_dns_answer_release(net);
	return rc;
}

/* @key, unless it is the caller's buffer. */
static void key_free(char *key, const char *buf)
{
	if (key != buf)
		free(key);
}

static int query(struct fa_dns_req *req, const char *name, uint16_t type,
		 struct fa_dns_answer **out, enum fa_dns_source *source)
{
	enum fa_dns_source src_dummy;
	if (!source)
		source = &src_dummy;
	*out = NULL;
	*source = FA_DNS_FROM_OVERLAY;
	atomic_fetch_add(&req->lookups, 1);

	char keybuf[FA_DNS_KEY_BUF];
	char *key = fa_dns_name_key_buf(name, keybuf);
	if (!key)
		return name_key_error(name);
	/* Without overlay records the first hop goes straight to the cache,
	 * and a plain answer from there is handed back as it is: @result is
	 * made only when needed. */
	int direct = network_only(req->dns);
	struct fa_dns_answer *result = NULL;
	if (!direct && !(result = fa_answer_new(key, type, FA_DNS_OK))) {
		key_free(key, keybuf);
		return FROMAUTH_E_NOMEM;
	}
	int rc = FROMAUTH_OK, used_overlay = 0, used_network = 0;
	char *next_key = NULL;
	/* With deletions, a network CNAME chain is followed a hop at a time
	 * so each name's deletions apply. */
	int careful = has_deletions(req->dns);

	for (size_t hop = 0;; hop++) {
		if (hop > FA_DNS_MAX_CNAMES) {
			result->status = FA_DNS_SERVFAIL;       /* CNAME loop */
			break;
		}
		const struct fa_overlay_node *node = NULL;
		int exists = 0;
		struct overlay_view view = { .ndel = 0 };
		/* Records of layers that edit the type go straight to @result
		 * (which holds no records before the last hop). */
		enum overlay_verdict ov = direct ? OV_NONE
			: overlay_lookup(req->dns, key, type, &node, &exists, &view, result, &rc);
		if (rc)
			break;
		if (ov == OV_MERGE && req->dns->offline)
			ov = OV_RECORDS;
		if (ov == OV_RECORDS && result->count) {
			used_overlay = 1;
			break;
		}
		if (ov == OV_RECORDS || ov == OV_CNAME) {
			used_overlay = 1;
			const char *target = NULL;
			for (size_t i = 0; i < node->count && rc == FROMAUTH_OK; i++) {
				if (view.ndel && view_deleted(&view, &node->rrs[i]))
					continue;
				if (ov == OV_RECORDS && node->rrs[i].type == type)
					rc = fa_answer_add_rr(result, &node->rrs[i]);
				else if (ov == OV_CNAME && node->rrs[i].type == FA_RR_CNAME && !target)
					target = (const char *)node->rrs[i].data;
			}
			if (rc || ov == OV_RECORDS)
				break;
			rc = fa_answer_add_cname(result, target);
			if (rc)
				break;
			key_free(key, keybuf);
			key = strdup(target);
			if (!key) {
				rc = FROMAUTH_E_NOMEM;
				break;
			}
			continue;
		}
		if (ov == OV_TIMEOUT) {
			used_overlay = 1;
			result->status = FA_DNS_TIMEOUT;
			break;
		}
		if (req->dns->offline) {
			used_overlay = 1;
			result->status = exists ? FA_DNS_NODATA : FA_DNS_NXDOMAIN;
			break;
		}
		if (view.ndel || ov == OV_MERGE) {
			/* The network's answer with this name's deletions made. */
			used_overlay = 1;
			rc = edited_fetch(req, key, type, &view, exists, result, &next_key, source);
			if (rc == FROMAUTH_OK && next_key) {
				used_network = 1;
				key_free(key, keybuf);
				key = next_key;
				next_key = NULL;
				continue;
			}
			used_network = 1;
			break;
		}

		struct fa_dns_answer *net = NULL;
		enum fa_dns_source s;
		rc = cached_fetch(req, key, type, &net, &s);
		if (rc)
			break;
		used_network = 1;
		*source = s;
		if (careful && net->cname_count) {
			rc = fa_answer_add_cname(result, net->cnames[0]);
			char *hop_key = rc ? NULL : strdup(net->cnames[0]);
			fa_dns_answer_release(net);
			if (rc)
				break;
			if (!hop_key) {
				rc = FROMAUTH_E_NOMEM;
				break;
			}
			key_free(key, keybuf);
			key = hop_key;
			continue;
		}
		/* Fast path: a plain network answer is shared as it is. */
		if (hop == 0 && (net->status != FA_DNS_OK || net->count > 0) &&
		    !(net->cname_count && net->count == 0)) {
			fa_dns_answer_release(result);
			key_free(key, keybuf);
			*out = net;
			return FROMAUTH_OK;
		}
		direct = 0;
		if (!result && !(result = fa_answer_new(key, type, FA_DNS_OK))) {
			fa_dns_answer_release(net);
			rc = FROMAUTH_E_NOMEM;
			break;
		}
		for (size_t i = 0; i < net->cname_count && rc == FROMAUTH_OK; i++)
			rc = fa_answer_add_cname(result, net->cnames[i]);
		for (size_t i = 0; i < net->count && rc == FROMAUTH_OK; i++)
			rc = fa_answer_add_rr(result, &net->rrs[i]);
		if (net->ttl < result->ttl)
			result->ttl = net->ttl;
		result->status = net->status;
		/* A chain the server left unfinished is followed from here. */
		int follow = net->status != FA_DNS_SERVFAIL && net->status != FA_DNS_TIMEOUT &&
			     net->count == 0 && net->cname_count > 0;
		char *next = follow ? strdup(net->cnames[net->cname_count - 1]) : NULL;
		fa_dns_answer_release(net);
		if (rc || !follow)
			break;
		if (!next) {
			rc = FROMAUTH_E_NOMEM;
			break;
		}
		result->status = FA_DNS_OK;
		key_free(key, keybuf);
		key = next;
		if (result->cname_count > FA_DNS_MAX_CNAMES) {
			result->status = FA_DNS_SERVFAIL;
			break;
		}
	}
	key_free(key, keybuf);
	free(next_key);
	if (rc) {
		fa_dns_answer_release(result);
		return rc;
	}
	if (result->status == FA_DNS_OK && result->count == 0)
		result->status = FA_DNS_NODATA;
	if (result->status != FA_DNS_OK && result->ttl == FA_DNS_MAX_TTL)
		result->ttl = FA_DNS_DEFAULT_NEG_TTL;
	if (used_overlay && !used_network) {
		atomic_fetch_add(&req->overlay_hits, 1);
		*source = FA_DNS_FROM_OVERLAY;
	}
	*out = result;
	return FROMAUTH_OK;
}

/* ---- prefetch -------------------------------------------------------- */

struct prefetch {
	char *key;
	char ckey[CACHE_KEY_MAX];
	uint16_t type, id;
	ldns_rdf *qname;
	uint8_t wire[FA_DNS_QUERY_MAX];
	size_t wlen;
	struct fa_dns_answer *ans;      /* a clean reply, converted */
};

/* Questions sent together on one socket, their replies not yet taken. */
struct flight {
	struct fa_udp_sock u;
	struct sockaddr_storage ss;
	uint64_t end;           /* the first try's time */
	int sent;               /* pf[0..sent) went out */
	int clean;
};

/* Send every question of @pf on one socket.  The count sent; 0 when none
 * went (then no socket is held). */
static int flight_send(struct fa_dns *d, uint64_t deadline_ms, struct prefetch *pf,
		       size_t n, struct flight *f)
{
	struct fa_dns *base = bottom(d);
	socklen_t sslen;
	f->sent = 0;
	if (ns_sockaddr(&base->ns[0], &f->ss, &sslen) != 0 ||
	    udp_take(base, &f->ss, sslen, &f->u) != 0)
		return 0;
	f->end = fa_now_ms() + d->timeout_ms;
	if (deadline_ms && deadline_ms < f->end)
		f->end = deadline_ms;

	struct mmsghdr msgs[FA_DNS_PREFETCH_MAX];
	struct iovec iov[FA_DNS_PREFETCH_MAX];
	memset(msgs, 0, sizeof(msgs));
	for (size_t i = 0; i < n; i++) {
		iov[i] = (struct iovec){ .iov_base = pf[i].wire, .iov_len = pf[i].wlen };
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	int sent = sendmmsg(f->u.fd, msgs, (unsigned int)n, MSG_DONTWAIT);
	if (sent <= 0) {
		udp_close(&f->u);
		return 0;
	}
	f->u.uses += (unsigned int)sent;
	f->sent = sent;
	f->clean = sent == (int)n;
	return sent;
}

/* Take the replies as they come until each question sent has its own or
 * the first try's time is up.  Only clean replies (NOERROR or NXDOMAIN,
 * not truncated) are kept: anything else is for network_fetch() to ask
 * again, as it would have.  The socket goes back to the pool only when
 * nothing unexpected came. */
static void flight_receive(struct fa_dns *d, struct prefetch *pf, struct flight *f)
{
	struct fa_dns *base = bottom(d);
	struct mmsghdr msgs[FA_DNS_PREFETCH_MAX];
	struct iovec iov[FA_DNS_PREFETCH_MAX];
	/* The socket's buffer, in one slice per reply: every reply that
	 * has come is taken by one call.  We ask for EDNS_UDP_SIZE, so a
	 * reply longer than a slice is not one a server of ours sends. */
	size_t slice = UDP_BUF / FA_DNS_PREFETCH_MAX;
	struct sockaddr_storage from[FA_DNS_PREFETCH_MAX];
	size_t waiting = (size_t)f->sent;
	/* Sent ahead and taken late: what has come is still taken, once. */
	int late = fa_now_ms() >= f->end;
	while (f->clean && waiting) {
		memset(msgs, 0, sizeof(msgs));
		for (size_t k = 0; k < waiting; k++) {
			iov[k] = (struct iovec){ .iov_base = f->u.buf + k * slice, .iov_len = slice };
			msgs[k].msg_hdr = (struct msghdr){
				.msg_name = &from[k], .msg_namelen = sizeof(from[k]),
				.msg_iov = &iov[k], .msg_iovlen = 1,
			};
		}
		int got = late ? recvmmsg(f->u.fd, msgs, (unsigned int)waiting, MSG_DONTWAIT, NULL)
			       : udp_recv(f->u.fd, msgs, (unsigned int)waiting, f->end);
		late = 0;
		if (got <= 0) {
			f->clean = 0;
			break;
		}
		for (int k = 0; k < got; k++) {
			const uint8_t *buf = f->u.buf + (size_t)k * slice;
			size_t len = msgs[k].msg_len;
			uint16_t id = len >= 2 ? (uint16_t)(buf[0] << 8 | buf[1]) : 0;
			size_t i = 0;
			while (i < (size_t)f->sent && (pf[i].id != id || !pf[i].qname))
				i++;
			struct fa_dns_reply *pkt = NULL;
			if (i == (size_t)f->sent || (msgs[k].msg_hdr.msg_flags & MSG_TRUNC) ||
			    !same_peer(&from[k], &f->ss) ||
			    fa_dns_reply_parse(buf, len, id, pf[i].qname, pf[i].type,
					       &pkt) != FROMAUTH_OK) {
				f->clean = 0;
				continue;
			}
			if (!pkt->tc &&
			    (pkt->rcode == LDNS_RCODE_NOERROR || pkt->rcode == LDNS_RCODE_NXDOMAIN))
				pf[i].ans = fa_dns_answer_from_reply(pkt, pf[i].key, pf[i].type);
			fa_dns_reply_free(pkt);
			/* Answered, cleanly or not: no longer waited for. */
			ldns_rdf_deep_free(pf[i].qname);
			pf[i].qname = NULL;
			waiting--;
		}
	}
	if (waiting)
		f->clean = 0;
	if (f->clean)
		udp_give(base, &f->u);
	else
		udp_close(&f->u);
}

/* No question can be sent ahead of its lookup: offline, no nameserver,
 * or deletions that the lookup must apply to what the network says. */
static int prefetch_off(struct fa_dns *d)
{
	return d->offline || load_system_nameservers(bottom(d)) != FROMAUTH_OK ||
	       has_deletions(d);
}

/*
 * Fill @p for @q if its lookup would send it as it is: a name, no overlay
 * layer holding anything at it, not already among @pf[0..np).  With
 * @claim the cache entry becomes ours to complete (FA_CACHE_FETCH);
 * without, the question is only for what the cache neither holds nor is
 * fetching, and no entry is made.  1 when @p is to be asked.
 */
static int prefetch_prepare(struct fa_dns *d, uint64_t deadline_ms,
			    const struct fa_dns_question *q, struct prefetch *pf, size_t np,
			    int claim, struct fa_dns_answer **scratch)
{
	struct prefetch *p = &pf[np];
	p->ans = NULL;
	p->qname = NULL;
	if (!q->name || !(p->key = fa_dns_name_key(q->name)))
		return 0;
	p->type = q->type;
	cache_key(p->ckey, p->key, p->type);
	int dup = 0;
	for (size_t j = 0; j < np; j++)
		dup |= !strcmp(pf[j].ckey, p->ckey);
	const struct fa_overlay_node *node;
	int exists, rc;
	struct overlay_view view;
	if (!dup && !*scratch)
		*scratch = fa_answer_new(p->key, p->type, FA_DNS_OK);
	if (dup || !*scratch ||
	    overlay_lookup(d, p->key, p->type, &node, &exists, &view, *scratch, &rc) != OV_NONE ||
	    rc || view.ndel || (*scratch)->count)
		goto skip;
	if (claim) {
		struct fa_dns_answer *hit = NULL;
		drain_own_ahead(p->ckey);
		if (fa_cache_acquire(d->cache, p->ckey, deadline_ms, &hit) != FA_CACHE_FETCH) {
			fa_dns_answer_release(hit);
			goto skip;
		}
		/* From here the cache waits for our fa_cache_complete(). */
	} else if (fa_cache_known(d->cache, p->ckey)) {
		goto skip;
	}
	p->id = random_id();
	p->qname = fa_dns_key_rdf(p->key);
	p->wlen = p->qname ? fa_dns_query_wire(p->qname, p->type, p->id, p->wire) : 0;
	if (!p->wlen) {
		/* Published as nothing: the lookup finds out why. */
		if (claim)
			fa_cache_complete(d->cache, p->ckey, NULL, 0);
		ldns_rdf_deep_free(p->qname);
		goto skip;
	}
	return 1;
skip:
	free(p->key);
	p->key = NULL;
	return 0;
}

/* Count @pf's answers, marked in @kept, as the network's for the first
 * lookup of each by @req. */
static void prefetch_account(struct fa_dns_req *req, const struct prefetch *pf, size_t n,
			     unsigned int kept)
{
	unsigned int taken = atomic_load(&req->prefetched_unclaimed), mine = 0;
	for (size_t i = 0, slot = 0; i < n; i++) {
		while (slot < FA_DNS_PREFETCH_MAX && (taken & (1u << slot)))
			slot++;
		if ((kept & (1u << i)) && slot < FA_DNS_PREFETCH_MAX) {
			req->prefetched[slot] = fa_fnv1a_str(pf[i].ckey);
			mine |= 1u << slot++;
		}
	}
	atomic_fetch_or(&req->prefetched_unclaimed, mine);
}

static void prefetch_free(struct prefetch *pf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fa_dns_answer_release(pf[i].ans);
		ldns_rdf_deep_free(pf[i].qname);
		free(pf[i].key);
	}
}

void fa_dns_prefetch(struct fa_dns_req *req, const struct fa_dns_question *qs, size_t n)
{
	struct fa_dns *d = req->dns;
	if (prefetch_off(d))
		return;
	struct prefetch pf[FA_DNS_PREFETCH_MAX];
	size_t np = 0;
	struct fa_dns_answer *scratch = NULL;
	for (size_t i = 0; i < n && np < FA_DNS_PREFETCH_MAX; i++)
		np += (size_t)prefetch_prepare(d, req->deadline_ms, &qs[i], pf, np, 1, &scratch);
	fa_dns_answer_release(scratch);
	struct flight f;
	if (np && flight_send(d, req->deadline_ms, pf, np, &f)) {
		atomic_fetch_add(&req->queries, (unsigned int)f.sent);
		flight_receive(d, pf, &f);
	}
	unsigned int kept = 0;
	for (size_t i = 0; i < np; i++) {
		struct fa_dns_answer *a = pf[i].ans;
		uint32_t ttl = a && !fa_dns_status_is_temporary(a->status) ? a->ttl : 0;
		/* Without an answer the entry is published as nothing, which
		 * its lookup (and any waiter) then fetches itself. */
		fa_cache_complete(d->cache, pf[i].ckey, a, ttl);
		if (a)
			kept |= 1u << i;
	}
	prefetch_account(req, pf, np, kept);
	prefetch_free(pf, np);
}

/* ---- questions sent ahead of their check ---------------------------- */

struct fa_dns_ahead {
	struct fa_dns *dns;
	struct prefetch pf[FA_DNS_PREFETCH_MAX];
	size_t n;
	struct flight f;
	int drained;
	unsigned int kept;      /* bit i: pf[i]'s answer went into the cache */
	struct fa_dns_ahead *older;     /* on this thread's list */
};

/* What this thread sent ahead and has not taken the replies of, newest
 * first: a lookup of one of those questions takes the replies first
 * instead of asking again.  A batch worker has two at most (the address
 * it is about to check, and the next). */
static _Thread_local struct fa_dns_ahead *own_ahead;

/* Take the replies of @a (waiting for those still to come, within the
 * first try's time) and cache the clean ones. */
static void ahead_drain(struct fa_dns_ahead *a)
{
	if (a->drained)
		return;
	a->drained = 1;
	for (struct fa_dns_ahead **p = &own_ahead; *p; p = &(*p)->older)
		if (*p == a) {
			*p = a->older;
			break;
		}
	if (a->f.sent)
		flight_receive(a->dns, a->pf, &a->f);
	for (int i = 0; i < a->f.sent; i++) {
		struct fa_dns_answer *ans = a->pf[i].ans;
		if (ans && !fa_dns_status_is_temporary(ans->status) &&
		    fa_cache_offer(a->dns->cache, a->pf[i].ckey, ans, ans->ttl))
			a->kept |= 1u << i;
	}
}

static void drain_own_ahead(const char *ckey)
{
	for (struct fa_dns_ahead *a = own_ahead; a; a = a->older)
		for (int i = 0; i < a->f.sent; i++)
			if (!strcmp(a->pf[i].ckey, ckey)) {
				ahead_drain(a);
				return;
			}
}

struct fa_dns_ahead *fa_dns_send_ahead(struct fa_dns *d, const struct fa_dns_question *qs,
				       size_t n)
{
	if (prefetch_off(d))
		return NULL;
	struct fa_dns_ahead *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->dns = d;
	struct fa_dns_answer *scratch = NULL;
	for (size_t i = 0; i < n && a->n < FA_DNS_PREFETCH_MAX; i++)
		a->n += (size_t)prefetch_prepare(d, 0, &qs[i], a->pf, a->n, 0, &scratch);
	fa_dns_answer_release(scratch);
	/* Even with nothing sent (all known, or the send failed), the
	 * request need not ask these together again. */
	if (a->n && flight_send(d, 0, a->pf, a->n, &a->f)) {
		a->older = own_ahead;
		own_ahead = a;
	} else {
		a->drained = 1;
	}
	return a;
}

void fa_dns_ahead_finish(struct fa_dns_ahead *a, struct fa_dns_req *req)
{
	if (!a)
		return;
	ahead_drain(a);
	if (req) {
		atomic_fetch_add(&req->queries, (unsigned int)a->f.sent);
		prefetch_account(req, a->pf, a->n, a->kept);
	}
	prefetch_free(a->pf, a->n);
	free(a);
}

int fa_dns_query(struct fa_dns_req *req, const char *name, uint16_t type,
		 struct fa_dns_answer **out, enum fa_dns_source *source)
{
	int rc = query(req, name, type, out, source);
	/* Callers inside libspf2's and libopendkim's callbacks can only
	 * say "lookup failed": the request remembers why. */
	if (rc == FROMAUTH_E_NOMEM)
		fa_dns_req_nomem(req);
	return rc;
}

int fa_dns_name_nonexistent(struct fa_dns_req *req, const char *name, int *nonexistent)
{
	static const uint16_t types[] = { FA_DNS_EXISTENCE_FIRST_TYPE, FA_RR_AAAA, FA_RR_MX };
	int nx = 0, temp = 0;
	*nonexistent = -1;
	for (size_t i = 0; i < FA_ARRAY_SIZE(types); i++) {
		struct fa_dns_answer *a = NULL;
		int rc = fa_dns_query(req, name, types[i], &a, NULL);
		if (rc)
			return rc;
		int status = a->status;
		fa_dns_answer_release(a);
		if (status == FA_DNS_NXDOMAIN) {
			nx++;
		} else if (fa_dns_status_is_temporary(status)) {
			temp++;
		} else {
			*nonexistent = 0;
			return 0;
		}
	}
	*nonexistent = nx == (int)FA_ARRAY_SIZE(types) ? 1 : temp ? -1 : 0;
	return 0;
}

/* ---- wire format for libopendkim ------------------------------------- */

int fa_dns_answer_to_wire(const struct fa_dns_answer *a, uint16_t id,
			  unsigned char *buf, size_t buflen, size_t *outlen)
{
	ldns_rdf *qname = ldns_dname_new_frm_str(a->qname);
	if (!qname)
		return FROMAUTH_E_DOMAIN;
	size_t qlen = ldns_rdf_size(qname);
	size_t need = 12 + qlen + 4;
	for (size_t i = 0; i < a->count; i++)
		need += 2 + 10 + a->rrs[i].wire_len;
	if (need > buflen || need > 65535) {
		ldns_rdf_deep_free(qname);
		return FROMAUTH_E_RANGE;
	}
	unsigned rcode = 0;
	switch (a->status) {
	case FA_DNS_NXDOMAIN: rcode = 3; break;
	case FA_DNS_SERVFAIL:
	case FA_DNS_TIMEOUT: rcode = 2; break;
	}
	unsigned char *p = buf;
	*p++ = (unsigned char)(id >> 8);
	*p++ = (unsigned char)id;
	*p++ = 0x81;                    /* QR, RD */
	*p++ = (unsigned char)(0x80 | rcode); /* RA */
	*p++ = 0; *p++ = 1;             /* QDCOUNT */
	*p++ = (unsigned char)(a->count >> 8);
	*p++ = (unsigned char)a->count;
	*p++ = 0; *p++ = 0; *p++ = 0; *p++ = 0;
	memcpy(p, ldns_rdf_data(qname), qlen);
	p += qlen;
	ldns_rdf_deep_free(qname);
	*p++ = (unsigned char)(a->type >> 8);
	*p++ = (unsigned char)a->type;
	*p++ = 0; *p++ = 1;             /* IN */
	for (size_t i = 0; i < a->count; i++) {
		const struct fa_dns_rr *rr = &a->rrs[i];
		*p++ = 0xc0; *p++ = 12;  /* owner: the question name */
		*p++ = (unsigned char)(rr->type >> 8);
		*p++ = (unsigned char)rr->type;
		*p++ = 0; *p++ = 1;
		*p++ = (unsigned char)(rr->ttl >> 24);
		*p++ = (unsigned char)(rr->ttl >> 16);
		*p++ = (unsigned char)(rr->ttl >> 8);
		*p++ = (unsigned char)rr->ttl;
		*p++ = (unsigned char)(rr->wire_len >> 8);
		*p++ = (unsigned char)rr->wire_len;
		memcpy(p, rr->wire, rr->wire_len);
		p += rr->wire_len;
	}
	*outlen = (size_t)(p - buf);
	return FROMAUTH_OK;
}

FROMAUTH_EXPORT const char *fromauth_dns_status_name(int status)
{
	switch (status) {
	case FROMAUTH_DNS_OK: return "ok";
	case FROMAUTH_DNS_NXDOMAIN: return "nxdomain";
	case FROMAUTH_DNS_NODATA: return "nodata";
	case FROMAUTH_DNS_TIMEOUT: return "timeout";
	case FROMAUTH_DNS_SERVFAIL: return "servfail";
	}
	return "unknown";
}
