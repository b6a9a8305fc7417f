/*
 * speech.h — speech output: espeak-ng in a child process, audio through
 * SDL to the headphone output.
 *
 * espeak-ng is GPL-3, so it is never linked: each utterance runs
 *     espeak-ng -v VOICE --stdout --stdin
 * with the text written to its standard input (never in argv, where every
 * local user could read it in /proc) and its WAV read from a pipe. One
 * worker thread does the spawning, the reading, the WAV parsing, the
 * conversion to the audio device's format (SDL_AudioStream) and the
 * SDL_QueueAudio() on the device opened once by speech_create(). The UI
 * thread only hands over text and never waits for a child or a pipe.
 *
 * Two ways to speak:
 *   speech_say()         interrupts: what is queued and what is being
 *                        said are dropped (the child is killed, queued
 *                        audio cleared). A new screen or a touched element
 *                        replaces the previous utterance, because the
 *                        citizen has moved on.
 *   speech_say_queued()  appends: spoken after everything before it,
 *                        without overlap (the waiting-room display's
 *                        announcements).
 *
 * Invariants:
 *   1. At most one child at a time; every child is reaped (waitpid) by the
 *      worker before the next starts and by speech_destroy(): no zombies.
 *   2. Audio of an interrupted utterance never reaches the device after
 *      speech_say() returns (generation counter checked under the lock
 *      that also guards SDL_QueueAudio / SDL_ClearQueuedAudio).
 *   3. A missing espeak-ng or an audio device that cannot be opened is
 *      logged once; the kiosk goes on silent (speech_say returns 0 and
 *      drops the text; speech_available() says 0).
 *   4. Caps on outside bytes: a WAV header of at most SPEECH_WAV_HEADER_MAX
 *      bytes, PCM 8/16 bit, 1-2 channels, 4000-96000 Hz; at most
 *      SPEECH_AUDIO_MAX_S seconds of audio per utterance (then the child
 *      is killed); a child that sends nothing for SPEECH_CHILD_TIMEOUT_MS
 *      is killed.
 *
 * Texts are never logged (they may be what a citizen typed). Which texts
 * are spoken is the screens' decision; docs/accessibility.md sets the
 * rules (labels and the key's character, masked fields never).
 *
 * This module does NOT decide what to say, translate, remember whether a
 * citizen switched speech on between sessions, or pick the output jack
 * (the kiosk's audio setup routes SDL's default device to headphones).
 */
#ifndef BK_UI_SPEECH_H
#define BK_UI_SPEECH_H

#include <stddef.h>
#include <stdint.h>

#define SPEECH_TEXT_MAX 2048        /* bytes of one utterance, incl. NUL */
#define SPEECH_QUEUE_MAX 16         /* utterances waiting; more are dropped */
#define SPEECH_WAV_HEADER_MAX 4096  /* bytes before the "data" chunk */
#define SPEECH_AUDIO_MAX_S 120      /* seconds of audio per utterance */
#define SPEECH_CHILD_TIMEOUT_MS 10000

struct speech;

/* Starts the worker and opens the default audio device once (SDL audio is
 * initialised here with SDL_InitSubSystem). program NULL means
 * "espeak-ng" from PATH. Speech starts disabled (speech_set_enabled).
 * Returns NULL only when out of memory or the thread cannot start; a
 * missing program or audio device gives a silent speech object. */
struct speech *speech_create(const char *program);
/* Kills a running child, reaps it, stops the worker, closes the device.
 * Every function below takes sp == NULL as "no speech" and does nothing
 * (speech_say returns 0 for a valid text). */
void speech_destroy(struct speech *sp);

/* Switched on by the citizen's speech button; off drops everything (as
 * speech_stop()). Texts given while off are ignored. */
void speech_set_enabled(struct speech *sp, int on);
int speech_enabled(const struct speech *sp);

/* 1 when espeak-ng ran (or has not failed yet) and a device is open. */
int speech_available(const struct speech *sp);

/* Says text (UTF-8, < SPEECH_TEXT_MAX bytes, control characters become
 * spaces) in lang ("de", "en", "tr", "uk", "ar"), interrupting whatever
 * is being said. Returns 0 (also when disabled or silent), -1 for an
 * unknown language or ill-formed text (nothing changes then). */
int speech_say(struct speech *sp, const char *lang, const char *text);

/* Like speech_say() but queued behind what is being said. -1 also when
 * SPEECH_QUEUE_MAX utterances are waiting. */
int speech_say_queued(struct speech *sp, const char *lang, const char *text);

/* Queues n samples of 16-bit mono PCM at rate Hz (8000-96000) on the
 * speech device, converted to its format: one device carries every sound
 * of the kiosk or display (where the audio driver allows one device only,
 * a second would stay silent). It plays after the audio queued so far; a
 * caller that wants it after a sentence still being synthesised waits
 * for speech_busy() == 0 first. Returns 0 (also when disabled or
 * silent), -1 for a bad rate or when the conversion fails. */
int speech_play_queued(struct speech *sp, const int16_t *pcm, size_t n,
		       int rate);

/* Stops at once: drops the queue, kills the child, clears queued audio. */
void speech_stop(struct speech *sp);

/* 1 while an utterance waits, is being synthesised, or its audio has not
 * been played yet. */
int speech_busy(struct speech *sp);

/* The espeak-ng voice for lang, or NULL when there is none. */
const char *speech_voice(const char *lang);

/* Counters for tests and the maintenance view (no text in them). */
struct speech_stats {
	uint64_t started;        /* children spawned */
	uint64_t finished;       /* utterances whose audio was fully queued */
	uint64_t interrupted;    /* children killed by say/stop/destroy */
	uint64_t bytes_queued;   /* device-format bytes given to SDL */
	int peak;                /* largest |sample| seen (16-bit scale) */
	int spawn_failures;
	int bad_wav;             /* outputs refused by the WAV parser */
	int child_running;       /* 1 while a child exists (not yet reaped) */
	int last_pid;            /* the last child's pid (tests check it is gone) */
	uint32_t queued_now;     /* bytes waiting in the device's queue */
	int device_rate;         /* the device's format (0: no device) */
	int device_channels;
};
void speech_get_stats(struct speech *sp, struct speech_stats *st);

/* ---- the WAV header parser (outside bytes: tests/fuzz/fuzz_wav.c) ---- */

struct speech_wav {
	int rate;                /* samples per second */
	int channels;            /* 1 or 2 */
	int bits;                /* 8 (unsigned) or 16 (signed LE) */
	size_t data_off;         /* offset of the first sample byte */
	uint32_t data_len;       /* as declared; 0 or > 0x7fff0000 = streaming */
};

/* Parses the RIFF/WAVE header at p[0..n). Returns 1 when complete (w
 * filled), 0 when more bytes are needed (n < SPEECH_WAV_HEADER_MAX), -1
 * when it is not PCM WAV within the caps. Never reads past p + n. */
int speech_wav_header(const uint8_t *p, size_t n, struct speech_wav *w);

#endif
