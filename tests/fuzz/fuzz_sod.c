/* Fuzz target: EF.SOD — the CMS SignedData (OpenSSL) and our parser of
 * the LDSSecurityObject — through passive authentication without a CSCA,
 * and the LDSSecurityObject parser on its own. */
#include <stddef.h>
#include <stdint.h>

#include "firmware/icao_pa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t dg1[] = { 0x61, 0x03, 0x5F, 0x1F, 0x00 };
	struct icao_pa_dg dg = { 1, dg1, sizeof dg1 };
	struct icao_ldsso so;
	enum icao_pa r;
	char err[160];

	icao_pa_check(data, size, NULL, &dg, 1, &r, err, sizeof err);
	icao_pa_parse_ldsso(data, size, &so);
	return 0;
}
