/* SPDX-License-Identifier: BSD-2-Clause */
/* The check's findings that come from what the service profile says about
 * the service itself (fromauth.profile(5)): who may send as whom, what it
 * does with a From it cannot sign for, and what a missing per-account
 * parameter leaves unchecked.  Called by check.c only. */
#ifndef FROMAUTH_SERVICE_H
#define FROMAUTH_SERVICE_H

#include "dns.h"
#include "result.h"

struct fromauth_address;

/* SPEC 3 step 1 with the profile's send-as rule.  Returns 1 when the
 * service refuses this From (service.send_as_denied), else 0. */
int fa_service_send_as(const struct fromauth_profile *profile,
		       const struct fromauth_address *addr, struct fromauth_result *r);

/* The sending address is a parameter without value (`ip = {name}`):
 * service.param_missing with the SPF record to publish, <name> in it.
 * Returns 1 when it reported, 0 when the profile has no such item. */
int fa_service_open_ip(const struct fromauth_profile *profile, struct fromauth_result *r);

/* DKIM identities and the MAIL FROM that lack a parameter. */
void fa_service_open_items(const struct fromauth_profile *profile, struct fromauth_result *r);

/* The MX a custom MAIL FROM domain needs (mail-from-mx), looked up. */
int fa_service_mail_from_mx(const struct fromauth_profile *profile, struct fromauth_result *r,
			    struct fa_dns_req *req);

/* After the verdict: a From the service rewrites or refuses when the
 * domain is not authenticated for it, and the facts the result relies on
 * that no source confirms.  May change r->verdict; @hard_fail: the verdict
 * is fail for send-as or NXDOMAIN, which a rewrite does not change. */
void fa_service_outcome(const struct fromauth_profile *profile, struct fromauth_result *r,
			int dmarc_valid, int hard_fail);

#endif
