// SPDX-License-Identifier: GPL-2.0
/* A typed __ksym variable (per CPU) found in the kernel's BTF
 * (tests/t_extern.sh).  The kernel looks its address up in kallsyms when
 * it loads the program, which holds variables only with
 * CONFIG_KALLSYMS_ALL: without it libbpf's load and xdpld's fail alike. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

SEC("xdp")
int ksym_percpu(struct xdp_md *ctx)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	return active ? XDP_TX : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
