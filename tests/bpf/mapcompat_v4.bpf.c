// SPDX-License-Identifier: GPL-2.0
/* Map compatibility, version 4: the key of `rules` keeps its size (8 bytes)
 * and its member names and offsets, but `a` became 16 bits wide. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct k {
	__u16 a;
	__u32 b;
};

struct v {
	__u64 pkts;
	__u32 verdict;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct k);
	__type(value, struct v);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__type(value, struct v);
} counters SEC(".maps");

SEC("xdp")
int mapcompat_prog(struct xdp_md *ctx)
{
	struct k key;
	struct v *r, *c;
	__u32 zero = 0;

	__builtin_memset(&key, 0, sizeof(key));
	key.a = (__u16)ctx->ingress_ifindex;
	r = bpf_map_lookup_elem(&rules, &key);
	c = bpf_map_lookup_elem(&counters, &zero);
	if (c)
		__sync_fetch_and_add(&c->pkts, 1);
	return r ? r->verdict : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
