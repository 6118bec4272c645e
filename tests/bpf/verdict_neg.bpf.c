/* Test module for the rootlet: entry xdp_verdict returns -1, an out-of-range
 * verdict that must not be mistaken for a valid action. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_verdict(struct xdp_md *ctx)
{
	return -1;
}

char LICENSE[] SEC("license") = "GPL";
