/*
 * display_sse.c — the display's parsers of outside bytes: the
 * text/event-stream parser, the call JSON, and the German sentence made
 * from a call (display.h). No I/O, no SDL: tests/fuzz/fuzz_sse.c runs it
 * alone.
 */
#include "ui/display.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "firmware/util.h"

static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

void display_sse_init(struct display_sse *p)
{
	memset(p, 0, sizeof *p);
	p->retry_ms = -1;
}

static void reset_event(struct display_sse *p)
{
	p->event[0] = '\0';
	p->data_len = 0;
	p->data[0] = '\0';
	p->has_data = 0;
	p->data_dropped = 0;
}

static int dispatch(struct display_sse *p, display_sse_fn fn, void *ctx)
{
	int sent = 0;

	if (p->has_data && !p->data_dropped) {
		/* the data buffer ends with the LF of the last data line */
		if (p->data_len > 0)
			p->data_len--;
		p->data[p->data_len] = '\0';
		if (fn)
			fn(ctx, p->event[0] ? p->event : "message", p->data,
			   p->data_len, p->last_id);
		sent = 1;
	}
	reset_event(p);
	return sent;
}

static void field(struct display_sse *p, const char *name, size_t nlen,
		  const char *val, size_t vlen)
{
	if (nlen == 5 && !memcmp(name, "event", 5)) {
		if (vlen < sizeof p->event && !memchr(val, '\0', vlen)) {
			memcpy(p->event, val, vlen);
			p->event[vlen] = '\0';
		} else {
			/* a name we cannot hold is none we know */
			snprintf(p->event, sizeof p->event, "%s", "?");
		}
	} else if (nlen == 4 && !memcmp(name, "data", 4)) {
		p->has_data = 1;
		if (p->data_dropped)
			return;
		if (vlen + 1 > DISPLAY_SSE_DATA_MAX - p->data_len) {
			p->data_dropped = 1;
			return;
		}
		memcpy(p->data + p->data_len, val, vlen);
		p->data_len += vlen;
		p->data[p->data_len++] = '\n';
	} else if (nlen == 2 && !memcmp(name, "id", 2)) {
		if (vlen < sizeof p->last_id && !memchr(val, '\0', vlen)) {
			memcpy(p->last_id, val, vlen);
			p->last_id[vlen] = '\0';
		}
	} else if (nlen == 5 && !memcmp(name, "retry", 5)) {
		long v = 0;
		size_t i;

		if (vlen == 0 || vlen > 9)
			return;
		for (i = 0; i < vlen; i++) {
			if (val[i] < '0' || val[i] > '9')
				return;
			v = v * 10 + (val[i] - '0');
		}
		p->retry_ms = v;
	}
	/* other fields are ignored, as the standard says */
}

/* One complete line (without its end). */
static int line(struct display_sse *p, display_sse_fn fn, void *ctx)
{
	const char *s = p->line, *colon;
	size_t n = p->line_len;

	if (n == 0)
		return dispatch(p, fn, ctx);
	if (s[0] == ':')
		return 0; /* a comment: the keep-alive */
	colon = memchr(s, ':', n);
	if (!colon) {
		field(p, s, n, s + n, 0);
		return 0;
	}
	{
		size_t nlen = (size_t)(colon - s);
		const char *v = colon + 1;
		size_t vlen = n - nlen - 1;

		if (vlen > 0 && *v == ' ') {
			v++;
			vlen--;
		}
		field(p, s, nlen, v, vlen);
	}
	return 0;
}

static int end_line(struct display_sse *p, display_sse_fn fn, void *ctx)
{
	int sent = 0;

	if (!p->line_dropped)
		sent = line(p, fn, ctx);
	p->line_len = 0;
	p->line_dropped = 0;
	return sent;
}

int display_sse_feed(struct display_sse *p, const char *buf, size_t n,
		     display_sse_fn fn, void *ctx)
{
	int sent = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (!p->started) {
			/* the BOM may only be the first three bytes */
			if (c == bom[p->bom]) {
				if (++p->bom == sizeof bom)
					p->started = 1;
				continue;
			}
			p->started = 1;
			if (p->bom > 0) {
				/* a partial BOM was data: take it as bytes */
				size_t k = p->bom;

				p->bom = 0;
				sent += display_sse_feed(p, (const char *)bom,
							 k, fn, ctx);
			}
		}
		if (c == '\n' && p->after_cr) {
			p->after_cr = 0;
			continue; /* CR LF is one line end */
		}
		p->after_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			sent += end_line(p, fn, ctx);
			continue;
		}
		if (p->line_dropped)
			continue;
		if (p->line_len + 1 >= sizeof p->line) {
			p->line_dropped = 1;
			continue;
		}
		p->line[p->line_len++] = (char)c;
	}
	return sent;
}

/* ---- the call ---- */

static int number_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= DISPLAY_NUMBER_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static const char *str_field(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (!v && b)
		v = json_object_get(o, b);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "2026-11-25T09:30:41.007Z" → Unix seconds (and *ms the fraction's
 * milliseconds); 0 when not that form. */
static int64_t iso_seconds(const char *s, int *ms)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19 || tm.tm_year < 2000 || tm.tm_year > 9999 ||
	    tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ms = 0;
	if (s[19] == '.' && s[20] >= '0' && s[20] <= '9' && s[21] >= '0' &&
	    s[21] <= '9' && s[22] >= '0' && s[22] <= '9')
		*ms = (s[20] - '0') * 100 + (s[21] - '0') * 10 + (s[22] - '0');
	return (int64_t)timegm(&tm);
}

int display_call_parse(const char *data, size_t len, struct display_call *c)
{
	json_error_t jerr;
	json_t *o, *v, *ctr;
	const char *num, *name = NULL;
	int rc = -1;

	memset(c, 0, sizeof *c);
	o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o))
		goto out;
	num = str_field(o, "number", "ticket");
	/* the counter: {"counter": {"name": ...}} or "counter": "..." */
	ctr = json_object_get(o, "counter");
	if (json_is_object(ctr))
		name = str_field(ctr, "display_name", "name");
	else if (json_is_string(ctr))
		name = json_string_value(ctr);
	if (!name)
		name = str_field(o, "counter_name", NULL);
	if (!num || !name || !number_ok(num))
		goto out;
	if (strlen(name) == 0 || strlen(name) >= sizeof c->counter ||
	    !util_utf8_valid(name, strlen(name), 1))
		goto out;
	snprintf(c->number, sizeof c->number, "%s", num);
	snprintf(c->counter, sizeof c->counter, "%s", name);
	v = json_object_get(o, "at");
	if (json_is_string(v))
		c->at = iso_seconds(json_string_value(v), &c->at_ms);
	v = json_object_get(o, "recall");
	c->recall = json_is_true(v);
	rc = 0;
out:
	if (rc < 0)
		memset(c, 0, sizeof *c);
	json_decref(o);
	return rc;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int display_announcement(const struct display_call *c, char *out,
			 size_t outlen)
{
	char spoken[DISPLAY_NUMBER_MAX * 3];
	size_t k = 0;
	const char *s = c->number;

	/* "A017" → "A 17"; "AB-7" → "A B 7" */
	while (*s && k + 3 < sizeof spoken) {
		if (*s >= '0' && *s <= '9') {
			const char *d = s;

			while (*d == '0' && d[1] >= '0' && d[1] <= '9')
				d++;
			if (k > 0)
				spoken[k++] = ' ';
			while (*d >= '0' && *d <= '9' &&
			       k + 1 < sizeof spoken)
				spoken[k++] = *d++;
			s = d;
			continue;
		}
		if (*s != '-') {
			if (k > 0)
				spoken[k++] = ' ';
			spoken[k++] = *s;
		}
		s++;
	}
	spoken[k] = '\0';
	if (all_digits(c->counter))
		return util_fmt(out, outlen, "Nummer %s, bitte zu Schalter %s",
				spoken, c->counter);
	return util_fmt(out, outlen, "Nummer %s, bitte zu %s", spoken,
			c->counter);
}
