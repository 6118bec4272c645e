// SPDX-License-Identifier: GPL-2.0
/* A legacy "maps" definition of 20 bytes (link_lg36 has 36): a linked
 * "maps" section mixes both sizes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct def20 { unsigned int type, key_size, value_size, max_entries, map_flags; };
struct def20 m20 SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 2,
};

SEC("xdp")
int prog_lg20(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&m20, &k) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
