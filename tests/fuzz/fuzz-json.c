/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer: the JSON writer (lib/json-write.c) escapes any bytes exactly
 * as json-c does, in both slash modes, as a value's bytes (NUL included)
 * and as a C string, a member name made of parts, inside an object. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const char *got, const char *want)
{
	if (!got || !want || strcmp(got, want) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	const char *s = (const char *)data;
	/* the input up to its first NUL, as a C string */
	char *z = strndup(s, size);
	if (!z)
		return 0;
	size_t cut = strlen(z) / 2;

	for (int slash = 0; slash <= 1; slash++) {
		int flags = JSON_C_TO_STRING_PLAIN | (slash ? 0 : JSON_C_TO_STRING_NOSLASHESCAPE);
		struct fa_jw w;

		/* the bytes between the quotes */
		json_object *o = json_object_new_string_len(s, (int)size);
		const char *want = json_object_to_json_string_ext(o, flags);
		size_t wl = strlen(want);
		fa_jw_init(&w, 0, slash);
		fa_jw_escape(&w, s, size);
		char *got = fa_jw_finish(&w);
		if (!got || wl < 2 || strlen(got) != wl - 2 || memcmp(got, want + 1, wl - 2) != 0)
			abort();
		free(got);
		json_object_put(o);

		/* the C string as a member value and, split in two, as its name */
		char k[2] = { 0, 0 };
		char *head = strndup(z, cut);
		if (!head)
			break;
		o = json_object_new_object();
		char *name = malloc(strlen(z) + 2);
		if (!name) {
			free(head);
			json_object_put(o);
			break;
		}
		/* an odd byte in the middle: never NUL, and the name is never "n" */
		k[0] = size ? (char)(data[0] | 1) : 'x';
		strcpy(name, head);
		strcat(name, k);
		strcat(name, z + cut);
		json_object_object_add(o, name, json_object_new_string(z));
		json_object_object_add(o, "n", NULL);
		fa_jw_init(&w, 0, slash);
		fa_jw_obj(&w);
		fa_jw_key3(&w, head, k, z + cut);
		fa_jw_str(&w, z);
		fa_jw_knull(&w, "n");
		fa_jw_obj_end(&w);
		got = fa_jw_finish(&w);
		same(got, json_object_to_json_string_ext(o, flags));
		free(got);
		free(name);
		free(head);
		json_object_put(o);
	}
	free(z);
	return 0;
}
