/* pktcorpus DIR: writes the test packet corpus, one DIR/NAME.pkt per packet
 * (raw bytes from the Ethernet header on, no FCS), plus DIR/expected.txt:
 *
 *     # packet fw_acme fw_bolt lb sampler
 *     NAME VERDICT VERDICT VERDICT VERDICT
 *
 * with the verdict each sample module (firmware/vendor, default rules,
 * maps empty) gives that packet alone.  Only documentation addresses.
 * Frames are at least 14 bytes: BPF_PROG_TEST_RUN refuses shorter ones.
 *
 * Names say what a packet is for:
 *   ok_*    ordinary traffic every module passes (lb: not for the VIP)
 *   acme_*  fw_acme: source in 198.51.100.0/24 or 2001:db8:bad::/48 is
 *           dropped; neighbours of those prefixes and matching
 *           destinations pass
 *   bolt_*  fw_bolt: TCP/UDP destination port 23 or 2323 is dropped;
 *           source port 23, port 24 and later fragments pass
 *   lb_*    lb: TCP/UDP to 192.0.2.10:80 or [2001:db8::10]:80 is
 *           rewritten to a backend and sent back (XDP_TX); other ports,
 *           other protocols, other addresses and later fragments pass
 *   bad_*   malformed: truncated headers, wrong IHL, truncated VLAN tags;
 *           fw_acme drops what it cannot parse up to the source address,
 *           the others pass them to the kernel
 * Each group covers IPv4, IPv6, 802.1Q and 802.1ad+802.1Q (QinQ) frames.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkt.h"

#define ETH_IP		0x0800
#define ETH_ARP		0x0806
#define ETH_IPV6	0x86dd
#define ETH_VLAN	0x8100
#define ETH_QINQ	0x88a8
#define P_ICMP		1
#define P_TCP		6
#define P_UDP		17
#define P_ICMP6		58

enum { VLAN_NONE, VLAN_ONE, VLAN_QINQ, VLAN_THREE };
enum { F_UDP_NOCSUM = 1 };

struct pkt_spec {
	const char *name;
	const char *expect;	/* fw_acme fw_bolt lb sampler: D=drop P=pass T=tx */
	uint16_t ethertype;
	uint8_t vlans;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t opt_words;	/* IPv4 options, in 4-byte words */
	int ihl_field;		/* non-zero: IHL written instead of the real one */
	uint16_t frag_off;	/* IPv4 flags + offset field, host order */
	unsigned flags;
	int cut;		/* non-zero: frame cut to this many bytes */
};

#define A4 "203.0.113.5"
#define A6 "2001:db8:1::5"
#define S4 "192.0.2.1"
#define S6 "2001:db8::1"
#define VIP4 "192.0.2.10"
#define VIP6 "2001:db8::10"
#define IP4(...) .ethertype = ETH_IP, __VA_ARGS__
#define IP6(...) .ethertype = ETH_IPV6, __VA_ARGS__

static const struct pkt_spec corpus[] = {
	{ "ok_ipv4_tcp_443", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40000, .dport = 443) },
	{ "ok_ipv4_udp_53", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_UDP, .sport = 40001, .dport = 53) },
	{ "ok_ipv4_icmp_echo", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_ICMP) },
	{ "ok_ipv4_tcp_22", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40002, .dport = 22) },
	{ "ok_ipv4_opts_tcp_443", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40003, .dport = 443, .opt_words = 1) },
	{ "ok_ipv6_tcp_443", "PPPP", IP6(.src = A6, .dst = S6, .proto = P_TCP, .sport = 40000, .dport = 443) },
	{ "ok_ipv6_udp_53", "PPPP", IP6(.src = A6, .dst = S6, .proto = P_UDP, .sport = 40001, .dport = 53) },
	{ "ok_ipv6_icmp_echo", "PPPP", IP6(.src = A6, .dst = S6, .proto = P_ICMP6) },
	{ "ok_arp_request", "PPPP", .ethertype = ETH_ARP, .src = S4, .dst = "192.0.2.2" },
	{ "ok_unknown_ethertype", "PPPP", .ethertype = 0x88b5 },
	{ "ok_vlan_ipv4_tcp_443", "PPPP", IP4(.vlans = VLAN_ONE, .src = A4, .dst = S4, .proto = P_TCP, .sport = 40004, .dport = 443) },
	{ "ok_qinq_ipv4_udp_53", "PPPP", IP4(.vlans = VLAN_QINQ, .src = A4, .dst = S4, .proto = P_UDP, .sport = 40005, .dport = 53) },
	{ "ok_qinq_ipv6_tcp_443", "PPPP", IP6(.vlans = VLAN_QINQ, .src = A6, .dst = S6, .proto = P_TCP, .sport = 40006, .dport = 443) },
	{ "ok_three_vlans_ipv4", "PPPP", IP4(.vlans = VLAN_THREE, .src = A4, .dst = S4, .proto = P_TCP, .sport = 40007, .dport = 443) },

	{ "acme_drop_ipv4_src", "DPPP", IP4(.src = "198.51.100.7", .dst = S4, .proto = P_TCP, .sport = 40010, .dport = 443) },
	{ "acme_drop_ipv4_src_255", "DPPP", IP4(.src = "198.51.100.255", .dst = S4, .proto = P_UDP, .sport = 40011, .dport = 53) },
	{ "acme_drop_ipv4_icmp", "DPPP", IP4(.src = "198.51.100.1", .dst = S4, .proto = P_ICMP) },
	{ "acme_drop_ipv6_src", "DPPP", IP6(.src = "2001:db8:bad::7", .dst = S6, .proto = P_TCP, .sport = 40012, .dport = 443) },
	{ "acme_drop_ipv6_src_deep", "DPPP", IP6(.src = "2001:db8:bad:ffff::1", .dst = S6, .proto = P_UDP, .sport = 40013, .dport = 53) },
	{ "acme_drop_vlan_ipv4_src", "DPPP", IP4(.vlans = VLAN_ONE, .src = "198.51.100.200", .dst = S4, .proto = P_TCP, .sport = 40014, .dport = 443) },
	{ "acme_drop_qinq_ipv6_src", "DPPP", IP6(.vlans = VLAN_QINQ, .src = "2001:db8:bad::9", .dst = S6, .proto = P_UDP, .sport = 40015, .dport = 53) },
	{ "acme_drop_ipv4_src_to_vip_80", "DPTP", IP4(.src = "198.51.100.8", .dst = VIP4, .proto = P_TCP, .sport = 40016, .dport = 80) },
	{ "acme_drop_ipv4_src_to_tcp_23", "DDPP", IP4(.src = "198.51.100.9", .dst = S4, .proto = P_TCP, .sport = 40017, .dport = 23) },
	{ "acme_pass_ipv4_neighbour", "PPPP", IP4(.src = "198.51.101.7", .dst = S4, .proto = P_TCP, .sport = 40018, .dport = 443) },
	{ "acme_pass_ipv6_neighbour", "PPPP", IP6(.src = "2001:db8:bae::7", .dst = S6, .proto = P_TCP, .sport = 40019, .dport = 443) },
	{ "acme_pass_ipv4_dst_in_prefix", "PPPP", IP4(.src = A4, .dst = "198.51.100.7", .proto = P_TCP, .sport = 40020, .dport = 443) },
	{ "acme_pass_ipv6_dst_in_prefix", "PPPP", IP6(.src = A6, .dst = "2001:db8:bad::1", .proto = P_UDP, .sport = 40021, .dport = 53) },

	{ "bolt_drop_tcp_23", "PDPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40030, .dport = 23) },
	{ "bolt_drop_tcp_2323", "PDPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40031, .dport = 2323) },
	{ "bolt_drop_udp_23", "PDPP", IP4(.src = A4, .dst = S4, .proto = P_UDP, .sport = 40032, .dport = 23) },
	{ "bolt_drop_udp_2323", "PDPP", IP4(.src = A4, .dst = S4, .proto = P_UDP, .sport = 40033, .dport = 2323) },
	{ "bolt_drop_ipv6_tcp_23", "PDPP", IP6(.src = A6, .dst = S6, .proto = P_TCP, .sport = 40034, .dport = 23) },
	{ "bolt_drop_ipv6_udp_2323", "PDPP", IP6(.src = A6, .dst = S6, .proto = P_UDP, .sport = 40035, .dport = 2323) },
	{ "bolt_drop_vlan_tcp_2323", "PDPP", IP4(.vlans = VLAN_ONE, .src = A4, .dst = S4, .proto = P_TCP, .sport = 40036, .dport = 2323) },
	{ "bolt_drop_qinq_udp_23", "PDPP", IP4(.vlans = VLAN_QINQ, .src = A4, .dst = S4, .proto = P_UDP, .sport = 40037, .dport = 23) },
	{ "bolt_drop_qinq_ipv6_tcp_23", "PDPP", IP6(.vlans = VLAN_QINQ, .src = A6, .dst = S6, .proto = P_TCP, .sport = 40038, .dport = 23) },
	{ "bolt_drop_opts_tcp_23", "PDPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40039, .dport = 23, .opt_words = 3) },
	{ "bolt_drop_first_frag_udp_23", "PDPP", IP4(.src = A4, .dst = S4, .proto = P_UDP, .sport = 40040, .dport = 23, .frag_off = 0x2000) },
	{ "bolt_pass_later_frag_udp_23", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_UDP, .sport = 40041, .dport = 23, .frag_off = 0x0010) },
	{ "bolt_pass_sport_23", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 23, .dport = 40042) },
	{ "bolt_pass_tcp_24", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40043, .dport = 24) },
	{ "bolt_pass_ipv6_udp_2324", "PPPP", IP6(.src = A6, .dst = S6, .proto = P_UDP, .sport = 40044, .dport = 2324) },

	{ "lb_vip_tcp_80", "PPTP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_TCP, .sport = 41000, .dport = 80) },
	{ "lb_vip_tcp_80_b", "PPTP", IP4(.src = "203.0.113.77", .dst = VIP4, .proto = P_TCP, .sport = 52001, .dport = 80) },
	{ "lb_vip_udp_80", "PPTP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_UDP, .sport = 41001, .dport = 80) },
	{ "lb_vip_udp_80_nocsum", "PPTP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_UDP, .sport = 41002, .dport = 80, .flags = F_UDP_NOCSUM) },
	{ "lb_vip_opts_tcp_80", "PPTP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_TCP, .sport = 41003, .dport = 80, .opt_words = 2) },
	{ "lb_vip_vlan_tcp_80", "PPTP", IP4(.vlans = VLAN_ONE, .src = "203.0.113.9", .dst = VIP4, .proto = P_TCP, .sport = 41004, .dport = 80) },
	{ "lb_vip_qinq_udp_80", "PPTP", IP4(.vlans = VLAN_QINQ, .src = "203.0.113.9", .dst = VIP4, .proto = P_UDP, .sport = 41005, .dport = 80) },
	{ "lb_vip6_tcp_80", "PPTP", IP6(.src = "2001:db8:1::9", .dst = VIP6, .proto = P_TCP, .sport = 41006, .dport = 80) },
	{ "lb_vip6_udp_80", "PPTP", IP6(.src = "2001:db8:1::9", .dst = VIP6, .proto = P_UDP, .sport = 41007, .dport = 80) },
	{ "lb_vip6_vlan_tcp_80", "PPTP", IP6(.vlans = VLAN_ONE, .src = "2001:db8:1::9", .dst = VIP6, .proto = P_TCP, .sport = 41008, .dport = 80) },
	{ "lb_vip_tcp_443", "PPPP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_TCP, .sport = 41009, .dport = 443) },
	{ "lb_vip_icmp", "PPPP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_ICMP) },
	{ "lb_vip6_udp_53", "PPPP", IP6(.src = "2001:db8:1::9", .dst = VIP6, .proto = P_UDP, .sport = 41010, .dport = 53) },
	{ "lb_other_dst_tcp_80", "PPPP", IP4(.src = "203.0.113.9", .dst = "192.0.2.11", .proto = P_TCP, .sport = 41011, .dport = 80) },
	{ "lb_other_dst6_tcp_80", "PPPP", IP6(.src = "2001:db8:1::9", .dst = "2001:db8::11", .proto = P_TCP, .sport = 41012, .dport = 80) },
	{ "lb_vip_later_frag_udp_80", "PPPP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_UDP, .sport = 41013, .dport = 80, .frag_off = 0x0020) },
	{ "lb_vip_trunc_tcp_80", "PPPP", IP4(.src = "203.0.113.9", .dst = VIP4, .proto = P_TCP, .sport = 41014, .dport = 80, .cut = 14 + 20 + 10) },

	{ "bad_eth_only_ipv4", "DPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40050, .dport = 443, .cut = 14) },
	{ "bad_trunc_ipv4_hdr", "DPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40051, .dport = 443, .cut = 14 + 12) },
	{ "bad_trunc_ipv4_acme_src", "DPPP", IP4(.src = "198.51.100.7", .dst = S4, .proto = P_TCP, .sport = 40052, .dport = 443, .cut = 14 + 19) },
	{ "bad_ihl_4", "DPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40053, .dport = 23, .ihl_field = 4) },
	{ "bad_ihl_15_short", "DPPP", IP4(.src = A4, .dst = S4, .proto = P_UDP, .sport = 40054, .dport = 23, .ihl_field = 15) },
	{ "bad_trunc_tcp_23", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_TCP, .sport = 40055, .dport = 23, .cut = 14 + 20 + 10) },
	{ "bad_trunc_udp_2323", "PPPP", IP4(.src = A4, .dst = S4, .proto = P_UDP, .sport = 40056, .dport = 2323, .cut = 14 + 20 + 6) },
	{ "bad_trunc_ipv6_hdr", "DPPP", IP6(.src = A6, .dst = S6, .proto = P_TCP, .sport = 40057, .dport = 443, .cut = 14 + 30) },
	{ "bad_trunc_udp6_23", "PPPP", IP6(.src = A6, .dst = S6, .proto = P_UDP, .sport = 40058, .dport = 23, .cut = 14 + 40 + 4) },
	{ "bad_trunc_vlan", "DPPP", IP4(.vlans = VLAN_ONE, .src = A4, .dst = S4, .proto = P_TCP, .sport = 40059, .dport = 443, .cut = 16) },
	{ "bad_trunc_qinq_inner", "DPPP", IP4(.vlans = VLAN_QINQ, .src = A4, .dst = S4, .proto = P_TCP, .sport = 40060, .dport = 443, .cut = 20) },
};

static const char payload[] = "xdpld corpus payload";	/* 20 bytes + NUL */

static size_t put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; return 2; }

static int parse_addr(const char *s, int family, uint8_t *out)
{
	if (inet_pton(family, s, out) != 1) {
		fprintf(stderr, "pktcorpus: bad address '%s'\n", s);
		return -EINVAL;
	}
	return 0;
}

/* L4 header + payload at p; returns its length.  Checksum filled later. */
static size_t build_l4(const struct pkt_spec *s, uint8_t *p, int v6)
{
	size_t n;

	memset(p, 0, 20);
	switch (s->proto) {
	case P_TCP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		memcpy(p + 4, "\x00\x00\x10\x00\x00\x00\x00\x00", 8);	/* seq, ack */
		p[12] = 5 << 4;		/* data offset */
		p[13] = 0x02;		/* SYN */
		put16(p + 14, 64240);	/* window */
		n = 20;
		break;
	case P_UDP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		n = 8;
		put16(p + 4, n + sizeof(payload) - 1);
		break;
	default:			/* ICMP / ICMPv6 echo request */
		p[0] = v6 ? 128 : 8;
		put16(p + 4, 0x1234);	/* id */
		put16(p + 6, 1);	/* seq */
		n = 8;
		break;
	}
	memcpy(p + n, payload, sizeof(payload) - 1);
	return n + sizeof(payload) - 1;
}

static void fill_l4_csum(const struct pkt_spec *s, uint8_t *l4, size_t len,
			 const uint8_t *src, const uint8_t *dst, size_t alen)
{
	size_t at = s->proto == P_TCP ? 16 : s->proto == P_UDP ? 6 : 2;
	uint32_t sum = 0;
	uint16_t c;

	if (s->proto == P_UDP && alen == 4 && (s->flags & F_UDP_NOCSUM))
		return;
	if (s->proto != P_ICMP)
		sum = pkt_pseudo_sum(src, dst, alen, s->proto, len);
	c = pkt_csum_fold(pkt_csum_add(sum, l4, len));
	if (s->proto == P_UDP && !c)
		c = 0xffff;
	put16(l4 + at, c);
}

static int build_ipv4(const struct pkt_spec *s, uint8_t *p)
{
	uint8_t src[4], dst[4];
	size_t hlen = 20 + 4u * s->opt_words, l4len;

	if (parse_addr(s->src, AF_INET, src) || parse_addr(s->dst, AF_INET, dst))
		return -EINVAL;
	memset(p, 0, hlen);
	memset(p + 20, 1, hlen - 20);	/* NOP options */
	p[0] = 0x40 | (s->ihl_field ? s->ihl_field : (int)hlen / 4);
	put16(p + 4, 0x4242);		/* id */
	put16(p + 6, s->frag_off);
	p[8] = 64;
	p[9] = s->proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	l4len = build_l4(s, p + hlen, 0);
	put16(p + 2, hlen + l4len);
	fill_l4_csum(s, p + hlen, l4len, src, dst, 4);
	put16(p + 10, pkt_csum_fold(pkt_csum_add(0, p, hlen)));
	return hlen + l4len;
}

static int build_ipv6(const struct pkt_spec *s, uint8_t *p)
{
	size_t l4len;

	memset(p, 0, 40);
	if (parse_addr(s->src, AF_INET6, p + 8) || parse_addr(s->dst, AF_INET6, p + 24))
		return -EINVAL;
	p[0] = 0x60;
	p[6] = s->proto;
	p[7] = 64;
	l4len = build_l4(s, p + 40, 1);
	put16(p + 4, l4len);
	fill_l4_csum(s, p + 40, l4len, p + 8, p + 24, 16);
	return 40 + l4len;
}

static int build_arp(const struct pkt_spec *s, uint8_t *p)
{
	static const uint8_t head[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };	/* Ethernet/IPv4 request */

	memset(p, 0, 28);
	memcpy(p, head, 8);
	memcpy(p + 8, "\x02\x00\x00\x00\x01\x02", 6);
	if (parse_addr(s->src, AF_INET, p + 14) || parse_addr(s->dst, AF_INET, p + 24))
		return -EINVAL;
	return 28;
}

/* Builds one frame; returns its length or -errno. */
static int build(const struct pkt_spec *s, uint8_t *buf)
{
	static const uint16_t tpids[][3] = {
		[VLAN_NONE] = { 0 },
		[VLAN_ONE] = { ETH_VLAN },
		[VLAN_QINQ] = { ETH_QINQ, ETH_VLAN },
		[VLAN_THREE] = { ETH_QINQ, ETH_VLAN, ETH_VLAN },
	};
	size_t off = 12;
	int i, n;

	memcpy(buf, "\x02\x00\x00\x00\x01\x01\x02\x00\x00\x00\x01\x02", 12);
	for (i = 0; i < 3 && tpids[s->vlans][i]; i++) {
		off += put16(buf + off, tpids[s->vlans][i]);
		off += put16(buf + off, 100 + i);	/* VID */
	}
	off += put16(buf + off, s->ethertype);
	switch (s->ethertype) {
	case ETH_IP: n = build_ipv4(s, buf + off); break;
	case ETH_IPV6: n = build_ipv6(s, buf + off); break;
	case ETH_ARP: n = build_arp(s, buf + off); break;
	default:
		memcpy(buf + off, payload, sizeof(payload) - 1);
		n = sizeof(payload) - 1;
	}
	if (n < 0)
		return n;
	n += off;
	return s->cut && s->cut < n ? s->cut : n;
}

static int write_file(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s.pkt", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len)
		err = errno ? -errno : -EIO;
	if (f && fclose(f) && !err)
		err = -errno;
	if (err)
		fprintf(stderr, "pktcorpus: %s: %s\n", path, strerror(-err));
	return err;
}

static const char *verdict_name(char c)
{
	return c == 'D' ? "XDP_DROP" : c == 'T' ? "XDP_TX" : "XDP_PASS";
}

int main(int argc, char **argv)
{
	uint8_t buf[PKT_MAX];
	char path[4096];
	FILE *expect;
	size_t i;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: pktcorpus DIR\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) && errno != EEXIST) {
		fprintf(stderr, "pktcorpus: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/expected.txt", argv[1]);
	expect = fopen(path, "w");
	if (!expect) {
		fprintf(stderr, "pktcorpus: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(expect, "# packet fw_acme fw_bolt lb sampler\n");
	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		const struct pkt_spec *s = &corpus[i];

		n = build(s, buf);
		if (n < 0 || write_file(argv[1], s->name, buf, n)) {
			fclose(expect);
			return 1;
		}
		fprintf(expect, "%s %s %s %s %s\n", s->name, verdict_name(s->expect[0]),
			verdict_name(s->expect[1]), verdict_name(s->expect[2]),
			verdict_name(s->expect[3]));
	}
	if (fclose(expect)) {
		fprintf(stderr, "pktcorpus: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%zu packets in %s\n", i, argv[1]);
	return 0;
}
