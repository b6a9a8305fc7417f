/* Fuzz target: the MRZ parser, as a bare MRZ and as DG1, and composing
 * what it accepted. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "firmware/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mrz_fields f, g;
	char err[128], out[100], iso[11];

	if (mrz_parse((const char *)data, size, &f, err, sizeof err) == BK_OK) {
		/* a parsed MRZ composes into one that parses to the same fields */
		if (f.format != MRZ_TD2 &&
		    mrz_compose(&f, out, sizeof out, err, sizeof err) == BK_OK &&
		    mrz_parse(out, strlen(out), &g, err, sizeof err) == BK_OK &&
		    (strcmp(f.document_number, g.document_number) != 0 ||
		     strcmp(f.date_of_birth, g.date_of_birth) != 0))
			__builtin_trap();
		mrz_date_iso(f.date_of_birth, 1, 1764000000, iso);
		mrz_date_iso(f.date_of_expiry, 0, 1764000000, iso);
	}
	mrz_parse_dg1(data, size, &f, err, sizeof err);
	return 0;
}
