/* libFuzzer harness: one BPF ELF object through everything xdpld does with it
 * before the kernel sees it: read, map definitions, inspect's report (text
 * and JSON), BTF fix-up, run-config metadata of every program, write, re-read.
 * Invariants checked beyond "no crash": a written object reads back, and
 * writing it again gives the same bytes. */
#include "fuzz_common.h"

#include "elf/mapdef.h"
#include "elf/obj.h"
#include "elf/runcfg.h"

#include <elf.h>
#include <string.h>

/* inspect's printer is static in cmd_inspect.c: compile it in here. */
#include "../../loader/cli/cmd_inspect.c"

static FILE *devnull;

static void check_runcfgs(const struct obj *o)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];
		struct runcfg rc;

		if (s->type == STT_FUNC && s->bind != STB_LOCAL && s->sec < o->nr_secs &&
		    obj_sec_is_prog(o, s->sec)) {
			int err;

			fuzz_errors_reset("fuzz.o");
			err = runcfg_read(o, s->name, &rc);
			if (err != -ENOENT)	/* no metadata: silent by design */
				fuzz_check_reported(err, "runcfg_read");
		}
	}
}

static void check_rewrite(const struct obj *o)
{
	void *buf = NULL, *buf2 = NULL;
	size_t len = 0, len2 = 0;
	struct obj *again = NULL;

	if (obj_write_mem(o, &buf, &len))
		return;
	if (obj_read_mem("rewritten.o", buf, len, &again)) {
		fprintf(stderr, "fuzz_obj: a written object does not read back\n");
		fuzz_dump("fuzz-bad-output.o", buf, len);
		abort();
	}
	if (obj_write_mem(again, &buf2, &len2) || len2 != len || memcmp(buf, buf2, len)) {
		fprintf(stderr, "fuzz_obj: writing a re-read object changed it\n");
		fuzz_dump("fuzz-first-write.o", buf, len);
		fuzz_dump("fuzz-second-write.o", buf2, len2);
		abort();
	}
	free(buf);
	free(buf2);
	obj_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_def *defs = NULL;
	size_t nr_defs = 0;
	struct obj *o = NULL;
	int err;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	fuzz_errors_reset("fuzz.o");
	err = obj_read_mem("fuzz.o", data, size, &o);
	fuzz_check_reported(err, "obj_read_mem");
	if (err)
		return 0;
	err = obj_map_defs(o, &defs, &nr_defs);
	fuzz_check_reported(err, "obj_map_defs");
	if (!err) {
		emit_report(devnull, false, o, defs, nr_defs);
		emit_report(devnull, true, o, defs, nr_defs);
	}
	map_defs_free(defs, nr_defs);
	check_runcfgs(o);
	fuzz_errors_reset("fuzz.o");
	err = obj_fixup_btf(o);
	fuzz_check_reported(err, "obj_fixup_btf");
	if (!err)
		check_rewrite(o);
	obj_free(o);
	return 0;
}
