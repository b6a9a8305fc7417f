/*
 * cli.h — the options every executable shares.
 *
 *   --config FILE      site configuration (default: config_default_path())
 *   --data-dir DIR     where SQLite files live
 *                      (default: $XDG_STATE_HOME/buergerkiosk or
 *                       ~/.local/state/buergerkiosk)
 *   --set KEY=VALUE    override one configuration key (repeatable)
 *
 * They come before any subcommand. cli_parse_common() consumes them and
 * leaves the rest of argv (program name first) for the executable's own
 * options; overrides are applied after the file is read, so the command
 * line wins.
 */
#ifndef BK_CLI_H
#define BK_CLI_H

#include "firmware/config.h"

#define CLI_MAX_SETS 32

struct cli_common {
	const char *config_path;
	char data_dir[CONFIG_PATH_MAX];
	const char *sets[CLI_MAX_SETS];   /* "key=value" */
	int n_sets;
};

/* Parses leading common options from argv[1..]. Stops at the first
 * argument that is not one of them. On return argc and argv hold the
 * remaining arguments with argv[0] kept. Returns 0, or -1 after printing a
 * message to stderr. */
int cli_parse_common(struct cli_common *c, int *argc, char ***argv);

/* Adds "key=value" as an override (for an executable's own flags such as
 * --backoffice URL → "backoffice.url=URL"). The string must outlive c. */
int cli_add_set(struct cli_common *c, const char *kv);

/* Loads the configuration and applies the overrides. On error returns -1
 * with "FILE:LINE: what" (or "--set KEY: what") in err. */
int cli_load_config(const struct cli_common *c, struct config *cfg, char *err,
		    size_t errlen);

/* The default data directory (without creating it). */
void cli_default_data_dir(char *out, size_t len);

#endif
