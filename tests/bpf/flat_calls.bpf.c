/* Flattening test module: a static subprogram (inlined), a global function
 * with a scalar argument (kept: verified separately) and a bpf_loop
 * callback in a subprogram (kept: callbacks stay functions). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long bump(__u32 i, void *data)
{
	*(__u32 *)data += i;
	return 0;
}

static __attribute__((noinline)) __u32 looped(__u32 n)
{
	__u32 sum = 0;

	bpf_loop(n, bump, &sum, 0);
	return sum;
}

__attribute__((noinline)) int flat_global(int x)
{
	return x & 1;
}

static __attribute__((noinline)) int twice(int x)
{
	volatile int v = x;

	return v + v;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	int len = (int)(ctx->data_end - ctx->data);

	if (looped(4) != 6)
		return XDP_ABORTED;
	return twice(flat_global(len)) == 2 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
