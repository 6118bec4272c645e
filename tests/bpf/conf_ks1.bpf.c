// SPDX-License-Identifier: GPL-2.0
/* conf_ks1, conf_ks2, conf_ks3 linked together (every order): the same
 * load-time externs in several objects, here two kfuncs (__ksym) and a
 * strong __kconfig extern.
 * Each must become one symbol and one BTF VAR/FUNC inside .kconfig or
 * .ksyms; the strong/weak binding is libbpf's (strong when any is strong).
 * Every program passes every packet.  (No __ksym variable: their
 * addresses come from kallsyms, which holds no data symbols on kernels
 * without CONFIG_KALLSYMS_ALL.) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;

SEC("xdp")
int prog_ks1(struct xdp_md *ctx)
{
	struct bpf_dynptr d;

	if (LINUX_KERNEL_VERSION < 0x20000 || bpf_dynptr_from_xdp(ctx, 0, &d))
		return XDP_ABORTED;
	return bpf_dynptr_size(&d) == ctx->data_end - ctx->data ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
