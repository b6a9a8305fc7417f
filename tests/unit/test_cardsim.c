/*
 * test_cardsim — the card emulator (sim/cardsim) in-process, behind the
 * virtual: reader (drivers/card) and read with icao_read, no pcscd: the
 * fast counterpart of tests/integration/test_card_read.sh. Also the chip's
 * own rules: files locked before access control, 6300 for a wrong key,
 * 6988 for a broken MAC, and the MRZ composer against ICAO's TD1 specimen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "drivers/card/card.h"
#include "firmware/icao.h"
#include "firmware/icao_sm.h"
#include "firmware/util.h"
#include "sim/cardsim/cardsim.h"
#include "tests/unit/check.h"

static char dir[256], csca_dir[300], key_pem[300], cert_pem[300];

static void make_csca(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = NULL;
	FILE *f;

	check_tmpdir(dir);
	snprintf(csca_dir, sizeof csca_dir, "%s/csca", dir);
	snprintf(key_pem, sizeof key_pem, "%s/csca.key", dir);
	snprintf(cert_pem, sizeof cert_pem, "%s/csca/csca.pem", dir);
	if (!k || util_mkdir_p(csca_dir) ||
	    icao_pa_make_cert(k, "UT", "Test CSCA", NULL, NULL, &x) != BK_OK)
		abort();
	f = fopen(key_pem, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = fopen(cert_pem, "w");
	PEM_write_X509(f, x);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(k);
}

static struct cardsim_holder id_card(void)
{
	struct cardsim_holder h = {
		.doc = 1, .access = CARDSIM_ACCESS_PACE, .can = "314159",
		.document_number = "T22000129", .issuing_state = "D",
		.nationality = "D", .surname = "MUSTERMANN",
		.given_names = "ERIKA", .date_of_birth = "640812",
		.date_of_expiry = "311031", .sex = 'F',
	};
	return h;
}

static struct cardsim_holder passport(int access)
{
	struct cardsim_holder h = {
		.doc = 3, .access = access, .can = "271828",
		.document_number = "L898902C3", .issuing_state = "UTO",
		.nationality = "UTO", .surname = "ERIKSSON",
		.given_names = "ANNA<MARIA", .date_of_birth = "740812",
		.date_of_expiry = "320415", .sex = 'F',
	};
	return h;
}

/* The virtual reader with the emulator on it; pulled after pull APDUs
 * when pull >= 0. */
struct rig {
	struct cardsim *card;
	struct card_reader *reader;
	long pull, seen;
};

static int pulling_cb(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
		      size_t cap, size_t *rlen)
{
	struct rig *r = ctx;

	if (r->pull >= 0 && r->seen++ >= r->pull) {
		card_virtual_remove();
		return -1;
	}
	return cardsim_apdu_cb(r->card, cmd, n, resp, cap, rlen);
}

static void reset_cb(void *ctx)
{
	cardsim_reset_cb(((struct rig *)ctx)->card);
}

static bk_err transmit(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
		       size_t cap, size_t *rlen, char *err, size_t errlen)
{
	card_err rc = card_transmit(ctx, cmd, n, resp, cap, rlen, err, errlen);

	return rc == CARD_OK ? BK_OK :
	       rc == CARD_REMOVED || rc == CARD_NO_CARD ? BK_ERR_REMOVED :
	       BK_ERR_IO;
}

static int rig_up(struct rig *r, const struct cardsim_holder *h,
		  int forge, int bad_cd, long pull)
{
	struct cardsim_opts o = { key_pem, cert_pem, forge, bad_cd };
	struct card_virtual_card vc = { 0 };
	struct card_info info;
	uint8_t atr[33];
	char err[256];

	memset(r, 0, sizeof *r);
	r->pull = pull;
	r->card = cardsim_create(h, &o, err, sizeof err);
	if (!r->card || card_open(&r->reader, "virtual:", err, sizeof err))
		return -1;
	vc.ctx = r;
	vc.apdu = pulling_cb;
	vc.atr = atr;
	vc.atr_len = cardsim_atr(atr);
	vc.reset = reset_cb;
	card_virtual_insert(&vc);
	return card_connect(r->reader, &info, err, sizeof err) ? -1 : 0;
}

static void rig_down(struct rig *r)
{
	card_disconnect(r->reader);
	card_virtual_remove();
	card_close(r->reader);
	cardsim_destroy(r->card);
}

static bk_err read_doc(struct rig *r, const struct icao_access *a,
		       const char *csca, struct icao_document *d,
		       struct icao_stats *st)
{
	struct icao_transport t = { r->reader, transmit, 1 };
	char err[256];

	return icao_read(&t, a, csca, d, st, err, sizeof err);
}

static struct icao_access can_access(const char *can)
{
	struct icao_access a = { .kind = ICAO_ACCESS_CAN };

	snprintf(a.can, sizeof a.can, "%s", can);
	return a;
}

static struct icao_access mrz_access(const char *docno, const char *dob,
				     const char *doe)
{
	struct icao_access a = { .kind = ICAO_ACCESS_MRZ };

	snprintf(a.document_number, sizeof a.document_number, "%s", docno);
	memcpy(a.date_of_birth, dob, 7);
	memcpy(a.date_of_expiry, doe, 7);
	return a;
}

static void test_id_card_pace_can(void)
{
	struct cardsim_holder h = id_card();
	struct icao_access a = can_access("314159");
	struct icao_document d;
	struct icao_stats st;
	struct rig r;

	REQUIRE(rig_up(&r, &h, 0, 0, -1) == 0);
	CHECK_INT(read_doc(&r, &a, csca_dir, &d, &st), BK_OK);
	CHECK_STR(d.document_type, "ID");
	CHECK_STR(d.issuing_state, "D");
	CHECK_STR(d.document_number, "T22000129");
	CHECK_STR(d.surname, "MUSTERMANN");
	CHECK_STR(d.given_names, "ERIKA");
	CHECK_STR(d.nationality, "D");
	CHECK_STR(d.date_of_birth, "1964-08-12");
	CHECK_STR(d.sex, "F");
	CHECK_STR(d.date_of_expiry, "2031-10-31");
	CHECK_INT(d.passive_auth, ICAO_PA_VERIFIED);
	CHECK_STR(st.method, "PACE");
	CHECK_INT(st.apdus, 10);
	CHECK_INT(cardsim_apdu_count(r.card), 10);
	/* no CSCA: the same card reads, flagged */
	CHECK_INT(read_doc(&r, &a, NULL, &d, &st), BK_OK);
	CHECK_INT(d.passive_auth, ICAO_PA_NO_CSCA);
	icao_document_wipe(&d);
	rig_down(&r);
}

static void test_wrong_can_then_right(void)
{
	struct cardsim_holder h = id_card();
	struct icao_access bad = can_access("314158"), good = can_access("314159");
	struct icao_document d;
	struct rig r;

	REQUIRE(rig_up(&r, &h, 0, 0, -1) == 0);
	CHECK_INT(read_doc(&r, &bad, csca_dir, &d, NULL), BK_ERR_ACCESS);
	CHECK_STR(d.surname, "");
	CHECK_INT(read_doc(&r, &good, csca_dir, &d, NULL), BK_OK);
	CHECK_STR(d.surname, "MUSTERMANN");
	icao_document_wipe(&d);
	rig_down(&r);
}

static void test_passports(void)
{
	struct cardsim_holder bac = passport(CARDSIM_ACCESS_BAC),
			      pace = passport(CARDSIM_ACCESS_PACE |
					      CARDSIM_ACCESS_BAC);
	struct icao_access a = mrz_access("L898902C3", "740812", "320415"),
			   wrong = mrz_access("L898902C3", "740812", "320416");
	struct icao_document d;
	struct icao_stats st;
	struct rig r;

	REQUIRE(rig_up(&r, &bac, 0, 0, -1) == 0);
	CHECK_INT(read_doc(&r, &a, csca_dir, &d, &st), BK_OK);
	CHECK_STR(st.method, "BAC");
	CHECK_STR(d.document_type, "P");
	CHECK_STR(d.given_names, "ANNA MARIA");
	CHECK_STR(d.date_of_expiry, "2032-04-15");
	CHECK_INT(d.passive_auth, ICAO_PA_VERIFIED);
	CHECK_INT(read_doc(&r, &wrong, csca_dir, &d, NULL), BK_ERR_ACCESS);
	rig_down(&r);

	REQUIRE(rig_up(&r, &pace, 0, 0, -1) == 0);
	CHECK_INT(read_doc(&r, &a, csca_dir, &d, &st), BK_OK);
	CHECK_STR(st.method, "PACE");
	CHECK_STR(d.surname, "ERIKSSON");
	CHECK_INT(read_doc(&r, &wrong, csca_dir, &d, NULL), BK_ERR_ACCESS);
	icao_document_wipe(&d);
	rig_down(&r);
}

static void test_faults(void)
{
	struct cardsim_holder h = id_card();
	struct icao_access a = can_access("314159");
	struct icao_document d;
	struct rig r;

	REQUIRE(rig_up(&r, &h, 1, 0, -1) == 0);      /* forged SOD */
	CHECK_INT(read_doc(&r, &a, csca_dir, &d, NULL), BK_ERR_AUTH);
	CHECK_STR(d.surname, "");
	CHECK_INT(read_doc(&r, &a, NULL, &d, NULL), BK_ERR_AUTH);
	rig_down(&r);

	REQUIRE(rig_up(&r, &h, 0, 1, -1) == 0);      /* bad check digit */
	CHECK_INT(read_doc(&r, &a, csca_dir, &d, NULL), BK_ERR_INVALID);
	CHECK_STR(d.surname, "");
	rig_down(&r);

	for (long pull = 0; pull < 10; pull++) {     /* pulled at each APDU */
		REQUIRE(rig_up(&r, &h, 0, 0, pull) == 0);
		CHECK_INT(read_doc(&r, &a, csca_dir, &d, NULL),
			  BK_ERR_REMOVED);
		CHECK_STR(d.surname, "");
		rig_down(&r);
	}
}

static size_t tx(struct cardsim *c, const char *hex, uint8_t *resp)
{
	uint8_t apdu[300];
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;

		sscanf(hex, "%2x", &v);
		apdu[n++] = (uint8_t)v;
	}
	return cardsim_transmit(c, apdu, n, resp);
}

static int sw(const uint8_t *r, size_t n)
{
	return r[n - 2] << 8 | r[n - 1];
}

static void test_chip_rules(void)
{
	struct cardsim_holder h = passport(CARDSIM_ACCESS_BAC);
	struct cardsim_opts o = { key_pem, cert_pem, 0, 0 };
	uint8_t r[CARDSIM_RESP_MAX], ks[16], cmd[46] = { 0, 0x82, 0, 0, 0x28 };
	uint8_t prot[300], plain[300];
	struct icao_bac bac;
	struct icao_sm sm;
	char err[200];
	size_t n, pn;
	struct cardsim *c = cardsim_create(&h, &o, err, sizeof err);

	REQUIRE(c);
	/* a BAC-only passport has no EF.CardAccess */
	n = tx(c, "00B09C0000", r);
	CHECK_INT(sw(r, n), 0x6A82);
	n = tx(c, "00A4040C07A0000002471001", r);
	CHECK_INT(sw(r, n), 0x9000);
	/* DG1 is locked before BAC */
	n = tx(c, "00B0810000", r);
	CHECK_INT(sw(r, n), 0x6982);
	CHECK_INT(n, 2);
	/* EXTERNAL AUTHENTICATE without a challenge, then with a wrong key */
	n = cardsim_transmit(c, cmd, sizeof cmd, r);   /* zeros */
	CHECK_INT(sw(r, n), 0x6985);
	n = tx(c, "0084000008", r);
	REQUIRE(n == 10);
	icao_bac_kseed("L898902C3", "740812", "320416", ks);
	icao_bac_init(&bac, ks);
	memcpy(bac.rnd_icc, r, 8);
	icao_bac_terminal_cmd(&bac, cmd + 5);
	cmd[45] = 0x28;
	n = cardsim_transmit(c, cmd, sizeof cmd, r);
	CHECK_INT(n, 2);
	CHECK_INT(sw(r, n), 0x6300);
	/* the right key: a session; a tampered MAC ends it with 6988 */
	n = tx(c, "0084000008", r);
	REQUIRE(n == 10);
	icao_bac_kseed("L898902C3", "740812", "320415", ks);
	icao_bac_init(&bac, ks);
	memcpy(bac.rnd_icc, r, 8);
	icao_bac_terminal_cmd(&bac, cmd + 5);
	n = cardsim_transmit(c, cmd, sizeof cmd, r);
	REQUIRE(n == 42 && sw(r, n) == 0x9000);
	REQUIRE(icao_bac_terminal_finish(&bac, r, &sm) == BK_OK);
	REQUIRE(icao_sm_protect_command(&sm, (const uint8_t *)"\x00\xB0\x81\x00\x00",
					5, prot, sizeof prot, &pn) == BK_OK);
	n = cardsim_transmit(c, prot, pn, r);
	REQUIRE(icao_sm_unprotect_response(&sm, r, n, plain, sizeof plain,
					   &pn) == BK_OK);
	CHECK_INT(sw(plain, pn), 0x9000);
	CHECK_INT(plain[0], 0x61);
	REQUIRE(icao_sm_protect_command(&sm, (const uint8_t *)"\x00\xB0\x81\x00\x00",
					5, prot, sizeof prot, &pn) == BK_OK);
	prot[pn - 2] ^= 1;                            /* inside DO'8E' */
	n = cardsim_transmit(c, prot, pn, r);
	CHECK_INT(n, 2);
	CHECK_INT(sw(r, n), 0x6988);
	/* the session is over: DG1 is locked again */
	n = tx(c, "00B0810000", r);
	CHECK_INT(sw(r, n), 0x6982);
	icao_sm_wipe(&sm);
	icao_bac_wipe(&bac);
	cardsim_destroy(c);
}

static void test_mrz_specimen(void)
{
	/* ICAO 9303 part 5 TD1 specimen; the document code is ID, not I< */
	struct cardsim_holder h = {
		.doc = 1, .access = CARDSIM_ACCESS_PACE, .can = "000000",
		.document_number = "D23145890", .issuing_state = "UTO",
		.nationality = "UTO", .surname = "ERIKSSON",
		.given_names = "ANNA<MARIA", .date_of_birth = "740812",
		.date_of_expiry = "120415", .sex = 'F',
	};
	char mrz[91];

	CHECK_INT(cardsim_mrz(&h, 0, mrz), 0);
	CHECK_STR(mrz, "IDUTOD231458907<<<<<<<<<<<<<<<"
		       "7408122F1204159UTO<<<<<<<<<<<6"
		       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
	CHECK_INT(cardsim_mrz(&h, 1, mrz), 0);
	CHECK(mrz[36] != '2');                        /* the birth date's */
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "id_card_pace_can", test_id_card_pace_can },
		{ "wrong_can_then_right", test_wrong_can_then_right },
		{ "passports", test_passports },
		{ "faults", test_faults },
		{ "chip_rules", test_chip_rules },
		{ "mrz_specimen", test_mrz_specimen },
		{ NULL, NULL },
	};
	int rc;

	make_csca();
	rc = check_main(tests);
	check_rmtree(dir);
	return rc;
}
