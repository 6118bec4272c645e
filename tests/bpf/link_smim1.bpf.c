// SPDX-License-Identifier: GPL-2.0
/* With link_smim2: a static array of maps 'outer' whose slot 0 holds a
 * static array 'inner' (1 entries here), both named alike in the other
 * object.  Linked, each outer must get its own inner: key 2 is in this
 * inner only when it has more than 2 entries (PASS here). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_t {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

static struct inner_t inner SEC(".maps");

static struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_t);
} outer SEC(".maps") = { .values = { [0] = &inner } };

SEC("xdp")
int prog_smim1(struct xdp_md *ctx)
{
	__u32 zero = 0, two = 2;
	void *m = bpf_map_lookup_elem(&outer, &zero);

	if (!m)
		return XDP_ABORTED;	/* empty slot */
	return bpf_map_lookup_elem(m, &two) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
