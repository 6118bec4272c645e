/* Flattening test module: the entry tail-calls (an empty prog array entry
 * falls through), so its slot must stay a call. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} flat_jmp SEC(".maps");

SEC("xdp")
int xdp_tail(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &flat_jmp, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
