/*
 * bookingcode.h — what a citizen's appointment confirmation carries, and
 * how the kiosk reads it back: typed on the touch keyboard or scanned from
 * its QR code by a USB scanner that types like a keyboard (ui/scanner.h).
 * docs/check-in.md documents the formats for the booking system.
 *
 *   process number  6 digits                          "482913"
 *   booking code    4-5 characters of the alphabet    "K7QX2"
 *                   ABCDEFGHJKLMNPQRSTUVWXYZ23456789
 *                   (no 0 O 1 I: nothing to confuse)
 *   QR payload      BKT1:<process>:<code>             "BKT1:482913:K7QX2"
 *
 * Typed input is normalised, never guessed:
 *   - both fields: spaces, '-', '.', '/' and tabs are dropped
 *     ("482 913", "K7QX-2");
 *   - process number: letters O/o read as 0, I/i/l/L as 1 (the field
 *     holds digits only, so there is nothing else they could be);
 *   - booking code: lower case raised; 0 O 1 I are refused, because the
 *     alphabet has none of them and a guess could check in a stranger.
 *
 * Scanned payloads (bookingcode_parse_qr) are read as a keyboard wedge
 * scanner delivers them, with these artefacts undone:
 *   - surrounding white space and a trailing CR, LF or Tab;
 *   - the prefix in any case ("bkt1": Caps Lock inverts a scanner's case),
 *     and the code in any case;
 *   - keyboard layout mismatch: a scanner set to US layout on a German
 *     (QWERTZ) host types ':' as 'Ö' (or 'ö' with Caps Lock) and swaps
 *     Y and Z; a scanner set to German on a US host types ':' as '>' and
 *     swaps Y and Z too. The separator tells which happened: with 'Ö', 'ö'
 *     or '>' the code's Y and Z are swapped back. ';' is taken like ':'
 *     (a scanner that drops Shift). Both separators must be the same.
 * Anything else (AZERTY hosts, extra fields) is refused: configure the
 * scanner's keyboard layout instead (docs/check-in.md).
 *
 * Pure functions on outside bytes (a fuzz target: tests/fuzz/
 * fuzz_bookingcode.c); nothing here logs.
 */
#ifndef BK_BOOKINGCODE_H
#define BK_BOOKINGCODE_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/err.h"

#define BOOKINGCODE_PROCESS_LEN 6
#define BOOKINGCODE_CODE_MIN 4
#define BOOKINGCODE_CODE_MAX 5
#define BOOKINGCODE_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#define BOOKINGCODE_QR_PREFIX "BKT1"
#define BOOKINGCODE_QR_MAX 32      /* payload bytes incl. NUL */
#define BOOKINGCODE_INPUT_MAX 256  /* longer input is refused unread */

struct bookingcode {
	char process[BOOKINGCODE_PROCESS_LEN + 1];
	char code[BOOKINGCODE_CODE_MAX + 1];
};

/* One typed character (a Unicode code point) of a booking code in normal
 * form: the upper-case alphabet character; 0 for a character that is
 * dropped (space, '-', '.', '/', tab); -1 for one that can never be part
 * of a code (0 O 1 I, punctuation, other letters). The on-screen keyboard
 * may grey out keys for which this is -1. */
int bookingcode_code_char(uint32_t cp);

/* The same for the process number: '0'..'9' (O→0, I/l→1), 0 dropped, -1
 * refused. */
int bookingcode_process_char(uint32_t cp);

/* Normalises typed UTF-8 text as above. BK_OK with out filled (exactly 6
 * digits / 4-5 alphabet characters), BK_ERR_INVALID otherwise (out "").
 */
bk_err bookingcode_normalise_process(const char *typed,
				     char out[BOOKINGCODE_PROCESS_LEN + 1]);
bk_err bookingcode_normalise_code(const char *typed,
				  char out[BOOKINGCODE_CODE_MAX + 1]);

/* Parses a scanned payload (len bytes of UTF-8, not NUL terminated).
 * BK_OK with *out filled; BK_ERR_INVALID when it is not a booking-code
 * payload (e.g. a ticket's own QR code, or garbage); *out is zeroed then. */
bk_err bookingcode_parse_qr(const char *payload, size_t len,
			    struct bookingcode *out);

/* The payload for bc (normalised values), for confirmations and tests.
 * BK_ERR_INVALID if bc breaks the rules. */
bk_err bookingcode_make_qr(const struct bookingcode *bc,
			   char out[BOOKINGCODE_QR_MAX]);

#endif
