/*
 * fuzz_layout.c — the layout parser and renderer on any bytes.
 *
 * Besides memory safety: a failed parse leaves no layout and says where;
 * a parsed layout renders (or fails cleanly) on 80 and 58 mm paper with
 * fields that hold control characters, and the job starts with ESC @.
 */
#include "drivers/printer/layout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct printer_field f[] = {
		{ "office", "Amt\x1b@" }, { "number", "A1" }, { "qr", "q" },
		{ "code", "C-1" }, { "note", "ğ\x1dV" }, { "empty", "" },
	};
	struct printer_layout *l = NULL;
	char err[256];

	if (printer_layout_parse(&l, "fuzz", (const char *)data, size, err,
				 sizeof err) < 0) {
		if (l || strncmp(err, "fuzz:", 5))
			abort();
		return 0;
	}
	for (int w = 58; w <= 80; w += 22) {
		struct escpos_options o = { .paper_width_mm = w };
		unsigned char *job = NULL;
		size_t len = 0;

		if (printer_layout_render(l, &o, f, 6, &job, &len, err,
					  sizeof err) == 0 &&
		    (len < 2 || memcmp(job, "\x1b@", 2)))
			abort();
		free(job);
	}
	printer_layout_free(l);
	return 0;
}
