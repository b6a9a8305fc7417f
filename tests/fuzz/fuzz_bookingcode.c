/* Fuzz target: a scanned booking-code payload (bookingcode_parse_qr) and
 * the same bytes typed into both fields (bookingcode_normalise_*). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/bookingcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bookingcode bc;
	char p[BOOKINGCODE_PROCESS_LEN + 1], c[BOOKINGCODE_CODE_MAX + 1];
	char qr[BOOKINGCODE_QR_MAX];
	char *text = malloc(size + 1);

	if (bookingcode_parse_qr((const char *)data, size, &bc) == BK_OK &&
	    (bookingcode_make_qr(&bc, qr) != BK_OK ||
	     bookingcode_parse_qr(qr, strlen(qr), &bc) != BK_OK))
		abort(); /* what was read must round-trip */
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	bookingcode_normalise_process(text, p);
	bookingcode_normalise_code(text, c);
	free(text);
	return 0;
}
