/*
 * test_printer_status.c — decoding DLE EOT answers, the fault a decoded
 * status means, the technicians' one-line description, and
 * printer_get_status() on a backend that cannot ask (file:).
 */
#include "check.h"
#include "drivers/printer/printer.h"

#include <stdlib.h>

/* Decodes the four answers of one query round. */
static struct printer_status decode4(unsigned char b1, unsigned char b2,
				     unsigned char b3, unsigned char b4)
{
	struct printer_status st = { .known = 1 };

	CHECK_INT(printer_status_decode(1, b1, &st), 0);
	CHECK_INT(printer_status_decode(2, b2, &st), 0);
	CHECK_INT(printer_status_decode(3, b3, &st), 0);
	CHECK_INT(printer_status_decode(4, b4, &st), 0);
	return st;
}

static void test_healthy(void)
{
	struct printer_status st = decode4(0x16, 0x12, 0x12, 0x12);
	char line[128];

	CHECK_INT(st.online, 1);
	CHECK_INT(st.cover_open, 0);
	CHECK_INT(st.paper_end, 0);
	CHECK_INT(st.paper_near_end, 0);
	CHECK_INT(st.cutter_error, 0);
	CHECK_INT(st.unrecoverable, 0);
	CHECK_INT(st.auto_recoverable, 0);
	CHECK_INT(printer_status_fault(&st), PRINTER_OK);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "ok");
}

/* The answers facts.md gives for a printer without paper. */
static void test_paper_out(void)
{
	struct printer_status st = decode4(0x1A, 0x32, 0x12, 0x7E);
	char line[128];

	CHECK_INT(st.online, 0);
	CHECK_INT(st.paper_end, 1);
	CHECK_INT(st.paper_near_end, 1);
	CHECK_INT(st.cover_open, 0);
	/* the cause, not "offline" */
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_PAPER);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "paper end, paper near end");
}

/* Paper end seen only by the sensor (n=4), printing not yet stopped. */
static void test_paper_end_sensor_only(void)
{
	struct printer_status st = decode4(0x16, 0x12, 0x12, 0x72);

	CHECK_INT(st.paper_end, 1);
	CHECK_INT(st.paper_near_end, 0);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_PAPER);
}

static void test_near_end_is_no_fault(void)
{
	struct printer_status st = decode4(0x16, 0x12, 0x12, 0x1E);
	char line[128];

	CHECK_INT(st.paper_near_end, 1);
	CHECK_INT(st.paper_end, 0);
	CHECK_INT(printer_status_fault(&st), PRINTER_OK);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "paper near end");
}

static void test_cover_open(void)
{
	struct printer_status st = decode4(0x1E, 0x16, 0x12, 0x12);
	char line[128];

	CHECK_INT(st.cover_open, 1);
	CHECK_INT(st.online, 0);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_COVER);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "cover open");
}

static void test_paper_and_cover(void)
{
	struct printer_status st = decode4(0x1E, 0x36, 0x12, 0x12);
	char line[128];

	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "paper end, cover open");
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_PAPER);
}

static void test_errors(void)
{
	struct printer_status st = decode4(0x1E, 0x52, 0x1A, 0x12);
	char line[128];

	CHECK_INT(st.cutter_error, 1);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_DEVICE);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "cutter error");

	st = decode4(0x1E, 0x52, 0x32, 0x12);
	CHECK_INT(st.unrecoverable, 1);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_DEVICE);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "unrecoverable error");

	st = decode4(0x1E, 0x52, 0x52, 0x12);
	CHECK_INT(st.auto_recoverable, 1);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_DEVICE);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "auto-recoverable error");
}

static void test_offline_alone(void)
{
	struct printer_status st = decode4(0x1E, 0x12, 0x12, 0x12);
	char line[128];

	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_OFFLINE);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "offline");
}

/* Bytes that are not answers, and queries that do not exist. */
static void test_rejects(void)
{
	struct printer_status st = { 0 };
	int valid = 0;

	CHECK_INT(printer_status_decode(1, 0x00, &st), -1);
	CHECK_INT(printer_status_decode(1, 0xFF, &st), -1);
	CHECK_INT(printer_status_decode(2, 0x13, &st), -1);   /* bit 0 */
	CHECK_INT(printer_status_decode(2, 0x92, &st), -1);   /* bit 7 */
	CHECK_INT(printer_status_decode(0, 0x12, &st), -1);
	CHECK_INT(printer_status_decode(5, 0x12, &st), -1);
	/* a rejected byte leaves st alone */
	CHECK_INT(st.online + st.paper_end + st.cover_open, 0);
	/* exactly the bytes with the fixed pattern pass */
	for (int b = 0; b < 256; b++)
		valid += printer_status_decode(3, (unsigned char)b, &st) == 0;
	CHECK_INT(valid, 16);
}

static void test_unknown(void)
{
	struct printer_status st = { 0 };
	char line[128];

	CHECK_INT(printer_status_fault(&st), PRINTER_OK);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "unknown");
	printer_status_describe(&st, line, 4);
	CHECK_STR(line, "unk");
}

static void test_describe_truncates(void)
{
	struct printer_status st = decode4(0x1E, 0x76, 0x7A, 0x7E);
	char line[128], small[12];

	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "paper end, cover open, cutter error, unrecoverable "
		  "error, auto-recoverable error, paper near end");
	printer_status_describe(&st, small, sizeof small);
	CHECK_STR(small, "paper end, ");
}

/* file: cannot ask: known = 0 and no error. */
static void test_get_status_without_slot(void)
{
	char dir[256], uri[300], err[200];
	struct printer_status st;
	struct printer *p = NULL;

	check_tmpdir(dir);
	snprintf(uri, sizeof uri, "file:%s/lp0", dir);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	memset(&st, 0x55, sizeof st);
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK_INT(st.known, 0);
	CHECK_INT(st.paper_end, 0);
	CHECK_STR(err, "");
	printer_close(p);
	CHECK_INT(printer_get_status(NULL, &st, err, sizeof err),
		  PRINTER_ERR_OFFLINE);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "healthy", test_healthy },
		{ "paper_out", test_paper_out },
		{ "paper_end_sensor_only", test_paper_end_sensor_only },
		{ "near_end_is_no_fault", test_near_end_is_no_fault },
		{ "cover_open", test_cover_open },
		{ "paper_and_cover", test_paper_and_cover },
		{ "errors", test_errors },
		{ "offline_alone", test_offline_alone },
		{ "rejects", test_rejects },
		{ "unknown", test_unknown },
		{ "describe_truncates", test_describe_truncates },
		{ "get_status_without_slot", test_get_status_without_slot },
		{ NULL, NULL },
	};

	return check_main(tests);
}
