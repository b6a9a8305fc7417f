/* test_mrz: MRZ parsing with check digits, composing, DG1, dates. The
 * specimen MRZs are ICAO 9303's (parts 4, 5 and 6: ERIKSSON ANNA MARIA of
 * Utopia) and the German ID card specimen (MUSTERMANN ERIKA), typed in. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/mrz.h"
#include "tests/unit/check.h"

static const char TD3[] =
	"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	"L898902C36UTO7408122F1204159ZE184226B<<<<<10";
static const char TD1[] =
	"I<UTOD231458907<<<<<<<<<<<<<<<"
	"7408122F1204159UTO<<<<<<<<<<<6"
	"ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
static const char TD2[] =
	"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
	"D231458907UTO7408122F1204159<<<<<<<6";
static const char DE_ID[] =
	"IDD<<T220001293<<<<<<<<<<<<<<<"
	"6408125<2010315D<<<<<<<<<<<<<4"
	"MUSTERMANN<<ERIKA<<<<<<<<<<<<<";

static void test_check_digit(void)
{
	CHECK_INT(mrz_check_digit("L898902C<", 9), '3');
	CHECK_INT(mrz_check_digit("690806", 6), '1');
	CHECK_INT(mrz_check_digit("940623", 6), '6');
	CHECK_INT(mrz_check_digit("D23145890734", 12), '9');
	CHECK_INT(mrz_check_digit("T22000129", 9), '3');
	CHECK_INT(mrz_check_digit("<<<<", 4), '0');
	CHECK_INT(mrz_check_digit("ab", 2), 0);
}

static void test_td3(void)
{
	struct mrz_fields f;
	char err[128];

	REQUIRE(mrz_parse(TD3, strlen(TD3), &f, err, sizeof err) == BK_OK);
	CHECK_INT(f.format, MRZ_TD3);
	CHECK_STR(f.document_type, "P");
	CHECK_STR(f.issuing_state, "UTO");
	CHECK_STR(f.surname, "ERIKSSON");
	CHECK_STR(f.given_names, "ANNA MARIA");
	CHECK_STR(f.document_number, "L898902C3");
	CHECK_STR(f.nationality, "UTO");
	CHECK_STR(f.date_of_birth, "740812");
	CHECK_INT(f.sex, 'F');
	CHECK_STR(f.date_of_expiry, "120415");
	CHECK_STR(f.optional1, "ZE184226B");
}

static void test_td1_td2(void)
{
	struct mrz_fields f;
	char err[128];

	REQUIRE(mrz_parse(TD1, strlen(TD1), &f, err, sizeof err) == BK_OK);
	CHECK_INT(f.format, MRZ_TD1);
	CHECK_STR(f.document_type, "I");
	CHECK_STR(f.document_number, "D23145890");
	CHECK_STR(f.surname, "ERIKSSON");
	CHECK_STR(f.given_names, "ANNA MARIA");
	CHECK_STR(f.nationality, "UTO");
	CHECK_STR(f.date_of_expiry, "120415");

	REQUIRE(mrz_parse(TD2, strlen(TD2), &f, err, sizeof err) == BK_OK);
	CHECK_INT(f.format, MRZ_TD2);
	CHECK_STR(f.document_number, "D23145890");
	CHECK_STR(f.given_names, "ANNA MARIA");

	REQUIRE(mrz_parse(DE_ID, strlen(DE_ID), &f, err, sizeof err) == BK_OK);
	CHECK_STR(f.document_type, "ID");
	CHECK_STR(f.issuing_state, "D");
	CHECK_STR(f.document_number, "T22000129");
	CHECK_STR(f.surname, "MUSTERMANN");
	CHECK_STR(f.given_names, "ERIKA");
	CHECK_STR(f.nationality, "D");
	CHECK_INT(f.sex, '<');
	CHECK_STR(f.date_of_birth, "640812");
	CHECK_STR(f.date_of_expiry, "201031");
}

/* Every check digit is validated and the message names the field, never
 * its value. */
static void test_wrong_digits(void)
{
	static const struct { const char *base; size_t pos; const char *word; } c[] = {
		{ TD3, 44 + 9, "document number" },
		{ TD3, 44 + 19, "date of birth" },
		{ TD3, 44 + 27, "date of expiry" },
		{ TD3, 44 + 42, "personal number" },
		{ TD3, 44 + 43, "composite" },
		{ TD1, 14, "document number" },
		{ TD1, 30 + 6, "date of birth" },
		{ TD1, 30 + 14, "date of expiry" },
		{ TD1, 30 + 29, "composite" },
		{ TD2, 36 + 35, "composite" },
		{ DE_ID, 30 + 6, "date of birth" },
	};
	struct mrz_fields f;
	char m[100], err[128];
	size_t i;

	for (i = 0; i < sizeof c / sizeof *c; i++) {
		strcpy(m, c[i].base);
		m[c[i].pos] = m[c[i].pos] == '9' ? '8' : (char)(m[c[i].pos] + 1);
		if (m[c[i].pos] == '=' || m[c[i].pos] == ':')
			m[c[i].pos] = '0';
		err[0] = 0;
		CHECK_INT(mrz_parse(m, strlen(m), &f, err, sizeof err), BK_ERR_INVALID);
		CHECK(strstr(err, c[i].word) != NULL);
		CHECK(strstr(err, "check digit") != NULL);
		CHECK_INT(f.surname[0], 0);   /* wiped */
	}
	/* a changed date with the old digit fails as well */
	strcpy(m, TD3);
	m[44 + 14] = '5';
	CHECK_INT(mrz_parse(m, strlen(m), &f, err, sizeof err), BK_ERR_INVALID);
	/* wrong length, bad characters, bad sex */
	CHECK_INT(mrz_parse(TD3, 87, &f, err, sizeof err), BK_ERR_INVALID);
	strcpy(m, TD3);
	m[10] = 'a';
	CHECK_INT(mrz_parse(m, strlen(m), &f, err, sizeof err), BK_ERR_INVALID);
	CHECK(strstr(err, "line 1") != NULL);
	strcpy(m, TD3);
	m[44 + 20] = 'Q';
	CHECK_INT(mrz_parse(m, strlen(m), &f, err, sizeof err), BK_ERR_INVALID);
}

static void test_compose(void)
{
	struct mrz_fields f, g;
	char out[100], err[128];

	REQUIRE(mrz_parse(TD3, strlen(TD3), &f, err, sizeof err) == BK_OK);
	REQUIRE(mrz_compose(&f, out, sizeof out, err, sizeof err) == BK_OK);
	CHECK_STR(out, TD3);
	REQUIRE(mrz_parse(TD1, strlen(TD1), &f, err, sizeof err) == BK_OK);
	REQUIRE(mrz_compose(&f, out, sizeof out, err, sizeof err) == BK_OK);
	CHECK_STR(out, TD1);
	REQUIRE(mrz_parse(DE_ID, strlen(DE_ID), &f, err, sizeof err) == BK_OK);
	REQUIRE(mrz_compose(&f, out, sizeof out, err, sizeof err) == BK_OK);
	CHECK_STR(out, DE_ID);

	/* from the emulator's kind of input: UTF-8 umlauts, lower case */
	memset(&f, 0, sizeof f);
	f.format = MRZ_TD1;
	strcpy(f.document_type, "ID");
	strcpy(f.issuing_state, "D");
	strcpy(f.document_number, "LZ1234567");
	strcpy(f.nationality, "D");
	strcpy(f.date_of_birth, "851231");
	f.sex = 'X';
	strcpy(f.date_of_expiry, "310101");
	strcpy(f.surname, "Müller-Lüdenscheidt");
	strcpy(f.given_names, "Jürgen Groß");
	REQUIRE(mrz_compose(&f, out, sizeof out, err, sizeof err) == BK_OK);
	CHECK_INT(strlen(out), 90);
	CHECK(memcmp(out + 60, "MUELLER<LUEDENSCHEIDT<<JUERGEN", 30) == 0);
	REQUIRE(mrz_parse(out, 90, &g, err, sizeof err) == BK_OK);
	CHECK_STR(g.surname, "MUELLER LUEDENSCHEIDT");
	CHECK_STR(g.given_names, "JUERGEN");   /* truncated to the field */
	CHECK_INT(g.sex, '<');
	f.format = MRZ_TD3;
	REQUIRE(mrz_compose(&f, out, sizeof out, err, sizeof err) == BK_OK);
	REQUIRE(mrz_parse(out, 88, &g, err, sizeof err) == BK_OK);
	CHECK_STR(g.given_names, "JUERGEN GROSS");
	CHECK_STR(g.document_number, "LZ1234567");
	CHECK_INT(out[44 + 42], '<');

	strcpy(f.surname, "Ñandú");
	CHECK_INT(mrz_compose(&f, out, sizeof out, err, sizeof err), BK_ERR_INVALID);
	strcpy(f.surname, "X");
	strcpy(f.document_number, "1234567890");
	CHECK_INT(mrz_compose(&f, out, sizeof out, err, sizeof err), BK_ERR_INVALID);
	CHECK(strstr(err, "document number") != NULL);
}

static void test_dg1(void)
{
	unsigned char dg1[128];
	struct mrz_fields f;
	char err[128];
	size_t n;

	n = mrz_dg1_encode(TD1, 90, dg1, sizeof dg1);
	CHECK_INT(n, 95);   /* 61 5D 5F1F 5A + 90 */
	CHECK_INT(dg1[0], 0x61);
	CHECK_INT(dg1[1], 0x5D);
	CHECK_INT(dg1[2], 0x5F);
	CHECK_INT(dg1[3], 0x1F);
	CHECK_INT(dg1[4], 0x5A);
	REQUIRE(mrz_parse_dg1(dg1, n, &f, err, sizeof err) == BK_OK);
	CHECK_STR(f.surname, "ERIKSSON");
	CHECK_INT(mrz_parse_dg1(dg1, n - 1, &f, err, sizeof err), BK_ERR_INVALID);
	dg1[0] = 0x62;
	CHECK_INT(mrz_parse_dg1(dg1, n, &f, err, sizeof err), BK_ERR_INVALID);
	n = mrz_dg1_encode(TD3, 88, dg1, sizeof dg1);
	REQUIRE(mrz_parse_dg1(dg1, n, &f, err, sizeof err) == BK_OK);
	CHECK_INT(mrz_dg1_encode(TD3, 88, dg1, 50), 0);
}

static void test_dates(void)
{
	struct tm tm = { 0 };
	time_t now;
	char out[11];

	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;
	tm.tm_mday = 25;
	tm.tm_hour = 12;
	now = mktime(&tm);
	CHECK_INT(mrz_date_iso("740812", 1, now, out), BK_OK);
	CHECK_STR(out, "1974-08-12");
	CHECK_INT(mrz_date_iso("101031", 1, now, out), BK_OK);
	CHECK_STR(out, "2010-10-31");
	CHECK_INT(mrz_date_iso("261125", 1, now, out), BK_OK);
	CHECK_STR(out, "2026-11-25");   /* born today */
	CHECK_INT(mrz_date_iso("261126", 1, now, out), BK_OK);
	CHECK_STR(out, "1926-11-26");   /* tomorrow is in the future */
	CHECK_INT(mrz_date_iso("991231", 0, now, out), BK_OK);
	CHECK_STR(out, "2099-12-31");
	CHECK_INT(mrz_date_iso("000229", 0, now, out), BK_OK);
	CHECK_INT(mrz_date_iso("010229", 0, now, out), BK_ERR_INVALID);
	CHECK_INT(mrz_date_iso("001301", 0, now, out), BK_ERR_INVALID);
	CHECK_INT(mrz_date_iso("000100", 0, now, out), BK_ERR_INVALID);
	CHECK_INT(mrz_date_iso("74<<<<", 1, now, out), BK_ERR_INVALID);
	CHECK_INT(mrz_date_from_iso("1985-12-31", out), BK_OK);
	CHECK_STR(out, "851231");
	CHECK_INT(mrz_date_from_iso("1985-1-31", out), BK_ERR_INVALID);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "check_digit", test_check_digit },
		{ "td3", test_td3 },
		{ "td1_td2", test_td1_td2 },
		{ "wrong_digits", test_wrong_digits },
		{ "compose", test_compose },
		{ "dg1", test_dg1 },
		{ "dates", test_dates },
		{ NULL, NULL },
	};
	return check_main(tests);
}
