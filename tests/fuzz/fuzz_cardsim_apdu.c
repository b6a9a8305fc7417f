/* Fuzz target: the emulated eMRTD's command handling (sim/cardsim,
 * cardsim_transmit). Input: frames of a 2-byte big-endian length and a
 * command APDU, as vpcd delivers them. Every answer has a status word and
 * fits CARDSIM_RESP_MAX, and DG1 (the holder's name) never leaves the card
 * without access control — which random bytes cannot pass. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cardsim/cardsim.h"

static struct cardsim *card;

static int has_name(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 10 <= n; i++)
		if (!memcmp(p + i, "MUSTERMANN", 10))
			return 1;
	return 0;
}

static struct cardsim *get_card(void)
{
	static const struct cardsim_holder h = {
		.doc = 1, .access = CARDSIM_ACCESS_PACE | CARDSIM_ACCESS_BAC,
		.can = "123456", .document_number = "T22000129",
		.issuing_state = "D", .nationality = "D",
		.surname = "MUSTERMANN", .given_names = "ERIKA",
		.date_of_birth = "640812", .date_of_expiry = "311031",
		.sex = 'F',
	};
	struct cardsim_opts o = { 0 };
	char err[200];

	if (!card)
		card = cardsim_create(&h, &o, err, sizeof err);
	if (!card)
		abort();
	return card;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[CARDSIM_RESP_MAX];
	struct cardsim *c = get_card();

	cardsim_reset(c);
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1], r;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		r = cardsim_transmit(c, data, n, resp);
		if (r < 2 || r > CARDSIM_RESP_MAX)
			abort();
		if (has_name(resp, r))
			abort();
		data += n;
		size -= n;
	}
	return 0;
}
