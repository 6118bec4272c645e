#!/bin/sh
# The static xdpld attaches the sample pipeline (sampler, fw_acme, fw_bolt,
# lb) to a veth on the router kernel; real packets sent from a network
# namespace get the modules' verdicts, `xdpld status --json` counts them per
# slot and verdict, XDP_TX replies come back to the sender, and detach
# leaves the NIC without a program.  Also `xdpld verify` of the modules
# linked together, and of a rootlet with the modules aliased onto its slots,
# on this (older) kernel.
set -eu
. "$TESTDIR/lib.sh"
CORPUS=$TESTDIR/corpus
MODS="$FW/sampler.o $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o"
N=20	# copies of each packet: TCG is slow, keep it a few hundred
# One packet each for: fw_acme drops, fw_bolt drops, lb rewrites (XDP_TX),
# everything passes; IPv4 and IPv6.
PKTS="acme_drop_ipv4_src acme_drop_ipv6_src bolt_drop_tcp_23 bolt_drop_udp_2323
lb_vip_tcp_80 lb_vip6_udp_80 ok_ipv4_tcp_443 ok_ipv6_udp_53"

fail() { echo "FAIL: $*"; exit 1; }
# run CMD...: runs CMD, shows its output only when it fails.
run() { "$@" >out 2>&1 || { cat out; fail "$*"; }; }

grep -q ' /sys/fs/bpf bpf ' /proc/mounts || fail "bpffs not mounted"
[ -f "$CORPUS/expected.txt" ] || fail "no corpus in $CORPUS"

# ---- the loader on this kernel: verify linked objects ----
run "$XDPLD" verify $MODS
grep -q '^program ' out || { cat out; fail "xdpld verify printed no program"; }
echo "xdpld verify of the four modules linked together works"
run "$XDPLD" rootlet -o rootlet.o --slots 4
run "$XDPLD" link -o pipeline.o rootlet.o $MODS \
	--rename sampler.o:xdp_sampler=xdpld_slot0 --rename fw_acme.o:xdp_firewall=xdpld_slot1 \
	--rename fw_bolt.o:xdp_firewall=xdpld_slot2 --rename lb.o:xdp_lb=xdpld_slot3
run "$XDPLD" verify pipeline.o
grep -q '^program xdpld_rootlet ' out || { cat out; fail "verify pipeline.o: no xdpld_rootlet"; }
echo "xdpld verify of a rootlet with the modules aliased onto its slots works"

# ---- plumbing: sender vethS (with the sampler) in a netns, receiver vethR here ----
ns=$(netns_new)
[ -n "$ns" ] || fail "no network namespace"
cleanup() { set +e; veth_netns_del "$ns"; }
trap cleanup EXIT
veth_netns "$ns"
ip addr add 198.51.100.1/24 dev vethR
in_netns "$ns" ip addr add 198.51.100.2/24 dev vethS
run "$XDPLD" attach vethR $MODS --mode native
echo "xdpld attach vethR (4 modules, native) works"

# ---- status: record and kernel agree ----
"$XDPLD" status vethR --json >status.json || { cat status.json; fail "xdpld status vethR --json"; }
for want in '"matches": true' '"kernel": {"prog_id": [0-9]*, "mode": "native"}' \
	'"counters": true' '"module": "sampler"' '"module": "fw_acme"' \
	'"module": "fw_bolt"' '"module": "lb"'; do
	grep -q "$want" status.json || { cat status.json; fail "status --json lacks $want"; }
done
echo "xdpld status: the recorded pipeline is what the kernel runs"

# ---- traffic: the corpus' verdicts counted per slot, XDP_TX replies back ----
corpus_traffic vethR vethS "$ns"

# ---- detach: no program left on vethR ----
run "$XDPLD" detach vethR
[ ! -e /sys/fs/bpf/xdpld/vethR ] || fail "detach left /sys/fs/bpf/xdpld/vethR"
if "$XDPLD" status vethR --json >out 2>&1; then cat out; fail "status after detach succeeded"; fi
# busybox ip shows no XDP: check with traffic that nothing runs any more.
run in_netns "$ns" "$TESTDIR/pktsend" vethS --count $N "$CORPUS/lb_vip_tcp_80.pkt"
sleep 1
wait_counters vethS want_snd "$ns" || fail "after detach vethS got packets back from vethR"
# and the kernel has no program: a first attach (never replacing) succeeds.
run "$XDPLD" attach vethR "$FW/sampler.o" --mode native
run "$XDPLD" detach vethR
echo "detach: vethR runs no XDP program"
run in_netns "$ns" "$XDPLD" detach vethS
