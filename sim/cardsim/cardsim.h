/*
 * cardsim.h — an emulated eMRTD (ICAO 9303 ID card or passport) for tests
 * and the simulator: the card side of the protocol, without any transport.
 *
 * kiosk-cardsim (main.c) puts it behind pcscd's vpcd reader (vpcd.c); an
 * in-process reader can call cardsim_transmit() directly. The card is
 * built from a holder file (holder.c) and holds, in its eMRTD application
 * (AID A0 00 00 02 47 10 01):
 *
 *   file          FID   SFI  content (lds.c)
 *   EF.CardAccess 011C  1C   PACEInfo (absent when access = bac); readable
 *                            without access control, as on a real card
 *   EF.COM        011E  1E   60 {5F01 "0107", 5F36 "040000", 5C 61}
 *   EF.DG1        0101  01   61 {5F1F MRZ}
 *   EF.SOD        011D  1D   77 {CMS SignedData over the LDSSecurityObject}
 *
 * What it does (card.c, card_pace.c, card_bac.c):
 *   1. SELECT by AID (P1 04), by FID (P1 00 or 02; EF.CardAccess in the
 *      MF, the others in the application), the MF (P1 00, 3F00 or no
 *      data); READ BINARY by SFI or current file, short and extended Le,
 *      plain before access control and secure messaging after it.
 *   2. PACE (MSE:Set AT + four GENERAL AUTHENTICATE, generic mapping on
 *      brainpoolP256r1, AES-128) with the CAN, and with the MRZ, through
 *      OpenPACE's card-side steps; BAC (GET CHALLENGE + EXTERNAL
 *      AUTHENTICATE, 3DES) when the holder's access allows it.
 *   3. A wrong CAN or MRZ ends PACE or BAC with 6300, as real chips do.
 *      DG1, EF.COM and EF.SOD answer 6982 until access control succeeded.
 *      A broken secure-messaging MAC answers 6988 and ends the session.
 *
 * What it does NOT do: chip or terminal authentication, active
 * authentication, DG2 and up, retry counters, PACE with PIN/PUK.
 *
 * Invariants: responses are never larger than CARDSIM_RESP_MAX; the
 * holder's data is wiped when the card is destroyed; nothing here logs
 * personal data (the APDU log prints instruction bytes and lengths only).
 */
#ifndef BK_CARDSIM_H
#define BK_CARDSIM_H

#include <stddef.h>

#define CARDSIM_ACCESS_PACE 1
#define CARDSIM_ACCESS_BAC 2

/* Largest APDU taken and largest response given (extended length). */
#define CARDSIM_APDU_MAX 4096
#define CARDSIM_RESP_MAX 4096

/* The holder, as in the key=value file (holder.c). Dates are YYMMDD here;
 * names are in MRZ form already (A-Z, '<' for spaces and hyphens). */
struct cardsim_holder {
	int doc;                     /* 1 = TD1 (ID card), 3 = TD3 (passport) */
	int access;                  /* CARDSIM_ACCESS_* bits */
	char can[7];
	char document_number[10];
	char issuing_state[4];
	char nationality[4];
	char surname[64];
	char given_names[64];
	char date_of_birth[7];
	char date_of_expiry[7];
	char sex;                    /* 'M', 'F' or '<' */
};

/* Reads the holder file. 0, or -1 with a message in err (which never
 * quotes a value from the file: it may be personal data). */
int cardsim_holder_load(const char *path, struct cardsim_holder *h,
			char *err, size_t errlen);

/* The MRZ of the holder (TD1: 90 characters, TD3: 88), check digits
 * computed. With bad_check_digit the date-of-birth check digit is wrong.
 * out must hold 91 bytes. 0, or -1 when a field does not fit. */
int cardsim_mrz(const struct cardsim_holder *h, int bad_check_digit,
		char out[91]);

struct cardsim_opts {
	const char *csca_key;        /* PEM; NULL: a throwaway CSCA */
	const char *csca_cert;       /* PEM */
	int forge_sod;               /* DG1 changed after signing */
	int bad_check_digit;         /* a wrong check digit in DG1's MRZ */
};

struct cardsim;

/* Builds the card's files and signs EF.SOD. NULL with a message in err. */
struct cardsim *cardsim_create(const struct cardsim_holder *h,
			       const struct cardsim_opts *o,
			       char *err, size_t errlen);
void cardsim_destroy(struct cardsim *c);

/* The ATR (T=1); returns its length (at most 33). */
size_t cardsim_atr(unsigned char out[33]);

/* Power off/on or reset: the application is deselected, access control
 * and secure messaging end. */
void cardsim_reset(struct cardsim *c);

/* Answers one command APDU: writes the response (data + SW1 SW2) to
 * resp (CARDSIM_RESP_MAX bytes) and returns its length (>= 2). */
size_t cardsim_transmit(struct cardsim *c, const unsigned char *apdu,
			size_t len, unsigned char *resp);

/* cardsim_transmit() in the shape of the in-process virtual reader's card
 * table (drivers/card/card.h, struct card_virtual_card .apdu), ctx being
 * the struct cardsim:
 *   struct card_virtual_card vc = { card, cardsim_apdu_cb, atr, atr_len,
 *                                   cardsim_reset_cb };
 *   card_virtual_insert(&vc);
 * Returns 0, or -1 when the answer does not fit in cap. */
int cardsim_apdu_cb(void *ctx, const unsigned char *cmd, size_t n,
		    unsigned char *resp, size_t cap, size_t *rlen);
/* cardsim_reset() in the shape of that table's reset (ctx: the card). */
void cardsim_reset_cb(void *ctx);

/* Command APDUs answered since creation. */
unsigned long cardsim_apdu_count(const struct cardsim *c);

/* The DER of EF.CardAccess, EF.COM, DG1, EF.SOD (lds.c); for tests. */
enum cardsim_file { CARDSIM_EF_CARDACCESS, CARDSIM_EF_COM, CARDSIM_EF_DG1,
		    CARDSIM_EF_SOD, CARDSIM_NFILES };
const unsigned char *cardsim_file(const struct cardsim *c,
				  enum cardsim_file f, size_t *len);

#endif
