// SPDX-License-Identifier: GPL-2.0
/* Static symbols never conflict: link_sa and link_sb both have a static
 * function helper() and a static variable counter with different contents. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int counter = 1;
static volatile const int limit = 40 + 1 * 20;

static __noinline int helper(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	return end - data > limit ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int prog_sa(struct xdp_md *ctx)
{
	int r = helper(ctx);

	return counter == 1 ? r : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
