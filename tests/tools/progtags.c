/* progtags [--btf FILE] OBJ: load every program of OBJ with libbpf (the
 * reference) and print "NAME TAG XLATED_LEN" per program it loads (not
 * those of "?" sections, autoload off), in the object's
 * order, so that xdpld verify --json can be compared with it (same
 * instructions after relocation give the same kernel tag).  --btf: CO-RE
 * against FILE (libbpf's btf_custom_path, as xdpld --kernel-btf FILE).
 * Exit 0 when everything loads. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_program *p;
	struct bpf_object *o;
	int err;

	if (argc == 4 && !strcmp(argv[1], "--btf")) {
		opts.btf_custom_path = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: progtags [--btf FILE] OBJ\n");
		return 2;
	}
	o = bpf_object__open_file(argv[1], &opts);
	if (!o) {
		fprintf(stderr, "%s: cannot open\n", argv[1]);
		return 1;
	}
	err = bpf_object__load(o);
	if (err) {
		fprintf(stderr, "%s: libbpf load: %d\n", argv[1], err);
		goto out;
	}
	bpf_object__for_each_program(p, o) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(p))
			continue;	/* SEC("?xdp"): not loaded */

		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len);
		if (err) {
			fprintf(stderr, "%s: %s: no prog info: %d\n", argv[1], bpf_program__name(p), err);
			goto out;
		}
		printf("%s ", bpf_program__name(p));
		for (int i = 0; i < BPF_TAG_SIZE; i++)
			printf("%02x", info.tag[i]);
		printf(" %u\n", info.xlated_prog_len);
	}
out:
	bpf_object__close(o);
	return err ? 1 : 0;
}
