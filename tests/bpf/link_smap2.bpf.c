// SPDX-License-Identifier: GPL-2.0
/* See link_smap1: the other static 'stats', an array (a lookup always hits). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u32);
} stats SEC(".maps");

SEC("xdp")
int prog_smap2(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&stats, &k) ? XDP_DROP : XDP_PASS;	/* DROP */
}

char _license[] SEC("license") = "GPL";
