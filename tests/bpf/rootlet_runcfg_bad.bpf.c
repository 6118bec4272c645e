/* Malformed run-config metadata: a member that is a plain integer instead
 * of the int (*name)[value] encoding, and one with an unknown name. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__u32 priority;
} _xdp_plain SEC(".xdp_run_config");

struct {
	__uint(XDP_BOUNCE, 1);
} _xdp_unknown SEC(".xdp_run_config");

SEC("xdp")
int xdp_plain(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_unknown(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
