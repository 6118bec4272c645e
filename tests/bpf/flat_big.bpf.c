/* Flattening test module: 304 bytes of stack; inlined next to a module
 * that tail-calls, it would put that tail call below a frame of 256 bytes
 * or more, which the kernel refuses. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_big(struct xdp_md *ctx)
{
	volatile __u64 buf[38];

#pragma unroll
	for (int i = 0; i < 38; i++)
		buf[i] = i;
	return buf[0] + buf[37] == 37 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
