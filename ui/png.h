/*
 * png.h — writes screenshots as PNG files (libpng).
 *
 * Just enough for the scripted runs: 8-bit RGB, no interlace, written to
 * NAME.tmp and renamed, so a reader never sees half a file. It does NOT
 * read PNGs or handle other pixel formats.
 */
#ifndef BK_UI_PNG_H
#define BK_UI_PNG_H

#include <stddef.h>

/* Writes w×h pixels of packed RGB24 (3 bytes a pixel, rows pitch bytes
 * apart) to path. Returns 0, or -1 with a message in err. */
int uipng_write_rgb(const char *path, const unsigned char *pixels, int w,
		    int h, int pitch, char *err, size_t errlen);

/* Writes what r has drawn (its whole output, as SDL_RenderReadPixels
 * gives it) to path: the screenshots of the kiosk and of the display.
 * The caller draws first. Returns 0, or -1 with a message in err. */
struct SDL_Renderer;
int uipng_write_renderer(struct SDL_Renderer *r, const char *path, char *err,
			 size_t errlen);

#endif
