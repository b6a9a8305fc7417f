/*
 * mrz.h — the machine readable zone of travel documents (ICAO 9303 parts
 * 3-5): parsing with every check digit validated, composing with the check
 * digits computed, and DG1 (the MRZ as the chip stores it).
 *
 * Layouts handled (the MRZ as one string without line breaks, as DG1 holds
 * it; positions 1-based within the line):
 *
 *   TD1 (ID card, 3 x 30)          TD3 (passport, 2 x 44)
 *   l1  1-2  document code         l1  1-2  document code
 *       3-5  issuing state             3-5  issuing state
 *       6-14 document number           6-44 name
 *       15   check digit           l2  1-9  document number
 *       16-30 optional data 1          10   check digit
 *   l2  1-6  date of birth             11-13 nationality
 *       7    check digit               14-19 date of birth, 20 check
 *       8    sex                       21   sex
 *       9-14 date of expiry, 15 cd     22-27 date of expiry, 28 check
 *       16-18 nationality              29-42 personal number, 43 check
 *       19-29 optional data 2          44   composite check digit
 *       30   composite check digit
 *   l3  1-30 name
 *
 *   TD2 (2 x 36) is TD3 with a 31-character name and 7 optional characters.
 *   The composite check digit of TD1 covers l1 6-30, l2 1-7, 9-15, 19-29;
 *   of TD3 l2 1-10, 14-20, 22-43 (TD2: 1-10, 14-20, 22-35).
 *
 *   Name: SURNAME<<GIVEN<NAMES<<<<; '<' between words, '<<' between the
 *   primary and the secondary identifier.
 *   Check digit: weights 7 3 1 repeating over values 0-9 -> 0-9, A-Z ->
 *   10-35, '<' -> 0; sum mod 10. A check digit position may hold '<' only
 *   where the checked field is all fillers (optional data).
 *   DG1: 61 L { 5F1F L MRZ }.
 *
 * Not handled: the TD1 long document number (more than 9 characters, check
 * digit '<' and the rest in optional data 1) — refused as BK_ERR_INVALID;
 * visa MRZs (MRV-A/B, no composite digit) — refused.
 *
 * The parser takes outside bytes; it never logs what it parses (document
 * data) and error messages name the field, never its value.
 */
#ifndef BK_MRZ_H
#define BK_MRZ_H

#include <stddef.h>
#include <time.h>

#include "firmware/err.h"

enum mrz_format { MRZ_TD1 = 1, MRZ_TD2, MRZ_TD3 };

#define MRZ_TD1_LEN 90
#define MRZ_TD2_LEN 72
#define MRZ_TD3_LEN 88

/* The fields of an MRZ in MRZ spelling. Parsing fills every field (fillers
 * '<' at the end removed, '<' inside names turned into spaces); composing
 * reads them (spaces in names become '<'). */
struct mrz_fields {
	enum mrz_format format;
	char document_type[3];     /* "P", "ID", "I", "PP"...: code without '<' */
	char issuing_state[4];     /* "D", "UTO": without '<' */
	char document_number[10];  /* without '<' fillers */
	char nationality[4];
	char date_of_birth[7];     /* YYMMDD, as in the MRZ ('<' for unknown parts) */
	char sex;                  /* 'M', 'F' or '<' */
	char date_of_expiry[7];    /* YYMMDD */
	char optional1[16];        /* TD1 l1 16-30, TD3 personal number, TD2 l2 29-35 */
	char optional2[12];        /* TD1 l2 19-29; empty otherwise */
	char surname[128];         /* words separated by one space */
	char given_names[128];
};

/* The check digit of s[0..n): '0'..'9', or 0 when s holds a character
 * outside 0-9 A-Z '<'. */
char mrz_check_digit(const char *s, size_t n);

/* Parses an MRZ of MRZ_TD1_LEN, MRZ_TD2_LEN or MRZ_TD3_LEN characters (no
 * line breaks). Every check digit is validated; BK_ERR_INVALID with a
 * message naming the field ("check digit of the date of birth is wrong",
 * "character outside the MRZ alphabet in line 2") otherwise. f is wiped on
 * error. */
bk_err mrz_parse(const char *mrz, size_t len, struct mrz_fields *f,
		 char *err, size_t errlen);

/* Parses DG1 (61 { 5F1F MRZ }) as read from the chip. BK_ERR_INVALID for a
 * malformed TLV or MRZ (f wiped). */
bk_err mrz_parse_dg1(const unsigned char *dg1, size_t len,
		     struct mrz_fields *f, char *err, size_t errlen);

/* Composes the MRZ of f (f->format TD1 or TD3) with every check digit into
 * out (NUL terminated, MRZ_TD1_LEN or MRZ_TD3_LEN characters + 1).
 * Names may use A-Z, spaces, '-' and the German letters Ä Ö Ü ß in UTF-8
 * (written AE OE UE SS as ICAO 9303 part 3 transliterates them), lower case
 * is raised; they are truncated to fit. Other fields must already be in the
 * MRZ alphabet (BK_ERR_INVALID otherwise, message names the field). */
bk_err mrz_compose(const struct mrz_fields *f, char *out, size_t outlen,
		   char *err, size_t errlen);
/* Wraps an MRZ in DG1: 61 { 5F1F mrz }. Returns the size written, 0 when
 * cap is too small. */
size_t mrz_dg1_encode(const char *mrz, size_t len, unsigned char *out,
		      size_t cap);

/* YYMMDD -> YYYY-MM-DD. A date of birth takes the latest century that puts
 * it not after today (now, local time); any other date (expiry) is 20YY.
 * BK_ERR_INVALID when not a calendar date (month 1-12, day within the
 * month; '<' for unknown parts is refused). */
bk_err mrz_date_iso(const char yymmdd[6], int is_birth, time_t now,
		    char out[11]);
/* YYYY-MM-DD -> YYMMDD (NUL terminated). BK_ERR_INVALID if malformed. */
bk_err mrz_date_from_iso(const char *iso, char out[7]);

/* util_wipe of the whole struct. */
void mrz_fields_wipe(struct mrz_fields *f);

#endif
