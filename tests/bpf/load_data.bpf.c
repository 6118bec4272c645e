// SPDX-License-Identifier: GPL-2.0
/* Loader test: global data (.rodata configured with --set, .data, .bss,
 * a custom .data.* section), subprograms reached from two programs, and a
 * bpf_loop callback (BPF_PSEUDO_FUNC).  xdp_cfg returns `verdict` when the
 * counters add up, XDP_ABORTED otherwise.  xdp_cfg_frags passes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 verdict = XDP_PASS;
const volatile __u8 loops = 3;
__u32 data_seed = 7;
__u64 bss_count;
__u32 extra SEC(".data.extra") = 5;

/* BTF kinds older kernels lack (FLOAT, DECL_TAG, TYPE_TAG), for the
 * rewriting tests; the program never reads them. */
struct tagged {
	int __attribute__((btf_type_tag("user"))) *uptr;
	float ratio;
} tagged_cfg __attribute__((btf_decl_tag("config")));

static int add_one(__u32 index, void *ctx)
{
	bss_count++;
	return 0;
}

static __attribute__((noinline)) int count_loops(void)
{
	bss_count = 0;
	bpf_loop(loops, add_one, NULL, 0);
	return (int)bss_count;
}

static __attribute__((noinline)) int unused_helper(int x)
{
	return x * data_seed;
}

SEC("xdp")
int xdp_cfg(struct xdp_md *ctx)
{
	if (count_loops() != loops || data_seed != 7 || extra != 5)
		return XDP_ABORTED;
	return verdict;
}

SEC("xdp.frags")
int xdp_cfg_frags(struct xdp_md *ctx)
{
	return count_loops() == loops ? XDP_PASS : unused_helper(ctx->ingress_ifindex);
}

char _license[] SEC("license") = "GPL";
