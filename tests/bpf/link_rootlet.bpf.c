// SPDX-License-Identifier: GPL-2.0
/* A rootlet: one XDP program calling placeholder slots in order, continuing
 * while they return XDP_PASS.  Vendor entry programs are aliased onto the
 * slots at link time (xdpld link --rename VENDOR.o:PROG=slotN). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__weak __noinline int slot0(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_ABORTED;
}

__weak __noinline int slot1(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_ABORTED;
}

static __noinline int after_slots(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int rootlet(struct xdp_md *ctx)
{
	int ret = slot0(ctx);

	if (ret != XDP_PASS)
		return ret;
	ret = slot1(ctx);
	if (ret != XDP_PASS)
		return ret;
	return after_slots(ctx);
}

char _license[] SEC("license") = "GPL";
