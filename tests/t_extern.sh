#!/bin/sh
# Load-time externs in xdpld's own loader, against libbpf as the reference:
# __kconfig (every kind of value, the virtual LINUX_* ones, weak ones no
# kernel has, --kconfig FILE plain and gzip), typeless __ksym from
# /proc/kallsyms, weak __ksym and kfuncs the kernel lacks (0; a call
# guarded by bpf_ksym_exists-style checks is dropped), typed __ksym from the
# kernel's BTF and netfilter's conntrack kfuncs.  Each program gets the
# kernel tag libbpf's load gives it (same instructions after relocation) and
# writes what it sees into the packet, compared byte for byte with libbpf's
# run.  Then the errors: each names the extern, and libbpf refuses too.
. tests/lib.sh

CORPUS=$TMP/corpus
mkdir -p "$CORPUS"
"$TOOLS/pktcorpus" "$CORPUS" >/dev/null || { not_ok "pktcorpus"; exit 0; }
PKTS=$(ls "$CORPUS"/*.pkt | tr "\n" " ")
ONE=$(ls "$CORPUS"/*.pkt | head -n 1)
export XDPLD_CHECK_FD_LEAKS=1

# same_run OBJ PROG [XDPLD ARGS...]: xdpld run and libbpf's progrun give the
# same verdict, length and bytes for every packet.
same_run() {
	_o=$1 _p=$2; shift 2
	"$XDPLD" run "$@" "$_o" "$_p" $PKTS >"$TMP/x.txt" &&
		"$TOOLS/progrun" "$_o" "$_p" $PKTS >"$TMP/l.txt" &&
		[ -s "$TMP/x.txt" ] && diff "$TMP/l.txt" "$TMP/x.txt"
}
# both_refuse NAME PATTERN OBJ [XDPLD ARGS...]: xdpld's verify fails naming
# PATTERN, and libbpf's load of OBJ fails as well.
both_refuse() {
	_n=$1 _pat=$2 _o=$3; shift 3
	check_fails "$_n" "$_pat" "$XDPLD" verify "$@" "$_o"
	check "$_n: libbpf refuses it too" sh -c "! '$TOOLS/progtags' '$_o'"
}
# bpf_cc NAME: compiles $TMP/NAME.bpf.c (from stdin) to $TMP/NAME.o.
bpf_cc() {
	cat >"$TMP/$1.bpf.c" &&
		clang -target bpfel -O2 -g -I"/usr/include/$(cc -print-multiarch)" \
			-c "$TMP/$1.bpf.c" -o "$TMP/$1.o" ||
		{ not_ok "$1: the test object does not compile"; return 1; }
}

# ---- __kconfig ----
K=$TBPF/extern_kconfig.o
check "kconfig: libbpf's tags" same_tags_as_libbpf "$K"
check "kconfig: every value (bool, tristate, char, ints, string, LINUX_*, weak) as libbpf's, byte for byte" \
	same_run "$K" kconfig_values
check "kconfig: the running kernel's values are not the made-up ones (XDP_ABORTED)" \
	sh -c "'$XDPLD' run '$K' kconfig_custom '$ONE' | grep -q ' XDP_ABORTED '"

cat >"$TMP/router.config" <<'C'
# a made-up router kernel configuration
CONFIG_BPF=y
# CONFIG_BPF_JIT is not set
CONFIG_NF_CONNTRACK=m
CONFIG_HZ=1000
CONFIG_NR_CPUS=4294967296
CONFIG_LOG_BUF_SHIFT=17
CONFIG_LOCALVERSION="-router"
C
gzip -c "$TMP/router.config" >"$TMP/router.config.gz"
check "kconfig: --kconfig FILE: the file's values (n, m, 64-bit int, string) reach the program" \
	sh -c "'$XDPLD' run --kconfig '$TMP/router.config' '$K' kconfig_custom '$ONE' | grep -q ' XDP_TX '"
check "kconfig: --kconfig FILE.gz is read the same" \
	sh -c "'$XDPLD' run --kconfig '$TMP/router.config.gz' '$K' kconfig_custom '$ONE' | grep -q ' XDP_TX '"
check_fails "kconfig: a --kconfig file that is not there is named" "$TMP/nosuch.config" \
	"$XDPLD" verify --kconfig "$TMP/nosuch.config" "$K"
sed 's/^CONFIG_HZ=.*/CONFIG_HZ=0x1zz/' "$TMP/router.config" >"$TMP/badint.config"
check_fails "kconfig: a value that is no number is refused, naming the extern" "CONFIG_HZ" \
	"$XDPLD" verify --kconfig "$TMP/badint.config" "$K"
sed 's/^CONFIG_BPF=y/CONFIG_BPF=m/' "$TMP/router.config" >"$TMP/boolm.config"
check_fails "kconfig: 'm' for a bool extern is refused, naming it" "CONFIG_BPF" \
	"$XDPLD" verify --kconfig "$TMP/boolm.config" "$K"

bpf_cc strong_kconfig <<'C' &&
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int CONFIG_XDPLD_NO_SUCH_OPTION __kconfig;
SEC("xdp") int p(struct xdp_md *ctx) { return CONFIG_XDPLD_NO_SUCH_OPTION ? XDP_DROP : XDP_PASS; }
char _license[] SEC("license") = "GPL";
C
both_refuse "kconfig: a strong extern the configuration lacks is named" \
	"CONFIG_XDPLD_NO_SUCH_OPTION" "$TMP/strong_kconfig.o"

# ---- __ksym and kfuncs ----
S=$TBPF/extern_ksym.o
check "ksym: libbpf's tags (typeless, weak missing, conntrack kfuncs)" same_tags_as_libbpf "$S"
check "ksym: typeless address and weak missing ones (0) as libbpf's, byte for byte" \
	same_run "$S" ksym_values
check "ksym: the guarded call of a missing weak kfunc is never made (XDP_TX)" \
	sh -c "'$XDPLD' run '$S' ksym_values $PKTS | grep -q ' XDP_TX '"
check "kfunc: bpf_xdp_ct_lookup / bpf_ct_release give libbpf's verdicts and bytes" \
	same_run "$S" ct_lookup

# A real connection: ct_insert puts the first packet's tuple into the
# netns's conntrack table (bpf_xdp_ct_alloc, bpf_ct_set_timeout,
# bpf_ct_insert_entry), the second packet and ct_lookup find it.  Each
# loader gets a new netns, so a new table.
ct_track() {	# NETNS RUNNER...: the verdict lines of insert, insert, lookup
	_ns=$1; shift
	ip netns add "$_ns" || return 1
	ip netns exec "$_ns" "$@" "$S" ct_insert "$CT443" "$CT443" "$CT22" &&
		ip netns exec "$_ns" "$@" "$S" ct_lookup "$CT443" "$CT22" "$CTNEW" &&
		ip netns exec "$_ns" cat /proc/net/nf_conntrack >"$TMP/ct.$_ns" 2>/dev/null
	_rc=$?
	ip netns del "$_ns"
	return $_rc
}
CT443=$CORPUS/ok_ipv4_tcp_443.pkt CT22=$CORPUS/ok_ipv4_tcp_22.pkt CTNEW=$CORPUS/lb_vip_tcp_80.pkt
NSX=xdpld-ctx-$$ NSL=xdpld-ctl-$$
ct_track "$NSX" "$XDPLD" run >"$TMP/ctx.txt" 2>&1
ct_track "$NSL" "$TOOLS/progrun" >"$TMP/ctl.txt" 2>&1
check "kfunc: a connection inserted by the program is found by the next packet and by ct_lookup" \
	sh -c "cut -d' ' -f2 '$TMP/ctx.txt' | tr '\n' ' ' | grep -qx 'XDP_TX XDP_DROP XDP_TX XDP_DROP XDP_DROP XDP_TX '"
check "kfunc: the conntrack table holds it (sport 40000 dport 443)" \
	sh -c "[ ! -e /proc/net/nf_conntrack ] || grep -q 'sport=40000 dport=443 ' '$TMP/ct.$NSX'"
check "kfunc: conntrack insert and lookup give libbpf's verdicts and bytes" \
	sh -c "[ -s '$TMP/ctx.txt' ] && diff '$TMP/ctl.txt' '$TMP/ctx.txt'"

# ---- a kernel without BTF (OpenWrt's default): /sys/kernel/btf hidden ----
# A private mount namespace with a tmpfs over /sys/kernel/btf.  Strong kfuncs
# are refused naming program and kfunc; weak ones are 0, and a guarded weak
# kfunc call is poisoned (libbpf >= 1.2's helper call) and dropped.
nobtf() { unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /sys/kernel/btf && exec "$@"' nobtf "$@"; }
check_fails "no kernel BTF: a strong kfunc is refused naming program and kfunc, and why" \
	"extern_ksym.o: program ct_lookup: kfunc bpf_xdp_ct_lookup needs the kernel's own BTF, and this kernel has none \(no /sys/kernel/btf/vmlinux.*serve CO-RE relocations only" \
	nobtf "$XDPLD" verify "$S"
W=$TBPF/extern_weak.o
check "no kernel BTF: weak typed ksym and weak kfunc are 0, the guarded call dropped: libbpf's bytes (its load with BTF)" \
	sh -c "nobtf() { unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /sys/kernel/btf && exec \"\$@\"' nobtf \"\$@\"; };
	nobtf '$XDPLD' run '$W' ksym_weak $PKTS >'$TMP/w.x' && '$TOOLS/progrun' '$W' ksym_weak $PKTS >'$TMP/w.l' &&
	grep -q ' XDP_TX ' '$TMP/w.x' && diff '$TMP/w.l' '$TMP/w.x'"
check_out "no kernel BTF: the weak kfunc call is a poisoned helper call (-v)" \
	"poison|2002000000" nobtf "$XDPLD" -v verify "$W"
check "with kernel BTF: the weak object gets libbpf's tag" same_tags_as_libbpf "$W"

V=$TBPF/extern_ksym_var.o
if zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_KALLSYMS_ALL=y' ||
	grep -q '^CONFIG_KALLSYMS_ALL=y' "/boot/config-$(uname -r)" 2>/dev/null; then
	check "typed ksym: per-CPU bpf_prog_active, libbpf's tag" same_tags_as_libbpf "$V"
	check "typed ksym: same verdicts as libbpf" same_run "$V" ksym_percpu
else
	# The kernel itself refuses: its kallsyms holds no variables.
	both_refuse "typed ksym: without CONFIG_KALLSYMS_ALL the kernel cannot place bpf_prog_active" \
		"kernel symbol 'bpf_prog_active'" "$V"
fi

bpf_cc strong_kfunc <<'C' &&
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int bpf_xdpld_no_such_kfunc(struct xdp_md *ctx) __ksym;
SEC("xdp") int p(struct xdp_md *ctx) { return bpf_xdpld_no_such_kfunc(ctx); }
char _license[] SEC("license") = "GPL";
C
both_refuse "kfunc: a strong kfunc the kernel lacks is named" "bpf_xdpld_no_such_kfunc" "$TMP/strong_kfunc.o"

bpf_cc strong_ksym <<'C' &&
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern const void xdpld_no_such_symbol __ksym;
SEC("xdp") int p(struct xdp_md *ctx) { return (long)&xdpld_no_such_symbol == 42 ? XDP_DROP : XDP_PASS; }
char _license[] SEC("license") = "GPL";
C
both_refuse "ksym: a strong typeless ksym not in kallsyms is named" "xdpld_no_such_symbol" "$TMP/strong_ksym.o"

# A forward declaration where the kernel has a struct: kinds differ, so
# libbpf calls the prototypes incompatible; so must xdpld.
sed 's/^struct nf_conn { unsigned long status; };$/struct nf_conn;/' tests/bpf/extern_ksym.bpf.c |
	bpf_cc fwd_kfunc &&
	both_refuse "kfunc: a prototype that does not match the kernel's is named" \
		"kfunc bpf_ct_[a-z_]*: its type" "$TMP/fwd_kfunc.o"
# One parameter more than the kernel's (libbpf lets ints of other sizes
# pass, as it does).
sed 's/bpf_ct_release(struct nf_conn \*ct)/bpf_ct_release(struct nf_conn *ct, int flags)/
     s/bpf_ct_release(ct);/bpf_ct_release(ct, 0);/' tests/bpf/extern_ksym.bpf.c |
	bpf_cc more_kfunc &&
	both_refuse "kfunc: a prototype with another number of parameters is named" \
		"kfunc bpf_ct_release: its type" "$TMP/more_kfunc.o"
sed 's/__u32 opts__sz) __ksym;/__u64 opts__sz) __ksym;/' tests/bpf/extern_ksym.bpf.c |
	bpf_cc wide_kfunc &&
	check "kfunc: an int parameter of another size loads, as under libbpf (same tags)" \
		same_tags_as_libbpf "$TMP/wide_kfunc.o"
