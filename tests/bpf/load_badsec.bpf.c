// SPDX-License-Identifier: GPL-2.0
/* Loader test: a program in a section xdpld does not know. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("frobnicate/now")
int odd_section(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
