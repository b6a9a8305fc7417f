/*
 * bench_printer_png — time to turn a typical ticket job (about 300 bytes of
 * ESC/POS with a QR code and a CODE128 barcode) into the virtual printer's
 * PNG: the interpreter (escpos_interp_render) and the PNG writer, timed
 * apart and together.
 *
 *   bench_printer_png [N] [DIR]   N runs (default 100), PNG in DIR (/tmp)
 *
 * The fonts are loaded once, as the virtual printer does after its first
 * job; that first load is timed separately. Figures, not a pass/fail test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivers/printer/escpos_interp.h"

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
	printf("%-26s n=%d  median %.0f us  p90 %.0f us  max %.0f us\n", what,
	       n, us[n / 2], us[n * 9 / 10], us[n - 1]);
}

/* A waiting ticket as the encoder writes it: init, PC858, big number,
 * lines, QR (module 4, EC M), CODE128, feed and cut. */
static size_t make_job(unsigned char *j, size_t cap)
{
	static const char qr[] = "BK1|A042|2026-11-25T18:40|9f3c1a7e5b20d4c8";
	size_t n = 0;

#define PUT(lit) do { if (n + sizeof lit - 1 <= cap) { \
	memcpy(j + n, lit, sizeof lit - 1); n += sizeof lit - 1; } } while (0)
	PUT("\x1b@\x1c.\x1bt\x13\x1bR\x00\x1b\x61\x01");
	PUT("\x1b\x45\x01" "B\x81rgerb\x81ro Musterstadt\n" "\x1b\x45\x00");
	PUT("Personalausweis\n\x1d!\x33" "A042\n\x1d!\x00");
	PUT("Vor Ihnen: 3\nGesch\x84tzte Wartezeit: etwa 12 Minuten\n");
	PUT("25.11.2026  18:40\n\nBitte warten Sie, bis Ihre Nummer "
	    "aufgerufen wird.\n\n");
	PUT("\x1d(k\x04\x00\x31\x41\x32\x00\x1d(k\x03\x00\x31\x43\x04"
	    "\x1d(k\x03\x00\x31\x45\x31");
	j[n++] = 0x1d; j[n++] = '('; j[n++] = 'k';
	j[n++] = (unsigned char)(sizeof qr - 1 + 3); j[n++] = 0;
	PUT("\x31\x50\x30");
	memcpy(j + n, qr, sizeof qr - 1);
	n += sizeof qr - 1;
	PUT("\x1d(k\x03\x00\x31\x51\x30\n");
	PUT("\x1dh\x50\x1dw\x02\x1dH\x02\x1dk\x49\x06{BA042");
	PUT("\x1b\x64\x03\x1dV\x42\x03");
#undef PUT
	return n;
}

int main(int argc, char **argv)
{
	static const char *const fonts[] = {
		"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
		"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
		"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
	};
	int n = argc > 1 ? atoi(argv[1]) : 100;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	unsigned char job[1024];
	char err[256], path[512];
	struct rastertext *rt;
	double t0, *ra, *pn, *all;
	size_t len = make_job(job, sizeof job);
	struct escpos_interp_options o = { .paper_width_mm = 80 };

	if (n < 10 || n > 100000)
		n = 100;
	snprintf(path, sizeof path, "%s/bench-printer-%ld.png", dir,
		 (long)time(NULL));
	t0 = now_us();
	rt = rastertext_create(fonts, 3, err, sizeof err);
	if (!rt) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("font chain loaded once       %.0f us\n", now_us() - t0);
	o.rt = rt;
	ra = calloc((size_t)n, sizeof *ra);
	pn = calloc((size_t)n, sizeof *pn);
	all = calloc((size_t)n, sizeof *all);
	if (!ra || !pn || !all)
		return 1;
	for (int i = 0; i < n; i++) {
		struct raster_bitmap b;
		double t1, t2, t3;

		t1 = now_us();
		if (escpos_interp_render(job, len, &o, &b, err, sizeof err) < 0)
			return fprintf(stderr, "%s\n", err), 1;
		t2 = now_us();
		if (raster_bitmap_write_png(&b, path, err, sizeof err) < 0)
			return fprintf(stderr, "%s\n", err), 1;
		t3 = now_us();
		ra[i] = t2 - t1;
		pn[i] = t3 - t2;
		all[i] = t3 - t1;
		if (i == n - 1)
			printf("job %zu bytes -> %d x %d dots (%.1f mm of paper)\n",
			       len, b.width, b.height, b.height * 25.4 / 203);
		raster_bitmap_free(&b);
	}
	report("interpret + draw", ra, n);
	report("write PNG", pn, n);
	report("job to PNG (together)", all, n);
	remove(path);
	free(ra);
	free(pn);
	free(all);
	rastertext_destroy(rt);
	return 0;
}
