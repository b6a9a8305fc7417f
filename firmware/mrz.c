/* mrz.c — MRZ parse and compose with check digits (see mrz.h). */
#include "firmware/mrz.h"

#include <stdio.h>
#include <string.h>

#include "firmware/tlv.h"
#include "firmware/util.h"

static int mrz_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c == '<')
		return 0;
	return -1;
}

char mrz_check_digit(const char *s, size_t n)
{
	static const int w[3] = { 7, 3, 1 };
	int sum = 0, v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = mrz_value(s[i]);
		if (v < 0)
			return 0;
		sum += v * w[i % 3];
	}
	return (char)('0' + sum % 10);
}

static void seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* Copies s[0..n) to out without the trailing fillers. */
static void copy_field(char *out, size_t cap, const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == '<')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Name part: '<' runs become one space, trimmed. */
static void copy_name(char *out, size_t cap, const char *s, size_t n)
{
	size_t i, o = 0;
	int space = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '<') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < cap)
			out[o++] = ' ';
		space = 0;
		out[o++] = s[i];
	}
	out[o] = '\0';
}

static void parse_name(struct mrz_fields *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '<' && s[i + 1] == '<')
			break;
	if (i + 1 >= n) {
		copy_name(f->surname, sizeof f->surname, s, n);
		f->given_names[0] = '\0';
		return;
	}
	copy_name(f->surname, sizeof f->surname, s, i);
	copy_name(f->given_names, sizeof f->given_names, s + i + 2, n - i - 2);
}

/* The check digit at s[n] over s[0..n); '<' accepted when allow_empty and
 * the field is all fillers. */
static int check(const char *s, size_t n, char cd, int allow_empty)
{
	size_t i;

	if (allow_empty && cd == '<') {
		for (i = 0; i < n; i++)
			if (s[i] != '<')
				return 0;
		return 1;
	}
	return mrz_check_digit(s, n) == cd;
}

static bk_err fail(struct mrz_fields *f, char *err, size_t errlen,
		   const char *msg)
{
	mrz_fields_wipe(f);
	seterr(err, errlen, msg);
	return BK_ERR_INVALID;
}

static bk_err parse_td1(const char *m, struct mrz_fields *f, char *err,
			size_t errlen)
{
	const char *l1 = m, *l2 = m + 30, *l3 = m + 60;
	char comp[25 + 7 + 7 + 11];

	if (l1[14] == '<')
		return fail(f, err, errlen,
			    "document numbers longer than 9 characters are not supported");
	if (!check(l1 + 5, 9, l1[14], 0))
		return fail(f, err, errlen, "check digit of the document number is wrong");
	if (!check(l2, 6, l2[6], 0))
		return fail(f, err, errlen, "check digit of the date of birth is wrong");
	if (!check(l2 + 8, 6, l2[14], 0))
		return fail(f, err, errlen, "check digit of the date of expiry is wrong");
	memcpy(comp, l1 + 5, 25);
	memcpy(comp + 25, l2, 7);
	memcpy(comp + 32, l2 + 8, 7);
	memcpy(comp + 39, l2 + 18, 11);
	if (mrz_check_digit(comp, sizeof comp) != l2[29])
		return fail(f, err, errlen, "composite check digit is wrong");
	f->format = MRZ_TD1;
	copy_field(f->document_type, sizeof f->document_type, l1, 2);
	copy_field(f->issuing_state, sizeof f->issuing_state, l1 + 2, 3);
	copy_field(f->document_number, sizeof f->document_number, l1 + 5, 9);
	copy_field(f->optional1, sizeof f->optional1, l1 + 15, 15);
	memcpy(f->date_of_birth, l2, 6);
	f->sex = l2[7];
	memcpy(f->date_of_expiry, l2 + 8, 6);
	copy_field(f->nationality, sizeof f->nationality, l2 + 15, 3);
	copy_field(f->optional2, sizeof f->optional2, l2 + 18, 11);
	parse_name(f, l3, 30);
	return BK_OK;
}

/* TD2 and TD3: line length ll (36 or 44), name length ll - 5, optional
 * length ll - 29 (7 or 15 including the TD3 personal number's digit). */
static bk_err parse_td23(const char *m, size_t ll, struct mrz_fields *f,
			 char *err, size_t errlen)
{
	const char *l1 = m, *l2 = m + ll;
	char comp[10 + 7 + 22];
	size_t optlen = ll == 44 ? 14 : 7, clen;

	if (!check(l2, 9, l2[9], 0))
		return fail(f, err, errlen, "check digit of the document number is wrong");
	if (!check(l2 + 13, 6, l2[19], 0))
		return fail(f, err, errlen, "check digit of the date of birth is wrong");
	if (!check(l2 + 21, 6, l2[27], 0))
		return fail(f, err, errlen, "check digit of the date of expiry is wrong");
	if (ll == 44 && !check(l2 + 28, 14, l2[42], 1))
		return fail(f, err, errlen, "check digit of the personal number is wrong");
	memcpy(comp, l2, 10);
	memcpy(comp + 10, l2 + 13, 7);
	clen = ll - 1 - 21;
	memcpy(comp + 17, l2 + 21, clen);
	if (mrz_check_digit(comp, 17 + clen) != l2[ll - 1])
		return fail(f, err, errlen, "composite check digit is wrong");
	f->format = ll == 44 ? MRZ_TD3 : MRZ_TD2;
	copy_field(f->document_type, sizeof f->document_type, l1, 2);
	copy_field(f->issuing_state, sizeof f->issuing_state, l1 + 2, 3);
	parse_name(f, l1 + 5, ll - 5);
	copy_field(f->document_number, sizeof f->document_number, l2, 9);
	copy_field(f->nationality, sizeof f->nationality, l2 + 10, 3);
	memcpy(f->date_of_birth, l2 + 13, 6);
	f->sex = l2[20];
	memcpy(f->date_of_expiry, l2 + 21, 6);
	copy_field(f->optional1, sizeof f->optional1, l2 + 28, optlen);
	return BK_OK;
}

bk_err mrz_parse(const char *mrz, size_t len, struct mrz_fields *f,
		 char *err, size_t errlen)
{
	size_t i, ll;
	char msg[64];
	bk_err rc;

	memset(f, 0, sizeof *f);
	if (len != MRZ_TD1_LEN && len != MRZ_TD2_LEN && len != MRZ_TD3_LEN)
		return fail(f, err, errlen,
			    "MRZ has neither 90 (TD1), 72 (TD2) nor 88 (TD3) characters");
	ll = len == MRZ_TD1_LEN ? 30 : len / 2;
	for (i = 0; i < len; i++) {
		if (mrz_value(mrz[i]) < 0) {
			snprintf(msg, sizeof msg,
				 "character outside the MRZ alphabet in line %zu",
				 i / ll + 1);
			return fail(f, err, errlen, msg);
		}
	}
	if (mrz[0] == 'V')
		return fail(f, err, errlen, "visa MRZs are not supported");
	rc = len == MRZ_TD1_LEN ? parse_td1(mrz, f, err, errlen)
				: parse_td23(mrz, ll, f, err, errlen);
	if (rc != BK_OK)
		return rc;
	if (f->sex != 'M' && f->sex != 'F' && f->sex != '<')
		return fail(f, err, errlen, "sex is neither M, F nor <");
	if (!f->surname[0])
		return fail(f, err, errlen, "the name field is empty");
	return BK_OK;
}

bk_err mrz_parse_dg1(const unsigned char *dg1, size_t len,
		     struct mrz_fields *f, char *err, size_t errlen)
{
	struct tlv t, m;

	memset(f, 0, sizeof *f);
	if (tlv_read(dg1, len, &t) != BK_OK || t.tag != 0x61 ||
	    tlv_find(t.value, t.len, 0x5F1F, &m) != BK_OK) {
		seterr(err, errlen, "DG1 is not 61 { 5F1F MRZ }");
		return BK_ERR_INVALID;
	}
	return mrz_parse((const char *)m.value, m.len, f, err, errlen);
}

/* ---- composing ---- */

/* Pads s with '<' to n characters at out; -1 when longer than n or not in
 * the MRZ alphabet. */
static int put_field(char *out, const char *s, size_t n)
{
	size_t l = strlen(s), i;

	if (l > n)
		return -1;
	for (i = 0; i < l; i++)
		if (mrz_value(s[i]) < 0)
			return -1;
	memcpy(out, s, l);
	memset(out + l, '<', n - l);
	return 0;
}

/* Appends the MRZ form of a name (UTF-8) to out[*o..cap); truncates. */
static int put_name(char *out, size_t *o, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *t;
	char one[2] = { 0, 0 };

	for (; *p; p++) {
		t = NULL;
		if (*p >= 'a' && *p <= 'z') {
			one[0] = (char)(*p - 'a' + 'A');
			t = one;
		} else if ((*p >= 'A' && *p <= 'Z')) {
			one[0] = (char)*p;
			t = one;
		} else if (*p == ' ' || *p == '-') {
			t = "<";
		} else if (*p == '\'') {
			t = "";
		} else if (*p == 0xC3 && p[1]) {
			switch (p[1]) {
			case 0x84: case 0xA4: t = "AE"; break;
			case 0x96: case 0xB6: t = "OE"; break;
			case 0x9C: case 0xBC: t = "UE"; break;
			case 0x9F: t = "SS"; break;
			default: return -1;
			}
			p++;
		} else {
			return -1;
		}
		for (; *t && *o < cap; t++)
			out[(*o)++] = *t;
	}
	return 0;
}

static int put_names(char *out, size_t n, const struct mrz_fields *f)
{
	size_t o = 0;

	if (!f->surname[0] || put_name(out, &o, n, f->surname) < 0)
		return -1;
	if (f->given_names[0]) {
		if (o < n)
			out[o++] = '<';
		if (o < n)
			out[o++] = '<';
		if (put_name(out, &o, n, f->given_names) < 0)
			return -1;
	}
	memset(out + o, '<', n - o);
	return 0;
}

static int is_date(const char *s)
{
	size_t i;

	if (strlen(s) != 6)
		return 0;
	for (i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static bk_err compose_fail(char *out, size_t outlen, char *err, size_t errlen,
			   const char *msg)
{
	util_wipe(out, outlen);
	seterr(err, errlen, msg);
	return BK_ERR_INVALID;
}

bk_err mrz_compose(const struct mrz_fields *f, char *out, size_t outlen,
		   char *err, size_t errlen)
{
	char sex[2] = { f->sex == 'X' || f->sex == 0 ? '<' : f->sex, 0 };
	char comp[60], *l1, *l2, *l3;
	size_t n = f->format == MRZ_TD1 ? MRZ_TD1_LEN : MRZ_TD3_LEN;

	if (f->format != MRZ_TD1 && f->format != MRZ_TD3)
		return compose_fail(out, outlen, err, errlen, "format is neither TD1 nor TD3");
	if (outlen < n + 1)
		return compose_fail(out, outlen, err, errlen, "output too small");
	if (sex[0] != 'M' && sex[0] != 'F' && sex[0] != '<')
		return compose_fail(out, outlen, err, errlen, "sex is neither M, F nor X");
	if (!is_date(f->date_of_birth))
		return compose_fail(out, outlen, err, errlen, "date of birth is not YYMMDD");
	if (!is_date(f->date_of_expiry))
		return compose_fail(out, outlen, err, errlen, "date of expiry is not YYMMDD");
	l1 = out;
	if (put_field(l1, f->document_type, 2) < 0 || !f->document_type[0])
		return compose_fail(out, outlen, err, errlen, "document type is not 1-2 MRZ characters");
	if (put_field(l1 + 2, f->issuing_state, 3) < 0 || !f->issuing_state[0])
		return compose_fail(out, outlen, err, errlen, "issuing state is not 1-3 MRZ characters");
	if (f->format == MRZ_TD1) {
		l2 = out + 30;
		l3 = out + 60;
		if (put_field(l1 + 5, f->document_number, 9) < 0 || !f->document_number[0])
			return compose_fail(out, outlen, err, errlen, "document number is not 1-9 MRZ characters");
		l1[14] = mrz_check_digit(l1 + 5, 9);
		if (put_field(l1 + 15, f->optional1, 15) < 0)
			return compose_fail(out, outlen, err, errlen, "optional data 1 is not 0-15 MRZ characters");
		memcpy(l2, f->date_of_birth, 6);
		l2[6] = mrz_check_digit(l2, 6);
		l2[7] = sex[0];
		memcpy(l2 + 8, f->date_of_expiry, 6);
		l2[14] = mrz_check_digit(l2 + 8, 6);
		if (put_field(l2 + 15, f->nationality, 3) < 0 || !f->nationality[0])
			return compose_fail(out, outlen, err, errlen, "nationality is not 1-3 MRZ characters");
		if (put_field(l2 + 18, f->optional2, 11) < 0)
			return compose_fail(out, outlen, err, errlen, "optional data 2 is not 0-11 MRZ characters");
		memcpy(comp, l1 + 5, 25);
		memcpy(comp + 25, l2, 7);
		memcpy(comp + 32, l2 + 8, 7);
		memcpy(comp + 39, l2 + 18, 11);
		l2[29] = mrz_check_digit(comp, 50);
		if (put_names(l3, 30, f) < 0)
			return compose_fail(out, outlen, err, errlen, "a name holds a character the MRZ cannot spell");
	} else {
		l2 = out + 44;
		if (put_names(l1 + 5, 39, f) < 0)
			return compose_fail(out, outlen, err, errlen, "a name holds a character the MRZ cannot spell");
		if (put_field(l2, f->document_number, 9) < 0 || !f->document_number[0])
			return compose_fail(out, outlen, err, errlen, "document number is not 1-9 MRZ characters");
		l2[9] = mrz_check_digit(l2, 9);
		if (put_field(l2 + 10, f->nationality, 3) < 0 || !f->nationality[0])
			return compose_fail(out, outlen, err, errlen, "nationality is not 1-3 MRZ characters");
		memcpy(l2 + 13, f->date_of_birth, 6);
		l2[19] = mrz_check_digit(l2 + 13, 6);
		l2[20] = sex[0];
		memcpy(l2 + 21, f->date_of_expiry, 6);
		l2[27] = mrz_check_digit(l2 + 21, 6);
		if (put_field(l2 + 28, f->optional1, 14) < 0)
			return compose_fail(out, outlen, err, errlen, "personal number is not 0-14 MRZ characters");
		l2[42] = f->optional1[0] ? mrz_check_digit(l2 + 28, 14) : '<';
		memcpy(comp, l2, 10);
		memcpy(comp + 10, l2 + 13, 7);
		memcpy(comp + 17, l2 + 21, 22);
		l2[43] = mrz_check_digit(comp, 39);
	}
	out[n] = '\0';
	return BK_OK;
}

size_t mrz_dg1_encode(const char *mrz, size_t len, unsigned char *out,
		      size_t cap)
{
	size_t inner = tlv_header_size(0x5F1F, len) + len, h;

	h = tlv_put_header(out, cap, 0x61, inner);
	if (h == 0 || tlv_put(out + h, cap - h, 0x5F1F,
			      (const uint8_t *)mrz, len) == 0)
		return 0;
	return h + inner;
}

/* ---- dates ---- */

static int two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

bk_err mrz_date_iso(const char yymmdd[6], int is_birth, time_t now,
		    char out[11])
{
	int i, yy, mm, dd, y;
	struct tm tm;
	long today, cand;

	out[0] = '\0';
	for (i = 0; i < 6; i++)
		if (yymmdd[i] < '0' || yymmdd[i] > '9')
			return BK_ERR_INVALID;
	yy = two(yymmdd);
	mm = two(yymmdd + 2);
	dd = two(yymmdd + 4);
	y = 2000 + yy;
	if (is_birth) {
		if (!localtime_r(&now, &tm))
			return BK_ERR_INVALID;
		today = (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 +
			tm.tm_mday;
		cand = (long)y * 10000 + mm * 100 + dd;
		if (cand > today)
			y -= 100;
	}
	if (mm < 1 || mm > 12 || dd < 1 || dd > days_in(y, mm))
		return BK_ERR_INVALID;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	memcpy(out + 2, yymmdd, 2);
	out[4] = '-';
	memcpy(out + 5, yymmdd + 2, 2);
	out[7] = '-';
	memcpy(out + 8, yymmdd + 4, 2);
	out[10] = '\0';
	return BK_OK;
}

bk_err mrz_date_from_iso(const char *iso, char out[7])
{
	int i;

	out[0] = '\0';
	if (strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-')
		return BK_ERR_INVALID;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (iso[i] < '0' || iso[i] > '9'))
			return BK_ERR_INVALID;
	memcpy(out, iso + 2, 2);
	memcpy(out + 2, iso + 5, 2);
	memcpy(out + 4, iso + 8, 2);
	out[6] = '\0';
	return BK_OK;
}

void mrz_fields_wipe(struct mrz_fields *f)
{
	util_wipe(f, sizeof *f);
}
