/*
 * bench_escpos.c — what a ticket and a receipt cost to encode, how many
 * bytes they are, how much paper they take and how long a 250 mm/s
 * printer needs for them.
 *
 * Encodes assets/layouts/ticket-80.layout and receipt-80.layout with
 * sample fields 1000 times each (the layout parsed once, as the kiosk
 * does) and prints the median and the 99th percentile. A second ticket
 * carries its note in Turkish, so one line goes out as a raster image
 * drawn with the default fonts; the 58 mm layouts are measured too.
 *
 * Paper length: the job drawn by the virtual printer's interpreter
 * (escpos_interp.h) at 203 dpi, its height in dots / 8 per mm. The feed
 * to the cutter before GS V 66 cuts (printer-specific, about 10-15 mm)
 * is not in it. It is NOT a pass/fail test.
 */
#include "drivers/printer/escpos_interp.h"
#include "drivers/printer/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 1000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct printer_layout *load(const char *name)
{
	struct printer_layout *l = NULL;
	char path[512], err[256];

	snprintf(path, sizeof path, "%s/assets/layouts/%s", BK_SOURCE_DIR,
		 name);
	if (printer_layout_load(&l, path, err, sizeof err) < 0)
		fprintf(stderr, "%s\n", err);
	return l;
}

static int bench(const char *what, const char *layout,
		 const struct escpos_options *o,
		 const struct printer_field *f, int n)
{
	static double t[RUNS];
	struct printer_layout *l = load(layout);
	unsigned char *job = NULL;
	size_t len = 0;
	struct escpos_interp_options io = { o->paper_width_mm, o->rt };
	struct raster_bitmap paper = { 0 };
	char err[256];
	double mm;

	if (!l)
		return -1;
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_us();

		if (printer_layout_render(l, o, f, n, &job, &len, err,
					  sizeof err) < 0) {
			fprintf(stderr, "%s: %s\n", what, err);
			printer_layout_free(l);
			return -1;
		}
		t[i] = now_us() - t0;
		if (i < RUNS - 1)
			free(job);
	}
	qsort(t, RUNS, sizeof t[0], cmp_double);
	if (escpos_interp_render(job, len, &io, &paper, err, sizeof err) < 0) {
		fprintf(stderr, "%s: interpreter: %s\n", what, err);
		free(job);
		printer_layout_free(l);
		return -1;
	}
	mm = paper.height / 8.0;
	printf("%-32s encode median %6.1f us  p99 %6.1f us  %5zu bytes  "
	       "paper %5.1f mm  at 250 mm/s %4.2f s\n", what, t[RUNS / 2],
	       t[RUNS * 99 / 100], len, mm, mm / 250.0);
	raster_bitmap_free(&paper);
	free(job);
	printer_layout_free(l);
	return 0;
}

int main(void)
{
	struct printer_field ticket[] = {
		{ "office", "Bürgerbüro Musterstadt" },
		{ "number", "A017" },
		{ "service", "Personalausweis beantragen" },
		{ "ahead_line", "Vor Ihnen: 3" },
		{ "wait_line", "Wartezeit etwa 12 Minuten" },
		{ "date", "25.11.2026" },
		{ "time", "18:40" },
		{ "note", "Bitte warten Sie, bis Ihre Nummer aufgerufen wird." },
		{ "qr", "BK1.A017.20261125.1764092400.kq3ZbW4c9Yd1Lr8TxH0a2w" },
	};
	const struct printer_field receipt[] = {
		{ "office", "Bürgerbüro Musterstadt" },
		{ "title", "Eingangsbestätigung" },
		{ "reference", "BK-2026-004711" },
		{ "form", "Anmeldung einer Wohnung" },
		{ "date", "25.11.2026" },
		{ "time", "18:41" },
		{ "note", "Bewahren Sie diesen Beleg auf." },
		{ "qr", "BK-2026-004711" },
	};
	const char *const *fonts = rastertext_default_fonts();
	struct escpos_options o = { .paper_width_mm = 80 };
	char err[256];
	int nf = 0, rc = 0;

	while (fonts && fonts[nf])
		nf++;
	o.rt = rastertext_create(fonts, nf, err, sizeof err);
	if (!o.rt) {
		fprintf(stderr, "rastertext: %s\n", err);
		return 1;
	}
	printf("ESC/POS encoding, %d runs each, layout parsed once\n",
	       RUNS);
	rc |= bench("ticket (German)", "ticket-80.layout", &o, ticket, 9);
	rc |= bench("receipt (German)", "receipt-80.layout", &o, receipt, 8);
	o.paper_width_mm = 58;
	rc |= bench("ticket 58 mm (German)", "ticket-58.layout", &o, ticket, 9);
	rc |= bench("receipt 58 mm (German)", "receipt-58.layout", &o, receipt,
		    8);
	o.paper_width_mm = 80;
	ticket[7].value = "Lütfen numaranızın çağrılmasını bekleyin.";
	rc |= bench("ticket (Turkish note as raster)", "ticket-80.layout", &o,
		    ticket, 9);
	rastertext_destroy(o.rt);
	return rc ? 1 : 0;
}
