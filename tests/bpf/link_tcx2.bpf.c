// SPDX-License-Identifier: GPL-2.0
/* See link_tcx1: the program its prog array's slot 0 names. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int vendor_prog(struct xdp_md *ctx)
{
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
