/* The sync wire format: requests from stored bytes, replies and requests
 * from outside bytes (docs/sync-protocol.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/syncproto.h"

#define ID1 "11111111-1111-4111-8111-111111111111"
#define ID2 "22222222-2222-4222-8222-222222222222"
#define ID3 "33333333-3333-4333-8333-333333333333"

static char body1[] =
	"{\"id\":\"" ID1 "\",\"type\":\"ticket.issued\",\"kiosk_id\":\"kiosk-01\","
	"\"site_id\":\"musterstadt\",\"created_at\":\"2026-11-25T18:40:00.123Z\","
	"\"data\":{\"number\":\"A001\",\"lang\":\"de\",\"note\":\"\\u00e4 1.50e1\"}}";
/* Unusual but valid spacing and number forms: must be sent as they are. */
static char body2[] =
	"{ \"id\" : \"" ID2 "\", \"type\":\"ticket.issued\", \"kiosk_id\":"
	"\"kiosk-01\", \"created_at\":\"x\", \"n\": 1.0E+2, \"s\":\"]}\\\"[{\" }";

static void two_events(struct outbox_event ev[2])
{
	memset(ev, 0, 2 * sizeof *ev);
	strcpy(ev[0].id, ID1);
	strcpy(ev[0].type, "ticket.issued");
	ev[0].body = body1;
	strcpy(ev[1].id, ID2);
	strcpy(ev[1].type, "ticket.issued");
	ev[1].body = body2;
}

static void test_uuid_and_id(void)
{
	CHECK(syncproto_is_uuid(ID1));
	CHECK(!syncproto_is_uuid("11111111-1111-4111-8111-11111111111"));
	CHECK(!syncproto_is_uuid(ID1 "0"));
	CHECK(!syncproto_is_uuid("11111111-1111-4111-8111-11111111111A"));
	CHECK(!syncproto_is_uuid("111111111111-4111-8111-1111111111111"));
	CHECK(!syncproto_is_uuid(""));
	CHECK(syncproto_is_id("kiosk-01"));
	CHECK(!syncproto_is_id(""));
	CHECK(!syncproto_is_id("Kiosk"));
	CHECK(!syncproto_is_id("a\"b"));
}

static void test_request_identical(void)
{
	struct outbox_event ev[2];
	struct buf a = { 0 }, b = { 0 };
	struct syncproto_request rq;
	char why[200];
	int used = 0;

	two_events(ev);
	REQUIRE(syncproto_build_request("kiosk-01", "musterstadt", ev, 2, &a,
					&used) == BK_OK);
	CHECK_INT(used, 2);
	REQUIRE(syncproto_build_request("kiosk-01", "musterstadt", ev, 2, &b,
					&used) == BK_OK);
	CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
	/* the stored bytes appear verbatim, in order */
	CHECK(strstr((char *)a.data, body1) != NULL);
	CHECK(strstr((char *)a.data, body2) > strstr((char *)a.data, body1));
	CHECK(!strncmp((char *)a.data,
		       "{\"protocol\":1,\"kiosk_id\":\"kiosk-01\","
		       "\"site_id\":\"musterstadt\",\"events\":[", 62));

	/* the back office finds each event's bytes exactly */
	REQUIRE(syncproto_parse_request((char *)a.data, a.len, &rq, why,
					sizeof why) == BK_OK);
	REQUIRE(rq.n == 2);
	CHECK_STR(rq.kiosk_id, "kiosk-01");
	CHECK_STR(rq.site_id, "musterstadt");
	CHECK(rq.ev[0].raw_len == strlen(body1) &&
	      !memcmp(rq.ev[0].raw, body1, strlen(body1)));
	CHECK(rq.ev[1].raw_len == strlen(body2) &&
	      !memcmp(rq.ev[1].raw, body2, strlen(body2)));
	CHECK_STR(rq.ev[0].number, "A001");
	CHECK_STR(rq.ev[0].type, "ticket.issued");
	CHECK_STR(rq.ev[0].reject, "");
	CHECK_STR(rq.ev[1].number, "");
	CHECK_STR(rq.ev[1].reject, "");
	syncproto_request_free(&rq);

	CHECK(syncproto_build_request("Kiosk 1", "musterstadt", ev, 2, &b,
				      &used) == BK_ERR_INVALID);
	CHECK(syncproto_build_request("kiosk-01", "musterstadt", ev, 0, &b,
				      &used) == BK_ERR_INVALID);
	buf_free(&a);
	buf_free(&b);
}

static void test_request_caps(void)
{
	/* 80 bodies of 64 KiB: only what fits in 4 MiB is sent */
	enum { N = 80 };
	struct outbox_event *ev = calloc(N, sizeof *ev);
	char *big = malloc(OUTBOX_BODY_MAX + 1);
	struct buf out = { 0 };
	int used = 0;

	REQUIRE(ev && big);
	memset(big, ' ', OUTBOX_BODY_MAX);
	big[0] = '{';
	big[OUTBOX_BODY_MAX - 1] = '}';
	big[OUTBOX_BODY_MAX] = '\0';
	for (int i = 0; i < N; i++)
		ev[i].body = big;
	CHECK(syncproto_build_request("k", "s", ev, N, &out, &used) == BK_OK);
	CHECK(used > 50 && used < 64);
	CHECK(out.len <= SYNCPROTO_MAX_BODY);
	buf_free(&out);
	free(big);
	free(ev);
}

static void test_check_body(void)
{
	char why[200];

	CHECK(syncproto_check_body(body1, ID1, why, sizeof why) == BK_OK);
	CHECK(syncproto_check_body(body1, ID2, why, sizeof why) ==
	      BK_ERR_INVALID);
	CHECK(syncproto_check_body("{\"id\":", ID1, why, sizeof why) ==
	      BK_ERR_INVALID);
	CHECK(syncproto_check_body("[]", ID1, why, sizeof why) ==
	      BK_ERR_INVALID);
	CHECK(syncproto_check_body("{\"id\":\"" ID1 "\",\"id\":\"" ID1 "\"}",
				   ID1, why, sizeof why) == BK_ERR_INVALID);
}

static bk_err reply(const char *s, struct syncproto_reply *r)
{
	char why[200];
	return syncproto_parse_reply(s, strlen(s), r, why, sizeof why);
}

static void test_reply(void)
{
	struct syncproto_reply r;
	struct buf out = { 0 };

	REQUIRE(reply("{\"held\":[\"" ID1 "\",\"" ID2 "\"],\"rejected\":"
		      "[{\"id\":\"" ID3 "\",\"reason\":\"unknown event type\"}],"
		      "\"future\":{}}", &r) == BK_OK);
	CHECK_INT(r.n_held, 2);
	CHECK_STR(r.held[1], ID2);
	CHECK_INT(r.n_rejected, 1);
	CHECK_STR(r.rejected[0].id, ID3);
	CHECK_STR(r.rejected[0].reason, "unknown event type");
	/* round trip through the back office's builder */
	REQUIRE(syncproto_build_reply(&r, &out) == BK_OK);
	syncproto_reply_free(&r);
	REQUIRE(reply((char *)out.data, &r) == BK_OK);
	CHECK_INT(r.n_held + r.n_rejected, 3);
	syncproto_reply_free(&r);
	buf_free(&out);

	CHECK(reply("{\"held\":[],\"rejected\":[]}", &r) == BK_OK);
	syncproto_reply_free(&r);
	/* reasons from outside are made printable and cut */
	CHECK(reply("{\"held\":[],\"rejected\":[{\"id\":\"" ID1 "\",\"reason\":"
		    "\"a\\nb\\u00e4c\"}]}", &r) == BK_OK);
	CHECK_STR(r.rejected[0].reason, "a?b?c");
	syncproto_reply_free(&r);
}

static void test_reply_garbage(void)
{
	static const char *const bad[] = {
		"", "null", "[]", "{}", "{\"held\":[]}", "{\"rejected\":[]}",
		"{\"held\":{},\"rejected\":[]}",
		"{\"held\":[1],\"rejected\":[]}",
		"{\"held\":[\"not-a-uuid\"],\"rejected\":[]}",
		"{\"held\":[\"" ID1 "\"],\"rejected\":[{\"id\":\"" ID1 "\","
		"\"reason\":\"x\"}]}",
		"{\"held\":[],\"rejected\":[{\"id\":\"" ID1 "\"}]}",
		"{\"held\":[],\"rejected\":[{\"id\":\"" ID1 "\",\"reason\":5}]}",
		"{\"held\":[],\"rejected\":[\"" ID1 "\"]}",
		"{\"held\":[],\"held\":[],\"rejected\":[]}",
		"{\"held\":[],\"rejected\":[]} trailing",
		"{\"held\":[\"\\u0000\"],\"rejected\":[]}",
		"{\"held\":[\"\xff\"],\"rejected\":[]}",
		NULL,
	};
	struct syncproto_reply r;

	for (int i = 0; bad[i]; i++) {
		bk_err rc = reply(bad[i], &r);
		if (rc != BK_ERR_PROTOCOL)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(rc == BK_ERR_PROTOCOL);
		CHECK(r.n_held == 0 && r.n_rejected == 0 && !r.held);
		syncproto_reply_free(&r);
	}
}

static void test_reply_huge(void)
{
	struct buf b = { 0 };
	struct syncproto_reply r;
	char why[200];

	/* 1001 held ids: over the cap */
	buf_append_str(&b, "{\"rejected\":[],\"held\":[");
	for (int i = 0; i <= SYNCPROTO_MAX_EVENTS; i++)
		buf_printf(&b, "%s\"" ID1 "\"", i ? "," : "");
	buf_append_str(&b, "]}");
	CHECK(syncproto_parse_reply((char *)b.data, b.len, &r, why,
				    sizeof why) == BK_ERR_PROTOCOL);
	syncproto_reply_free(&r);
	buf_free(&b);

	/* over 1 MiB, whatever it is */
	b.max = 0;
	buf_append_str(&b, "{\"held\":[],\"rejected\":[],\"x\":\"");
	for (int i = 0; i < 70000; i++)
		buf_append_str(&b, "0123456789abcdef");
	buf_append_str(&b, "\"}");
	CHECK(syncproto_parse_reply((char *)b.data, b.len, &r, why,
				    sizeof why) == BK_ERR_TOOLARGE);
	syncproto_reply_free(&r);
	buf_free(&b);

	/* deep nesting must not crash */
	for (int i = 0; i < 100000; i++)
		buf_append_str(&b, "[");
	CHECK(syncproto_parse_reply((char *)b.data, b.len, &r, why,
				    sizeof why) == BK_ERR_PROTOCOL);
	syncproto_reply_free(&r);
	buf_free(&b);
}

static bk_err request(const char *s, struct syncproto_request *rq)
{
	char why[200];
	return syncproto_parse_request(s, strlen(s), rq, why, sizeof why);
}

#define ENV(ev) "{\"protocol\":1,\"kiosk_id\":\"kiosk-01\"," \
		"\"site_id\":\"musterstadt\",\"events\":[" ev "]}"
#define EV(id, rest) "{\"id\":\"" id "\",\"kiosk_id\":\"kiosk-01\"," \
		"\"created_at\":\"t\"" rest "}"

static void test_request_events(void)
{
	struct syncproto_request rq;

	REQUIRE(request(ENV(EV(ID1, ",\"type\":\"ticket.issued\"") ","
			    EV(ID2, ",\"type\":\"\"") ","
			    EV(ID3, ",\"type\":\"ticket.issued\","
			       "\"data\":{\"number\":7}")), &rq) == BK_OK);
	REQUIRE(rq.n == 3);
	CHECK_STR(rq.ev[0].reject, "");
	CHECK(rq.ev[1].reject[0] != '\0');
	CHECK(rq.ev[2].reject[0] != '\0');
	syncproto_request_free(&rq);

	/* kiosk_id mismatch and a type of 32 characters are per event */
	REQUIRE(request(ENV("{\"id\":\"" ID1 "\",\"kiosk_id\":\"kiosk-02\","
			    "\"created_at\":\"t\",\"type\":\"ticket.issued\"},"
			    EV(ID2, ",\"type\":\"abcdefghijabcdefghijabcdefghijab\"")),
			&rq) == BK_OK);
	CHECK_STR(rq.ev[0].reject, "kiosk_id does not match the batch");
	CHECK(rq.ev[1].reject[0] != '\0');
	syncproto_request_free(&rq);

	CHECK(request(ENV(""), &rq) == BK_OK);
	CHECK_INT(rq.n, 0);
	syncproto_request_free(&rq);
}

static void test_request_garbage(void)
{
	static const char *const bad[] = {
		"", "[]", "{}",
		"{\"protocol\":2,\"kiosk_id\":\"k\",\"site_id\":\"s\",\"events\":[]}",
		"{\"protocol\":\"1\",\"kiosk_id\":\"k\",\"site_id\":\"s\",\"events\":[]}",
		"{\"protocol\":1,\"kiosk_id\":\"K\",\"site_id\":\"s\",\"events\":[]}",
		"{\"protocol\":1,\"kiosk_id\":\"k\",\"events\":[]}",
		"{\"protocol\":1,\"kiosk_id\":\"k\",\"site_id\":\"s\",\"events\":{}}",
		ENV("1"), ENV("[]"), ENV("{\"type\":\"x\"}"),
		ENV("{\"id\":\"" ID1 "x\"}"),
		ENV("{\"id\":\"11111111-1111-4111-8111-11111111111A\"}"),
		"{\"protocol\":1,\"protocol\":1,\"kiosk_id\":\"k\",\"site_id\":\"s\","
		"\"events\":[]}",
		"{\"protocol\":1,\"kiosk_id\":\"k\",\"site_id\":\"s\",\"events\":[]",
		NULL,
	};
	struct syncproto_request rq;

	for (int i = 0; bad[i]; i++) {
		bk_err rc = request(bad[i], &rq);
		if (rc != BK_ERR_PROTOCOL)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(rc == BK_ERR_PROTOCOL);
		CHECK(rq.n == 0 && !rq.ev);
		syncproto_request_free(&rq);
	}
}

static void test_request_escaped_key(void)
{
	/* "events" spelt with an escape, other members before and after */
	static const char s[] =
		"{\"a\":[{\"events\":[1]}],\"protocol\":1,\"kiosk_id\":\"kiosk-01\","
		"\"site_id\":\"musterstadt\",\"\\u0065vents\" : [ "
		EV(ID1, ",\"type\":\"ticket.issued\"") " ] ,\"z\":\"]\"}";
	struct syncproto_request rq;

	REQUIRE(request(s, &rq) == BK_OK);
	REQUIRE(rq.n == 1);
	CHECK(!strncmp(rq.ev[0].raw, "{\"id\":\"" ID1, 43));
	CHECK(rq.ev[0].raw[rq.ev[0].raw_len - 1] == '}');
	syncproto_request_free(&rq);
}

static void test_request_parse_caps(void)
{
	struct buf b = { 0 };
	struct syncproto_request rq;
	char why[200];

	buf_append_str(&b, "{\"protocol\":1,\"kiosk_id\":\"k\",\"site_id\":\"s\","
		       "\"events\":[");
	for (int i = 0; i <= SYNCPROTO_MAX_EVENTS; i++)
		buf_printf(&b, "%s" EV(ID1, ""), i ? "," : "");
	buf_append_str(&b, "]}");
	CHECK(syncproto_parse_request((char *)b.data, b.len, &rq, why,
				      sizeof why) == BK_ERR_TOOLARGE);
	syncproto_request_free(&rq);
	CHECK(syncproto_parse_request((char *)b.data, SYNCPROTO_MAX_BODY + 1,
				      &rq, why, sizeof why) == BK_ERR_TOOLARGE);
	syncproto_request_free(&rq);
	buf_free(&b);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "uuid_and_id", test_uuid_and_id },
		{ "request_identical", test_request_identical },
		{ "request_caps", test_request_caps },
		{ "check_body", test_check_body },
		{ "reply", test_reply },
		{ "reply_garbage", test_reply_garbage },
		{ "reply_huge", test_reply_huge },
		{ "request_events", test_request_events },
		{ "request_garbage", test_request_garbage },
		{ "request_escaped_key", test_request_escaped_key },
		{ "request_parse_caps", test_request_parse_caps },
		{ NULL, NULL },
	};
	return check_main(tests);
}
