/*
 * escpos_interp.h — an ESC/POS interpreter: what the paper would look like.
 *
 * Reads a job as a printer would and draws the roll at 203 dpi: text in
 * font A (12 x 24 dots per character, scaled by GS !, bold, alignment) in
 * the selected code page, line feeds and ESC d feeds, raster images
 * (GS v 0), QR codes (GS ( k: stored data drawn as a real QR symbol with
 * the chosen module size and error correction), CODE128 barcodes (GS k 73)
 * with their text, and the cut (GS V) as the end of the paper. Commands it
 * does not draw are skipped by their documented lengths; a malformed or
 * truncated stream never crashes it and never reads past the input.
 *
 * The virtual printer (printer_virtual.c) writes every job's PNG with it,
 * and the tests decode the QR codes of those PNGs with zbarimg.
 */
#ifndef BK_ESCPOS_INTERP_H
#define BK_ESCPOS_INTERP_H

#include <stddef.h>

#include "drivers/printer/raster.h"

#define ESCPOS_INTERP_MAX_HEIGHT 40000  /* dots: about 5 m of paper */

struct escpos_interp_options {
	int paper_width_mm;        /* 80 → 576 dots, 58 → 384 dots */
	struct rastertext *rt;     /* draws the text; required */
};

/* Renders the job into *out (white paper, black dots, as long as the job
 * needs, at least one line). 0, or -1 with err (out of memory, no font).
 * Garbage in the stream is not an error: it is drawn or skipped. */
int escpos_interp_render(const unsigned char *job, size_t len,
			 const struct escpos_interp_options *o,
			 struct raster_bitmap *out, char *err, size_t errlen);

#endif
