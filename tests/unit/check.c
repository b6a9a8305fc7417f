#include "check.h"

#include <stdlib.h>
#include <unistd.h>

int check_failures;

void check_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	check_failures++;
}

void check_str(const char *file, int line, const char *ea, const char *eb,
	       const char *a, const char *b)
{
	if (a && b && !strcmp(a, b))
		return;
	fprintf(stderr, "%s:%d: check failed: %s == %s (\"%s\" vs \"%s\")\n",
		file, line, ea, eb, a ? a : "(null)", b ? b : "(null)");
	check_failures++;
}

void check_int(const char *file, int line, const char *ea, const char *eb,
	       long long a, long long b)
{
	if (a == b)
		return;
	fprintf(stderr, "%s:%d: check failed: %s == %s (%lld vs %lld)\n",
		file, line, ea, eb, a, b);
	check_failures++;
}

int check_main(const struct check_test *tests)
{
	int failed_tests = 0, n = 0;

	for (const struct check_test *t = tests; t->name; t++, n++) {
		int before = check_failures;
		t->fn();
		if (check_failures != before)
			failed_tests++;
		fprintf(stderr, "%s %s\n",
			check_failures == before ? "ok  " : "FAIL", t->name);
	}
	fprintf(stderr, "%d passed, %d failed\n", n - failed_tests,
		failed_tests);
	return failed_tests ? 1 : 0;
}

void check_tmpdir(char out[256])
{
	const char *base = getenv("TMPDIR");

	snprintf(out, 256, "%s/bk-test-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(out)) {
		perror("mkdtemp");
		exit(2);
	}
}

void check_rmtree(const char *dir)
{
	char cmd[512];

	if (strncmp(dir, "/tmp/", 5) && !getenv("TMPDIR"))
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}
