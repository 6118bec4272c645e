// SPDX-License-Identifier: GPL-2.0
/* Definitions for link_ext_int's externs: mix() matches, 'shared' is a
 * char where the extern declares an int. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char shared = 7;

__attribute__((noinline)) int mix(int a, int b)
{
	return a + b;
}

char _license[] SEC("license") = "GPL";
