/* icao.c — reading an eMRTD: access control, SM file reads, DG1, passive
 * authentication (see icao.h). */
#include "firmware/icao.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/icao_pace.h"
#include "firmware/icao_sm.h"
#include "firmware/mrz.h"
#include "firmware/tlv.h"
#include "firmware/util.h"

#define SFI_CARDACCESS 0x1C
#define SFI_COM 0x1E
#define SFI_SOD 0x1D
#define SFI_DG1 0x01

#define CHUNK_SHORT 0xDF     /* plain bytes per READ BINARY under SM */
#define CHUNK_EXT 0x1000
#define FILE_MAX ICAO_PA_SOD_MAX
#define RESP_MAX (CHUNK_EXT + 64)

static const uint8_t AID[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };

/* One reading session. */
struct reader {
	struct icao_chan ch;
	struct icao_sm sm;
	int sm_on;
	uint8_t *raw, *plain;   /* RESP_MAX each */
};

static void seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* Sends one command, through SM when the session is on. out gets the plain
 * response data (without SW), *sw the status word. */
static bk_err cmd(struct reader *r, const uint8_t *apdu, size_t n,
		  uint8_t *out, size_t cap, size_t *outlen, unsigned *sw)
{
	uint8_t prot[300];
	size_t plen, rlen, ulen;
	bk_err rc;

	*outlen = 0;
	if (!r->sm_on) {
		rc = icao__xmit(&r->ch, apdu, n, r->raw, RESP_MAX, &rlen, sw);
		if (rc != BK_OK)
			return rc;
		if (rlen > cap)
			return BK_ERR_PROTOCOL;
		memcpy(out, r->raw, rlen);
		*outlen = rlen;
		return BK_OK;
	}
	rc = icao_sm_protect_command(&r->sm, apdu, n, prot, sizeof prot, &plen);
	if (rc != BK_OK) {
		seterr(r->ch.err, r->ch.errlen, "cannot protect a command");
		return BK_ERR_PROTOCOL;
	}
	rc = icao__xmit(&r->ch, prot, plen, r->raw, RESP_MAX, &rlen, sw);
	util_wipe(prot, sizeof prot);
	if (rc != BK_OK)
		return rc;
	rc = icao_sm_unprotect_response(&r->sm, r->raw, rlen + 2, r->plain,
					RESP_MAX, &ulen);
	util_wipe(r->raw, rlen + 2);
	if (rc == BK_ERR_AUTH) {
		seterr(r->ch.err, r->ch.errlen,
		       "a secure messaging MAC from the card is wrong");
		return BK_ERR_AUTH;
	}
	if (rc != BK_OK) {
		seterr(r->ch.err, r->ch.errlen,
		       "a secure messaging answer is malformed");
		return BK_ERR_PROTOCOL;
	}
	*sw = (unsigned)r->plain[ulen - 2] << 8 | r->plain[ulen - 1];
	if (ulen - 2 > cap)
		return BK_ERR_PROTOCOL;
	memcpy(out, r->plain, ulen - 2);
	*outlen = ulen - 2;
	util_wipe(r->plain, ulen);
	return BK_OK;
}

static bk_err select_app(struct reader *r)
{
	uint8_t apdu[5 + sizeof AID], out[64];
	size_t olen;
	unsigned sw;
	bk_err rc;

	apdu[0] = 0x00; apdu[1] = 0xA4; apdu[2] = 0x04; apdu[3] = 0x0C;
	apdu[4] = sizeof AID;
	memcpy(apdu + 5, AID, sizeof AID);
	rc = cmd(r, apdu, sizeof apdu, out, sizeof out, &olen, &sw);
	if (rc != BK_OK)
		return rc;
	if (sw != 0x9000) {
		if (r->ch.err && r->ch.errlen)
			snprintf(r->ch.err, r->ch.errlen,
				 "the card has no eMRTD application (SELECT answered %04X)",
				 sw);
		return BK_ERR_PROTOCOL;
	}
	return BK_OK;
}

/* Reads a whole elementary file by its short identifier into *out (heap,
 * caller wipes and frees). The first read selects the file (P1 = 80|SFI);
 * its TLV header gives the length; the rest is read by offset. 6282 (end
 * of file before Le) and 6B00 (offset beyond the end) end the file. */
static bk_err read_file(struct reader *r, uint8_t sfi, uint8_t **out,
			size_t *outlen, unsigned *first_sw)
{
	size_t chunk = r->ch.t->extended_length ? CHUNK_EXT : CHUNK_SHORT;
	size_t have = 0, total = 0, got, want;
	uint8_t apdu[8], *data = NULL;
	unsigned sw;
	bk_err rc;

	*out = NULL;
	*outlen = 0;
	*first_sw = 0;
	data = malloc(FILE_MAX + RESP_MAX);
	if (!data)
		return BK_ERR_NOMEM;
	for (;;) {
		size_t n = 0;

		want = total ? total - have : chunk;
		if (want > chunk)
			want = chunk;
		apdu[n++] = 0x00;
		apdu[n++] = 0xB0;
		if (have == 0) {
			apdu[n++] = (uint8_t)(0x80 | sfi);
			apdu[n++] = 0x00;
		} else {
			apdu[n++] = (uint8_t)(have >> 8);
			apdu[n++] = (uint8_t)have;
		}
		if (want > 256) {
			apdu[n++] = 0x00;
			apdu[n++] = (uint8_t)(want >> 8);
		}
		apdu[n++] = (uint8_t)want;
		rc = cmd(r, apdu, n, data + have, FILE_MAX + RESP_MAX - have,
			 &got, &sw);
		if (rc != BK_OK)
			goto fail;
		if (have == 0)
			*first_sw = sw;
		if (sw != 0x9000 && sw != 0x6282 &&
		    !(sw == 0x6B00 && have > 0)) {
			if (r->ch.err && r->ch.errlen)
				snprintf(r->ch.err, r->ch.errlen,
					 "READ BINARY of file %02X answered %04X",
					 sfi, sw);
			rc = BK_ERR_PROTOCOL;
			goto fail;
		}
		have += got;
		if (!total && have > 0) {
			uint32_t tag;
			size_t hl, len;

			if (tlv_peek(data, have, &tag, &hl, &len) == BK_OK)
				total = hl + len;
			if (!total || total > FILE_MAX) {
				seterr(r->ch.err, r->ch.errlen,
				       total ? "a file on the card is too large"
					     : "a file on the card does not start with a TLV header");
				rc = total ? BK_ERR_TOOLARGE : BK_ERR_PROTOCOL;
				goto fail;
			}
		}
		if (have >= total || sw != 0x9000 || got == 0)
			break;
		if (have > 0x7FFF) {
			/* P1 P2 offsets end at 32767 (odd INS not supported) */
			seterr(r->ch.err, r->ch.errlen, "a file on the card is too large");
			rc = BK_ERR_TOOLARGE;
			goto fail;
		}
	}
	if (total == 0) {
		seterr(r->ch.err, r->ch.errlen, "a file on the card is empty");
		rc = BK_ERR_PROTOCOL;
		goto fail;
	}
	if (have < total) {
		seterr(r->ch.err, r->ch.errlen, "a file on the card ended early");
		rc = BK_ERR_PROTOCOL;
		goto fail;
	}
	*out = data;
	*outlen = total;
	return BK_OK;
fail:
	util_wipe(data, FILE_MAX + RESP_MAX);
	free(data);
	return rc;
}

static void free_file(uint8_t **p, size_t *n)
{
	if (*p) {
		util_wipe(*p, FILE_MAX + RESP_MAX);
		free(*p);
	}
	*p = NULL;
	*n = 0;
}

/* EF.CardAccess in the MF, plain. BK_ERR_NOTFOUND when the card has none
 * (no PACE). */
static bk_err read_cardaccess(struct reader *r, uint8_t **ca, size_t *n)
{
	unsigned sw;
	bk_err rc = read_file(r, SFI_CARDACCESS, ca, n, &sw);

	if (rc == BK_ERR_PROTOCOL && sw != 0x9000 && sw != 0x6282)
		return BK_ERR_NOTFOUND;   /* 6A82, 6986, 6D00 ...: no PACE */
	return rc;
}

static bk_err do_bac(struct reader *r, const struct icao_access *a)
{
	static const uint8_t getchal[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
	struct icao_bac b;
	uint8_t kseed[16], apdu[46], out[64];
	size_t olen;
	unsigned sw;
	bk_err rc;

	if (a->kind != ICAO_ACCESS_MRZ) {
		seterr(r->ch.err, r->ch.errlen,
		       "this document has no PACE: read it with the MRZ");
		return BK_ERR_ACCESS;
	}
	if (icao_bac_kseed(a->document_number, a->date_of_birth,
			   a->date_of_expiry, kseed) != BK_OK) {
		seterr(r->ch.err, r->ch.errlen, "the MRZ access data are malformed");
		return BK_ERR_ACCESS;
	}
	icao_bac_init(&b, kseed);
	util_wipe(kseed, sizeof kseed);
	rc = cmd(r, getchal, sizeof getchal, out, sizeof out, &olen, &sw);
	if (rc != BK_OK)
		goto out;
	rc = BK_ERR_PROTOCOL;
	if (sw != 0x9000 || olen != 8) {
		seterr(r->ch.err, r->ch.errlen, "GET CHALLENGE failed");
		goto out;
	}
	memcpy(b.rnd_icc, out, 8);
	util_random(b.rnd_ifd, sizeof b.rnd_ifd);
	util_random(b.k_ifd, sizeof b.k_ifd);
	apdu[0] = 0x00; apdu[1] = 0x82; apdu[2] = 0x00; apdu[3] = 0x00;
	apdu[4] = 40;
	icao_bac_terminal_cmd(&b, apdu + 5);
	apdu[45] = 40;
	rc = cmd(r, apdu, sizeof apdu, out, sizeof out, &olen, &sw);
	if (rc != BK_OK)
		goto out;
	if (sw == 0x6300 || (sw & 0xFF00) == 0x6300 || sw == 0x6982) {
		seterr(r->ch.err, r->ch.errlen, "the MRZ data were not accepted");
		rc = BK_ERR_ACCESS;
		goto out;
	}
	if (sw != 0x9000 || olen != 40) {
		if (r->ch.err && r->ch.errlen)
			snprintf(r->ch.err, r->ch.errlen,
				 "EXTERNAL AUTHENTICATE answered %04X", sw);
		rc = BK_ERR_PROTOCOL;
		goto out;
	}
	rc = icao_bac_terminal_finish(&b, out, &r->sm);
	if (rc != BK_OK) {
		seterr(r->ch.err, r->ch.errlen,
		       "the chip's BAC answer is wrong (not a genuine chip?)");
		goto out;
	}
	r->sm_on = 1;
out:
	util_wipe(apdu, sizeof apdu);
	util_wipe(out, sizeof out);
	icao_bac_wipe(&b);
	return rc;
}

static bk_err fill_doc(const struct mrz_fields *f, struct icao_document *doc,
		       char *err, size_t errlen)
{
	time_t now = time(NULL);

	snprintf(doc->document_type, sizeof doc->document_type, "%s", f->document_type);
	snprintf(doc->issuing_state, sizeof doc->issuing_state, "%s", f->issuing_state);
	snprintf(doc->document_number, sizeof doc->document_number, "%s", f->document_number);
	snprintf(doc->surname, sizeof doc->surname, "%s", f->surname);
	snprintf(doc->given_names, sizeof doc->given_names, "%s", f->given_names);
	snprintf(doc->nationality, sizeof doc->nationality, "%s", f->nationality);
	doc->sex[0] = f->sex == 'M' || f->sex == 'F' ? f->sex : 'X';
	doc->sex[1] = '\0';
	if (mrz_date_iso(f->date_of_birth, 1, now, doc->date_of_birth) != BK_OK) {
		seterr(err, errlen, "the date of birth in DG1 is not a calendar date");
		return BK_ERR_INVALID;
	}
	if (mrz_date_iso(f->date_of_expiry, 0, now, doc->date_of_expiry) != BK_OK) {
		seterr(err, errlen, "the date of expiry in DG1 is not a calendar date");
		return BK_ERR_INVALID;
	}
	return BK_OK;
}

static bk_err read_all(struct reader *r, const struct icao_access *a,
		       const char *csca_dir, struct icao_document *doc,
		       struct icao_stats *st)
{
	uint8_t *ca = NULL, *com = NULL, *sod = NULL, *dg1 = NULL;
	size_t ca_n = 0, com_n = 0, sod_n = 0, dg1_n = 0;
	struct mrz_fields f;
	struct icao_pa_dg dg;
	enum icao_pa pa;
	unsigned sw;
	char msg[160];
	bk_err rc;

	memset(&f, 0, sizeof f);
	/* PACE when EF.CardAccess names it, else BAC (ICAO 9303-11 §4.2) */
	rc = read_cardaccess(r, &ca, &ca_n);
	if (rc == BK_OK) {
		if (st)
			snprintf(st->method, sizeof st->method, "PACE");
		rc = icao__pace(&r->ch, ca, ca_n, a, &r->sm);
		if (rc == BK_OK) {
			r->sm_on = 1;
			rc = select_app(r);
		}
	}
	if (rc == BK_ERR_NOTFOUND) {
		if (st)
			snprintf(st->method, sizeof st->method, "BAC");
		rc = select_app(r);
		if (rc == BK_OK)
			rc = do_bac(r, a);
	}
	if (rc != BK_OK)
		goto out;
	rc = read_file(r, SFI_COM, &com, &com_n, &sw);
	if (rc != BK_OK)
		goto out;
	if (com[0] != 0x60) {
		seterr(r->ch.err, r->ch.errlen, "EF.COM does not start with tag 60");
		rc = BK_ERR_PROTOCOL;
		goto out;
	}
	rc = read_file(r, SFI_SOD, &sod, &sod_n, &sw);
	if (rc != BK_OK)
		goto out;
	rc = read_file(r, SFI_DG1, &dg1, &dg1_n, &sw);
	if (rc != BK_OK)
		goto out;
	dg.number = 1;
	dg.data = dg1;
	dg.len = dg1_n;
	rc = icao_pa_check(sod, sod_n, csca_dir, &dg, 1, &pa, msg, sizeof msg);
	if (rc != BK_OK)
		goto out;
	if (pa == ICAO_PA_FAILED) {
		if (r->ch.err && r->ch.errlen)
			snprintf(r->ch.err, r->ch.errlen,
				 "passive authentication failed: %s", msg);
		rc = BK_ERR_AUTH;
		goto out;
	}
	rc = mrz_parse_dg1(dg1, dg1_n, &f, r->ch.err, r->ch.errlen);
	if (rc != BK_OK)
		goto out;
	rc = fill_doc(&f, doc, r->ch.err, r->ch.errlen);
	doc->passive_auth = pa;
out:
	mrz_fields_wipe(&f);
	free_file(&ca, &ca_n);
	free_file(&com, &com_n);
	free_file(&sod, &sod_n);
	free_file(&dg1, &dg1_n);
	return rc;
}

bk_err icao_read(const struct icao_transport *t, const struct icao_access *a,
		 const char *csca_dir, struct icao_document *doc,
		 struct icao_stats *st, char *err, size_t errlen)
{
	struct reader r;
	bk_err rc;

	memset(doc, 0, sizeof *doc);
	doc->passive_auth = ICAO_PA_FAILED;
	if (st)
		memset(st, 0, sizeof *st);
	if (err && errlen)
		err[0] = '\0';
	memset(&r, 0, sizeof r);
	r.ch.t = t;
	r.ch.err = err;
	r.ch.errlen = errlen;
	r.raw = malloc(RESP_MAX);
	r.plain = malloc(RESP_MAX);
	if (!t || !t->transmit || !a || !r.raw || !r.plain) {
		rc = r.raw && r.plain ? BK_ERR_INVALID : BK_ERR_NOMEM;
		goto out;
	}
	if (a->kind == ICAO_ACCESS_CAN &&
	    (strlen(a->can) != 6 || strspn(a->can, "0123456789") != 6)) {
		seterr(err, errlen, "the CAN must be 6 digits");
		rc = BK_ERR_ACCESS;
		goto out;
	}
	rc = read_all(&r, a, csca_dir, doc, st);
	if (rc != BK_OK && err && errlen && !err[0])
		snprintf(err, errlen, "%s", bk_strerror(rc));
	if (rc == BK_OK && err && errlen)
		err[0] = '\0';   /* e.g. the missing EF.CardAccess before BAC */
out:
	if (st)
		st->apdus = r.ch.apdus;
	if (rc != BK_OK)
		icao_document_wipe(doc);
	icao_sm_wipe(&r.sm);
	if (r.raw)
		util_wipe(r.raw, RESP_MAX);
	if (r.plain)
		util_wipe(r.plain, RESP_MAX);
	free(r.raw);
	free(r.plain);
	return rc;
}

void icao_document_wipe(struct icao_document *doc)
{
	util_wipe(doc, sizeof *doc);
	doc->passive_auth = ICAO_PA_FAILED;
}
