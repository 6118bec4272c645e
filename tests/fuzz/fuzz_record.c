/* libFuzzer harness for the bpffs record text (state_record_validate, then
 * state_record_get on what validated).  The input is passed without a
 * terminating NUL, as it comes out of the record map's slots. */
#include "fuzz_common.h"

#include "state.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "maps", "prog_id", "iface", "", "x" };
	char *text, *grown, val[64];

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
	free(text);
	return 0;
}
