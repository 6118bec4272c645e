// SPDX-License-Identifier: GPL-2.0
/* Object-model test input: two programs in different sections, a global and
 * a static subprogram in .text, data/rodata/bss variables, an extern
 * function and an extern variable left for the linker. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int obj_counter = 0;			/* .bss */
int obj_verdict = XDP_PASS;		/* .data */
const volatile int obj_limit = 64;	/* .rodata */
static int obj_hidden = 7;		/* static .data */

extern int obj_ext_func(struct xdp_md *ctx);
extern int obj_ext_var;

static __attribute__((noinline)) int obj_static_helper(int x)
{
	obj_hidden += x;
	return obj_hidden;
}

__attribute__((noinline)) int obj_global_helper(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data > obj_limit ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int obj_main(struct xdp_md *ctx)
{
	obj_counter += obj_static_helper(ctx->ingress_ifindex);
	if (obj_global_helper(ctx) == XDP_DROP)
		return XDP_DROP;
	return obj_verdict;
}

SEC("xdp")
int obj_second(struct xdp_md *ctx)
{
	return obj_ext_func(ctx) + obj_ext_var;
}

__attribute__((weak)) int obj_weak_fn(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
