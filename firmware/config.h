/*
 * config.h — the site configuration, shared by every executable.
 *
 * The file is line based, like git's config:
 *
 *     # comment
 *     [site]
 *     name = Bürgerbüro Musterstadt
 *     [service personalausweis]
 *     letter = A
 *     name = Personalausweis
 *     name.en = Identity card
 *
 * Every key is known: an unknown section or key, a bad value, a missing
 * required key is an error that names the file and line
 * ("site.conf:12: unknown key 'colour' in [kiosk]"). Values are UTF-8 and
 * may not contain control characters. docs/configuration.md lists every key.
 *
 * Command-line options override the file through config_set(), the same
 * function the parser uses, so an override is checked exactly like a line.
 *
 * This module does NOT open files other than the one given, create
 * directories, or know about SDL or devices: it only holds values.
 */
#ifndef BK_CONFIG_H
#define BK_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_SERVICES 32
#define CONFIG_MAX_LANGS 8
#define CONFIG_ID_MAX 48      /* ids: [a-z0-9_-], 1..47 bytes */
#define CONFIG_TEXT_MAX 128   /* display texts, UTF-8 bytes incl. NUL */
#define CONFIG_PATH_MAX 512
#define CONFIG_ERR_MAX 512
#define CONFIG_PIN_MAX 13     /* maintenance PIN: 4..12 digits incl. NUL */

struct config_text {
	char lang[8];                 /* "de", "en", ... */
	char text[CONFIG_TEXT_MAX];
};

struct config_service {
	char id[CONFIG_ID_MAX];
	char letter;                  /* 'A'..'Z', unique per site */
	char name[CONFIG_TEXT_MAX];   /* German name; also the catalogue msgid */
	struct config_text names[CONFIG_MAX_LANGS]; /* name.XX overrides */
	int n_names;
	char group[CONFIG_TEXT_MAX];  /* German group name ("" = top level);
				       * services sharing it are one button */
};

struct config {
	char path[CONFIG_PATH_MAX];   /* file it came from ("" if none) */

	/* [site] */
	char site_id[CONFIG_ID_MAX];
	char site_name[CONFIG_TEXT_MAX];
	char ticket_key_file[CONFIG_PATH_MAX]; /* "" = DATA-DIR/ticket.key */

	/* [kiosk] */
	char kiosk_id[CONFIG_ID_MAX];
	char languages[CONFIG_MAX_LANGS][8]; /* offered on the welcome screen */
	int n_languages;
	char default_language[8];
	int ticket_screen_seconds;    /* ticket screen → welcome; default 15 */
	int idle_seconds;             /* no touch → session ends; default 60 */
	int more_time_seconds;        /* then "more time?" this long; 30 */
	int priority_ticket;          /* 1: citizens may ask for priority */
	char font[CONFIG_PATH_MAX];
	char font_bold[CONFIG_PATH_MAX];
	char i18n_dir[CONFIG_PATH_MAX]; /* "" = assets/i18n next to the config */
	char maintenance_pin[CONFIG_PIN_MAX]; /* "" = no maintenance by touch */

	/* [display] */
	int display_width_mm;         /* visible panel width; default 268 */
	int display_height_mm;        /* visible panel height; default 476 */

	/* [printer] */
	char printer_uri[CONFIG_PATH_MAX]; /* "" = virtual:DATA-DIR/printer */
	int paper_width_mm;           /* 80 or 58; default 80 */
	int printer_codepage;         /* n of ESC t n for PC858; default 19 */
	int printer_qr_module;        /* QR module size in dots; default 6 */
	char layouts_dir[CONFIG_PATH_MAX]; /* "" = config_layouts_dir() */

	/* [queue] */
	int queue_service_minutes;    /* assumed minutes per ticket; default 8 */
	int queue_counters;           /* counters open; default 2 */
	/* calling (sitequeue.h, docs/site-api.md "Call order") */
	int queue_due_before_min;     /* appointments due before slot; 2 */
	int queue_noshow_after_calls; /* no-show offered after; default 2 */
	int queue_recall_cooldown_s;  /* re-queued ticket waits; default 60 */
	int queue_default_service_min; /* stats fallback; 0 = service_minutes */

	/* [site_api] the counters' and displays' HTTP(S) API (siteapi.h) */
	char site_api_listen[CONFIG_PATH_MAX]; /* HOST:PORT; "" = off */
	char site_api_tls_cert[CONFIG_PATH_MAX]; /* PEM; with tls_key: HTTPS */
	char site_api_tls_key[CONFIG_PATH_MAX];
	int site_api_allow_plain_http; /* 1: http on a non-loopback address */
	char site_api_static_dir[CONFIG_PATH_MAX]; /* "" = assets/counter */

	/* [checkin] the window around an appointment's slot (checkin.h) */
	int checkin_before_min;       /* opens this early; default 60 */
	int checkin_after_min;        /* closes this late; default 15 */

	/* [backoffice] */
	char backoffice_url[CONFIG_PATH_MAX]; /* "" = sync disabled */
	char backoffice_ca_file[CONFIG_PATH_MAX];  /* CA bundle for the server */
	char backoffice_pins[CONFIG_PATH_MAX];     /* "sha256//A sha256//B" */
	char backoffice_client_cert[CONFIG_PATH_MAX]; /* kiosk's cert (PEM) */
	char backoffice_client_key[CONFIG_PATH_MAX];  /* its key (PEM) */
	int backoffice_allow_plain_http; /* 1: http:// to a non-loopback host */
	char backoffice_public_key[CONFIG_PATH_MAX]; /* RSA key for JWE (PEM) */

	/* [sync] */
	int sync_batch_size;          /* events per request, 1..1000; default 100 */
	int sync_poll_ms;             /* outbox poll interval; default 1000 */
	int sync_backoff_min_ms;      /* first retry delay; default 500 */
	int sync_backoff_max_ms;      /* retry delay cap; default 60000 */
	int sync_timeout_s;           /* whole-request timeout; default 30 */
	int sync_pull_interval_s;     /* appointments/catalogue; default 300 */

	/* [store] */
	int store_busy_timeout_ms;    /* default 5000 */
	int store_min_free_mb;        /* below: no form submissions; 200 */
	int store_retention_hours;    /* delivered personal data; 0 = at ack */

	/* [card] */
	char card_reader[CONFIG_PATH_MAX];   /* "pcsc:" (first reader) */
	char card_csca_dir[CONFIG_PATH_MAX]; /* CSCA PEMs; "" = no_csca */

	struct config_service services[CONFIG_MAX_SERVICES];
	int n_services;
};

/* Fills cfg with the built-in defaults (no services). */
void config_defaults(struct config *cfg);

/* config_defaults() then reads path. On error returns -1 and writes
 * "FILE:LINE: what" (or "FILE: what") into err. */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/* Parses a whole file held in memory; name is used in messages. */
int config_parse(struct config *cfg, const char *name, const char *text,
		 size_t len, char *err, size_t errlen);

/* Sets one key. key is "section.key" ("printer.uri") or, for a service,
 * "service.ID.key" (creating the service). Returns 0 or -1 with err. */
int config_set(struct config *cfg, const char *key, const char *value,
	       char *err, size_t errlen);

/* Checks what only the whole file can tell: at least one service, unique
 * letters, default language among the offered ones. 0 or -1 with err. */
int config_validate(const struct config *cfg, char *err, size_t errlen);

/* The service with this id, or NULL. */
const struct config_service *config_service(const struct config *cfg,
					    const char *id);

/* The service's name in lang from its name.XX key, or NULL when the file
 * gives none (the UI then asks the translation catalogue). */
const char *config_service_name(const struct config_service *s,
				const char *lang);

/* The folder of the .po catalogues: kiosk.i18n_dir, else assets/i18n of
 * the source tree when it exists, else /usr/share/buergerkiosk/i18n. */
const char *config_i18n_dir(const struct config *cfg);

/* The folder of the receipt layouts, chosen the same way (assets/layouts,
 * /usr/share/buergerkiosk/layouts). */
const char *config_layouts_dir(const struct config *cfg);

/* The example configuration in the source tree when it exists, else
 * /etc/buergerkiosk/site.conf. */
const char *config_default_path(void);

#endif
