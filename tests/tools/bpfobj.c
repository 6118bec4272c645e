/* bpfobj: the few bpftool jobs the VM scenarios need (the VM has no
 * bpftool), with libbpf as the reference.
 *
 *   bpfobj count                        "<progs> <maps> <links>" in the kernel
 *   bpfobj map-id PIN                   the pinned map's id
 *   bpfobj map-lookup PIN KEYHEX        the value as hex; exit 1 if absent
 *   bpfobj map-update PIN KEYHEX VALHEX BPF_ANY update
 *
 * KEYHEX/VALHEX: hex bytes in memory order, spaces and ':' allowed
 * ("80000000 00000000000000000000ffffcb007109"); their length must be the
 * map's key/value size.  Per-CPU maps are not supported.  Exit 2 on errors.
 * Built statically for the test VM ($(O)/vm/bpfobj). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "bpfobj: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 2;
}

static unsigned count(int (*next)(__u32, __u32 *))
{
	__u32 id = 0;
	unsigned n = 0;

	while (!next(id, &id))
		n++;
	return n;
}

/* Parses hex into buf (want bytes exactly); -1 on bad input. */
static int parse_hex(const char *s, unsigned char *buf, __u32 want)
{
	__u32 n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == ':')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			v = (*s | 0x20) - 'a' + 10;
		else
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == want)
			return -1;
		buf[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 && n == want ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	unsigned char *key, *val;
	const char *cmd = argc > 1 ? argv[1] : "";
	int fd, err;

	if (!strcmp(cmd, "count") && argc == 2) {
		printf("%u %u %u\n", count(bpf_prog_get_next_id), count(bpf_map_get_next_id),
		       count(bpf_link_get_next_id));
		return 0;
	}
	if (!((!strcmp(cmd, "map-id") && argc == 3) || (!strcmp(cmd, "map-lookup") && argc == 4) ||
	      (!strcmp(cmd, "map-update") && argc == 5))) {
		fprintf(stderr, "usage: bpfobj count | map-id PIN | map-lookup PIN KEYHEX | "
				"map-update PIN KEYHEX VALUEHEX\n");
		return 2;
	}
	fd = bpf_obj_get(argv[2]);
	if (fd < 0)
		return fail(argv[2], fd);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		return fail(argv[2], err);
	if (!strcmp(cmd, "map-id")) {
		printf("%u\n", info.id);
		return 0;
	}
	key = calloc(1, info.key_size + 1);
	val = calloc(1, info.value_size + 1);
	if (!key || !val)
		return fail("calloc", ENOMEM);
	if (parse_hex(argv[3], key, info.key_size)) {
		fprintf(stderr, "bpfobj: key is not %u hex bytes\n", info.key_size);
		return 2;
	}
	if (!strcmp(cmd, "map-update")) {
		if (parse_hex(argv[4], val, info.value_size)) {
			fprintf(stderr, "bpfobj: value is not %u hex bytes\n", info.value_size);
			return 2;
		}
		err = bpf_map_update_elem(fd, key, val, BPF_ANY);
		return err ? fail("update", err) : 0;
	}
	err = bpf_map_lookup_elem(fd, key, val);
	if (err == -ENOENT)
		return 1;
	if (err)
		return fail("lookup", err);
	for (__u32 i = 0; i < info.value_size; i++)
		printf("%02x", val[i]);
	printf("\n");
	return 0;
}
