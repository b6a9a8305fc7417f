/*
 * holder.c — the emulated card's holder: the key=value file and the MRZ
 * (cardsim.h).
 *
 * File format: one "key = value" per line, '#' starts a comment line.
 * Keys: doc (td1|td3), access (pace|bac|both), can (6 digits),
 * document_number (1-9 of A-Z 0-9), issuing_state and nationality (1-3
 * letters, e.g. D), surname, given_names (letters, spaces, hyphens; ä ö ü
 * ß are transliterated as ICAO 9303 part 3 says: AE OE UE SS),
 * date_of_birth and date_of_expiry (YYYY-MM-DD), sex (M|F|X).
 *
 * Error messages name the line and key, never the value.
 */
#include "sim/cardsim/cardsim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/util.h"

#define HOLDER_FILE_MAX 8192

static int field_chars(const char *v, const char *allowed_extra)
{
	for (; *v; v++)
		if (!isupper((unsigned char)*v) && !isdigit((unsigned char)*v) &&
		    !strchr(allowed_extra, *v))
			return -1;
	return 0;
}

/* Upper-case MRZ form of a name: letters, '<' for space and hyphen. */
static int mrz_name(const char *v, char *out, size_t cap)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)v;

	while (*p) {
		const char *rep = NULL;
		char one[2] = { 0, 0 };

		if (p[0] == 0xC3 && p[1]) {          /* Ä Ö Ü ä ö ü ß */
			switch (p[1]) {
			case 0x84: case 0xA4: rep = "AE"; break;
			case 0x96: case 0xB6: rep = "OE"; break;
			case 0x9C: case 0xBC: rep = "UE"; break;
			case 0x9F: rep = "SS"; break;
			default: return -1;
			}
			p += 2;
		} else if (isalpha(*p)) {
			one[0] = (char)toupper(*p++);
			rep = one;
		} else if (*p == ' ' || *p == '-') {
			one[0] = '<';
			rep = one;
			p++;
		} else {
			return -1;
		}
		if (n + strlen(rep) >= cap)
			return -1;
		memcpy(out + n, rep, strlen(rep));
		n += strlen(rep);
	}
	out[n] = 0;
	return n ? 0 : -1;
}

/* YYYY-MM-DD to YYMMDD. */
static int mrz_date(const char *v, char out[7])
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				       31, 30, 31 };
	int y, m, d;
	char tail;

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-' ||
	    sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && y % 4 == 0 && y != 1900))
		return -1;
	memcpy(out, v + 2, 2);
	memcpy(out + 2, v + 5, 2);
	memcpy(out + 4, v + 8, 2);
	out[6] = 0;
	return 0;
}

static int set_upper(const char *v, char *out, size_t maxlen,
		     const char *extra)
{
	size_t n = strlen(v);
	char tmp[64];

	if (n == 0 || n > maxlen || n >= sizeof tmp)
		return -1;
	for (size_t i = 0; i <= n; i++)
		tmp[i] = (char)toupper((unsigned char)v[i]);
	if (field_chars(tmp, extra))
		return -1;
	memcpy(out, tmp, n + 1);
	return 0;
}

static int set_key(struct cardsim_holder *h, const char *k, const char *v)
{
	if (!strcmp(k, "doc")) {
		h->doc = !strcmp(v, "td1") ? 1 : !strcmp(v, "td3") ? 3 : 0;
		return h->doc ? 0 : -1;
	}
	if (!strcmp(k, "access")) {
		h->access = !strcmp(v, "pace") ? CARDSIM_ACCESS_PACE :
			    !strcmp(v, "bac") ? CARDSIM_ACCESS_BAC :
			    !strcmp(v, "both") ?
			    CARDSIM_ACCESS_PACE | CARDSIM_ACCESS_BAC : 0;
		return h->access ? 0 : -1;
	}
	if (!strcmp(k, "can")) {
		if (strlen(v) != 6 || strspn(v, "0123456789") != 6)
			return -1;
		memcpy(h->can, v, 7);
		return 0;
	}
	if (!strcmp(k, "document_number"))
		return set_upper(v, h->document_number, 9, "");
	if (!strcmp(k, "issuing_state"))
		return set_upper(v, h->issuing_state, 3, "");
	if (!strcmp(k, "nationality"))
		return set_upper(v, h->nationality, 3, "");
	if (!strcmp(k, "surname"))
		return mrz_name(v, h->surname, sizeof h->surname);
	if (!strcmp(k, "given_names"))
		return mrz_name(v, h->given_names, sizeof h->given_names);
	if (!strcmp(k, "date_of_birth"))
		return mrz_date(v, h->date_of_birth);
	if (!strcmp(k, "date_of_expiry"))
		return mrz_date(v, h->date_of_expiry);
	if (!strcmp(k, "sex")) {
		if (strlen(v) != 1 || !strchr("MFXmfx", v[0]))
			return -1;
		h->sex = v[0] == 'X' || v[0] == 'x' ? '<' :
			 (char)toupper((unsigned char)v[0]);
		return 0;
	}
	return -2;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int cardsim_holder_load(const char *path, struct cardsim_holder *h,
			char *err, size_t errlen)
{
	size_t len;
	char *text = util_read_file(path, HOLDER_FILE_MAX, &len);
	char *line, *save = NULL;
	int lineno = 0, rc = -1;

	memset(h, 0, sizeof *h);
	if (!text) {
		snprintf(err, errlen, "cannot read %s", path);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq, *k, *v;
		int r;

		lineno++;
		k = trim(line);
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "line %d: no '='", lineno);
			goto out;
		}
		*eq = 0;
		k = trim(k);
		v = trim(eq + 1);
		r = set_key(h, k, v);
		if (r == -2) {
			snprintf(err, errlen, "line %d: unknown key %.40s",
				 lineno, k);
			goto out;
		}
		if (r) {
			snprintf(err, errlen, "line %d: invalid value for %s",
				 lineno, k);
			goto out;
		}
	}
	if (!h->doc || !h->access || !h->document_number[0] ||
	    !h->issuing_state[0] || !h->nationality[0] || !h->surname[0] ||
	    !h->date_of_birth[0] || !h->date_of_expiry[0] || !h->sex) {
		snprintf(err, errlen, "a key is missing (doc, access, "
			 "document_number, issuing_state, nationality, surname, "
			 "date_of_birth, date_of_expiry, sex are needed)");
		goto out;
	}
	if ((h->access & CARDSIM_ACCESS_PACE) && !h->can[0]) {
		snprintf(err, errlen, "access includes pace but can is missing");
		goto out;
	}
	rc = 0;
out:
	util_wipe(text, len);
	free(text);
	if (rc)
		util_wipe(h, sizeof *h);
	return rc;
}

/* ICAO 9303 part 3, 4.9: weights 7 3 1; digits, A-Z = 10-35, '<' = 0. */
static char check_digit(const char *s, size_t n)
{
	static const int w[3] = { 7, 3, 1 };
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = isdigit((unsigned char)s[i]) ? s[i] - '0' :
			isupper((unsigned char)s[i]) ? s[i] - 'A' + 10 : 0;
		sum += v * w[i % 3];
	}
	return (char)('0' + sum % 10);
}

static void put(char *dst, const char *src, size_t width)
{
	size_t n = strlen(src);

	memset(dst, '<', width);
	memcpy(dst, src, n < width ? n : width);
}

static void put_name(char *dst, const struct cardsim_holder *h,
		     size_t width)
{
	char name[160];

	snprintf(name, sizeof name, "%s<<%s", h->surname, h->given_names);
	put(dst, name, width);
	util_wipe(name, sizeof name);
}

int cardsim_mrz(const struct cardsim_holder *h, int bad_check_digit,
		char out[91])
{
	char cat[64];
	size_t n = 0;

	if (h->doc == 1) {
		char *l1 = out, *l2 = out + 30, *l3 = out + 60;

		memset(out, '<', 90);
		memcpy(l1, "ID", 2);
		put(l1 + 2, h->issuing_state, 3);
		put(l1 + 5, h->document_number, 9);
		l1[14] = check_digit(l1 + 5, 9);
		memcpy(l2, h->date_of_birth, 6);
		l2[6] = check_digit(l2, 6);
		l2[7] = h->sex;
		memcpy(l2 + 8, h->date_of_expiry, 6);
		l2[14] = check_digit(l2 + 8, 6);
		put(l2 + 15, h->nationality, 3);
		/* composite: line 1 from 6 to 30, line 2 1-7, 9-15, 19-29 */
		memcpy(cat + n, l1 + 5, 25); n += 25;
		memcpy(cat + n, l2, 7); n += 7;
		memcpy(cat + n, l2 + 8, 7); n += 7;
		memcpy(cat + n, l2 + 18, 11); n += 11;
		l2[29] = check_digit(cat, n);
		put_name(l3, h, 30);
		if (bad_check_digit)
			l2[6] = (char)('0' + (l2[6] - '0' + 1) % 10);
		out[90] = 0;
	} else {
		char *l1 = out, *l2 = out + 44;

		memset(out, '<', 88);
		memcpy(l1, "P<", 2);
		put(l1 + 2, h->issuing_state, 3);
		put_name(l1 + 5, h, 39);
		put(l2, h->document_number, 9);
		l2[9] = check_digit(l2, 9);
		put(l2 + 10, h->nationality, 3);
		memcpy(l2 + 13, h->date_of_birth, 6);
		l2[19] = check_digit(l2 + 13, 6);
		l2[20] = h->sex;
		memcpy(l2 + 21, h->date_of_expiry, 6);
		l2[27] = check_digit(l2 + 21, 6);
		l2[42] = check_digit(l2 + 28, 14);   /* personal number */
		/* composite: 1-10, 14-20, 22-43 */
		memcpy(cat + n, l2, 10); n += 10;
		memcpy(cat + n, l2 + 13, 7); n += 7;
		memcpy(cat + n, l2 + 21, 22); n += 22;
		l2[43] = check_digit(cat, n);
		if (bad_check_digit)
			l2[19] = (char)('0' + (l2[19] - '0' + 1) % 10);
		out[88] = 0;
	}
	util_wipe(cat, sizeof cat);
	return 0;
}
