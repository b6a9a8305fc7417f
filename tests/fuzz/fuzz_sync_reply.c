/* Fuzz target: the kiosk's parser of back-office replies
 * (syncproto_parse_reply). An accepted reply must respect the caps and
 * survive a round trip through the back office's reply builder. */
#include <stdint.h>
#include <stdlib.h>

#include "firmware/syncproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syncproto_reply r, again;
	struct buf out = { 0 };
	char why[200];

	if (syncproto_parse_reply((const char *)data, size, &r, why,
				  sizeof why) == BK_OK) {
		if (r.n_held > SYNCPROTO_MAX_EVENTS ||
		    r.n_rejected > SYNCPROTO_MAX_EVENTS)
			abort();
		if (syncproto_build_reply(&r, &out) == BK_OK &&
		    syncproto_parse_reply((const char *)out.data, out.len,
					  &again, why, sizeof why) != BK_OK)
			abort();
		syncproto_reply_free(&again);
	}
	syncproto_reply_free(&r);
	buf_free(&out);
	return 0;
}
