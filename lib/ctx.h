/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef FROMAUTH_CTX_H
#define FROMAUTH_CTX_H

#include "dns.h"

struct fromauth_ctx {
	struct fa_dns *dns;
};

#endif
