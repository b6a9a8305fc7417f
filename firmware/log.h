/*
 * log.h — one line per event on stderr (journald picks it up).
 *
 * Format: "2026-11-25T18:40:00Z buergerkioskd[123] warn sync: message".
 * Callers never pass personal data: ticket numbers, service ids, counts,
 * error texts are fine; names, birth dates, form contents never are.
 */
#ifndef BK_LOG_H
#define BK_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the program name shown in every line and the lowest level printed.
 * BK_LOG_LEVEL=debug|info|warn|error in the environment overrides level. */
void log_init(const char *prog, enum log_level level);

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(m, ...) log_msg(LOG_DEBUG, m, __VA_ARGS__)
#define log_info(m, ...) log_msg(LOG_INFO, m, __VA_ARGS__)
#define log_warn(m, ...) log_msg(LOG_WARN, m, __VA_ARGS__)
#define log_error(m, ...) log_msg(LOG_ERROR, m, __VA_ARGS__)

#endif
