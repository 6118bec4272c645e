// SPDX-License-Identifier: GPL-2.0
/* BTF-defined maps of every shape mapdef.c understands: plain hash with
 * flags, LPM trie pinned by name, explicit key/value sizes, a prog array
 * with initial slots, a map-in-map with an inner template and initial
 * inner maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct maps_lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u64);
} maps_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__type(key, struct maps_lpm_key);
	__type(value, __u32);
} maps_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__uint(value_size, 12);
} maps_sized SEC(".maps");

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_array maps_inner_a SEC(".maps");
struct inner_array maps_inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} maps_outer SEC(".maps") = {
	.values = { [0] = &maps_inner_a, [2] = &maps_inner_b },
};

int maps_tail_a(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int (void *));
} maps_jump SEC(".maps") = {
	.values = { [1] = (void *)&maps_tail_a },
};

SEC("xdp")
int maps_tail_a(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int maps_entry(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&maps_hash, &k);

	bpf_tail_call(ctx, &maps_jump, 1);
	return v ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
