/*
 * bench_fsync — the physical limit of ticket issuing on this disk: how
 * many small write + fsync() pairs per second it takes. A ticket commit
 * (WAL, synchronous=FULL) needs at least one, so bench_ticket's rate can
 * be read against this one.
 *
 *   bench_fsync [N] [DIR]    N rounds (default 2000) in DIR (default
 *                            $TMPDIR or /tmp; use the kiosk's data disk)
 *
 * Each round overwrites 4 KiB at the end of a growing file (as a WAL
 * frame append does: the file's size changes too) and calls fsync();
 * a second series overwrites the same 4 KiB and calls fdatasync() (no
 * size change, the cheapest durable write). Prints median, p90, p99 and
 * the rate from the median. Figures, not a pass/fail test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *us, int n)
{
	qsort(us, (size_t)n, sizeof *us, cmp);
	printf("%-36s n=%d  median %.1f us  p90 %.1f us  p99 %.1f us  "
	       "(%.0f per second at the median)\n", what, n, us[n / 2],
	       us[n * 9 / 10], us[n * 99 / 100], 1e6 / us[n / 2]);
}

/* append: 1 writes at the end of the file (it grows), 0 rewrites the
 * first block. datasync: fdatasync() instead of fsync(). */
static int series(int fd, int n, int append, int datasync, double *us)
{
	char block[4096];

	memset(block, 'k', sizeof block);
	for (int i = 0; i < n; i++) {
		off_t off = append ? (off_t)i * (off_t)sizeof block : 0;
		double t0 = now_us();

		if (pwrite(fd, block, sizeof block, off) != (ssize_t)sizeof block)
			return -1;
		if ((datasync ? fdatasync(fd) : fsync(fd)) < 0)
			return -1;
		us[i] = now_us() - t0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	const char *base = argc > 2 ? argv[2] : getenv("TMPDIR");
	char path[512];
	double *us = NULL;
	int fd = -1, rc = 1;

	if (n < 10) {
		fprintf(stderr, "usage: bench_fsync [N >= 10] [DIR]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/bench-fsync-XXXXXX",
		 base ? base : "/tmp");
	fd = mkstemp(path);
	us = calloc((size_t)n, sizeof *us);
	if (fd < 0 || !us) {
		fprintf(stderr, "bench_fsync: %s: %s\n", path, strerror(errno));
		goto out;
	}
	printf("file %s\n", path);
	if (series(fd, n, 1, 0, us) < 0)
		goto fail;
	report("4 KiB append + fsync", us, n);
	if (series(fd, n, 0, 1, us) < 0)
		goto fail;
	report("4 KiB overwrite + fdatasync", us, n);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench_fsync: %s: %s\n", path, strerror(errno));
out:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(us);
	return rc;
}
