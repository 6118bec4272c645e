// SPDX-License-Identifier: GPL-2.0
/* With link_dup2: a static variable 'counter' in .data in both, with
 * different values, which a linked object holds side by side.  Each
 * program's verdict depends on its own counter and the packet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static volatile int counter = 1;
int dup1_global = 2;

SEC("xdp")
int prog_dup1(struct xdp_md *ctx)
{
	long len = (long)ctx->data_end - (long)ctx->data;

	return len > counter * 60 + dup1_global ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
