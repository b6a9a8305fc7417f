/*
 * submission.c — encrypted form submissions; see submission.h.
 */
#include "firmware/submission.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "firmware/jwe.h"
#include "firmware/log.h"
#include "firmware/store_int.h"
#include "firmware/syncproto.h"
#include "firmware/util.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* ---- reference ----------------------------------------------------- */

static int symbol_value(char c)
{
	const char *p = c ? strchr(crockford, c) : NULL;

	return p ? (int)(p - crockford) : -1;
}

/* Luhn mod 32 over v[0..n): the sum that a valid code makes 0 mod 32.
 * first_factor is 2 when computing a check symbol, 1 when checking. */
static int luhn32(const int *v, int n, int first_factor)
{
	int factor = first_factor, sum = 0;

	for (int i = n - 1; i >= 0; i--) {
		int a = factor * v[i];
		sum += a / 32 + a % 32;
		factor = factor == 2 ? 1 : 2;
	}
	return sum % 32;
}

static void make_reference(char out[SUBMISSION_REF_LEN])
{
	unsigned char r[9];
	int v[10];

	util_random(r, sizeof r);
	for (int i = 0; i < 9; i++)
		v[i] = r[i] & 31;
	v[9] = (32 - luhn32(v, 9, 2)) % 32;
	snprintf(out, SUBMISSION_REF_LEN, "F-%c%c%c%c%c-%c%c%c%c%c",
		 crockford[v[0]], crockford[v[1]], crockford[v[2]],
		 crockford[v[3]], crockford[v[4]], crockford[v[5]],
		 crockford[v[6]], crockford[v[7]], crockford[v[8]],
		 crockford[v[9]]);
}

int submission_reference_valid(const char *s)
{
	int v[10], k = 0;

	if (!s || strlen(s) != SUBMISSION_REF_LEN - 1 || s[0] != 'F' ||
	    s[1] != '-' || s[7] != '-')
		return 0;
	for (int i = 2; i < SUBMISSION_REF_LEN - 1; i++) {
		if (i == 7)
			continue;
		if ((v[k++] = symbol_value(s[i])) < 0)
			return 0;
	}
	return luhn32(v, 10, 1) == 0;
}

/* ---- admission ----------------------------------------------------- */

bk_err submission_free_mb(const struct store *st, int64_t *mb)
{
	char dir[1024];
	char *slash;
	struct statvfs vfs;

	*mb = 0;
	if (util_fmt(dir, sizeof dir, "%s", store_path(st)) < 0)
		return BK_ERR_INVALID;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	if (statvfs(dir, &vfs) < 0)
		return BK_ERR_IO;
	*mb = (int64_t)((unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20);
	return BK_OK;
}

static bk_err check_space(const struct store *st, const struct config *cfg,
			  char *why, size_t whylen)
{
	int64_t mb = 0;
	bk_err rc;

	if ((rc = submission_free_mb(st, &mb)) != BK_OK) {
		util_seterr(why, whylen, "cannot tell the free space of the data "
			"directory");
		return rc;
	}
	if (mb < cfg->store_min_free_mb) {
		util_seterr(why, whylen, "%lld MiB free in the data directory, "
			"below store.min_free_mb = %d: no form submissions",
			(long long)mb, cfg->store_min_free_mb);
		return BK_ERR_FULL;
	}
	return BK_OK;
}

bk_err submission_can_accept(const struct store *st, const struct config *cfg,
			     char *why, size_t whylen)
{
	json_t *jwk = NULL;
	bk_err rc;

	if ((rc = check_space(st, cfg, why, whylen)) != BK_OK)
		return rc;
	rc = jwe_key_load(cfg->backoffice_public_key, 0, &jwk, why, whylen);
	json_decref(jwk);
	return rc;
}

/* ---- submit -------------------------------------------------------- */

/* The plaintext: serialised straight into one buffer of its exact size,
 * so that no growing copy is left behind un-wiped (property 1). */
static bk_err plaintext(const char *form_id, int version, const char *lang,
			const char *ref, const char *when,
			const json_t *answers, char **out, size_t *len)
{
	json_t *o;
	size_t n;
	bk_err rc = BK_ERR_NOMEM;

	*out = NULL;
	*len = 0;
	if (version > 0 && lang)
		o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:O}", "form_id",
			      form_id, "form_version", version, "lang", lang,
			      "reference", ref, "created_at", when, "answers",
			      (json_t *)(uintptr_t)answers);
	else
		o = json_pack("{s:s, s:s, s:s, s:O}", "form_id", form_id,
			      "reference", ref, "created_at", when, "answers",
			      (json_t *)(uintptr_t)answers);
	if (!o)
		return BK_ERR_NOMEM;
	n = json_dumpb(o, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n == 0) {
		rc = BK_ERR_INVALID;
		goto out;
	}
	if (n > SUBMISSION_PLAIN_MAX) {
		rc = BK_ERR_TOOLARGE;
		goto out;
	}
	*out = malloc(n);
	if (!*out)
		goto out;
	if (json_dumpb(o, *out, n, JSON_COMPACT | JSON_PRESERVE_ORDER) != n) {
		util_wipe(*out, n);
		free(*out);
		*out = NULL;
		rc = BK_ERR_INVALID;
		goto out;
	}
	*len = n;
	rc = BK_OK;
out:
	json_decref(o);
	return rc;
}

static char *event_body(const struct config *cfg, const char *id,
			int64_t now, const char *ref, const char *form_id,
			const char *jwe)
{
	return outbox__event_body(cfg, id, SUBMISSION_TYPE, now,
		json_pack("{s:s, s:s, s:s}", "reference", ref,
			  "form_id", form_id, "jwe", jwe));
}

static bk_err push_event(struct store *st, const char *id, const char *body,
			 int64_t now)
{
	bk_err e;

	if ((e = store__begin(st)))
		return e;
	if ((e = outbox__push(st, id, SUBMISSION_TYPE, body, now))) {
		store__rollback(st);
		return e;
	}
	return outbox__commit(st, id); /* unknown outcomes: the row decides */
}

bk_err submission_submit(struct store *st, const struct config *cfg,
			 const char *form_id, const json_t *answers,
			 struct submission_receipt *out, char *why,
			 size_t whylen)
{
	return submission_submit_form(st, cfg, form_id, 0, NULL, answers, out,
				      why, whylen);
}

bk_err submission_submit_form(struct store *st, const struct config *cfg,
			      const char *form_id, int version,
			      const char *lang, const json_t *answers,
			      struct submission_receipt *out, char *why,
			      size_t whylen)
{
	struct submission_receipt r;
	json_t *jwk = NULL;
	char *pt = NULL, *jwe = NULL, *body = NULL;
	char when[32];
	size_t ptlen = 0;
	int64_t now = store_now_ms();
	bk_err rc;

	memset(out, 0, sizeof *out);
	if (!form_id || !syncproto_is_id(form_id) || !json_is_object(answers)) {
		util_seterr(why, whylen, "form id or answers malformed");
		return BK_ERR_INVALID;
	}
	if ((rc = check_space(st, cfg, why, whylen)) != BK_OK)
		return rc;
	if ((rc = jwe_key_load(cfg->backoffice_public_key, 0, &jwk, why,
			       whylen)) != BK_OK)
		return rc;
	util_uuid(r.event_id);
	make_reference(r.reference);
	store_format_time(now, when);

	rc = plaintext(form_id, version, lang, r.reference, when, answers,
		       &pt, &ptlen);
	if (rc != BK_OK) {
		if (rc == BK_ERR_TOOLARGE)
			util_seterr(why, whylen, "answers over %d bytes",
				SUBMISSION_PLAIN_MAX);
		else
			util_seterr(why, whylen, "answers cannot be serialised");
		goto out;
	}
	rc = jwe_encrypt(jwk, pt, ptlen, &jwe);
	util_wipe(pt, ptlen);
	free(pt);
	if (rc != BK_OK) {
		util_seterr(why, whylen, "encryption failed: %s", bk_strerror(rc));
		goto out;
	}
	body = event_body(cfg, r.event_id, now, r.reference, form_id, jwe);
	if (!body) {
		rc = BK_ERR_NOMEM;
		util_seterr(why, whylen, "out of memory");
		goto out;
	}
	rc = push_event(st, r.event_id, body, now);
	if (rc != BK_OK) {
		util_seterr(why, whylen, "could not store the submission: %s",
			bk_strerror(rc));
		goto out;
	}
	log_info("submission", "form %s queued as event %s", form_id,
		 r.event_id);
	*out = r;
out:
	free(body);
	free(jwe);
	json_decref(jwk);
	return rc;
}
