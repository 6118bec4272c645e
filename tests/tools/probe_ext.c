/* probe_ext TARGET.o EXT.o: checks that the running kernel supports BPF
 * extension (freplace) programs, with libbpf as the reference.
 *
 * Loads TARGET.o's XDP program "target" (which calls the global function
 * slot()), loads EXT.o's "replace_slot" as BPF_PROG_TYPE_EXT aimed at slot()
 * (attach_prog_fd + attach_btf_id), attaches it, and checks with
 * BPF_PROG_TEST_RUN that the target's verdict changes from XDP_PASS to the
 * extension's XDP_TX, and back after detaching.  Exit 0 when all of it works.
 * Built statically for the test VM (whose kernel allows EXT; the host's
 * refuses it). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

static int run_verdict(int prog_fd, const char *when)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	if (err) {
		fprintf(stderr, "probe_ext: test run %s: %s\n", when, strerror(-err));
		return -1;
	}
	printf("probe_ext: verdict %s: %u\n", when, opts.retval);
	return (int)opts.retval;
}

static struct bpf_program *find_prog(struct bpf_object *obj, const char *path, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		fprintf(stderr, "probe_ext: %s: no program '%s'\n", path, name);
	return p;
}

int main(int argc, char **argv)
{
	struct bpf_object *tgt_obj = NULL, *ext_obj = NULL;
	struct bpf_program *tgt, *ext;
	struct bpf_link *link = NULL;
	int tgt_fd, err, ret = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: probe_ext TARGET.o EXT.o\n");
		return 2;
	}
	tgt_obj = bpf_object__open_file(argv[1], NULL);
	if (!tgt_obj || !(tgt = find_prog(tgt_obj, argv[1], "target")))
		goto out;
	err = bpf_object__load(tgt_obj);
	if (err) {
		fprintf(stderr, "probe_ext: %s: load: %s\n", argv[1], strerror(-err));
		goto out;
	}
	tgt_fd = bpf_program__fd(tgt);
	if (run_verdict(tgt_fd, "before freplace") != XDP_PASS)
		goto out;

	ext_obj = bpf_object__open_file(argv[2], NULL);
	if (!ext_obj || !(ext = find_prog(ext_obj, argv[2], "replace_slot")))
		goto out;
	if (bpf_program__type(ext) != BPF_PROG_TYPE_EXT) {
		fprintf(stderr, "probe_ext: %s: replace_slot is not an EXT program\n", argv[2]);
		goto out;
	}
	err = bpf_program__set_attach_target(ext, tgt_fd, "slot");
	if (!err)
		err = bpf_object__load(ext_obj);
	if (err) {
		fprintf(stderr, "probe_ext: %s: loading EXT program for slot(): %s\n",
			argv[2], strerror(-err));
		goto out;
	}
	printf("probe_ext: EXT program loaded (attach_btf_id of slot)\n");

	link = bpf_program__attach_freplace(ext, tgt_fd, "slot");
	if (!link) {
		fprintf(stderr, "probe_ext: attach freplace to slot(): %s\n", strerror(errno));
		goto out;
	}
	if (run_verdict(tgt_fd, "with freplace") != XDP_TX)
		goto out;
	bpf_link__destroy(link);
	link = NULL;
	if (run_verdict(tgt_fd, "after detach") != XDP_PASS)
		goto out;
	printf("probe_ext: freplace works\n");
	ret = 0;
out:
	bpf_link__destroy(link);
	bpf_object__close(ext_obj);
	bpf_object__close(tgt_obj);
	return ret;
}
