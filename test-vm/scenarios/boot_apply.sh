#!/bin/sh
# The boot applied the manifest: /etc/init.d/board made the WAN port wan0
# (a veth, its peer wan0p is the "cable") and S25xdpld's start ran `xdpld
# apply` on /etc/config/xdpld.  Before any xdpld command that changes
# something: the 'wan' pipeline (sampler, fw, ddos, lb; freplace, which
# auto picks here) runs on wan0, marked as the manifest's, and syslog has
# the apply's messages.  Corpus packets sent from wan0p (moved into a
# netns) get the modules' verdicts, counted per slot, XDP_TX replies come
# back.  Then the operator's paths: `/etc/init.d/xdpld reload` after
# pointing module fw at another build re-links slot 1 only; a second
# reload changes nothing; wan0 deleted and re-created gets its pipeline
# from the hotplug script (apply --device); `/etc/init.d/xdpld stop`
# detaches it.  /etc/config/xdpld and the boot's pipeline are put back at
# the end (the scenarios share one boot).
set -eu
. "$TESTDIR/lib.sh"
CONF=/etc/config/xdpld
INIT=/etc/init.d/xdpld
HOTPLUG=/etc/hotplug.d/net/30-xdpld
V1=$FW/fw_acme.o
V2=$TESTDIR/relink_fw_v2.o
N=20	# copies of each packet, as attach_pipeline
PKTS="acme_drop_ipv4_src acme_drop_ipv6_src bolt_drop_tcp_23 bolt_drop_udp_2323
lb_vip_tcp_80 lb_vip6_udp_80 ok_ipv4_tcp_443 ok_ipv6_udp_53"

fail() { echo "FAIL: $*"; exit 1; }
# run CMD...: runs CMD, shows its output only when it fails.
run() { "$@" >out 2>&1 || { cat out; fail "$*"; }; }
# hotplug ACTION IFACE: what OpenWrt's hotplug-call does for one script.
hotplug() { (ACTION=$1 INTERFACE=$2; export ACTION INTERFACE; . "$HOTPLUG"); }

# status: `xdpld status wan0 --json` into status.json, and one line per
# slot into slots.txt: "index module prog_id relinks path".
status() {
	"$XDPLD" status wan0 --json >status.json 2>&1 || { cat status.json; fail "xdpld status wan0 --json"; }
	awk '{
		n = split($0, s, /\{"index": /)
		for (i = 2; i <= n; i++) {
			idx = s[i]; sub(/,.*/, "", idx); line = idx
			split("module prog_id relinks path", f, " ")
			for (k = 1; k <= 4; k++) {
				v = "?"
				if (match(s[i], "\"" f[k] "\": \"?[^\",]*"))
					{ v = substr(s[i], RSTART, RLENGTH); sub(/.*: "?/, "", v) }
				line = line " " v
			}
			print line
		}
	}' status.json >slots.txt
}
has() {	# has PATTERN...: status.json has every grep PATTERN
	for _p in "$@"; do grep -q -- "$_p" status.json || { cat status.json; fail "status --json lacks $_p"; }; done
}
rootlet_id() { sed -n 's/.*"prog_id": \([0-9]*\), "matches": true.*/\1/p' status.json; }
slot_field() { awk -v i="$1" -v f="$2" '$1 == i { print $f }' slots.txt; }	# INDEX FIELD#
slot_ids() { awk '{ printf "%s%s", (NR > 1 ? " " : ""), $3 }' slots.txt; }

grep -q ' /sys/fs/bpf bpf ' /proc/mounts || fail "bpffs not mounted"
# The manifest says backend auto: freplace in the x86_64 VM, on a router
# CPU's kernel whatever `xdpld probe` picks there.
BACKEND=freplace
[ "$(uname -m)" = x86_64 ] || BACKEND=$("$XDPLD" probe | awk '$1 == "auto" { print $2 }')
[ -e /sys/class/net/wan0 ] && [ -e /sys/class/net/wan0p ] || fail "the board made no wan0/wan0p"
[ -x /etc/rc.d/S25xdpld ] || fail "xdpld is not enabled (/etc/rc.d/S25xdpld)"

# ---- what the boot left: nothing run here changes anything yet ----
status
has '"matches": true' '"kernel": {"prog_id": [0-9]*, "mode": "native"}' '"managed": true' \
	'"pipeline": "wan"' "\"backend\": \"$BACKEND\"" '"counters": true'
mods=$(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }' slots.txt)
[ "$mods" = "sampler fw ddos lb" ] || { cat slots.txt; fail "modules '$mods', want 'sampler fw ddos lb'"; }
[ "$(slot_field 1 5)" = "$V1" ] || { cat slots.txt; fail "slot 1 is not $V1"; }
boot_id=$(rootlet_id)
echo "boot: pipeline 'wan' (sampler fw ddos lb, $BACKEND, native) runs on wan0, rootlet $boot_id, managed"
logread >log.txt
grep -q "init: /etc/rc.d/S25xdpld: xdpld: wan0: pipeline of 4 modules .* (program id $boot_id)\$" log.txt ||
	{ grep -i xdpld log.txt; fail "logread has no boot apply message for rootlet $boot_id"; }
echo "logread: $(grep -m 1 'S25xdpld: .*wan0' log.txt | sed 's/.*init: //')"

# ---- traffic from the WAN side: wan0p into a netns, with the sampler on it ----
# (XDP_TX out of wan0 needs an XDP program, NAPI, on the peer.)
ns=$(netns_new)
[ -n "$ns" ] || fail "no network namespace"
conf_saved=
cleanup() {
	set +e
	if [ -n "$ns" ]; then
		in_netns "$ns" "$XDPLD" detach wan0p >/dev/null 2>&1
		in_netns "$ns" ip link set wan0p netns 1 2>/dev/null	# back, or the netns takes wan0 along
		netns_del "$ns"
	fi
	[ -n "$conf_saved" ] && cp conf.orig "$CONF"
	[ -e /sys/class/net/wan0 ] || /etc/init.d/board start
	echo 1 >/proc/sys/net/ipv6/conf/wan0p/disable_ipv6
	ip link set wan0p up
	"$INIT" start >/dev/null 2>&1	# the boot's pipeline again
}
trap cleanup EXIT
ip link set wan0p netns "$ns"
in_netns "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/wan0p/disable_ipv6'
in_netns "$ns" ip link set wan0p up
run in_netns "$ns" "$XDPLD" attach wan0p "$FW/sampler.o" --mode native

# The corpus' verdicts counted per slot on top of what the boot counted so
# far, the XDP_TX replies back to wan0p (as attach_pipeline).
slot_counters wan0 >before
grep -q '?' before && { cat status.wan0; fail "no counters in status"; }
corpus_traffic wan0 wan0p "$ns" before
run in_netns "$ns" "$XDPLD" detach wan0p
run in_netns "$ns" ip link set wan0p netns 1
netns_del "$ns"
ns=
echo 1 >/proc/sys/net/ipv6/conf/wan0p/disable_ipv6
ip link set wan0p up

# ---- reload after pointing module fw at another build: slot 1 re-linked ----
status
ids0=$(slot_ids)
cp "$CONF" conf.orig
conf_saved=1
sed "/^config module 'fw'/,/^config / s|^\([[:space:]]*option object \).*|\1'$V2'|" conf.orig >"$CONF"
grep -q "option object '$V2'" "$CONF" || { cat "$CONF"; fail "editing $CONF"; }
[ "$(awk 'NR == FNR { a[FNR] = $0; n = FNR; next } a[FNR] != $0 { d++ } END { print d + (FNR != n) }' \
	conf.orig "$CONF")" = 1 ] || { diff conf.orig "$CONF"; fail "the edit changed more than one line"; }
run "$XDPLD" apply --dry-run
grep -qx "wan0: relink slot 1 (fw): $V2:xdp_firewall" out || { cat out; fail "apply --dry-run: no 'relink slot 1'"; }
run "$INIT" reload
cat out
status
has '"matches": true' '"managed": true' '"pipeline": "wan"'
[ "$(rootlet_id)" = "$boot_id" ] || { cat status.json; fail "reload replaced the rootlet ($boot_id)"; }
set -- $ids0
[ "$(slot_field 0 3) $(slot_field 2 3) $(slot_field 3 3)" = "$1 $3 $4" ] ||
	{ cat slots.txt; fail "reload changed slots 0, 2 or 3 (were $ids0)"; }
[ "$(slot_field 1 3)" != "$2" ] || { cat slots.txt; fail "slot 1 still runs program $2"; }
[ "$(slot_field 1 5) $(slot_field 1 4)" = "$V2 1" ] || { cat slots.txt; fail "slot 1 is not $V2 after 1 re-link"; }
echo "reload re-linked slot 1 only: program $2 -> $(slot_field 1 3); rootlet $boot_id, slots 0, 2, 3 ($1 $3 $4) kept"

# ---- the same manifest again: nothing changes ----
ids1=$(slot_ids)
run "$XDPLD" apply --dry-run
grep -qx "wan0: unchanged (rootlet program id $boot_id)" out || { cat out; fail "apply --dry-run: not unchanged"; }
run "$INIT" reload
status
[ "$(rootlet_id) $(slot_ids) $(slot_field 1 4)" = "$boot_id $ids1 1" ] ||
	{ cat slots.txt; fail "a second reload changed something (was rootlet $boot_id, slots $ids1)"; }
echo "a second reload changed nothing (rootlet $boot_id, slots $ids1)"

# ---- the NIC goes and comes back: hotplug applies its pipeline ----
ip link del wan0
run hotplug remove wan0
run /etc/init.d/board start
[ -e /sys/class/net/wan0 ] || fail "/etc/init.d/board start did not re-create wan0"
status
has '"kernel": null' '"matches": false'
run hotplug add wan0
status
has '"matches": true' '"kernel": {"prog_id": [0-9]*, "mode": "native"}' '"managed": true' \
	'"pipeline": "wan"' "\"backend\": \"$BACKEND\""
[ "$(slot_field 1 5)" = "$V2" ] || { cat slots.txt; fail "after hotplug slot 1 is not $V2"; }
echo "wan0 re-created: hotplug add gave it the manifest's pipeline (rootlet $(rootlet_id), native)"

# ---- stop: detached ----
run "$INIT" stop
[ ! -e /sys/fs/bpf/xdpld/wan0 ] || fail "stop left /sys/fs/bpf/xdpld/wan0"
if "$XDPLD" status wan0 --json >out 2>&1; then cat out; fail "status wan0 after stop succeeded"; fi
# busybox ip shows no XDP: a first (never replacing) attach proves nothing runs.
run "$XDPLD" attach wan0 "$FW/sampler.o" --mode native
run "$XDPLD" detach wan0
echo "/etc/init.d/xdpld stop detached it: wan0 runs no XDP program"

# ---- back to the boot's state ----
cp conf.orig "$CONF"
conf_saved=
run "$INIT" start
status
has '"matches": true' '"managed": true' '"pipeline": "wan"'
[ "$(slot_field 1 5)" = "$V1" ] || { cat slots.txt; fail "after start slot 1 is not $V1"; }
echo "$CONF restored; start attached the pipeline again (rootlet $(rootlet_id))"
