/*
 * ticketcode.h — the QR code on a ticket: the ticket's id with an HMAC, so
 * that a counter can tell a real ticket from a forged or altered one.
 *
 * Payload (ASCII, one line, fields separated by ':'):
 *
 *   field      bytes   example
 *   version    3       BK1
 *   site id    1..47   musterstadt            [a-z0-9_-]
 *   day        10      2026-11-25             the ticket's local day
 *   number     4       A001                   [A-Z][0-9]{3}
 *   ticket id  36      9b1d…-…                lower-case UUID
 *   mac        22      base64url, no padding  first 16 bytes of
 *                                             HMAC-SHA256(key, all before
 *                                             the last ':')
 *
 * e.g. BK1:musterstadt:2026-11-25:A001:2776fdf4-a1d2-4708-ab61-08ee6ac3097f:
 *      Qm9vayBvZiBTYW5kIGlz (wrapped here)
 *
 * The key is a site secret of 32 random bytes in a file (site.
 * ticket_key_file, default DATA-DIR/ticket.key, mode 0600), created on
 * first use. Numbers and ids only: the code carries no personal data.
 */
#ifndef BK_TICKETCODE_H
#define BK_TICKETCODE_H

#include <stddef.h>

#include "firmware/err.h"

#define TICKETCODE_KEY_LEN 32
#define TICKETCODE_MAX 160    /* payload bytes incl. NUL */

struct ticketcode {
	char site_id[48];
	char day[11];
	char number[8];            /* 4 used */
	char ticket_id[37];
};

/* Reads the key from path, creating the file with fresh random bytes when
 * it does not exist. A file of another size is an error (not replaced). */
bk_err ticketcode_key_load(const char *path, unsigned char key[32], char *err,
			   size_t errlen);

/* Reads an existing key and never creates one (a checker such as kioskctl
 * ticket verify: a fresh key would call every real ticket forged).
 * BK_ERR_NOTFOUND when the file does not exist, BK_ERR_IO when it cannot
 * be read, BK_ERR_INVALID when it has another size. */
bk_err ticketcode_key_read(const char *path, unsigned char key[32], char *err,
			   size_t errlen);

/* Writes the payload for tc into out (TICKETCODE_MAX bytes). */
bk_err ticketcode_make(const unsigned char key[32], const struct ticketcode *tc,
		       char out[TICKETCODE_MAX]);

/* Parses and checks a scanned payload. BK_OK and *out filled when it is
 * well-formed and its mac matches; BK_ERR_INVALID when malformed;
 * BK_ERR_PROTOCOL when well-formed but the mac is wrong (forged or made
 * with another site's key). The comparison takes constant time. */
bk_err ticketcode_verify(const unsigned char key[32], const char *payload,
			 size_t len, struct ticketcode *out);

#endif
