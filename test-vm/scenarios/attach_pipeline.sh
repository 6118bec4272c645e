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

# ---- plumbing: sender vethS in a netns, receiver vethR here (bpffs) ----
ns=$(netns_new)
[ -n "$ns" ] || fail "no network namespace"
cleanup() {
	set +e
	"$XDPLD" detach vethR >/dev/null 2>&1
	in_netns "$ns" "$XDPLD" detach vethS >/dev/null 2>&1
	ip link del vethR 2>/dev/null
	netns_del "$ns"
}
trap cleanup EXIT
veth_pair vethR vethS || fail "veth pair"
ip link set vethS netns "$ns"
# No IPv6 autoconfiguration chatter: only our packets cross the link.
echo 1 >/proc/sys/net/ipv6/conf/vethR/disable_ipv6
in_netns "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/vethS/disable_ipv6'
# vethR gets the corpus' destination MAC, so passed packets reach its stack.
ip link set vethR address 02:00:00:00:01:01
ip addr add 198.51.100.1/24 dev vethR && ip link set vethR up
in_netns "$ns" ip link set vethS address 02:00:00:00:01:02
in_netns "$ns" ip addr add 198.51.100.2/24 dev vethS
in_netns "$ns" ip link set vethS up

# XDP_TX out of vethR needs an XDP program (NAPI) on the peer: the sampler
# alone, also attached by xdpld; its counters see what comes back.
run in_netns "$ns" "$XDPLD" attach vethS "$FW/sampler.o" --mode native
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

# slot_counters IFACE [NETNS_PID]: "slot verdict count" lines from status --json.
# The raw output stays in status.IFACE.
slot_counters() {
	if [ $# = 2 ]; then in_netns "$2" "$XDPLD" status "$1" --json; else "$XDPLD" status "$1" --json; fi \
		>"status.$1" 2>&1
	awk '{
		n = split($0, slot, /\{"index": /)
		for (i = 2; i <= n; i++) {
			idx = slot[i]; sub(/,.*/, "", idx)
			split("aborted drop pass tx redirect", names, " ")
			for (a = 1; a <= 5; a++) {
				if (!match(slot[i], "\"" names[a] "\": [0-9]+")) { print idx, names[a], "?"; continue }
				v = substr(slot[i], RSTART, RLENGTH); sub(/.*: /, "", v)
				print idx, names[a], v
			}
		}
	}' "status.$1"
}
# expected: the same lines for N of each of $PKTS through the chain
# (continue on pass), from the corpus' per-module verdicts.
expected() {
	awk -v mods="sampler fw_acme fw_bolt lb" -v pkts="$(echo $PKTS)" -v n=$N '
	/^#/ { for (i = 3; i <= NF; i++) col[$i] = i - 1; next }
	{ v[$1] = $0 }
	END {
		split("aborted drop pass tx redirect", names, " ")
		nm = split(mods, m, " "); np = split(pkts, p, " ")
		for (k = 1; k <= np; k++) {
			if (!(p[k] in v)) { print "missing packet " p[k]; continue }
			split(v[p[k]], f, " ")
			for (s = 1; s <= nm; s++) {
				r = tolower(f[col[m[s]]]); sub("xdp_", "", r)
				c[s - 1, r] += n
				if (r != "pass") break
			}
		}
		for (s = 0; s < nm; s++) for (a = 1; a <= 5; a++)
			print s, names[a], c[s, names[a]] + 0
	}' "$CORPUS/expected.txt"
}
# rx_packets NETNS_PID IFACE: received packets from /proc/net/dev.
rx_packets() { in_netns "$1" cat /proc/net/dev | sed 's/:/ /' | awk -v i="$2" '$1 == i { print $3 }'; }
# wait_counters IFACE WANTFILE [NETNS_PID]: poll until equal, up to 5 s.
wait_counters() {
	_i=0
	while :; do
		slot_counters "$1" ${3:+"$3"} >got
		cmp -s "$2" got && return 0
		[ $_i -ge 50 ] && break
		usleep 100000; _i=$((_i + 1))
	done
	echo "counters of $1 (slot verdict want got):"
	awk 'FILENAME == "got" { got[FNR] = $3; next }
		{ print "  " $1, $2, $3, got[FNR] ($3 == got[FNR] ? "" : "   <-- differs") }' got "$2"
	[ -s got ] || { echo "xdpld status $1 --json said:"; cat "status.$1"; }
	return 1
}

expected >want
grep -q missing want && { cat want; fail "corpus lacks packets"; }
tx_want=$(awk '$2 == "tx" { n += $3 } END { print n + 0 }' want)
[ "$tx_want" -gt 0 ] || fail "no XDP_TX expected: wrong packet mix"
snd_rx0=$(rx_packets "$ns" vethS)
files=$(for p in $PKTS; do echo "$CORPUS/$p.pkt"; done)
run in_netns "$ns" "$TESTDIR/pktsend" vethS --count $N $files
cat out
wait_counters vethR want || fail "vethR counters per slot and verdict differ from what was sent"
echo "counters per slot and verdict equal what was sent ($N of each of $(echo $PKTS | wc -w) packets)"

# The balancer's XDP_TX replies reach vethS: its sampler passes each one.
printf '0 aborted 0\n0 drop 0\n0 pass %s\n0 tx 0\n0 redirect 0\n' "$tx_want" >want_snd
wait_counters vethS want_snd "$ns" || fail "vethS did not get the $tx_want XDP_TX packets back"
snd_rx=$(($(rx_packets "$ns" vethS) - snd_rx0))
[ "$snd_rx" = "$tx_want" ] || fail "vethS rx_packets grew by $snd_rx, want $tx_want"
echo "the $tx_want XDP_TX packets came back to the sender"

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
