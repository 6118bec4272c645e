/* pktinfo PKTFILE...: one line per packet describing its headers, so shell
 * tests can check what a program rewrote:
 *
 *   <name> dmac=M smac=M vlans=N src=A dst=A proto=P sport=N dport=N ipcsum=C l4csum=C
 *
 * C is ok, bad or none (no IPv4 header checksum in IPv6, UDP/IPv4 checksum
 * 0, or a header that is missing/truncated).  Missing addresses print as
 * "-", missing numbers as -1.  Exit status 1 if a file cannot be read.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pkt.h"

struct info {
	char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
	int vlans, proto, sport, dport;
	const char *ipcsum, *l4csum;
};

static uint16_t get16(const uint8_t *p) { return p[0] << 8 | p[1]; }

/* Verifies the TCP/UDP/ICMP(v6) checksum over l4[0..len). */
static const char *l4_csum(const uint8_t *l4, size_t len, int proto,
			   const uint8_t *src, const uint8_t *dst, size_t alen)
{
	uint32_t sum = 0;

	if (proto == 17 && alen == 4 && len >= 8 && !get16(l4 + 6))
		return "none";
	if (proto != 1)
		sum = pkt_pseudo_sum(src, dst, alen, proto, len);
	return pkt_csum_fold(pkt_csum_add(sum, l4, len)) ? "bad" : "ok";
}

static void parse_l4(struct info *in, const uint8_t *l4, size_t len)
{
	if ((in->proto == 6 && len >= 20) || (in->proto == 17 && len >= 8)) {
		in->sport = get16(l4);
		in->dport = get16(l4 + 2);
	}
}

static void parse(const uint8_t *p, size_t len, struct info *in)
{
	size_t off = 12, hlen, l4len;
	uint16_t type;

	for (;;) {
		if (off + 2 > len)
			return;
		type = get16(p + off);
		if (type != 0x8100 && type != 0x88a8)
			break;
		in->vlans++;
		off += 4;
	}
	off += 2;
	if (type == 0x0800 && off + 20 <= len) {
		hlen = (p[off] & 0xf) * 4;
		inet_ntop(AF_INET, p + off + 12, in->src, sizeof(in->src));
		inet_ntop(AF_INET, p + off + 16, in->dst, sizeof(in->dst));
		in->proto = p[off + 9];
		if (hlen < 20 || off + hlen > len)
			return;
		in->ipcsum = pkt_csum_fold(pkt_csum_add(0, p + off, hlen)) ? "bad" : "ok";
		if (get16(p + off + 6) & 0x1fff)
			return;		/* later fragment */
		if (get16(p + off + 2) < hlen)
			return;
		l4len = get16(p + off + 2) - hlen;
		if (off + hlen + l4len > len)
			return;
		parse_l4(in, p + off + hlen, l4len);
		in->l4csum = l4_csum(p + off + hlen, l4len, in->proto, p + off + 12, p + off + 16, 4);
	} else if (type == 0x86dd && off + 40 <= len) {
		inet_ntop(AF_INET6, p + off + 8, in->src, sizeof(in->src));
		inet_ntop(AF_INET6, p + off + 24, in->dst, sizeof(in->dst));
		in->proto = p[off + 6];
		l4len = get16(p + off + 4);
		if (off + 40 + l4len > len)
			return;
		parse_l4(in, p + off + 40, l4len);
		in->l4csum = l4_csum(p + off + 40, l4len, in->proto, p + off + 8, p + off + 24, 16);
	}
}

static void print_mac(const char *label, const uint8_t *m)
{
	printf(" %s=%02x:%02x:%02x:%02x:%02x:%02x", label, m[0], m[1], m[2], m[3], m[4], m[5]);
}

int main(int argc, char **argv)
{
	uint8_t buf[PKT_MAX];
	char name[256];
	int i, len, ret = 0;

	for (i = 1; i < argc; i++) {
		struct info in = { "-", "-", 0, -1, -1, -1, "none", "none" };

		len = pkt_read_file(argv[i], buf, sizeof(buf));
		if (len < 0) {
			fprintf(stderr, "pktinfo: %s: %s\n", argv[i], strerror(-len));
			ret = 1;
			continue;
		}
		pkt_name(argv[i], name, sizeof(name));
		printf("%s", name);
		if (len >= 12) {
			print_mac("dmac", buf);
			print_mac("smac", buf + 6);
		}
		parse(buf, len, &in);
		printf(" vlans=%d src=%s dst=%s proto=%d sport=%d dport=%d ipcsum=%s l4csum=%s\n",
		       in.vlans, in.src, in.dst, in.proto, in.sport, in.dport, in.ipcsum, in.l4csum);
	}
	return ret;
}
