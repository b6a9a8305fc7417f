/* Fuzz target: a scanned ticket QR payload (ticketcode_verify). */
#include <stddef.h>
#include <stdint.h>

#include "firmware/ticketcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[32] = { 7 };
	struct ticketcode tc;

	ticketcode_verify(key, (const char *)data, size, &tc);
	return 0;
}
