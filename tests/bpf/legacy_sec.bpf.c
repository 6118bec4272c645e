// SPDX-License-Identifier: GPL-2.0
/* An XDP program in a legacy section name ("xdp_legacy"), as older vendor
 * objects have: no program type follows from it without --type xdp. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int seen = 7;

static __noinline int verdict(struct xdp_md *ctx)
{
	return seen == 7 ? XDP_DROP : XDP_PASS;
}

SEC("xdp_legacy")
int legacy_drop(struct xdp_md *ctx)
{
	return verdict(ctx);
}

char _license[] SEC("license") = "GPL";
