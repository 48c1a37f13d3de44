/* SPDX-License-Identifier: BSD-2-Clause */
/* The public header alone, compiled as strict C99 (see tests/meson.build):
 * it must not need anything the caller did not include. */
#include <fromauth/fromauth.h>

int main(void)
{
	return fromauth_strerror(FROMAUTH_OK) ? 0 : 1;
}
