/*
 * fuzz_escpos_interp.c — the virtual printer's interpreter on any bytes.
 *
 * Checks, besides memory safety (no read past the input, whatever lengths
 * the stream claims): every input renders, as a bitmap of the paper's
 * width and at most ESCPOS_INTERP_MAX_HEIGHT dots long.
 */
#include "drivers/printer/escpos_interp.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fonts[] = {
		"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	};
	static struct rastertext *rt;
	struct escpos_interp_options o = { .paper_width_mm = 80 };
	struct raster_bitmap b;
	char err[128];

	if (!rt && !(rt = rastertext_create(fonts, 1, err, sizeof err)))
		abort();
	o.rt = rt;
	o.paper_width_mm = size && (data[0] & 1) ? 58 : 80;
	if (escpos_interp_render(data, size, &o, &b, err, sizeof err) < 0)
		abort();
	if (b.width != (o.paper_width_mm == 58 ? 384 : 576) || b.height < 1 ||
	    b.height > ESCPOS_INTERP_MAX_HEIGHT)
		abort();
	raster_bitmap_free(&b);
	return 0;
}
