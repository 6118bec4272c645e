// SPDX-License-Identifier: GPL-2.0
/* Externs for link_def_int (matching definitions), link_def_char (an int
 * defined as a char) and link_def_fn (a two-argument function defined with
 * one argument). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int shared;
extern int mix(int a, int b);

SEC("xdp")
int prog_ext(struct xdp_md *ctx)
{
	return shared == 7 && mix(ctx->ingress_ifindex, 1) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
