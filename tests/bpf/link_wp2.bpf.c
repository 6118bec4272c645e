// SPDX-License-Identifier: GPL-2.0
/* The second weak prog_wp (see link_wp1). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((weak)) SEC("xdp") int prog_wp(struct xdp_md *ctx)
{
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
