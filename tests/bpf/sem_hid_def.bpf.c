// SPDX-License-Identifier: GPL-2.0
/* Plain global definitions for sem_hid_ext's __hidden externs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int sem_hv = 3;

__attribute__((noinline)) int sem_hfn(int x)
{
	return x + 2;
}

SEC("xdp")
int prog_hdef(struct xdp_md *ctx)
{
	return sem_hfn(ctx->ingress_ifindex) > sem_hv ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
