// SPDX-License-Identifier: GPL-2.0
/* Map compatibility, version 2: the same map layouts as mapcompat_v1 with
 * other code, another map and another program declared first (so every
 * BTF type id differs from v1's). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seen {
	__u16 port;
	__u8 proto;
	__u8 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, struct seen);
	__type(value, __u64);
} seen SEC(".maps");

struct k {
	__u32 a;
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
int mapcompat_first(struct xdp_md *ctx)
{
	struct seen s = { .port = 1, .proto = 6 };
	__u64 one = 1;

	bpf_map_update_elem(&seen, &s, &one, BPF_ANY);
	return XDP_PASS;
}

SEC("xdp")
int mapcompat_prog(struct xdp_md *ctx)
{
	struct k key = { .a = ctx->ingress_ifindex, .b = ctx->rx_queue_index };
	struct v *r = bpf_map_lookup_elem(&rules, &key);
	__u32 zero = 0;
	struct v *c = bpf_map_lookup_elem(&counters, &zero);

	if (c)
		__sync_fetch_and_add(&c->pkts, 2);
	if (r)
		__sync_fetch_and_add(&r->pkts, 1);
	return r && r->verdict <= XDP_REDIRECT ? r->verdict : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
