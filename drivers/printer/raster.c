/*
 * raster.c — 1-bit bitmaps and their PNG writer (see raster.h).
 *
 * Bits are stored as the printer takes them (GS v 0): 1 = black, most
 * significant bit first. The PNG is 1-bit grayscale, where 0 is black, so
 * rows are inverted on the way out (png_set_invert_mono).
 *
 * The reader (raster_bitmap_read_png) is for logos a layout names: any
 * PNG libpng knows (gray, gray+alpha, RGB, RGBA, palette, 1..16 bits,
 * interlaced) is expanded to 8-bit RGBA, its luminance (Rec. 601 weights,
 * alpha laid over white paper) thresholded at 50 %: a logo is drawn in
 * flat black and white, where dithering would only add noise. It is NOT
 * an image library: no colour out, no gamma, no filtering beyond the box
 * average of raster_bitmap_scale.
 *
 * libpng reports errors by longjmp, so everything the error path touches
 * is set before setjmp or is volatile. The file appears whole or not at
 * all: it is written to PATH.tmp and renamed.
 */
#include "drivers/printer/raster.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RASTER_MAX_WIDTH 4096
#define RASTER_MAX_HEIGHT 200000
#define PNG_SIG_BYTES 8

int raster_bitmap_init(struct raster_bitmap *b, int width, int height)
{
	size_t size;

	memset(b, 0, sizeof *b);
	if (width < 1 || width > RASTER_MAX_WIDTH || height < 0 ||
	    height > RASTER_MAX_HEIGHT)
		return -1;
	b->stride = (width + 7) / 8;
	size = (size_t)b->stride * (size_t)height;
	/* calloc(0) may return NULL: keep one byte so bits is never NULL. */
	b->bits = calloc(size ? size : 1, 1);
	if (!b->bits) {
		memset(b, 0, sizeof *b);
		return -1;
	}
	b->width = width;
	b->height = height;
	return 0;
}

void raster_bitmap_free(struct raster_bitmap *b)
{
	if (!b)
		return;
	free(b->bits);
	memset(b, 0, sizeof *b);
}

void raster_bitmap_set(struct raster_bitmap *b, int x, int y)
{
	if (x < 0 || y < 0 || x >= b->width || y >= b->height)
		return;
	b->bits[(size_t)y * (size_t)b->stride + (size_t)(x >> 3)] |=
		(unsigned char)(0x80u >> (x & 7));
}

int raster_bitmap_get(const struct raster_bitmap *b, int x, int y)
{
	if (x < 0 || y < 0 || x >= b->width || y >= b->height)
		return 0;
	return (b->bits[(size_t)y * (size_t)b->stride + (size_t)(x >> 3)] >>
		(7 - (x & 7))) & 1;
}

struct png_ctx {
	char *err;
	size_t errlen;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void png_on_error(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	seterr(c->err, c->errlen, "libpng: %s", msg);
	png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Everything between create and destroy of the libpng structs. */
static int png_encode(FILE *f, const struct raster_bitmap *b,
		      struct png_ctx *c)
{
	png_structp png;
	png_infop info = NULL;
	volatile int rc = -1; /* set after setjmp() */

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, c, png_on_error,
				      png_on_warning);
	if (!png) {
		seterr(c->err, c->errlen, "libpng: out of memory");
		return -1;
	}
	info = png_create_info_struct(png);
	if (!info) {
		seterr(c->err, c->errlen, "libpng: out of memory");
		goto out;
	}
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)b->width, (png_uint_32)b->height,
		     1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	/* 203 dpi = 7992 dots per metre: viewers show the paper's size. */
	png_set_pHYs(png, info, 7992, 7992, PNG_RESOLUTION_METER);
	png_set_compression_level(png, 6);
	png_write_info(png, info);
	png_set_invert_mono(png);
	for (int y = 0; y < b->height; y++)
		png_write_row(png, b->bits + (size_t)y * (size_t)b->stride);
	png_write_end(png, info);
	rc = 0;
out:
	png_destroy_write_struct(&png, &info);
	return rc;
}

int raster_bitmap_write_png(const struct raster_bitmap *b, const char *path,
			    char *err, size_t errlen)
{
	struct png_ctx c = { .err = err, .errlen = errlen };
	char tmp[4096];
	FILE *f;
	int rc;

	if (!b->bits || b->width < 1 || b->height < 1) {
		seterr(err, errlen, "%s: empty bitmap", path);
		return -1;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		seterr(err, errlen, "PNG path too long");
		return -1;
	}
	f = fopen(tmp, "wbe");
	if (!f) {
		seterr(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	rc = png_encode(f, b, &c);
	if (fclose(f) != 0 && rc == 0) {
		seterr(err, errlen, "%s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		remove(tmp);
	return rc;
}

int raster_bitmap_scale(const struct raster_bitmap *src, int width,
			int height, struct raster_bitmap *out)
{
	if (!out)
		return -1;
	memset(out, 0, sizeof *out);
	if (!src || !src->bits || src->width < 1 || src->height < 1 ||
	    height < 1 || raster_bitmap_init(out, width, height) < 0)
		return -1;
	/* Each target dot covers the source box [sx0, sx1) x [sy0, sy1),
	 * at least one dot wide: a box average when shrinking, the nearest
	 * dot when growing. Black when at least half the box is black. */
	for (int y = 0; y < height; y++) {
		long sy0 = (long)y * src->height / height;
		long sy1 = (long)(y + 1) * src->height / height;

		if (sy1 <= sy0)
			sy1 = sy0 + 1;
		for (int x = 0; x < width; x++) {
			long sx0 = (long)x * src->width / width;
			long sx1 = (long)(x + 1) * src->width / width;
			long black = 0;

			if (sx1 <= sx0)
				sx1 = sx0 + 1;
			for (long sy = sy0; sy < sy1; sy++)
				for (long sx = sx0; sx < sx1; sx++)
					black += raster_bitmap_get(src, (int)sx,
								   (int)sy);
			if (2 * black >= (sx1 - sx0) * (sy1 - sy0))
				raster_bitmap_set(out, x, y);
		}
	}
	return 0;
}

/* What the reader allocates after setjmp(), kept outside its frame so a
 * longjmp cannot leave a stale register copy behind. */
struct png_read {
	unsigned char *px;         /* height rows of width * 4 bytes, RGBA */
	png_bytep *rows;
};

/* One RGBA pixel to a dot: 1 when darker than half, alpha over white. */
static int dot_black(const unsigned char *p)
{
	unsigned y = (299u * p[0] + 587u * p[1] + 114u * p[2]) / 1000u;
	unsigned v = (y * p[3] + 255u * (255u - p[3])) / 255u;

	return v < 128u;
}

/* Everything between create and destroy of the libpng read structs. */
static int png_decode(FILE *f, int max_w, int max_h, struct png_read *r,
		      struct raster_bitmap *out, struct png_ctx *c)
{
	png_structp png;
	png_infop info = NULL;
	volatile int rc = -1; /* set after setjmp() */

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, png_on_error,
				     png_on_warning);
	if (!png) {
		seterr(c->err, c->errlen, "libpng: out of memory");
		return -1;
	}
	info = png_create_info_struct(png);
	if (!info) {
		seterr(c->err, c->errlen, "libpng: out of memory");
		goto out;
	}
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_sig_bytes(png, PNG_SIG_BYTES);
	png_read_info(png, info);
	{
		png_uint_32 w = png_get_image_width(png, info);
		png_uint_32 h = png_get_image_height(png, info);
		png_byte type = png_get_color_type(png, info);

		/* Checked before any row memory is taken. */
		if (w > (png_uint_32)max_w || h > (png_uint_32)max_h) {
			seterr(c->err, c->errlen, "%lu x %lu dots, larger than "
			       "%d x %d", (unsigned long)w, (unsigned long)h,
			       max_w, max_h);
			goto out;
		}

		png_set_expand(png);       /* palette, low bits, tRNS */
		png_set_strip_16(png);
		if (type == PNG_COLOR_TYPE_GRAY ||
		    type == PNG_COLOR_TYPE_GRAY_ALPHA)
			png_set_gray_to_rgb(png);
		if (!(type & PNG_COLOR_MASK_ALPHA) &&
		    !png_get_valid(png, info, PNG_INFO_tRNS))
			png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
		(void)png_set_interlace_handling(png);
		png_read_update_info(png, info);
		if (png_get_rowbytes(png, info) != (size_t)w * 4u) {
			seterr(c->err, c->errlen, "unexpected PNG format");
			goto out;
		}
		r->px = malloc((size_t)w * 4u * h);
		r->rows = malloc(h * sizeof *r->rows);
		if (!r->px || !r->rows ||
		    raster_bitmap_init(out, (int)w, (int)h) < 0) {
			seterr(c->err, c->errlen, "out of memory");
			goto out;
		}
		for (png_uint_32 y = 0; y < h; y++)
			r->rows[y] = r->px + (size_t)y * w * 4u;
		png_read_image(png, r->rows);
		png_read_end(png, NULL);
		for (png_uint_32 y = 0; y < h; y++)
			for (png_uint_32 x = 0; x < w; x++)
				if (dot_black(r->rows[y] + x * 4u))
					raster_bitmap_set(out, (int)x, (int)y);
	}
	rc = 0;
out:
	png_destroy_read_struct(&png, &info, NULL);
	return rc;
}

int raster_bitmap_read_png(const char *path, int max_w, int max_h,
			   struct raster_bitmap *out, char *err,
			   size_t errlen)
{
	struct png_ctx c = { .err = err, .errlen = errlen };
	struct png_read r = { NULL, NULL };
	unsigned char sig[PNG_SIG_BYTES];
	FILE *f = NULL;
	int rc = -1;

	if (out)
		memset(out, 0, sizeof *out);
	if (!path || !out) {
		seterr(err, errlen, "bad arguments");
		goto out;
	}
	if (max_w < 1 || max_w > RASTER_PNG_MAX)
		max_w = RASTER_PNG_MAX;
	if (max_h < 1 || max_h > RASTER_PNG_MAX)
		max_h = RASTER_PNG_MAX;
	f = fopen(path, "rbe");
	if (!f) {
		seterr(err, errlen, "%s", strerror(errno));
		goto out;
	}
	if (fread(sig, 1, sizeof sig, f) != sizeof sig ||
	    png_sig_cmp(sig, 0, sizeof sig)) {
		seterr(err, errlen, "not a PNG file");
		goto out;
	}
	rc = png_decode(f, max_w, max_h, &r, out, &c);
out:
	if (rc < 0 && out)
		raster_bitmap_free(out);
	free(r.rows);
	free(r.px);
	if (f)
		fclose(f);
	return rc;
}
