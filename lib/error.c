/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>

#include "config.h"
#include "private.h"

FROMAUTH_EXPORT const char *fromauth_strerror(int error)
{
	switch (error) {
	case FROMAUTH_OK: return "success";
	case FROMAUTH_E_NOMEM: return "out of memory";
	case FROMAUTH_E_INVAL: return "invalid argument";
	case FROMAUTH_E_ADDRESS: return "malformed From address";
	case FROMAUTH_E_DOMAIN: return "malformed domain name";
	case FROMAUTH_E_PROFILE: return "malformed service profile";
	case FROMAUTH_E_RECORD: return "malformed DNS record";
	case FROMAUTH_E_IO: return "file cannot be read";
	case FROMAUTH_E_NAMESERVER: return "malformed nameserver address";
	case FROMAUTH_E_RESOLVER: return "no usable resolver configuration";
	case FROMAUTH_E_IP: return "malformed IP address";
	case FROMAUTH_E_INTERNAL: return "internal error in a wrapped library";
	case FROMAUTH_E_RANGE: return "index or size out of range";
	case FROMAUTH_E_MESSAGE: return "malformed message";
	}
	return "unknown error";
}

FROMAUTH_EXPORT const char *fromauth_version(void)
{
	return FROMAUTH_VERSION;
}

int fa_error(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
	if (errbuf && errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
