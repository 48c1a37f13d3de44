/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: an SPF record as it comes out of DNS (any bytes)
 * down the path that reaches libspf2 -- our screen, the rewrite handed
 * to libspf2 (fa_spf_record_for_libspf2), libspf2's SPF_record_compile,
 * and its evaluation, whose macro expansion (SPF_record_expand_data)
 * is where CVE-2023-42118 lives.  libspf2 answers its queries from an empty zone
 * of its own: no network.  Debian's libspf2 is not instrumented, so in
 * it only crashes and what ASan sees of its heap through malloc count.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "private.h"
#include "spf-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_host() of a client that matches nothing, with @text as the
 * record of example.com in a zone of libspf2's own (the names the
 * record asks for get NXDOMAIN): it compiles @text and expands the
 * macros of every term it reaches. */
static void evaluate(const char *text)
{
	SPF_server_t *server = SPF_server_new(SPF_DNS_ZONE, 0);
	if (!server)
		__builtin_trap();
	SPF_server_set_rec_dom(server, "fromauth.invalid");
	SPF_dns_zone_add_str(server->resolver, "example.com", ns_t_txt, NETDB_SUCCESS, text);
	SPF_request_t *req = SPF_request_new(server);
	if (!req)
		__builtin_trap();
	struct in_addr ip4;
	inet_pton(AF_INET, "192.0.2.1", &ip4);
	SPF_request_set_ipv4(req, ip4);
	SPF_request_set_helo_dom(req, "mx.example.com");
	SPF_request_set_env_from(req, "user.name+tag@example.com");
	SPF_response_t *resp = NULL;
	SPF_request_query_mailfrom(req, &resp);
	if (resp)
		SPF_response_free(resp);
	SPF_request_free(req);
	SPF_server_free(server);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fa_spf_record *rec = NULL;
	char err[256] = "";

	if (fa_spf_record_parse((const char *)data, size, &rec, err, sizeof(err)) != 0)
		return 0;
	static const int families[] = { AF_INET, AF_INET6 };
	for (size_t f = 0; f < 2; f++) {
		char **segs = NULL;
		size_t nseg = 0;
		int unsupported;
		/* IPv6: macros with ',' or '/' delimiters expanded for
		 * libspf2 into literals (no HELO name: %{h} refused) */
		struct fa_spf_macro_vars vars = {
			.sender = "user.name+tag@example.com", .domain = "example.com",
			.family = AF_INET6,
		};
		inet_pton(AF_INET6, "2001:db8::1", vars.ip);
		if (fa_spf_record_for_libspf2(rec, families[f], "example.com",
					      "fa-any-0123456789abcdef.invalid", f ? &vars : NULL,
					      &segs, &nseg, &unsupported, NULL, 0) != 0)
			continue;
		/* each segment as the DNS layer serves it; the screen must
		 * hold for what libspf2 gets (a literal we expanded may end
		 * in no valid top label, which is not the screen's but is
		 * what libspf2's own expansions give too) */
		for (size_t k = 0; k < nseg; k++) {
			size_t len = strlen(segs[k]) + 32;
			char *seg = malloc(len);
			if (!seg)
				__builtin_trap();
			snprintf(seg, len, "%s%s", segs[k],
				 k + 1 < nseg ? " redirect=seg.x.invalid" : "");
			if (!f && fa_spf_record_parse(seg, strlen(seg), NULL, err,
						      sizeof(err)) != 0)
				__builtin_trap();
			if (strlen(seg) > FA_SPF_MAX_RECORD * 4)
				__builtin_trap();
			evaluate(seg);
			free(seg);
		}
		fa_spf_segments_free(segs, nseg);
	}
	fa_spf_record_free(rec);
	return 0;
}
