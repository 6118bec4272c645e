#!/bin/sh
# A slot needs its program and what that uses, nothing else (issue 20,
# point 11).  sib_mixed's XDP program sib_xdp has siblings xdpld's loader
# cannot load (tp_btf, sk_reuseport, a section of no known type) and XDP
# programs for a devmap and a cpumap: attach OBJ:sib_xdp works in every
# backend this host runs and gives libbpf's verdicts for sib_xdp loaded
# alone (progrun --only); `run OBJ PROG` loads PROG alone too.  A devmap or
# cpumap program is refused as a slot, naming module, program and why.
# sib_legacy has an XDP and a TC program in legacy sections: --type xdp
# applies to what the slot uses, not to the TC program.  Load errors name
# the module and its program, never only xdpld's generated names.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-sbsnd-$$
RCV=xdpld-sbrcv-$$
SD=/sys/fs/bpf/xdpld-t-siblings-$$
CORPUS=$TMP/corpus
netns_cleanup_trap "$SND" "$RCV" "$SD"

if ! veth_netns_pair "$SND" "$RCV"; then
	not_ok "siblings: set up namespaces and veth"
	exit 0
fi
ok "siblings: set up namespaces and veth"

MIX=$(realpath "$TBPF/sib_mixed.o")
DM=$(realpath "$TBPF/sib_devmap.o")
LEG=$(realpath "$TBPF/sib_legacy.o")
TCP=$CORPUS/ok_ipv4_tcp_443.pkt
UDP=$CORPUS/ok_ipv4_udp_53.pkt
json() { X status r0 --json >"$TMP/status.json" && jq -e "$@" "$TMP/status.json"; }
nothing_runs() { ! ip -n "$RCV" link show r0 | grep -q prog/xdp && [ ! -e "$SD/r0" ]; }
send() { in_snd "$TOOLS/pktsend" s0 --count "$1" "$2" >/dev/null; }
# headline PATTERN CMD...: CMD fails and its first error line matches PATTERN.
headline() {
	_pat=$1; shift
	! "$@" >"$TMP/hl" 2>&1 && grep -m1 'error:' "$TMP/hl" | grep -qE -- "$_pat" ||
		{ cat "$TMP/hl"; return 1; }
}

# ---- the reference: libbpf loads only the program it is asked for ----
check_fails "libbpf: loading every program of the object fails" "load" \
	"$TOOLS/progrun" "$MIX" sib_xdp "$TCP"
"$TOOLS/progrun" --only "$MIX" sib_xdp "$CORPUS"/ok_*.pkt >"$TMP/libbpf.txt" 2>"$TMP/libbpf.err"
check "libbpf: sib_xdp alone loads and runs" grep -q "ok_ipv4_tcp_443 XDP_DROP" "$TMP/libbpf.txt"
check "libbpf: and passes UDP" grep -q "ok_ipv4_udp_53 XDP_PASS" "$TMP/libbpf.txt"
check "run OBJ PROG: loads PROG alone, libbpf's verdicts and bytes" sh -c \
	"'$XDPLD' run '$MIX' sib_xdp '$CORPUS'/ok_*.pkt | cmp -s - '$TMP/libbpf.txt'"
check_fails "run: a sibling xdpld cannot load, asked for, is still refused" \
	"program sib_reuseport: unknown program section 'sk_reuseport'" \
	"$XDPLD" run "$MIX" sib_reuseport "$TCP"
check_fails "verify: verifies every program, so names the one it cannot load" \
	"unknown program section|program sib_bad .*rejected" "$XDPLD" verify "$MIX"

# ---- attach OBJ:PROG in every backend this host runs ----
for b in static tailcall chain freplace; do
	if ! "$XDPLD" probe | grep -q "^$b *yes"; then
		skip "attach $b: this kernel does not run the $b backend"
		continue
	fi
	check "attach $b: OBJ:sib_xdp, its siblings left out" \
		X attach r0 "$MIX:sib_xdp" --backend "$b"
	send 7 "$TCP"
	send 5 "$UDP"
	check "traffic $b: libbpf's verdicts (TCP dropped, UDP passed)" wait_for json \
		'.interfaces[0].slots[0].packets | (.drop == 7 and .pass == 5)'
	X detach r0 >/dev/null 2>&1
done
check_fails "attach: OBJ without PROG lists the XDP programs for a device only" \
	"2 XDP entry programs \(sib_bad, sib_xdp\)" X attach r0 "$MIX" --backend static

# ---- devmap and cpumap programs are no slots ----
check_fails "attach: a devmap program is refused, naming module, program and why" \
	"module sib_mixed \(.*sib_mixed.o\): program sib_devmap \(section xdp/devmap\) is an XDP program for a devmap \(expected attach type BPF_XDP_DEVMAP\).*never on a device" \
	X attach r0 "$MIX:sib_devmap" --backend static
check_fails "attach: a cpumap program too (chain)" \
	"program sib_cpumap \(section xdp/cpumap\) is an XDP program for a cpumap" \
	X attach r0 "$MIX:sib_cpumap" --backend chain
check_fails "attach: a devmap program beside an XDP program is refused too" \
	"program dm_egress \(section xdp/devmap\) is an XDP program for a devmap" \
	X attach r0 "$DM:dm_egress" --backend static
check "attach: the refusals changed nothing" nothing_runs
check "attach: OBJ without PROG takes the program for a device, not the devmap one" \
	X attach r0 "$DM" --backend chain
check "status: it is dm_main" json '.interfaces[0].slots[0].prog == "dm_main"'
X detach r0 >/dev/null 2>&1

# ---- --type applies to what the slot uses ----
check_out "run --type xdp OBJ PROG: the TC sibling stays out" "XDP_DROP" \
	"$XDPLD" run "$LEG" sib_legacy "$TCP" --type xdp
check "attach --type xdp OBJ:PROG: the TC sibling is not turned into XDP" \
	X attach r0 "$LEG:sib_legacy" --backend static --type xdp
send 4 "$TCP"
check "traffic: the legacy program drops" wait_for json \
	'.interfaces[0].slots[0].packets.drop == 4'
X detach r0 >/dev/null 2>&1
check_fails "attach --type xdp OBJ: both legacy programs are candidates, name one" \
	"2 XDP entry programs \(sib_legacy, sib_tc\)" \
	X attach r0 "$LEG" --backend static --type xdp

# ---- load errors name the module and its program ----
for b in static tailcall chain; do
	"$XDPLD" probe | grep -q "^$b *yes" || continue
	check "attach $b: the verifier's headline names module and program, not xdpld's names" \
		headline "module sib_legacy \(.*sib_legacy.o\), program sib_tc" \
		X attach r0 "$LEG:sib_tc" --backend "$b" --type xdp
	check "attach $b: a failed first attach says nothing was attached, no slot" sh -c \
		"grep -q 'nothing was attached' '$TMP/hl' && ! grep -q 'slot is unchanged' '$TMP/hl'"
	check "attach $b: nothing runs after the refusal" nothing_runs
done
check_fails "attach static, two modules: the one the kernel refuses on its own is named" \
	"slot 1: module sib_legacy \(.*sib_legacy.o\), program sib_tc is rejected on its own as well" \
	X attach r0 "$MIX:sib_xdp" "$LEG:sib_tc" --backend static --type xdp
check "attach: nothing runs after that refusal" nothing_runs
