/* Fuzz target: the kiosk's parser of GET /v1/catalogue replies
 * (downsync_proto_parse_catalogue). An accepted catalogue must respect
 * the caps, have unique ids and letters, and survive a round trip through
 * the back office's builder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/downsync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct downsync_catalogue c, again = { 0 };
	struct buf out = { 0 };
	char why[200];

	if (downsync_proto_parse_catalogue((const char *)data, size, &c, why,
					   sizeof why) == BK_OK) {
		if (c.n < 1 || c.n > DOWNSYNC_PROTO_MAX_SERVICES)
			abort();
		for (int i = 0; i < c.n; i++) {
			if (!downsync_proto_service_valid(&c.svc[i]))
				abort();
			for (int j = 0; j < i; j++)
				if (c.svc[i].letter == c.svc[j].letter)
					abort();
		}
		if (downsync_proto_build_catalogue(&c, &out) != BK_OK ||
		    downsync_proto_parse_catalogue((const char *)out.data,
						   out.len, &again, why,
						   sizeof why) != BK_OK ||
		    again.n != c.n || strcmp(again.version, c.version))
			abort();
	}
	downsync_catalogue_free(&again);
	downsync_catalogue_free(&c);
	buf_free(&out);
	return 0;
}
