/* libFuzzer harness for BTF and .BTF.ext.  The first input byte picks the
 * mode, the rest is the blob:
 *   even: .BTF     parse; serialize in both byte orders and re-parse; dedup
 *                  (and re-parse the deduplicated BTF's serialization)
 *   odd:  .BTF.ext parse against the BTF of a generated rootlet; serialize
 *                  and re-parse
 * Invariant beyond "no crash": whatever parsed serializes to something that
 * parses again. */
#include "fuzz_common.h"

#include "btf/btf.h"
#include "elf/obj.h"
#include "link/rootlet.h"

#include <elf.h>
#include <string.h>

static struct btf *fixed_btf;	/* owned by fixed_obj */
static struct obj *fixed_obj;

static void must_reparse(const void *buf, size_t len, const char *what)
{
	struct btf *b = NULL;

	if (btf_parse(buf, len, what, &b)) {
		fprintf(stderr, "fuzz_btf: %s does not parse again\n", what);
		abort();
	}
	btf_free(b);
}

static void fuzz_btf(const uint8_t *data, size_t size)
{
	static const int orders[] = { ELFDATA2LSB, ELFDATA2MSB };
	struct btf *b = NULL;
	uint32_t *map = NULL;
	void *buf = NULL;
	size_t len = 0;
	int err;

	fuzz_errors_reset("fuzz: .BTF");
	err = btf_parse(data, size, "fuzz: .BTF", &b);
	fuzz_check_reported(err, "btf_parse");
	if (err)
		return;
	for (int i = 0; i < 2; i++) {
		if (!btf_serialize(b, orders[i], &buf, &len))
			must_reparse(buf, len, "serialized .BTF");
		free(buf);
		buf = NULL;
	}
	for (uint32_t id = 1; id < btf_nr_types(b); id++) {
		btf_resolve_size(b, id);
		btf_skip_mods(b, id);
	}
	if (!btf_dedup(b, &map)) {
		if (!btf_serialize(b, ELFDATA2LSB, &buf, &len))
			must_reparse(buf, len, "deduplicated .BTF");
		free(buf);
	}
	free(map);
	btf_free(b);
}

static void fuzz_btf_ext(const uint8_t *data, size_t size)
{
	struct btf_ext *ext = NULL, *again = NULL;
	void *buf = NULL;
	size_t len = 0;
	int err;

	fuzz_errors_reset("fuzz: .BTF.ext");
	err = btf_ext_parse(data, size, fixed_btf, "fuzz: .BTF.ext", &ext);
	fuzz_check_reported(err, "btf_ext_parse");
	if (err)
		return;
	/* Section names are already in fixed_btf, so this adds no strings. */
	if (!btf_ext_serialize(ext, fixed_btf, ELFDATA2LSB, &buf, &len)) {
		if (btf_ext_parse(buf, len, fixed_btf, "serialized .BTF.ext", &again)) {
			fprintf(stderr, "fuzz_btf: serialized .BTF.ext does not parse again\n");
			abort();
		}
		btf_ext_free(again);
	}
	free(buf);
	btf_ext_free(ext);
}

/* The fixed BTF is the rootlet's, with the strings that serializing its
 * .BTF.ext adds (as in a written rootlet object).  FUZZ_SEED_DIR=DIR writes
 * that .BTF.ext, with its mode byte, to DIR/rootlet-ext as a seed. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_SEED_DIR");
	struct rootlet_cfg cfg;
	char path[4096];
	void *buf = NULL;
	size_t len = 0;
	FILE *f;

	rootlet_cfg_init(&cfg, 2, ROOTLET_STATIC);
	if (rootlet_build(&cfg, ELFDATA2LSB, &fixed_obj) || !fixed_obj->btf ||
	    !fixed_obj->btf_ext ||
	    btf_ext_serialize(fixed_obj->btf_ext, fixed_obj->btf, ELFDATA2LSB, &buf, &len))
		abort();
	fixed_btf = fixed_obj->btf;
	if (dir) {
		snprintf(path, sizeof(path), "%s/rootlet-ext", dir);
		f = fopen(path, "wb");
		if (!f || fputc(1, f) == EOF || fwrite(buf, 1, len, f) != len || fclose(f))
			abort();
	}
	free(buf);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		fuzz_btf_ext(data + 1, size - 1);
	else
		fuzz_btf(data + 1, size - 1);
	return 0;
}
