// SPDX-License-Identifier: BSD-2-Clause
// The public header compiled as C++ and linked: extern "C" is right.
#include <fromauth/fromauth.h>

int main()
{
	struct fromauth_ctx *ctx = nullptr;
	if (fromauth_ctx_new(&ctx) != FROMAUTH_OK)
		return 1;
	fromauth_ctx_free(ctx);
	return fromauth_version()[0] ? 0 : 1;
}
