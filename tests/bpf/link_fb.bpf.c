// SPDX-License-Identifier: GPL-2.0
/* Pair A/B, side B (see link_fa.bpf.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int var_b = 5;
extern int var_a;
extern int helper_a(struct xdp_md *ctx);

__noinline int helper_b(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int prog_fb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (var_a != 7)
		return XDP_ABORTED;
	if (data + 20 > end)
		return helper_a(ctx);
	return ((unsigned char *)data)[19] > 0x80 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
