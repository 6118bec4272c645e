// SPDX-License-Identifier: GPL-2.0
/* An XDP program in a section whose name is not ASCII ("xdp/café" in
 * UTF-8): every --json output must still be valid JSON (tests/t_json.sh). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp/caf\xc3\xa9")
int xdp_cafe(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
