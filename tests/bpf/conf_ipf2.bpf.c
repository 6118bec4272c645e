// SPDX-License-Identifier: GPL-2.0
/* With conf_ipf1: both define filter_ipv4 and filter_ipv6, which
 * differ only after the tenth character; their shortened names must stay
 * unique within one object as well as between the two. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} filter_ipv4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} filter_ipv6 SEC(".maps");

SEC("xdp")
int prog_ipf2(struct xdp_md *ctx)
{
	__u32 k = 2;

	if (bpf_map_lookup_elem(&filter_ipv4, &k) || bpf_map_lookup_elem(&filter_ipv6, &k))
		return XDP_DROP;
	return XDP_PASS;	/* empty maps: PASS */
}

char _license[] SEC("license") = "GPL";
