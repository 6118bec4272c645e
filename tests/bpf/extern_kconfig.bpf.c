// SPDX-License-Identifier: GPL-2.0
/* __kconfig externs of every kind libbpf knows, written into the packet so
 * that xdpld's values can be compared byte for byte with libbpf's
 * (tests/t_extern.sh): bool, tristate, char, int of several sizes, a
 * string, the virtual LINUX_* values, and weak ones that no kernel has
 * (zero). */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>


extern bool CONFIG_BPF __kconfig;
extern enum libbpf_tristate CONFIG_NF_CONNTRACK __kconfig __weak;
extern int CONFIG_HZ __kconfig;
extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern unsigned short CONFIG_LOG_BUF_SHIFT __kconfig __weak;
extern char CONFIG_BPF_JIT __kconfig __weak;	/* y/n/m as a char */
extern char CONFIG_LOCALVERSION[16] __kconfig __weak;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern int CONFIG_XDPLD_NO_SUCH_INT __kconfig __weak;
extern bool CONFIG_XDPLD_NO_SUCH_BOOL __kconfig __weak;
extern unsigned int LINUX_XDPLD_NO_SUCH __kconfig __weak;

#define PUT(p, v) __builtin_memcpy(p, &(v), sizeof(v)), p += sizeof(v)

SEC("xdp")
int kconfig_values(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	unsigned int tri = CONFIG_NF_CONNTRACK;

	if (data + 64 > end)
		return XDP_DROP;
	p[0] = CONFIG_BPF; p[1] = CONFIG_BPF_JIT; p[2] = LINUX_HAS_BPF_COOKIE;
	p[3] = LINUX_HAS_SYSCALL_WRAPPER; p[4] = CONFIG_XDPLD_NO_SUCH_BOOL;
	p += 5;
	PUT(p, tri);
	PUT(p, CONFIG_HZ);
	PUT(p, CONFIG_NR_CPUS);
	PUT(p, CONFIG_LOG_BUF_SHIFT);
	PUT(p, LINUX_KERNEL_VERSION);
	PUT(p, CONFIG_XDPLD_NO_SUCH_INT);
	PUT(p, LINUX_XDPLD_NO_SUCH);
	for (int i = 0; i < 16; i++)
		p[i] = CONFIG_LOCALVERSION[i];
	return XDP_TX;
}

/* XDP_TX when the values are those of tests/t_extern.sh's made-up
 * configuration (given with --kconfig), else XDP_ABORTED.  "# CONFIG_BPF_JIT
 * is not set" leaves it unset, as libbpf reads it: 0, not 'n'. */
SEC("xdp")
int kconfig_custom(struct xdp_md *ctx)
{
	if (CONFIG_BPF && CONFIG_BPF_JIT == 0 && CONFIG_NF_CONNTRACK == TRI_MODULE &&
	    CONFIG_HZ == 1000 && CONFIG_NR_CPUS == 0x100000000ULL && CONFIG_LOG_BUF_SHIFT == 17 &&
	    CONFIG_LOCALVERSION[0] == '-' && CONFIG_LOCALVERSION[1] == 'r' &&
	    CONFIG_LOCALVERSION[7] == 0 && !CONFIG_XDPLD_NO_SUCH_INT)
		return XDP_TX;
	return XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
