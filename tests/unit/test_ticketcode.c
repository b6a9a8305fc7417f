/* Ticket QR codes: a real ticket verifies; a changed number, day, id, a
 * truncated or foreign code does not; the key file is made once, and a
 * checker's read-only load never makes one. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "firmware/ticketcode.h"

static const struct ticketcode sample = {
	.site_id = "musterstadt", .day = "2026-11-25", .number = "A017",
	.ticket_id = "2776fdf4-a1d2-4708-ab61-08ee6ac3097f",
};

static void test_roundtrip(void)
{
	unsigned char key[32] = { 1, 2, 3 };
	char code[TICKETCODE_MAX];
	struct ticketcode tc;

	REQUIRE(ticketcode_make(key, &sample, code) == BK_OK);
	CHECK(!strncmp(code, "BK1:musterstadt:2026-11-25:A017:2776fdf4-", 41));
	CHECK_INT(strlen(code), 4 + 12 + 11 + 5 + 37 + 22);
	REQUIRE(ticketcode_verify(key, code, strlen(code), &tc) == BK_OK);
	CHECK_STR(tc.number, "A017");
	CHECK_STR(tc.day, "2026-11-25");
	CHECK_STR(tc.ticket_id, sample.ticket_id);
	CHECK_STR(tc.site_id, "musterstadt");
}

static void test_forgeries_fail(void)
{
	unsigned char key[32] = { 1, 2, 3 }, other[32] = { 9 };
	char code[TICKETCODE_MAX], bad[TICKETCODE_MAX];
	struct ticketcode tc;
	char *p;

	REQUIRE(ticketcode_make(key, &sample, code) == BK_OK);
	/* another number on the same ticket */
	strcpy(bad, code);
	p = strstr(bad, "A017");
	p[3] = '8';
	CHECK(ticketcode_verify(key, bad, strlen(bad), &tc) == BK_ERR_PROTOCOL);
	CHECK_STR(tc.number, "");
	/* yesterday's ticket passed off as today's */
	strcpy(bad, code);
	bad[24] = '4';
	CHECK(ticketcode_verify(key, bad, strlen(bad), &tc) == BK_ERR_PROTOCOL);
	/* another site's key */
	CHECK(ticketcode_verify(other, code, strlen(code), &tc) ==
	      BK_ERR_PROTOCOL);
	/* a flipped mac character */
	strcpy(bad, code);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
	CHECK(ticketcode_verify(key, bad, strlen(bad), &tc) == BK_ERR_PROTOCOL);
	/* malformed */
	CHECK(ticketcode_verify(key, code, strlen(code) - 1, &tc) ==
	      BK_ERR_INVALID);
	CHECK(ticketcode_verify(key, "BK1:::::", 8, &tc) == BK_ERR_INVALID);
	CHECK(ticketcode_verify(key, "", 0, &tc) == BK_ERR_INVALID);
	strcpy(bad, code);
	bad[2] = '2';
	CHECK(ticketcode_verify(key, bad, strlen(bad), &tc) == BK_ERR_INVALID);
	strcpy(bad, code);
	bad[10] = '\0'; /* a NUL inside the scanned bytes */
	CHECK(ticketcode_verify(key, bad, strlen(code), &tc) == BK_ERR_INVALID);
}

static void test_make_refuses_bad_fields(void)
{
	unsigned char key[32] = { 0 };
	char code[TICKETCODE_MAX];
	struct ticketcode tc = sample;

	strcpy(tc.number, "a01");
	CHECK(ticketcode_make(key, &tc, code) == BK_ERR_INVALID);
	tc = sample;
	strcpy(tc.site_id, "Muster:stadt");
	CHECK(ticketcode_make(key, &tc, code) == BK_ERR_INVALID);
	tc = sample;
	tc.ticket_id[8] = 'x';
	CHECK(ticketcode_make(key, &tc, code) == BK_ERR_INVALID);
}

static void test_key_file(void)
{
	char dir[256], path[300], err[256];
	unsigned char a[32], b[32];
	struct stat sb;
	int fd;

	check_tmpdir(dir);
	snprintf(path, sizeof path, "%s/ticket.key", dir);
	REQUIRE(ticketcode_key_load(path, a, err, sizeof err) == BK_OK);
	REQUIRE(stat(path, &sb) == 0);
	CHECK_INT(sb.st_size, 32);
	CHECK_INT(sb.st_mode & 0777, 0600);
	REQUIRE(ticketcode_key_load(path, b, err, sizeof err) == BK_OK);
	CHECK(memcmp(a, b, 32) == 0); /* made once, then read */
	/* a damaged key file is an error, never silently replaced */
	fd = open(path, O_WRONLY | O_TRUNC);
	REQUIRE(fd >= 0);
	CHECK(write(fd, "short", 5) == 5);
	close(fd);
	CHECK(ticketcode_key_load(path, b, err, sizeof err) == BK_ERR_INVALID);
	CHECK(strstr(err, "exactly 32 bytes") != NULL);
	REQUIRE(stat(path, &sb) == 0);
	CHECK_INT(sb.st_size, 5);
	check_rmtree(dir);
}

/* A checker reads the key and never makes one: a fresh key would call
 * every real ticket forged. */
static void test_key_read_only(void)
{
	char dir[256], path[300], err[256];
	unsigned char a[32], b[32];
	struct stat sb;
	int fd;

	check_tmpdir(dir);
	snprintf(path, sizeof path, "%s/ticket.key", dir);
	CHECK(ticketcode_key_read(path, a, err, sizeof err) == BK_ERR_NOTFOUND);
	CHECK(strstr(err, path) != NULL);
	CHECK(stat(path, &sb) < 0); /* not created */
	REQUIRE(ticketcode_key_load(path, a, err, sizeof err) == BK_OK);
	REQUIRE(ticketcode_key_read(path, b, err, sizeof err) == BK_OK);
	CHECK(memcmp(a, b, 32) == 0);
	fd = open(path, O_WRONLY | O_TRUNC);
	REQUIRE(fd >= 0);
	CHECK(write(fd, "short", 5) == 5);
	close(fd);
	CHECK(ticketcode_key_read(path, b, err, sizeof err) == BK_ERR_INVALID);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "roundtrip", test_roundtrip },
		{ "forgeries_fail", test_forgeries_fail },
		{ "make_refuses_bad_fields", test_make_refuses_bad_fields },
		{ "key_file", test_key_file },
		{ "key_read_only", test_key_read_only },
		{ NULL, NULL },
	};
	return check_main(tests);
}
