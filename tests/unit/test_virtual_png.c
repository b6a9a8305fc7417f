/*
 * test_virtual_png.c — the virtual printer's pictures are real: a job with
 * a QR code and CODE128 barcodes goes through printer_send("virtual:DIR"),
 * and zbarimg (Debian zbar-tools) reads back exactly what was encoded from
 * DIR/job-000001.png. Also the paper width option, the FAULT switch seen
 * by printer_get_status(), and that a PNG failure does not fail the job.
 *
 * The job bytes are written here by hand (not by escpos.c), so this tests
 * the interpreter against the ESC/POS manual, not against our encoder.
 */
#include "tests/unit/check.h"

#include "drivers/printer/printer.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define QR_PAYLOAD "BK1|A042|2026-11-25T18:40|9f3c1a7e5b20d4c8"

struct job {
	unsigned char b[8192];
	size_t n;
};

static void put(struct job *j, const void *p, size_t n)
{
	if (j->n + n <= sizeof j->b) {
		memcpy(j->b + j->n, p, n);
		j->n += n;
	}
}

#define PUT(j, lit) put(j, lit, sizeof lit - 1)

/* GS ( k: model 2, module size, error correction M, store, print. */
static void put_qr(struct job *j, const char *data, int module)
{
	size_t n = strlen(data) + 3;
	unsigned char store[8] = { 0x1d, '(', 'k', (unsigned char)(n & 0xff),
				   (unsigned char)(n >> 8), 49, 80, 48 };
	unsigned char size[8] = { 0x1d, '(', 'k', 3, 0, 49, 67,
				  (unsigned char)module };

	PUT(j, "\x1d(k\x04\x00\x31\x41\x32\x00");
	put(j, size, 8);
	PUT(j, "\x1d(k\x03\x00\x31\x45\x31");
	put(j, store, 8);
	put(j, data, strlen(data));
	PUT(j, "\x1d(k\x03\x00\x31\x51\x30");
}

/* GS k 73 n data (data already holds the {B / {C codes). */
static void put_code128(struct job *j, const void *data, size_t n)
{
	unsigned char head[4] = { 0x1d, 'k', 73, (unsigned char)n };

	put(j, head, 4);
	put(j, data, n);
}

/* zbarimg's lines for path (at most max, without newlines). */
static int zbar(const char *path, char lines[][128], int max)
{
	char cmd[512];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n < max && fgets(lines[n], 128, p)) {
		lines[n][strcspn(lines[n], "\n")] = '\0';
		n++;
	}
	pclose(p);
	return n;
}

static int has_line(char lines[][128], int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(lines[i], want))
			return 1;
	return 0;
}

/* Width and height from the PNG header; 0 when unreadable. */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
	unsigned char hdr[24];
	FILE *f = fopen(path, "rb");

	*w = *h = 0;
	if (!f)
		return;
	if (fread(hdr, 1, sizeof hdr, f) == sizeof hdr) {
		*w = (unsigned)hdr[16] << 24 | hdr[17] << 16 | hdr[18] << 8 |
		     hdr[19];
		*h = (unsigned)hdr[20] << 24 | hdr[21] << 16 | hdr[22] << 8 |
		     hdr[23];
	}
	fclose(f);
}

static int send_job(const char *uri, const struct job *j, char *err,
		    size_t errlen)
{
	struct printer *p = NULL;
	size_t written = 0;
	printer_err rc;

	rc = printer_open(&p, uri, err, errlen);
	if (rc != PRINTER_OK)
		return rc;
	rc = printer_send(p, j->b, j->n, &written, err, errlen);
	printer_close(p);
	return rc;
}

static void test_qr_and_code128_decode(void)
{
	static const unsigned char c128[] = "{BA042-{C\x0c\x22";  /* A042-1234 */
	char dir[256], uri[300], path[320], err[256] = "", lines[8][128];
	struct job j = { .n = 0 };
	unsigned w, h;
	int n;

	check_tmpdir(dir);
	PUT(&j, "\x1b@\x1c.\x1bt\x13\x1b\x61\x01\x1d!\x11" "A042\n\x1d!\x00");
	PUT(&j, "B\x81rgerb\x81ro Musterstadt\n\n");
	put_qr(&j, QR_PAYLOAD, 5);
	PUT(&j, "\x1b\x64\x02\x1dh\x50\x1dw\x02\x1dH\x02");
	put_code128(&j, c128, sizeof c128 - 1);
	PUT(&j, "\x1b\x64\x03\x1dV\x42\x03");
	snprintf(uri, sizeof uri, "virtual:%s", dir);
	CHECK_INT(send_job(uri, &j, err, sizeof err), PRINTER_OK);
	CHECK_STR(err, "");
	snprintf(path, sizeof path, "%s/job-000001.bin", dir);
	CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof path, "%s/job-000001.png", dir);
	png_size(path, &w, &h);
	CHECK_INT(w, 576);
	CHECK(h > 300 && h < 1000);
	n = zbar(path, lines, 8);
	CHECK_INT(n, 2);                   /* exactly the two symbols */
	CHECK(has_line(lines, n, QR_PAYLOAD));
	CHECK(has_line(lines, n, "A042-1234"));
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  zbarimg: %s\n", lines[i]);
	check_rmtree(dir);
}

/* Every character of code set B (in chunks that fit the paper), so that
 * every bar pattern a ticket can use has been read back once. */
static void test_code128_all_of_set_b(void)
{
	char dir[256], uri[300], path[320], err[256] = "", lines[16][128];
	char want[8][32];
	struct job j = { .n = 0 };
	int nchunks = 0, n;

	check_tmpdir(dir);
	PUT(&j, "\x1b@\x1b\x61\x01\x1dh\x40\x1dw\x02");
	for (int c = 0x20; c < 0x7f;) {
		unsigned char d[48] = "{B";
		size_t dn = 2, wn = 0;
		while (c < 0x7f && wn < 18) {
			if (c == '{')
				d[dn++] = '{';
			d[dn++] = (unsigned char)c;
			want[nchunks][wn++] = (char)c;
			c++;
		}
		want[nchunks][wn] = '\0';
		nchunks++;
		put_code128(&j, d, dn);
		PUT(&j, "\x1b\x64\x02");
	}
	/* code set C from the start, with a switch to B */
	put_code128(&j, "{C\x00\x63\x2a{BXY", 9);
	PUT(&j, "\x1b\x64\x02");
	snprintf(uri, sizeof uri, "virtual:%s", dir);
	REQUIRE(send_job(uri, &j, err, sizeof err) == PRINTER_OK);
	snprintf(path, sizeof path, "%s/job-000001.png", dir);
	n = zbar(path, lines, 16);
	CHECK_INT(n, nchunks + 1);
	for (int i = 0; i < nchunks; i++) {
		if (!has_line(lines, n, want[i]))
			fprintf(stderr, "  not read back: \"%s\"\n", want[i]);
		CHECK(has_line(lines, n, want[i]));
	}
	CHECK(has_line(lines, n, "009942XY"));
	check_rmtree(dir);
}

static void test_paper_58(void)
{
	char dir[256], uri[300], path[320], err[256] = "", lines[4][128];
	struct job j = { .n = 0 };
	unsigned w, h;
	int n;

	check_tmpdir(dir);
	PUT(&j, "\x1b@\x1b\x61\x01");
	put_qr(&j, QR_PAYLOAD, 4);
	PUT(&j, "\x1b\x64\x03\x1dV\x42\x00");
	snprintf(uri, sizeof uri, "virtual:%s?paper=58", dir);
	REQUIRE(send_job(uri, &j, err, sizeof err) == PRINTER_OK);
	snprintf(path, sizeof path, "%s/job-000001.png", dir);
	png_size(path, &w, &h);
	CHECK_INT(w, 384);
	n = zbar(path, lines, 4);
	CHECK_INT(n, 1);
	CHECK(has_line(lines, n, QR_PAYLOAD));

	/* a second job gets the next number, for .bin and .png alike */
	REQUIRE(send_job(uri, &j, err, sizeof err) == PRINTER_OK);
	snprintf(path, sizeof path, "%s/job-000002.png", dir);
	CHECK(access(path, R_OK) == 0);

	snprintf(uri, sizeof uri, "virtual:%s?paper=57", dir);
	CHECK_INT(send_job(uri, &j, err, sizeof err), PRINTER_ERR_URI);
	check_rmtree(dir);
}

static void write_fault(const char *dir, const char *what)
{
	char path[320];
	FILE *f;

	snprintf(path, sizeof path, "%s/FAULT", dir);
	f = fopen(path, "w");
	if (f) {
		fputs(what, f);
		fclose(f);
	}
}

static void test_status_from_fault_switch(void)
{
	char dir[256], uri[300], path[320], err[256] = "";
	struct printer *p = NULL;
	struct printer_status st;
	struct job j = { .n = 0 };

	check_tmpdir(dir);
	snprintf(uri, sizeof uri, "virtual:%s", dir);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK(st.known && st.online && !st.paper_end && !st.cover_open &&
	      !st.paper_near_end);

	write_fault(dir, "paper\n");
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK(st.known && st.paper_end);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_PAPER);
	write_fault(dir, "cover");
	printer_get_status(p, &st, err, sizeof err);
	CHECK(st.cover_open && !st.paper_end);
	write_fault(dir, "offline");
	printer_get_status(p, &st, err, sizeof err);
	CHECK(!st.online);
	write_fault(dir, "near");
	printer_get_status(p, &st, err, sizeof err);
	CHECK(st.paper_near_end && st.online && !st.paper_end);
	CHECK_INT(printer_status_fault(&st), PRINTER_OK);
	PUT(&j, "still prints\n");
	CHECK_INT(printer_send(p, j.b, j.n, NULL, err, sizeof err), PRINTER_OK);
	printer_close(p);

	/* the PNG cannot be written (a folder is in its way): the job is
	 * still printed, and err says why there is no picture */
	unlink(strcat(strcpy(path, dir), "/FAULT"));
	snprintf(path, sizeof path, "%s/job-000002.png", dir);
	mkdir(path, 0755);
	CHECK_INT(send_job(uri, &j, err, sizeof err), PRINTER_OK);
	CHECK(strstr(err, "job-000002") != NULL);
	snprintf(path, sizeof path, "%s/job-000002.bin", dir);
	CHECK(access(path, R_OK) == 0);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "qr_and_code128_decode", test_qr_and_code128_decode },
		{ "code128_all_of_set_b", test_code128_all_of_set_b },
		{ "paper_58", test_paper_58 },
		{ "status_from_fault_switch", test_status_from_fault_switch },
		{ NULL, NULL },
	};

	if (system("command -v zbarimg >/dev/null") != 0) {
		fprintf(stderr, "zbarimg missing: apt-get install zbar-tools\n");
		return 1;
	}
	return check_main(tests);
}
