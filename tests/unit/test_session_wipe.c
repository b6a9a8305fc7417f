/* A session that times out leaves no personal data in the buffers the UI
 * owns: a citizen walks away from a half-filled form, from a form the ID
 * card filled in, or from the CAN pad; "Do you need more time?" comes up
 * (and the data is still there, so the citizen could go on), then the
 * session ends on its own. After that neither the names, the birth date,
 * the document's data nor the CAN is found in any text buffer, widget,
 * the text cache, the last spoken text (app_holds_text) or any byte of
 * struct app.
 *
 * The whole kiosk runs as in test_monkey.c: the real worker and store in
 * a temporary folder, the virtual printer, the shipped forms with a back
 * office key, the emulated ID card on the virtual reader, and the app's
 * clock virtual (linked with -Wl,--wrap=util_mono_ms), so a 60 + 30 s
 * timeout costs no real time. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "drivers/card/card.h"
#include "firmware/app_card.h"
#include "firmware/config.h"
#include "firmware/forms.h"
#include "firmware/i18n.h"
#include "firmware/icao_pa.h"
#include "firmware/log.h"
#include "firmware/util.h"
#include "sim/cardsim/cardsim.h"
#include "ui/app.h"
#include "ui/text.h"
#include "ui/worker.h"

#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define CAN "314159"

static _Atomic int64_t vclock;

int64_t __wrap_util_mono_ms(void);
int64_t __real_util_mono_ms(void);

int64_t __wrap_util_mono_ms(void)
{
	return atomic_load(&vclock);
}

struct kiosk {
	struct config cfg;
	struct i18n i18n;
	struct forms_list forms;
	char dir[256];
	SDL_Surface *surface;
	SDL_Renderer *r;
	struct text *text;
	struct worker *worker;
	struct app_card *card;
	struct cardsim *cardsim;
	struct card_virtual_card vcard;
	unsigned char atr[33];
	struct app *app;
};

static void real_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static int frame(struct kiosk *k, int64_t advance_ms)
{
	atomic_fetch_add(&vclock, advance_ms);
	return app_frame(k->app, atomic_load(&vclock));
}

static const char *screen(const struct kiosk *k)
{
	return app_screen_name(k->app->screen);
}

/* Frames until the screen is `name` and takes input; the worker and the
 * card thread answer in real time (up to 15 s). 0, or -1. */
static int reach(struct kiosk *k, const char *name)
{
	int64_t t0 = __real_util_mono_ms();

	while (__real_util_mono_ms() - t0 < 15000) {
		if (frame(k, 1) < 0)
			return -1;
		if (!strcmp(screen(k), name) && !k->app->inflight &&
		    !k->app->card_read_id) {
			if (!app_accepts_input(k->app))
				frame(k, APP_INPUT_GUARD_MS);
			return 0;
		}
		real_sleep_ms(2);
	}
	fprintf(stderr, "stuck on %s, waiting for %s\n", screen(k), name);
	return -1;
}

/* A finger on the widget with this id, a little after the screen
 * appeared. 0, or -1 when there is no such widget. */
static int tap(struct kiosk *k, const char *id)
{
	struct widget *w;
	int x, y;

	frame(k, APP_INPUT_GUARD_MS + 50);
	w = widget_find(k->app->root, id);
	if (!w) {
		fprintf(stderr, "no #%s on %s\n", id, screen(k));
		return -1;
	}
	x = w->rect.x + w->rect.w / 2;
	y = w->rect.y + w->rect.h / 2;
	app_pointer(k->app, 1, x, y);
	frame(k, 80);
	app_pointer(k->app, 0, x, y);
	return frame(k, 16);
}

static void type(struct kiosk *k, const char *s)
{
	app_text(k->app, s);
	frame(k, 200);
}

static int mem_has(const void *p, size_t n, const char *needle)
{
	size_t len = strlen(needle);

	for (size_t i = 0; i + len <= n; i++)
		if (!memcmp((const char *)p + i, needle, len))
			return 1;
	return 0;
}

static int holds(const struct kiosk *k, const char *needle)
{
	return app_holds_text(k->app, needle) ||
	       mem_has(k->app, sizeof *k->app, needle);
}

/* Walks away: the prompt comes after kiosk.idle_seconds, with the
 * session (and its data, checked by still) intact; the session ends
 * kiosk.more_time_seconds later. */
static void walk_away(struct kiosk *k, const char *still)
{
	frame(k, (int64_t)k->cfg.idle_seconds * 1000 + 10);
	CHECK_INT(k->app->more_time, 1);
	CHECK(widget_find(k->app->root, "more-time") != NULL);
	CHECK(holds(k, still));
	frame(k, (int64_t)k->cfg.more_time_seconds * 1000 + 10);
	CHECK_STR(screen(k), "welcome");
	CHECK_STR(k->app->lang, k->cfg.default_language);
	CHECK_INT(k->app->a11y.speech + k->app->a11y.contrast +
		  k->app->a11y.large, 0);
}

static struct kiosk kiosk;

/* Whatever a failed test left: back to the start. */
static int home(struct kiosk *k)
{
	card_virtual_remove();
	if (strcmp(screen(k), "welcome")) {
		app_key(k->app, SDLK_ESCAPE);
		frame(k, 16);
	}
	return reach(k, "welcome");
}

static void test_form_typed(void)
{
	static const char *const typed[] = {
		"Wischnewski", "Jovanka", "12081964",
	};
	struct kiosk *k = &kiosk;

	REQUIRE(home(k) == 0);
	REQUIRE(tap(k, "lang-uk") == 0); /* the language falls back too */
	REQUIRE(tap(k, "a11y-large") == 0);
	REQUIRE(tap(k, "forms") == 0 && reach(k, "forms") == 0);
	REQUIRE(tap(k, "form-meldebescheinigung") == 0);
	REQUIRE(reach(k, "form-page") == 0);
	type(k, typed[0]);
	REQUIRE(tap(k, "field-given_names") == 0);
	type(k, typed[1]);
	REQUIRE(tap(k, "field-date_of_birth") == 0);
	type(k, typed[2]);
	for (int i = 0; i < 3; i++)
		CHECK(holds(k, typed[i])); /* or the test proves nothing */
	walk_away(k, typed[0]);
	for (int i = 0; i < 3; i++)
		CHECK(!holds(k, typed[i]));
	CHECK(!holds(k, "12.08.1964"));
}

static void test_card_prefilled(void)
{
	static const char *const from_card[] = {
		"KOWALCZYK", "JOVANKA", "12.08.1964", "T22000129", CAN,
	};
	struct kiosk *k = &kiosk;

	REQUIRE(home(k) == 0);
	REQUIRE(tap(k, "forms") == 0 && reach(k, "forms") == 0);
	REQUIRE(tap(k, "form-meldebescheinigung") == 0);
	REQUIRE(reach(k, "form-page") == 0);
	REQUIRE(tap(k, "prefill") == 0 && reach(k, "prefill-consent") == 0);
	REQUIRE(tap(k, "prefill-ok") == 0 && reach(k, "card") == 0);
	card_virtual_insert(&k->vcard);
	for (int i = 0; i < 5000 && !k->app->card_present; i++) {
		real_sleep_ms(1); /* the card thread sees it in real time */
		frame(k, 1);
	}
	CHECK_INT(k->app->card_present, 1);
	type(k, CAN);
	CHECK(holds(k, CAN));
	REQUIRE(tap(k, "card-read") == 0);
	if (reach(k, "form-page") < 0) {
		fprintf(stderr, "card: %s\n", k->app->card_msg ?
			k->app->card_msg : "(no message)");
		check_fail(__FILE__, __LINE__, "the card did not fill the form");
		return;
	}
	card_virtual_remove();
	CHECK(holds(k, "KOWALCZYK"));
	CHECK(holds(k, "JOVANKA"));
	walk_away(k, "KOWALCZYK");
	for (size_t i = 0; i < sizeof from_card / sizeof *from_card; i++) {
		CHECK(!holds(k, from_card[i]));
		if (holds(k, from_card[i]))
			fprintf(stderr, "still held: %s\n", from_card[i]);
	}
}

/* The CAN typed, the card never placed. */
static void test_can_typed(void)
{
	struct kiosk *k = &kiosk;

	REQUIRE(home(k) == 0);
	REQUIRE(tap(k, "idcard") == 0 && reach(k, "card") == 0);
	type(k, "271828");
	CHECK(holds(k, "271828"));
	walk_away(k, "271828");
	CHECK(!holds(k, "271828"));
}

/* ---- setup, as test_monkey.c ---- */

static int set(struct kiosk *k, const char *key, const char *value)
{
	char err[CONFIG_ERR_MAX];

	if (config_set(&k->cfg, key, value, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int write_public_key(const char *path)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	FILE *f;
	int ok;

	if (!key)
		return -1;
	f = fopen(path, "w");
	ok = f && PEM_write_PUBKEY(f, key) == 1;
	if (f && fclose(f) != 0)
		ok = 0;
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

static int make_card(struct kiosk *k, char *csca_dir, size_t len)
{
	struct cardsim_holder h = {
		.doc = 1, .access = CARDSIM_ACCESS_PACE, .can = CAN,
		.document_number = "T22000129", .issuing_state = "D",
		.nationality = "D", .surname = "KOWALCZYK",
		.given_names = "JOVANKA", .date_of_birth = "640812",
		.date_of_expiry = "311031", .sex = 'F',
	};
	struct cardsim_opts o = { 0 };
	char key[300], cert[320], err[256];
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = NULL;
	FILE *f;
	int rc = -1;

	snprintf(csca_dir, len, "%s/csca", k->dir);
	snprintf(key, sizeof key, "%s/csca.key", k->dir);
	snprintf(cert, sizeof cert, "%s/csca.pem", csca_dir);
	if (!pk || util_mkdir_p(csca_dir) < 0 ||
	    icao_pa_make_cert(pk, "UT", "Wipe CSCA", NULL, NULL, &x) != BK_OK)
		goto out;
	if (!(f = fopen(key, "w")))
		goto out;
	PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	if (!(f = fopen(cert, "w")))
		goto out;
	PEM_write_X509(f, x);
	fclose(f);
	o.csca_key = key;
	o.csca_cert = cert;
	k->cardsim = cardsim_create(&h, &o, err, sizeof err);
	if (!k->cardsim) {
		fprintf(stderr, "cardsim: %s\n", err);
		goto out;
	}
	k->vcard.ctx = k->cardsim;
	k->vcard.apdu = cardsim_apdu_cb;
	k->vcard.atr = k->atr;
	k->vcard.atr_len = cardsim_atr(k->atr);
	k->vcard.reset = cardsim_reset_cb;
	rc = 0;
out:
	util_wipe(&h, sizeof h);
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

static int setup(struct kiosk *k)
{
	char err[512], path[320], csca[300];
	struct worker_result wr = { .kind = WORKER_STORE_FAILED };

	check_tmpdir(k->dir);
	if (config_load(&k->cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(path, sizeof path, "virtual:%s/printer", k->dir);
	if (set(k, "printer.uri", path) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/printer", k->dir);
	if (mkdir(path, 0755) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/backoffice.pub", k->dir);
	if (write_public_key(path) < 0 ||
	    set(k, "backoffice.public_key", path) < 0 ||
	    make_card(k, csca, sizeof csca) < 0 ||
	    set(k, "card.reader", "virtual:") < 0 ||
	    set(k, "card.csca_dir", csca) < 0)
		return -1;
	if (config_validate(&k->cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	i18n_init(&k->i18n, config_i18n_dir(&k->cfg), k->cfg.languages,
		  k->cfg.n_languages);
	if (forms_load_dir(forms_dir(&k->cfg), &k->i18n, &k->forms, NULL) !=
	    BK_OK)
		return -1;
	/* a small surface with the logical size: every widget and text is
	 * made as on the kiosk, with fewer pixels to fill */
	k->surface = SDL_CreateRGBSurfaceWithFormat(0, 108, 192, 32,
						    SDL_PIXELFORMAT_ARGB8888);
	if (k->surface)
		k->r = SDL_CreateSoftwareRenderer(k->surface);
	if (!k->r || SDL_RenderSetLogicalSize(k->r, APP_W, APP_H) < 0)
		return -1;
	k->text = text_create(k->r, FONT, FONT_BOLD, err, sizeof err);
	if (!k->text)
		return -1;
	k->worker = worker_create(&k->cfg, &k->i18n, k->dir,
				  k->cfg.printer_uri);
	if (!k->worker)
		return -1;
	for (int i = 0; i < 1000 && !worker_poll(k->worker, &wr); i++)
		real_sleep_ms(10);
	if (wr.kind != WORKER_READY)
		return -1;
	k->app = app_create(k->r, k->text, &k->cfg, &k->i18n, k->worker, NULL,
			    err, sizeof err);
	if (!k->app)
		return -1;
	app_set_forms(k->app, &k->forms);
	k->card = app_card_create(k->cfg.card_reader, k->cfg.card_csca_dir,
				  err, sizeof err);
	if (!k->card)
		return -1;
	app_set_card(k->app, k->card);
	return 0;
}

static void teardown(struct kiosk *k)
{
	app_destroy(k->app);
	app_card_destroy(k->card);
	card_virtual_remove();
	cardsim_destroy(k->cardsim);
	worker_destroy(k->worker);
	forms_list_free(&k->forms);
	text_destroy(k->text);
	if (k->r)
		SDL_DestroyRenderer(k->r);
	if (k->surface)
		SDL_FreeSurface(k->surface);
	i18n_free(&k->i18n);
	check_rmtree(k->dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "a half-filled form times out", test_form_typed },
		{ "a form filled from the ID card times out",
		  test_card_prefilled },
		{ "a typed CAN times out", test_can_typed },
		{ NULL, NULL },
	};
	int rc;

	log_init("test_session_wipe", LOG_WARN);
	atomic_store(&vclock, __real_util_mono_ms());
	if (util_mono_ms() != atomic_load(&vclock)) {
		fprintf(stderr, "not linked with -Wl,--wrap=util_mono_ms\n");
		return 1;
	}
	if (setup(&kiosk) < 0) {
		fprintf(stderr, "setup failed\n");
		teardown(&kiosk);
		return 1;
	}
	rc = check_main(tests);
	teardown(&kiosk);
	return rc;
}
