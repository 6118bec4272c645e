// SPDX-License-Identifier: GPL-2.0
/* Weak/strong resolution: link_wa and link_wc define a weak pick(), link_wb a
 * strong one; each object's program calls pick(). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int pick(struct xdp_md *ctx)
{
	return ctx ? XDP_DROP : XDP_ABORTED;
}

SEC("xdp")
int prog_wb(struct xdp_md *ctx)
{
	return pick(ctx);
}

char _license[] SEC("license") = "GPL";
