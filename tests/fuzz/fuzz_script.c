/* Fuzz target: the UI script parser (script_parse). An accepted script
 * has at most SCRIPT_CMDS_MAX commands, each on a line of the input. */
#include <stdint.h>
#include <stdlib.h>

#include "ui/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s;
	char err[512];

	if (script_parse(&s, "fuzz.script", (const char *)data, size, err,
			 sizeof err) < 0)
		return 0;
	if (s.n > SCRIPT_CMDS_MAX)
		abort();
	for (size_t i = 0; i < s.n; i++)
		if (s.cmds[i].line < 1 || (size_t)s.cmds[i].line > size)
			abort();
	script_free(&s);
	return 0;
}
