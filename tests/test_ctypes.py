#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The library from Python's ctypes, as a binding would use it: no
headers, plain ints, char buffers for error text, opaque pointers."""
import ctypes
import json
import os
import sys
import unittest

LIB = sys.argv.pop(1)
DATA = sys.argv.pop(1)

lib = ctypes.CDLL(LIB)
P = ctypes.c_void_p
lib.fromauth_strerror.restype = ctypes.c_char_p
lib.fromauth_version.restype = ctypes.c_char_p
lib.fromauth_ctx_new.argtypes = [ctypes.POINTER(P)]
lib.fromauth_ctx_free.argtypes = [P]
lib.fromauth_ctx_set_offline.argtypes = [P, ctypes.c_int]
lib.fromauth_ctx_add_zone_file.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
lib.fromauth_ctx_add_record.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
lib.fromauth_dns_lookup.argtypes = [P, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(P),
                                    ctypes.c_char_p, ctypes.c_size_t]
lib.fromauth_dns_answer_free.argtypes = [P]
lib.fromauth_dns_answer_status.argtypes = [P]
lib.fromauth_dns_answer_count.argtypes = [P]
lib.fromauth_dns_answer_count.restype = ctypes.c_size_t
lib.fromauth_dns_answer_record.argtypes = [P, ctypes.c_size_t]
lib.fromauth_dns_answer_record.restype = ctypes.c_char_p
lib.fromauth_dns_status_name.restype = ctypes.c_char_p

FROMAUTH_RR_TXT = 16
FROMAUTH_E_RECORD = -6
FROMAUTH_E_IO = -7


class Ctx:
    def __init__(self):
        self.ptr = P()
        rc = lib.fromauth_ctx_new(ctypes.byref(self.ptr))
        if rc != 0:
            raise OSError(rc, lib.fromauth_strerror(rc).decode())

    def close(self):
        lib.fromauth_ctx_free(self.ptr)
        self.ptr = None


class CtypesTest(unittest.TestCase):
    def setUp(self):
        self.ctx = Ctx()
        self.assertEqual(lib.fromauth_ctx_set_offline(self.ctx.ptr, 1), 0)
        err = ctypes.create_string_buffer(512)
        rc = lib.fromauth_ctx_add_zone_file(self.ctx.ptr,
                                            os.path.join(DATA, "zones/example.zone").encode(),
                                            err, len(err))
        self.assertEqual(rc, 0, err.value)

    def tearDown(self):
        self.ctx.close()

    def test_version_and_errors(self):
        self.assertRegex(lib.fromauth_version().decode(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(lib.fromauth_strerror(FROMAUTH_E_IO).decode(), "file cannot be read")

    def test_dns_lookup(self):
        ans = P()
        err = ctypes.create_string_buffer(256)
        rc = lib.fromauth_dns_lookup(self.ctx.ptr, b"alias2.example.test", FROMAUTH_RR_TXT,
                                     ctypes.byref(ans), err, len(err))
        self.assertEqual(rc, 0, err.value)
        self.assertEqual(lib.fromauth_dns_status_name(lib.fromauth_dns_answer_status(ans)), b"ok")
        self.assertEqual(lib.fromauth_dns_answer_count(ans), 1)
        self.assertEqual(lib.fromauth_dns_answer_record(ans, 0), b'"hello" "world"')
        self.assertIsNone(lib.fromauth_dns_answer_record(ans, 5))
        lib.fromauth_dns_answer_free(ans)

    def test_error_detail_without_global_state(self):
        err = ctypes.create_string_buffer(256)
        rc = lib.fromauth_ctx_add_record(self.ctx.ptr, b"x. IN A nonsense", err, len(err))
        self.assertEqual(rc, FROMAUTH_E_RECORD)
        self.assertIn(b"x. IN A nonsense", err.value)
        # A zero-length buffer is allowed and left alone.
        rc = lib.fromauth_ctx_add_record(self.ctx.ptr, b"x. IN A nonsense", None, 0)
        self.assertEqual(rc, FROMAUTH_E_RECORD)


if __name__ == "__main__":
    unittest.main(verbosity=2)
