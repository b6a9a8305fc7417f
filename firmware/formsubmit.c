/*
 * formsubmit.c — a checked form's answers into the encrypted submission;
 * see forms_submit() in forms.h and submission.h.
 *
 * The plaintext answers exist here only as a jansson object; before it is
 * released every string in it is overwritten (jansson frees without
 * wiping), and submission.c wipes its serialised copy itself.
 */
#include "firmware/forms.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "firmware/forms_int.h"
#include "firmware/log.h"
#include "firmware/util.h"

/* Overwrites the values of a flat answers object, then releases it. */
static void answers_wipe_free(json_t *o)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		if (json_is_string(v))
			util_wipe((char *)(uintptr_t)json_string_value(v),
				  json_string_length(v));
		else if (json_is_integer(v))
			json_integer_set(v, 0);
	}
	json_decref(o);
}

bk_err forms_submit(struct store *st, const struct config *cfg,
		    const struct form_answers *a,
		    struct submission_receipt *out, char *why, size_t whylen)
{
	const struct form *f = a ? a->form : NULL;
	char v[FORMS_VALUE_MAX];
	json_t *answers = NULL;
	int bad = -1;
	bk_err rc;

	memset(out, 0, sizeof *out);
	if (why && whylen)
		why[0] = '\0';
	if (!f)
		return BK_ERR_INVALID;
	rc = forms_check_form(f, a, a->lang, &bad, why, whylen);
	if (rc != BK_OK) {
		log_info("forms", "form %s not submitted: field %s does not "
			 "pass its check", f->id, bad >= 0 ?
			 f->fields[bad].id : "?");
		return rc;
	}
	answers = json_object();
	if (!answers)
		return BK_ERR_NOMEM;
	for (int i = 0; i < f->n_fields; i++) {
		json_t *j;
		int answered;

		forms__trimmed(a->value[i], v);
		answered = v[0] || f->fields[i].type == FORM_CHECKBOX;
		j = forms__answer_json(&f->fields[i], v);
		util_wipe(v, sizeof v);
		if (j && json_object_set_new(answers, f->fields[i].id, j) < 0)
			j = NULL;
		if (!j && answered) {
			answers_wipe_free(answers);
			if (why && whylen)
				snprintf(why, whylen, "out of memory");
			return BK_ERR_NOMEM;
		}
	}
	rc = submission_submit_form(st, cfg, f->id, f->version, a->lang,
				    answers, out, why, whylen);
	answers_wipe_free(answers);
	return rc;
}
