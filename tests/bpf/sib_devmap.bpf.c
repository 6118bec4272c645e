// SPDX-License-Identifier: GPL-2.0
/* An XDP program for a device and one for a devmap (issue 20, point 11):
 * the devmap program reads egress_ifindex, which only a devmap program
 * may; as a slot it would be refused inside the rootlet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int dm_main(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp/devmap")
int dm_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
