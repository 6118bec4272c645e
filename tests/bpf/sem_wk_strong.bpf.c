// SPDX-License-Identifier: GPL-2.0
/* The strong side of sem_wk_weak's externs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int CONFIG_XDPLD_SEM_NOSUCH __kconfig;
extern int sem_wpick(int x);

SEC("xdp")
int prog_wkstrong(struct xdp_md *ctx)
{
	if (CONFIG_XDPLD_SEM_NOSUCH)
		return XDP_ABORTED;
	return sem_wpick(ctx->ingress_ifindex);
}

char _license[] SEC("license") = "GPL";
