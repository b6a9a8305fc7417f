/*
 * bookingcode.c — typed and scanned booking codes; formats and the
 * artefacts undone are listed in bookingcode.h.
 */
#include "firmware/bookingcode.h"

#include <stdio.h>
#include <string.h>

/* Decodes one UTF-8 sequence at s[*i] (n bytes); -1 when malformed. */
static int64_t utf8_next(const char *s, size_t n, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = n - *i;
	uint32_t cp;
	int len;

	if (p[0] < 0x80) {
		*i += 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		cp = p[0] & 0x1F;
		len = 2;
	} else if ((p[0] & 0xF0) == 0xE0) {
		cp = p[0] & 0x0F;
		len = 3;
	} else if ((p[0] & 0xF8) == 0xF0) {
		cp = p[0] & 0x07;
		len = 4;
	} else {
		return -1;
	}
	if (left < (size_t)len)
		return -1;
	for (int k = 1; k < len; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[k] & 0x3F);
	}
	/* overlong forms and surrogates are not characters anyone typed */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i += (size_t)len;
	return cp;
}

static int dropped(uint32_t cp)
{
	return cp == ' ' || cp == '-' || cp == '.' || cp == '/' || cp == '\t' ||
	       cp == 0xA0 /* no-break space from a copied text */;
}

int bookingcode_code_char(uint32_t cp)
{
	if (dropped(cp))
		return 0;
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	if (cp > 0x7f || cp == 0)
		return -1;
	return strchr(BOOKINGCODE_ALPHABET, (int)cp) ? (int)cp : -1;
}

int bookingcode_process_char(uint32_t cp)
{
	if (dropped(cp))
		return 0;
	if (cp >= '0' && cp <= '9')
		return (int)cp;
	if (cp == 'O' || cp == 'o')
		return '0';
	if (cp == 'I' || cp == 'i' || cp == 'l' || cp == 'L')
		return '1';
	return -1;
}

/* Normalises typed through map() into out (min..max characters). */
static bk_err normalise(const char *typed, size_t n, int (*map)(uint32_t),
			size_t min, size_t max, char *out)
{
	size_t i = 0, o = 0;

	out[0] = '\0';
	if (!typed || n > BOOKINGCODE_INPUT_MAX)
		return BK_ERR_INVALID;
	while (i < n) {
		int64_t cp = utf8_next(typed, n, &i);
		int c;

		if (cp < 0 || (c = map((uint32_t)cp)) < 0 || o + (c > 0) > max)
			goto bad;
		if (c > 0)
			out[o++] = (char)c;
	}
	if (o < min)
		goto bad;
	out[o] = '\0';
	return BK_OK;
bad:
	out[0] = '\0';
	return BK_ERR_INVALID;
}

bk_err bookingcode_normalise_process(const char *typed,
				     char out[BOOKINGCODE_PROCESS_LEN + 1])
{
	return normalise(typed, typed ? strnlen(typed, BOOKINGCODE_INPUT_MAX + 1)
				      : 0,
			 bookingcode_process_char, BOOKINGCODE_PROCESS_LEN,
			 BOOKINGCODE_PROCESS_LEN, out);
}

bk_err bookingcode_normalise_code(const char *typed,
				  char out[BOOKINGCODE_CODE_MAX + 1])
{
	return normalise(typed, typed ? strnlen(typed, BOOKINGCODE_INPUT_MAX + 1)
				      : 0,
			 bookingcode_code_char, BOOKINGCODE_CODE_MIN,
			 BOOKINGCODE_CODE_MAX, out);
}

/* The separators a scanner may type for ':' and whether they mean that
 * Y and Z were swapped (bookingcode.h). -1: not a separator. */
static int separator(int64_t cp)
{
	switch (cp) {
	case ':':
	case ';':
		return 0;
	case 0xD6: /* Ö: US-layout scanner, German host */
	case 0xF6: /* ö: the same with Caps Lock */
	case '>':  /* German-layout scanner, US host */
		return 1;
	default:
		return -1;
	}
}

bk_err bookingcode_parse_qr(const char *payload, size_t len,
			    struct bookingcode *out)
{
	static const char prefix[] = BOOKINGCODE_QR_PREFIX;
	size_t i = 0, o = 0;
	int swap = -1, field = 0; /* 0 prefix, 1 process, 2 code */
	char pre[sizeof prefix] = "";

	memset(out, 0, sizeof *out);
	if (!payload || len > BOOKINGCODE_INPUT_MAX)
		return BK_ERR_INVALID;
	/* surrounding white space, and the scanner's suffix */
	while (len > 0 && (payload[len - 1] == '\r' || payload[len - 1] == '\n' ||
			   payload[len - 1] == '\t' || payload[len - 1] == ' '))
		len--;
	while (i < len && (payload[i] == ' ' || payload[i] == '\t'))
		i++;
	while (i < len) {
		int64_t cp = utf8_next(payload, len, &i);
		int sep = separator(cp);

		if (cp < 0)
			goto bad;
		if (sep >= 0) {
			if ((swap >= 0 && sep != swap) || field == 2)
				goto bad;
			swap = sep;
			if (field == 0 && (o != sizeof prefix - 1 ||
					   strcmp(pre, prefix)))
				goto bad;
			if (field == 1 && o != BOOKINGCODE_PROCESS_LEN)
				goto bad;
			field++;
			o = 0;
			continue;
		}
		if (cp >= 'a' && cp <= 'z')
			cp -= 'a' - 'A';
		if (field == 0) {
			if (o >= sizeof prefix - 1)
				goto bad;
			pre[o++] = (char)(cp > 0x7f ? '?' : cp);
			pre[o] = '\0';
		} else if (field == 1) {
			if (cp < '0' || cp > '9' || o >= BOOKINGCODE_PROCESS_LEN)
				goto bad;
			out->process[o++] = (char)cp;
		} else {
			if (swap == 1 && (cp == 'Y' || cp == 'Z'))
				cp = cp == 'Y' ? 'Z' : 'Y';
			if (cp > 0x7f || cp == 0 || o >= BOOKINGCODE_CODE_MAX ||
			    !strchr(BOOKINGCODE_ALPHABET, (int)cp))
				goto bad;
			out->code[o++] = (char)cp;
		}
	}
	if (field != 2 || o < BOOKINGCODE_CODE_MIN)
		goto bad;
	return BK_OK;
bad:
	memset(out, 0, sizeof *out);
	return BK_ERR_INVALID;
}

bk_err bookingcode_make_qr(const struct bookingcode *bc,
			   char out[BOOKINGCODE_QR_MAX])
{
	char p[BOOKINGCODE_PROCESS_LEN + 1], c[BOOKINGCODE_CODE_MAX + 1];

	out[0] = '\0';
	if (bookingcode_normalise_process(bc->process, p) ||
	    bookingcode_normalise_code(bc->code, c) ||
	    strcmp(p, bc->process) || strcmp(c, bc->code))
		return BK_ERR_INVALID;
	snprintf(out, BOOKINGCODE_QR_MAX, "%s:%s:%s", BOOKINGCODE_QR_PREFIX, p,
		 c);
	return BK_OK;
}
