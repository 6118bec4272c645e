# Helpers for VM scenarios: . "$TESTDIR/lib.sh".  busybox has no `ip netns`,
# so a namespace is held by a sleeping process and entered with nsenter.

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
