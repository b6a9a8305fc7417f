/* Fuzz target: card_transmit()'s APDU rules (command cases, 61xx GET
 * RESPONSE chaining, 6Cxx retry, caps) against a virtual card whose
 * answers come from the input.
 * Input: cap (1 byte, x 64 bytes), command length (1 byte), command, then
 * answers as [length (2 bytes, big endian)][bytes], one per APDU. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/card/card.h"

struct feed {
	const uint8_t *p;
	size_t left;
};

static int feed_apdu(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
		     size_t cap, size_t *rlen)
{
	struct feed *f = ctx;
	size_t k;

	(void)cmd;
	(void)n;
	if (f->left < 2)
		return -1;                       /* mute */
	k = (size_t)f->p[0] << 8 | f->p[1];
	f->p += 2;
	f->left -= 2;
	if (k > f->left)
		k = f->left;
	*rlen = k;
	if (k <= cap)
		memcpy(resp, f->p, k);
	f->p += k;
	f->left -= k;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct card_reader *r;
	struct feed f;
	struct card_virtual_card vc = { .ctx = &f, .apdu = feed_apdu };
	uint8_t *resp;
	size_t cap, n, rlen = 0;
	char err[256];

	if (size < 2)
		return 0;
	if (!r && card_open(&r, "virtual:", err, sizeof err) != CARD_OK)
		abort();
	cap = (size_t)data[0] * 64 + 2;
	n = data[1];
	if (n > size - 2)
		n = size - 2;
	f.p = data + 2 + n;
	f.left = size - 2 - n;
	resp = malloc(cap);
	if (!resp)
		return 0;
	card_virtual_insert(&vc);
	if (card_connect(r, NULL, err, sizeof err) == CARD_OK &&
	    card_transmit(r, data + 2, n, resp, cap, &rlen, err,
			  sizeof err) == CARD_OK &&
	    (rlen < 2 || rlen > cap))
		abort();                         /* the contract broke */
	card_disconnect(r);
	card_virtual_remove();
	free(resp);
	return 0;
}
