// SPDX-License-Identifier: GPL-2.0
/* The strong 'w' that wins over link_align1's weak one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int w = 90;

SEC("xdp")
int prog_align2(struct xdp_md *ctx)
{
	return w > 100 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
