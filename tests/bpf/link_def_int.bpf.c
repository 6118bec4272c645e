// SPDX-License-Identifier: GPL-2.0
/* Definitions that match link_ext_int's externs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int shared = 7;

__attribute__((noinline)) int mix(int a, int b)
{
	return a + b;
}

char _license[] SEC("license") = "GPL";
