/*
 * raster.h — 1-bit bitmaps and the text rasteriser for receipts.
 *
 * A struct raster_bitmap is what a thermal printer prints: one bit per
 * dot, 1 = black, rows of `stride` bytes, most significant bit first (the
 * bit order of ESC/POS GS v 0). At 203 dpi a 80 mm roll has 576 printable
 * dots per line, a 58 mm roll 384.
 *
 * struct rastertext renders one line of UTF-8 text the way a person reads
 * it: split into directional runs (FriBidi), each run shaped (HarfBuzz) with
 * the first font of the fallback chain that has all its glyphs (Noto Sans,
 * Noto Sans Arabic, DejaVu Sans …), the runs placed in visual order, and
 * drawn with FreeType. Arabic comes out right to left and joined, a number
 * inside it stays "17", and no glyph is drawn as a box while any font in
 * the chain has it.
 *
 * It is used by the encoder (escpos.c: lines the printer's code page cannot
 * hold are sent as raster images) and by the virtual printer's interpreter
 * (escpos_interp.c: it draws the printer's text). It knows nothing of
 * ESC/POS, the store or screens. One struct rastertext is used by one
 * thread at a time.
 */
#ifndef BK_RASTER_H
#define BK_RASTER_H

#include <stddef.h>

struct raster_bitmap {
	unsigned char *bits;       /* height * stride bytes, owned */
	int width, height, stride; /* stride = (width + 7) / 8 */
};

/* A white bitmap of width x height; 0, or -1 when out of memory or the size
 * is not in 1..4096 x 0..200000. */
int raster_bitmap_init(struct raster_bitmap *b, int width, int height);
void raster_bitmap_free(struct raster_bitmap *b);
/* Sets dot (x, y) black; ignores dots outside the bitmap. */
void raster_bitmap_set(struct raster_bitmap *b, int x, int y);
/* 1 if dot (x, y) is black; 0 outside the bitmap. */
int raster_bitmap_get(const struct raster_bitmap *b, int x, int y);
/* Writes the bitmap as a 1-bit grayscale PNG (white paper, black dots). */
int raster_bitmap_write_png(const struct raster_bitmap *b, const char *path,
			    char *err, size_t errlen);

#define RASTER_PNG_MAX 2048        /* hard cap of a PNG read, each side */

/* Reads a PNG (any colour type and depth libpng knows) into a new 1-bit
 * bitmap: luminance with alpha laid over white, black below 50 %. Images
 * wider than max_w or taller than max_h are refused (both capped at
 * RASTER_PNG_MAX; 0 means the cap). 0, or -1 with err (the path is not in
 * it: the caller names the file) and *out zeroed. */
int raster_bitmap_read_png(const char *path, int max_w, int max_h,
			   struct raster_bitmap *out, char *err,
			   size_t errlen);
/* A new bitmap of width x height showing src: each dot is black when at
 * least half of the source dots it covers are (a box average shrinking,
 * the nearest dot growing). 0, or -1 with *out zeroed. */
int raster_bitmap_scale(const struct raster_bitmap *src, int width,
			int height, struct raster_bitmap *out);

#define RASTERTEXT_MAX_FONTS 8

struct rastertext;

/* Loads the fonts of the fallback chain, in order of preference. Paths that
 * do not exist are skipped; at least one must load. NULL with err. */
struct rastertext *rastertext_create(const char *const *font_paths, int n,
				     char *err, size_t errlen);
void rastertext_destroy(struct rastertext *rt);

/* The default chain from Debian's font packages (fonts-noto-core,
 * fonts-dejavu-core), NULL-terminated. */
const char *const *rastertext_default_fonts(void);

enum raster_align { RASTER_LEFT = 0, RASTER_CENTER = 1, RASTER_RIGHT = 2 };

/* Renders one line of UTF-8 at pixel_height (the font's em height in
 * dots) into a new bitmap exactly max_width wide and as tall as the line
 * (ascent + descent). Text wider than max_width is scaled down until it
 * fits. bold thickens the strokes. Invalid UTF-8 becomes U+FFFD. Returns
 * 0, or -1 with *out zeroed. */
int rastertext_render_line(struct rastertext *rt, const char *utf8,
			   int pixel_height, int bold, int max_width,
			   enum raster_align align, struct raster_bitmap *out);

/* 1 when every character of utf8 has a glyph in some font of the chain. */
int rastertext_covers(struct rastertext *rt, const char *utf8);

#endif
