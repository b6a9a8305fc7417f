/*
 * err.h — the one error enum of the core (firmware/).
 *
 * 0 is success. Codes are never renumbered; new ones go at the end.
 * bk_strerror() has a switch without default so the compiler flags a
 * missing case.
 */
#ifndef BK_ERR_H
#define BK_ERR_H

typedef enum bk_err {
	BK_OK = 0,
	BK_ERR_INVALID = 1,   /* bad argument or malformed input */
	BK_ERR_NOMEM = 2,
	BK_ERR_IO = 3,        /* disk or database I/O failed: outcome unknown */
	BK_ERR_FULL = 4,      /* disk full / below the free-space threshold */
	BK_ERR_NOTFOUND = 5,
	BK_ERR_BUSY = 6,      /* database locked longer than the busy timeout */
	BK_ERR_CORRUPT = 7,   /* database is not a Bürgerkiosk store or damaged */
	BK_ERR_EXHAUSTED = 8, /* e.g. a service's ticket numbers for the day */
	BK_ERR_CONFIG = 9,
	BK_ERR_NETWORK = 10,  /* could not reach a peer */
	BK_ERR_PROTOCOL = 11, /* a peer answered with something we cannot parse */
	BK_ERR_TOOLARGE = 12, /* input exceeds a hard cap */
	BK_ERR_ACCESS = 13,   /* an access key was refused (wrong CAN, MRZ) */
	BK_ERR_REMOVED = 14,  /* the card or device went away mid-exchange */
	BK_ERR_TIMEOUT = 15,  /* a device did not answer in time */
	BK_ERR_AUTH = 16,     /* an authenticity check failed (signature, hash) */
} bk_err;

/* A short English description for logs and technicians. Never NULL. */
const char *bk_strerror(bk_err e);

#endif
