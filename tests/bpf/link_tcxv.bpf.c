// SPDX-License-Identifier: GPL-2.0
/* For link_ext_int: 'shared' defined as a program while link_ext_int
 * reads it as an int: a variable must never resolve to a program (unlike
 * link_tcx1's extern, which is only a function pointer in .values). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int mix(int a, int b)
{
	return a + b;
}

SEC("xdp")
int shared(struct xdp_md *ctx)
{
	return mix(ctx->ingress_ifindex, 1) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
