/*
 * speech.c — espeak-ng children, their WAV on a pipe, SDL queued audio.
 *
 * Threads: the UI thread calls speech_say()/speech_stop() (short, under
 * the lock, never waiting for a child); one worker thread runs the
 * utterances one after the other:
 *
 *   pop ─▶ spawn espeak-ng ─▶ write text, close stdin ─▶ read WAV header
 *       ─▶ read samples ─▶ SDL_AudioStream ─▶ SDL_QueueAudio ─▶ EOF
 *       ─▶ reap the child ─▶ pop …
 *
 * Interruption: every say/stop bumps gen under the lock and kills the
 * running child (SIGKILL; the worker reaps it). The worker holds the lock
 * while it compares the utterance's gen and queues audio, and say/stop
 * hold it while they clear the device's queue, so no audio of an old
 * utterance can be queued after the clear (invariant 2 in speech.h).
 *
 * Pid safety: the worker sets child = 0 under the lock *before* waitpid,
 * so a pid is only ever killed while it is still ours (alive or a
 * zombie), never after it could have been reused.
 */
#define _GNU_SOURCE
#include "ui/speech.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SDL.h>

#include <limits.h>

#include "firmware/log.h"
#include "firmware/util.h"

extern char **environ;

#define READ_CHUNK 8192
#define POLL_MS 50

struct utterance {
	char voice[8];
	char text[SPEECH_TEXT_MAX];
	uint64_t gen;
};

struct speech {
	char program[256];
	SDL_AudioDeviceID dev;        /* 0: no device, silent */
	SDL_AudioSpec have;
	int audio_init;

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* under lock: */
	struct utterance queue[SPEECH_QUEUE_MAX];
	int q_head, q_len;
	uint64_t gen;
	pid_t child;                  /* 0: none */
	int working;                  /* the worker is on an utterance */
	int quit;
	int enabled;
	int missing;                  /* the program could not be run */
	struct speech_stats st;

	uint8_t out[32 * READ_CHUNK]; /* the worker's converted samples */
};

static const struct {
	const char *lang, *voice;
} voices[] = {
	{ "de", "de" }, { "en", "en" }, { "tr", "tr" }, { "uk", "uk" },
	{ "ar", "ar" },
};

const char *speech_voice(const char *lang)
{
	for (size_t i = 0; lang && i < sizeof voices / sizeof voices[0]; i++)
		if (!strcmp(voices[i].lang, lang))
			return voices[i].voice;
	return NULL;
}

/* ---- WAV header ---- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* RIFF layout (little endian):
 *   0  "RIFF"  4  size  8  "WAVE"
 *   12 chunks: id[4] size[4] body[size] (+1 pad byte when size is odd)
 *   "fmt " body: 0 format (1 = PCM)  2 channels  4 rate  8 bytes/s
 *                12 block align  14 bits per sample
 *   "data" body: the samples; espeak-ng --stdout streams and writes
 *   0x7ffff000 as its size. */
int speech_wav_header(const uint8_t *p, size_t n, struct speech_wav *w)
{
	int have_fmt = 0;
	size_t off = 12;
	int more = n < SPEECH_WAV_HEADER_MAX ? 0 : -1;

	if (n >= 4 && memcmp(p, "RIFF", 4))
		return -1;
	if (n >= 12 && memcmp(p + 8, "WAVE", 4))
		return -1;
	if (n < 12)
		return more;
	memset(w, 0, sizeof *w);
	for (;;) {
		uint32_t size;
		uint64_t end;

		if (off + 8 > n)
			return off + 8 > SPEECH_WAV_HEADER_MAX ? -1 : more;
		size = le32(p + off + 4);
		if (!memcmp(p + off, "data", 4)) {
			if (!have_fmt)
				return -1;
			w->data_off = off + 8;
			w->data_len = size;
			return 1;
		}
		end = (uint64_t)off + 8 + size + (size & 1);
		if (end > SPEECH_WAV_HEADER_MAX)
			return -1;
		if (end > n)
			return more;
		if (!memcmp(p + off, "fmt ", 4)) {
			const uint8_t *f = p + off + 8;

			if (size < 16 || have_fmt)
				return -1;
			w->channels = (int)le16(f + 2);
			w->rate = (int)le32(f + 4);
			w->bits = (int)le16(f + 14);
			if (le16(f) != 1 || w->channels < 1 || w->channels > 2 ||
			    w->rate < 4000 || w->rate > 96000 ||
			    (w->bits != 8 && w->bits != 16) ||
			    le16(f + 12) != (unsigned)(w->channels * w->bits / 8))
				return -1;
			have_fmt = 1;
		}
		off = (size_t)end;
	}
}

/* ---- the worker ---- */

/* Kills the running child (under lock). The worker reaps it. */
static void kill_child_locked(struct speech *sp)
{
	if (sp->child > 0) {
		kill(sp->child, SIGKILL);
		sp->st.interrupted++;
	}
}

static void clear_locked(struct speech *sp)
{
	sp->gen++;
	sp->q_len = 0;
	kill_child_locked(sp);
	if (sp->dev)
		SDL_ClearQueuedAudio(sp->dev);
}

static int stale(struct speech *sp, uint64_t gen)
{
	int s;

	pthread_mutex_lock(&sp->lock);
	s = sp->quit || sp->gen != gen;
	pthread_mutex_unlock(&sp->lock);
	return s;
}

/* Writes all of s to fd; a child that died early gives EPIPE (SIGPIPE is
 * blocked on this thread), which is not an error worth more than a stop. */
static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static void drop_pending_sigpipe(void)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

static pid_t spawn(struct speech *sp, const char *voice, int *in, int *out)
{
	char *argv[] = { sp->program, "-v", (char *)voice, "--stdout",
			 "--stdin", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, def;
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 }, rc;
	pid_t pid = -1;

	if (pipe2(to_child, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(from_child, O_CLOEXEC) < 0) {
		close(to_child[0]);
		close(to_child[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	/* the worker blocks every signal; the child starts with none blocked
	 * and SIGPIPE at its default, so it dies when we stop reading */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&pid, sp->program, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(to_child[0]);
	close(from_child[1]);
	if (rc != 0) {
		close(to_child[1]);
		close(from_child[0]);
		errno = rc;
		return -1;
	}
	*in = to_child[1];
	*out = from_child[0];
	return pid;
}

/* Converts and queues n bytes of frame-aligned source samples, unless
 * the utterance went stale. -1 when it did (or on a stream error). */
static int queue_audio(struct speech *sp, SDL_AudioStream *as, uint64_t gen,
		       const uint8_t *src, size_t n, int flush)
{
	int got, rc = 0;

	if (n && SDL_AudioStreamPut(as, src, (int)n) < 0)
		return -1;
	if (flush)
		SDL_AudioStreamFlush(as);
	pthread_mutex_lock(&sp->lock);
	while ((got = SDL_AudioStreamGet(as, sp->out, sizeof sp->out)) > 0) {
		if (sp->quit || sp->gen != gen) {
			rc = -1;
			break;
		}
		if (SDL_QueueAudio(sp->dev, sp->out, (Uint32)got) < 0) {
			rc = -1;
			break;
		}
		sp->st.bytes_queued += (uint64_t)got;
	}
	if (got < 0)
		rc = -1;
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

static void peak16(struct speech *sp, const struct speech_wav *w,
		   const uint8_t *p, size_t n)
{
	int peak = 0;

	if (w->bits == 16)
		for (size_t i = 0; i + 1 < n; i += 2) {
			int v = (int16_t)le16(p + i);
			if (v < 0)
				v = -v;
			if (v > peak)
				peak = v;
		}
	else
		for (size_t i = 0; i < n; i++) {
			int v = ((int)p[i] - 128) * 256;
			if (v < 0)
				v = -v;
			if (v > peak)
				peak = v;
		}
	pthread_mutex_lock(&sp->lock);
	if (peak > sp->st.peak)
		sp->st.peak = peak;
	pthread_mutex_unlock(&sp->lock);
}

/* Reads the child's WAV and queues it until EOF, a cap, a timeout or a
 * newer say. Returns 1 when the whole utterance was queued. */
static int pump(struct speech *sp, int fd, uint64_t gen, int *bad)
{
	uint8_t head[SPEECH_WAV_HEADER_MAX + READ_CHUNK];
	size_t hn = 0, rem = 0, frame = 1;
	uint64_t total = 0, cap = 0;
	struct speech_wav w = { 0 };
	SDL_AudioStream *as = NULL;
	int64_t last = util_mono_ms();
	int state = 0, ok = 0;
	uint8_t chunk[sizeof head + 4];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t k;
		int pr = poll(&pfd, 1, POLL_MS);

		if (stale(sp, gen))
			break;
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0) {
			if (util_mono_ms() - last > SPEECH_CHILD_TIMEOUT_MS) {
				log_warn("speech", "espeak-ng sent nothing for "
					 "%d ms; stopped",
					 SPEECH_CHILD_TIMEOUT_MS);
				break;
			}
			continue;
		}
		last = util_mono_ms();
		if (state == 0) {
			k = read(fd, head + hn, sizeof head - hn);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				/* no output at all is an empty text, not bad */
				if (hn)
					*bad = 1;
				ok = hn == 0;
				break;
			}
			hn += (size_t)k;
			state = speech_wav_header(head, hn, &w);
			if (state < 0) {
				*bad = 1;
				break;
			}
			if (state == 0)
				continue;
			as = SDL_NewAudioStream(w.bits == 8 ? AUDIO_U8
							    : AUDIO_S16LSB,
						(Uint8)w.channels, w.rate,
						sp->have.format,
						sp->have.channels,
						sp->have.freq);
			if (!as) {
				log_warn("speech", "no audio conversion: %s",
					 SDL_GetError());
				break;
			}
			frame = (size_t)(w.channels * w.bits / 8);
			cap = (uint64_t)w.rate * frame * SPEECH_AUDIO_MAX_S;
			/* samples already read after the header */
			rem = hn - w.data_off;
			memmove(chunk, head + w.data_off, rem);
		} else {
			k = read(fd, chunk + rem, READ_CHUNK);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				ok = queue_audio(sp, as, gen, NULL, 0, 1) == 0;
				break;
			}
			rem += (size_t)k;
		}
		{
			size_t use = rem - rem % frame;

			total += use;
			if (total > cap) {
				log_warn("speech", "utterance longer than %d s; "
					 "cut", SPEECH_AUDIO_MAX_S);
				break;
			}
			peak16(sp, &w, chunk, use);
			if (queue_audio(sp, as, gen, chunk, use, 0) < 0)
				break;
			memmove(chunk, chunk + use, rem - use);
			rem -= use;
		}
	}
	if (as)
		SDL_FreeAudioStream(as);
	return ok;
}

/* One utterance, start to reaped child. */
static void run(struct speech *sp, const struct utterance *u)
{
	int in = -1, out = -1, bad = 0, ok, status = 0;
	pid_t pid;

	pid = spawn(sp, u->voice, &in, &out);
	pthread_mutex_lock(&sp->lock);
	if (pid < 0) {
		sp->st.spawn_failures++;
		if (!sp->missing)
			log_warn("speech", "cannot run %s (%s): the kiosk "
				 "goes on without speech", sp->program,
				 strerror(errno));
		sp->missing = 1;
		pthread_mutex_unlock(&sp->lock);
		return;
	}
	sp->child = pid;
	sp->st.started++;
	sp->st.child_running = 1;
	sp->st.last_pid = (int)pid;
	if (sp->gen != u->gen)
		kill_child_locked(sp);
	pthread_mutex_unlock(&sp->lock);

	if (write_all(in, u->text, strlen(u->text)) < 0)
		drop_pending_sigpipe();
	close(in);
	ok = pump(sp, out, u->gen, &bad);
	close(out);

	pthread_mutex_lock(&sp->lock);
	if (sp->child == pid && !ok)
		kill(pid, SIGKILL);  /* stopped early: it must not linger */
	sp->child = 0;
	pthread_mutex_unlock(&sp->lock);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&sp->lock);
	sp->st.child_running = 0;
	if (ok)
		sp->st.finished++;
	if (bad)
		sp->st.bad_wav++;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !sp->missing) {
		log_warn("speech", "%s could not be started: the kiosk goes on "
			 "without speech", sp->program);
		sp->missing = 1;
	} else if (bad) {
		log_warn("speech", "espeak-ng's output is not PCM WAV; "
			 "utterance dropped");
	}
	pthread_mutex_unlock(&sp->lock);
}

static void *worker(void *arg)
{
	struct speech *sp = arg;
	struct utterance *u = malloc(sizeof *u);
	sigset_t all;

	/* signals go to the main thread; SIGPIPE becomes EPIPE here */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&sp->lock);
	while (!sp->quit) {
		if (!sp->q_len || !u) {
			pthread_cond_wait(&sp->cond, &sp->lock);
			continue;
		}
		*u = sp->queue[sp->q_head];
		util_wipe(&sp->queue[sp->q_head], sizeof sp->queue[0]);
		sp->q_head = (sp->q_head + 1) % SPEECH_QUEUE_MAX;
		sp->q_len--;
		if (u->gen != sp->gen || sp->missing)
			continue;
		sp->working = 1;
		pthread_mutex_unlock(&sp->lock);
		run(sp, u);
		util_wipe(u, sizeof *u);
		pthread_mutex_lock(&sp->lock);
		sp->working = 0;
	}
	pthread_mutex_unlock(&sp->lock);
	free(u);
	return NULL;
}

/* ---- the UI side ---- */

static void open_audio(struct speech *sp)
{
	SDL_AudioSpec want;

	if (SDL_InitSubSystem(SDL_INIT_AUDIO) < 0) {
		log_warn("speech", "no audio (%s): the kiosk goes on without "
			 "speech", SDL_GetError());
		return;
	}
	sp->audio_init = 1;
	SDL_zero(want);
	want.freq = 48000;
	want.format = AUDIO_S16SYS;
	want.channels = 2;
	want.samples = 2048;
	sp->dev = SDL_OpenAudioDevice(NULL, 0, &want, &sp->have,
				      SDL_AUDIO_ALLOW_FREQUENCY_CHANGE |
				      SDL_AUDIO_ALLOW_CHANNELS_CHANGE);
	if (!sp->dev) {
		log_warn("speech", "no audio device (%s): the kiosk goes on "
			 "without speech", SDL_GetError());
		return;
	}
	log_info("speech", "audio %d Hz, %d channels (%s)", sp->have.freq,
		 sp->have.channels, SDL_GetCurrentAudioDriver());
	SDL_PauseAudioDevice(sp->dev, 0);
}

struct speech *speech_create(const char *program)
{
	struct speech *sp = calloc(1, sizeof *sp);

	if (!sp)
		return NULL;
	snprintf(sp->program, sizeof sp->program, "%s",
		 program && *program ? program : "espeak-ng");
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->cond, NULL);
	open_audio(sp);
	if (pthread_create(&sp->thread, NULL, worker, sp) != 0) {
		if (sp->dev)
			SDL_CloseAudioDevice(sp->dev);
		if (sp->audio_init)
			SDL_QuitSubSystem(SDL_INIT_AUDIO);
		pthread_cond_destroy(&sp->cond);
		pthread_mutex_destroy(&sp->lock);
		free(sp);
		return NULL;
	}
	return sp;
}

void speech_destroy(struct speech *sp)
{
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->quit = 1;
	clear_locked(sp);
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	pthread_join(sp->thread, NULL);  /* it reaps its child first */
	if (sp->dev)
		SDL_CloseAudioDevice(sp->dev);
	if (sp->audio_init)
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
	pthread_cond_destroy(&sp->cond);
	pthread_mutex_destroy(&sp->lock);
	util_wipe(sp->queue, sizeof sp->queue);
	free(sp);
}

void speech_set_enabled(struct speech *sp, int on)
{
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->enabled = on != 0;
	if (!on)
		clear_locked(sp);
	pthread_mutex_unlock(&sp->lock);
}

int speech_enabled(const struct speech *sp)
{
	struct speech *m = (struct speech *)sp;
	int on;

	if (!sp)
		return 0;

	pthread_mutex_lock(&m->lock);
	on = m->enabled;
	pthread_mutex_unlock(&m->lock);
	return on;
}

int speech_available(const struct speech *sp)
{
	struct speech *m = (struct speech *)sp;
	int ok;

	if (!sp)
		return 0;

	pthread_mutex_lock(&m->lock);
	ok = m->dev && !m->missing;
	pthread_mutex_unlock(&m->lock);
	return ok;
}

static int say(struct speech *sp, const char *lang, const char *text,
	       int interrupt)
{
	const char *voice = speech_voice(lang);
	size_t n = text ? strlen(text) : 0;
	struct utterance *u;
	int rc = 0;

	if (!voice || !text || n >= SPEECH_TEXT_MAX ||
	    !util_utf8_valid(text, n, 0))
		return -1;
	if (!sp)
		return 0;
	pthread_mutex_lock(&sp->lock);
	if (!sp->enabled || !sp->dev || sp->missing)
		goto out;
	if (interrupt)
		clear_locked(sp);
	if (sp->q_len == SPEECH_QUEUE_MAX) {
		rc = -1;
		goto out;
	}
	u = &sp->queue[(sp->q_head + sp->q_len) % SPEECH_QUEUE_MAX];
	snprintf(u->voice, sizeof u->voice, "%s", voice);
	memcpy(u->text, text, n + 1);
	/* control characters (newlines too) become spaces: one utterance */
	for (char *p = u->text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	u->gen = sp->gen;
	sp->q_len++;
	pthread_cond_signal(&sp->cond);
out:
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

int speech_say(struct speech *sp, const char *lang, const char *text)
{
	return say(sp, lang, text, 1);
}

int speech_say_queued(struct speech *sp, const char *lang, const char *text)
{
	return say(sp, lang, text, 0);
}

int speech_play_queued(struct speech *sp, const int16_t *pcm, size_t n,
		       int rate)
{
	SDL_AudioStream *as;
	int got = 0, rc = 0;

	if (rate < 8000 || rate > 96000 || (!pcm && n) ||
	    n > (size_t)INT_MAX / sizeof *pcm)
		return -1;
	if (!sp || n == 0)
		return 0;
	pthread_mutex_lock(&sp->lock);
	if (!sp->enabled || !sp->dev) {
		pthread_mutex_unlock(&sp->lock);
		return 0;
	}
	as = SDL_NewAudioStream(AUDIO_S16SYS, 1, rate, sp->have.format,
				sp->have.channels, sp->have.freq);
	if (!as || SDL_AudioStreamPut(as, pcm, (int)(n * sizeof *pcm)) < 0 ||
	    SDL_AudioStreamFlush(as) < 0) {
		rc = -1;
	} else {
		/* sp->out is the worker's buffer, free while we hold the lock */
		while ((got = SDL_AudioStreamGet(as, sp->out,
						 sizeof sp->out)) > 0) {
			if (SDL_QueueAudio(sp->dev, sp->out, (Uint32)got) < 0) {
				rc = -1;
				break;
			}
			sp->st.bytes_queued += (uint64_t)got;
		}
		if (got < 0)
			rc = -1;
	}
	if (rc)
		log_warn("speech", "cannot queue a sound: %s", SDL_GetError());
	if (as)
		SDL_FreeAudioStream(as);
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

void speech_stop(struct speech *sp)
{
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	clear_locked(sp);
	pthread_mutex_unlock(&sp->lock);
}

int speech_busy(struct speech *sp)
{
	int busy;

	if (!sp)
		return 0;
	pthread_mutex_lock(&sp->lock);
	busy = sp->q_len > 0 || sp->working ||
	       (sp->dev && SDL_GetQueuedAudioSize(sp->dev) > 0);
	pthread_mutex_unlock(&sp->lock);
	return busy;
}

void speech_get_stats(struct speech *sp, struct speech_stats *st)
{
	if (!sp) {
		memset(st, 0, sizeof *st);
		return;
	}
	pthread_mutex_lock(&sp->lock);
	*st = sp->st;
	st->queued_now = sp->dev ? SDL_GetQueuedAudioSize(sp->dev) : 0;
	st->device_rate = sp->dev ? sp->have.freq : 0;
	st->device_channels = sp->dev ? sp->have.channels : 0;
	pthread_mutex_unlock(&sp->lock);
}
