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

# Every packet of the corpus in one run (one load: the BTF is read once).
"$XDPLD" run "$OBJ" ct_lookup "$TESTDIR"/corpus/*.pkt >run.out
tcp=$(awk '$2 == "XDP_TX" { print $1; exit }' run.out)
other=$(awk '$2 == "XDP_PASS" { print $1; exit }' run.out)
if awk '$2 != "XDP_TX" && $2 != "XDP_PASS"' run.out | grep .; then
	echo "ct_lookup gave other verdicts"; exit 1
fi
[ -n "$tcp" ] && [ -n "$other" ] || { echo "ct_lookup: no XDP_TX (tcp: '$tcp') or no XDP_PASS ('$other')"; exit 1; }
echo "ct_lookup ran in the kernel over $(wc -l <run.out) packets: untracked TCP ($tcp) XDP_TX, other ($other) XDP_PASS"

# A real connection in nf_conntrack's table: ct_insert allocates and
# inserts the first packet's tuple (bpf_xdp_ct_alloc, bpf_ct_set_timeout,
# bpf_ct_insert_entry: all in the module), the second packet and ct_lookup
# find it (XDP_DROP); a tuple never inserted stays XDP_TX.
C=$TESTDIR/corpus
"$XDPLD" run "$OBJ" ct_insert "$C/ok_ipv4_tcp_443.pkt" "$C/ok_ipv4_tcp_443.pkt" >insert.out
"$XDPLD" run "$OBJ" ct_lookup "$C/ok_ipv4_tcp_443.pkt" "$C/lb_vip_tcp_80.pkt" >lookup.out
got="$(awk '{ printf "%s ", $2 }' insert.out lookup.out)"
echo "insert, insert again, lookup, lookup of another tuple: $got"
[ "$got" = "XDP_TX XDP_DROP XDP_DROP XDP_TX " ] || { cat insert.out lookup.out; exit 1; }
if [ -r /proc/net/nf_conntrack ]; then
	grep 'sport=40000 dport=443 ' /proc/net/nf_conntrack
fi
echo "a connection inserted through the module's kfuncs is found by the lookup"
