/* Fuzz target: the .po reader (i18n_catalog_parse). Whatever it accepts
 * must be sorted and findable, with every string NUL-free. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct i18n_catalog cat;
	char err[512];

	if (i18n_catalog_parse(&cat, "fuzz.po", (const char *)data, size, err,
			       sizeof err) < 0)
		return 0;
	for (size_t i = 0; i < cat.n; i++)
		if (i18n_catalog_lookup(&cat, cat.entries[i].msgid) !=
		    cat.entries[i].msgstr)
			abort();
	i18n_catalog_free(&cat);
	return 0;
}
