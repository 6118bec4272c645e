// SPDX-License-Identifier: GPL-2.0
/* See conf_ws1: a second weak conf_pick() and conf_level, and the weak map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} conf_wmap SEC(".maps") __weak;

__weak __u32 conf_level = 3;

__weak __noinline int conf_pick(struct xdp_md *ctx)
{
	return ctx->data_end > ctx->data ? XDP_ABORTED : XDP_PASS;
}

SEC("xdp")
int prog_ws3(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&conf_wmap, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return conf_level == 3 ? XDP_TX : conf_pick(ctx);
}

char _license[] SEC("license") = "GPL";
