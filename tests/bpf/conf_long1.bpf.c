// SPDX-License-Identifier: GPL-2.0
/* With conf_long2: both define the map xdp_stats_map, whose prefixed
 * name must be shortened to 15 characters; the shortened name is a BTF VAR
 * name, which the kernel refuses when it starts with a digit. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xdp_stats_map SEC(".maps");

SEC("xdp")
int prog_long1(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&xdp_stats_map, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
