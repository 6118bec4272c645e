/* progrun: the libbpf reference runner for XDP programs.
 *
 *   progrun [--repeat N] [--map NAME=KEYHEX:VALHEX]... [--pin-maps DIR]
 *           [--out-dir DIR] [--only] OBJ PROG PKTFILE...
 *
 * Opens OBJ with libbpf and loads it (all programs, and PROG even when in a
 * "?" section, autoload off; with --only, PROG alone: the others' autoload
 * turned off, as a loader of one program does), applies the --map
 * updates (in order; for per-CPU maps VALHEX is stored for every CPU),
 * pins all maps under DIR with --pin-maps, then runs program PROG on each
 * packet file with BPF_PROG_TEST_RUN (repeat N times, default 1).
 *
 * OUTPUT CONTRACT (other tests compare it; keep it stable): one line per
 * packet, in argument order,
 *
 *     <name> <verdict> <out_len> <hash>
 *
 * name: the file's basename without ".pkt"; verdict: XDP_ABORTED,
 * XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT, or RET_<n> for anything else;
 * out_len: bytes of the output packet, decimal; hash: FNV-1a 32-bit of the
 * output bytes, 8 lower-case hex digits.  Nothing else goes to stdout.
 * With --out-dir, the output packet is also written to DIR/<name>.pkt.
 * With --repeat, the kernel runs the program N times on the same buffer
 * without restoring it, so a program that rewrites packets sees its own
 * output from the second run on: the line shows the last run.
 *
 * Exit status: 0 when every packet ran, 1 when loading (libbpf's messages
 * and the error are printed on stderr) or a test run failed, 2 on usage.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "pkt.h"

#define MAX_MAP_UPDATES 64

struct map_update {
	char *name;
	uint8_t *key, *val;
	size_t key_len, val_len;
};

static int hex_decode(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	size_t i;

	if (len % 2 || !len)
		return -EINVAL;
	*out = malloc(len / 2);
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < len / 2; i++) {
		char byte[3] = { s[2 * i], s[2 * i + 1], 0 };
		char *end;

		(*out)[i] = strtoul(byte, &end, 16);
		if (*end) {
			free(*out);
			return -EINVAL;
		}
	}
	*out_len = len / 2;
	return 0;
}

/* NAME=KEYHEX:VALHEX */
static int parse_map_update(const char *arg, struct map_update *u)
{
	const char *eq = strchr(arg, '='), *colon;
	int err;

	colon = eq ? strchr(eq, ':') : NULL;
	if (!eq || !colon || eq == arg)
		return -EINVAL;
	u->name = strndup(arg, eq - arg);
	if (!u->name)
		return -ENOMEM;
	err = hex_decode(eq + 1, colon - eq - 1, &u->key, &u->key_len);
	if (err)
		return err;
	return hex_decode(colon + 1, strlen(colon + 1), &u->val, &u->val_len);
}

static int apply_map_update(struct bpf_object *obj, const struct map_update *u)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, u->name);
	enum bpf_map_type type;
	uint8_t *val = u->val;
	size_t slot;
	int err, cpus, i;

	if (!map) {
		fprintf(stderr, "progrun: --map %s: no such map\n", u->name);
		return -ENOENT;
	}
	if (u->key_len != bpf_map__key_size(map) || u->val_len != bpf_map__value_size(map)) {
		fprintf(stderr, "progrun: --map %s: key/value are %zu/%zu bytes, map wants %u/%u\n",
			u->name, u->key_len, u->val_len, bpf_map__key_size(map),
			bpf_map__value_size(map));
		return -EINVAL;
	}
	type = bpf_map__type(map);
	if (type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	    type == BPF_MAP_TYPE_LRU_PERCPU_HASH) {
		cpus = libbpf_num_possible_cpus();
		if (cpus <= 0)
			return cpus ? cpus : -EINVAL;
		slot = (u->val_len + 7) & ~(size_t)7;
		val = calloc(cpus, slot);
		if (!val)
			return -ENOMEM;
		for (i = 0; i < cpus; i++)
			memcpy(val + i * slot, u->val, u->val_len);
	}
	err = bpf_map_update_elem(bpf_map__fd(map), u->key, val, BPF_ANY);
	if (err) {
		err = -errno;
		fprintf(stderr, "progrun: --map %s: update: %s\n", u->name, strerror(errno));
	}
	if (val != u->val)
		free(val);
	return err;
}

static const char *verdict_name(uint32_t ret, char *buf, size_t cap)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
					     "XDP_TX", "XDP_REDIRECT" };

	if (ret < sizeof(names) / sizeof(names[0]))
		return names[ret];
	snprintf(buf, cap, "RET_%u", ret);
	return buf;
}

static int write_output(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s.pkt", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "progrun: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	ok = fwrite(p, 1, len, f) == len;
	ok &= fclose(f) == 0;
	if (!ok)
		fprintf(stderr, "progrun: %s: write failed\n", path);
	return ok ? 0 : -EIO;
}

static int run_packet(int prog_fd, const char *path, int repeat, const char *out_dir)
{
	static uint8_t in[PKT_MAX], out[PKT_MAX + 512];
	char name[256], vbuf[32];
	int len, err;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = repeat,
	);

	len = pkt_read_file(path, in, sizeof(in));
	if (len < 0) {
		fprintf(stderr, "progrun: %s: %s\n", path, strerror(-len));
		return len;
	}
	opts.data_size_in = len;
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err) {
		fprintf(stderr, "progrun: %s: BPF_PROG_TEST_RUN: %s\n", path, strerror(errno));
		return -errno;
	}
	if (opts.data_size_out > sizeof(out)) {
		fprintf(stderr, "progrun: %s: output of %u bytes truncated\n", path,
			opts.data_size_out);
		return -EMSGSIZE;
	}
	pkt_name(path, name, sizeof(name));
	printf("%s %s %u %08x\n", name, verdict_name(opts.retval, vbuf, sizeof(vbuf)),
	       opts.data_size_out, pkt_fnv1a(out, opts.data_size_out));
	return out_dir ? write_output(out_dir, name, out, opts.data_size_out) : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: progrun [--repeat N] [--map NAME=KEYHEX:VALHEX]... "
		"[--pin-maps DIR] [--out-dir DIR] [--only] OBJ PROG PKTFILE...\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "map", required_argument, NULL, 'm' },
		{ "pin-maps", required_argument, NULL, 'p' },
		{ "out-dir", required_argument, NULL, 'o' },
		{ "only", no_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	struct map_update updates[MAX_MAP_UPDATES] = {};
	const char *pin_dir = NULL, *out_dir = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	int nr_updates = 0, repeat = 1, ret = 1, err, opt, i;
	bool only = false;
	char *end;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			repeat = strtol(optarg, &end, 10);
			if (*end || repeat < 1) {
				fprintf(stderr, "progrun: bad --repeat '%s'\n", optarg);
				return 2;
			}
			break;
		case 'm':
			if (nr_updates == MAX_MAP_UPDATES ||
			    parse_map_update(optarg, &updates[nr_updates++])) {
				fprintf(stderr, "progrun: bad --map '%s' (NAME=KEYHEX:VALHEX)\n", optarg);
				goto out;
			}
			break;
		case 'p':
			pin_dir = optarg;
			break;
		case 'o':
			out_dir = optarg;
			break;
		case 'O':
			only = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (argc - optind < 3) {
		usage();
		return 2;
	}

	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		fprintf(stderr, "progrun: %s: open: %s\n", argv[optind], strerror(errno));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, argv[optind + 1]);
	if (!prog) {
		fprintf(stderr, "progrun: %s: no program '%s'\n", argv[optind], argv[optind + 1]);
		goto out;
	}
	if (only) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, false);
	}
	/* PROG loads even from SEC("?xdp") (autoload off): it is asked for */
	bpf_program__set_autoload(prog, true);
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "progrun: %s: load: %s\n", argv[optind], strerror(-err));
		goto out;
	}
	for (i = 0; i < nr_updates; i++)
		if (apply_map_update(obj, &updates[i]))
			goto out;
	if (pin_dir) {
		err = bpf_object__pin_maps(obj, pin_dir);
		if (err) {
			fprintf(stderr, "progrun: pin maps in %s: %s\n", pin_dir, strerror(-err));
			goto out;
		}
	}
	for (i = optind + 2; i < argc; i++)
		if (run_packet(bpf_program__fd(prog), argv[i], repeat, out_dir))
			goto out;
	ret = 0;
out:
	fflush(stdout);
	bpf_object__close(obj);
	for (i = 0; i < nr_updates; i++) {
		free(updates[i].name);
		free(updates[i].key);
		free(updates[i].val);
	}
	return ret;
}
