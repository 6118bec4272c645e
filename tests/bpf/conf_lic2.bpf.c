// SPDX-License-Identifier: GPL-2.0
/* See conf_lic1: the second spelling of the license and version variables. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int prog_lic2(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char __license[] SEC("license") = "GPL";
__u32 __version SEC("version") = 1;
