/* Fuzz target: text layout (ui/text.c) of any bytes: what a citizen types
 * or a barcode scanner sends reaches the screen. The first byte picks the
 * wrap width and the weight; the layout must cover the string's bytes with
 * runs that stay inside the measured texture, wrapped lines must fit, and
 * rendering must not touch memory outside its surface. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/text.h"

#define RUNS_MAX 512

static struct text *setup(void)
{
	static struct text *t;
	static SDL_Renderer *r;
	SDL_Surface *s;
	char err[256];

	if (t || r)
		return t;
	SDL_setenv("SDL_VIDEODRIVER", "dummy", 1);
	if (SDL_Init(SDL_INIT_VIDEO) < 0)
		abort();
	s = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32,
					   SDL_PIXELFORMAT_ARGB8888);
	r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
	t = r ? text_create(r, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
			    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
			    err, sizeof err) : NULL;
	if (!t)
		abort();
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct text_run runs[RUNS_MAX];
	struct text *t = setup();
	struct text_style st = { .size = 20, .color = { 0, 0, 0, 255 } };
	char *s;
	int n, w = 0, h = 0;
	size_t len;

	if (size < 1 || size > TEXT_LEN_MAX + 1)
		return 0;
	st.wrap = data[0] & 0x80 ? 200 + (data[0] & 0x3f) * 8 : 0;
	st.bold = data[0] & 1;
	st.align = (enum text_align)((data[0] >> 1) % 3);
	len = size - 1;
	s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data + 1, len);
	s[len] = '\0';
	len = strlen(s);
	n = text_layout_runs(t, s, &st, runs, RUNS_MAX);
	if (n < 0 || text_measure(t, s, &st, &w, &h) < 0)
		abort();
	if (st.wrap && w > st.wrap)
		abort();
	for (int i = 0; i < n && i < RUNS_MAX; i++) {
		const struct text_run *r = &runs[i];
		if (r->len <= 0 || r->byte_start < 0 || r->byte_len <= 0 ||
		    (size_t)(r->byte_start + r->byte_len) > len ||
		    r->x < 0 || r->x + r->w > w || r->line < 0)
			abort();
	}
	if (len)
		text_get(t, s, &st, &w, &h);
	text_missing_glyphs(t, s, st.bold, NULL);
	text_is_rtl(s);
	free(s);
	return 0;
}
