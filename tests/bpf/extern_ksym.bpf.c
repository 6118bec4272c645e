// SPDX-License-Identifier: GPL-2.0
/* __ksym externs and kfuncs (tests/t_extern.sh): a typeless symbol from /proc/kallsyms, weak ones the kernel
 * does not have (0, and a call guarded by their existence that the
 * verifier drops), and netfilter's conntrack lookup kfuncs as an XDP
 * SYN-proxy calls them.  What the program sees goes into the packet, to be
 * compared byte for byte with libbpf's load. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ksym_exists(sym) (!!&(sym))

struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u16 ct_zone_id;
	__u8 ct_zone_dir;
	__u8 reserved[3];
};
/* libbpf (and xdpld) want a struct here, as vmlinux.h gives, not a forward
 * declaration: kinds must agree; its members are never read. */
struct nf_conn { unsigned long status; };
struct nf_conn___init { unsigned long status; };
/* Linux 6.1 knows a 12-byte bpf_ct_opts (no zone members); later kernels
 * take 12 or 16 bytes.  12 runs on both. */
#define CT_OPTS_SZ 12

extern const void bpf_prog_put __ksym;				/* typeless */
extern const int xdpld_no_such_variable __ksym __weak;
extern const void xdpld_no_such_symbol __ksym __weak;
extern int bpf_xdpld_no_such_kfunc(struct xdp_md *ctx) __ksym __weak;
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;
extern struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					       __u32 tuple__sz, struct bpf_ct_opts *opts,
					       __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct) __ksym;
extern void bpf_ct_set_timeout(struct nf_conn___init *nfct, __u32 timeout) __ksym;

SEC("xdp")
int ksym_values(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	__u64 addr = (__u64)&bpf_prog_put;

	if (data + 32 > end)
		return XDP_DROP;
	data[0] = 1;
	data[1] = ksym_exists(bpf_prog_put);
	data[2] = ksym_exists(xdpld_no_such_variable);
	data[3] = ksym_exists(xdpld_no_such_symbol);
	data[4] = ksym_exists(bpf_xdpld_no_such_kfunc);
	data[5] = addr != 0;
	if (ksym_exists(bpf_xdpld_no_such_kfunc))
		return bpf_xdpld_no_such_kfunc(ctx);
	return XDP_TX;
}

/* An IPv4 TCP packet without IP options: its tuple, and its IP header in
 * *ipp; 0 for any other packet. */
static __always_inline int tcp4_tuple(struct xdp_md *ctx, struct bpf_sock_tuple *tup,
				      struct iphdr **ipp)
{
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);

	if ((void *)(tcp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return 0;
	tup->ipv4.saddr = ip->saddr;
	tup->ipv4.daddr = ip->daddr;
	tup->ipv4.sport = tcp->source;
	tup->ipv4.dport = tcp->dest;
	*ipp = ip;
	return 1;
}

/* The conntrack lookup of an IPv4 TCP packet: XDP_DROP when the
 * connection is tracked, else XDP_TX with opts.error (-ENOENT) in the IP
 * id; other packets pass untouched. */
SEC("xdp")
int ct_lookup(struct xdp_md *ctx)
{
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = IPPROTO_TCP };
	struct bpf_sock_tuple tup = {};
	struct iphdr *ip;
	struct nf_conn *ct;

	if (!tcp4_tuple(ctx, &tup, &ip))
		return XDP_PASS;
	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup.ipv4), &opts, CT_OPTS_SZ);
	if (ct) {
		bpf_ct_release(ct);
		return XDP_DROP;
	}
	__builtin_memcpy(&ip->id, &opts.error, 2);
	return XDP_TX;
}

/* A real connection in the netns's conntrack table: the first IPv4 TCP
 * packet of a tuple allocates and inserts it (XDP_TX), a later one finds it
 * (XDP_DROP), so ct_lookup finds it too.  A failed insert is XDP_ABORTED. */
SEC("xdp")
int ct_insert(struct xdp_md *ctx)
{
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = IPPROTO_TCP };
	struct bpf_sock_tuple tup = {};
	struct iphdr *ip;
	struct nf_conn___init *nct;
	struct nf_conn *ct;

	if (!tcp4_tuple(ctx, &tup, &ip))
		return XDP_PASS;
	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup.ipv4), &opts, CT_OPTS_SZ);
	if (ct) {
		bpf_ct_release(ct);
		return XDP_DROP;
	}
	opts.error = 0;
	nct = bpf_xdp_ct_alloc(ctx, &tup, sizeof(tup.ipv4), &opts, CT_OPTS_SZ);
	if (!nct)
		return XDP_ABORTED;
	bpf_ct_set_timeout(nct, 60000);
	ct = bpf_ct_insert_entry(nct);
	if (!ct)
		return XDP_ABORTED;
	bpf_ct_release(ct);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
