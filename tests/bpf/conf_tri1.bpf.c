// SPDX-License-Identifier: GPL-2.0
/* conf_tri1, conf_tri2, conf_tri3 collide three ways at once, as three
 * vendors' objects do: each defines the map xdp_stats_map (the prefixed
 * names need the hashed short form, three of them), the global function
 * classify() and the global variable threshold, and a static helper
 * count() of the same name.  Linked in every order, every program must
 * give the verdicts it gives alone. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xdp_stats_map SEC(".maps");

__u32 threshold = 100;

static __noinline void count(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&xdp_stats_map, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
}

__noinline int classify(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	return len > threshold ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int prog_tri1(struct xdp_md *ctx)
{
	int verdict = classify(ctx);

	count(0);
	return verdict;
}

char _license[] SEC("license") = "GPL";
