// SPDX-License-Identifier: GPL-2.0
/* Plain int definitions for sem_uint_ext's unsigned int externs and weak. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int sem_u = 7;
int sem_w = 2;

__attribute__((noinline)) int sem_ufn(int x)
{
	return x + 1;
}

SEC("xdp")
int prog_udef(struct xdp_md *ctx)
{
	return sem_ufn(ctx->ingress_ifindex) > sem_u + sem_w ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
