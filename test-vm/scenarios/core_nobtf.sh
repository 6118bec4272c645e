#!/bin/sh
# CO-RE on a kernel without BTF (OpenWrt's default; the mipsel VM's kernel):
# the image carries a minimized target BTF for its kernel release at
# /lib/xdpld/btf/$(uname -r).btf (firmware/image/build.sh: xdpld btfgen over
# the BTF pahole made from the target's UAPI headers).  xdpld finds it there
# by itself; the CO-RE firewall core_fw (every header read a relocation, a
# bpf_core_field_exists() on a field no kernel has) attaches, real packets
# get its verdicts, `xdpld relink` puts in its next build (core_fw_v2, which
# also drops port 2323) keeping its stats map, and what needs the kernel's
# own BTF is refused with that reason: a kfunc (naming program and kfunc),
# the freplace backend.  Weak kfuncs and ksyms are 0, so a guarded weak
# kfunc call loads.  Without the image's file, the error says where xdpld
# looked.  On a kernel with BTF (x86_64, aarch64) the image's file is
# checked with --kernel-btf instead, and the refusals are skipped.
set -eu
. "$TESTDIR/lib.sh"
CORPUS=$TESTDIR/corpus
OBJ=$TESTDIR/core_fw.o
OBJ2=$TESTDIR/core_fw_v2.o
IMGBTF=/lib/xdpld/btf/$(uname -r).btf
N=10
# tcp 23 and ipv6 tcp 23 dropped by both builds; udp 2323 by v2 only
PKTS="bolt_drop_tcp_23 bolt_drop_ipv6_tcp_23 bolt_drop_udp_2323 ok_ipv4_tcp_443 ok_ipv6_udp_53 bolt_pass_sport_23"

fail() { echo "FAIL: $*"; exit 1; }
run() { "$@" >out 2>&1 || { cat out; fail "$*"; }; }
# le32 N: N as the 4 bytes of a little-endian __u32, in hex (bpfobj's form)
le32() { printf '%02x%02x%02x%02x\n' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }

[ -f "$IMGBTF" ] || fail "the image has no target BTF $IMGBTF ($(ls /lib/xdpld/btf 2>&1))"
echo "the image's target BTF: $IMGBTF ($(wc -c <"$IMGBTF") bytes)"
if [ -f /sys/kernel/btf/vmlinux ]; then
	NOBTF=
	KB="--kernel-btf $IMGBTF"
	echo "this kernel has BTF: the image's file is used through --kernel-btf"
else
	NOBTF=1
	KB=
	echo "this kernel has no BTF (no /sys/kernel/btf/vmlinux)"
fi

# ---- the decisions against the image's BTF ----
# shellcheck disable=SC2086 # KB: an option and its value, or nothing
run "$XDPLD" -v $KB core "$OBJ"
if [ -n "$NOBTF" ]; then
	grep -q "target BTF $IMGBTF (the image's" out || { cat out; fail "xdpld did not say it took $IMGBTF"; }
	echo "xdpld took $IMGBTF by itself"
fi
for want in 'field_exists struct ethhdr___xdpld "0:0" -> missing: 0' \
	'byte_off struct ethhdr "0:2" -> vmlinux .*: 12$' \
	'field_exists struct iphdr "0:0" -> vmlinux .*: 1$' \
	'byte_off struct iphdr "0:2" -> vmlinux .*: 9$' \
	'byte_off struct ipv6hdr "0:0" -> vmlinux .*: 6$' \
	'byte_off struct udphdr "0:1" -> vmlinux .*: 2$'; do
	grep -q "$want" out || { cat out; fail "xdpld core: no '$want'"; }
done
echo "CO-RE decisions: offsets 12 (h_proto), 9 (protocol), 6 (nexthdr), 2 (dest); the missing field poisoned"

# ---- attach, real packets ----
ns=$(netns_new)
[ -n "$ns" ] || fail "no network namespace"
cleanup() { set +e; veth_netns_del "$ns"; }
trap cleanup EXIT
veth_netns "$ns"
# shellcheck disable=SC2086
run "$XDPLD" $KB attach vethR "$OBJ" --mode native
backend=$("$XDPLD" status vethR --json | sed -n 's/.*"backend": "\([a-z]*\)".*/\1/p' | head -n 1)
echo "attached core_fw to vethR (backend $backend)"
STATS=/sys/fs/bpf/xdpld/vethR/core_fw-stats
[ -e "$STATS" ] || fail "no $STATS ($(ls /sys/fs/bpf/xdpld/vethR))"
# shellcheck disable=SC2046 # one packet file a word
send() { run in_netns "$ns" "$TESTDIR/pktsend" vethS --count $N $(for p in $PKTS; do echo "$CORPUS/$p.pkt"; done); }
want() {	# want PASS DROP: slot 0's counters
	printf '0 aborted 0\n0 drop %s\n0 pass %s\n0 tx 0\n0 redirect 0\n' "$2" "$1" >want
}
send
want $((4 * N)) $((2 * N))
wait_counters vethR want || fail "core_fw's verdicts differ"
[ "$("$TESTDIR/bpfobj" map-lookup "$STATS" 00000000)" = "$(le32 $((4 * N)))" ] &&
	[ "$("$TESTDIR/bpfobj" map-lookup "$STATS" 01000000)" = "$(le32 $((2 * N)))" ] ||
	fail "stats map: $("$TESTDIR/bpfobj" map-lookup "$STATS" 00000000) passed, $("$TESTDIR/bpfobj" map-lookup "$STATS" 01000000) dropped"
stats0=$("$TESTDIR/bpfobj" map-id "$STATS")
echo "$((6 * N)) packets: $((2 * N)) to port 23 dropped, $((4 * N)) passed; core_fw's stats map says so too"

# ---- relink: the next build, stats kept ----
t0=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086
run "$XDPLD" $KB relink vethR core_fw "$OBJ2"
t1=$(cut -d' ' -f1 /proc/uptime)
[ "$("$TESTDIR/bpfobj" map-id "$STATS")" = "$stats0" ] || fail "relink made a new stats map"
send
want $((4 * N + 3 * N)) $((2 * N + 3 * N))
wait_counters vethR want || fail "core_fw_v2's verdicts differ"
[ "$("$TESTDIR/bpfobj" map-lookup "$STATS" 00000000)" = "$(le32 $((7 * N)))" ] &&
	[ "$("$TESTDIR/bpfobj" map-lookup "$STATS" 01000000)" = "$(le32 $((5 * N)))" ] ||
	fail "stats map after relink: $("$TESTDIR/bpfobj" map-lookup "$STATS" 00000000) passed, $("$TESTDIR/bpfobj" map-lookup "$STATS" 01000000) dropped"
echo "relink to core_fw_v2 ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')s): the same stats map (id $stats0) counts on; port 2323 now dropped too"

# ---- weak kfuncs and ksyms: 0, a guarded call loads ----
run "$XDPLD" run "$TESTDIR/extern_weak.o" ksym_weak "$CORPUS/ok_ipv4_tcp_443.pkt"
grep -q ' XDP_TX ' out || { cat out; fail "extern_weak: no XDP_TX"; }
echo "weak kfunc and typed ksym: 0; the guarded kfunc call is never made (XDP_TX)"

[ -n "$NOBTF" ] || { run "$XDPLD" detach vethR; echo "(kernel with BTF: the refusals need a kernel without)"; exit 0; }

# ---- what needs the kernel's own BTF is refused, saying why ----
if "$XDPLD" verify "$TESTDIR/extern_ksym.o" >out 2>&1; then cat out; fail "extern_ksym.o loaded without kernel BTF"; fi
grep -q "extern_ksym.o: program ct_lookup: kfunc bpf_xdp_ct_lookup needs the kernel's own BTF, and this kernel has none" out ||
	{ cat out; fail "kfunc refusal does not say why"; }
echo "refused: $(grep -m1 'bpf_xdp_ct_lookup' out | cut -c1-150)..."
if "$XDPLD" attach vethR "$OBJ" --backend freplace >out 2>&1; then cat out; fail "freplace attached without kernel BTF"; fi
grep -q "backend freplace is not available on this kernel: the kernel has no BTF" out || { cat out; fail "freplace refusal does not say why"; }
echo "refused: $(grep -m1 'freplace' out)"

# ---- no image BTF: the error says where xdpld looked ----
mv "$IMGBTF" "$IMGBTF.away"
if "$XDPLD" verify "$OBJ" >out 2>&1; then mv "$IMGBTF.away" "$IMGBTF"; cat out; fail "loaded without any target BTF"; fi
mv "$IMGBTF.away" "$IMGBTF"
grep -q "no /sys/kernel/btf/vmlinux) and the image has none for this kernel (no $IMGBTF): make one with .xdpld btfgen" out ||
	{ cat out; fail "the error does not say where it looked"; }
echo "without the image's file: $(grep -m1 'need the kernel' out | cut -c1-160)..."
run "$XDPLD" detach vethR
