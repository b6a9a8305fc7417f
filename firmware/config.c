/*
 * config.c — reads the site configuration (format in config.h).
 *
 * The parser is line based and keeps no state but the current section,
 * so every error can name its line. Values are checked when they are set
 * (config_set), whole-file rules afterwards (config_validate).
 */
#include "firmware/config.h"
#include "firmware/util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_FILE_MAX (1 << 20)  /* a site file is a few KiB */
#define CONFIG_LINE_MAX 1024

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->site_id, sizeof cfg->site_id, "site");
	snprintf(cfg->site_name, sizeof cfg->site_name, "Bürgerbüro");
	snprintf(cfg->kiosk_id, sizeof cfg->kiosk_id, "kiosk-01");
	snprintf(cfg->languages[0], sizeof cfg->languages[0], "de");
	snprintf(cfg->languages[1], sizeof cfg->languages[1], "en");
	cfg->n_languages = 2;
	snprintf(cfg->default_language, sizeof cfg->default_language, "de");
	cfg->ticket_screen_seconds = 15;
	cfg->idle_seconds = 60;
	cfg->more_time_seconds = 30;
	cfg->display_width_mm = 268;   /* 21.5" portrait panel */
	cfg->display_height_mm = 476;
	cfg->paper_width_mm = 80;
	cfg->printer_codepage = 19;
	cfg->printer_qr_module = 6;
	cfg->queue_service_minutes = 8;
	cfg->checkin_before_min = 60;
	cfg->checkin_after_min = 15;
	cfg->queue_counters = 2;
	cfg->queue_due_before_min = 2;
	cfg->queue_noshow_after_calls = 2;
	cfg->queue_recall_cooldown_s = 60;
	snprintf(cfg->font, sizeof cfg->font, "%s",
		 "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
	snprintf(cfg->font_bold, sizeof cfg->font_bold, "%s",
		 "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
	cfg->sync_batch_size = 100;
	cfg->sync_poll_ms = 1000;
	cfg->sync_backoff_min_ms = 500;
	cfg->sync_backoff_max_ms = 60000;
	cfg->sync_timeout_s = 30;
	cfg->store_busy_timeout_ms = 5000;
	cfg->store_min_free_mb = 200;
	cfg->store_retention_hours = 0;
	cfg->sync_pull_interval_s = 300;
	snprintf(cfg->card_reader, sizeof cfg->card_reader, "pcsc:");
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* messages quote the file's bytes; they go to a terminal, a log and
	 * the out-of-service screen, so no control character survives */
	for (unsigned char *p = (unsigned char *)err; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?';
	}
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CONFIG_ID_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int valid_lang(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 3)
		return 0;
	for (; *s; s++)
		if (*s < 'a' || *s > 'z')
			return 0;
	return 1;
}

static int set_text(char *dst, size_t dstlen, const char *key,
		    const char *value, char *err, size_t errlen)
{
	if (!util_utf8_valid(value, strlen(value), 1)) {
		seterr(err, errlen, "'%s': not valid UTF-8 text", key);
		return -1;
	}
	if (strlen(value) >= dstlen) {
		seterr(err, errlen, "'%s': longer than %zu bytes", key,
		       dstlen - 1);
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static int set_id(char *dst, const char *key, const char *value, char *err,
		  size_t errlen)
{
	if (!valid_id(value)) {
		seterr(err, errlen,
		       "'%s': '%s' is not an id (a-z, 0-9, '-', '_', "
		       "at most %d characters)", key, value, CONFIG_ID_MAX - 1);
		return -1;
	}
	snprintf(dst, CONFIG_ID_MAX, "%s", value);
	return 0;
}

/* A PIN: empty, or 4..CONFIG_PIN_MAX-1 digits. The message never quotes
 * the value: a PIN must not reach a log or the out-of-service screen. */
static int set_pin(char *dst, const char *key, const char *value, char *err,
		   size_t errlen)
{
	size_t n = strlen(value);

	if (n && (n < 4 || n >= CONFIG_PIN_MAX ||
		  strspn(value, "0123456789") != n)) {
		seterr(err, errlen, "'%s': not a PIN of 4 to %d digits", key,
		       CONFIG_PIN_MAX - 1);
		return -1;
	}
	memcpy(dst, value, n + 1);
	return 0;
}

static int set_int(int *dst, const char *key, const char *value, long lo,
		   long hi, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < lo || v > hi) {
		seterr(err, errlen, "'%s': '%s' is not a whole number from %ld "
		       "to %ld", key, value, lo, hi);
		return -1;
	}
	*dst = (int)v;
	return 0;
}

static int set_languages(struct config *cfg, const char *value, char *err,
			 size_t errlen)
{
	char tmp[CONFIG_LINE_MAX];
	char *save = NULL;
	int n = 0;

	snprintf(tmp, sizeof tmp, "%s", value);
	for (char *tok = strtok_r(tmp, " ,", &save); tok;
	     tok = strtok_r(NULL, " ,", &save)) {
		if (!valid_lang(tok)) {
			seterr(err, errlen, "'kiosk.languages': '%s' is not a "
			       "language code such as de or en", tok);
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (!strcmp(cfg->languages[i], tok)) {
				seterr(err, errlen, "'kiosk.languages': '%s' "
				       "twice", tok);
				return -1;
			}
		if (n == CONFIG_MAX_LANGS) {
			seterr(err, errlen, "'kiosk.languages': more than %d",
			       CONFIG_MAX_LANGS);
			return -1;
		}
		snprintf(cfg->languages[n++], sizeof cfg->languages[0], "%s",
			 tok);
	}
	if (n == 0) {
		seterr(err, errlen, "'kiosk.languages': empty");
		return -1;
	}
	cfg->n_languages = n;
	return 0;
}

static struct config_service *service_get(struct config *cfg, const char *id,
					  char *err, size_t errlen)
{
	struct config_service *s;

	for (int i = 0; i < cfg->n_services; i++)
		if (!strcmp(cfg->services[i].id, id))
			return &cfg->services[i];
	if (!valid_id(id)) {
		seterr(err, errlen, "'%s' is not a service id (a-z, 0-9, '-', "
		       "'_')", id);
		return NULL;
	}
	if (cfg->n_services == CONFIG_MAX_SERVICES) {
		seterr(err, errlen, "more than %d services",
		       CONFIG_MAX_SERVICES);
		return NULL;
	}
	s = &cfg->services[cfg->n_services++];
	memset(s, 0, sizeof *s);
	memcpy(s->id, id, strlen(id) + 1); /* valid_id() bounds the length */
	return s;
}

static int service_set(struct config *cfg, const char *id, const char *key,
		       const char *value, char *err, size_t errlen)
{
	struct config_service *s = service_get(cfg, id, err, errlen);

	if (!s)
		return -1;
	if (!strcmp(key, "letter")) {
		if (strlen(value) != 1 || value[0] < 'A' || value[0] > 'Z') {
			seterr(err, errlen, "'letter': '%s' is not one capital "
			       "letter A-Z", value);
			return -1;
		}
		s->letter = value[0];
		return 0;
	}
	if (!strcmp(key, "name"))
		return set_text(s->name, sizeof s->name, key, value, err,
				errlen);
	if (!strcmp(key, "group"))
		return set_text(s->group, sizeof s->group, key, value, err,
				errlen);
	if (!strncmp(key, "name.", 5) && valid_lang(key + 5)) {
		struct config_text *t = NULL;

		for (int i = 0; i < s->n_names; i++)
			if (!strcmp(s->names[i].lang, key + 5))
				t = &s->names[i];
		if (!t) {
			if (s->n_names == CONFIG_MAX_LANGS) {
				seterr(err, errlen, "too many names");
				return -1;
			}
			t = &s->names[s->n_names++];
			snprintf(t->lang, sizeof t->lang, "%s", key + 5);
		}
		return set_text(t->text, sizeof t->text, key, value, err,
				errlen);
	}
	seterr(err, errlen, "unknown key '%s' in [service %s]", key, id);
	return -1;
}

/* One row per plain key: where it lives and how it is checked. */
enum kind { K_ID, K_TEXT, K_PATH, K_INT, K_LANG, K_LANGS, K_PIN };
struct keydef {
	const char *key;
	enum kind kind;
	size_t off, size;
	long lo, hi;
};
#define TXT(k, f, kind) { k, kind, offsetof(struct config, f), \
			  sizeof(((struct config *)0)->f), 0, 0 }
#define NUM(k, f, lo, hi) { k, K_INT, offsetof(struct config, f), \
			    sizeof(int), lo, hi }
static const struct keydef keys[] = {
	TXT("site.id", site_id, K_ID),
	TXT("site.name", site_name, K_TEXT),
	TXT("site.ticket_key_file", ticket_key_file, K_PATH),
	TXT("kiosk.id", kiosk_id, K_ID),
	{ "kiosk.languages", K_LANGS, 0, 0, 0, 0 },
	TXT("kiosk.default_language", default_language, K_LANG),
	NUM("kiosk.ticket_screen_seconds", ticket_screen_seconds, 1, 600),
	NUM("kiosk.idle_seconds", idle_seconds, 5, 3600),
	NUM("kiosk.more_time_seconds", more_time_seconds, 5, 600),
	NUM("kiosk.priority_ticket", priority_ticket, 0, 1),

	TXT("kiosk.font", font, K_PATH),
	TXT("kiosk.font_bold", font_bold, K_PATH),
	TXT("kiosk.i18n_dir", i18n_dir, K_PATH),
	TXT("kiosk.maintenance_pin", maintenance_pin, K_PIN),
	NUM("display.width_mm", display_width_mm, 50, 5000),
	NUM("display.height_mm", display_height_mm, 50, 5000),
	TXT("printer.uri", printer_uri, K_PATH),
	NUM("printer.paper_width_mm", paper_width_mm, 58, 80),
	NUM("printer.codepage", printer_codepage, 0, 255),
	NUM("printer.qr_module_size", printer_qr_module, 1, 16),
	TXT("printer.layouts_dir", layouts_dir, K_PATH),
	NUM("queue.service_minutes", queue_service_minutes, 1, 600),
	NUM("checkin.before_min", checkin_before_min, 0, 1440),
	NUM("checkin.after_min", checkin_after_min, 0, 1440),
	NUM("queue.counters", queue_counters, 1, 100),
	NUM("queue.due_before_min", queue_due_before_min, 0, 240),
	NUM("queue.noshow_after_calls", queue_noshow_after_calls, 1, 20),
	NUM("queue.recall_cooldown_s", queue_recall_cooldown_s, 0, 3600),
	NUM("queue.default_service_min", queue_default_service_min, 0, 600),
	TXT("site_api.listen", site_api_listen, K_PATH),
	TXT("site_api.tls_cert", site_api_tls_cert, K_PATH),
	TXT("site_api.tls_key", site_api_tls_key, K_PATH),
	NUM("site_api.allow_plain_http", site_api_allow_plain_http, 0, 1),
	TXT("site_api.static_dir", site_api_static_dir, K_PATH),
	TXT("backoffice.url", backoffice_url, K_PATH),
	TXT("backoffice.ca_file", backoffice_ca_file, K_PATH),
	TXT("backoffice.pins", backoffice_pins, K_PATH),
	TXT("backoffice.client_cert", backoffice_client_cert, K_PATH),
	TXT("backoffice.client_key", backoffice_client_key, K_PATH),
	NUM("backoffice.allow_plain_http", backoffice_allow_plain_http, 0, 1),
	TXT("backoffice.public_key", backoffice_public_key, K_PATH),
	NUM("sync.batch_size", sync_batch_size, 1, 1000),
	NUM("sync.poll_ms", sync_poll_ms, 10, 3600000),
	NUM("sync.backoff_min_ms", sync_backoff_min_ms, 10, 3600000),
	NUM("sync.backoff_max_ms", sync_backoff_max_ms, 10, 86400000),
	NUM("sync.timeout_s", sync_timeout_s, 1, 3600),
	NUM("store.busy_timeout_ms", store_busy_timeout_ms, 0, 600000),
	NUM("store.min_free_mb", store_min_free_mb, 0, 1000000),
	NUM("store.retention_hours", store_retention_hours, 0, 87600),
	NUM("sync.pull_interval_s", sync_pull_interval_s, 5, 86400),
	TXT("card.reader", card_reader, K_PATH),
	TXT("card.csca_dir", card_csca_dir, K_PATH),
};

int config_set(struct config *cfg, const char *key, const char *value,
	       char *err, size_t errlen)
{
	if (!strncmp(key, "service.", 8)) {
		char id[CONFIG_ID_MAX + 1];
		const char *dot = strchr(key + 8, '.');
		size_t n = dot ? (size_t)(dot - (key + 8)) : 0;

		if (!dot || n == 0 || n >= sizeof id) {
			seterr(err, errlen, "'%s': expected service.ID.KEY",
			       key);
			return -1;
		}
		memcpy(id, key + 8, n);
		id[n] = '\0';
		return service_set(cfg, id, dot + 1, value, err, errlen);
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct keydef *k = &keys[i];
		char *dst = (char *)cfg + k->off;

		if (strcmp(k->key, key))
			continue;
		switch (k->kind) {
		case K_ID:
			return set_id(dst, key, value, err, errlen);
		case K_TEXT:
		case K_PATH:
			return set_text(dst, k->size, key, value, err, errlen);
		case K_INT:
			return set_int((int *)(void *)dst, key, value, k->lo,
				       k->hi, err, errlen);
		case K_LANG:
			if (!valid_lang(value)) {
				seterr(err, errlen, "'%s': '%s' is not a "
				       "language code", key, value);
				return -1;
			}
			snprintf(dst, k->size, "%s", value);
			return 0;
		case K_LANGS:
			return set_languages(cfg, value, err, errlen);
		case K_PIN:
			return set_pin(dst, key, value, err, errlen);
		}
	}
	{
		const char *dot = strchr(key, '.');
		seterr(err, errlen, "unknown key '%s' in [%.*s]",
		       dot ? dot + 1 : key, dot ? (int)(dot - key) : 0, key);
	}
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int parse_section(const char *line, char *section, size_t seclen,
			 char *err, size_t errlen)
{
	char inner[CONFIG_LINE_MAX];
	size_t n = strlen(line);
	char *s, *sp;

	if (line[n - 1] != ']') {
		seterr(err, errlen, "section header without ']'");
		return -1;
	}
	snprintf(inner, sizeof inner, "%.*s", (int)(n - 2), line + 1);
	s = trim(inner);
	sp = strpbrk(s, " \t");
	if (sp) {
		*sp = '\0';
		char *arg = trim(sp + 1);
		if (strcmp(s, "service")) {
			seterr(err, errlen, "unknown section [%s %s]", s, arg);
			return -1;
		}
		if (!valid_id(arg)) {
			seterr(err, errlen, "'%s' is not a service id (a-z, "
			       "0-9, '-', '_')", arg);
			return -1;
		}
		snprintf(section, seclen, "service.%s", arg);
		return 0;
	}
	if (strcmp(s, "site") && strcmp(s, "kiosk") && strcmp(s, "checkin") &&
	    strcmp(s, "backoffice") && strcmp(s, "sync") &&
	    strcmp(s, "printer") && strcmp(s, "queue") &&
	    strcmp(s, "store") && strcmp(s, "display") &&
	    strcmp(s, "card") && strcmp(s, "site_api")) {
		seterr(err, errlen, "unknown section [%s]", s);
		return -1;
	}
	snprintf(section, seclen, "%s", s);
	return 0;
}

int config_parse(struct config *cfg, const char *name, const char *text,
		 size_t len, char *err, size_t errlen)
{
	char section[CONFIG_ID_MAX + 16] = "";
	char msg[CONFIG_ERR_MAX];
	size_t pos = 0;
	int lineno = 0;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3; /* editors on Windows write a BOM */
	while (pos < len) {
		char line[CONFIG_LINE_MAX + 1];
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *eq, *key, *value;
		char full[CONFIG_ID_MAX * 2 + 32];

		lineno++;
		if (n > CONFIG_LINE_MAX) {
			seterr(err, errlen, "%s:%d: line longer than %d bytes",
			       name, lineno, CONFIG_LINE_MAX);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n)) {
			seterr(err, errlen, "%s:%d: NUL byte", name, lineno);
			return -1;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (parse_section(s, section, sizeof section, msg,
					  sizeof msg) < 0)
				goto fail;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(msg, sizeof msg, "expected 'key = value' or "
				 "'[section]'");
			goto fail;
		}
		*eq = '\0';
		key = trim(s);
		value = trim(eq + 1);
		if (!*section) {
			snprintf(msg, sizeof msg, "'%s' outside a section", key);
			goto fail;
		}
		if (!*key) {
			snprintf(msg, sizeof msg, "empty key");
			goto fail;
		}
		if (util_fmt(full, sizeof full, "%s.%s", section, key) < 0) {
			snprintf(msg, sizeof msg, "key too long");
			goto fail;
		}
		if (config_set(cfg, full, value, msg, sizeof msg) < 0)
			goto fail;
		continue;
fail:
		seterr(err, errlen, "%s:%d: %s", name, lineno, msg);
		return -1;
	}
	return 0;
}

int config_validate(const struct config *cfg, char *err, size_t errlen)
{
	const char *name = cfg->path[0] ? cfg->path : "configuration";
	int found = 0;

	if (cfg->n_services == 0) {
		seterr(err, errlen, "%s: no [service ...] section: the kiosk "
		       "needs at least one service", name);
		return -1;
	}
	for (int i = 0; i < cfg->n_services; i++) {
		const struct config_service *s = &cfg->services[i];

		if (!s->letter || !s->name[0]) {
			seterr(err, errlen, "%s: [service %s] needs 'letter' "
			       "and 'name'", name, s->id);
			return -1;
		}
		for (int j = 0; j < i; j++)
			if (cfg->services[j].letter == s->letter) {
				seterr(err, errlen, "%s: services '%s' and "
				       "'%s' share the letter %c", name,
				       cfg->services[j].id, s->id, s->letter);
				return -1;
			}
	}
	for (int i = 0; i < cfg->n_languages; i++)
		if (!strcmp(cfg->languages[i], cfg->default_language))
			found = 1;
	if (!found) {
		seterr(err, errlen, "%s: kiosk.default_language '%s' is not "
		       "in kiosk.languages", name, cfg->default_language);
		return -1;
	}
	if (cfg->paper_width_mm != 58 && cfg->paper_width_mm != 80) {
		seterr(err, errlen, "%s: printer.paper_width_mm must be 58 or 80",
		       name);
		return -1;
	}
	if (cfg->sync_backoff_min_ms > cfg->sync_backoff_max_ms) {
		seterr(err, errlen, "%s: sync.backoff_min_ms is larger than "
		       "sync.backoff_max_ms", name);
		return -1;
	}
	return 0;
}

int config_load(struct config *cfg, const char *path, char *err,
		size_t errlen)
{
	size_t len = 0;
	char *text;
	int rc;

	config_defaults(cfg);
	snprintf(cfg->path, sizeof cfg->path, "%s", path);
	text = util_read_file(path, CONFIG_FILE_MAX, &len);
	if (!text) {
		if (errno == EFBIG)
			seterr(err, errlen, "%s: larger than %d bytes", path,
			       CONFIG_FILE_MAX);
		else if (errno == EINVAL)
			seterr(err, errlen, "%s: not a regular file", path);
		else
			seterr(err, errlen, "%s: cannot open: %s", path,
			       strerror(errno));
		return -1;
	}
	rc = config_parse(cfg, path, text, len, err, errlen);
	free(text);
	return rc;
}

const struct config_service *config_service(const struct config *cfg,
					    const char *id)
{
	for (int i = 0; i < cfg->n_services; i++)
		if (!strcmp(cfg->services[i].id, id))
			return &cfg->services[i];
	return NULL;
}

const char *config_service_name(const struct config_service *s,
				const char *lang)
{
	for (int i = 0; i < s->n_names; i++)
		if (!strcmp(s->names[i].lang, lang))
			return s->names[i].text;
	return NULL;
}

const char *config_i18n_dir(const struct config *cfg)
{
	static const char *src = BK_SOURCE_DIR "/assets/i18n";

	if (cfg->i18n_dir[0])
		return cfg->i18n_dir;
	if (access(src, R_OK) == 0)
		return src;
	return "/usr/share/buergerkiosk/i18n";
}

const char *config_layouts_dir(const struct config *cfg)
{
	static const char *src = BK_SOURCE_DIR "/assets/layouts";

	if (cfg->layouts_dir[0])
		return cfg->layouts_dir;
	if (access(src, R_OK) == 0)
		return src;
	return "/usr/share/buergerkiosk/layouts";
}

const char *config_default_path(void)
{
	static const char *src = BK_SOURCE_DIR "/assets/site.conf";

	if (access(src, R_OK) == 0)
		return src;
	return "/etc/buergerkiosk/site.conf";
}
