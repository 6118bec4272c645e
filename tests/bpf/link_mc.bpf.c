// SPDX-License-Identifier: GPL-2.0
/* An extern shared that does NOT match link_ma.bpf.c's (max_entries 16, not 4). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} shared SEC(".maps");

SEC("xdp")
int prog_mc(struct xdp_md *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&shared, &key) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
