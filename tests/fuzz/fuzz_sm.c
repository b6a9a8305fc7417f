/* Fuzz target: secure messaging answers and commands from the other side
 * (icao_sm_unprotect_response, icao_sm_unprotect_command) for 3DES and
 * AES sessions: the data objects are parsed before the MAC is checked. */
#include <stddef.h>
#include <stdint.h>

#include "firmware/icao_sm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	static const uint8_t k[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct icao_sm sm;
	size_t n;

	icao_sm_init(&sm, ICAO_SM_3DES, k, k, 16);
	icao_sm_unprotect_response(&sm, data, size, out, sizeof out, &n);
	icao_sm_unprotect_command(&sm, data, size, out, sizeof out, &n);
	icao_sm_init(&sm, ICAO_SM_AES, k, k, 16);
	icao_sm_unprotect_response(&sm, data, size, out, sizeof out, &n);
	icao_sm_unprotect_command(&sm, data, size, out, sizeof out, &n);
	return 0;
}
