/*
 * gong.c — the synthesised gong and its player (gong.h).
 */
#include "ui/gong.h"

#include <math.h>
#include <stdlib.h>

#include "ui/speech.h"

/* One partial of a strike: frequency as a ratio of the strike's base,
 * relative amplitude, and the time (s) it takes to fall to 1/e. The
 * ratios are those of a struck bar/bell (hum, prime, minor third, fifth,
 * octave, upper partial), chosen by ear, not taken from any recording. */
struct partial {
	double ratio, amp, tau;
};

static const struct partial partials[] = {
	{ 0.50, 0.30, 1.40 },
	{ 1.00, 1.00, 1.10 },
	{ 1.19, 0.35, 0.70 },
	{ 1.50, 0.25, 0.50 },
	{ 2.00, 0.30, 0.40 },
	{ 2.76, 0.12, 0.25 },
};

/* the two strikes: base frequency (Hz) and start (s) */
static const struct {
	double f, t0, gain;
} strikes[] = {
	{ 659.25, 0.00, 1.00 },   /* E5 */
	{ 523.25, 0.65, 0.95 },   /* C5 */
};

#define ATTACK_S 0.004
#define FADE_S 0.25               /* forced fade to zero at the end */

int16_t *gong_synth(int rate, size_t *n)
{
	size_t total, i;
	double *acc, peak = 0.0;
	int16_t *out;

	if (rate < 8000 || rate > 96000)
		return NULL;
	total = (size_t)(GONG_SECONDS * rate);
	acc = calloc(total, sizeof *acc);
	out = malloc(total * sizeof *out);
	if (!acc || !out) {
		free(acc);
		free(out);
		return NULL;
	}
	for (size_t s = 0; s < sizeof strikes / sizeof strikes[0]; s++) {
		size_t start = (size_t)(strikes[s].t0 * rate);

		for (i = start; i < total; i++) {
			double t = (double)(i - start) / rate, v = 0.0;
			double env = t < ATTACK_S ? t / ATTACK_S : 1.0;

			for (size_t p = 0; p < sizeof partials / sizeof partials[0];
			     p++) {
				double f = strikes[s].f * partials[p].ratio;

				v += partials[p].amp * exp(-t / partials[p].tau) *
				     sin(2.0 * M_PI * f * t);
			}
			acc[i] += strikes[s].gain * env * v;
		}
	}
	for (i = 0; i < total; i++) {
		double t_end = (double)(total - i) / rate;

		if (t_end < FADE_S)
			acc[i] *= t_end / FADE_S;
		if (fabs(acc[i]) > peak)
			peak = fabs(acc[i]);
	}
	for (i = 0; i < total; i++) {
		double v = peak > 0.0 ? acc[i] / peak * GONG_PEAK : 0.0;

		out[i] = (int16_t)lrint(v * 32767.0);
	}
	free(acc);
	*n = total;
	return out;
}

struct gong {
	int16_t *pcm;
	size_t n;
	struct speech *sp;            /* not owned; NULL: silent */
	uint64_t plays;
};

struct gong *gong_create(struct speech *sp)
{
	struct gong *g = calloc(1, sizeof *g);

	if (!g)
		return NULL;
	g->pcm = gong_synth(GONG_RATE, &g->n);
	if (!g->pcm) {
		free(g);
		return NULL;
	}
	g->sp = sp;
	return g;
}

void gong_destroy(struct gong *g)
{
	if (!g)
		return;
	free(g->pcm);
	free(g);
}

void gong_play(struct gong *g)
{
	if (!g)
		return;
	g->plays++;
	speech_play_queued(g->sp, g->pcm, g->n, GONG_RATE);
}

int gong_busy(struct gong *g)
{
	return g && speech_busy(g->sp);
}

int gong_available(const struct gong *g)
{
	return g && g->sp && speech_available(g->sp);
}

uint64_t gong_plays(const struct gong *g)
{
	return g ? g->plays : 0;
}
