// SPDX-License-Identifier: GPL-2.0
/* See conf_pin1: the same pinned map, another program (TX when slot 0 is 1). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} conf_pin_cfg SEC(".maps");

SEC("xdp")
int prog_pin2(struct xdp_md *ctx)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&conf_pin_cfg, &k);

	return v && *v == 1 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
