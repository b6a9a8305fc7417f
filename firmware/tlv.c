/* tlv.c — BER-TLV reader and writer (see tlv.h). */
#include "firmware/tlv.h"

#include <string.h>

bk_err tlv_peek(const uint8_t *p, size_t n, uint32_t *tagp, size_t *hdr,
		size_t *lenp)
{
	size_t i = 0, len = 0, k, nlen;
	uint32_t tag;

	if (!p || n == 0)
		return BK_ERR_INVALID;
	tag = p[i++];
	if ((tag & 0x1F) == 0x1F) {
		/* up to two more tag bytes, the last with bit 8 clear */
		for (k = 0;; k++) {
			if (k == 2 || i >= n)
				return BK_ERR_INVALID;
			tag = (tag << 8) | p[i];
			if (!(p[i++] & 0x80))
				break;
		}
	}
	if (i >= n)
		return BK_ERR_INVALID;
	if (p[i] < 0x80) {
		len = p[i++];
	} else {
		nlen = p[i++] & 0x7F;
		if (nlen == 0 || nlen > 3 || n - i < nlen)
			return BK_ERR_INVALID;
		for (k = 0; k < nlen; k++)
			len = (len << 8) | p[i++];
	}
	*tagp = tag;
	*hdr = i;
	*lenp = len;
	return BK_OK;
}

bk_err tlv_read(const uint8_t *p, size_t n, struct tlv *out)
{
	uint32_t tag;
	size_t i, len;

	if (tlv_peek(p, n, &tag, &i, &len) != BK_OK || len > n - i)
		return BK_ERR_INVALID;
	out->tag = tag;
	out->constructed = (p[0] & 0x20) != 0;
	out->value = p + i;
	out->len = len;
	out->size = i + len;
	return BK_OK;
}

void tlv_iter_init(struct tlv_iter *it, const uint8_t *p, size_t n)
{
	it->p = p;
	it->n = p ? n : 0;
}

bk_err tlv_iter_next(struct tlv_iter *it, struct tlv *out)
{
	bk_err rc;

	if (it->n == 0)
		return BK_ERR_NOTFOUND;
	rc = tlv_read(it->p, it->n, out);
	if (rc != BK_OK) {
		it->n = 0;
		return rc;
	}
	it->p += out->size;
	it->n -= out->size;
	return BK_OK;
}

bk_err tlv_find(const uint8_t *p, size_t n, uint32_t tag, struct tlv *out)
{
	struct tlv_iter it;
	struct tlv e;
	bk_err rc;

	tlv_iter_init(&it, p, n);
	while ((rc = tlv_iter_next(&it, &e)) == BK_OK) {
		if (e.tag == tag) {
			*out = e;
			return BK_OK;
		}
	}
	return rc;
}

static size_t tag_size(uint32_t tag)
{
	return tag > 0xFFFF ? 3 : tag > 0xFF ? 2 : 1;
}

static size_t len_size(size_t len)
{
	return len < 0x80 ? 1 : len <= 0xFF ? 2 : len <= 0xFFFF ? 3 : 4;
}

size_t tlv_header_size(uint32_t tag, size_t len)
{
	return tag_size(tag) + len_size(len);
}

size_t tlv_put_header(uint8_t *out, size_t cap, uint32_t tag, size_t len)
{
	size_t ts = tag_size(tag), ls = len_size(len), i = 0, k;

	if (len > TLV_MAX_LEN || cap < ts + ls)
		return 0;
	for (k = ts; k-- > 0;)
		out[i++] = (uint8_t)(tag >> (8 * k));
	if (ls == 1) {
		out[i++] = (uint8_t)len;
	} else {
		out[i++] = (uint8_t)(0x80 | (ls - 1));
		for (k = ls - 1; k-- > 0;)
			out[i++] = (uint8_t)(len >> (8 * k));
	}
	return i;
}

size_t tlv_put(uint8_t *out, size_t cap, uint32_t tag, const uint8_t *value,
	       size_t len)
{
	size_t h = tlv_put_header(out, cap, tag, len);

	if (h == 0 || cap - h < len)
		return 0;
	if (len)
		memmove(out + h, value, len);
	return h + len;
}
