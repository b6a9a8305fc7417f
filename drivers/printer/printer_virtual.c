/*
 * printer_virtual.c — the "virtual:DIR" backend: a printer that is a folder.
 *
 * Each job's bytes land in DIR/job-NNNNNN.bin (six digits, more after
 * 999999), for the simulator to render and the tests to compare. It is
 * used only when named in the configuration.
 *
 * Properties:
 *  1. A job file appears whole or not at all: the bytes go to a hidden
 *     temporary file, are fsynced, and are then linked to their final name
 *     and the folder fsynced. link() is used instead of rename() because it
 *     fails with EEXIST instead of replacing a file.
 *  2. Numbers continue after the highest existing job file, looked up at
 *     each job, so restarts and several printers on one folder never
 *     overwrite a job (a lost race just takes the next number).
 *  3. Fault switch: if DIR/FAULT exists and contains "paper", "offline" or
 *     "cover", a job fails with PRINTER_ERR_PAPER / _OFFLINE / _COVER and
 *     writes nothing; "cutter" (cutter error) and "error" (unrecoverable
 *     error) fail it with PRINTER_ERR_DEVICE; "slow" makes every job take
 *     two seconds, like a printer that is busy feeding. Other contents
 *     are ignored. The simulator and the tests use this to "break" the
 *     printer.
 *  4. Every job's paper: after the .bin, job-NNNNNN.png of the same number
 *     is written, the job drawn by escpos_interp at the paper width of the
 *     URI option "virtual:DIR?paper=58" (58 or 80 mm, default 80). The
 *     fonts are loaded at the first job. A PNG that cannot be made is
 *     reported in err, but the job has been printed (PRINTER_OK): the .bin
 *     is the job, the PNG only a picture of it.
 *  5. status() reads the same FAULT file: "paper" → paper end, "cover" →
 *     cover open, "offline" → offline, "near" → paper near end (jobs still
 *     print), anything else → all fine. known is always 1.
 *
 * It does NOT clean up temporary files a crash left behind (".job-*.tmp");
 * another printer on the same folder may be writing one right now.
 */
#include "drivers/printer/printer_int.h"
#include "drivers/printer/escpos_interp.h"
#include "drivers/printer/raster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VIRTUAL_JOB_MAX 999999999u   /* keeps names within "%u" parsing */

struct virtual_ctx {
	int dirfd;
	char dir[512];
	int paper_mm;              /* 58 or 80 */
	struct rastertext *rt;     /* made at the first PNG */
};

/* DejaVu Sans Mono first: the printer's font A is a monospace face; the
 * rest only for characters it lacks. */
static const char *const virtual_fonts[] = {
	"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
};

static int mkdir_p(const char *dir)
{
	char tmp[512];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Cuts "?paper=58" off v->dir. The only option; unknown ones are errors
 * so that a typo does not silently print on the wrong paper. */
static printer_err parse_options(struct virtual_ctx *v, char *err,
				 size_t errlen)
{
	char *q = strchr(v->dir, '?');

	v->paper_mm = 80;
	if (!q)
		return PRINTER_OK;
	*q++ = '\0';
	if (!strcmp(q, "paper=58") || !strcmp(q, "paper=80")) {
		v->paper_mm = q[6] == '5' ? 58 : 80;
		return PRINTER_OK;
	}
	printer__seterr(err, errlen, "virtual: unknown option \"%s\" "
			"(paper=58 or paper=80)", q);
	return PRINTER_ERR_URI;
}

static printer_err virtual_open(void **ctx, const char *arg, char *err,
				size_t errlen)
{
	struct virtual_ctx *v = NULL;
	printer_err rc;

	if (!*arg) {
		printer__seterr(err, errlen, "virtual: needs a folder");
		return PRINTER_ERR_URI;
	}
	if (strlen(arg) >= sizeof v->dir) {
		printer__seterr(err, errlen, "virtual: folder name too long");
		return PRINTER_ERR_URI;
	}
	v = calloc(1, sizeof *v);
	if (!v) {
		rc = PRINTER_ERR_NOMEM;
		printer__seterr(err, errlen, "virtual: out of memory");
		goto fail;
	}
	v->dirfd = -1;
	memcpy(v->dir, arg, strlen(arg) + 1);
	rc = parse_options(v, err, errlen);
	if (rc != PRINTER_OK)
		goto fail;
	if (mkdir_p(v->dir) < 0) {
		rc = PRINTER_ERR_OPEN;
		printer__seterr(err, errlen, "virtual: cannot create %s: %s",
				v->dir, strerror(errno));
		goto fail;
	}
	v->dirfd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (v->dirfd < 0) {
		rc = PRINTER_ERR_OPEN;
		printer__seterr(err, errlen, "virtual: cannot open %s: %s",
				v->dir, strerror(errno));
		goto fail;
	}
	*ctx = v;
	return PRINTER_OK;

fail:
	free(v);
	return rc;
}

static void virtual_close(void *ctx)
{
	struct virtual_ctx *v = ctx;

	if (!v)
		return;
	close(v->dirfd);
	rastertext_destroy(v->rt);
	free(v);
}

/* The FAULT switch's contents ("" when there is none). */
static void read_switch(struct virtual_ctx *v, char buf[64])
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = openat(v->dirfd, "FAULT", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	do
		n = read(fd, buf, 63);
	while (n < 0 && errno == EINTR);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/* PRINTER_OK unless DIR/FAULT names a fault. */
static printer_err read_fault(struct virtual_ctx *v)
{
	char buf[64];

	read_switch(v, buf);
	if (strstr(buf, "paper"))
		return PRINTER_ERR_PAPER;
	if (strstr(buf, "offline"))
		return PRINTER_ERR_OFFLINE;
	if (strstr(buf, "cover"))
		return PRINTER_ERR_COVER;
	if (strstr(buf, "cutter") || strstr(buf, "error"))
		return PRINTER_ERR_DEVICE;
	if (strstr(buf, "slow")) {
		struct timespec ts = { .tv_sec = 2 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return PRINTER_OK;
}

/* "job-" digits ".bin" → the number, or 0 for any other name. */
static unsigned parse_job_name(const char *name)
{
	unsigned long long num = 0;
	const char *p;

	if (strncmp(name, "job-", 4))
		return 0;
	for (p = name + 4; *p >= '0' && *p <= '9'; p++) {
		num = num * 10 + (unsigned)(*p - '0');
		if (num > VIRTUAL_JOB_MAX)
			return 0;
	}
	if (p == name + 4 || strcmp(p, ".bin"))
		return 0;
	return (unsigned)num;
}

/* The highest job number in the folder (0 if none), or -1 with errno. */
static long long highest_job(struct virtual_ctx *v)
{
	unsigned high = 0;
	struct dirent *e;
	DIR *d;
	int fd;

	fd = openat(v->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		unsigned n = parse_job_name(e->d_name);
		if (n > high)
			high = n;
	}
	closedir(d);
	return high;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates a unique hidden temporary file; fills name. */
static int make_temp(struct virtual_ctx *v, char *name, size_t len)
{
	static unsigned counter;

	for (int tries = 0; tries < 100; tries++) {
		int fd;
		snprintf(name, len, ".job-%ld-%u-%d.tmp", (long)getpid(),
			 __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED),
			 tries);
		fd = openat(v->dirfd, name,
			    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* Links tmp to the next free job name. 0, or -1 with errno. */
static int publish(struct virtual_ctx *v, const char *tmp, char *name,
		   size_t len)
{
	long long high = highest_job(v);

	if (high < 0)
		return -1;
	for (unsigned long long num = (unsigned long long)high + 1;
	     num <= VIRTUAL_JOB_MAX; num++) {
		snprintf(name, len, "job-%06u.bin", (unsigned)num);
		if (linkat(v->dirfd, tmp, v->dirfd, name, 0) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = ENOSPC;
	return -1;
}

/* DIR/job-N.png for the job just published as DIR/job-N.bin. */
static int write_png(struct virtual_ctx *v, const char *bin_name,
		     const unsigned char *data, size_t len, char *err,
		     size_t errlen)
{
	struct escpos_interp_options o = { .paper_width_mm = v->paper_mm };
	struct raster_bitmap page = { 0 };
	char path[600], msg[256];
	size_t n = strlen(bin_name) - 4; /* without ".bin" */
	int rc = -1;

	if (!v->rt) {
		v->rt = rastertext_create(virtual_fonts,
					  (int)(sizeof virtual_fonts /
						sizeof *virtual_fonts),
					  msg, sizeof msg);
		if (!v->rt)
			goto out;
	}
	o.rt = v->rt;
	if (snprintf(path, sizeof path, "%s/%.*s.png", v->dir, (int)n,
		     bin_name) >= (int)sizeof path) {
		snprintf(msg, sizeof msg, "path too long");
		goto out;
	}
	if (escpos_interp_render(data, len, &o, &page, msg, sizeof msg) < 0 ||
	    raster_bitmap_write_png(&page, path, msg, sizeof msg) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		printer__seterr(err, errlen, "virtual: %s printed, but no "
				"picture of it: %s", bin_name, msg);
	raster_bitmap_free(&page);
	return rc;
}

static printer_err virtual_status(void *ctx, struct printer_status *st,
				  char *err, size_t errlen)
{
	struct virtual_ctx *v = ctx;
	char buf[64];

	(void)err;
	(void)errlen;
	memset(st, 0, sizeof *st);
	read_switch(v, buf);
	st->known = 1;
	st->online = !strstr(buf, "offline");
	st->paper_end = strstr(buf, "paper") != NULL;
	st->cover_open = strstr(buf, "cover") != NULL;
	st->paper_near_end = strstr(buf, "near") != NULL;
	st->cutter_error = strstr(buf, "cutter") != NULL;
	st->unrecoverable = strstr(buf, "error") != NULL;
	return PRINTER_OK;
}

static printer_err virtual_send(void *ctx, const unsigned char *data,
				size_t len, size_t *written, char *err,
				size_t errlen)
{
	struct virtual_ctx *v = ctx;
	char tmp[64], name[32];
	printer_err rc;
	int fd;

	rc = read_fault(v);
	if (rc != PRINTER_OK) {
		printer__seterr(err, errlen, "virtual: %s (FAULT switch in %s)",
				printer_strerror(rc), v->dir);
		return rc;
	}
	fd = make_temp(v, tmp, sizeof tmp);
	if (fd < 0) {
		printer__seterr(err, errlen, "virtual: cannot create a job in "
				"%s: %s", v->dir, strerror(errno));
		return PRINTER_ERR_WRITE;
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		printer__seterr(err, errlen, "virtual: writing a job in %s: %s",
				v->dir, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		printer__seterr(err, errlen, "virtual: writing a job in %s: %s",
				v->dir, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (publish(v, tmp, name, sizeof name) < 0) {
		printer__seterr(err, errlen, "virtual: naming a job in %s: %s",
				v->dir, strerror(errno));
		goto fail;
	}
	unlinkat(v->dirfd, tmp, 0);
	/* The job is visible; a failed folder fsync only weakens durability
	 * across a power cut, which a simulated printer can live with. */
	fsync(v->dirfd);
	*written = len;
	write_png(v, name, data, len, err, errlen);
	return PRINTER_OK;

fail:
	if (fd >= 0)
		close(fd);
	unlinkat(v->dirfd, tmp, 0);
	return PRINTER_ERR_WRITE;
}

const struct printer_backend printer__virtual_backend = {
	.name = "virtual",
	.open = virtual_open,
	.close = virtual_close,
	.send = virtual_send,
	.status = virtual_status,
};
