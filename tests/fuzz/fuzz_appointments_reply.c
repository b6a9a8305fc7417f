/* Fuzz target: the kiosk's parser of GET /v1/appointments replies
 * (downsync_proto_parse_page). An accepted page must respect the caps and
 * the field rules, and survive a round trip through the back office's
 * builder unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/downsync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct downsync_page p, again = { 0 };
	struct buf out = { 0 };
	char why[200];

	if (downsync_proto_parse_page((const char *)data, size, &p, why,
				      sizeof why) == BK_OK) {
		if (p.n > DOWNSYNC_PROTO_MAX_PAGE || (p.more && p.n == 0) ||
		    !downsync_proto_is_cursor(p.cursor))
			abort();
		for (int i = 0; i < p.n; i++)
			if (!downsync_proto_appt_valid(&p.appt[i]))
				abort();
		if (downsync_proto_build_page(&p, &out) != BK_OK ||
		    downsync_proto_parse_page((const char *)out.data, out.len,
					      &again, why, sizeof why) != BK_OK ||
		    again.n != p.n || again.more != p.more ||
		    strcmp(again.cursor, p.cursor) ||
		    (p.n && memcmp(again.appt, p.appt,
				   (size_t)p.n * sizeof *p.appt)))
			abort();
	}
	downsync_page_free(&again);
	downsync_page_free(&p);
	buf_free(&out);
	return 0;
}
