/* libFuzzer harness for the bpffs record text (state_record_validate, then
 * state_record_get and plan_record_parse, the one reader of the record's
 * meaning, on what validated; a parsed plan is written and parsed again and
 * must give the same text).  The input is passed without a terminating NUL,
 * as it comes out of the record map's slots. */
#include "fuzz_common.h"

#include "pipeline/plan.h"
#include "pipeline/state.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "maps", "prog_id", "iface", "", "x" };
	char *text, *grown, val[64];
	struct plan pl;

	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	if (state_record_validate("fuzz", text, size) || memchr(text, 0, size)) {
		free(text);
		return 0;
	}
	grown = realloc(text, size + 1);
	if (!grown) {
		free(text);
		return 0;
	}
	text = grown;
	text[size] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		state_record_get(text, keys[i], val, sizeof(val));
	if (!plan_record_parse("fuzz0", "fuzz", text, &pl)) {
		char *t1 = NULL, *t2 = NULL;

		if (!plan_record_format(&pl, &t1)) {
			plan_free(&pl);
			if (!plan_record_parse("fuzz0", "fuzz", t1, &pl)) {
				if (!plan_record_format(&pl, &t2) && strcmp(t1, t2))
					abort();	/* written twice, read twice: must agree */
				plan_free(&pl);
			} else {
				abort();	/* what we write we must read */
			}
		} else {
			plan_free(&pl);
		}
		free(t1);
		free(t2);
	}
	free(text);
	return 0;
}
