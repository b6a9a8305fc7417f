/* Fuzz target: the site configuration parser (config_parse). */
#include <stddef.h>
#include <stdint.h>

#include "firmware/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char err[CONFIG_ERR_MAX];

	if (config_parse(&cfg, "fuzz.conf", (const char *)data, size, err,
			 sizeof err) == 0)
		config_validate(&cfg, err, sizeof err);
	return 0;
}
