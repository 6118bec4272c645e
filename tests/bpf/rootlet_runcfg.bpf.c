/* libxdp-style run-config metadata, declared the way xdp-tools' headers do:
 * XDP_RUN_CONFIG(func) names a variable "_func" in ".xdp_run_config" whose
 * members encode values as array sizes (libbpf's __uint). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define RUNCFG_CAT(a, b) a##b
#define XDP_RUN_CONFIG(f) RUNCFG_CAT(_, f) SEC(".xdp_run_config")

/* priority 10, continue on PASS and DROP */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
	__uint(XDP_DROP, 1);
} XDP_RUN_CONFIG(xdp_first);

/* default priority; stop on PASS, continue on TX */
struct {
	__uint(XDP_PASS, 0);
	__uint(XDP_TX, 1);
} XDP_RUN_CONFIG(xdp_second);

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	return XDP_TX;
}

/* no metadata: libxdp's defaults apply */
SEC("xdp")
int xdp_third(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
