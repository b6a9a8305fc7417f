/* Fuzz target: the site API's request body parser (siteapi_parse_body).
 * The first byte picks the action, the rest is the body. An accepted body
 * must leave NUL-terminated fields of a length the buffers hold, and a
 * transfer exactly one target. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/siteapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sq_request rq;
	char why[200];
	enum sq_action a;

	if (size < 1)
		return 0;
	a = (enum sq_action)(data[0] % (SQ_RESUME + 1));
	if (siteapi_parse_body(a, (const char *)data + 1, size - 1, &rq, why,
			       sizeof why) == 0) {
		if (rq.action != a ||
		    strlen(rq.ticket_id) >= sizeof rq.ticket_id ||
		    strlen(rq.number) >= sizeof rq.number ||
		    strlen(rq.to_service) >= sizeof rq.to_service ||
		    strlen(rq.to_counter) >= sizeof rq.to_counter ||
		    (a == SQ_TRANSFER && !rq.to_service[0] == !rq.to_counter[0]) ||
		    (a != SQ_TRANSFER && (rq.to_service[0] || rq.to_counter[0])))
			abort();
	} else if (!why[0]) {
		abort(); /* a refusal always says why */
	}
	return 0;
}
