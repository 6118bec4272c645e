// SPDX-License-Identifier: GPL-2.0
/* See link_spa1: the other static 'jmp', whose static 'callee' returns TX. */
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
	return XDP_TX;
}

SEC("xdp")
int prog_spa2(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_ABORTED;	/* empty slot */
}

char _license[] SEC("license") = "GPL";
