/*
 * syncproto.c — the sync protocol's wire format; see syncproto.h and
 * docs/sync-protocol.md.
 */
#include "firmware/syncproto.h"
#include "firmware/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARSE_FLAGS (JSON_REJECT_DUPLICATES)

int syncproto_is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return 0;
		}
	}
	return s[36] == '\0';
}

int syncproto_is_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (i >= CONFIG_ID_MAX - 1)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return i > 0;
}

/* A type: [a-z0-9._-], 1..SYNCPROTO_TYPE_MAX-1 bytes. */
static int is_type(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (i >= SYNCPROTO_TYPE_MAX - 1)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return i > 0;
}

/* Printable ASCII of 1..max-1 bytes. */
static int is_short_text(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if (i >= max - 1 || s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	}
	return i > 0;
}

/* Copies s into out (size len) as printable ASCII: other bytes become
 * '?', a multi-byte UTF-8 sequence one '?'. Cuts what does not fit. */
static void copy_printable(char *out, size_t len, const char *s)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s;
	     *p && o + 1 < len; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		out[o++] = (*p >= 0x20 && *p <= 0x7e) ? (char)*p : '?';
	}
	out[o] = '\0';
}

/* ---- kiosk side ---------------------------------------------------- */

bk_err syncproto_check_body(const char *body, const char *id, char *why,
			    size_t whylen)
{
	json_error_t jerr;
	json_t *root = NULL;
	const char *got;
	bk_err rc = BK_ERR_INVALID;

	if (!body || strlen(body) > OUTBOX_BODY_MAX) {
		util_seterr(why, whylen, "body missing or over %d bytes",
			OUTBOX_BODY_MAX);
		goto out;
	}
	root = json_loads(body, PARSE_FLAGS, &jerr);
	if (!root) {
		util_seterr(why, whylen, "body is not JSON (line %d, column %d)",
			jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		util_seterr(why, whylen, "body is not a JSON object");
		goto out;
	}
	got = json_string_value(json_object_get(root, "id"));
	if (!got || strcmp(got, id) != 0) {
		util_seterr(why, whylen, "body id does not match the outbox id");
		goto out;
	}
	rc = BK_OK;
out:
	json_decref(root);
	return rc;
}

bk_err syncproto_build_request(const char *kiosk_id, const char *site_id,
			       const struct outbox_event *ev, int n,
			       struct buf *out, int *n_used)
{
	static const char tail[] = "]}";
	size_t start = out->len;
	int used = 0;

	*n_used = 0;
	if (n < 1 || !syncproto_is_id(kiosk_id) || !syncproto_is_id(site_id))
		return BK_ERR_INVALID;
	/* ids need no JSON escaping: syncproto_is_id() allows none */
	if (buf_printf(out,
		       "{\"protocol\":%d,\"kiosk_id\":\"%s\",\"site_id\":\"%s\","
		       "\"events\":[",
		       SYNCPROTO_VERSION, kiosk_id, site_id) < 0)
		goto nomem;
	for (int i = 0; i < n && used < SYNCPROTO_MAX_EVENTS; i++) {
		size_t blen = strlen(ev[i].body);
		size_t need = out->len - start + (used ? 1 : 0) + blen +
			      sizeof tail - 1;

		if (need > SYNCPROTO_MAX_BODY && used > 0)
			break;
		if ((used && buf_append(out, ",", 1) < 0) ||
		    buf_append(out, ev[i].body, blen) < 0)
			goto nomem;
		used++;
	}
	if (buf_append(out, tail, sizeof tail - 1) < 0)
		goto nomem;
	*n_used = used;
	return BK_OK;
nomem:
	buf_free(out);
	return BK_ERR_NOMEM;
}

void syncproto_reply_free(struct syncproto_reply *r)
{
	free(r->held);
	free(r->rejected);
	memset(r, 0, sizeof *r);
}

/* The "held" array into r. */
static bk_err reply_held(json_t *arr, struct syncproto_reply *r, char *why,
			 size_t whylen)
{
	size_t n = json_array_size(arr);

	if (n > SYNCPROTO_MAX_EVENTS) {
		util_seterr(why, whylen, "held has %zu entries", n);
		return BK_ERR_PROTOCOL;
	}
	r->held = calloc(n ? n : 1, sizeof *r->held);
	if (!r->held)
		return BK_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *id = json_string_value(json_array_get(arr, i));
		if (!id || !syncproto_is_uuid(id)) {
			util_seterr(why, whylen, "held[%zu] is not a UUID", i);
			return BK_ERR_PROTOCOL;
		}
		memcpy(r->held[i], id, OUTBOX_ID_LEN);
		r->n_held++;
	}
	return BK_OK;
}

/* The "rejected" array into r. */
static bk_err reply_rejected(json_t *arr, struct syncproto_reply *r,
			     char *why, size_t whylen)
{
	size_t n = json_array_size(arr);

	if (n > SYNCPROTO_MAX_EVENTS) {
		util_seterr(why, whylen, "rejected has %zu entries", n);
		return BK_ERR_PROTOCOL;
	}
	r->rejected = calloc(n ? n : 1, sizeof *r->rejected);
	if (!r->rejected)
		return BK_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *reason =
			json_string_value(json_object_get(o, "reason"));

		if (!json_is_object(o) || !id || !syncproto_is_uuid(id) ||
		    !reason) {
			util_seterr(why, whylen,
				"rejected[%zu] needs a UUID id and a reason", i);
			return BK_ERR_PROTOCOL;
		}
		memcpy(r->rejected[i].id, id, OUTBOX_ID_LEN);
		{
			json_int_t st = json_integer_value(
				json_object_get(o, "status"));
			r->rejected[i].status = st >= 100 && st <= 599
						? (int)st : 0;
		}
		copy_printable(r->rejected[i].reason,
			       sizeof r->rejected[i].reason, reason);
		if (!r->rejected[i].reason[0])
			snprintf(r->rejected[i].reason,
				 sizeof r->rejected[i].reason, "(no reason)");
		r->n_rejected++;
	}
	return BK_OK;
}

bk_err syncproto_parse_reply(const char *data, size_t len,
			     struct syncproto_reply *out, char *why,
			     size_t whylen)
{
	json_error_t jerr;
	json_t *root = NULL, *held, *rej;
	bk_err rc;

	memset(out, 0, sizeof *out);
	if (len > SYNCPROTO_MAX_REPLY) {
		util_seterr(why, whylen, "reply over %zu bytes",
			SYNCPROTO_MAX_REPLY);
		return BK_ERR_TOOLARGE;
	}
	root = json_loadb(data, len, PARSE_FLAGS, &jerr);
	if (!root) {
		util_seterr(why, whylen, "reply is not JSON (line %d, column %d)",
			jerr.line, jerr.column);
		rc = BK_ERR_PROTOCOL;
		goto fail;
	}
	held = json_object_get(root, "held");
	rej = json_object_get(root, "rejected");
	if (!json_is_object(root) || !json_is_array(held) ||
	    !json_is_array(rej)) {
		util_seterr(why, whylen, "reply needs arrays held and rejected");
		rc = BK_ERR_PROTOCOL;
		goto fail;
	}
	if ((rc = reply_held(held, out, why, whylen)) != BK_OK ||
	    (rc = reply_rejected(rej, out, why, whylen)) != BK_OK)
		goto fail;
	/* an id in both lists: the back office contradicts itself */
	for (int i = 0; i < out->n_rejected; i++) {
		for (int j = 0; j < out->n_held; j++) {
			if (!strcmp(out->rejected[i].id, out->held[j])) {
				util_seterr(why, whylen,
					"an id is both held and rejected");
				rc = BK_ERR_PROTOCOL;
				goto fail;
			}
		}
	}
	json_decref(root);
	return BK_OK;
fail:
	json_decref(root);
	syncproto_reply_free(out);
	return rc;
}

/* ---- back-office side ---------------------------------------------- */

/*
 * Locating each event's bytes. jansson gives values but not where they
 * were in the input; the back office keeps the events as sent, so a small
 * scanner walks the (already validated) input to the "events" array and
 * records each element's span. Every span is parsed again and compared
 * with jansson's value, so a scanner mistake fails loudly instead of
 * storing the wrong bytes.
 */
static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(const char *p, size_t len, size_t *i)
{
	while (*i < len && is_ws(p[*i]))
		(*i)++;
}

static int skip_string(const char *p, size_t len, size_t *i)
{
	for ((*i)++; *i < len; (*i)++) {
		if (p[*i] == '\\')
			(*i)++;
		else if (p[*i] == '"') {
			(*i)++;
			return 0;
		}
	}
	return -1;
}

static int skip_value(const char *p, size_t len, size_t *i)
{
	int depth = 0;

	if (*i >= len)
		return -1;
	if (p[*i] == '"')
		return skip_string(p, len, i);
	if (p[*i] != '{' && p[*i] != '[') {
		while (*i < len && !is_ws(p[*i]) && p[*i] != ',' &&
		       p[*i] != ']' && p[*i] != '}')
			(*i)++;
		return 0;
	}
	while (*i < len) {
		char c = p[*i];
		if (c == '"') {
			if (skip_string(p, len, i) < 0)
				return -1;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		(*i)++;
		if (depth == 0)
			return 0;
	}
	return -1;
}

/* 1 if the key at p[start..end) (a JSON string with quotes) is "events". */
static int key_is_events(const char *p, size_t start, size_t end)
{
	json_t *k = json_loadb(p + start, end - start, JSON_DECODE_ANY, NULL);
	int yes = json_is_string(k) && !strcmp(json_string_value(k), "events");

	json_decref(k);
	return yes;
}

/* Fills ev[k].raw/raw_len for the elements of the top-level "events"
 * array; returns how many it found, or -1. */
static int locate_events(const char *p, size_t len,
			 struct syncproto_event *ev, int max)
{
	size_t i = 0;

	skip_ws(p, len, &i);
	if (i >= len || p[i++] != '{')
		return -1;
	for (;;) {
		size_t ks;
		int events;

		skip_ws(p, len, &i);
		if (i >= len || p[i] != '"')
			return -1;
		ks = i;
		if (skip_string(p, len, &i) < 0)
			return -1;
		events = key_is_events(p, ks, i);
		skip_ws(p, len, &i);
		if (i >= len || p[i++] != ':')
			return -1;
		skip_ws(p, len, &i);
		if (events) {
			int k = 0;

			if (i >= len || p[i++] != '[')
				return -1;
			skip_ws(p, len, &i);
			if (i < len && p[i] == ']')
				return 0;
			for (;;) {
				size_t vs = i;
				if (k >= max || skip_value(p, len, &i) < 0)
					return -1;
				ev[k].raw = p + vs;
				ev[k].raw_len = i - vs;
				k++;
				skip_ws(p, len, &i);
				if (i < len && p[i] == ']')
					return k;
				if (i >= len || p[i++] != ',')
					return -1;
				skip_ws(p, len, &i);
			}
		}
		if (skip_value(p, len, &i) < 0)
			return -1;
		skip_ws(p, len, &i);
		if (i < len && p[i] == '}')
			return -1; /* no "events" member */
		if (i >= len || p[i++] != ',')
			return -1;
	}
}

/* Copies a string member into out when it is a string that fits. */
static int get_str(json_t *obj, const char *key, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (!s || strlen(s) >= len)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Validates one event; the envelope is known good. BK_ERR_PROTOCOL only
 * when the event cannot be named in a reply. */
static bk_err request_event(json_t *o, const struct syncproto_request *r,
			    struct syncproto_event *e, int idx, char *why,
			    size_t whylen)
{
	json_t *data, *again;

	if (!json_is_object(o)) {
		util_seterr(why, whylen, "events[%d] is not an object", idx);
		return BK_ERR_PROTOCOL;
	}
	if (get_str(o, "id", e->id, sizeof e->id) < 0 ||
	    !syncproto_is_uuid(e->id)) {
		util_seterr(why, whylen, "events[%d]: id is not a UUID", idx);
		return BK_ERR_PROTOCOL;
	}
	again = json_loadb(e->raw, e->raw_len, PARSE_FLAGS, NULL);
	if (!again || !json_equal(again, o)) {
		json_decref(again);
		util_seterr(why, whylen, "events[%d]: cannot locate its bytes", idx);
		return BK_ERR_PROTOCOL;
	}
	json_decref(again);

	if (e->raw_len > OUTBOX_BODY_MAX) {
		snprintf(e->reject, sizeof e->reject, "event over %d bytes",
			 OUTBOX_BODY_MAX);
	} else if (get_str(o, "type", e->type, sizeof e->type) < 0 ||
		   !is_type(e->type)) {
		e->type[0] = '\0';
		snprintf(e->reject, sizeof e->reject,
			 "type missing or not [a-z0-9._-]{1,31}");
	} else if (get_str(o, "kiosk_id", e->kiosk_id, sizeof e->kiosk_id) < 0 ||
		   strcmp(e->kiosk_id, r->kiosk_id) != 0) {
		snprintf(e->reject, sizeof e->reject,
			 "kiosk_id does not match the batch");
	} else if (get_str(o, "created_at", e->created_at,
			   sizeof e->created_at) < 0 ||
		   !is_short_text(e->created_at, sizeof e->created_at)) {
		snprintf(e->reject, sizeof e->reject,
			 "created_at missing or invalid");
	} else if ((data = json_object_get(o, "data")) &&
		   !json_is_object(data)) {
		snprintf(e->reject, sizeof e->reject, "data is not an object");
	} else if (json_object_get(data, "number") &&
		   (get_str(data, "number", e->number, sizeof e->number) < 0 ||
		    !is_short_text(e->number, sizeof e->number))) {
		e->number[0] = '\0';
		snprintf(e->reject, sizeof e->reject,
			 "data.number is not a short text");
	}
	return BK_OK;
}

bk_err syncproto_parse_request(const char *data, size_t len,
			       struct syncproto_request *out, char *why,
			       size_t whylen)
{
	json_error_t jerr;
	json_t *root = NULL, *events, *proto;
	size_t n;
	bk_err rc = BK_ERR_PROTOCOL;

	memset(out, 0, sizeof *out);
	if (len > SYNCPROTO_MAX_BODY) {
		util_seterr(why, whylen, "request over %zu bytes",
			SYNCPROTO_MAX_BODY);
		return BK_ERR_TOOLARGE;
	}
	root = json_loadb(data, len, PARSE_FLAGS, &jerr);
	if (!root) {
		util_seterr(why, whylen, "not JSON (line %d, column %d)", jerr.line,
			jerr.column);
		goto fail;
	}
	proto = json_object_get(root, "protocol");
	if (!json_is_object(root) || !json_is_integer(proto)) {
		util_seterr(why, whylen, "not a batch: protocol missing");
		goto fail;
	}
	if (json_integer_value(proto) != SYNCPROTO_VERSION) {
		util_seterr(why, whylen, "unsupported protocol %lld",
			(long long)json_integer_value(proto));
		goto fail;
	}
	out->protocol = SYNCPROTO_VERSION;
	if (get_str(root, "kiosk_id", out->kiosk_id, sizeof out->kiosk_id) < 0 ||
	    !syncproto_is_id(out->kiosk_id) ||
	    get_str(root, "site_id", out->site_id, sizeof out->site_id) < 0 ||
	    !syncproto_is_id(out->site_id)) {
		util_seterr(why, whylen, "kiosk_id and site_id must be ids");
		goto fail;
	}
	events = json_object_get(root, "events");
	if (!json_is_array(events)) {
		util_seterr(why, whylen, "events is not an array");
		goto fail;
	}
	n = json_array_size(events);
	if (n > SYNCPROTO_MAX_EVENTS) {
		util_seterr(why, whylen, "%zu events, at most %d", n,
			SYNCPROTO_MAX_EVENTS);
		rc = BK_ERR_TOOLARGE;
		goto fail;
	}
	out->ev = calloc(n ? n : 1, sizeof *out->ev);
	if (!out->ev) {
		rc = BK_ERR_NOMEM;
		goto fail;
	}
	if (locate_events(data, len, out->ev, (int)n) != (int)n) {
		util_seterr(why, whylen, "cannot locate the events' bytes");
		goto fail;
	}
	out->n = (int)n;
	for (size_t i = 0; i < n; i++) {
		rc = request_event(json_array_get(events, i), out, &out->ev[i],
				   (int)i, why, whylen);
		if (rc != BK_OK)
			goto fail;
	}
	json_decref(root);
	return BK_OK;
fail:
	json_decref(root);
	syncproto_request_free(out);
	return rc;
}

void syncproto_request_free(struct syncproto_request *r)
{
	free(r->ev);
	memset(r, 0, sizeof *r);
}

bk_err syncproto_build_reply(const struct syncproto_reply *r,
			     struct buf *out)
{
	json_t *root = json_object(), *held = json_array(),
	       *rej = json_array();
	char *text = NULL;
	bk_err rc = BK_ERR_NOMEM;

	if (!root || !held || !rej)
		goto out;
	for (int i = 0; i < r->n_held; i++)
		if (json_array_append_new(held, json_string(r->held[i])) < 0)
			goto out;
	for (int i = 0; i < r->n_rejected; i++) {
		json_t *o = json_pack("{s:s, s:s}", "id", r->rejected[i].id,
				      "reason", r->rejected[i].reason);
		if (o && r->rejected[i].status &&
		    json_object_set_new(o, "status", json_integer(
			    r->rejected[i].status)) < 0) {
			json_decref(o);
			goto out;
		}
		if (!o || json_array_append_new(rej, o) < 0)
			goto out;
	}
	if (json_object_set(root, "held", held) < 0 ||
	    json_object_set(root, "rejected", rej) < 0)
		goto out;
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text && buf_append_str(out, text) == 0)
		rc = BK_OK;
out:
	free(text);
	json_decref(held);
	json_decref(rej);
	json_decref(root);
	return rc;
}
