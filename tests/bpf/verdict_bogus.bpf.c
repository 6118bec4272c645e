/* Test module for the rootlet: entry xdp_verdict returns 99, not an XDP
 * action; the rootlet must count it as invalid and return XDP_ABORTED. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_verdict(struct xdp_md *ctx)
{
	return 99;
}

char LICENSE[] SEC("license") = "GPL";
