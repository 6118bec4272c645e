// SPDX-License-Identifier: GPL-2.0
/* See link_dup1: the same static name, other contents. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static volatile int counter = 3;
int dup2_global = 4;

SEC("xdp")
int prog_dup2(struct xdp_md *ctx)
{
	long len = (long)ctx->data_end - (long)ctx->data;

	return len > counter * 25 + dup2_global ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
