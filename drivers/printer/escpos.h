/*
 * escpos.h — the ESC/POS encoder: builds one print job as bytes.
 *
 * A job is built step by step (escpos_create, then align/bold/size/line/
 * qr/code128/raster/feed/cut, then escpos_finish). Text is UTF-8: it is
 * mapped to the printer's code page (PC858 by default: ä ö ü Ä Ö Ü ß €);
 * a line with a character the code page lacks (Turkish ğ ş ı, Ukrainian,
 * Arabic) is rendered with struct rastertext and sent as a raster image
 * (GS v 0), never as '?' — unless no rasteriser was given. Control
 * characters in text never reach the printer.
 *
 * Every step records a failure (out of memory, the job's hard size cap)
 * and escpos_finish() reports it; callers need not check each step.
 *
 * Byte tables of every command emitted are at the top of escpos.c.
 * It does NOT talk to a printer (printer.h) or read files (layout.h).
 */
#ifndef BK_ESCPOS_H
#define BK_ESCPOS_H

#include <stddef.h>

#include "drivers/printer/raster.h"

#define ESCPOS_JOB_MAX (4u << 20)  /* hard cap of one job's bytes */

struct escpos_options {
	int paper_width_mm;        /* 80 (576 dots, 48 columns) or 58 (384, 32) */
	int codepage;              /* n of ESC t n selecting PC858; 19 on Epson,
				      53 on some clones; 0 means 19 */
	int qr_module_size;        /* GS ( k 167: 1..16 dots; 0 means 6 */
	struct rastertext *rt;     /* NULL: unmappable characters become '?' */
};

enum escpos_align { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 };

struct escpos;

/* Starts a job: ESC @, FS . (leave Chinese mode on clones), ESC t n,
 * ESC R 0. NULL when out of memory. */
struct escpos *escpos_create(const struct escpos_options *o);
void escpos_destroy(struct escpos *e);

void escpos_align(struct escpos *e, enum escpos_align a);
void escpos_bold(struct escpos *e, int on);
/* Character size multipliers, 1..8 each (GS !). */
void escpos_size(struct escpos *e, int width, int height);
/* One or more lines of text, wrapped at word boundaries to the columns the
 * paper and the current size allow; ends with a line feed. */
void escpos_line(struct escpos *e, const char *utf8);
void escpos_feed(struct escpos *e, int lines);
/* QR code, model 2, error correction M, the options' module size. */
void escpos_qr(struct escpos *e, const char *data, size_t len);
/* CODE128 (GS k 73, code set B) with the human-readable text below;
 * printable ASCII only, else the step fails. */
void escpos_code128(struct escpos *e, const char *ascii);
/* A raster image (GS v 0), split into bands of at most 255 rows. */
void escpos_raster(struct escpos *e, const struct raster_bitmap *b);
/* Feeds to the cutter and cuts partially (GS V 66 n). */
void escpos_cut(struct escpos *e);

/* Hands over the job (malloc'ed). 0, or -1 when a step failed; the builder
 * is destroyed either way. */
int escpos_finish(struct escpos *e, unsigned char **out, size_t *len);

/* Text columns of font A at size 1 on this paper (48 or 32). */
int escpos_columns(int paper_width_mm);

/* Maps UTF-8 to code page PC858 bytes; writes at most outlen bytes and
 * returns how many. Unmappable characters and invalid UTF-8 become '?',
 * control characters too. */
size_t escpos_utf8_to_pc858(const char *utf8, unsigned char *out,
			    size_t outlen);
/* 1 when every character of utf8 maps to PC858 (printable). */
int escpos_pc858_covers(const char *utf8);

#endif
