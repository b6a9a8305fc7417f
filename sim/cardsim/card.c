/*
 * card.c — the emulated eMRTD's command dispatcher: APDU parsing, SELECT,
 * READ BINARY, secure messaging around everything after access control
 * (cardsim.h, states in cardsim_int.h).
 *
 * Command APDU (ISO 7816-4 §5.1):
 *   case 1   CLA INS P1 P2
 *   case 2S  ... Le              case 2E  ... 00 Le1 Le2
 *   case 3S  ... Lc data         case 3E  ... 00 Lc1 Lc2 data
 *   case 4S  ... Lc data Le      case 4E  ... 00 Lc1 Lc2 data Le1 Le2
 * Le 00 means 256 (short) and 00 00 65536 (extended).
 *
 * READ BINARY (INS B0): P1 bit 8 set -> P1 bits 5-1 are a short EF
 * identifier, P2 the offset (the file becomes current); else P1 P2 is a
 * 15-bit offset into the current file. Fewer bytes than Le are answered
 * with 9000 when the file ends. Under secure messaging with a short
 * command at most 223 bytes are answered, so that the protected response
 * (DO'87' + DO'99' + DO'8E') fits in 256 bytes.
 */
#include "sim/cardsim/cardsim_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/util.h"

static const uint8_t emrtd_aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };

/* FID, SFI, file index, 1 when in the MF (else in the application). */
static const struct {
	uint16_t fid;
	uint8_t sfi;
	int index;
	int in_mf;
} fs[] = {
	{ 0x011C, 0x1C, CARDSIM_EF_CARDACCESS, 1 },
	{ 0x011E, 0x1E, CARDSIM_EF_COM, 0 },
	{ 0x0101, 0x01, CARDSIM_EF_DG1, 0 },
	{ 0x0102, 0x02, CARDSIM_EF_DG2, 0 },
	{ 0x011D, 0x1D, CARDSIM_EF_SOD, 0 },
};

int cardsim__parse_apdu(const uint8_t *p, size_t n, struct apdu *a)
{
	memset(a, 0, sizeof *a);
	if (n < 4)
		return -1;
	a->cla = p[0];
	a->ins = p[1];
	a->p1 = p[2];
	a->p2 = p[3];
	if (n == 4)
		return 0;
	if (n == 5) {
		a->has_le = 1;
		a->le = p[4] ? p[4] : 256;
		return 0;
	}
	if (p[4] != 0) {
		a->lc = p[4];
		a->data = p + 5;
		if (n == 5 + a->lc)
			return 0;
		if (n == 6 + a->lc) {
			a->has_le = 1;
			a->le = p[5 + a->lc] ? p[5 + a->lc] : 256;
			return 0;
		}
		return -1;
	}
	a->extended = 1;
	if (n < 7)
		return -1;
	if (n == 7) {
		a->has_le = 1;
		a->le = ((size_t)p[5] << 8 | p[6]) ? ((size_t)p[5] << 8 | p[6])
						  : 65536;
		return 0;
	}
	a->lc = (size_t)p[5] << 8 | p[6];
	a->data = p + 7;
	if (a->lc == 0)
		return -1;
	if (n == 7 + a->lc)
		return 0;
	if (n == 9 + a->lc) {
		size_t le = (size_t)p[7 + a->lc] << 8 | p[8 + a->lc];

		a->has_le = 1;
		a->le = le ? le : 65536;
		return 0;
	}
	return -1;
}

void cardsim__mrz_info(const struct cardsim *c, char out[25])
{
	if (c->h.doc == 1) {
		memcpy(out, c->mrz + 5, 10);
		memcpy(out + 10, c->mrz + 30, 7);
		memcpy(out + 17, c->mrz + 38, 7);
	} else {
		memcpy(out, c->mrz + 44, 10);
		memcpy(out + 10, c->mrz + 44 + 13, 7);
		memcpy(out + 17, c->mrz + 44 + 21, 7);
	}
	out[24] = 0;
}

static void end_session(struct cardsim *c)
{
	c->sm_active = 0;
	c->access_ok = 0;
	icao_sm_wipe(&c->sm);
	cardsim__pace_reset(c);
	c->have_challenge = 0;
	icao_bac_wipe(&c->bac);
}

static int find_fid(const struct cardsim *c, uint16_t fid)
{
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		if (fs[i].fid == fid && fs[i].in_mf == !c->app_selected &&
		    c->files[fs[i].index])
			return fs[i].index;
	return -1;
}

static int find_sfi(const struct cardsim *c, uint8_t sfi)
{
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		if (fs[i].sfi == sfi && fs[i].in_mf == !c->app_selected &&
		    c->files[fs[i].index])
			return fs[i].index;
	return -1;
}

static int do_select(struct cardsim *c, const struct apdu *a)
{
	int f;

	switch (a->p1) {
	case 0x04:
		if (a->lc != sizeof emrtd_aid ||
		    memcmp(a->data, emrtd_aid, sizeof emrtd_aid))
			return SW_NOT_FOUND;
		c->app_selected = 1;
		c->cur_file = -1;
		return SW_OK;
	case 0x00:
		if (a->lc == 0 || (a->lc == 2 && a->data[0] == 0x3F &&
				   a->data[1] == 0x00)) {
			c->app_selected = 0;
			c->cur_file = -1;
			return SW_OK;
		}
		/* a FID under the current DF */
		/* fall through */
	case 0x02:
		if (a->lc != 2)
			return SW_WRONG_DATA;
		f = find_fid(c, (uint16_t)(a->data[0] << 8 | a->data[1]));
		if (f < 0)
			return SW_NOT_FOUND;
		c->cur_file = f;
		return SW_OK;
	default:
		return SW_WRONG_P1P2;
	}
}

static int do_read(struct cardsim *c, const struct apdu *a, uint8_t *out,
		   size_t cap, size_t *outlen)
{
	size_t off, n;
	int f;

	if (a->lc)
		return SW_WRONG_LENGTH;
	if (a->p1 & 0x80) {
		if (a->p1 & 0x60)
			return SW_WRONG_P1P2;
		f = find_sfi(c, a->p1 & 0x1F);
		if (f < 0)
			return SW_NOT_FOUND;
		c->cur_file = f;
		off = a->p2;
	} else {
		if (c->cur_file < 0)
			return 0x6986;      /* no current EF */
		f = c->cur_file;
		off = (size_t)a->p1 << 8 | a->p2;
	}
	if (f != CARDSIM_EF_CARDACCESS && !c->access_ok)
		return SW_SECURITY;
	if (off >= c->flen[f])
		return SW_WRONG_P1P2;
	n = c->flen[f] - off;
	if (a->has_le && n > a->le)
		n = a->le;
	if (n > cap)
		n = cap;
	memcpy(out, c->files[f] + off, n);
	*outlen = n;
	return SW_OK;
}

/* The plain command; writes data to out (at most cap), returns the SW. */
static int dispatch(struct cardsim *c, const struct apdu *a, uint8_t *out,
		    size_t cap, size_t *outlen)
{
	*outlen = 0;
	if ((a->cla & ~0x10) != 0x00)
		return SW_CLA;
	if ((a->cla & 0x10) && a->ins != 0x86)
		return 0x6884;              /* chaining not supported */
	switch (a->ins) {
	case 0xA4:
		return do_select(c, a);
	case 0xB0:
		return do_read(c, a, out, cap, outlen);
	case 0x22:
		return cardsim__pace_mse(c, a);
	case 0x86:
		return cardsim__pace_ga(c, a, out, cap, outlen);
	case 0x84:
		return cardsim__bac_challenge(c, a, out, outlen);
	case 0x82:
		return cardsim__bac_external_auth(c, a, out, outlen);
	default:
		return SW_INS;
	}
}

static size_t sw_only(uint8_t *resp, int sw)
{
	resp[0] = (uint8_t)(sw >> 8);
	resp[1] = (uint8_t)sw;
	return 2;
}

static size_t transmit_sm(struct cardsim *c, const uint8_t *apdu, size_t len,
			  uint8_t *resp)
{
	uint8_t plain[CARDSIM_APDU_MAX], out[CARDSIM_RESP_MAX];
	struct apdu outer, a;
	size_t plen, n, cap, rlen;
	bk_err rc;
	int sw;

	if (!c->sm_active || cardsim__parse_apdu(apdu, len, &outer)) {
		end_session(c);
		return sw_only(resp, SW_SM_MISSING);
	}
	rc = icao_sm_unprotect_command(&c->sm, apdu, len, plain, sizeof plain,
				       &plen);
	if (rc != BK_OK || cardsim__parse_apdu(plain, plen, &a)) {
		end_session(c);
		return sw_only(resp, rc == BK_ERR_AUTH ? SW_SM_WRONG
						       : SW_SM_MISSING);
	}
	/* room for the SM objects: 223 plain bytes fit a short response */
	cap = outer.extended ? sizeof out - 64 : 223;
	sw = dispatch(c, &a, out, cap, &n);
	out[n] = (uint8_t)(sw >> 8);
	out[n + 1] = (uint8_t)sw;
	if (!c->sm_active)                  /* the command ended the session */
		return sw_only(resp, sw);
	rc = icao_sm_protect_response(&c->sm, out, n + 2, resp,
				      CARDSIM_RESP_MAX, &rlen);
	util_wipe(plain, sizeof plain);
	util_wipe(out, sizeof out);
	if (rc != BK_OK) {
		end_session(c);
		return sw_only(resp, 0x6F00);
	}
	return rlen;
}

size_t cardsim_transmit(struct cardsim *c, const unsigned char *apdu,
			size_t len, unsigned char *resp)
{
	struct apdu a;
	size_t n, cap;
	int sw;

	c->napdu++;
	if (len < 4 || len > CARDSIM_APDU_MAX)
		return sw_only(resp, SW_WRONG_LENGTH);
	if ((apdu[0] & 0x0C) == 0x0C)
		return transmit_sm(c, apdu, len, resp);
	if (c->sm_active) {
		/* a plain command ends secure messaging; back in the MF, as
		 * after the reset a reader does between two sessions, so a
		 * reader that skipped the reset still finds EF.CardAccess */
		end_session(c);
		c->app_selected = 0;
		c->cur_file = -1;
	}
	if (cardsim__parse_apdu(apdu, len, &a))
		return sw_only(resp, SW_WRONG_LENGTH);
	cap = a.extended ? CARDSIM_RESP_MAX - 2 : 256;
	sw = dispatch(c, &a, resp, cap, &n);
	resp[n] = (uint8_t)(sw >> 8);
	resp[n + 1] = (uint8_t)sw;
	return n + 2;
}

int cardsim_apdu_cb(void *ctx, const unsigned char *cmd, size_t n,
		    unsigned char *resp, size_t cap, size_t *rlen)
{
	uint8_t out[CARDSIM_RESP_MAX];
	size_t m = cardsim_transmit(ctx, cmd, n, out);
	int rc = -1;

	if (m <= cap) {
		memcpy(resp, out, m);
		*rlen = m;
		rc = 0;
	}
	util_wipe(out, m);
	return rc;
}

void cardsim_reset_cb(void *ctx)
{
	cardsim_reset(ctx);
}

size_t cardsim_atr(unsigned char out[33])
{
	/* The layout PC/SC part 3 gives contactless cards (an eMRTD's ATR as
	 * a reader reports it): TS 3B, T0 89 (TD1, 9 historical bytes), TD1
	 * 80 (TD2 follows), TD2 01 (T=1), historical "BK-EMRTD1", TCK = XOR
	 * of T0 .. the last historical byte. */
	static const char hist[] = "BK-EMRTD1";
	size_t n = 0;
	uint8_t tck = 0;

	out[n++] = 0x3B;
	out[n++] = 0x80 | (uint8_t)(sizeof hist - 1);
	out[n++] = 0x80;
	out[n++] = 0x01;
	memcpy(out + n, hist, sizeof hist - 1);
	n += sizeof hist - 1;
	for (size_t i = 1; i < n; i++)
		tck ^= out[i];
	out[n++] = tck;
	return n;
}

void cardsim_reset(struct cardsim *c)
{
	end_session(c);
	c->app_selected = 0;
	c->cur_file = -1;
}

unsigned long cardsim_apdu_count(const struct cardsim *c)
{
	return c->napdu;
}

const unsigned char *cardsim_file(const struct cardsim *c,
				  enum cardsim_file f, size_t *len)
{
	*len = c->flen[f];
	return c->files[f];
}

struct cardsim *cardsim_create(const struct cardsim_holder *h,
			       const struct cardsim_opts *o,
			       char *err, size_t errlen)
{
	struct cardsim *c = calloc(1, sizeof *c);

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	EAC_init();
	c->h = *h;
	c->cur_file = -1;
	cardsim_mrz(&c->h, 0, c->mrz);
	if (cardsim__build_files(c, o, err, errlen)) {
		cardsim_destroy(c);
		return NULL;
	}
	return c;
}

void cardsim_destroy(struct cardsim *c)
{
	if (!c)
		return;
	end_session(c);
	for (int i = 0; i < CARDSIM_NALLFILES; i++) {
		if (c->files[i])
			util_wipe(c->files[i], c->flen[i]);
		free(c->files[i]);
	}
	util_wipe(c, sizeof *c);
	free(c);
}
