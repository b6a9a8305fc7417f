/*
 * test_printer_usb.c — the usb: printer backend against emulated printers
 * (umockdev), no hardware.
 *
 * Run normally (by ctest), each scenario writes an umockdev ioctl script
 * from the byte stream it expects, then runs this same program again under
 *
 *     umockdev-run --device tests/data/usb/DEV.umockdev \
 *         --ioctl /dev/bus/usb/001/002=SCRIPT -- test_printer_usb
 *
 * with BK_USB_SCENARIO=name; that child opens the printer through
 * printer.h and checks what a caller sees. The script is also the
 * assertion on the wire: a transfer with other bytes, another length or on
 * another endpoint matches no line and fails at once (LIBUSB_ERROR_IO),
 * which the child notices as a failed send.
 *
 * Script lines (umockdev 0.17, text ioctl format; libusb reaps with
 * REAPURBNDELAY):
 *
 *     USBDEVFS_REAPURBNDELAY ret type ep status flags buflen actual errs HEX
 *       ret     0
 *       type    3 (bulk)
 *       ep      endpoint address, decimal (130 = 0x82 IN)
 *       status  0, -32 (EPIPE: stall), -19 (ENODEV: unplugged)
 *       buflen  bytes submitted (OUT: must equal the data; IN: read size)
 *       actual  bytes the device took (OUT) or answered (IN)
 *       HEX     OUT: the buflen bytes expected; IN: the answer
 *
 * The backend writes in chunks of at most 4096 bytes (printer_usb.c
 * property 5), so the expected stream is cut the same way here.
 *
 * Limits of umockdev's ioctl mode, and what stands in for them:
 *  - no read timeouts: an empty IN endpoint is scripted as a zero-length
 *    answer (which the backend also treats as empty), and a printer that
 *    never answers cannot be shown;
 *  - no removal or re-addition of a device from umockdev-run: the replug
 *    is the same device node opened afresh after an unplug error, so a new
 *    bus address cannot be shown;
 *  - no kernel driver is ever reported, so the detach path is not run.
 */
#include "check.h"
#include "drivers/printer/printer.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 4096
#define DEVNODE "/dev/bus/usb/001/002"

static char tmpdir[256];
static char self[1024];

/* ---- jobs: the same bytes in parent (script) and child (send) ---- */

/* A waiting ticket of about 300 bytes, as the encoder makes it. */
static size_t ticket(unsigned char *out, size_t cap, int number)
{
	static const unsigned char head[] = {
		0x1b, 0x40, 0x1c, 0x2e, 0x1b, 0x74, 19, 0x1b, 0x52, 0,
		0x1b, 0x61, 1,
	};
	/* "Bürgerbüro Musterstadt" in PC858 */
	static const char office[] = "B\x81rgerb\x81ro Musterstadt\n\n";
	char body[256];
	size_t n = 0;
	int blen;

	memcpy(out + n, head, sizeof head);
	n += sizeof head;
	memcpy(out + n, office, sizeof office - 1);
	n += sizeof office - 1;
	out[n++] = 0x1d; out[n++] = 0x21; out[n++] = 0x33;   /* 4x size */
	blen = snprintf(body, sizeof body, "A%03d\n", number);
	memcpy(out + n, body, (size_t)blen);
	n += (size_t)blen;
	out[n++] = 0x1d; out[n++] = 0x21; out[n++] = 0x00;
	blen = snprintf(body, sizeof body,
			"\nPersonalausweis beantragen\n"
			"Vor Ihnen: 3   Wartezeit ca. 12 min\n\n"
			"25.11.2026 09:41\n\n"
			"Bitte warten Sie, bis Ihre Nummer aufgerufen wird.\n"
			"Please wait until your number is called.\n"
			"Ihre Nummer erscheint auch am Bildschirm.\n"
			"Kiosk 1 - Erdgeschoss, Raum 0.14\n\n\n\n");
	memcpy(out + n, body, (size_t)blen);
	n += (size_t)blen;
	out[n++] = 0x1d; out[n++] = 0x56; out[n++] = 66; out[n++] = 0;
	if (n > cap)
		abort();
	return n;
}

/* A large raster-like job that needs several chunks. */
static size_t big_job(unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)(i * 7 + (i >> 8));
	return len;
}

/* ---- the script writer (parent) ---- */

struct script {
	FILE *f;
	int ep_out, ep_in;
};

static void s_line(struct script *s, int ep, int status, size_t buflen,
		   size_t actual, const unsigned char *hex, size_t hexlen)
{
	fprintf(s->f, "USBDEVFS_REAPURBNDELAY 0 3 %d %d 0 %zu %zu 0 ", ep,
		status, buflen, actual);
	for (size_t i = 0; i < hexlen; i++)
		fprintf(s->f, "%02X", hex[i]);
	fputc('\n', s->f);
}

/* The device takes all of data, cut as the backend cuts it. */
static void s_out(struct script *s, const unsigned char *d, size_t len)
{
	for (size_t off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;

		s_line(s, s->ep_out, 0, n, n, d + off, n);
	}
}

/* One chunk that ends with status (stall, unplug) or takes only took. */
static void s_out_one(struct script *s, const unsigned char *d, size_t len,
		      int status, size_t took)
{
	s_line(s, s->ep_out, status, len, took, d, len);
}

/* The drain finds nothing, then DLE EOT 1..4 get these answers. */
static void s_status(struct script *s, unsigned char b1, unsigned char b2,
		     unsigned char b3, unsigned char b4)
{
	const unsigned char ans[4] = { b1, b2, b3, b4 };

	s_line(s, s->ep_in, 0, 64, 0, NULL, 0);
	for (int n = 1; n <= 4; n++) {
		unsigned char q[3] = { 0x10, 0x04, (unsigned char)n };

		s_line(s, s->ep_out, 0, 3, 3, q, 3);
		s_line(s, s->ep_in, 0, 64, 1, &ans[n - 1], 1);
	}
}

#define ST_OK 0x16, 0x12, 0x12, 0x12
#define ST_PAPER_END 0x1A, 0x32, 0x12, 0x7E
#define ST_COVER 0x1E, 0x16, 0x12, 0x12

/* Runs the child for scenario under umockdev; returns its exit status. */
static int run_child(const char *scenario, const char *dev,
		     const char *script)
{
	char devpath[1024], ioctl_arg[600];
	const char *src = getenv("BK_SOURCE_DIR");
	pid_t pid;
	int status = 0;

	snprintf(devpath, sizeof devpath, "%s/tests/data/usb/%s",
		 src ? src : BK_SOURCE_DIR, dev);
	snprintf(ioctl_arg, sizeof ioctl_arg, DEVNODE "=%s", script);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv("BK_USB_SCENARIO", scenario, 1);
		alarm(60);                 /* a hang is a failure */
		execlp("umockdev-run", "umockdev-run", "--device", devpath,
		       "--ioctl", ioctl_arg, "--", self, (char *)NULL);
		fprintf(stderr, "cannot run umockdev-run: %s (Debian package "
			"umockdev)\n", strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Opens a fresh script file for the scenario. */
static struct script s_begin(const char *name, char *path, size_t len,
			     int ep_out, int ep_in)
{
	struct script s = { NULL, ep_out, ep_in };

	snprintf(path, len, "%s/%s.ioctl", tmpdir, name);
	s.f = fopen(path, "w");
	if (!s.f)
		abort();
	return s;
}

static void s_run(struct script *s, const char *name, const char *dev,
		  const char *path)
{
	fclose(s->f);
	CHECK_INT(run_child(name, dev, path), 0);
}

/* ---- scenarios: parent writes the script, child checks the outcome ---- */

static unsigned char job[400], big[10000];
static size_t job_len;

/* printer-class device 04b8:0e28: OUT 0x01, IN 0x82 */
#define P7 1, 130
/* vendor-class device 04b8:0202: OUT 0x02, IN 0x81 */
#define PFF 2, 129

static void parent_class7_clean(void)
{
	char path[300];
	struct script s = s_begin("class7_clean", path, sizeof path, P7);

	s_status(&s, ST_OK);
	s_out(&s, job, job_len);
	s_out(&s, big, sizeof big);
	s_status(&s, ST_OK);
	s_run(&s, "class7_clean", "printer-class.umockdev", path);
}

static void expect_status(struct printer *p, const char *want,
			  printer_err fault)
{
	struct printer_status st;
	char err[300], line[128];

	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	if (err[0])
		fprintf(stderr, "status: %s\n", err);
	CHECK_INT(st.known, 1);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, want);
	CHECK_INT(printer_status_fault(&st), fault);
}

static void child_class7_clean(void)
{
	struct printer *p = NULL;
	char err[300];
	size_t wr = 0;

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	CHECK_STR(printer_backend_name(p), "usb");
	expect_status(p, "ok", PRINTER_OK);
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, job_len);
	CHECK_INT(printer_send(p, big, sizeof big, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, sizeof big);
	expect_status(p, "ok", PRINTER_OK);
	printer_close(p);
}

static void parent_vendor_clean(void)
{
	char path[300];
	struct script s = s_begin("vendor_clean", path, sizeof path, PFF);

	s_status(&s, ST_OK);
	s_out(&s, job, job_len);
	s_status(&s, ST_OK);
	/* the same device named by id */
	s_out(&s, job, job_len);
	s_run(&s, "vendor_clean", "vendor-class.umockdev", path);
}

static void child_vendor_clean(void)
{
	struct printer *p = NULL;
	char err[300];
	size_t wr = 0;

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	expect_status(p, "ok", PRINTER_OK);
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, job_len);
	expect_status(p, "ok", PRINTER_OK);
	printer_close(p);

	REQUIRE(printer_open(&p, "usb:04b8:0202", err, sizeof err) ==
		PRINTER_OK);
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, job_len);
	printer_close(p);
}

static void parent_paper_end_before(void)
{
	char path[300];
	struct script s = s_begin("paper_end_before", path, sizeof path, P7);

	s_status(&s, ST_PAPER_END);
	s_run(&s, "paper_end_before", "printer-class.umockdev", path);
}

static void child_paper_end_before(void)
{
	struct printer *p = NULL;
	struct printer_status st;
	char err[300];

	REQUIRE(printer_open(&p, "usb:04b8:0e28", err, sizeof err) ==
		PRINTER_OK);
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK_INT(st.known, 1);
	CHECK_INT(st.online, 0);
	CHECK_INT(st.paper_end, 1);
	CHECK_INT(st.cover_open, 0);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_PAPER);
	printer_close(p);
}

static void parent_paper_end_during(void)
{
	char path[300];
	struct script s = s_begin("paper_end_during", path, sizeof path, P7);

	s_status(&s, ST_OK);
	s_out(&s, job, job_len);
	s_status(&s, ST_PAPER_END);
	s_run(&s, "paper_end_during", "printer-class.umockdev", path);
}

static void child_paper_end_during(void)
{
	struct printer *p = NULL;
	char err[300];
	size_t wr = 0;

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	expect_status(p, "ok", PRINTER_OK);
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_OK);
	/* the bytes went out, but the paper says the ticket did not */
	expect_status(p, "paper end, paper near end", PRINTER_ERR_PAPER);
	printer_close(p);
}

static void parent_cover_open(void)
{
	char path[300];
	struct script s = s_begin("cover_open", path, sizeof path, P7);

	s_status(&s, ST_COVER);
	s_status(&s, ST_OK);
	s_run(&s, "cover_open", "printer-class.umockdev", path);
}

static void child_cover_open(void)
{
	struct printer *p = NULL;
	char err[300];

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	expect_status(p, "cover open", PRINTER_ERR_COVER);
	expect_status(p, "ok", PRINTER_OK);       /* closed again */
	printer_close(p);
}

static void parent_stall(void)
{
	char path[300];
	struct script s = s_begin("stall", path, sizeof path, P7);

	s_out_one(&s, job, job_len, -32, 0);
	s_out(&s, job, job_len);
	s_run(&s, "stall", "printer-class.umockdev", path);
}

static void child_stall(void)
{
	struct printer *p = NULL;
	char err[300];
	size_t wr = 99;

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_ERR_WRITE);
	CHECK_INT(wr, 0);
	CHECK(strstr(err, "stalled") != NULL);
	CHECK(strstr(err, "04b8:0e28") != NULL);
	/* the halt was cleared: the next job goes through */
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, job_len);
	printer_close(p);
}

static void parent_partial(void)
{
	char path[300];
	struct script s = s_begin("partial", path, sizeof path, P7);

	s_out_one(&s, job, job_len, 0, 100);
	s_out_one(&s, job + 100, job_len - 100, 0, 64);
	s_out(&s, job + 164, job_len - 164);
	s_run(&s, "partial", "printer-class.umockdev", path);
}

static void child_partial(void)
{
	struct printer *p = NULL;
	char err[300];
	size_t wr = 0;

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, job_len);
	printer_close(p);
}

static void parent_unplug_replug(void)
{
	char path[300];
	struct script s = s_begin("unplug_replug", path, sizeof path, P7);

	s_out(&s, big, CHUNK);                      /* first chunk went */
	s_out_one(&s, big + CHUNK, CHUNK, -19, 0);  /* then pulled */
	s_status(&s, ST_OK);                        /* plugged in again */
	s_out(&s, job, job_len);
	s_run(&s, "unplug_replug", "printer-class.umockdev", path);
}

/* How many of our file descriptors are open on the printer's node. */
static int node_fds(void)
{
	char fdpath[64], target[512];
	int count = 0;

	for (int fd = 0; fd < 1024; fd++) {
		ssize_t n;

		snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
		n = readlink(fdpath, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (n >= 15 && !strcmp(target + n - 15, "bus/usb/001/002"))
			count++;
	}
	return count;
}

static void child_unplug_replug(void)
{
	struct printer *p = NULL;
	char err[300];
	size_t wr = 0;

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	CHECK_INT(node_fds(), 1);
	CHECK_INT(printer_send(p, big, sizeof big, &wr, err, sizeof err),
		  PRINTER_ERR_GONE);
	CHECK_INT(wr, CHUNK);
	CHECK(strstr(err, "unplugged") != NULL);
	CHECK_INT(node_fds(), 0);                   /* handle closed */
	/* found again: status and the next job reopen the device */
	expect_status(p, "ok", PRINTER_OK);
	CHECK_INT(node_fds(), 1);
	CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, job_len);
	printer_close(p);
}

static void parent_wrong_bytes(void)
{
	char path[300];
	struct script s = s_begin("wrong_bytes", path, sizeof path, P7);

	s_out(&s, job, job_len);
	s_run(&s, "wrong_bytes", "printer-class.umockdev", path);
}

/* The script is an assertion: other bytes than expected fail at once. */
static void child_wrong_bytes(void)
{
	struct printer *p = NULL;
	unsigned char other[400];
	char err[300];
	size_t wr = 0;

	memcpy(other, job, job_len);
	other[20] ^= 0x20;
	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_send(p, other, job_len, &wr, err, sizeof err),
		  PRINTER_ERR_WRITE);
	CHECK_INT(wr, 0);
	printer_close(p);
}

static void parent_missing(void)
{
	char path[300];
	struct script s = s_begin("missing", path, sizeof path, P7);

	s_run(&s, "missing", "no-printer.umockdev", path);
	s = s_begin("missing_id", path, sizeof path, P7);
	s_run(&s, "missing_id", "printer-class.umockdev", path);
}

static void child_missing(void)
{
	struct printer *p = (struct printer *)1;
	char err[300];

	CHECK_INT(printer_open(&p, "usb:", err, sizeof err),
		  PRINTER_ERR_OFFLINE);
	CHECK(p == NULL);
	fprintf(stderr, "message: %s\n", err);
	CHECK(strstr(err, "class 7") != NULL);
	CHECK(strstr(err, "Epson 04b8") != NULL);
	CHECK_INT(printer_open(&p, "usb:04b8", err, sizeof err),
		  PRINTER_ERR_URI);
	CHECK_INT(printer_open(&p, "usb:04b8:zz", err, sizeof err),
		  PRINTER_ERR_URI);
}

static void child_missing_id(void)
{
	struct printer *p = NULL;
	char err[300];

	CHECK_INT(printer_open(&p, "usb:0519:0003", err, sizeof err),
		  PRINTER_ERR_OFFLINE);
	CHECK(strstr(err, "0519:0003") != NULL);
}

#define TIMING_JOBS 20

static void parent_timing(void)
{
	char path[300];
	struct script s = s_begin("timing", path, sizeof path, P7);

	for (int i = 0; i < TIMING_JOBS; i++)
		s_out(&s, job, job_len);
	s_run(&s, "timing", "printer-class.umockdev", path);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A figure, not a pass/fail: first byte to last byte of a ticket job. */
static void child_timing(void)
{
	struct printer *p = NULL;
	double ms[TIMING_JOBS];
	char err[300];
	size_t wr = 0;

	REQUIRE(printer_open(&p, "usb:", err, sizeof err) == PRINTER_OK);
	for (int i = 0; i < TIMING_JOBS; i++) {
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		CHECK_INT(printer_send(p, job, job_len, &wr, err, sizeof err),
			  PRINTER_OK);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 +
			(double)(b.tv_nsec - a.tv_nsec) / 1e6;
	}
	qsort(ms, TIMING_JOBS, sizeof ms[0], cmp_double);
	printf("usb ticket job of %zu bytes under umockdev: median %.3f ms, "
	       "min %.3f ms, max %.3f ms (%d jobs)\n", job_len,
	       (ms[9] + ms[10]) / 2, ms[0], ms[TIMING_JOBS - 1], TIMING_JOBS);
	printer_close(p);
}

static const struct check_test children[] = {
	{ "class7_clean", child_class7_clean },
	{ "vendor_clean", child_vendor_clean },
	{ "paper_end_before", child_paper_end_before },
	{ "paper_end_during", child_paper_end_during },
	{ "cover_open", child_cover_open },
	{ "stall", child_stall },
	{ "partial", child_partial },
	{ "unplug_replug", child_unplug_replug },
	{ "wrong_bytes", child_wrong_bytes },
	{ "missing", child_missing },
	{ "missing_id", child_missing_id },
	{ "timing", child_timing },
	{ NULL, NULL },
};

int main(void)
{
	static const struct check_test tests[] = {
		{ "class7_clean", parent_class7_clean },
		{ "vendor_clean", parent_vendor_clean },
		{ "paper_end_before", parent_paper_end_before },
		{ "paper_end_during", parent_paper_end_during },
		{ "cover_open", parent_cover_open },
		{ "stall", parent_stall },
		{ "partial", parent_partial },
		{ "unplug_replug", parent_unplug_replug },
		{ "wrong_bytes", parent_wrong_bytes },
		{ "missing", parent_missing },
		{ "timing", parent_timing },
		{ NULL, NULL },
	};
	const char *scenario = getenv("BK_USB_SCENARIO");
	const char *asan = getenv("ASAN_OPTIONS");
	char opts[512];
	ssize_t n;
	int rc;

	job_len = ticket(job, sizeof job, 17);
	big_job(big, sizeof big);
	if (scenario) {
		for (const struct check_test *t = children; t->name; t++) {
			if (!strcmp(t->name, scenario)) {
				struct check_test one[2] = { *t, { 0 } };
				return check_main(one);
			}
		}
		fprintf(stderr, "unknown scenario %s\n", scenario);
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return 2;
	self[n] = '\0';
	/* umockdev's preload library comes before ASan's runtime */
	snprintf(opts, sizeof opts, "%s%sverify_asan_link_order=0",
		 asan ? asan : "", asan && *asan ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
	check_tmpdir(tmpdir);
	rc = check_main(tests);
	if (!rc)
		check_rmtree(tmpdir);
	return rc;
}
