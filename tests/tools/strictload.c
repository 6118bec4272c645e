/* strictload OBJ: load every program of OBJ with libbpf and
 * BPF_F_STRICT_ALIGNMENT (what MIPS and ARM32 enforce anyway).
 * Exit 0 when everything loads. */
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	struct bpf_program *p;
	struct bpf_object *o;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: strictload OBJ\n");
		return 2;
	}
	o = bpf_object__open(argv[1]);
	if (!o) {
		fprintf(stderr, "%s: cannot open\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(p, o)
		bpf_program__set_flags(p, bpf_program__flags(p) | BPF_F_STRICT_ALIGNMENT);
	err = bpf_object__load(o);
	printf("%s: load with BPF_F_STRICT_ALIGNMENT: %d\n", argv[1], err);
	bpf_object__close(o);
	return err ? 1 : 0;
}
