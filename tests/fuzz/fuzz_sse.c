/* Fuzz target: the display's event stream (display_sse_feed) fed whole
 * and split at a point chosen by the first byte, as TCP would deliver it;
 * every dispatched "call" goes through display_call_parse and, when
 * accepted, display_announcement. Both splits must dispatch the same
 * events; accepted calls stay within the caps. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/display.h"

struct seen {
	int n;
	size_t bytes;
};

static void on_event(void *ctx, const char *name, const char *data,
		     size_t len, const char *id)
{
	struct seen *s = ctx;
	struct display_call c;
	char say[256];

	s->n++;
	s->bytes += len;
	if (strlen(name) >= DISPLAY_SSE_EVENT_MAX ||
	    strlen(id) >= DISPLAY_SSE_ID_MAX || len > DISPLAY_SSE_DATA_MAX ||
	    data[len] != '\0')
		abort();
	if (display_call_parse(data, len, &c) == 0) {
		if (!c.number[0] || strlen(c.number) >= DISPLAY_NUMBER_MAX ||
		    !c.counter[0] || strlen(c.counter) >= DISPLAY_COUNTER_MAX)
			abort();
		if (display_announcement(&c, say, sizeof say) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct display_sse p; /* large: not on the stack */
	struct seen whole = { 0 }, split = { 0 };
	size_t cut = size ? data[0] % (size + 1) : 0;
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	display_sse_init(&p);
	display_sse_feed(&p, buf, size, on_event, &whole);
	display_sse_init(&p);
	display_sse_feed(&p, buf, cut, on_event, &split);
	display_sse_feed(&p, buf + cut, size - cut, on_event, &split);
	free(buf);
	if (whole.n != split.n || whole.bytes != split.bytes)
		abort();
	return 0;
}
