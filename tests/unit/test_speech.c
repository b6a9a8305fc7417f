/*
 * test_speech.c — the real espeak-ng speaks all five languages into SDL's
 * queue (SDL_AUDIODRIVER=dummy, set by ctest), a new say interrupts the
 * old one, queued announcements follow each other, a missing program is
 * reported once and leaves the kiosk silent, and no child process is left
 * behind in any of these.
 *
 * Figures (synthesis time and audio length per language) are printed:
 *   ctest -R unit.test_speech -V
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>

#include "firmware/util.h"
#include "tests/unit/check.h"
#include "ui/speech.h"

/* Our children that still exist (running or zombie), from /proc. */
static int children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[512], *p;
		FILE *f;
		int ppid = 0;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static int gone(int pid)
{
	return pid > 0 && kill(pid, 0) < 0 && errno == ESRCH;
}

/* Waits up to ms for cond(st) to hold. */
static int wait_for(struct speech *sp, int (*cond)(const struct speech_stats *,
						   const void *),
		    const void *arg, int ms)
{
	struct speech_stats st;
	int64_t until = util_mono_ms() + ms;

	do {
		speech_get_stats(sp, &st);
		if (cond(&st, arg))
			return 1;
		SDL_Delay(5);
	} while (util_mono_ms() < until);
	return 0;
}

static int finished_at_least(const struct speech_stats *st, const void *arg)
{
	return st->finished >= *(const uint64_t *)arg && !st->child_running;
}

static int has_audio(const struct speech_stats *st, const void *arg)
{
	return st->bytes_queued > *(const uint64_t *)arg;
}

static int running(const struct speech_stats *st, const void *arg)
{
	(void)arg;
	return st->child_running;
}

static int not_running(const struct speech_stats *st, const void *arg)
{
	(void)arg;
	return !st->child_running;
}

static int failures(const struct speech_stats *st, const void *arg)
{
	return st->spawn_failures >= *(const int *)arg;
}

static int bad_wav(const struct speech_stats *st, const void *arg)
{
	(void)arg;
	return st->bad_wav > 0 && !st->child_running;
}

static void test_wav_header(void)
{
	/* what espeak-ng 1.51 writes: streaming sizes, 22050 Hz mono s16 */
	static const uint8_t espeak[48] = {
		'R', 'I', 'F', 'F', 0x24, 0xf0, 0xff, 0x7f,
		'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
		16, 0, 0, 0, 1, 0, 1, 0, 0x22, 0x56, 0, 0,
		0x44, 0xac, 0, 0, 2, 0, 16, 0,
		'd', 'a', 't', 'a', 0, 0xf0, 0xff, 0x7f, 1, 2, 3, 4 };
	/* a LIST chunk of odd size (padded) before data, 8 bit stereo */
	static const uint8_t list[] = {
		'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 2, 0,
		0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 8, 0,
		'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0,
		'd', 'a', 't', 'a', 2, 0, 0, 0, 0x80, 0x80 };
	struct speech_wav w;
	uint8_t bad[48];

	CHECK_INT(speech_wav_header(espeak, sizeof espeak, &w), 1);
	CHECK_INT(w.rate, 22050);
	CHECK_INT(w.channels, 1);
	CHECK_INT(w.bits, 16);
	CHECK_INT(w.data_off, 44);
	for (size_t k = 0; k < 44; k++)   /* a pipe delivers it in pieces */
		CHECK_INT(speech_wav_header(espeak, k, &w), 0);
	CHECK_INT(speech_wav_header(list, sizeof list, &w), 1);
	CHECK_INT(w.rate, 8000);
	CHECK_INT(w.channels, 2);
	CHECK_INT(w.bits, 8);
	CHECK_INT(w.data_off, 56);
	memcpy(bad, espeak, sizeof bad);
	bad[20] = 3;                      /* IEEE float: refused */
	CHECK_INT(speech_wav_header(bad, sizeof bad, &w), -1);
	memcpy(bad, espeak, sizeof bad);
	bad[22] = 6;                      /* six channels */
	CHECK_INT(speech_wav_header(bad, sizeof bad, &w), -1);
	memcpy(bad, espeak, sizeof bad);
	bad[24] = 0x10; bad[25] = 0; bad[26] = 0; /* 16 Hz */
	CHECK_INT(speech_wav_header(bad, sizeof bad, &w), -1);
	CHECK_INT(speech_wav_header((const uint8_t *)"RIFX", 4, &w), -1);
	memcpy(bad, espeak, sizeof bad);
	memcpy(bad + 12, "junk", 4);      /* data before any fmt */
	memcpy(bad + 16, "\0\0\0\0", 4);
	memcpy(bad + 20, "data", 4);
	CHECK_INT(speech_wav_header(bad, sizeof bad, &w), -1);
	memcpy(bad, espeak, sizeof bad);
	memcpy(bad + 12, "junk", 4);      /* a chunk past the header cap */
	bad[16] = 0xff; bad[17] = 0xff; bad[18] = 0xff; bad[19] = 0xff;
	CHECK_INT(speech_wav_header(bad, sizeof bad, &w), -1);
}

static void test_voices(void)
{
	static const char *const langs[] = { "de", "en", "tr", "uk", "ar" };

	for (size_t i = 0; i < 5; i++)
		CHECK(speech_voice(langs[i]) != NULL);
	CHECK(speech_voice("fr") == NULL);
	CHECK(speech_voice(NULL) == NULL);
	/* no speech object: everything is a no-op */
	CHECK_INT(speech_say(NULL, "de", "Hallo"), 0);
	CHECK_INT(speech_say(NULL, "xx", "Hallo"), -1);
	speech_stop(NULL);
	speech_set_enabled(NULL, 1);
	CHECK(!speech_enabled(NULL) && !speech_available(NULL) &&
	      !speech_busy(NULL));
	speech_destroy(NULL);
}

static void test_five_languages(void)
{
	static const struct {
		const char *lang, *text;
	} says[] = {
		{ "de", "Bitte ziehen Sie eine Wartenummer." },
		{ "en", "Please take a ticket." },
		{ "tr", "Lütfen bir sıra numarası alın." },
		{ "uk", "Будь ласка, візьміть номерок." },
		{ "ar", "من فضلك خذ رقم الانتظار." },
	};
	struct speech *sp = speech_create(NULL);
	struct speech_stats st;

	REQUIRE(sp);
	REQUIRE(speech_available(sp));
	CHECK(!speech_enabled(sp));
	/* off: nothing is spoken */
	CHECK_INT(speech_say(sp, "de", "Hallo"), 0);
	SDL_Delay(100);
	speech_get_stats(sp, &st);
	CHECK_INT(st.started, 0);

	speech_set_enabled(sp, 1);
	CHECK(speech_enabled(sp));
	speech_get_stats(sp, &st);
	printf("device: %d Hz, %d channels\n", st.device_rate,
	       st.device_channels);
	for (size_t i = 0; i < sizeof says / sizeof says[0]; i++) {
		uint64_t before, want;
		int64_t t0 = util_mono_ms();
		double secs;

		speech_get_stats(sp, &st);
		before = st.bytes_queued;
		want = st.finished + 1;
		st.peak = 0;
		REQUIRE(speech_say(sp, says[i].lang, says[i].text) == 0);
		CHECK(speech_busy(sp));
		if (!wait_for(sp, finished_at_least, &want, 10000)) {
			fprintf(stderr, "%s: not spoken\n", says[i].lang);
			CHECK(0);
			continue;
		}
		speech_get_stats(sp, &st);
		secs = (double)(st.bytes_queued - before) /
		       (st.device_rate * st.device_channels * 2);
		printf("%s: %.2f s of audio queued %lld ms after say\n",
		       says[i].lang, secs, (long long)(util_mono_ms() - t0));
		/* a sentence is more than half a second of sound */
		CHECK(secs > 0.5);
		CHECK(gone(st.last_pid));
	}
	speech_get_stats(sp, &st);
	CHECK(st.peak > 3000);        /* real sound, not silence */
	CHECK_INT(st.bad_wav, 0);
	CHECK_INT(st.interrupted, 0);
	CHECK_INT(children(), 0);
	speech_destroy(sp);
	CHECK_INT(children(), 0);
}

static const char long_text[] =
	"Willkommen im Bürgerbüro. Bitte wählen Sie Ihr Anliegen. Sie können "
	"eine Wartenummer ziehen, einen Termin bestätigen oder ein Formular "
	"ausfüllen. Wenn Sie Hilfe brauchen, wenden Sie sich bitte an den "
	"Empfang. Die Wartezeit beträgt zur Zeit etwa zwanzig Minuten. Bitte "
	"achten Sie auf die Anzeige im Wartebereich, dort wird Ihre Nummer "
	"aufgerufen. Vielen Dank für Ihre Geduld und einen schönen Tag.";

/* The citizen touches something else: the first text stops, only the
 * second one's audio is left in the queue. */
static void test_interrupt(void)
{
	struct speech *sp = speech_create(NULL);
	struct speech_stats st, st1;
	uint64_t zero = 0, want;

	REQUIRE(sp);
	speech_set_enabled(sp, 1);
	REQUIRE(speech_say(sp, "de", long_text) == 0);
	REQUIRE(wait_for(sp, has_audio, &zero, 10000));
	speech_get_stats(sp, &st1);
	REQUIRE(speech_say(sp, "de", "Zurück.") == 0);
	want = 1;
	REQUIRE(wait_for(sp, finished_at_least, &want, 10000));
	speech_get_stats(sp, &st);
	/* the long text took 20 s of audio; what is queued now is at most
	 * the short one's */
	CHECK(st.queued_now <= st.bytes_queued - st1.bytes_queued);
	CHECK(st.queued_now < (uint32_t)(st.device_rate * st.device_channels *
					 2 * 3));
	printf("interrupt: first child %s, queue after the second %u bytes "
	       "(%.2f s)\n", st.interrupted ? "killed" : "had finished",
	       st.queued_now,
	       (double)st.queued_now / (st.device_rate * st.device_channels *
					2));
	CHECK(gone(st1.last_pid));
	CHECK(gone(st.last_pid));
	/* stop clears the device queue at once */
	REQUIRE(speech_say(sp, "de", long_text) == 0);
	REQUIRE(wait_for(sp, has_audio, &st.bytes_queued, 10000));
	speech_stop(sp);
	speech_get_stats(sp, &st);
	CHECK_INT(st.queued_now, 0);
	CHECK(wait_for(sp, not_running, NULL, 5000));
	SDL_Delay(100);
	speech_get_stats(sp, &st);
	CHECK_INT(st.queued_now, 0);   /* nothing of it came in late */
	CHECK(!speech_busy(sp));
	CHECK_INT(children(), 0);
	speech_destroy(sp);
}

/* Announcements: the second waits for the first, nothing is cut. */
static void test_queued(void)
{
	struct speech *sp = speech_create(NULL);
	struct speech_stats st, one;
	uint64_t want = 1;

	REQUIRE(sp);
	speech_set_enabled(sp, 1);
	REQUIRE(speech_say_queued(sp, "de", "Nummer A 12 bitte zu Schalter 3.")
		== 0);
	REQUIRE(wait_for(sp, finished_at_least, &want, 10000));
	speech_get_stats(sp, &one);
	REQUIRE(speech_say_queued(sp, "de", "Nummer A 12 bitte zu Schalter 3.")
		== 0);
	REQUIRE(speech_say_queued(sp, "en", "Number A 13 to counter 4.") == 0);
	want = 3;
	REQUIRE(wait_for(sp, finished_at_least, &want, 10000));
	speech_get_stats(sp, &st);
	CHECK_INT(st.interrupted, 0);
	/* the same sentence twice makes the same audio: nothing was cut */
	CHECK(st.bytes_queued > 2 * one.bytes_queued);
	/* and it is all still waiting to be played, one after the other */
	CHECK(st.queued_now > one.bytes_queued);
	CHECK(speech_busy(sp));
	CHECK_INT(children(), 0);
	speech_destroy(sp);
	CHECK_INT(children(), 0);
}

/* A sound (the display's gong) goes on the same device as speech,
 * converted to its rate and channels, after what is queued; disabled
 * speech queues nothing; a bad rate is refused. */
static void test_play_pcm(void)
{
	struct speech *sp = speech_create(NULL);
	struct speech_stats st0, st;
	static int16_t tone[22050];   /* 0.5 s at 44.1 kHz */
	double secs;

	REQUIRE(sp);
	for (size_t i = 0; i < sizeof tone / sizeof tone[0]; i++)
		tone[i] = (int16_t)((i / 50) % 2 ? 8000 : -8000);
	CHECK_INT(speech_play_queued(sp, tone, 22050, 44100), 0);
	speech_get_stats(sp, &st0);
	CHECK_INT(st0.bytes_queued, 0);             /* disabled: silent */
	speech_set_enabled(sp, 1);
	CHECK_INT(speech_play_queued(sp, tone, 22050, 100), -1);
	CHECK_INT(speech_play_queued(sp, tone, 22050, 44100), 0);
	speech_get_stats(sp, &st);
	REQUIRE(st.device_rate > 0 && st.device_channels > 0);
	secs = (double)st.bytes_queued /
	       ((double)st.device_rate * st.device_channels * 2);
	CHECK(secs > 0.45 && secs < 0.55);
	CHECK(speech_busy(sp));
	/* a sentence queued behind it does not cut it */
	REQUIRE(speech_say_queued(sp, "de", "Nummer A 17.") == 0);
	speech_get_stats(sp, &st0);
	CHECK(st0.queued_now >= st.bytes_queued / 2);
	speech_destroy(sp);
	CHECK_INT(children(), 0);
}

/* A stand-in for espeak-ng that sends a WAV header and then hangs. */
static void write_fake(const char *dir, char *prog, size_t len,
		       const char *body)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/head.wav", dir);
	f = fopen(path, "wb");
	if (f) {
		static const unsigned char h[44] = {
			'R', 'I', 'F', 'F', 0x24, 0xf0, 0xff, 0x7f,
			'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
			16, 0, 0, 0, 1, 0, 1, 0, 0x22, 0x56, 0, 0,
			0x44, 0xac, 0, 0, 2, 0, 16, 0,
			'd', 'a', 't', 'a', 0, 0xf0, 0xff, 0x7f };
		fwrite(h, 1, sizeof h, f);
		fclose(f);
	}
	snprintf(prog, len, "%s/fake-espeak", dir);
	f = fopen(prog, "w");
	if (f) {
		fprintf(f, "#!/bin/sh\ncat >/dev/null\n%s\n", body);
		fclose(f);
	}
	chmod(prog, 0755);
}

static void test_kill_and_reap(void)
{
	char dir[256], prog[512], body[600];
	struct speech *sp;
	struct speech_stats st;
	int first;

	check_tmpdir(dir);
	snprintf(body, sizeof body, "cat %s/head.wav\nexec sleep 30", dir);
	write_fake(dir, prog, sizeof prog, body);
	sp = speech_create(prog);
	REQUIRE(sp);
	speech_set_enabled(sp, 1);
	REQUIRE(speech_say(sp, "de", "eins") == 0);
	REQUIRE(wait_for(sp, running, NULL, 5000));
	speech_get_stats(sp, &st);
	first = st.last_pid;
	CHECK_INT(children(), 1);
	/* a second say kills the hanging first one */
	REQUIRE(speech_say(sp, "de", "zwei") == 0);
	SDL_Delay(300);
	speech_get_stats(sp, &st);
	CHECK(gone(first));
	CHECK(st.interrupted >= 1);
	CHECK(st.last_pid != first && st.child_running);
	CHECK_INT(children(), 1);
	/* the queue is capped while one hangs */
	for (int i = 0; i < SPEECH_QUEUE_MAX; i++)
		CHECK_INT(speech_say_queued(sp, "de", "x"), 0);
	CHECK_INT(speech_say_queued(sp, "de", "x"), -1);
	/* destroying with a child running leaves none */
	speech_destroy(sp);
	CHECK_INT(children(), 0);

	/* output that is not WAV is refused, and the child is reaped */
	write_fake(dir, prog, sizeof prog, "echo 'this is not a wav file'");
	sp = speech_create(prog);
	REQUIRE(sp);
	speech_set_enabled(sp, 1);
	REQUIRE(speech_say(sp, "en", "x") == 0);
	CHECK(wait_for(sp, bad_wav, NULL, 5000));
	speech_get_stats(sp, &st);
	CHECK_INT(st.bytes_queued, 0);
	CHECK_INT(st.finished, 0);
	CHECK_INT(children(), 0);
	speech_destroy(sp);
	check_rmtree(dir);
}

static void test_missing_program(void)
{
	struct speech *sp = speech_create("/nonexistent/espeak-ng");
	struct speech_stats st;
	int one = 1;

	REQUIRE(sp);
	speech_set_enabled(sp, 1);
	CHECK_INT(speech_say(sp, "de", "Hallo"), 0);
	REQUIRE(wait_for(sp, failures, &one, 5000));
	CHECK(!speech_available(sp));
	/* silent from now on: no second attempt, no second log line */
	CHECK_INT(speech_say(sp, "de", "Hallo"), 0);
	SDL_Delay(100);
	speech_get_stats(sp, &st);
	CHECK_INT(st.spawn_failures, 1);
	CHECK_INT(st.started, 0);
	CHECK_INT(children(), 0);
	speech_destroy(sp);
}

static void test_refused_input(void)
{
	struct speech *sp = speech_create(NULL);
	char *big = malloc(SPEECH_TEXT_MAX + 1);

	REQUIRE(sp && big);
	speech_set_enabled(sp, 1);
	CHECK_INT(speech_say(sp, "fr", "Bonjour"), -1);
	CHECK_INT(speech_say(sp, "de", "\xc3("), -1);
	CHECK_INT(speech_say(sp, "de", NULL), -1);
	memset(big, 'a', SPEECH_TEXT_MAX);
	big[SPEECH_TEXT_MAX] = '\0';
	CHECK_INT(speech_say(sp, "de", big), -1);
	/* a text that looks like an option is text: it goes to stdin */
	CHECK_INT(speech_say(sp, "de", "-v xx --help"), 0);
	{
		uint64_t want = 1;
		struct speech_stats st;

		CHECK(wait_for(sp, finished_at_least, &want, 10000));
		speech_get_stats(sp, &st);
		CHECK(st.bytes_queued > 0);
	}
	free(big);
	speech_destroy(sp);
	CHECK_INT(children(), 0);
}

/* The whole path to the device: SDL's disk driver writes what it plays
 * to a file, which must hold the sound (not silence). */
static void test_disk_output(void)
{
	char dir[256], path[512];
	const char *old = getenv("SDL_AUDIODRIVER");
	char saved[64];
	struct speech *sp;
	struct speech_stats st;
	uint64_t want = 1;
	int64_t until;
	FILE *f;
	int peak = 0;
	long size = 0;

	snprintf(saved, sizeof saved, "%s", old ? old : "dummy");
	check_tmpdir(dir);
	snprintf(path, sizeof path, "%s/out.raw", dir);
	setenv("SDL_AUDIODRIVER", "disk", 1);
	setenv("SDL_DISKAUDIOFILE", path, 1);
	sp = speech_create(NULL);
	REQUIRE(sp);
	speech_set_enabled(sp, 1);
	speech_get_stats(sp, &st);
	if (!st.device_rate) {
		fprintf(stderr, "no disk audio driver; skipped\n");
		goto out;
	}
	REQUIRE(speech_say(sp, "en", "Your number is A 12.") == 0);
	REQUIRE(wait_for(sp, finished_at_least, &want, 10000));
	until = util_mono_ms() + 10000;
	while (speech_busy(sp) && util_mono_ms() < until)
		SDL_Delay(20);
	CHECK(!speech_busy(sp));
	speech_get_stats(sp, &st);
	speech_destroy(sp);
	sp = NULL;
	f = fopen(path, "rb");
	REQUIRE(f);
	for (;;) {
		unsigned char b[2];
		int v;

		if (fread(b, 1, 2, f) != 2)
			break;
		size += 2;
		v = (int16_t)(b[0] | b[1] << 8);
		if (v < 0)
			v = -v;
		if (v > peak)
			peak = v;
	}
	fclose(f);
	printf("disk driver: %ld bytes played, %llu queued, peak %d\n", size,
	       (unsigned long long)st.bytes_queued, peak);
	CHECK(size >= (long)st.bytes_queued);
	CHECK(peak > 3000);
out:
	speech_destroy(sp);
	setenv("SDL_AUDIODRIVER", saved, 1);
	unsetenv("SDL_DISKAUDIOFILE");
	check_rmtree(dir);
	CHECK_INT(children(), 0);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "wav_header", test_wav_header },
		{ "voices", test_voices },
		{ "five_languages", test_five_languages },
		{ "interrupt", test_interrupt },
		{ "queued", test_queued },
		{ "play_pcm", test_play_pcm },
		{ "kill_and_reap", test_kill_and_reap },
		{ "missing_program", test_missing_program },
		{ "refused_input", test_refused_input },
		{ "disk_output", test_disk_output },
		{ NULL, NULL },
	};
	int rc;

	if (!getenv("SDL_AUDIODRIVER"))
		setenv("SDL_AUDIODRIVER", "dummy", 1);
	rc = check_main(tests);
	SDL_Quit();
	return rc;
}
