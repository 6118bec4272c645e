// SPDX-License-Identifier: GPL-2.0
/* An XDP program with siblings a slot does not need (issue 20, point 11):
 * programs of types xdpld's loader does not know (tp_btf, sk_reuseport, a
 * section of no known type) and XDP programs for a devmap and a cpumap,
 * which the kernel never runs on a device, and sib_bad in sib_xdp's own
 * section, which the verifier refuses (it reads the packet unchecked).
 * sib_xdp uses a subprogram, a map and a global; it drops IPv4 TCP and
 * passes everything else. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sib_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sib_other SEC(".maps");

volatile __u8 sib_proto = IPPROTO_TCP;

static __noinline int sib_verdict(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return ip->protocol == sib_proto ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int sib_bad(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u32 k = data[12] == 8;
	__u64 *n = bpf_map_lookup_elem(&sib_other, &k);

	return n ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int sib_xdp(struct xdp_md *ctx)
{
	int v = sib_verdict(ctx);
	__u32 k = v == XDP_DROP;
	__u64 *n = bpf_map_lookup_elem(&sib_seen, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
	return v;
}

SEC("tp_btf/xdp_exception")
int sib_tp(unsigned long long *ctx)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&sib_other, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

SEC("sk_reuseport")
int sib_reuseport(struct sk_reuseport_md *md)
{
	return SK_PASS;
}

SEC("sib_nosuchtype")
int sib_unknown(void *ctx)
{
	return 0;
}

SEC("xdp/devmap")
int sib_devmap(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

SEC("xdp/cpumap")
int sib_cpumap(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
