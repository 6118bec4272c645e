// SPDX-License-Identifier: GPL-2.0
/* Weak and strong externs of one name (issue 10, bug 7), with sem_wk_strong:
 * libbpf makes the result strong when either is.  A weak __kconfig extern
 * that no kernel provides loads as 0; a strong one must fail to load.  The
 * weak definition of sem_wpick meets a strong extern in sem_wk_strong. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int CONFIG_XDPLD_SEM_NOSUCH __kconfig __weak;

__weak __attribute__((noinline)) int sem_wpick(int x)
{
	return x ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int prog_wkweak(struct xdp_md *ctx)
{
	if (CONFIG_XDPLD_SEM_NOSUCH)
		return XDP_ABORTED;
	return sem_wpick(ctx->ingress_ifindex);
}

char _license[] SEC("license") = "GPL";
