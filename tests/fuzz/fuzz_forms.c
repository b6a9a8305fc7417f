/* Fuzz target: the form definition loader (forms_parse), and the checks
 * of a form it accepts against a value: the input is the form file, then
 * optionally a NUL byte and the value to check. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "firmware/forms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct forms_errors errs;
	struct form_answers *a;
	struct form *f = NULL;
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	size_t n = nul ? size - len - 1 : 0;
	char msg[FORMS_MSG_MAX], v[FORMS_VALUE_MAX];

	if (forms_parse("fuzz.json", (const char *)data, len, &f, &errs))
		return 0;
	if (n >= sizeof v)
		n = sizeof v - 1;
	if (n)
		memcpy(v, nul + 1, n);
	v[n] = '\0';
	f->now = 1795608000;
	a = form_answers_create(f, "de");
	for (int i = 0; a && i < f->n_fields; i++) {
		forms_check_field(f, i, v, "en", msg, sizeof msg);
		form_answers_set(a, i, i % 2 ? v : "");
	}
	for (int p = 0; a && p < f->n_pages; p++)
		forms_check_page(f, a, p, "de", NULL, msg, sizeof msg);
	if (a)
		forms_check_form(f, a, "ar", NULL, msg, sizeof msg);
	form_answers_destroy(a);
	forms_destroy(f);
	return 0;
}
