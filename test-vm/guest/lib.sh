# Helpers for VM scenarios: . "$TESTDIR/lib.sh".  busybox has no `ip netns`,
# so a namespace is held by a sleeping process and entered with nsenter.
# Helpers that can fail call the scenario's own fail and run.

# netns_new: start a process in a new network namespace, print its pid.
netns_new() {
	unshare -n sh -c 'echo $$ >/tmp/netns.$$.pid; exec sleep 100000' </dev/null >/dev/null 2>&1 &
	_i=0
	while [ ! -s /tmp/netns.$!.pid ] && [ $_i -lt 50 ]; do usleep 20000; _i=$((_i + 1)); done
	cat /tmp/netns.$!.pid && rm -f /tmp/netns.$!.pid
}
# in_netns PID CMD...: run CMD in that process's network namespace.
in_netns() { _p=$1; shift; nsenter --net=/proc/$_p/ns/net "$@"; }
# netns_del PID: end the holder; the namespace goes with it.
netns_del() { kill "$1" 2>/dev/null; }
# veth_pair A B: a veth pair named A and B.  busybox ip names the peer
# itself; A's iflink is the peer's ifindex, so find it and rename it.
veth_pair() {
	ip link add "$1" type veth || return 1
	_peer=$(cat "/sys/class/net/$1/iflink")
	for _d in /sys/class/net/*; do
		[ "$(cat "$_d/ifindex")" = "$_peer" ] || continue
		ip link set "${_d##*/}" name "$2"
		return
	done
	echo "veth_pair: peer of $1 not found" >&2
	return 1
}
# host_side NAME [SECONDS]: hand over to test-vm/host/NAME.sh, which runs on
# the host while the VM runs: print the marker it waits for on the console
# (the scenario's own output is only shown when it ends) and wait until it
# writes /tmp/host-NAME.done over SSH (renamed into place) (default 120 s).  Prints that file
# ("N passed, M failed"); fails when it does not come or M is not 0.
host_side() {
	rm -f "/tmp/host-$1.done"
	echo "xdpld-vm: $1: ssh ready" >/dev/console
	_i=0
	while [ ! -s "/tmp/host-$1.done" ]; do
		[ $_i -ge $((${2:-120} * 10)) ] && { echo "host side of $1: no word after ${2:-120}s"; return 1; }
		usleep 100000; _i=$((_i + 1))
	done
	echo "host side of $1: $(cat "/tmp/host-$1.done")"
	grep -q ' 0 failed$' "/tmp/host-$1.done"
}
# veth_netns NETNS_PID: the sender vethS in that namespace, the receiver
# vethR here (bpffs), both up with the corpus' MACs (vethR's is the packets'
# destination, so passed ones reach its stack), no IPv6 autoconfiguration
# chatter (only our packets cross the link).  XDP_TX out of vethR needs an
# XDP program (NAPI) on the peer: the sampler on vethS, attached by xdpld.
veth_netns() {
	veth_pair vethR vethS || fail "veth pair"
	ip link set vethS netns "$1"
	echo 1 >/proc/sys/net/ipv6/conf/vethR/disable_ipv6
	in_netns "$1" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/vethS/disable_ipv6'
	ip link set vethR address 02:00:00:00:01:01
	ip link set vethR up
	in_netns "$1" ip link set vethS address 02:00:00:00:01:02
	in_netns "$1" ip link set vethS up
	run in_netns "$1" "$XDPLD" attach vethS "$FW/sampler.o" --mode native
}
# veth_netns_del NETNS_PID: undo veth_netns (for cleanup: never fails).
veth_netns_del() {
	"$XDPLD" detach vethR >/dev/null 2>&1
	in_netns "$1" "$XDPLD" detach vethS >/dev/null 2>&1
	ip link del vethR 2>/dev/null
	netns_del "$1"
}

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
# rx_packets NETNS_PID IFACE: received packets from /proc/net/dev (sysfs
# shows the namespace it was mounted in).
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

# corpus_traffic RCV SND NETNS_PID [BEFORE]: sends $N of each corpus packet
# in $PKTS from SND (in the namespace, running the sampler) to RCV, which
# runs the sample pipeline (sampler, fw_acme, fw_bolt, lb).  RCV's counters
# per slot and verdict must then be what the corpus' per-module verdicts say
# (through the chain, continuing on pass), plus the slot_counters file
# BEFORE if given; the balancer's XDP_TX replies must come back to SND (its
# sampler passes each one and it receives nothing else).  Leaves want_snd:
# SND's counters after the replies.
corpus_traffic() {
	awk -v pkts="$(echo $PKTS)" -v n=$N '
	/^#/ { for (i = 3; i <= NF; i++) col[$i] = i - 1; next }
	{ v[$1] = $0 }
	END {
		split("aborted drop pass tx redirect", names, " ")
		nm = split("sampler fw_acme fw_bolt lb", m, " "); np = split(pkts, p, " ")
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
	}' "$TESTDIR/corpus/expected.txt" >sent
	grep -q missing sent && { cat sent; fail "corpus lacks packets"; }
	_tx=$(awk '$2 == "tx" { n += $3 } END { print n + 0 }' sent)
	[ "$_tx" -gt 0 ] || fail "no XDP_TX expected: wrong packet mix"
	if [ $# = 4 ]; then
		awk -v b="$4" 'FILENAME == b { c[FNR] = $3; next } { print $1, $2, $3 + c[FNR] }' "$4" sent >want
	else
		cp sent want
	fi
	_rx0=$(rx_packets "$3" "$2")
	run in_netns "$3" "$TESTDIR/pktsend" "$2" --count $N $(for _p in $PKTS; do echo "$TESTDIR/corpus/$_p.pkt"; done)
	cat out
	wait_counters "$1" want || fail "$1's counters per slot and verdict differ from what was sent"
	echo "$1 counted per slot and verdict what was sent ($N of each of $(echo $PKTS | wc -w) packets)"
	printf '0 aborted 0\n0 drop 0\n0 pass %s\n0 tx 0\n0 redirect 0\n' "$_tx" >want_snd
	wait_counters "$2" want_snd "$3" || fail "$2 did not get the $_tx XDP_TX packets back"
	_rx=$(($(rx_packets "$3" "$2") - _rx0))
	[ "$_rx" = "$_tx" ] || fail "$2 rx_packets grew by $_rx, want $_tx"
	echo "the $_tx XDP_TX replies came back to $2"
}

# skip WHY: end the scenario as skipped ("skipped on ARCH: WHY"), for what a
# router CPU's kernel lacks (no BTF, no trampolines).  Only outside x86_64:
# run-scenarios counts it as a failure in the x86_64 VM.
skip() {
	case $(uname -m) in mips*) _arch=mipsel ;; arm*l) _arch=armhf ;; *) _arch=$(uname -m) ;; esac
	echo "skipped on $_arch: $*"
	exit 77
}
