#!/bin/sh
# The VM's network plumbing that attach scenarios build on: bpffs, the two
# virtio NICs (joined by a qemu hub, nothing leaves the VM), veth pairs and
# network namespaces, with ping across each.
set -e
. "$TESTDIR/lib.sh"
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || { echo "bpffs not mounted"; exit 1; }
for nic in eth0 eth1; do
	[ -e /sys/class/net/$nic ] || { echo "no NIC $nic"; exit 1; }
	readlink /sys/class/net/$nic/device/driver | grep -q virtio_net ||
		{ echo "$nic is not virtio_net"; exit 1; }
done

ns=$(netns_new)
trap 'netns_del $ns' EXIT
ip link set eth1 netns "$ns"
ip addr add 192.0.2.1/24 dev eth0 && ip link set eth0 up
in_netns "$ns" ip addr add 192.0.2.2/24 dev eth1
in_netns "$ns" ip link set eth1 up
ping -c 1 -W 5 192.0.2.2
echo "virtio eth0 <-> eth1 works"

veth_pair vh0 vp0
ip link set vp0 netns "$ns"
ip addr add 198.51.100.1/24 dev vh0 && ip link set vh0 up
in_netns "$ns" ip addr add 198.51.100.2/24 dev vp0
in_netns "$ns" ip link set vp0 up
ping -c 1 -W 5 198.51.100.2
echo "veth vh0 <-> vp0 works"
