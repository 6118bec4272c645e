/* Flattening test module: the entry uses 508 bytes of stack, so it
 * cannot get an area below the rootlet's own and stays a call. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_stack(struct xdp_md *ctx)
{
	volatile __u64 buf[63];
	volatile __u32 last = 1;

#pragma unroll
	for (int i = 0; i < 63; i++)
		buf[i] = i;
	return buf[0] + buf[62] + last == 63 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
