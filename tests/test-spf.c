/* SPDX-License-Identifier: BSD-2-Clause */
#include "test-common.h"
Suite *test_suite(void) { return suite_create("spf"); }
