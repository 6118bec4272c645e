#!/bin/sh
# Remote management over SSH, the guest's half: the router's SSH server
# (dropbear, started at boot) listens on the management NIC, and the host
# side, test-vm/host/ssh_manage.sh, drives xdpld from the host through it
# (upload a manifest, check, apply, status --json parsed with jq; a broken
# manifest refused).  This side checks the server and the NIC, hands over
# (host_side: a marker on the console, then wait for the host's word), and
# afterwards checks what only the guest sees: syslog has what xdpld said
# over SSH, and the host left the boot's pipeline running.
set -eu
. "$TESTDIR/lib.sh"

fail() { echo "FAIL: $*"; exit 1; }
run() { "$@" >out 2>&1 || { cat out; fail "$*"; }; }

pid=$(cat /var/run/dropbear.pid 2>/dev/null) && kill -0 "$pid" 2>/dev/null ||
	fail "dropbear is not running (/etc/init.d/dropbear)"
netstat -tln | grep -q ':22 .*LISTEN' || { netstat -tln; fail "nothing listens on port 22"; }
ip addr show mgmt 2>/dev/null | grep -q 'inet 10\.0\.2\.15/24' || { ip addr; fail "mgmt has no 10.0.2.15/24"; }
[ -s /root/.ssh/authorized_keys ] || fail "no /root/.ssh/authorized_keys"
echo "dropbear (pid $pid) listens on port 22, mgmt is 10.0.2.15/24"

# Put the boot's pipeline back whatever the host did.
trap '"$XDPLD" apply >/dev/null 2>&1' EXIT
logread >log0.txt
host_side ssh_manage 90 || fail "the host side failed or did not finish"

# xdpld's messages when the host ran it over SSH (stderr no terminal) went
# to syslog: the broken manifest's error, with its FILE:LINE.
logread >log1.txt
awk 'NR == FNR { seen[$0] = 1; next } !($0 in seen)' log0.txt log1.txt >new.txt
grep -q 'dropbear.*Pubkey auth succeeded for .root.' new.txt || { cat new.txt; fail "no SSH login in syslog"; }
grep -q 'xdpld\[[0-9]*\]: /tmp/broken\.conf:[0-9]*: ' new.txt ||
	{ cat new.txt; fail "syslog lacks xdpld's error about /tmp/broken.conf"; }
echo "syslog: $(grep -m 1 'xdpld\[[0-9]*\]: /tmp/broken' new.txt | sed 's/.*xdpld\[[0-9]*\]: //')"

"$XDPLD" status wan0 --json >status.json 2>&1 || { cat status.json; fail "status wan0"; }
for want in '"matches": true' '"managed": true' '"pipeline": "wan"' \
	"\"module\": \"fw\", \"path\": \"$FW/fw_acme.o\""; do
	grep -q -- "$want" status.json || { cat status.json; fail "after the host side: status lacks $want"; }
done
echo "the host left /etc/config/xdpld's pipeline running on wan0"
