/*
 * forms_int.h — shared between forms_check.c and formsubmit.c only.
 */
#ifndef BK_FORMS_INT_H
#define BK_FORMS_INT_H

#include <jansson.h>

#include "firmware/forms.h"

/* The answer of field fd as it goes into the submission, from its trimmed
 * typed value v (table in forms.h): NULL when it is left out (unanswered
 * and not a checkbox) or out of memory. */
json_t *forms__answer_json(const struct form_field *fd, const char *v);

/* value without leading and trailing spaces into out. -1 when too long. */
int forms__trimmed(const char *value, char out[FORMS_VALUE_MAX]);

#endif
