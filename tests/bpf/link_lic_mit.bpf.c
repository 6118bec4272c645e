// SPDX-License-Identifier: MIT
/* A module with a different license string, which cannot share an object
 * with GPL modules. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int prog_mit(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual MIT/GPL";
