// SPDX-License-Identifier: GPL-2.0
/* With link_tcx2: a prog array whose slot 0 is set through .values to an
 * extern program defined only in link_tcx2 (nothing else references it). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int vendor_prog(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (struct xdp_md *));
} tcx_jmp SEC(".maps") = { .values = { [0] = (void *)&vendor_prog } };

SEC("xdp")
int prog_tcx(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &tcx_jmp, 0);
	return XDP_ABORTED;	/* empty slot */
}

char _license[] SEC("license") = "GPL";
