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
#define CHECK_STR(a, b) \
	do { const char *a_ = (a), *b_ = (b); \
	     if (!a_ || !b_ || strcmp(a_, b_)) { \
		char m_[512]; \
		snprintf(m_, sizeof m_, "%s == %s (\"%s\" vs \"%s\")", #a, #b, \
			 a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
		check_fail(__FILE__, __LINE__, m_); } } while (0)
#define CHECK_INT(a, b) \
	do { long long a_ = (long long)(a), b_ = (long long)(b); \
	     if (a_ != b_) { char m_[512]; \
		snprintf(m_, sizeof m_, "%s == %s (%lld vs %lld)", #a, #b, a_, b_); \
		check_fail(__FILE__, __LINE__, m_); } } while (0)

struct check_test {
	const char *name;
	void (*fn)(void);
};
int check_main(const struct check_test *tests);

/* A fresh empty directory under $TMPDIR, removed by check_rmtree(). */
void check_tmpdir(char out[256]);
void check_rmtree(const char *dir);

#endif
