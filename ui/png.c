/*
 * png.c — the screenshot writer: RGB24 pixels to a PNG file via libpng.
 *
 * Not a general image library (see png.h). libpng reports errors by
 * longjmp, so everything the error path touches is volatile or set before
 * setjmp.
 */
#include "ui/png.h"

#include <SDL.h>
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct png_ctx {
	char *err;
	size_t errlen;
};

static void png_on_error(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	snprintf(c->err, c->errlen, "libpng: %s", msg);
	png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Everything between create and destroy of the libpng structs. */
static int png_encode(FILE *f, const unsigned char *pixels, int w, int h,
		      int pitch, struct png_ctx *c)
{
	png_structp png;
	png_infop info = NULL;
	volatile int rc = -1; /* set after setjmp() */

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, c, png_on_error,
				      png_on_warning);
	if (!png) {
		snprintf(c->err, c->errlen, "libpng: out of memory");
		return -1;
	}
	info = png_create_info_struct(png);
	if (!info) {
		snprintf(c->err, c->errlen, "libpng: out of memory");
		goto out;
	}
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 6);
	png_write_info(png, info);
	for (int y = 0; y < h; y++)
		png_write_row(png, pixels + (size_t)y * (size_t)pitch);
	png_write_end(png, info);
	rc = 0;
out:
	png_destroy_write_struct(&png, &info);
	return rc;
}

int uipng_write_rgb(const char *path, const unsigned char *pixels, int w,
		    int h, int pitch, char *err, size_t errlen)
{
	struct png_ctx c = { .err = err, .errlen = errlen };
	char tmp[4096];
	FILE *f;
	int rc;

	if (w <= 0 || h <= 0 || pitch < w * 3) {
		snprintf(err, errlen, "%s: bad image size", path);
		return -1;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	rc = png_encode(f, pixels, w, h, pitch, &c);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		remove(tmp);
	return rc;
}

int uipng_write_renderer(SDL_Renderer *r, const char *path, char *err,
			 size_t errlen)
{
	int w, h, rc = -1;
	unsigned char *px;

	if (SDL_GetRendererOutputSize(r, &w, &h) < 0) {
		snprintf(err, errlen, "renderer: %s", SDL_GetError());
		return -1;
	}
	px = malloc((size_t)w * (size_t)h * 3);
	if (!px) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_RGB24, px,
				 w * 3) < 0)
		snprintf(err, errlen, "reading pixels: %s", SDL_GetError());
	else
		rc = uipng_write_rgb(path, px, w, h, w * 3, err, errlen);
	free(px);
	return rc;
}
