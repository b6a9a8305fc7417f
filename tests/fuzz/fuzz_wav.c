/* Fuzz target: the WAV header espeak-ng writes on its stdout
 * (speech_wav_header), fed whole and as every prefix, as a pipe would
 * deliver it. A complete header must stay within the caps and the bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/speech.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size < 2 * SPEECH_WAV_HEADER_MAX ? size
						    : 2 * SPEECH_WAV_HEADER_MAX;
	int done = 0;

	for (size_t k = 0; k <= n; k++) {
		uint8_t *p = malloc(k ? k : 1);   /* exact size: ASan sees */
		struct speech_wav w;
		int rc;

		if (!p)
			return 0;
		memcpy(p, data, k);
		rc = speech_wav_header(p, k, &w);
		free(p);
		if (rc == 1 && (w.data_off > k || w.channels < 1 ||
				w.channels > 2 || w.rate < 4000 ||
				w.rate > 96000 || (w.bits != 8 && w.bits != 16)))
			abort();
		/* once complete it stays complete; once refused, refused */
		if (done && rc != done)
			abort();
		if (rc != 0)
			done = rc;
		if (rc == 0 && k >= SPEECH_WAV_HEADER_MAX)
			abort();
	}
	return 0;
}
