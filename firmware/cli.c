/*
 * cli.c — options shared by every executable (see cli.h).
 */
#include "firmware/cli.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_default_data_dir(char *out, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (state && state[0] == '/') {
		snprintf(out, len, "%s/buergerkiosk", state);
		return;
	}
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/tmp";
	}
	snprintf(out, len, "%s/.local/state/buergerkiosk", home);
}

int cli_add_set(struct cli_common *c, const char *kv)
{
	if (!strchr(kv, '=')) {
		fprintf(stderr, "--set %s: expected KEY=VALUE\n", kv);
		return -1;
	}
	if (c->n_sets == CLI_MAX_SETS) {
		fprintf(stderr, "too many --set options (at most %d)\n",
			CLI_MAX_SETS);
		return -1;
	}
	c->sets[c->n_sets++] = kv;
	return 0;
}

/* Takes "--opt VALUE" or "--opt=VALUE" at argv[*i]; NULL if not opt. */
static const char *take(const char *opt, int argc, char **argv, int *i,
			int *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

int cli_parse_common(struct cli_common *c, int *argc, char ***argv)
{
	int i, missing = 0;
	char **av = *argv;

	memset(c, 0, sizeof *c);
	for (i = 1; i < *argc; i++) {
		const char *v;

		if ((v = take("--config", *argc, av, &i, &missing))) {
			c->config_path = v;
		} else if ((v = take("--data-dir", *argc, av, &i, &missing))) {
			snprintf(c->data_dir, sizeof c->data_dir, "%s", v);
		} else if ((v = take("--set", *argc, av, &i, &missing))) {
			if (cli_add_set(c, v) < 0)
				return -1;
		} else if (missing) {
			fprintf(stderr, "%s needs a value\n", av[i]);
			return -1;
		} else {
			break;
		}
	}
	if (!c->data_dir[0])
		cli_default_data_dir(c->data_dir, sizeof c->data_dir);
	/* keep argv[0], drop what was consumed */
	av[i - 1] = av[0];
	*argv = av + i - 1;
	*argc -= i - 1;
	return 0;
}

int cli_load_config(const struct cli_common *c, struct config *cfg, char *err,
		    size_t errlen)
{
	const char *path = c->config_path ? c->config_path
					  : config_default_path();

	if (config_load(cfg, path, err, errlen) < 0)
		return -1;
	for (int i = 0; i < c->n_sets; i++) {
		char key[128], msg[CONFIG_ERR_MAX];
		const char *eq = strchr(c->sets[i], '=');
		size_t n = (size_t)(eq - c->sets[i]);

		if (n >= sizeof key) {
			snprintf(err, errlen, "--set: key too long");
			return -1;
		}
		memcpy(key, c->sets[i], n);
		key[n] = '\0';
		if (config_set(cfg, key, eq + 1, msg, sizeof msg) < 0) {
			snprintf(err, errlen, "--set %s: %s", key, msg);
			return -1;
		}
	}
	return config_validate(cfg, err, errlen);
}
