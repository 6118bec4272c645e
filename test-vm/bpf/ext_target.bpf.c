/* freplace target for the probe_ext VM scenario: an XDP program whose verdict
 * comes from a global function, which an extension program can replace. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int slot(struct xdp_md *ctx)
{
	/* volatile keeps clang from folding the call into a constant */
	volatile int verdict = XDP_PASS;

	return ctx ? verdict : XDP_ABORTED;
}

SEC("xdp")
int target(struct xdp_md *ctx)
{
	return slot(ctx);
}

char _license[] SEC("license") = "GPL";
