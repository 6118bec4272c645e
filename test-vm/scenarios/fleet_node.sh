#!/bin/sh
# scenario-timeout: 600
# scenario-all: no
# One router of a fleet, the guest's half of test-vm/fleet.sh (which boots
# two VMs with this scenario and drives both at once with Ansible over SSH,
# contrib/ansible/).  This side checks the SSH server, hands over
# (host_side: "xdpld-vm: fleet_node: ssh ready" on the console, then waits
# for the host's word in /tmp/host-fleet_node.done) and afterwards checks
# what the router itself sees: what runs on wan0 is what /etc/config/xdpld
# says (the fleet's last manifest, or the one a roll-back put back).
# Alone (`test-vm/run.sh fleet_node`) nobody answers and it fails.
set -eu
. "$TESTDIR/lib.sh"

fail() { echo "FAIL: $*"; exit 1; }

pid=$(cat /var/run/dropbear.pid 2>/dev/null) && kill -0 "$pid" 2>/dev/null ||
	fail "dropbear is not running (/etc/init.d/dropbear)"
netstat -tln | grep -q ':22 .*LISTEN' || { netstat -tln; fail "nothing listens on port 22"; }
echo "dropbear (pid $pid) listens on port 22"

host_side fleet_node 540 || fail "the fleet driver failed or did not finish"

"$XDPLD" check >check.out 2>&1 || { cat check.out; fail "xdpld check of /etc/config/xdpld"; }
"$XDPLD" status wan0 --json >status.json 2>&1 || { cat status.json; fail "status wan0"; }
for want in '"matches": true' '"managed": true' '"pipeline": "wan"'; do
	grep -q -- "$want" status.json || { cat status.json; fail "after the fleet runs: status lacks $want"; }
done
echo "wan0 runs what /etc/config/xdpld says ($(grep -c . /etc/config/xdpld) lines; previous kept: $([ -f /etc/config/xdpld.prev ] && echo yes || echo no))"
