#!/bin/sh
# A pipeline comes back with its NIC: xdpld attaches sampler + fw_bolt to a
# veth, the veth pair is deleted (the kernel drops the program, the state in
# bpffs stays) and re-created, and the installed hotplug script
# /etc/hotplug.d/net/30-xdpld, sourced in a subshell as OpenWrt's
# hotplug-call does, restores it with the module maps kept.
set -eu
. "$TESTDIR/lib.sh"
HOTPLUG=/etc/hotplug.d/net/30-xdpld

fail() { echo "FAIL: $*"; exit 1; }
run() { "$@" >out 2>&1 || { cat out; fail "$*"; }; }
# hotplug ACTION IFACE: what hotplug-call does for one script.
hotplug() { (ACTION=$1 INTERFACE=$2; export ACTION INTERFACE; . "$HOTPLUG"); }
status_json() { "$XDPLD" status vethH --json >status.json 2>&1 || { cat status.json; fail "status"; }; }
bolt_rules_id() { sed -n 's/.*"pin": "[^"]*\/fw_bolt-rules", "id": \([0-9]*\).*/\1/p' status.json; }
pair_up() {
	veth_pair vethH vethP || fail "veth pair"
	ip link set vethH up && ip link set vethP up
}

[ -f "$HOTPLUG" ] || fail "$HOTPLUG is not installed"
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || fail "bpffs not mounted"
cleanup() { set +e; "$XDPLD" detach vethH --force >/dev/null 2>&1; ip link del vethH 2>/dev/null; }
trap cleanup EXIT

pair_up
run "$XDPLD" attach vethH "$FW/sampler.o" "$FW/fw_bolt.o" --mode native
status_json
grep -q '"matches": true' status.json || { cat status.json; fail "not running after attach"; }
bolt_id=$(bolt_rules_id)
[ -n "$bolt_id" ] || { cat status.json; fail "no fw_bolt-rules map in status"; }
echo "attached sampler + fw_bolt to vethH (fw_bolt-rules is map $bolt_id)"

ip link del vethH
run hotplug remove vethH
[ -e /sys/fs/bpf/xdpld/vethH/record ] || fail "the state went with the NIC"
pair_up
status_json
grep -q '"matches": false' status.json || { cat status.json; fail "status says it runs on the new veth"; }
grep -q '"kernel": null' status.json || { cat status.json; fail "the new veth has a program"; }
echo "veth re-created: the state stayed, no program runs"

run hotplug add vethP	# no state: nothing to do
run hotplug add vethH
status_json
grep -q '"matches": true' status.json || { cat status.json; fail "hotplug did not restore"; }
grep -q '"kernel": {"prog_id": [0-9]*, "mode": "native"}' status.json ||
	{ cat status.json; fail "not native after restore"; }
[ "$(bolt_rules_id)" = "$bolt_id" ] || { cat status.json; fail "fw_bolt-rules is a new map"; }
echo "hotplug add restored the pipeline in native mode, fw_bolt-rules kept (map $bolt_id)"
run "$XDPLD" restore vethH
grep -q 'runs already' out || { cat out; fail "second restore did something"; }
run "$XDPLD" detach vethH
