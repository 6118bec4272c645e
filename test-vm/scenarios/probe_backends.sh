#!/bin/sh
# `xdpld probe` on the router kernel (Debian 6.1: kernel BTF, trampolines,
# EXT programs allowed): the test loads find all four rootlet backends,
# and auto picks freplace.  The JSON (no jq here: grep) agrees with the
# text, XDPLD_PROBE_MISSING turns a backend off, and no descriptor leaks.
# Then a chain pipeline with the JIT on (net.core.bpf_jit_enable = 1; off
# on ARM32, whose JIT cannot compile chain slots with 64-bit atomics): the
# four sample modules on a veth, each slot a program of its own, the
# corpus' verdicts counted per slot, XDP_TX replies back, one re-link (the
# rootlet and the other slots keep their ids), detach; the JIT setting is
# put back.  Where the JIT was off, the boot's pipeline refuses re-links
# while it is on (a prog array takes programs compiled one way only).
set -eu
. "$TESTDIR/lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
run() { "$@" >out 2>&1 || { cat out; fail "$*"; }; }

# What this kernel should support, from facts independent of the probe:
# freplace needs kernel BTF (and trampolines: every JIT here with BTF has
# them); the tail-calling rootlet needs a JIT that allows tail calls in
# subprograms (x86_64 and arm64 have it, MIPS and ARM32 do not).  auto
# picks freplace, then chain.  The x86_64 VM's kernel has everything.
want_freplace=yes want_tailcall=yes want_auto=freplace
echo "kernel: $(uname -m) $(uname -r), bpf_jit_enable $(cat /proc/sys/net/core/bpf_jit_enable)," \
	"BTF $([ -f /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
if [ "$(uname -m)" != x86_64 ]; then
	[ -f /sys/kernel/btf/vmlinux ] || { want_freplace=no want_auto=chain; }
	case $(uname -m) in mips* | arm*l) want_tailcall=no ;; esac
fi
XDPLD_CHECK_FD_LEAKS=1 "$XDPLD" probe --json >probe.json 2>err ||
	{ cat probe.json err; fail "xdpld probe --json failed"; }
cat probe.json
[ ! -s err ] || { cat err; fail "xdpld probe printed messages"; }
for b in static chain $([ $want_tailcall = yes ] && echo tailcall) $([ $want_freplace = yes ] && echo freplace); do
	grep -q "\"$b\": {\"supported\": true}" probe.json || fail "backend $b not supported"
done
for b in $([ $want_tailcall = no ] && echo tailcall) $([ $want_freplace = no ] && echo freplace); do
	grep -q "\"$b\": {\"supported\": false, \"why\": " probe.json || fail "backend $b supported (or no why)"
done
grep -q "\"auto\": \"$want_auto\"}\$" probe.json || fail "auto is not $want_auto"

"$XDPLD" probe >probe.txt 2>&1 || { cat probe.txt; fail "xdpld probe failed"; }
cat probe.txt
# the first two columns (the third is why not)
awk '{ print $1, $2 }' probe.txt >cols.txt
printf 'static yes\ntailcall %s\nfreplace %s\nchain yes\nauto %s\n' $want_tailcall $want_freplace $want_auto |
	cmp - cols.txt || fail "text output differs"
if [ $want_freplace = yes ]; then
	printf 'static    yes\ntailcall  yes\nfreplace  yes\nchain     yes\nauto      freplace\n' |
		cmp - probe.txt || fail "text output differs"
fi

XDPLD_PROBE_MISSING=freplace "$XDPLD" probe >missing.txt 2>&1 || { cat missing.txt; fail "probe"; }
grep -qx 'freplace  no   disabled by XDPLD_PROBE_MISSING' missing.txt &&
	grep -qx 'auto      chain' missing.txt || { cat missing.txt; fail "XDPLD_PROBE_MISSING=freplace"; }
XDPLD_PROBE_MISSING=freplace,chain "$XDPLD" probe >missing.txt 2>&1 || { cat missing.txt; fail "probe"; }
grep -qx "auto      $([ $want_tailcall = yes ] && echo tailcall || echo static)" missing.txt ||
	{ cat missing.txt; fail "XDPLD_PROBE_MISSING=freplace,chain"; }
echo "xdpld probe: static and chain work here, tailcall $want_tailcall, freplace $want_freplace; auto is $want_auto"

# ---- a chain pipeline, JIT on ----
CORPUS=$TESTDIR/corpus
MODS="$FW/sampler.o $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o"
N=10
PKTS="acme_drop_ipv4_src bolt_drop_tcp_23 lb_vip_tcp_80 lb_vip6_udp_80 ok_ipv4_tcp_443"
jit=$(cat /proc/sys/net/core/bpf_jit_enable)
ns=$(netns_new)
[ -n "$ns" ] || fail "no network namespace"
cleanup() { set +e; veth_netns_del "$ns"; echo "$jit" >/proc/sys/net/core/bpf_jit_enable; }
trap cleanup EXIT
veth_netns "$ns"
# Where the JIT is off at boot: a pipeline compiled for the interpreter
# refuses re-links once the JIT is on (its prog array takes programs
# compiled one way only), naming the sysctl and changing nothing.
if [ "$jit" = 0 ]; then
	run "$XDPLD" attach vethR $MODS --backend chain --mode native
	"$XDPLD" status vethR --json >before.json 2>&1
	echo 1 >/proc/sys/net/core/bpf_jit_enable
	! "$XDPLD" relink vethR fw_acme "$TESTDIR/relink_fw_v2.o" >out 2>&1 ||
		fail "a pipeline compiled with the JIT off took a slot program compiled with the JIT on"
	# (ARM32: the probe already finds chain unusable with the JIT on)
	grep -qE "vethR: the running pipeline was compiled for the interpreter \(BPF JIT off\) and net.core.bpf_jit_enable is 1 now|backend chain is not available.*net.core.bpf_jit_enable=0" out ||
		{ cat out; fail "the refused re-link does not name the JIT setting"; }
	"$XDPLD" status vethR --json >after.json 2>&1
	[ "$(grep -o '"prog_id": [0-9]*' before.json)" = "$(grep -o '"prog_id": [0-9]*' after.json)" ] ||
		fail "the refused re-link changed the program ids"
	run "$XDPLD" detach vethR
	echo "a chain pipeline compiled with the JIT off: a re-link with the JIT on is refused, naming bpf_jit_enable; ids unchanged"
fi
[ "$jit" = 1 ] || { echo 1 >/proc/sys/net/core/bpf_jit_enable; echo "bpf_jit_enable was $jit, set to 1"; }
[ "$(cat /proc/sys/net/core/bpf_jit_enable)" = 1 ] || fail "cannot turn the BPF JIT on"
# The ARM32 JIT (6.1) has no 64-bit atomics, and a program that tail-calls
# does not fall back to the interpreter: with the JIT on, the probe finds
# chain unusable and auto takes static; the chain pipeline then runs with
# the JIT off again.
case $(uname -m) in arm*l)
	"$XDPLD" probe >probe-jit.txt 2>&1 || { cat probe-jit.txt; fail "xdpld probe (JIT on)"; }
	cat probe-jit.txt
	grep -q '^chain *no .*64-bit atomic add.*net.core.bpf_jit_enable=0' probe-jit.txt &&
		grep -qx 'auto      static' probe-jit.txt || fail "ARM32 with the JIT on: chain should be unusable, auto static"
	echo 0 >/proc/sys/net/core/bpf_jit_enable
	echo "ARM32, JIT on: the probe finds chain unusable (64-bit atomics), auto static; bpf_jit_enable set back to 0"
esac
run "$XDPLD" attach vethR $MODS --backend chain --mode native
"$XDPLD" status vethR --json >status.json 2>&1 || { cat status.json; fail "status --json"; }
for want in '"matches": true' '"backend": "chain"' '"relink": "slot swap"'; do
	grep -q "$want" status.json || { cat status.json; fail "status --json lacks $want"; }
done
# ids: rootlet, then slots 0..3 (the first prog_id is the kernel's)
ids() {
	echo $("$XDPLD" status vethR --json | tr ',{' '\n\n' | grep '"prog_id"' | sed 's/.*: *//' |
		tail -n +2)
}
ids0=$(ids)
[ "$(echo $ids0 | wc -w)" = 5 ] || { cat status.json; fail "no program id for the rootlet and four slots: $ids0"; }
echo "attached the four sample modules as a chain (bpf_jit_enable $(cat /proc/sys/net/core/bpf_jit_enable)): program ids $ids0"
corpus_traffic vethR vethS "$ns"
slot_counters vethR >before
run "$XDPLD" relink vethR fw_acme "$TESTDIR/relink_fw_v2.o"
ids1=$(ids)
set -- $ids0
want="$1 $2 [0-9]* $4 $5"
case $ids1 in $want) ;; *) fail "after the re-link: ids $ids1, want $want (slot 1 new)" ;; esac
[ "$(echo $ids1 | cut -d' ' -f3)" != "$3" ] || fail "slot 1 kept its program id $3"
echo "re-linked slot 1 (fw_acme): ids $ids1, the rootlet and the other slots unchanged"
# the sender's sampler counts the replies from zero again
run in_netns "$ns" "$XDPLD" detach vethS
run in_netns "$ns" "$XDPLD" attach vethS "$FW/sampler.o" --mode native
corpus_traffic vethR vethS "$ns" before
run "$XDPLD" detach vethR
[ ! -e /sys/fs/bpf/xdpld/vethR ] || fail "detach left /sys/fs/bpf/xdpld/vethR"
echo "chain pipeline detached"
