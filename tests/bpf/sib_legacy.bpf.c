// SPDX-License-Identifier: GPL-2.0
/* Two programs in legacy sections of no known type (issue 20, point 11):
 * sib_legacy is XDP, sib_tc is a TC classifier.  `--type xdp` for
 * OBJ:sib_legacy must not turn sib_tc into XDP (the verifier refuses its
 * __sk_buff accesses in an XDP program). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp_old")
int sib_legacy(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	return data + 60 > end ? XDP_PASS : XDP_DROP;
}

SEC("tc_old")
int sib_tc(struct __sk_buff *skb)
{
	return skb->len > 60 && skb->priority != 7 ? 2 /* TC_ACT_SHOT */ : 0;
}

char _license[] SEC("license") = "GPL";
