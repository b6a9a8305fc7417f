/*
 * gong.h — the waiting-room gong: synthesised at start, played through SDL.
 *
 * The sound is ours, made from arithmetic, not a recording: two strikes
 * (a higher then a lower tone, "ding-dong"), each a sum of a few partials
 * at bell-like frequency ratios that decay exponentially, the higher
 * partials faster, with a 4 ms attack so the strike does not click.
 * About GONG_SECONDS of 16-bit mono PCM at the device's rate, peak at
 * GONG_PEAK of full scale, ending in silence.
 *
 * The player queues the whole sound at once on the speech device
 * (speech_play_queued(): one device for the gong and the sentence, since
 * an audio driver may allow only one). Without speech or a device the
 * gong stays silent: the display goes on showing calls.
 *
 * This module does NOT speak (ui/speech.h) or decide when to ring (the
 * display's announcer waits until gong_busy() is 0 before the sentence).
 */
#ifndef BK_UI_GONG_H
#define BK_UI_GONG_H

#include <stddef.h>
#include <stdint.h>

#define GONG_SECONDS 2.6
#define GONG_PEAK 0.6           /* of int16 full scale */
#define GONG_RATE 44100

/* The samples at rate Hz (8000-96000), malloc'd; *n gets their number.
 * NULL when out of memory or the rate is out of range. */
int16_t *gong_synth(int rate, size_t *n);

struct gong;

/* Synthesises the sound and opens the default audio device (initialises
 * SDL audio). Returns NULL only when out of memory; without a device the
 * gong is silent (gong_available() 0). */
struct speech;

/* sp: the speech output that carries the sound (NULL: silent, counted). */
struct gong *gong_create(struct speech *sp);
void gong_destroy(struct gong *g);   /* NULL is fine */

/* Queues the whole sound (it plays even if one is still ringing: the
 * caller waits for gong_busy() first). Counts plays also when silent. */
void gong_play(struct gong *g);
/* 1 while sound of it is still queued on the device. */
int gong_busy(struct gong *g);
int gong_available(const struct gong *g);
/* How often gong_play() was called. */
uint64_t gong_plays(const struct gong *g);

#endif
