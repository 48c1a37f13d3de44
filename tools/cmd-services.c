/* SPDX-License-Identifier: BSD-2-Clause */
/* fromauth services [show NAME]: the catalogue of sending services. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void services_usage(FILE *out)
{
	fprintf(out,
		"usage: fromauth services\n"
		"       fromauth services show NAME\n\n"
		"List the catalogue of sending services (in $FROMAUTH_SERVICES_DIR, else\n"
		"the installed share/fromauth/services) with the per-account parameters\n"
		"each asks for, or show one service: its facts, their sources and the\n"
		"profile text.  Use NAME with 'fromauth check FROM --service NAME'.\n");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_services(void)
{
	const char *dir = fromauth_services_dir();
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fromauth services: cannot read %s\n", dir);
		return EXIT_NOINPUT;
	}
	char *names[256];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 256;) {
		size_t len = strlen(e->d_name);
		if (len > 8 && !strcmp(e->d_name + len - 8, ".profile") && e->d_name[0] != '.')
			names[n++] = strndup(e->d_name, len - 8);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);

	int status = 0;
	printf("%-28s %-44s %s\n", "SERVICE", "NAME", "PARAMETERS (* has a default)");
	for (size_t i = 0; i < n; i++) {
		struct fromauth_profile *p = NULL;
		char err[1024] = "";
		if (!names[i])
			continue;
		if (fromauth_profile_load_service(names[i], &p, err, sizeof(err)) != 0) {
			printf("%-28s (does not load: %s)\n", names[i], err);
			status = EXIT_DATAERR;
			free(names[i]);
			continue;
		}
		printf("%-28s %-44s ", names[i], fromauth_profile_name(p));
		size_t np = fromauth_profile_param_count(p);
		for (size_t k = 0; k < np; k++)
			printf("%s%s%s", k ? ", " : "", fromauth_profile_param_name(p, k),
			       fromauth_profile_param_value(p, k) ? "*" : "");
		printf("%s\n", np ? "" : "-");
		fromauth_profile_free(p);
		free(names[i]);
	}
	printf("\n%zu services in %s\n", n, dir);
	return status;
}

static int show_service(const char *name)
{
	struct fromauth_profile *p = NULL;
	char err[1024] = "";
	int rc = fromauth_profile_load_service(name, &p, err, sizeof(err));
	if (rc)
		return report_error(name, rc, err);
	printf("%s (%s)\n", fromauth_profile_name(p),
	       fromauth_profile_id(p) ? fromauth_profile_id(p) : name);
	if (fromauth_profile_doc(p))
		printf("Documentation: %s\n", fromauth_profile_doc(p));
	if (fromauth_profile_verified(p))
		printf("Last verified: %s\n", fromauth_profile_verified(p));
	printf("\nParameters (--param NAME=VALUE):\n");
	for (size_t i = 0; i < fromauth_profile_param_count(p); i++)
		printf("  %-18s %s%s%s%s\n", fromauth_profile_param_name(p, i),
		       fromauth_profile_param_description(p, i),
		       fromauth_profile_param_value(p, i) ? " (default " : "",
		       fromauth_profile_param_value(p, i) ? fromauth_profile_param_value(p, i) : "",
		       fromauth_profile_param_value(p, i) ? ")" : "");
	if (fromauth_profile_param_count(p) == 0)
		printf("  none\n");
	printf("\nSources (O vendor documentation, T third party, X public configs):\n");
	for (size_t i = 0; i < fromauth_profile_source_count(p); i++)
		printf("  %-20s %-11s %s\n", fromauth_profile_source_key(p, i),
		       fromauth_profile_source_status(p, i), fromauth_profile_source_reference(p, i));
	fromauth_profile_free(p);

	/* The profile itself: its comments say what each line means. */
	char *path = NULL;
	if (strchr(name, '/') || strstr(name, ".profile"))
		path = strdup(name);
	else if (asprintf(&path, "%s/%s.profile", fromauth_services_dir(), name) < 0)
		path = NULL;
	FILE *f = path ? fopen(path, "r") : NULL;
	if (f) {
		char line[1024];
		printf("\nProfile %s:\n", path);
		while (fgets(line, sizeof(line), f))
			printf("  %s", line);
		fclose(f);
	}
	free(path);
	return 0;
}

int cmd_services(int argc, char **argv)
{
	if (argc == 1)
		return list_services();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		services_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "show") && argc == 3)
		return show_service(argv[2]);
	services_usage(stderr);
	return EXIT_USAGE;
}
