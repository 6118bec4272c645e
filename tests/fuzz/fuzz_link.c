/* libFuzzer harness for the static linker: the fuzzed object is linked
 *   1. after a generated 2-slot rootlet, its first program aliased onto
 *      xdpld_slot0 (what attach does),
 *   2. before the rootlet, without renames,
 *   3. with itself (every global conflicts: automatic renaming),
 * and every linked result is written, read back and checked like an input
 * (map definitions, BTF fix-up).  Invariant beyond "no crash": the linker's
 * output is an object xdpld reads. */
#include "fuzz_common.h"

#include "elf/mapdef.h"
#include "elf/obj.h"
#include "link/link.h"
#include "link/rootlet.h"

#include <elf.h>
#include <string.h>

static struct obj *rootlets[2];	/* little- and big-endian */

static struct obj *rootlet_for(const struct obj *o)
{
	return rootlets[o->byte_order == ELFDATA2MSB];
}

static const char *first_prog(const struct obj *o)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->type == STT_FUNC && s->bind != STB_LOCAL && s->sec < o->nr_secs &&
		    obj_sec_is_prog(o, s->sec) && !obj_sec_is_text(o, s->sec))
			return s->name;
	}
	return NULL;
}

static void check_output(const struct obj *out)
{
	struct map_def *defs = NULL;
	size_t nr_defs = 0, len = 0;
	struct obj *again = NULL;
	void *buf = NULL;

	if (obj_write_mem(out, &buf, &len))
		return;
	if (obj_read_mem("linked.o", buf, len, &again)) {
		fprintf(stderr, "fuzz_link: the linker's output does not read back\n");
		fuzz_dump("fuzz-bad-output.o", buf, len);
		abort();
	}
	if (!obj_map_defs(again, &defs, &nr_defs))
		map_defs_free(defs, nr_defs);
	obj_fixup_btf(again);
	obj_free(again);
	free(buf);
}

static void link_and_check(struct obj *a, struct obj *b, const struct link_opts *opts)
{
	struct obj *in[2] = { a, b };
	struct link_result res = { 0 };
	FILE *devnull;
	int err;

	fuzz_errors_reset(NULL);	/* messages name whichever input is at fault */
	err = link_objects(in, 2, opts, &res);
	fuzz_check_reported(err, "link_objects");
	if (err)
		return;
	check_output(res.out);
	devnull = fopen("/dev/null", "w");
	if (devnull) {
		link_write_name_map(&res, devnull);
		fclose(devnull);
	}
	link_result_free(&res);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rootlet_cfg cfg;

	rootlet_cfg_init(&cfg, 2, ROOTLET_STATIC);
	if (rootlet_build(&cfg, ELFDATA2LSB, &rootlets[0]) ||
	    rootlet_build(&cfg, ELFDATA2MSB, &rootlets[1]))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct link_opts plain = { .allow_unresolved = true };
	struct link_rename alias = { .obj = "fuzz.o", .new_name = "xdpld_slot0" };
	struct link_opts aliased = { .renames = &alias, .nr_renames = 1 };
	struct obj *o = NULL;

	if (obj_read_mem("fuzz.o", data, size, &o))
		return 0;
	alias.old_name = first_prog(o);
	if (alias.old_name)
		link_and_check(rootlet_for(o), o, &aliased);
	link_and_check(o, rootlet_for(o), &plain);
	link_and_check(o, o, &plain);
	obj_free(o);
	return 0;
}
