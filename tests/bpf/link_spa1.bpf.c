// SPDX-License-Identifier: GPL-2.0
/* With link_spa2: a static prog array 'jmp' in each, whose slot 0 is set
 * through .values to a static program 'callee' of each object.  Linked,
 * both maps and both callees share their names: prog_spa1 must still
 * tail-call its own callee (DROP) and prog_spa2 its own (TX).  libbpf
 * refuses static maps and programs: compared with xdpld run only. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int callee(struct xdp_md *ctx);

static struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (struct xdp_md *));
} jmp SEC(".maps") = { .values = { [0] = (void *)&callee } };

SEC("xdp")
static int callee(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int prog_spa1(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_ABORTED;	/* empty slot */
}

char _license[] SEC("license") = "GPL";
