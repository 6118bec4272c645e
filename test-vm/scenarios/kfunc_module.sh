#!/bin/sh
# Kfuncs that live in a kernel module.  Debian's kernel builds nf_conntrack
# as a module (loaded at boot from firmware/image/modules.list), so
# bpf_xdp_ct_lookup and bpf_ct_release are in nf_conntrack's module BTF,
# not in vmlinux's.  xdpld's loader finds them there, passes the module's
# BTF in fd_array, and the kernel gets the instructions libbpf sends: the
# same program tags as libbpf's load (progtags).  The conntrack lookup
# then runs: a TCP packet nobody tracks is XDP_TX, anything else XDP_PASS.
set -e
. "$TESTDIR/lib.sh"
[ -f /sys/kernel/btf/vmlinux ] || skip "needs kernel BTF for kfuncs (kernel has no BTF)"
[ -f /sys/kernel/btf/nf_conntrack ] || {
	echo "nf_conntrack has no module BTF here (lsmod: $(grep -c . /proc/modules) modules)"
	grep -q '^nf_conntrack ' /proc/modules || echo "nf_conntrack is not loaded"
	exit 1
}
if grep -q bpf_xdp_ct_lookup /sys/kernel/btf/vmlinux; then
	echo "bpf_xdp_ct_lookup is in vmlinux's BTF: this kernel has conntrack built in"
	exit 1
fi
grep -q bpf_xdp_ct_lookup /sys/kernel/btf/nf_conntrack
echo "bpf_xdp_ct_lookup is in nf_conntrack's module BTF, not in vmlinux's"

OBJ=$TESTDIR/extern_ksym.o
"$TESTDIR/progtags" "$OBJ" | sort >libbpf.tags
"$XDPLD" verify --json "$OBJ" >verify.json
# "name tag xlated_len" per program, without jq: one JSON object a line.
tr '{' '\n' <verify.json |
	sed -n 's/^"name":"\([^"]*\)".*"tag":"\([0-9a-f]*\)","xlated_len":\([0-9]*\).*/\1 \2 \3/p' |
	sort >xdpld.tags
echo "libbpf: $(cat libbpf.tags | tr '\n' ';')"
echo "xdpld:  $(cat xdpld.tags | tr '\n' ';')"
[ -s libbpf.tags ] && cmp libbpf.tags xdpld.tags
echo "same tags as libbpf for $(wc -l <xdpld.tags) programs (ct_lookup calls the module's kfuncs)"

# A TCP packet of the corpus and one that is not TCP.
tcp="" other=""
for p in "$TESTDIR"/corpus/*.pkt; do
	v=$("$XDPLD" run "$OBJ" ct_lookup "$p" | cut -d' ' -f2)
	case $v in
	XDP_TX) tcp=${tcp:-$p} ;;
	XDP_PASS) other=${other:-$p} ;;
	*) echo "ct_lookup gave $v for $p"; exit 1 ;;
	esac
done
[ -n "$tcp" ] && [ -n "$other" ] || { echo "ct_lookup: no XDP_TX (tcp: '$tcp') or no XDP_PASS ('$other')"; exit 1; }
echo "ct_lookup ran in the kernel: untracked TCP ($(basename "$tcp")) XDP_TX, other ($(basename "$other")) XDP_PASS"
