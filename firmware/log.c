#include "firmware/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char log_prog[32] = "buergerkiosk";
static enum log_level log_min = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_ready;

void log_init(const char *prog, enum log_level level)
{
	const char *env = getenv("BK_LOG_LEVEL");

	snprintf(log_prog, sizeof log_prog, "%s", prog);
	log_min = level;
	log_ready = 1;
	if (!env)
		return;
	if (!strcmp(env, "debug"))
		log_min = LOG_DEBUG;
	else if (!strcmp(env, "info"))
		log_min = LOG_INFO;
	else if (!strcmp(env, "warn"))
		log_min = LOG_WARN;
	else if (!strcmp(env, "error"))
		log_min = LOG_ERROR;
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char stamp[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (!log_ready) /* a program that never called log_init() */
		log_init(log_prog, log_min);
	if (level < log_min)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s %s[%d] %s %s: ", stamp, log_prog, (int)getpid(),
		names[level], module);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}
