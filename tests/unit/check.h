/*
 * check.h — the unit tests' few assertion macros.
 *
 * CHECK(cond) records a failure with file and line and goes on;
 * REQUIRE(cond) returns from the test function. check_main() runs the
 * tests listed and exits non-zero when any check failed.
 */
#ifndef BK_CHECK_H
#define BK_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_failures;
void check_fail(const char *file, int line, const char *what);

#define CHECK(c) \
	do { if (!(c)) check_fail(__FILE__, __LINE__, #c); } while (0)
#define REQUIRE(c) \
	do { if (!(c)) { check_fail(__FILE__, __LINE__, #c); return; } } while (0)
#define CHECK_STR(a, b) check_str(__FILE__, __LINE__, #a, #b, (a), (b))
#define CHECK_INT(a, b) \
	check_int(__FILE__, __LINE__, #a, #b, (long long)(a), (long long)(b))

void check_str(const char *file, int line, const char *ea, const char *eb,
	       const char *a, const char *b);
void check_int(const char *file, int line, const char *ea, const char *eb,
	       long long a, long long b);

struct check_test {
	const char *name;
	void (*fn)(void);
};
int check_main(const struct check_test *tests);

/* A fresh empty directory under $TMPDIR, removed by check_rmtree(). */
void check_tmpdir(char out[256]);
void check_rmtree(const char *dir);

#endif
