// SPDX-License-Identifier: GPL-2.0
/* See conf_pin1: conf_pin_cfg pinned by name, but with 8 entries instead
 * of 4: one pin cannot serve both, so linking it with conf_pin1 fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} conf_pin_cfg SEC(".maps");

SEC("xdp")
int prog_pin3(struct xdp_md *ctx)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&conf_pin_cfg, &k);

	return v && *v == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
