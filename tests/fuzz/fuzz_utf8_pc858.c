/*
 * fuzz_utf8_pc858.c — UTF-8 → PC858 and text lines of a job on any bytes.
 *
 * Checks, besides memory safety: the converter stays within outlen and
 * never emits a control byte; a job whose text is the input has the same
 * command bytes (ESC FS GS DLE) as one with plain text.
 */
#include "drivers/printer/escpos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t count(const unsigned char *p, size_t n, unsigned char b)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += p[i] == b;
	return c;
}

static void render(const char *s, unsigned char **job, size_t *len)
{
	struct escpos_options o = { .paper_width_mm = 58 };
	struct escpos *e = escpos_create(&o);

	if (!e)
		abort();
	escpos_align(e, ESCPOS_CENTER);
	escpos_line(e, s);
	escpos_size(e, 2, 2);
	escpos_line(e, s);
	if (escpos_finish(e, job, len) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char cmd[] = { 0x1B, 0x1C, 0x1D, 0x10 };
	unsigned char out[64], *job, *ref;
	size_t n, len, ref_len;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(out, 0, sizeof out);
	n = escpos_utf8_to_pc858(s, out, 48);
	for (size_t i = 0; i < sizeof out; i++)
		if ((i < n && (out[i] < 0x20 || out[i] == 0x7F)) ||
		    (i >= n && out[i]) || n > 48)
			abort();
	render(s, &job, &len);
	render(*s ? "x" : "", &ref, &ref_len);
	for (size_t i = 0; i < sizeof cmd; i++)
		if (count(job, len, cmd[i]) != count(ref, ref_len, cmd[i]))
			abort();
	free(job);
	free(ref);
	free(s);
	return 0;
}
