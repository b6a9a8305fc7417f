/* Fuzz target: the BER-TLV reader (tlv_read, tlv_peek, tlv_iter) walked
 * down every constructed element, as card answers, DG1 and EF.SOD are. */
#include <stddef.h>
#include <stdint.h>

#include "firmware/tlv.h"

static void walk(const uint8_t *p, size_t n, int depth)
{
	struct tlv_iter it;
	struct tlv e;
	uint8_t hdr[8];

	tlv_iter_init(&it, p, n);
	while (tlv_iter_next(&it, &e) == BK_OK) {
		/* what the reader takes, the writer writes back the same size */
		if (tlv_put_header(hdr, sizeof hdr, e.tag, e.len) + e.len > e.size)
			__builtin_trap();
		if (e.constructed && depth < 16)
			walk(e.value, e.len, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t tag;
	size_t hdr, len;
	struct tlv t;

	tlv_peek(data, size, &tag, &hdr, &len);
	tlv_find(data, size, 0x7C, &t);
	walk(data, size, 0);
	return 0;
}
