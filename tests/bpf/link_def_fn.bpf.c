// SPDX-License-Identifier: GPL-2.0
/* Definitions for link_ext_int's externs: 'shared' matches, mix() takes
 * one argument where the extern declares two. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int shared = 7;

__attribute__((noinline)) int mix(int a)
{
	return a + 1;
}

char _license[] SEC("license") = "GPL";
