/*
 * test_escpos.c — the ESC/POS encoder: exact command bytes, PC858 mapping,
 * broken UTF-8, command injection through a field, wrapping.
 */
#include "check.h"
#include "drivers/printer/printer.h"

#include <stdlib.h>

static const unsigned char job_head[] = {
	0x1B, 0x40, 0x1C, 0x2E, 0x1B, 0x74, 0x13, 0x1B, 0x52, 0x00,
	0x1B, 0x61, 0x01, 0x1B, 0x45, 0x01,
};
static const unsigned char job_tail[] = {
	0x1B, 0x64, 0x03, 0x1D, 0x56, 0x42, 0x00,
};

/* Offset of needle in hay, or -1. */
static long find(const unsigned char *hay, size_t len, const void *needle,
		 size_t nlen)
{
	for (size_t i = 0; nlen <= len && i <= len - nlen; i++) {
		if (!memcmp(hay + i, needle, nlen))
			return (long)i;
	}
	return -1;
}

static size_t count_byte(const unsigned char *p, size_t len, unsigned char b)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == b;
	return n;
}

static const struct printer_ticket sample = {
	.office = "Bürgerbüro Musterstadt",
	.number = "A001",
	.service = "Personalausweis",
	.ahead_line = "Vor Ihnen: 3",
	.when = "25.11.2026 18:40",
	.footer = "Bitte warten Sie, bis Ihre Nummer aufgerufen wird.",
};

static void test_init_codepage_cut(void)
{
	unsigned char *job = NULL;
	size_t len = 0;
	static const unsigned char number[] = {
		0x1D, 0x21, 0x33, 0x1B, 0x45, 0x01, 'A', '0', '0', '1', 0x0A,
		0x1B, 0x45, 0x00, 0x1D, 0x21, 0x00,
	};
	static const unsigned char office[] = {
		'B', 0x81, 'r', 'g', 'e', 'r', 'b', 0x81, 'r', 'o', ' ', 'M',
	};

	REQUIRE(escpos_render_ticket(&sample, 80, &job, &len) == 0);
	REQUIRE(job && len > sizeof job_head + sizeof job_tail);
	CHECK(!memcmp(job, job_head, sizeof job_head));
	CHECK(!memcmp(job + len - sizeof job_tail, job_tail,
		      sizeof job_tail));
	CHECK(find(job, len, number, sizeof number) > 0);
	CHECK_INT(find(job, len, office, sizeof office), sizeof job_head);
	CHECK(find(job, len, "Vor Ihnen: 3\n", 13) > 0);
	CHECK(find(job, len, "25.11.2026 18:40\n", 17) > 0);
	free(job);
}

static void test_umlauts(void)
{
	static const unsigned char want[] = {
		0x84, 0x94, 0x81, 0x8E, 0x99, 0x9A, 0xE1, 0xD5,
	};
	unsigned char out[64];
	size_t n;

	n = escpos_utf8_to_pc858("äöüÄÖÜß€", out, sizeof out);
	CHECK_INT(n, sizeof want);
	CHECK(!memcmp(out, want, sizeof want));

	n = escpos_utf8_to_pc858("éèàçñ£", out, sizeof out);
	CHECK_INT(n, 6);
	CHECK(!memcmp(out, "\x82\x8a\x85\x87\xa4\x9c", 6));

	/* U+0131 sits at D5 in CP850, which PC858 gave to the euro. */
	n = escpos_utf8_to_pc858("ı", out, sizeof out);
	CHECK_INT(n, 1);
	CHECK_INT(out[0], '?');

	/* Outside the code page: Turkish ğ, Cyrillic, Arabic, an emoji. */
	n = escpos_utf8_to_pc858("ğЖع😀", out, sizeof out);
	CHECK_INT(n, 4);
	CHECK(!memcmp(out, "????", 4));

	/* Typographic quotes and dashes; NFD umlaut keeps its letter. */
	n = escpos_utf8_to_pc858("„a“–u\xcc\x88", out, sizeof out);
	CHECK_INT(n, 5);
	CHECK(!memcmp(out, "\"a\"-u", 5));
}

static void test_invalid_utf8(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a\xc0\xaf" "b", "a??b" },          /* overlong '/' */
		{ "\xe0\x80\xaf", "???" },            /* overlong, 3 bytes */
		{ "\xed\xa0\x80x", "???x" },          /* surrogate D800 */
		{ "\xe2\x82" "A", "?A" },             /* truncated euro */
		{ "\xe2\x82", "?" },                  /* truncated at end */
		{ "\xf4\x90\x80\x80", "????" },       /* above U+10FFFF */
		{ "\x80\xbf", "??" },                 /* stray continuations */
		{ "\xff\xfe", "??" },
		{ "\xc3", "?" },
	};
	unsigned char out[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = escpos_utf8_to_pc858(cases[i].in, out,
						sizeof out - 1);
		out[n] = '\0';
		CHECK_STR((const char *)out, cases[i].want);
	}
}

static void test_outlen_respected(void)
{
	unsigned char out[8];

	memset(out, 0xAA, sizeof out);
	CHECK_INT(escpos_utf8_to_pc858("äöüäöü", out, 4), 4);
	CHECK_INT(out[3], 0x84);
	CHECK_INT(out[4], 0xAA);
	CHECK_INT(escpos_utf8_to_pc858("abc", out, 0), 0);
	CHECK_INT(escpos_utf8_to_pc858(NULL, out, sizeof out), 0);
}

static void test_control_chars_cannot_inject(void)
{
	struct printer_ticket t = sample;
	unsigned char *clean = NULL, *dirty = NULL, out[32];
	size_t clean_len = 0, dirty_len = 0, n;
	static const unsigned char cmd_bytes[] = { 0x1B, 0x1C, 0x1D, 0x10 };

	/* ESC @, GS V (cut), DLE EOT, a C1 CSI and DEL inside fields. */
	n = escpos_utf8_to_pc858("A\x1b@B\x1dV\x10\x04\xc2\x9b\x7f\tC", out,
				 sizeof out);
	CHECK_INT(n, 12);
	CHECK(!memcmp(out, "A?@B?V\?\?\?\?\?C", 12));

	REQUIRE(escpos_render_ticket(&t, 80, &clean, &clean_len) == 0);
	t.office = "Amt\x1b@";
	t.number = "\x1dV\x41";
	t.service = "Pass\x1b" "d\x09";
	t.footer = "\x1c&\x10\x04\x01\n\r";
	REQUIRE(escpos_render_ticket(&t, 80, &dirty, &dirty_len) == 0);
	for (size_t i = 0; i < sizeof cmd_bytes; i++)
		CHECK_INT(count_byte(dirty, dirty_len, cmd_bytes[i]),
			  count_byte(clean, clean_len, cmd_bytes[i]));
	CHECK(find(dirty, dirty_len, "Amt?@\n", 6) > 0);
	CHECK(find(dirty, dirty_len, "Pass?d?\n", 8) > 0);
	free(clean);
	free(dirty);
}

static void test_wrap_on_character_boundary(void)
{
	struct printer_ticket t = { .number = "7" };
	unsigned char *job = NULL, line[34];
	char longfield[40 * 2 + 1] = "";
	size_t len = 0;
	long at;

	for (int i = 0; i < 40; i++)
		strcat(longfield, "Ä");
	t.service = longfield;
	REQUIRE(escpos_render_ticket(&t, 58, &job, &len) == 0);
	memset(line, 0x8E, 33);
	CHECK(find(job, len, line, 33) < 0);   /* never 33 wide */
	line[32] = '\n';
	at = find(job, len, line, 33);
	CHECK(at > 0);
	/* The rest: exactly 8 Ä then LF. */
	if (at > 0) {
		CHECK(!memcmp(job + at + 33, line, 8));
		CHECK_INT(job[at + 33 + 8], '\n');
	}
	CHECK_INT(count_byte(job, len, 0x8E), 40);
	free(job);

	/* Words break at the last space that fits: 48 columns on 80 mm,
	 * here a line of exactly 48 followed by a space. */
	t.service = "Anmeldung einer Wohnung nach Umzug innerhalb der "
		    "Stadt mit Meldebescheinigung";
	REQUIRE(escpos_render_ticket(&t, 80, &job, &len) == 0);
	CHECK(find(job, len, "Anmeldung einer Wohnung nach Umzug innerhalb "
		   "der\nStadt mit Meldebescheinigung\n", 78) > 0);
	free(job);
	t.service = "Personalausweis und Reisepass beantragen";
	REQUIRE(escpos_render_ticket(&t, 58, &job, &len) == 0);
	CHECK(find(job, len, "Personalausweis und Reisepass\nbeantragen\n",
		   41) > 0);
	free(job);

	/* At most three lines of a field; more is dropped. */
	char huge[401];
	memset(huge, 'x', 400);
	huge[400] = '\0';
	t.service = huge;
	REQUIRE(escpos_render_ticket(&t, 58, &job, &len) == 0);
	memset(line, 'x', 32);
	CHECK(find(job, len, line, 32) > 0);
	CHECK_INT(count_byte(job, len, 'x'), 96);
	free(job);
}

static void test_number_size(void)
{
	struct printer_ticket t = { .number = "B123456789" };
	unsigned char *job = NULL;
	size_t len = 0;

	/* 10 characters: 4x fits 48 columns (12), not 32 (8). */
	REQUIRE(escpos_render_ticket(&t, 80, &job, &len) == 0);
	CHECK(find(job, len, "\x1d!\x33\x1b" "E\x01" "B123456789\n", 17) > 0);
	free(job);
	REQUIRE(escpos_render_ticket(&t, 58, &job, &len) == 0);
	CHECK(find(job, len, "\x1d!\x11\x1b" "E\x01" "B123456789\n", 17) > 0);
	free(job);

	/* Only the number: no crash, same skeleton. */
	t.number = NULL;
	REQUIRE(escpos_render_ticket(&t, 80, &job, &len) == 0);
	CHECK(!memcmp(job, job_head, sizeof job_head));
	free(job);
	CHECK_INT(escpos_render_ticket(NULL, 80, &job, &len), -1);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "init_codepage_cut", test_init_codepage_cut },
		{ "umlauts", test_umlauts },
		{ "invalid_utf8", test_invalid_utf8 },
		{ "outlen_respected", test_outlen_respected },
		{ "control_chars_cannot_inject",
		  test_control_chars_cannot_inject },
		{ "wrap_on_character_boundary",
		  test_wrap_on_character_boundary },
		{ "number_size", test_number_size },
		{ NULL, NULL },
	};

	return check_main(tests);
}
