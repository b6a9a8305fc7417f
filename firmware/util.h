/*
 * util.h — small helpers shared by the core.
 */
#ifndef BK_UTIL_H
#define BK_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* n random bytes from getrandom(2); aborts when the kernel has none. */
void util_random(void *out, size_t n);

/* Overwrites n bytes with zeros in a way the compiler keeps (secrets,
 * document data at the end of a session). */
void util_wipe(void *p, size_t n);

/* A random (version 4) UUID in lower-case text, from getrandom(2). */
void util_uuid(char out[37]);

/* Creates dir and its parents (mode 0700 for new ones). 0 or -1 (errno). */
int util_mkdir_p(const char *dir);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t util_mono_ms(void);

/* 1 when s[0..len) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF. With no_controls, C0 and C1 control
 * characters and DEL are refused too (text bound for a screen or paper). */
int util_utf8_valid(const char *s, size_t len, int no_controls);

/* Reads a whole regular file of at most max bytes, NUL-terminated.
 * NULL with errno on failure (EFBIG when larger than max, EINVAL when not a
 * regular file). */
char *util_read_file(const char *path, size_t max, size_t *len);

/* snprintf that reports truncation: 0 if it fitted, -1 if not. */
int util_fmt(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Growable byte buffer with a hard cap (outside input never grows past
 * it). Zero-initialise, then append; buf_free() releases. */
struct buf {
	unsigned char *data;
	size_t len, cap, max;       /* max 0 = 16 MiB */
	int failed;                 /* set once an append failed */
};
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the data (NUL terminated) to the caller and resets b. */
char *buf_take(struct buf *b, size_t *len);
void buf_free(struct buf *b);

/* "HOST:PORT" or "[V6]:PORT", both numeric, into a socket address for
 * bind() (a listen option of the daemon and the back office). *len gets
 * its length (may be NULL). -1 when malformed. */
struct sockaddr;
struct sockaddr_storage;
int util_parse_listen(const char *s, struct sockaddr_storage *ss,
		      unsigned int *len);   /* socklen_t on Linux */

/* 1 when sa is an IPv4 127/8 or the IPv6 loopback address. */
int util_sockaddr_is_loopback(const struct sockaddr *sa);

/* printf into an error buffer for the caller (err may be NULL or errlen
 * 0: nothing is written); truncates silently, as a message may. */
void util_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
