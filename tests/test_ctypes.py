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

lib.fromauth_profile_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(P), ctypes.c_char_p,
                                      ctypes.c_size_t]
lib.fromauth_profile_free.argtypes = [P]
lib.fromauth_check.argtypes = [P, P, ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(P),
                               ctypes.c_char_p, ctypes.c_size_t]
lib.fromauth_result_free.argtypes = [P]
lib.fromauth_result_verdict.argtypes = [P]
lib.fromauth_result_fixed_verdict.argtypes = [P]
lib.fromauth_result_json.argtypes = [P]
lib.fromauth_result_json.restype = ctypes.c_char_p
lib.fromauth_verdict_name.restype = ctypes.c_char_p
lib.fromauth_batch_new.argtypes = [P, P, ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(P),
                                   ctypes.c_char_p, ctypes.c_size_t]
lib.fromauth_batch_add.argtypes = [P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t)]
lib.fromauth_batch_close.argtypes = [P]
lib.fromauth_batch_next.argtypes = [P, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(P),
                                    ctypes.POINTER(ctypes.c_int), ctypes.c_char_p,
                                    ctypes.c_size_t]
lib.fromauth_batch_free.argtypes = [P]

FROMAUTH_RR_TXT = 16
FROMAUTH_CHECK_FIX = 1
FROMAUTH_E_ADDRESS = -3
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


class CheckTest(unittest.TestCase):
    """The README example (tools/examples/) as a binding runs it."""

    def test_whole_check_json(self):
        examples = os.path.join(DATA, "..", "tools", "examples")
        ctx = Ctx()
        profile = P()
        result = P()
        err = ctypes.create_string_buffer(512)
        try:
            self.assertEqual(lib.fromauth_ctx_set_offline(ctx.ptr, 1), 0)
            rc = lib.fromauth_ctx_add_zone_file(
                ctx.ptr, os.path.join(examples, "members.example.zone").encode(), err, len(err))
            self.assertEqual(rc, 0, err.value)
            rc = lib.fromauth_profile_load(os.path.join(examples, "esp.profile").encode(),
                                           ctypes.byref(profile), err, len(err))
            self.assertEqual(rc, 0, err.value)

            rc = lib.fromauth_check(ctx.ptr, profile, b"not an address", 0,
                                    ctypes.byref(result), err, len(err))
            self.assertEqual(rc, FROMAUTH_E_ADDRESS)
            self.assertFalse(result)
            self.assertTrue(err.value)

            rc = lib.fromauth_check(ctx.ptr, profile, b'"News" <news@members.example>',
                                    FROMAUTH_CHECK_FIX, ctypes.byref(result), err, len(err))
            self.assertEqual(rc, 0, err.value)
            doc = json.loads(lib.fromauth_result_json(result).decode())
            self.assertEqual(doc["verdict"], "fail")
            self.assertEqual(doc["verdict"],
                             lib.fromauth_verdict_name(lib.fromauth_result_verdict(result)).decode())
            self.assertEqual(doc["fixed_verdict"], "pass")
            self.assertEqual(lib.fromauth_result_fixed_verdict(result), 0)
            self.assertEqual(doc["from"], "news@members.example")
            self.assertEqual(doc["domain"], "members.example")
            self.assertEqual(doc["service"], "Example ESP")
            self.assertEqual(doc["dmarc"]["policy"], "quarantine")
            self.assertEqual(doc["spf"]["mail_from"], "members.example")
            self.assertTrue(doc["spf"]["ips"])
            self.assertEqual([d["status"] for d in doc["dkim"]], ["missing"])
            codes = [f["code"] for f in doc["findings"]]
            self.assertIn("dmarc.fail_quarantine", codes)
            fixes = [line for f in doc["findings"] for line in f["fix"]]
            self.assertIn("esp1._domainkey.members.example. 3600 IN CNAME esp1.dkim.esp.example.",
                          fixes)
            self.assertIn('members.example. 3600 IN TXT '
                          '"v=spf1 include:_spf.mailhost.example include:spf.esp.example ~all"',
                          fixes)
            self.assertEqual(doc["fixes_not_applied"], [])
            for key in ("dns_queries", "cache_hits", "elapsed_ms"):
                self.assertIn(key, doc["stats"])
        finally:
            lib.fromauth_result_free(result)
            lib.fromauth_profile_free(profile)
            ctx.close()

    def test_batch(self):
        """A batch as a binding drives it: no callbacks, plain ints, a
        window of outstanding items, results matched back by index."""
        examples = os.path.join(DATA, "..", "tools", "examples")
        ctx = Ctx()
        profile = P()
        batch = P()
        err = ctypes.create_string_buffer(512)
        try:
            self.assertEqual(lib.fromauth_ctx_set_offline(ctx.ptr, 1), 0)
            rc = lib.fromauth_ctx_add_zone_file(
                ctx.ptr, os.path.join(examples, "members.example.zone").encode(), err, len(err))
            self.assertEqual(rc, 0, err.value)
            rc = lib.fromauth_profile_load(os.path.join(examples, "esp.profile").encode(),
                                           ctypes.byref(profile), err, len(err))
            self.assertEqual(rc, 0, err.value)
            rc = lib.fromauth_batch_new(ctx.ptr, profile, FROMAUTH_CHECK_FIX, 4,
                                        ctypes.byref(batch), err, len(err))
            self.assertEqual(rc, 0, err.value)
            inputs = [b"news@members.example", b"not an address"] * 20
            out = {}
            added = 0
            index = ctypes.c_size_t()
            result = P()
            error = ctypes.c_int()
            while True:
                if added < len(inputs) and added - len(out) < 8:
                    self.assertEqual(lib.fromauth_batch_add(batch, inputs[added],
                                                            ctypes.byref(index)), 0)
                    self.assertEqual(index.value, added)
                    added += 1
                    if added == len(inputs):
                        self.assertEqual(lib.fromauth_batch_close(batch), 0)
                    continue
                got = lib.fromauth_batch_next(batch, ctypes.byref(index), ctypes.byref(result),
                                              ctypes.byref(error), err, len(err))
                if got == 0:
                    break
                self.assertEqual(got, 1, err.value)
                if error.value:
                    self.assertFalse(result)
                    out[index.value] = (error.value, err.value)
                else:
                    doc = json.loads(lib.fromauth_result_json(result).decode())
                    out[index.value] = (0, doc["verdict"], doc["fixed_verdict"])
                    lib.fromauth_result_free(result)
            self.assertEqual(sorted(out), list(range(len(inputs))))
            for i in range(0, len(inputs), 2):
                self.assertEqual(out[i], (0, "fail", "pass"))
                self.assertEqual(out[i + 1][0], FROMAUTH_E_ADDRESS)
                self.assertTrue(out[i + 1][1])
            # Finished; and misuse is an error, not a hang.
            self.assertEqual(lib.fromauth_batch_next(batch, ctypes.byref(index),
                                                     ctypes.byref(result), ctypes.byref(error),
                                                     err, len(err)), 0)
        finally:
            lib.fromauth_batch_free(batch)
            lib.fromauth_profile_free(profile)
            ctx.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
