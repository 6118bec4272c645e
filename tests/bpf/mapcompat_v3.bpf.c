// SPDX-License-Identifier: GPL-2.0
/* Map compatibility, version 3: the value of `rules` and `counters` keeps
 * its size (16 bytes) but its member `verdict` became `flags`. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct k {
	__u32 a;
	__u32 b;
};

struct v {
	__u64 pkts;
	__u32 flags;
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
	struct k key = { .a = ctx->ingress_ifindex, .b = 0 };
	struct v *r = bpf_map_lookup_elem(&rules, &key);
	__u32 zero = 0;
	struct v *c = bpf_map_lookup_elem(&counters, &zero);

	if (c)
		__sync_fetch_and_add(&c->pkts, 1);
	return r && (r->flags & 1) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
