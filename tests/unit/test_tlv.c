/* test_tlv: BER-TLV reading and writing, and refusal of malformed input. */
#include <string.h>

#include "firmware/tlv.h"
#include "tests/unit/check.h"

static void test_read_forms(void)
{
	/* 5F1F with 81 length, 7F49 constructed with 82 length */
	static uint8_t b[4 + 0x0123 + 2];
	struct tlv t;

	{
		uint8_t x[4 + 0x90] = { 0x5F, 0x1F, 0x81, 0x90 };

		REQUIRE(tlv_read(x, sizeof x, &t) == BK_OK);
		CHECK_INT(t.tag, 0x5F1F);
		CHECK_INT(t.len, 0x90);
		CHECK_INT(t.size, 4 + 0x90);
		CHECK(t.value == x + 4);
		CHECK_INT(t.constructed, 0);
		CHECK_INT(tlv_read(x, sizeof x - 1, &t), BK_ERR_INVALID);
	}
	b[0] = 0x7F; b[1] = 0x49; b[2] = 0x82; b[3] = 0x01; b[4] = 0x23;
	REQUIRE(tlv_read(b, 5 + 0x123, &t) == BK_OK);
	CHECK_INT(t.tag, 0x7F49);
	CHECK_INT(t.len, 0x123);
	CHECK_INT(t.constructed, 1);
	/* three-byte tag */
	{
		uint8_t x[] = { 0x5F, 0x81, 0x01, 0x01, 0xAA };

		REQUIRE(tlv_read(x, sizeof x, &t) == BK_OK);
		CHECK_INT(t.tag, 0x5F8101);
		CHECK_INT(t.len, 1);
	}
}

static void test_refusals(void)
{
	struct tlv t;
	uint8_t indef[] = { 0x30, 0x80, 0x00, 0x00 };
	uint8_t len84[] = { 0x04, 0x84, 0, 0, 0, 1, 0 };
	uint8_t tag4[] = { 0x5F, 0x81, 0x81, 0x01, 0x00 };
	uint8_t past[] = { 0x04, 0x05, 1, 2 };
	uint8_t hdr[] = { 0x5F };
	uint8_t lenonly[] = { 0x04, 0x82, 0x01 };
	uint8_t huge[] = { 0x04, 0x83, 0xFF, 0xFF, 0xFF };

	CHECK_INT(tlv_read(indef, sizeof indef, &t), BK_ERR_INVALID);
	CHECK_INT(tlv_read(len84, sizeof len84, &t), BK_ERR_INVALID);
	CHECK_INT(tlv_read(tag4, sizeof tag4, &t), BK_ERR_INVALID);
	CHECK_INT(tlv_read(past, sizeof past, &t), BK_ERR_INVALID);
	CHECK_INT(tlv_read(hdr, sizeof hdr, &t), BK_ERR_INVALID);
	CHECK_INT(tlv_read(lenonly, sizeof lenonly, &t), BK_ERR_INVALID);
	CHECK_INT(tlv_read(huge, sizeof huge, &t), BK_ERR_INVALID);
	CHECK_INT(tlv_read(NULL, 0, &t), BK_ERR_INVALID);
}

static void test_find_iter(void)
{
	uint8_t p[] = { 0x80, 0x01, 0xAA, 0x83, 0x01, 0x02, 0x7C, 0x02, 0x81, 0x00 };
	struct tlv t, in;
	struct tlv_iter it;
	int count = 0;
	bk_err rc;

	REQUIRE(tlv_find(p, sizeof p, 0x83, &t) == BK_OK);
	CHECK_INT(t.value[0], 2);
	REQUIRE(tlv_find(p, sizeof p, 0x7C, &t) == BK_OK);
	REQUIRE(tlv_find(t.value, t.len, 0x81, &in) == BK_OK);
	CHECK_INT(in.len, 0);
	CHECK_INT(tlv_find(p, sizeof p, 0x84, &t), BK_ERR_NOTFOUND);
	CHECK_INT(tlv_find(p, sizeof p - 1, 0x84, &t), BK_ERR_INVALID);
	tlv_iter_init(&it, p, sizeof p);
	while ((rc = tlv_iter_next(&it, &t)) == BK_OK)
		count++;
	CHECK_INT(count, 3);
	CHECK_INT(rc, BK_ERR_NOTFOUND);
}

static void test_write(void)
{
	uint8_t out[70000], v[300];
	struct tlv t;
	size_t n;

	memset(v, 0x11, sizeof v);
	CHECK_INT(tlv_put(out, sizeof out, 0x87, v, 5), 7);
	CHECK_INT(tlv_put(out, sizeof out, 0x87, v, 0x80), 3 + 0x80);
	CHECK_INT(out[1], 0x81);
	n = tlv_put(out, sizeof out, 0x7F49, v, 300);
	CHECK_INT(n, 2 + 3 + 300);
	CHECK_INT(out[2], 0x82);
	REQUIRE(tlv_read(out, n, &t) == BK_OK);
	CHECK_INT(t.len, 300);
	CHECK_INT(tlv_put_header(out, sizeof out, 0x04, 0x10000), 5);
	CHECK_INT(out[1], 0x83);
	CHECK_INT(tlv_put(out, 6, 0x87, v, 5), 0);
	CHECK_INT(tlv_put_header(out, sizeof out, 0x04, 0x1000000), 0);
	CHECK_INT(tlv_header_size(0x5F1F, 90), 3);
	CHECK_INT(tlv_header_size(0x77, 1000), 4);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "read_forms", test_read_forms },
		{ "refusals", test_refusals },
		{ "find_iter", test_find_iter },
		{ "write", test_write },
		{ NULL, NULL },
	};
	return check_main(tests);
}
