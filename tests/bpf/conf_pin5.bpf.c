// SPDX-License-Identifier: GPL-2.0
/* See conf_pin1: a map of the same name and shape that is NOT pinned.
 * Linked with conf_pin1 (or conf_pin1 and conf_pin2) the pinned map keeps
 * its name, its pin path being the vendor's contract; this one is renamed. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} conf_pin_cfg SEC(".maps");

SEC("xdp")
int prog_pin5(struct xdp_md *ctx)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&conf_pin_cfg, &k);

	return v && *v == 1 ? XDP_ABORTED : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
