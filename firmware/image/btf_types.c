/* The kernel types the image's CO-RE modules read, for the image's target
 * BTF (docs/image.md, "Target BTF for CO-RE"): compiled with -g for the
 * target architecture against its kernel UAPI headers (linux-libc-dev),
 * converted DWARF -> BTF with pahole -J, then minimized by `xdpld btfgen`
 * to what the modules' relocations use.  Only types of fixed UAPI layout
 * belong here: a kernel-internal struct (sk_buff, net_device) differs per
 * kernel build, and needs the real kernel's BTF (pahole over its vmlinux).
 * One variable per type keeps it in the DWARF. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>

struct xdp_md xdpld_xdp_md;
struct ethhdr xdpld_ethhdr;
struct iphdr xdpld_iphdr;
struct ipv6hdr xdpld_ipv6hdr;
struct tcphdr xdpld_tcphdr;
struct udphdr xdpld_udphdr;
struct icmp6hdr xdpld_icmp6hdr;
