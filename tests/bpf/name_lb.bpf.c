// SPDX-License-Identifier: GPL-2.0
/* See name_fw.bpf.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int hits = 3;
int name_fw_hits = 2;

SEC("xdp")
int xdp_name_lb(struct xdp_md *ctx)
{
	return hits == 3 && name_fw_hits == 2 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
