/*
 * raster.c — 1-bit bitmaps and their PNG writer (see raster.h).
 *
 * Bits are stored as the printer takes them (GS v 0): 1 = black, most
 * significant bit first. The PNG is 1-bit grayscale, where 0 is black, so
 * rows are inverted on the way out (png_set_invert_mono). It is NOT an
 * image library: no reading, no scaling, no colour.
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
