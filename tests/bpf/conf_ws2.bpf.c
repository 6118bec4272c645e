// SPDX-License-Identifier: GPL-2.0
/* See conf_ws1: the strong conf_pick() and a strong extern conf_level. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u32 conf_level;

__noinline int conf_pick(struct xdp_md *ctx)
{
	return ctx->data_end > ctx->data ? XDP_DROP : XDP_ABORTED;
}

SEC("xdp")
int prog_ws2(struct xdp_md *ctx)
{
	return conf_level == 3 ? XDP_TX : conf_pick(ctx);
}

char _license[] SEC("license") = "GPL";
