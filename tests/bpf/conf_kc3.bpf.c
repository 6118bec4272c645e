// SPDX-License-Identifier: GPL-2.0
/* With conf_kc1 and conf_kc2 (every order): LINUX_KERNEL_VERSION as a weak
 * __kconfig extern here, strong there: the linked extern is strong (GLOBAL)
 * in every order, as with libbpf's linker; and a weak extern of a kconfig
 * option no kernel has, which libbpf sets to 0. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig __weak;
extern _Bool CONFIG_XDPLD_CONF_NOSUCH __kconfig __weak;

SEC("xdp")
int prog_kc3(struct xdp_md *ctx)
{
	if (CONFIG_XDPLD_CONF_NOSUCH)
		return XDP_ABORTED;
	return LINUX_KERNEL_VERSION > 0x20000 ? XDP_PASS : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
