/* SPDX-License-Identifier: BSD-2-Clause */
/* The library's JSON writer (lib/json-write.c) against json-c itself: the
 * same bytes for hostile strings in both slash modes, for member names,
 * numbers and nesting, so that any divergence from json-c fails here. */
#include <json-c/json.h>
#include <limits.h>
#include <string.h>

#include "json-write.h"
#include "test-common.h"

#define PLAIN JSON_C_TO_STRING_PLAIN
#define NOSLASH (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* json-c's text of @o with @flags, then @o freed; the caller frees. */
static char *jsonc_text(json_object *o, int flags)
{
	char *t = strdup(json_object_to_json_string_ext(o, flags));
	ck_assert_ptr_nonnull(t);
	json_object_put(o);
	return t;
}

/* The writer's text of the string @s (@len bytes) and json-c's, equal in
 * both slash modes: fa_jw_escape() for the bytes between the quotes (NUL
 * included), and fa_jw_str() for the whole value when @s is a C string. */
static void same_string(const char *s, size_t len)
{
	for (int slash = 0; slash <= 1; slash++) {
		char *want = jsonc_text(json_object_new_string_len(s, (int)len),
					slash ? PLAIN : NOSLASH);
		size_t wl = strlen(want);
		ck_assert(wl >= 2 && want[0] == '"' && want[wl - 1] == '"');

		struct fa_jw w;
		fa_jw_init(&w, 0, slash);
		fa_jw_escape(&w, s, len);
		char *got = fa_jw_finish(&w);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(strlen(got) == wl - 2 && memcmp(got, want + 1, wl - 2) == 0,
			      "slash %d: escaped %s, json-c %s", slash, got, want);
		free(got);

		if (!memchr(s, '\0', len)) {
			char *z = strndup(s, len);
			ck_assert_ptr_nonnull(z);
			fa_jw_init(&w, 0, slash);
			fa_jw_str(&w, z);
			free(z);
			got = fa_jw_finish(&w);
			ck_assert_ptr_nonnull(got);
			ck_assert_msg(strcmp(got, want) == 0, "slash %d: got %s, json-c %s",
				      slash, got, want);
			free(got);
		}
		free(want);
	}
}

START_TEST(fa_jw_str_each_byte)
{
	/* every byte alone, between ordinary ones, and at each place of the
	 * 16-byte blocks the writer scans at once, and after them */
	for (int c = 1; c <= 0xff; c++) {
		char one[1] = { (char)c }, mid[5] = { 'a', 'b', (char)c, 'c', 'd' };
		same_string(one, 1);
		same_string(mid, sizeof(mid));
		for (size_t at = 0; at < 40; at++) {
			char run[40];
			memset(run, 'x', sizeof(run));
			run[at] = (char)c;
			same_string(run, sizeof(run));
			same_string(run, at + 1);
		}
	}
}
END_TEST

START_TEST(fa_jw_str_hostile)
{
	char all[255];
	for (int c = 1; c <= 0xff; c++)
		all[c - 1] = (char)c;
	same_string(all, sizeof(all));
	static const char *const cases[] = {
		"", "\"", "\\", "/", "\"\"\\\\//", "\\\"", "\\/", "</script>", "a/b/c",
		"v=spf1 include:_spf.example.com ~all", "\x7f\x80\xff", "\xc3\xa9t\xc3\xa9",
		"\xed\xa0\x80", "\x1b[31m", "\r\n\t\b\f", "\"quoted\" and \\back\\", "http://x/y",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_string(cases[i], strlen(cases[i]));
	/* long enough to grow the buffer many times from nothing */
	size_t n = 100000;
	char *big = malloc(n);
	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i % 255 + 1);
	same_string(big, n);
	free(big);
}
END_TEST

/* Every length up to 3 blocks, with nothing, one or two bytes to escape at
 * each place: the writer copies 16 bytes at a time and the last few by
 * overlapping loads (8 + 8, 4 + 4, then byte by byte), so each length
 * takes another path and an escape in either overlapping half must count. */
START_TEST(fa_jw_str_run_lengths)
{
	static const char esc[] = { '"', '\x01', '/', '\\', '\x1f' };
	for (size_t len = 0; len <= 48; len++) {
		char run[48] = { 0 };
		for (size_t i = 0; i < len; i++)
			run[i] = (char)('a' + i % 26);
		same_string(run, len);
		for (size_t at = 0; at < len; at++) {
			for (size_t e = 0; e < sizeof(esc); e++) {
				run[at] = esc[e];
				same_string(run, len);
				/* and a second one at the end */
				char last = run[len - 1];
				run[len - 1] = esc[(e + 1) % sizeof(esc)];
				same_string(run, len);
				run[len - 1] = last;
				run[at] = (char)('a' + at % 26);
			}
		}
	}
}
END_TEST

/* Values and names of each length after each amount of text, from each
 * starting size: every run, escape and 16-byte store meets the end of the
 * buffer at each offset, and the text still equals json-c's. */
START_TEST(fa_jw_str_growth)
{
	for (size_t hint = 0; hint <= 40; hint += 3) {
		for (size_t pre = 0; pre <= 34; pre++) {
			for (size_t len = 0; len <= 34; len += 3) {
				char p[40], v[40];
				memset(p, 'p', pre);
				p[pre] = '\0';
				for (size_t i = 0; i < len; i++)
					v[i] = (char)((i % 7 == 3) ? '"' : 'a' + i % 26);
				v[len] = '\0';
				for (int slash = 0; slash <= 1; slash++) {
					struct fa_jw w;
					fa_jw_init(&w, hint, slash);
					fa_jw_obj(&w);
					fa_jw_kstr(&w, "a", p);
					fa_jw_key3(&w, v, "/", p);
					fa_jw_str(&w, v);
					fa_jw_kint(&w, "n", (long long)len);
					fa_jw_obj_end(&w);
					char *got = fa_jw_finish(&w);

					json_object *o = json_object_new_object();
					char k[90];
					snprintf(k, sizeof(k), "%s/%s", v, p);
					json_object_object_add(o, "a", json_object_new_string(p));
					json_object_object_add(o, k, json_object_new_string(v));
					json_object_object_add(o, "n", json_object_new_int((int)len));
					char *want = jsonc_text(o, slash ? PLAIN : NOSLASH);
					ck_assert_ptr_nonnull(got);
					ck_assert_str_eq(got, want);
					free(got);
					free(want);
				}
			}
		}
	}
}
END_TEST

START_TEST(fa_jw_escape_nul)
{
	/* with a length, json-c escapes NUL too */
	same_string("\0", 1);
	same_string("a\0b/\0", 5);
}
END_TEST

START_TEST(fa_jw_str_null)
{
	struct fa_jw w;
	fa_jw_init(&w, 4, 1);
	fa_jw_arr(&w);
	fa_jw_str(&w, NULL);
	fa_jw_str(&w, "");
	fa_jw_arr_end(&w);
	char *got = fa_jw_finish(&w);
	json_object *a = json_object_new_array();
	json_object_array_add(a, NULL);
	json_object_array_add(a, json_object_new_string(""));
	char *want = jsonc_text(a, PLAIN);
	ck_assert_str_eq(got, want);
	ck_assert_str_eq(got, "[null,\"\"]");
	free(got);
	free(want);
}
END_TEST

START_TEST(fa_jw_key3_escaped)
{
	/* member names are escaped as values are, in both modes */
	static const char *const parts[][2] = {
		{ "header", "d" }, { "a/b", "c\"d" }, { "\x01\x1f", "\\\x7f\xff" }, { "", "" },
	};
	for (int slash = 0; slash <= 1; slash++) {
		struct fa_jw w;
		fa_jw_init(&w, 0, slash);
		fa_jw_obj(&w);
		json_object *o = json_object_new_object();
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			char k[64];
			snprintf(k, sizeof(k), "%s.%s", parts[i][0], parts[i][1]);
			json_object_object_add(o, k, json_object_new_string(parts[i][1]));
			fa_jw_key3(&w, parts[i][0], ".", parts[i][1]);
			fa_jw_str(&w, parts[i][1]);
		}
		fa_jw_obj_end(&w);
		char *got = fa_jw_finish(&w);
		char *want = jsonc_text(o, slash ? PLAIN : NOSLASH);
		ck_assert_str_eq(got, want);
		free(got);
		free(want);
	}
}
END_TEST

START_TEST(fa_jw_int_limits)
{
	static const long long v[] = { 0, 1, -1, 9, 10, -10, 99, 100, INT_MAX, INT_MIN,
				       (long long)UINT_MAX, LLONG_MAX, LLONG_MIN, 1234567890123LL };
	struct fa_jw w;
	fa_jw_init(&w, 0, 1);
	fa_jw_arr(&w);
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		fa_jw_int(&w, v[i]);
		json_object_array_add(a, json_object_new_int64(v[i]));
		if (v[i] >= INT_MIN && v[i] <= INT_MAX) {
			fa_jw_int(&w, (int)v[i]);
			json_object_array_add(a, json_object_new_int((int)v[i]));
		}
	}
	fa_jw_arr_end(&w);
	char *got = fa_jw_finish(&w);
	char *want = jsonc_text(a, PLAIN);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
}
END_TEST

/* Nesting, commas, empty containers, booleans and nulls as members and
 * as elements: the shapes lib/json.c writes. */
START_TEST(fa_jw_finish_nesting)
{
	struct fa_jw w;
	fa_jw_init(&w, 16, 0);
	fa_jw_obj(&w);
	fa_jw_kstr(&w, "s", "x/y");
	fa_jw_knull(&w, "n");
	fa_jw_kbool(&w, "t", 7);
	fa_jw_kbool(&w, "f", 0);
	fa_jw_kint(&w, "i", -42);
	FA_JW_KEY(&w, "eo");
	fa_jw_obj(&w);
	fa_jw_obj_end(&w);
	FA_JW_KEY(&w, "ea");
	fa_jw_arr(&w);
	fa_jw_arr_end(&w);
	FA_JW_KEY(&w, "a");
	fa_jw_arr(&w);
	fa_jw_obj(&w);
	fa_jw_obj_end(&w);
	fa_jw_arr(&w);
	fa_jw_null(&w);
	fa_jw_bool(&w, 1);
	fa_jw_arr_end(&w);
	fa_jw_obj(&w);
	fa_jw_kstr(&w, "k", "v");
	fa_jw_kstr(&w, "z", NULL);
	fa_jw_obj_end(&w);
	fa_jw_int(&w, 3);
	fa_jw_arr_end(&w);
	fa_jw_kstr(&w, "last", "");
	fa_jw_obj_end(&w);
	char *got = fa_jw_finish(&w);

	json_object *o = json_object_new_object();
	json_object_object_add(o, "s", json_object_new_string("x/y"));
	json_object_object_add(o, "n", NULL);
	json_object_object_add(o, "t", json_object_new_boolean(7));
	json_object_object_add(o, "f", json_object_new_boolean(0));
	json_object_object_add(o, "i", json_object_new_int(-42));
	json_object_object_add(o, "eo", json_object_new_object());
	json_object_object_add(o, "ea", json_object_new_array());
	json_object *a = json_object_new_array(), *in = json_object_new_array();
	json_object *kv = json_object_new_object();
	json_object_array_add(a, json_object_new_object());
	json_object_array_add(in, NULL);
	json_object_array_add(in, json_object_new_boolean(1));
	json_object_array_add(a, in);
	json_object_object_add(kv, "k", json_object_new_string("v"));
	json_object_object_add(kv, "z", NULL);
	json_object_array_add(a, kv);
	json_object_array_add(a, json_object_new_int(3));
	json_object_object_add(o, "a", a);
	json_object_object_add(o, "last", json_object_new_string(""));
	char *want = jsonc_text(o, NOSLASH);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);

	/* nothing written is an empty text, not NULL */
	fa_jw_init(&w, 0, 1);
	got = fa_jw_finish(&w);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("json");
	const struct test_case cases[] = {
		{ "fa_jw_str", fa_jw_str_each_byte },
		{ "fa_jw_str", fa_jw_str_hostile },
		{ "fa_jw_str", fa_jw_str_null },
		{ "fa_jw_str", fa_jw_str_run_lengths },
		{ "fa_jw_str", fa_jw_str_growth },
		{ "fa_jw_escape", fa_jw_escape_nul },
		{ "fa_jw_key3", fa_jw_key3_escaped },
		{ "fa_jw_int", fa_jw_int_limits },
		{ "fa_jw_finish", fa_jw_finish_nesting },
	};
	test_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), NULL, NULL);
	return s;
}
