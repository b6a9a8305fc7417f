/* Fuzz target: the back office's parser of kiosk batches
 * (syncproto_parse_request). Every accepted event's bytes must lie inside
 * the input and start and end like a JSON object. */
#include <stdint.h>
#include <stdlib.h>

#include "firmware/syncproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syncproto_request rq;
	char why[200];
	const char *in = (const char *)data;

	if (syncproto_parse_request(in, size, &rq, why, sizeof why) == BK_OK) {
		for (int i = 0; i < rq.n; i++) {
			const struct syncproto_event *e = &rq.ev[i];
			if (e->raw < in || e->raw_len < 2 ||
			    e->raw + e->raw_len > in + size ||
			    e->raw[0] != '{' || e->raw[e->raw_len - 1] != '}' ||
			    !syncproto_is_uuid(e->id))
				abort();
		}
	}
	syncproto_request_free(&rq);
	return 0;
}
