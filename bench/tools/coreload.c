/* libbpf's side of the CO-RE bench (bench/README.md, "CO-RE resolution"):
 *
 *   coreload [--btf FILE] OBJ...
 *
 * Opens and loads each OBJ with libbpf, one after the other in this
 * process (as a libbpf-based loader loads the modules of a pipeline: one
 * bpf_object each), then closes them all.  CO-RE relocations are resolved
 * against the running kernel's BTF, or against FILE (btf_custom_path).
 * Prints "loaded N programs" on success; exits 1 on the first failure.
 * The caller measures wall time and peak RSS of the whole process. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_object *objs[64];
	struct bpf_program *prog;
	int nr = 0, progs = 0, status = 0, i = 1;

	if (argc > 2 && !strcmp(argv[1], "--btf")) {
		opts.btf_custom_path = argv[2];
		i = 3;
	}
	if (i >= argc || argc - i > 64) {
		fprintf(stderr, "usage: coreload [--btf FILE] OBJ... (at most 64)\n");
		return 2;
	}
	libbpf_set_print(quiet);
	for (; i < argc; i++) {
		struct bpf_object *obj = bpf_object__open_file(argv[i], &opts);

		if (!obj) {
			fprintf(stderr, "%s: open failed: %s\n", argv[i], strerror(errno));
			status = 1;
			break;
		}
		objs[nr++] = obj;
		if (bpf_object__load(obj)) {
			fprintf(stderr, "%s: load failed: %s\n", argv[i], strerror(errno));
			status = 1;
			break;
		}
		bpf_object__for_each_program(prog, obj)
			progs++;
	}
	while (nr)
		bpf_object__close(objs[--nr]);
	if (!status)
		printf("loaded %d programs\n", progs);
	return status;
}
