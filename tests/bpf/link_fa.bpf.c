// SPDX-License-Identifier: GPL-2.0
/* Linker semantics, pair A/B: A defines helper_a and var_a and uses B's
 * helper_b and var_b through externs (and B the other way round). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int var_a = 7;
extern int var_b;
extern int helper_b(struct xdp_md *ctx);

__noinline int helper_a(struct xdp_md *ctx)
{
	return ctx ? XDP_DROP : XDP_ABORTED;
}

SEC("xdp")
int prog_fa(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (var_b != 5)
		return XDP_ABORTED;
	if (data + 15 > end)
		return helper_b(ctx);
	return ((unsigned char *)data)[14] & 1 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
