/* tailrun: libbpf reference runner for rootlets (tests only).
 *
 *   tailrun [--repeat N] [--tail SLOT=OBJ:PROG]... [--rodata OFF=U32]...
 *           [--pin-maps DIR] OBJ PROG PKTFILE...
 *   tailrun --stats PINNED_MAP
 *
 * Run mode opens OBJ with libbpf, writes each --rodata u32 (host byte order)
 * at byte offset OFF of the object's .rodata before loading (the rootlet's
 * xdpld_cfg is at offset 0), loads it, loads each --tail program from its own
 * object and stores it at index SLOT of the map "xdpld_slots", pins all maps
 * under DIR, then runs PROG on each packet with BPF_PROG_TEST_RUN.  Output:
 * one line per packet, "<name> <verdict>" with progrun's verdict spelling
 * (XDP_PASS..., RET_<n> for anything else).
 *
 * Stats mode prints the non-zero counters of a pinned rootlet stats map
 * (per-CPU u64 array, key = slot * 6 + bucket), summed over CPUs, one line
 * each: "slot<i> <bucket> <count>", buckets aborted drop pass tx redirect
 * invalid.
 *
 * Exit status: 0 on success, 1 on failure (message on stderr), 2 on usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "pkt.h"

#define MAX_TAILS 64
#define MAX_RODATA 64
#define NR_BUCKETS 6

static const char *const bucket_names[NR_BUCKETS] = {
	"aborted", "drop", "pass", "tx", "redirect", "invalid",
};

static const char *const verdict_names[NR_BUCKETS - 1] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
};

struct tail { unsigned int slot; char *obj, *prog; struct bpf_object *bo; };
struct rodata_set { unsigned int off, val; };

static int print_stats(const char *path)
{
	struct bpf_map_info info = { 0 };
	unsigned int len = sizeof(info);
	int fd = bpf_obj_get(path), cpus = libbpf_num_possible_cpus();
	unsigned long long *vals;

	if (fd < 0 || cpus <= 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "tailrun: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.value_size != 8) {
		fprintf(stderr, "tailrun: %s: not a per-CPU u64 array\n", path);
		return 1;
	}
	vals = calloc(cpus, sizeof(*vals));
	if (!vals)
		return 1;
	for (unsigned int key = 0; key < info.max_entries; key++) {
		unsigned long long sum = 0;

		if (bpf_map_lookup_elem(fd, &key, vals)) {
			fprintf(stderr, "tailrun: %s: lookup %u: %s\n", path, key, strerror(errno));
			free(vals);
			return 1;
		}
		for (int c = 0; c < cpus; c++)
			sum += vals[c];
		if (sum)
			printf("slot%u %s %llu\n", key / NR_BUCKETS, bucket_names[key % NR_BUCKETS],
			       sum);
	}
	free(vals);
	return 0;
}

static int parse_tail(const char *arg, struct tail *t)
{
	const char *eq = strchr(arg, '='), *colon = strrchr(arg, ':');
	char *end;

	if (!eq || !colon || colon < eq)
		return -EINVAL;
	t->slot = strtoul(arg, &end, 10);
	if (end != eq)
		return -EINVAL;
	t->obj = strndup(eq + 1, colon - eq - 1);
	t->prog = strdup(colon + 1);
	return t->obj && t->prog ? 0 : -ENOMEM;
}

static struct bpf_map *find_map_suffix(struct bpf_object *obj, const char *suffix)
{
	struct bpf_map *m;
	size_t n = strlen(suffix);

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t l = strlen(name);

		if (l >= n && !strcmp(name + l - n, suffix))
			return m;
	}
	return NULL;
}

static int set_rodata(struct bpf_object *obj, const struct rodata_set *s, int nr)
{
	struct bpf_map *m = find_map_suffix(obj, ".rodata");
	size_t size = 0;
	const void *cur = m ? bpf_map__initial_value(m, &size) : NULL;
	unsigned char *p;
	int err;

	if (!nr)
		return 0;
	p = cur ? malloc(size) : NULL;
	if (!p) {
		fprintf(stderr, "tailrun: --rodata: object has no .rodata\n");
		return -EINVAL;
	}
	memcpy(p, cur, size);
	for (int i = 0; i < nr; i++) {
		if (s[i].off + 4 > size) {
			fprintf(stderr, "tailrun: --rodata %u: .rodata has %zu bytes\n", s[i].off, size);
			free(p);
			return -EINVAL;
		}
		memcpy(p + s[i].off, &s[i].val, 4);
	}
	err = bpf_map__set_initial_value(m, p, size);
	free(p);
	return err;
}

static int fill_tail(struct bpf_object *root, struct tail *t)
{
	struct bpf_map *slots = bpf_object__find_map_by_name(root, "xdpld_slots");
	struct bpf_program *p;
	int fd, err;

	if (!slots) {
		fprintf(stderr, "tailrun: no map xdpld_slots\n");
		return -ENOENT;
	}
	t->bo = bpf_object__open_file(t->obj, NULL);
	if (!t->bo || bpf_object__load(t->bo)) {
		fprintf(stderr, "tailrun: %s: cannot load\n", t->obj);
		return -EINVAL;
	}
	p = bpf_object__find_program_by_name(t->bo, t->prog);
	if (!p) {
		fprintf(stderr, "tailrun: %s: no program %s\n", t->obj, t->prog);
		return -ENOENT;
	}
	fd = bpf_program__fd(p);
	err = bpf_map_update_elem(bpf_map__fd(slots), &t->slot, &fd, BPF_ANY);
	if (err)
		fprintf(stderr, "tailrun: slot %u = %s:%s: %s\n", t->slot, t->obj, t->prog,
			strerror(errno));
	return err;
}

static int run_packet(int prog_fd, const char *path, int repeat)
{
	static uint8_t in[PKT_MAX];
	char name[256];
	int len = pkt_read_file(path, in, sizeof(in));
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .repeat = repeat);

	if (len < 0) {
		fprintf(stderr, "tailrun: %s: %s\n", path, strerror(-len));
		return len;
	}
	opts.data_size_in = len;
	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "tailrun: %s: BPF_PROG_TEST_RUN: %s\n", path, strerror(errno));
		return -errno;
	}
	pkt_name(path, name, sizeof(name));
	if (opts.retval < NR_BUCKETS - 1)
		printf("%s %s\n", name, verdict_names[opts.retval]);
	else
		printf("%s RET_%u\n", name, opts.retval);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "tail", required_argument, NULL, 't' },
		{ "rodata", required_argument, NULL, 'd' },
		{ "pin-maps", required_argument, NULL, 'p' },
		{ "stats", required_argument, NULL, 's' },
		{ 0 }
	};
	struct tail tails[MAX_TAILS] = { 0 };
	struct rodata_set rod[MAX_RODATA];
	int nr_tails = 0, nr_rod = 0, repeat = 1, opt, ret = 1;
	const char *pin_dir = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			repeat = atoi(optarg);
			break;
		case 't':
			if (nr_tails == MAX_TAILS || parse_tail(optarg, &tails[nr_tails++]))
				goto usage;
			break;
		case 'd':
			if (nr_rod == MAX_RODATA ||
			    sscanf(optarg, "%u=%u", &rod[nr_rod].off, &rod[nr_rod].val) != 2)
				goto usage;
			nr_rod++;
			break;
		case 'p':
			pin_dir = optarg;
			break;
		case 's':
			return print_stats(optarg);
		default:
			goto usage;
		}
	}
	if (argc - optind < 3 || repeat < 1)
		goto usage;

	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		fprintf(stderr, "tailrun: %s: cannot open\n", argv[optind]);
		return 1;
	}
	if (set_rodata(obj, rod, nr_rod))
		goto out;
	if (bpf_object__load(obj)) {
		fprintf(stderr, "tailrun: %s: cannot load\n", argv[optind]);
		goto out;
	}
	for (int i = 0; i < nr_tails; i++)
		if (fill_tail(obj, &tails[i]))
			goto out;
	if (pin_dir && bpf_object__pin_maps(obj, pin_dir)) {
		fprintf(stderr, "tailrun: cannot pin maps under %s\n", pin_dir);
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, argv[optind + 1]);
	if (!prog) {
		fprintf(stderr, "tailrun: %s: no program %s\n", argv[optind], argv[optind + 1]);
		goto out;
	}
	ret = 0;
	for (int i = optind + 2; i < argc && !ret; i++)
		ret = run_packet(bpf_program__fd(prog), argv[i], repeat) ? 1 : 0;
out:
	for (int i = 0; i < nr_tails; i++) {
		bpf_object__close(tails[i].bo);
		free(tails[i].obj);
		free(tails[i].prog);
	}
	bpf_object__close(obj);
	return ret;
usage:
	fprintf(stderr, "usage: tailrun [--repeat N] [--tail SLOT=OBJ:PROG]... [--rodata OFF=U32]... "
		"[--pin-maps DIR] OBJ PROG PKTFILE...\n       tailrun --stats PINNED_MAP\n");
	return 2;
}
