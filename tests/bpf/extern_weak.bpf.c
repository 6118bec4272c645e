// SPDX-License-Identifier: GPL-2.0
/* Weak __ksym externs and kfuncs only (t_extern.sh, the VM's core_nobtf
 * scenario): on a kernel without BTF none resolves, each is 0, and the call
 * of a weak kfunc guarded by its existence is dead code (xdpld poisons it
 * as libbpf >= 1.2 does), so the program loads where kfuncs cannot.  What
 * it sees goes into the packet; it returns XDP_TX. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ksym_exists(sym) (!!&(sym))

extern const int xdpld_no_such_variable __ksym __weak;	/* typed: needs kernel BTF */
extern int bpf_xdpld_no_such_kfunc(struct xdp_md *ctx) __ksym __weak;

SEC("xdp")
int ksym_weak(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (data + 16 > end)
		return XDP_DROP;
	data[0] = 2;
	data[1] = ksym_exists(xdpld_no_such_variable);
	data[2] = ksym_exists(bpf_xdpld_no_such_kfunc);
	if (ksym_exists(bpf_xdpld_no_such_kfunc))
		return bpf_xdpld_no_such_kfunc(ctx);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
