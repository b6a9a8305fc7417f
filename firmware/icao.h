/*
 * icao.h — reading an eMRTD (ID card or passport, ICAO 9303) over a
 * transport that moves APDUs: access control (PACE or BAC), secure
 * messaging, EF.COM, EF.SOD and DG1, the MRZ fields, passive
 * authentication.
 *
 * The sequence of icao_read (APDUs plain until a session exists):
 *
 *   1. EF.CardAccess from the master file: READ BINARY by short EF id,
 *      00 B0 9C 00 DF. An error word (6A82 ...) means no PACE.
 *   2a. PACE (EF.CardAccess names a protocol): MSE:Set AT and four
 *      chained GENERAL AUTHENTICATE (wire format in icao_pace.h), OpenPACE
 *      computing; keys into icao_sm (SSC 0). Then, under SM, SELECT the
 *      eMRTD application 00 A4 04 0C 07 A0 00 00 02 47 10 01.
 *   2b. BAC (no EF.CardAccess; MRZ access only, a CAN gives BK_ERR_ACCESS):
 *      SELECT the application plain, GET CHALLENGE 00 84 00 00 08,
 *      EXTERNAL AUTHENTICATE 00 82 00 00 28 <40> 28 (icao_sm.h); 63xx ->
 *      BK_ERR_ACCESS.
 *   3. Under SM, READ BINARY by short EF identifier: EF.COM (SFI 1E),
 *      EF.SOD (SFI 1D), DG1 (SFI 01). The first read (P1 = 80|SFI, offset
 *      0) asks for a whole chunk — 0xDF bytes with short APDUs (the SM
 *      answer then fits 256 bytes), 0x1000 with extended length — and its
 *      TLV header gives the file's length; the rest is read by offset
 *      (P1 P2 up to 32767). 6282 (end of file before Le) and 6B00 (offset
 *      past the end) end a file.
 *   4. Passive authentication (icao_pa.h) of DG1 against EF.SOD, then DG1
 *      parsed (mrz.h): a forged document is reported as BK_ERR_AUTH before
 *      its contents are looked at.
 *
 * APDU count of a PACE-CAN read: 1 CardAccess + 1 MSE + 4 GA + 1 SELECT +
 * 1 EF.COM + ceil(SOD / 0xDF) + 1 DG1 with short APDUs; with extended
 * length 10, the smallest this sequence allows (EF.COM could be skipped:
 * 9).
 *
 * Nothing here logs document data, the CAN or the MRZ; keys, nonces and
 * every buffer that held document data are wiped before return.
 * Thread safety: none shared; one icao_read per transport at a time.
 */
#ifndef BK_ICAO_H
#define BK_ICAO_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/err.h"
#include "firmware/icao_pa.h"   /* enum icao_pa, icao_pa_name */

struct icao_transport {
	void *ctx;
	/* one command APDU out, the response APDU including SW1 SW2 back.
	 * BK_OK, BK_ERR_REMOVED (card pulled), BK_ERR_TIMEOUT or BK_ERR_IO. */
	bk_err (*transmit)(void *ctx, const uint8_t *cmd, size_t cmd_len,
			   uint8_t *resp, size_t resp_cap, size_t *resp_len,
			   char *err, size_t errlen);
	int extended_length;  /* 1: reader and card take extended APDUs */
};

enum icao_access_kind { ICAO_ACCESS_CAN, ICAO_ACCESS_MRZ };

struct icao_access {
	enum icao_access_kind kind;
	char can[7];                 /* 6 digits */
	char document_number[10];    /* MRZ form, '<' padded or not */
	char date_of_birth[7];       /* YYMMDD */
	char date_of_expiry[7];      /* YYMMDD */
};

struct icao_document {
	char document_type[3];
	char issuing_state[4];
	char document_number[10];
	char surname[128];
	char given_names[128];      /* MRZ spelling, '<' turned into spaces */
	char nationality[4];
	char date_of_birth[11];     /* YYYY-MM-DD */
	char sex[2];                /* "M", "F" or "X" */
	char date_of_expiry[11];    /* YYYY-MM-DD */
	enum icao_pa passive_auth;
};

struct icao_stats {
	int apdus;                  /* command APDUs sent */
	char method[8];             /* "PACE" or "BAC" */
};

/* Selects the eMRTD application (AID A0 00 00 02 47 10 01), reads
 * EF.CardAccess and runs PACE (CAN or MRZ) through OpenPACE when the card
 * offers it, else BAC (only with MRZ access); then under secure messaging
 * reads EF.COM, EF.SOD and DG1, parses DG1 (TD1 or TD3, every check digit
 * validated) and runs passive authentication against the PEM certificates
 * in csca_dir (NULL or empty dir: no_csca).
 * Errors: BK_ERR_ACCESS wrong CAN/MRZ ("the CAN was not accepted");
 * BK_ERR_REMOVED card pulled; BK_ERR_TIMEOUT the card did not answer;
 * BK_ERR_INVALID a DG1 check digit wrong (message names which);
 * BK_ERR_AUTH passive authentication failed (doc wiped, nothing identifies
 * anyone), or a secure messaging MAC or the chip's PACE/BAC answer was
 * wrong; BK_ERR_IO the transport failed otherwise; BK_ERR_PROTOCOL anything
 * unexpected. On every error doc is wiped; err (never document data) says
 * what happened. st may be NULL; it is filled
 * also on error (as far as the read got). */
bk_err icao_read(const struct icao_transport *t, const struct icao_access *a,
		 const char *csca_dir, struct icao_document *doc,
		 struct icao_stats *st, char *err, size_t errlen);

/* util_wipe of the whole struct. */
void icao_document_wipe(struct icao_document *doc);

#endif
