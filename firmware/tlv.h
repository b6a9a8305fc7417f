/*
 * tlv.h — a reader and a small writer of BER-TLV as smart cards and ICAO
 * 9303 use it (ISO/IEC 7816-4 §5.2, the DER subset of X.690).
 *
 * Wire format of one element:
 *
 *   tag      1..3 bytes   first byte: bits 8-7 class, bit 6 constructed,
 *                         bits 5-1 number; 0x1F in bits 5-1 = more tag
 *                         bytes follow, each with bit 8 set except the last
 *   length   1..4 bytes   00..7F: the length itself; 81 xx; 82 xx xx;
 *                         83 xx xx xx (at most 16 MiB - 1)
 *   value    length bytes
 *
 * The reader takes outside bytes (card answers, EF.SOD, DG1): it never reads
 * past the n bytes it is given, and refuses the indefinite length (80), the
 * 84+ length forms, tags longer than 3 bytes and a value that runs past the
 * end. It does NOT check that the shortest length form was used (cards
 * send 81 7F), does not descend by itself (call it again on ->value) and
 * allocates nothing: values point into the caller's buffer.
 */
#ifndef BK_TLV_H
#define BK_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/err.h"

#define TLV_MAX_LEN 0xFFFFFFu   /* 83 xx xx xx */

struct tlv {
	uint32_t tag;          /* the tag bytes big-endian: 0x5F1F, 0x7F49, 0x30 */
	int constructed;       /* bit 6 of the first tag byte */
	const uint8_t *value;  /* into the input */
	size_t len;            /* value length */
	size_t size;           /* header + value: where the next sibling starts */
};

/* Reads the element at p[0..n). BK_OK; BK_ERR_INVALID when n is 0, the
 * header is malformed or the value runs past n (nothing is filled then). */
bk_err tlv_read(const uint8_t *p, size_t n, struct tlv *out);

/* Reads only the header at p[0..n): the value may be cut off (a file's
 * first chunk). *hdr = header size, *len = value length. BK_ERR_INVALID
 * when the header itself is malformed or incomplete. */
bk_err tlv_peek(const uint8_t *p, size_t n, uint32_t *tag, size_t *hdr,
		size_t *len);

/* Walks the siblings in p[0..n) and fills out with the first whose tag is
 * tag. BK_ERR_NOTFOUND when none (all siblings well-formed), BK_ERR_INVALID
 * when a malformed element comes first. */
bk_err tlv_find(const uint8_t *p, size_t n, uint32_t tag, struct tlv *out);

/* Iteration over siblings:
 *   struct tlv_iter it; struct tlv e; bk_err rc;
 *   tlv_iter_init(&it, p, n);
 *   while ((rc = tlv_iter_next(&it, &e)) == BK_OK) ...
 * rc ends as BK_ERR_NOTFOUND at the clean end, BK_ERR_INVALID otherwise. */
struct tlv_iter { const uint8_t *p; size_t n; };
void tlv_iter_init(struct tlv_iter *it, const uint8_t *p, size_t n);
bk_err tlv_iter_next(struct tlv_iter *it, struct tlv *out);

/* Bytes the header of (tag, len) takes. */
size_t tlv_header_size(uint32_t tag, size_t len);

/* Writes the header of (tag, len) to out; returns its size, 0 when cap is
 * too small or len > TLV_MAX_LEN. */
size_t tlv_put_header(uint8_t *out, size_t cap, uint32_t tag, size_t len);

/* Writes a whole element (header and value copied; value may be NULL when
 * len is 0); returns its size, 0 when it does not fit in cap. */
size_t tlv_put(uint8_t *out, size_t cap, uint32_t tag, const uint8_t *value,
	       size_t len);

#endif
