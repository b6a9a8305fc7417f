/* Encrypted form submissions: the outbox holds a JWE of the right profile
 * that decrypts with the back office's key to the answers; the plaintext
 * is nowhere in kiosk.db or its WAL; no key or too little space refuses
 * before anything is stored, and tickets go on. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/config.h"
#include "firmware/jwe.h"
#include "firmware/outbox.h"
#include "firmware/queue.h"
#include "firmware/store.h"
#include "firmware/submission.h"
#include "firmware/util.h"

#define MARK_NAME "Erika Quetzalcoatl-Mustermann"
#define MARK_ITEM "Regenschirm mit Entenkopfgriff"

static char keydir[256];

static void setup_cfg(struct config *cfg, const char *pub)
{
	char err[512];

	if (config_load(cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) != 0 ||
	    config_set(cfg, "backoffice.public_key", pub, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
}

static json_t *demo_answers(void)
{
	return json_pack("{s:s, s:s, s:s, s:i}", "name", MARK_NAME,
			 "item", MARK_ITEM, "place", "Rathausplatz",
			 "count", 1);
}

/* 1 when needle occurs in the bytes of path (a missing file: 0). */
static int file_has(const char *path, const char *needle)
{
	size_t len = 0, n = strlen(needle);
	char *data = util_read_file(path, (size_t)256 << 20, &len);
	int found = 0;

	for (size_t i = 0; data && !found && i + n <= len; i++)
		found = !memcmp(data + i, needle, n);

	free(data);
	return found;
}

static int db_has(const char *dir, const char *needle)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[512];
	int found = 0;

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/kiosk.db%s", dir, suffix[i]);
		found |= file_has(path, needle);
	}
	return found;
}

static int64_t outbox_total(struct store *st)
{
	struct outbox_counts c;

	if (outbox_counts(st, &c) != BK_OK)
		return -1;
	return c.pending + c.delivered + c.dead;
}

static void test_roundtrip(void)
{
	char dir[256], err[512], pub[300], priv[300], why[256];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r;
	struct outbox_batch b = { 0 };
	json_t *answers = demo_answers(), *ev = NULL, *hdr = NULL,
	       *key = NULL, *plain = NULL, *data;
	unsigned char *pt = NULL;
	size_t ptlen = 0;
	const char *jwe, *k;
	json_t *v;
	int n_keys = 0;

	snprintf(pub, sizeof pub, "%s/backoffice-public.pem", keydir);
	snprintf(priv, sizeof priv, "%s/backoffice-private.pem", keydir);
	setup_cfg(&cfg, pub);
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	CHECK(submission_can_accept(st, &cfg, why, sizeof why) == BK_OK);
	REQUIRE(submission_submit(st, &cfg, "fundsache", answers, &r, why,
				  sizeof why) == BK_OK);
	CHECK(submission_reference_valid(r.reference));
	REQUIRE(outbox_next_batch(st, 10, store_now_ms() + 1000, &b) == BK_OK);
	REQUIRE(b.n == 1);
	CHECK_STR(b.ev[0].id, r.event_id);
	CHECK_STR(b.ev[0].type, "form.submitted");

	/* the body: exactly these members, and no plaintext */
	ev = json_loads(b.ev[0].body, JSON_REJECT_DUPLICATES, NULL);
	REQUIRE(json_is_object(ev));
	json_object_foreach(ev, k, v) {
		CHECK(!strcmp(k, "id") || !strcmp(k, "type") ||
		      !strcmp(k, "kiosk_id") || !strcmp(k, "site_id") ||
		      !strcmp(k, "created_at") || !strcmp(k, "data"));
		n_keys++;
	}
	CHECK_INT(n_keys, 6);
	data = json_object_get(ev, "data");
	CHECK_INT(json_object_size(data), 3);
	CHECK_STR(json_string_value(json_object_get(data, "reference")),
		  r.reference);
	CHECK_STR(json_string_value(json_object_get(data, "form_id")),
		  "fundsache");
	jwe = json_string_value(json_object_get(data, "jwe"));
	REQUIRE(jwe);
	CHECK(!strstr(b.ev[0].body, MARK_NAME));
	CHECK(!strstr(b.ev[0].body, "Rathausplatz"));

	/* the protected header, exactly */
	hdr = jwe_header(jwe);
	REQUIRE(hdr);
	{
		json_t *want = json_pack("{s:s, s:s}", "alg", "RSA-OAEP-256",
					 "enc", "A256GCM");
		CHECK(json_equal(hdr, want));
		json_decref(want);
	}
	/* five parts */
	{
		int dots = 0;
		for (const char *p = jwe; *p; p++)
			dots += *p == '.';
		CHECK_INT(dots, 4);
	}

	/* decrypts with the private key to the answers */
	REQUIRE(jwe_key_load(priv, 1, &key, err, sizeof err) == BK_OK);
	REQUIRE(jwe_decrypt(key, jwe, strlen(jwe), &pt, &ptlen) == BK_OK);
	plain = json_loadb((const char *)pt, ptlen, 0, NULL);
	REQUIRE(plain);
	CHECK(json_equal(json_object_get(plain, "answers"), answers));
	CHECK_STR(json_string_value(json_object_get(plain, "reference")),
		  r.reference);
	CHECK_STR(json_string_value(json_object_get(plain, "form_id")),
		  "fundsache");

	/* the public key cannot decrypt it */
	{
		json_t *pk = NULL;
		unsigned char *x = NULL;
		size_t xl = 0;
		REQUIRE(jwe_key_load(pub, 0, &pk, err, sizeof err) == BK_OK);
		CHECK(jwe_decrypt(pk, jwe, strlen(jwe), &x, &xl) != BK_OK);
		CHECK(x == NULL);
		json_decref(pk);
	}

	/* the plaintext is nowhere in the database files; the reference
	 * (which is stored) shows that the search itself works */
	CHECK(db_has(dir, r.reference));
	CHECK(!db_has(dir, MARK_NAME));
	CHECK(!db_has(dir, MARK_ITEM));
	CHECK(!db_has(dir, "Rathausplatz"));

	util_wipe(pt, ptlen);
	free(pt);
	json_decref(plain);
	json_decref(key);
	json_decref(hdr);
	json_decref(ev);
	json_decref(answers);
	outbox_batch_free(&b);
	store_close(st);
	CHECK(!db_has(dir, MARK_NAME));
	check_rmtree(dir);
}

/* A changed header, part or byte is refused, never decrypted. */
static void test_tampering(void)
{
	char err[512], pub[300], priv[300];
	json_t *pk = NULL, *sk = NULL;
	char *jwe = NULL, *bad;
	unsigned char *pt = NULL;
	size_t ptlen = 0, len;
	static const char msg[] = "{\"a\":1}";

	snprintf(pub, sizeof pub, "%s/backoffice-public.pem", keydir);
	snprintf(priv, sizeof priv, "%s/backoffice-private.pem", keydir);
	REQUIRE(jwe_key_load(pub, 0, &pk, err, sizeof err) == BK_OK);
	REQUIRE(jwe_key_load(priv, 1, &sk, err, sizeof err) == BK_OK);
	REQUIRE(jwe_encrypt(pk, msg, strlen(msg), &jwe) == BK_OK);
	len = strlen(jwe);
	REQUIRE(jwe_decrypt(sk, jwe, len, &pt, &ptlen) == BK_OK);
	CHECK_INT(ptlen, strlen(msg));
	CHECK(!memcmp(pt, msg, ptlen));
	free(pt);
	pt = NULL;

	bad = strdup(jwe);
	REQUIRE(bad);
	/* a flipped ciphertext symbol: the GCM tag fails */
	{
		char *p = strrchr(bad, '.') - 2;
		*p = *p == 'A' ? 'B' : 'A';
		CHECK(jwe_decrypt(sk, bad, len, &pt, &ptlen) == BK_ERR_INVALID);
		CHECK(pt == NULL);
	}
	/* another alg in the header: refused before libjose sees it */
	{
		/* {"alg":"RSA1_5","enc":"A256GCM"} */
		const char *h = "eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMjU2R0NNIn0";
		const char *rest = strchr(jwe, '.');
		char *x = malloc(strlen(h) + strlen(rest) + 1);
		REQUIRE(x);
		sprintf(x, "%s%s", h, rest);
		CHECK(jwe_decrypt(sk, x, strlen(x), &pt, &ptlen) ==
		      BK_ERR_PROTOCOL);
		free(x);
	}
	/* four parts, six parts, a foreign character */
	CHECK(jwe_decrypt(sk, jwe, (size_t)(strrchr(jwe, '.') - jwe), &pt,
			  &ptlen) == BK_ERR_PROTOCOL);
	{
		char *x = malloc(len + 3);
		REQUIRE(x);
		sprintf(x, "%s.A", jwe);
		CHECK(jwe_decrypt(sk, x, strlen(x), &pt, &ptlen) ==
		      BK_ERR_PROTOCOL);
		strcpy(x, jwe);
		x[3] = '+';
		CHECK(jwe_decrypt(sk, x, len, &pt, &ptlen) == BK_ERR_PROTOCOL);
		free(x);
	}
	CHECK(jwe_decrypt(sk, "", 0, &pt, &ptlen) == BK_ERR_PROTOCOL);
	CHECK(jwe_header("not a jwe") == NULL);
	free(bad);
	free(jwe);
	json_decref(pk);
	json_decref(sk);
}

static void test_no_key(void)
{
	char dir[256], err[512], why[256], path[300];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r;
	json_t *answers = demo_answers();
	FILE *f;

	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);

	setup_cfg(&cfg, "");
	CHECK(submission_can_accept(st, &cfg, why, sizeof why) ==
	      BK_ERR_CONFIG);
	CHECK(submission_submit(st, &cfg, "fundsache", answers, &r, why,
				sizeof why) == BK_ERR_CONFIG);
	CHECK(strstr(why, "backoffice.public_key") != NULL);
	CHECK_STR(r.reference, "");

	snprintf(path, sizeof path, "%s/missing.pem", dir);
	setup_cfg(&cfg, path);
	CHECK(submission_submit(st, &cfg, "fundsache", answers, &r, why,
				sizeof why) == BK_ERR_CONFIG);

	snprintf(path, sizeof path, "%s/garbage.pem", dir);
	f = fopen(path, "w");
	REQUIRE(f);
	fputs("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	      f);
	fclose(f);
	setup_cfg(&cfg, path);
	CHECK(submission_submit(st, &cfg, "fundsache", answers, &r, why,
				sizeof why) == BK_ERR_CONFIG);
	CHECK(strstr(why, "not a PEM") != NULL);

	CHECK_INT(outbox_total(st), 0);
	CHECK(!db_has(dir, MARK_NAME));
	json_decref(answers);
	store_close(st);
	check_rmtree(dir);
}

/* Below store.min_free_mb submissions stop; tickets go on. */
static void test_free_space(void)
{
	char dir[256], err[512], why[256], pub[300];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r;
	struct ticket t;
	json_t *answers = demo_answers();
	int64_t mb = 0;

	snprintf(pub, sizeof pub, "%s/backoffice-public.pem", keydir);
	setup_cfg(&cfg, pub);
	REQUIRE(config_set(&cfg, "store.min_free_mb", "1000000", err,
			   sizeof err) == 0);
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	REQUIRE(submission_free_mb(st, &mb) == BK_OK);
	CHECK(mb > 0);
	if (mb >= 1000000) {
		fprintf(stderr, "skipping: over 1 TB free\n");
		goto out;
	}
	CHECK(submission_can_accept(st, &cfg, why, sizeof why) == BK_ERR_FULL);
	CHECK(strstr(why, "min_free_mb") != NULL);
	CHECK(submission_submit(st, &cfg, "fundsache", answers, &r, why,
				sizeof why) == BK_ERR_FULL);
	CHECK_INT(outbox_total(st), 0);
	CHECK(queue_issue_ticket(st, &cfg, "reisepass", "de", "k1", NULL, NULL,
				 &t) == BK_OK);
	CHECK_INT(outbox_total(st), 1);

	REQUIRE(config_set(&cfg, "store.min_free_mb", "1", err,
			   sizeof err) == 0);
	CHECK(submission_submit(st, &cfg, "fundsache", answers, &r, why,
				sizeof why) == BK_OK);
	CHECK_INT(outbox_total(st), 2);
out:
	json_decref(answers);
	store_close(st);
	check_rmtree(dir);
}

static void test_bad_input(void)
{
	char dir[256], err[512], why[256], pub[300];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r;
	json_t *big = json_object(), *arr = json_array();
	char *filler = malloc(SUBMISSION_PLAIN_MAX + 1);

	REQUIRE(filler && big && arr);
	memset(filler, 'x', SUBMISSION_PLAIN_MAX);
	filler[SUBMISSION_PLAIN_MAX] = '\0';
	json_object_set_new(big, "text", json_string(filler));
	snprintf(pub, sizeof pub, "%s/backoffice-public.pem", keydir);
	setup_cfg(&cfg, pub);
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	CHECK(submission_submit(st, &cfg, "fundsache", big, &r, why,
				sizeof why) == BK_ERR_TOOLARGE);
	CHECK(submission_submit(st, &cfg, "fundsache", arr, &r, why,
				sizeof why) == BK_ERR_INVALID);
	CHECK(submission_submit(st, &cfg, "Fund Sache", big, &r, why,
				sizeof why) == BK_ERR_INVALID);
	CHECK_INT(outbox_total(st), 0);
	free(filler);
	json_decref(big);
	json_decref(arr);
	store_close(st);
	check_rmtree(dir);
}

/* Every single-symbol change is caught by the check symbol. */
static void test_reference(void)
{
	static const char sym[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char dir[256], err[512], why[256], pub[300], ref[SUBMISSION_REF_LEN];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r;
	json_t *answers = demo_answers();
	int caught = 0, tried = 0;

	snprintf(pub, sizeof pub, "%s/backoffice-public.pem", keydir);
	setup_cfg(&cfg, pub);
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	REQUIRE(submission_submit(st, &cfg, "fundsache", answers, &r, why,
				  sizeof why) == BK_OK);
	CHECK_INT(strlen(r.reference), 13);
	CHECK(submission_reference_valid(r.reference));
	for (int i = 2; i < 13; i++) {
		if (i == 7)
			continue;
		for (int s = 0; s < 32; s++) {
			if (sym[s] == r.reference[i])
				continue;
			memcpy(ref, r.reference, sizeof ref);
			ref[i] = sym[s];
			tried++;
			caught += !submission_reference_valid(ref);
		}
	}
	CHECK_INT(caught, tried);
	CHECK(!submission_reference_valid("F-00000-0000"));
	CHECK(!submission_reference_valid("F-0000I-00000"));
	CHECK(submission_reference_valid("F-00000-00000"));
	CHECK(!submission_reference_valid(NULL));
	json_decref(answers);
	store_close(st);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "roundtrip", test_roundtrip },
		{ "tampering", test_tampering },
		{ "no_key", test_no_key },
		{ "free_space", test_free_space },
		{ "bad_input", test_bad_input },
		{ "reference", test_reference },
		{ NULL, NULL },
	};
	char err[512];
	int rc;

	check_tmpdir(keydir);
	if (jwe_demo_keys(keydir, err, sizeof err) != BK_OK) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	rc = check_main(tests);
	check_rmtree(keydir);
	return rc;
}
