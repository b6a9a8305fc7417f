/* test_icao_sm: BAC and secure messaging against the worked example of ICAO
 * Doc 9303 part 11, appendix D (D.2 keys, D.3 mutual authentication and
 * session keys, D.4 protected SELECT / READ BINARY and their responses).
 * The hex below is the standard's published numbers, not our output. */
#include <stdlib.h>
#include <string.h>

#include "firmware/icao_sm.h"
#include "tests/unit/check.h"

static size_t hex(const char *h, uint8_t *out)
{
	size_t n = 0;

	while (h[0] && h[1]) {
		unsigned v;

		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

#define CHECK_HEX(buf, len, h) do { \
	uint8_t exp_[512]; size_t n_ = hex((h), exp_); \
	CHECK_INT((len), n_); \
	CHECK(n_ == (size_t)(len) && memcmp((buf), exp_, n_) == 0); \
} while (0)

/* D.1/D.2: MRZ information L898902C<3 690806 1 940623 6 */
static void test_kseed_and_keys(void)
{
	uint8_t kseed[16], k[16];

	CHECK_INT(icao_bac_kseed("L898902C<", "690806", "940623", kseed), BK_OK);
	CHECK_HEX(kseed, 16, "239AB9CB282DAF66231DC5A4DF6BFBAE");
	/* without the filler the same seed (padded to 9) */
	CHECK_INT(icao_bac_kseed("L898902C", "690806", "940623", k), BK_OK);
	CHECK(memcmp(k, kseed, 16) == 0);
	icao_bac_derive(kseed, 16, 1, k);
	CHECK_HEX(k, 16, "AB94FDECF2674FDFB9B391F85D7F76F2");
	icao_bac_derive(kseed, 16, 2, k);
	CHECK_HEX(k, 16, "7962D9ECE03D1ACD4C76089DCE131543");
	CHECK_INT(icao_bac_kseed("L89890?C", "690806", "940623", k), BK_ERR_INVALID);
	CHECK_INT(icao_bac_kseed("L898902C", "6908", "940623", k), BK_ERR_INVALID);
}

static void bac_example(struct icao_bac *b)
{
	uint8_t kseed[16];

	hex("239AB9CB282DAF66231DC5A4DF6BFBAE", kseed);
	icao_bac_init(b, kseed);
	hex("4608F91988702212", b->rnd_icc);
	hex("781723860C06C226", b->rnd_ifd);
	hex("0B795240CB7049B01C19B33E32804F0B", b->k_ifd);
}

/* D.3: E_IFD || M_IFD, the card's E_ICC || M_ICC, session keys and SSC */
static void test_mutual_auth_terminal(void)
{
	struct icao_bac b;
	struct icao_sm sm;
	uint8_t cmd[40], resp[40];

	bac_example(&b);
	icao_bac_terminal_cmd(&b, cmd);
	CHECK_HEX(cmd, 40, "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
			   "5F1448EEA8AD90A7");
	hex("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
	    "2F2D235D074D7449", resp);
	REQUIRE(icao_bac_terminal_finish(&b, resp, &sm) == BK_OK);
	CHECK_HEX(b.k_icc, 16, "0B4F80323EB3191CB04970CB4052790B");
	CHECK_INT(sm.alg, ICAO_SM_3DES);
	CHECK_HEX(sm.kenc, 16, "979EC13B1CBFE9DCD01AB0FED307EAE5");
	CHECK_HEX(sm.kmac, 16, "F1CB1F1FB5ADF208806B89DC579DC1F8");
	CHECK_HEX(sm.ssc, 8, "887022120C06C226");

	/* one flipped bit of the MAC, of the cryptogram, a wrong RND.IFD */
	bac_example(&b);
	resp[39] ^= 1;
	CHECK_INT(icao_bac_terminal_finish(&b, resp, &sm), BK_ERR_AUTH);
	resp[39] ^= 1;
	resp[3] ^= 0x10;
	CHECK_INT(icao_bac_terminal_finish(&b, resp, &sm), BK_ERR_AUTH);
	resp[3] ^= 0x10;
	b.rnd_ifd[0] ^= 1;
	CHECK_INT(icao_bac_terminal_finish(&b, resp, &sm), BK_ERR_AUTH);
	icao_bac_wipe(&b);
	icao_sm_wipe(&sm);
}

/* D.3 from the card's side: it must answer exactly E_ICC || M_ICC */
static void test_mutual_auth_card(void)
{
	struct icao_bac b;
	struct icao_sm sm;
	uint8_t cmd[40], resp[40], kseed[16];

	hex("239AB9CB282DAF66231DC5A4DF6BFBAE", kseed);
	icao_bac_init(&b, kseed);
	hex("4608F91988702212", b.rnd_icc);
	hex("0B4F80323EB3191CB04970CB4052790B", b.k_icc);
	hex("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
	    "5F1448EEA8AD90A7", cmd);
	REQUIRE(icao_bac_card_answer(&b, cmd, resp, &sm) == BK_OK);
	CHECK_HEX(resp, 40, "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
			    "2F2D235D074D7449");
	CHECK_HEX(b.rnd_ifd, 8, "781723860C06C226");
	CHECK_HEX(sm.kenc, 16, "979EC13B1CBFE9DCD01AB0FED307EAE5");
	CHECK_HEX(sm.ssc, 8, "887022120C06C226");

	/* a terminal with the wrong MRZ: MAC fails, no session */
	hex("239AB9CB282DAF66231DC5A4DF6BFBAF", kseed);
	icao_bac_init(&b, kseed);
	hex("4608F91988702212", b.rnd_icc);
	CHECK_INT(icao_bac_card_answer(&b, cmd, resp, &sm), BK_ERR_AUTH);
	/* right keys but a replayed answer to another challenge */
	hex("239AB9CB282DAF66231DC5A4DF6BFBAE", kseed);
	icao_bac_init(&b, kseed);
	hex("4608F91988702213", b.rnd_icc);
	CHECK_INT(icao_bac_card_answer(&b, cmd, resp, &sm), BK_ERR_AUTH);
	icao_bac_wipe(&b);
}

static void d4_session(struct icao_sm *sm)
{
	uint8_t ke[16], km[16];

	hex("979EC13B1CBFE9DCD01AB0FED307EAE5", ke);
	hex("F1CB1F1FB5ADF208806B89DC579DC1F8", km);
	REQUIRE(icao_sm_init(sm, ICAO_SM_3DES, ke, km, 16) == BK_OK);
	hex("887022120C06C226", sm->ssc);
}

/* D.4: the terminal's protected commands and the card's responses */
static void test_d4_terminal(void)
{
	struct icao_sm sm;
	uint8_t in[64], out[300];
	size_t n, olen;

	d4_session(&sm);
	n = hex("00A4020C02011E", in);
	REQUIRE(icao_sm_protect_command(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
	CHECK_HEX(sm.ssc, 8, "887022120C06C227");
	n = hex("990290008E08FA855A5D4C50A8ED9000", in);
	REQUIRE(icao_sm_unprotect_response(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "9000");
	CHECK_HEX(sm.ssc, 8, "887022120C06C228");

	n = hex("00B0000004", in);
	REQUIRE(icao_sm_protect_command(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "0CB000000D9701048E08ED6705417E96BA5500");
	n = hex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", in);
	REQUIRE(icao_sm_unprotect_response(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "60145F019000");

	n = hex("00B0000412", in);
	REQUIRE(icao_sm_protect_command(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "0CB000040D9701128E082EA28A70F3C7B53500");
	n = hex("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000", in);
	REQUIRE(icao_sm_unprotect_response(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "04303130365F36063034303030305C0261759000");
	icao_sm_wipe(&sm);
}

/* D.4 seen from the card: it decodes the same commands and produces the
 * published responses byte for byte. */
static void test_d4_card(void)
{
	struct icao_sm sm;
	uint8_t in[64], out[300];
	size_t n, olen;

	d4_session(&sm);
	n = hex("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", in);
	REQUIRE(icao_sm_unprotect_command(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "00A4020C02011E");
	n = hex("9000", in);
	REQUIRE(icao_sm_protect_response(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "990290008E08FA855A5D4C50A8ED9000");

	n = hex("0CB000000D9701048E08ED6705417E96BA5500", in);
	REQUIRE(icao_sm_unprotect_command(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "00B0000004");
	n = hex("60145F019000", in);
	REQUIRE(icao_sm_protect_response(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000");

	n = hex("0CB000040D9701128E082EA28A70F3C7B53500", in);
	REQUIRE(icao_sm_unprotect_command(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "00B0000412");
	n = hex("04303130365F36063034303030305C0261759000", in);
	REQUIRE(icao_sm_protect_response(&sm, in, n, out, sizeof out, &olen) == BK_OK);
	CHECK_HEX(out, olen, "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000");
	icao_sm_wipe(&sm);
}

/* Tampering: a flipped bit anywhere in a protected response or command is
 * refused, and a plain error word passes through. */
static void test_tamper(void)
{
	struct icao_sm sm;
	uint8_t in[64], out[300];
	size_t n, olen, i;

	for (i = 0; i < 25; i++) {
		d4_session(&sm);
		n = hex("00B0000004", in);
		icao_sm_protect_command(&sm, in, n, out, sizeof out, &olen);
		n = hex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", in);
		in[i] ^= 0x01;
		CHECK(icao_sm_unprotect_response(&sm, in, n, out, sizeof out, &olen) != BK_OK);
	}
	d4_session(&sm);
	n = hex("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F801", in);
	in[n - 2] ^= 0x80;   /* a MAC byte */
	CHECK_INT(icao_sm_unprotect_command(&sm, in, n, out, sizeof out, &olen), BK_ERR_AUTH);
	/* a plain command while in SM */
	d4_session(&sm);
	n = hex("00A4020C02011E", in);
	CHECK_INT(icao_sm_unprotect_command(&sm, in, n, out, sizeof out, &olen), BK_ERR_AUTH);
	/* 9000 without any SM object is not accepted, 6988 passes */
	n = hex("9000", in);
	CHECK_INT(icao_sm_unprotect_response(&sm, in, n, out, sizeof out, &olen), BK_ERR_AUTH);
	n = hex("6988", in);
	CHECK_INT(icao_sm_unprotect_response(&sm, in, n, out, sizeof out, &olen), BK_OK);
	CHECK_HEX(out, olen, "6988");
	/* odd INS is refused rather than encoded wrongly */
	n = hex("00B100000454028000", in);
	CHECK_INT(icao_sm_protect_command(&sm, in, n, out, sizeof out, &olen), BK_ERR_INVALID);
	icao_sm_wipe(&sm);
}

/* Both codecs round-trip commands of every case and size, short and
 * extended, between a terminal and a card with the same keys. */
static void roundtrip(enum icao_sm_alg alg, size_t klen)
{
	struct icao_sm t, c;
	uint8_t ke[32], km[32];
	static uint8_t cmd[70000], prot[70100], back[70100], rsp[70100];
	size_t sizes[] = { 0, 1, 7, 8, 15, 16, 200, 223, 239, 240, 255, 256, 300, 1000, 4000 };
	size_t les[] = { 0, 1, 4, 223, 256, 257, 1000, 65536 };
	size_t i, j, k, n, plen, blen;

	for (i = 0; i < 32; i++) {
		ke[i] = (uint8_t)(i * 7 + 1);
		km[i] = (uint8_t)(i * 13 + 5);
	}
	REQUIRE(icao_sm_init(&t, alg, ke, km, klen) == BK_OK);
	REQUIRE(icao_sm_init(&c, alg, ke, km, klen) == BK_OK);
	for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		for (j = 0; j < sizeof les / sizeof *les; j++) {
			size_t lc = sizes[i], le = les[j];
			int ext = lc > 255 || le > 256;

			n = 0;
			cmd[n++] = 0x00; cmd[n++] = 0xD6; cmd[n++] = 1; cmd[n++] = 2;
			if (lc) {
				if (ext) { cmd[n++] = 0; cmd[n++] = (uint8_t)(lc >> 8); }
				cmd[n++] = (uint8_t)lc;
				for (k = 0; k < lc; k++)
					cmd[n++] = (uint8_t)(k * 31);
			}
			if (le) {
				if (ext) { if (!lc) cmd[n++] = 0; cmd[n++] = (uint8_t)(le >> 8); }
				cmd[n++] = (uint8_t)le;
			}
			REQUIRE(icao_sm_protect_command(&t, cmd, n, prot, sizeof prot, &plen) == BK_OK);
			REQUIRE(icao_sm_unprotect_command(&c, prot, plen, back, sizeof back, &blen) == BK_OK);
			CHECK_INT(blen, n);
			CHECK(blen == n && memcmp(back, cmd, n) == 0);
			/* the card answers lc bytes of data and 6282 */
			for (k = 0; k < lc; k++)
				rsp[k] = (uint8_t)(k ^ 0x5A);
			rsp[lc] = 0x62; rsp[lc + 1] = 0x82;
			REQUIRE(icao_sm_protect_response(&c, rsp, lc + 2, prot, sizeof prot, &plen) == BK_OK);
			REQUIRE(icao_sm_unprotect_response(&t, prot, plen, back, sizeof back, &blen) == BK_OK);
			CHECK_INT(blen, lc + 2);
			CHECK(blen == lc + 2 && memcmp(back, rsp, lc + 2) == 0);
		}
	}
	CHECK(memcmp(t.ssc, c.ssc, 16) == 0);
	icao_sm_wipe(&t);
	icao_sm_wipe(&c);
}

static void test_roundtrip_3des(void) { roundtrip(ICAO_SM_3DES, 16); }
static void test_roundtrip_aes128(void) { roundtrip(ICAO_SM_AES, 16); }
static void test_roundtrip_aes256(void) { roundtrip(ICAO_SM_AES, 32); }

/* AES: SSC is 16 bytes and the IV is E(KSenc, SSC): two identical commands
 * in a row give different cryptograms. */
static void test_aes_iv(void)
{
	struct icao_sm t;
	uint8_t k[16] = { 1 }, cmd[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E };
	uint8_t a[64], b[64];
	size_t la, lb;

	REQUIRE(icao_sm_init(&t, ICAO_SM_AES, k, k, 16) == BK_OK);
	REQUIRE(icao_sm_protect_command(&t, cmd, sizeof cmd, a, sizeof a, &la) == BK_OK);
	REQUIRE(icao_sm_protect_command(&t, cmd, sizeof cmd, b, sizeof b, &lb) == BK_OK);
	CHECK_INT(la, lb);
	CHECK(memcmp(a + 8, b + 8, 16) != 0);
	/* 87 11 01 + 16 bytes, 8E 08 + 8, Le 00: Lc = 29 */
	CHECK_INT(a[4], 0x1D);
	CHECK_INT(t.ssc[15], 2);
	CHECK_INT(icao_sm_init(&t, ICAO_SM_AES, k, k, 20), BK_ERR_INVALID);
	CHECK_INT(icao_sm_init(&t, ICAO_SM_3DES, k, k, 24), BK_ERR_INVALID);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "kseed_and_keys", test_kseed_and_keys },
		{ "mutual_auth_terminal", test_mutual_auth_terminal },
		{ "mutual_auth_card", test_mutual_auth_card },
		{ "d4_terminal", test_d4_terminal },
		{ "d4_card", test_d4_card },
		{ "tamper", test_tamper },
		{ "roundtrip_3des", test_roundtrip_3des },
		{ "roundtrip_aes128", test_roundtrip_aes128 },
		{ "roundtrip_aes256", test_roundtrip_aes256 },
		{ "aes_iv", test_aes_iv },
		{ NULL, NULL },
	};
	return check_main(tests);
}
