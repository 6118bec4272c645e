/* Extension (freplace) program for the probe_ext VM scenario: replaces the
 * target's slot() and returns a verdict the target never returns itself. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("freplace/slot")
int replace_slot(struct xdp_md *ctx)
{
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
