#!/bin/sh
# make demo: link the sample vendor modules, show what was renamed, and inspect
# the result; then build a simulated router in network namespaces, apply the
# policy manifest policies/xdpld (the sample pipeline on its WAN port), send
# traffic through it, show the counters (xdpld status), reload the policy
# with a new firewall build while traffic flows, and remove the pipeline.
set -e
cd "$(dirname "$0")/.."
: "${O:=build}"
X=$O/xdpld
FW=$O/firmware
OUT=$O/demo
mkdir -p "$OUT"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Four vendor objects, with colliding names"
for m in fw_acme fw_bolt lb sampler; do
	printf '%-10s ' "$m:"
	"$X" inspect "$FW/$m.o" --json | tr ',' '\n' | grep -o '"name": *"[a-z_]*"' |
		sed 's/"name": *//' | tr -d '"' | tr '\n' ' '
	echo
done

say "xdpld link: renaming what conflicts"
"$X" -v link -o "$OUT/pipeline.o" "$FW/fw_acme.o" "$FW/fw_bolt.o" "$FW/lb.o" \
	"$FW/sampler.o" --map-file "$OUT/pipeline.names"

say "The name map ($OUT/pipeline.names)"
cat "$OUT/pipeline.names"

say "xdpld inspect $OUT/pipeline.o"
"$X" inspect "$OUT/pipeline.o"

# ---- a simulated router: wan host -> router (pipeline on its WAN port) -> lan host
WAN=xdpld-demo-wan; RTR=xdpld-demo-rtr; LAN=xdpld-demo-lan
SD=/sys/fs/bpf/xdpld-demo	# a private state root, so the demo touches nothing else
cleanup() {
	for n in $WAN $RTR $LAN; do ip netns del $n 2>/dev/null || true; done
	rm -rf "$SD"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cleanup
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
# xdpld runs in the router's network namespace with the host's bpffs.
rx() { nsenter --net=/run/netns/$RTR "$X" "$@" --state-dir "$SD"; }

say "Building a router: wan host 203.0.113.2 -- [wan0 router lan0] -- lan host 192.0.2.21"
for n in $WAN $RTR $LAN; do
	ip netns add $n
	ip -n $n link set lo up
	ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n $WAN link add eth0 type veth peer name wan0 netns $RTR
ip -n $LAN link add eth0 type veth peer name lan0 netns $RTR
ip -n $WAN addr add 203.0.113.2/24 dev eth0
ip -n $RTR addr add 203.0.113.1/24 dev wan0
ip -n $RTR addr add 192.0.2.1/24 dev lan0
ip -n $LAN addr add 192.0.2.21/24 dev eth0
for l in "$WAN eth0" "$RTR wan0" "$RTR lan0" "$LAN eth0"; do set -- $l; ip -n $1 link set $2 up; done
ip -n $WAN route add default via 203.0.113.1
ip -n $LAN route add default via 192.0.2.1
ip netns exec $RTR sysctl -qw net.ipv4.ip_forward=1
# XDP_TX from the router's wan0 needs the peer to have NAPI: a pass-all program.
ip -n $WAN link set dev eth0 xdp obj "$FW/sampler.o" sec xdp

say "xdpld probe: which rootlet backends this kernel runs (attach picks the best)"
"$X" probe

say "The router's policy: policies/xdpld (its /etc/config/xdpld), objects from $FW"
CONF=$OUT/xdpld.conf
sed "s|/usr/lib/xdpld/|$(realpath "$FW")/|" policies/xdpld >"$CONF"
grep -v '^#' "$CONF" | sed '/^$/d'

say "xdpld check: parse, link and verify everything, attach nothing"
rx check -c "$CONF"

say "xdpld apply (what the init script runs at boot)"
rx apply -c "$CONF"
ip -n $RTR link show wan0 | grep -o 'prog/xdp.*'

say "Real traffic: ping from the wan host to the lan host, through the pipeline"
ip netns exec $WAN ping -c 3 -i 0.2 -W 1 192.0.2.21 | tail -2

say "Crafted traffic from the wan host (tests/tools/pktcorpus + pktsend)"
make --no-print-directory O="$O" "$O/tests/tools/pktsend" "$O/tests/tools/pktcorpus" >/dev/null 2>&1 || true
if [ -x "$O/tests/tools/pktsend" ] && [ -x "$O/tests/tools/pktcorpus" ]; then
	"$O/tests/tools/pktcorpus" "$OUT/corpus" >/dev/null
	for p in ok_ipv4_tcp_443 acme_drop_ipv4_src bolt_drop_tcp_23 lb_vip_tcp_80 \
		 acme_drop_ipv4_src_to_vip_80; do
		printf '  %-32s x10  ' "$p"
		ip netns exec $WAN "$O/tests/tools/pktsend" eth0 --count 10 "$OUT/corpus/$p.pkt"
	done
	sleep 0.5
else
	echo "  (build the test tools with 'make tests' to send crafted packets too)"
fi

say "xdpld status"
rx status

say "Reload: a new build of firewall A in the policy, applied while the wan host pings"
make --no-print-directory O="$O" "$O/tests/bpf/relink_fw_v2.o" >/dev/null 2>&1 || true
if [ -f "$O/tests/bpf/relink_fw_v2.o" ]; then
	slot_ids() { rx status wan0 --json | jq -r '.interfaces[0] | "rootlet \(.prog_id), slots \([.slots[].prog_id] | map(tostring) | join(" "))"' 2>/dev/null ||
		rx status wan0 | head -1; }
	sed -i "s|$(realpath "$FW")/fw_acme.o|$(realpath "$O/tests/bpf/relink_fw_v2.o")|" "$CONF"
	grep -A2 "config module 'fw'" "$CONF"
	echo "  xdpld apply --dry-run:"
	rx apply -c "$CONF" --dry-run | sed 's/^/    /'
	echo "  before: $(slot_ids)"
	ip netns exec $WAN ping -c 40 -i 0.05 -W 1 192.0.2.21 >"$OUT/ping.txt" 2>&1 &
	pp=$!
	sleep 0.5
	rx apply -c "$CONF"
	wait $pp || true
	echo "  after:  $(slot_ids)"
	echo "  ping during the reload: $(grep -o '[0-9]* packets transmitted.*loss' "$OUT/ping.txt")"
	rx status wan0 | grep -A1 'slot 1:'
	echo "  xdpld apply once more:"
	rx apply -c "$CONF"
else
	echo "  (build the test objects with 'make tests' to see a reload)"
fi

say "Removing the pipeline from the policy detaches it"
sed -i "/^config pipeline/,\$ s/^/#/" "$CONF"
rx apply -c "$CONF"
ip -n $RTR link show wan0 | grep -q 'prog/xdp' || echo "wan0 runs no XDP program any more"
