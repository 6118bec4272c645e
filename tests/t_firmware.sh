#!/bin/sh
# The sample vendor modules (firmware/vendor) loaded by libbpf through the
# reference runner tests/tools/progrun, over the packet corpus from
# tests/tools/pktcorpus: verdicts, rewrites, map overrides, the big-endian
# builds, the deliberately colliding names, and pktsend on a veth pair.
. tests/lib.sh

C=$TMP/corpus
OUT=$TMP/res
PROGRUN=$TOOLS/progrun
PKTINFO=$TOOLS/pktinfo
mkdir -p "$OUT"

check "pktcorpus writes the corpus" "$TOOLS/pktcorpus" "$C"
nr_pkts=$(ls "$C"/*.pkt 2>/dev/null | wc -l)
check "corpus has at least 60 packets ($nr_pkts)" test "$nr_pkts" -ge 60

# verdicts_match FILE COLUMN: progrun output FILE against expected.txt's
# COLUMN (2 fw_acme, 3 fw_bolt, 4 lb, 5 sampler), every packet present.
verdicts_match() {
	awk -v col="$2" '
		NR == FNR { if ($1 !~ /^#/) { want[$1] = $col; n++ } next }
		{ seen++; if (want[$1] != $2) { print $1 ": got " $2 ", want " want[$1]; bad = 1 } }
		END { if (seen != n) { print "ran " seen " of " n " packets"; bad = 1 } exit bad }
	' "$C/expected.txt" "$1"
}

# verdict_of FILE PKT: the verdict progrun printed for one packet.
verdict_of() { awk -v p="$2" '$1 == p { print $2 }' "$1"; }
is_verdict() { v=$(verdict_of "$1" "$2"); [ "$v" = "$3" ] || { echo "$2: $v, want $3"; return 1; }; }

# unchanged DIR: every output packet in DIR is byte-identical to its input.
unchanged() {
	for f in "$1"/*.pkt; do cmp "$f" "$C/$(basename "$f")" || return 1; done
}

col=2
for m in fw_acme:xdp_firewall fw_bolt:xdp_firewall lb:xdp_lb sampler:xdp_sampler; do
	mod=${m%%:*} prog=${m#*:}
	mkdir -p "$OUT/$mod"
	if "$PROGRUN" --out-dir "$OUT/$mod" "$FW/$mod.o" "$prog" "$C"/*.pkt >"$OUT/$mod.txt" 2>"$OUT/$mod.err"; then
		ok "$mod: libbpf loads it and runs $prog on the corpus"
	else
		not_ok "$mod: progrun failed"; sed 's/^/    /' "$OUT/$mod.err" | tail -n 20
	fi
	check "$mod: every verdict matches expected.txt" verdicts_match "$OUT/$mod.txt" $col
	col=$((col + 1))
done

check "fw_acme drops source 198.51.100.7" is_verdict "$OUT/fw_acme.txt" acme_drop_ipv4_src XDP_DROP
check "fw_acme drops source 2001:db8:bad::7" is_verdict "$OUT/fw_acme.txt" acme_drop_ipv6_src XDP_DROP
check "fw_acme drops a QinQ-tagged source in 2001:db8:bad::/48" is_verdict "$OUT/fw_acme.txt" acme_drop_qinq_ipv6_src XDP_DROP
check "fw_acme passes 198.51.101.7" is_verdict "$OUT/fw_acme.txt" acme_pass_ipv4_neighbour XDP_PASS
check "fw_acme passes destination 198.51.100.7" is_verdict "$OUT/fw_acme.txt" acme_pass_ipv4_dst_in_prefix XDP_PASS
check "fw_acme drops IHL 4" is_verdict "$OUT/fw_acme.txt" bad_ihl_4 XDP_DROP
check "fw_bolt drops TCP dport 23" is_verdict "$OUT/fw_bolt.txt" bolt_drop_tcp_23 XDP_DROP
check "fw_bolt drops UDP dport 2323" is_verdict "$OUT/fw_bolt.txt" bolt_drop_udp_2323 XDP_DROP
check "fw_bolt finds dport 23 behind 12 bytes of IPv4 options" is_verdict "$OUT/fw_bolt.txt" bolt_drop_opts_tcp_23 XDP_DROP
check "fw_bolt passes sport 23" is_verdict "$OUT/fw_bolt.txt" bolt_pass_sport_23 XDP_PASS
check "fw_bolt passes a later fragment" is_verdict "$OUT/fw_bolt.txt" bolt_pass_later_frag_udp_23 XDP_PASS
check "lb sends VIP:80 TCP back out (XDP_TX)" is_verdict "$OUT/lb.txt" lb_vip_tcp_80 XDP_TX
check "lb sends [VIP6]:80 UDP back out (XDP_TX)" is_verdict "$OUT/lb.txt" lb_vip6_udp_80 XDP_TX
check "lb passes VIP:443" is_verdict "$OUT/lb.txt" lb_vip_tcp_443 XDP_PASS
check "sampler passes every packet" sh -c "! grep -v ' XDP_PASS ' '$OUT/sampler.txt'"
for mod in fw_acme fw_bolt sampler; do
	check "$mod never modifies a packet" unchanged "$OUT/$mod"
done

# lb: each XDP_TX packet went to a default backend, checksums still right,
# nothing but destination MAC/IP and checksums changed; the rest untouched.
lb_rewrites_ok() {
	n=0
	for p in $(awk '$2 == "XDP_TX" { print $1 }' "$OUT/lb.txt"); do
		n=$((n + 1))
		before=$("$PKTINFO" "$C/$p.pkt") after=$("$PKTINFO" "$OUT/lb/$p.pkt")
		field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
		dst=$(field "$after" dst) mac=$(field "$after" dmac)
		case "$dst/$mac" in
		192.0.2.21/02:00:00:00:02:21 | 192.0.2.22/02:00:00:00:02:22 | \
		2001:db8::21/02:00:00:00:02:21 | 2001:db8::22/02:00:00:00:02:22) ;;
		*) echo "$p: rewritten to $dst $mac"; return 1 ;;
		esac
		for k in smac vlans src proto sport dport ipcsum l4csum; do
			[ "$(field "$before" $k)" = "$(field "$after" $k)" ] ||
				{ echo "$p: $k changed: $before -> $after"; return 1; }
		done
		[ "$(field "$after" l4csum)" != bad ] || { echo "$p: bad checksum"; return 1; }
	done
	[ "$n" -ge 8 ] || { echo "only $n packets balanced"; return 1; }
}
check "lb rewrites dst IP+MAC to a backend with valid checksums, nothing else" lb_rewrites_ok
check "lb uses both default backends" sh -c \
	"$PKTINFO $OUT/lb/lb_vip*.pkt | grep -q 'dst=192.0.2.21 ' && $PKTINFO $OUT/lb/lb_vip*.pkt | grep -q 'dst=192.0.2.22 '"
lb_passed_unchanged() {
	for p in $(awk '$2 == "XDP_PASS" { print $1 }' "$OUT/lb.txt"); do
		cmp "$OUT/lb/$p.pkt" "$C/$p.pkt" || return 1
	done
}
check "lb leaves passed packets untouched" lb_passed_unchanged

# --map overrides (x86 is little endian: keys and values below are LE).
run1() { "$PROGRUN" "$@" | awk '{ print $2 }'; }
expect_run() { want=$1; shift; got=$(run1 "$@") || return 1; [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }; }
check "fw_acme: an LPM rule for 203.0.113.5/128 drops it" expect_run XDP_DROP \
	--map rules=8000000000000000000000000000ffffcb007105:01000000 \
	"$FW/fw_acme.o" xdp_firewall "$C/ok_ipv4_tcp_443.pkt"
check "fw_acme: an LPM rule for 2001:db8:1::/48 drops 2001:db8:1::5" expect_run XDP_DROP \
	--map rules=3000000020010db8000100000000000000000000:01000000 \
	"$FW/fw_acme.o" xdp_firewall "$C/ok_ipv6_tcp_443.pkt"
check "fw_bolt: a rule for TCP 443 drops it" expect_run XDP_DROP \
	--map rules=0600bb01:01000000 "$FW/fw_bolt.o" xdp_firewall "$C/ok_ipv4_tcp_443.pkt"
check "fw_bolt: a TCP 443 rule leaves UDP 53 alone" expect_run XDP_PASS \
	--map rules=0600bb01:01000000 "$FW/fw_bolt.o" xdp_firewall "$C/ok_ipv4_udp_53.pkt"
check "fw_bolt: a PASS rule for port 23 overrides the default" expect_run XDP_PASS \
	--map rules=00001700:02000000 "$FW/fw_bolt.o" xdp_firewall "$C/bolt_drop_tcp_23.pkt"
lb_map_backend() {
	"$PROGRUN" --out-dir "$TMP" \
		--map backends=00000000:c000021f20010db80000000000000000000000310200000002310100 \
		"$FW/lb.o" xdp_lb "$C/lb_vip_tcp_80.pkt" | grep -q ' XDP_TX ' || return 1
	"$PKTINFO" "$TMP/lb_vip_tcp_80.pkt" | grep 'dmac=02:00:00:00:02:31 .*dst=192.0.2.31 .*ipcsum=ok l4csum=ok'
}
check "lb: a backend in the map replaces the default in its slot" lb_map_backend
# The kernel does not restore the buffer between repeats: use programs
# that do not rewrite; lb's second run sees its own output and passes it.
repeat_same() {
	for p in bolt_drop_tcp_23 ok_ipv6_udp_53; do
		[ "$("$PROGRUN" --repeat 1000 "$FW/fw_bolt.o" xdp_firewall "$C/$p.pkt")" = \
		  "$(grep "^$p " "$OUT/fw_bolt.txt")" ] || return 1
	done
}
check "progrun --repeat 1000 gives the same lines for fw_bolt" repeat_same
check "progrun --repeat 2: lb passes its own rewritten packet" expect_run XDP_PASS \
	--repeat 2 "$FW/lb.o" xdp_lb "$C/lb_vip6_tcp_80.pkt"
check "progrun --pin-maps pins the maps" sh -c \
	"mkdir -p /sys/fs/bpf 2>/dev/null; mount | grep -q ' /sys/fs/bpf ' || mount -t bpf bpf /sys/fs/bpf;
	 d=/sys/fs/bpf/xdpld-t-firmware-\$\$; mkdir \$d && $PROGRUN --pin-maps \$d $FW/fw_bolt.o xdp_firewall $C/bolt_drop_tcp_23.pkt >/dev/null &&
	 ls \$d/rules \$d/stats; r=\$?; rm -rf \$d; exit \$r"
check_fails "progrun: unknown program is an error" "no program 'nope'" \
	"$PROGRUN" "$FW/fw_acme.o" nope "$C/ok_ipv4_tcp_443.pkt"
check_fails "progrun: a non-ELF object is an error" "open|load" \
	"$PROGRUN" "$C/ok_ipv4_tcp_443.pkt" xdp_firewall "$C/ok_ipv4_tcp_443.pkt"
check_fails "progrun: unknown --map is an error" "no such map" \
	"$PROGRUN" --map nope=00:00 "$FW/fw_acme.o" xdp_firewall "$C/ok_ipv4_tcp_443.pkt"

# Big-endian builds are valid BPF ELF objects; little-endian ones too.
for mod in fw_acme fw_bolt lb sampler; do
	check "$mod: be/ build is big-endian BPF ELF" sh -c \
		"llvm-readelf -h $FW/be/$mod.o | grep -q 'big endian' && llvm-readelf -h $FW/be/$mod.o | grep -q 'Machine:.*BPF'"
	check "$mod: le build is little-endian BPF ELF" sh -c \
		"llvm-readelf -h $FW/$mod.o | grep -q 'little endian'"
done

# The collisions the linker must resolve are really there.
globals() { llvm-readelf -s "$1" | awk '$5 == "GLOBAL" { print $8 }' | sort; }
has_globals() { f=$1; shift; for s in "$@"; do globals "$f" | grep -qx "$s" || { echo "$f: no global $s"; return 1; }; done; }
for mod in fw_acme fw_bolt; do
	check "$mod: global xdp_firewall classify rules stats config" has_globals "$FW/$mod.o" xdp_firewall classify rules stats config
done
check "lb: global stats and config (collide with both firewalls)" has_globals "$FW/lb.o" xdp_lb stats config
check "fw_acme and fw_bolt both have static parse_eth and count" sh -c \
	"for f in $FW/fw_acme.o $FW/fw_bolt.o; do llvm-readelf -s \$f | grep -E 'FUNC +LOCAL .* parse_eth\$' >/dev/null && llvm-readelf -s \$f | grep -E 'FUNC +LOCAL .* count\$' >/dev/null || exit 1; done"

# pktsend pushes real frames through a veth pair; with fw_bolt attached
# (iproute2 loads it with libbpf), the dropped ones show in bolt_drops.
NS=xdpld-fw-$$
pktsend_veth() {
	ip netns add $NS || return 1
	ip netns exec $NS sh -ec '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip link add fwa type veth peer name fwb
		ip link set fwa up; ip link set fwb up
		before=$(cat /sys/class/net/fwb/statistics/rx_packets)
		'"$TOOLS/pktsend"' fwa --count 3 '"$C/ok_ipv4_tcp_443.pkt $C/lb_vip6_tcp_80.pkt"'
		after=$(cat /sys/class/net/fwb/statistics/rx_packets)
		[ $((after - before)) -eq 6 ] || { echo "fwb received $((after - before)), want 6"; exit 1; }'
}
check "pktsend: 2 files x 3 arrive on the veth peer" pktsend_veth
bolt_on_veth() {
	ip netns exec $NS ip link set dev fwb xdpdrv obj "$FW/fw_bolt.o" sec xdp || return 1
	ip netns exec $NS "$TOOLS/pktsend" fwa --count 5 "$C/bolt_drop_tcp_23.pkt" "$C/ok_ipv4_tcp_443.pkt" "$C/bolt_drop_udp_2323.pkt" || return 1
	id=$(ip netns exec $NS ip link show dev fwb | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	maps=$(bpftool prog show id "$id" | sed -n 's/.*map_ids \([0-9,]*\).*/\1/p' | tr ',' ' ')
	for m in $maps; do bpftool map dump id "$m"; done | grep -q '"bolt_drops": 10'
}
check "fw_bolt on a veth drops 10 of 15 real frames (bolt_drops)" bolt_on_veth
ip netns del $NS 2>/dev/null
