#!/bin/sh
# xdpld restore and the hotplug script: a pipeline comes back when its NIC
# does (veth deleted and re-created), from the same module files (checked
# by SHA-256), with the same entry programs, masks and mode, and with the
# module maps it kept in bpffs (a rule added with bpftool still drops real
# packets).  Restoring a running pipeline is a no-op; changed module files,
# foreign programs and missing NICs are refused; no state is a quiet no-op.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1	# every xdpld run fails (exit 70) on a leaked fd
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-rsnd-$$
RCV=xdpld-rrcv-$$
SD=/sys/fs/bpf/xdpld-t-restore-$$	# bpffs names must not contain dots
HOTPLUG=init/hotplug.d/net/30-xdpld
CORPUS=$TMP/corpus
netns_cleanup_trap "$SND" "$RCV" "$SD"

hotplug() {
	nsenter --net=/run/netns/"$RCV" env ACTION="$1" INTERFACE="$2" XDPLD="${3:-$XDPLD}" \
		XDPLD_STATE_DIR="$SD" sh "$HOTPLUG"
}
# veth s0 (sender) - r0 (receiver); deleting one end deletes both.
veth_up() {
	ip -n "$SND" link add s0 type veth peer name r0 netns "$RCV" &&
		ip -n "$SND" link set s0 up && ip -n "$RCV" link set r0 up
}
veth_gone() { ip -n "$SND" link del s0; }
setup() {
	ip netns add "$SND" && ip netns add "$RCV" || return 1
	for n in "$SND" "$RCV"; do
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	veth_up && "$TOOLS/pktcorpus" "$CORPUS" >/dev/null
}
if ! setup; then
	not_ok "restore: set up namespaces and veth"
	exit 0
fi
ok "restore: set up namespaces and veth"

rcv_prog_id() { ip -n "$RCV" -d link show r0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'; }
json() { X status "${IF:-r0}" --json >"$TMP/status.json" && jq -e "$@" "$TMP/status.json"; }
# What restore must bring back: everything but ids, time and counters.
shape() {
	X status "$1" --json | jq -ce '.interfaces[0] | {mode: .mode, backend: .backend,
		counters: .counters, slots: [.slots[] | del(.packets)], maps: [.maps[] | del(.id)]}'
}
map_id() { bpftool -j map show pinned "$SD/r0/$1" | jq -r .id; }
slot_drops_are() { X status r0 --json | jq -e ".interfaces[0].slots[$1].packets.drop == $2"; }
send_443() { ip netns exec "$SND" "$TOOLS/pktsend" s0 --count 5 "$CORPUS/ok_ipv4_tcp_443.pkt" >/dev/null; }

# ---- attach, and a rule added at runtime ----
check "attach: sampler, fw_acme, fw_bolt (fw_acme's mask from an option)" \
	X attach --backend static r0 "$FW/sampler.o" "$FW/fw_acme.o" "$FW/fw_bolt.o" --continue-on fw_acme=pass,tx
# fw_bolt drops TCP port 443 too: key {proto 6, pad, port 443 in host order}.
BOLT_KEY="6 0 187 1"
check "rule: added to fw_bolt-rules with bpftool" \
	bpftool map update pinned "$SD/r0/fw_bolt-rules" key $BOLT_KEY value 1 0 0 0
send_443
check "rule: fw_bolt drops port 443 (slot 2 dropped 5)" wait_for slot_drops_are 2 5
check "status: recorded before the NIC goes (3 slots, fw_acme's mask from the option)" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; }
	X status r0 --json | jq -e '.interfaces[0].slots | length == 3 and
	.[1].continue_on == [\"pass\",\"tx\"] and .[1].continue_from == \"option\"'"
shape r0 >"$TMP/shape.before"
bolt_id=$(map_id fw_bolt-rules)
old_prog=$(rcv_prog_id)

# ---- the NIC goes away and comes back ----
check "nic: veth pair deleted" veth_gone
check_fails "restore: a missing NIC is named" "interface 'r0' does not exist" X restore r0
check "nic: the state stays while the NIC is gone" test -e "$SD/r0/record" -a -e "$SD/r0/fw_bolt-rules"
check "nic: veth pair re-created with the same names" veth_up
check "status: the recorded pipeline does not run" \
	json '.interfaces[0] | .present and .kernel == null and (.matches | not)'
check_out "status (text): no XDP program attached" "kernel: no XDP program attached" X status r0
check_out "restore: re-attaches" "r0: pipeline of 3 modules restored in native mode" X restore r0
check "status: the restored pipeline runs" \
	json '.interfaces[0] | .matches and .kernel.prog_id == .prog_id and .kernel.mode == "native"'
new_prog=$(rcv_prog_id)
check "restore: a new program ($old_prog -> $new_prog)" test -n "$new_prog" -a "$new_prog" != "$old_prog"
shape r0 >"$TMP/shape.after"
check "status: same modules, paths, sha256, programs, masks (incl. the option), mode, maps" \
	sh -c "grep -q fw_bolt-rules $TMP/shape.before && cmp $TMP/shape.before $TMP/shape.after"
check "maps: fw_bolt-rules is the same map ($bolt_id) with the bpftool rule" \
	sh -c "[ \"\$(bpftool -j map show pinned $SD/r0/fw_bolt-rules | jq -r .id)\" = $bolt_id ] &&
	bpftool -j map lookup pinned $SD/r0/fw_bolt-rules key $BOLT_KEY | jq -e '.value != null'"
check "maps: counters start from zero" json '.interfaces[0].slots[0].packets.pass == 0'
send_443
check "rule: still drops port 443 after restore (slot 2 dropped 5)" wait_for slot_drops_are 2 5

# ---- nothing to do ----
check_out "restore: running pipeline is a no-op" "recorded pipeline runs already" X restore r0
check "restore: the program is unchanged" test "$(rcv_prog_id)" = "$new_prog"
check_out "restore: no state is a quiet success" "no pipeline recorded" X restore lo
check "restore: no state attached nothing" sh -c "! ip -n $RCV -d link show lo | grep -q prog/xdp"
check_fails "restore: bad interface name" "invalid interface name" X restore ../r0

# ---- a foreign program ----
veth_gone && veth_up
ip -n "$RCV" link set dev r0 xdpdrv obj "$FW/sampler.o" sec xdp
foreign=$(rcv_prog_id)
check_fails "restore: a foreign program is left alone without --force" \
	"'r0' already runs XDP program id $foreign .*--force" X restore r0
check "restore: the foreign program still runs" test "$(rcv_prog_id)" = "$foreign"
check "restore --force replaces it" X restore r0 --force
check "status: restored over the foreign program" json '.interfaces[0].matches'

# ---- the hotplug script ----
veth_gone
check "hotplug remove: does nothing, the state stays" sh -c \
	"ACTION=remove INTERFACE=r0 XDPLD=/bin/false XDPLD_STATE_DIR=$SD sh $HOTPLUG && test -e $SD/r0/record"
veth_up
check "hotplug add: restores" hotplug add r0
check "status: hotplug's pipeline runs, fw_bolt-rules kept ($bolt_id)" \
	sh -c "X() { nsenter --net=/run/netns/$RCV $XDPLD status r0 --json --state-dir $SD; }
	X | jq -e '.interfaces[0].matches' && [ \"\$(bpftool -j map show pinned $SD/r0/fw_bolt-rules | jq -r .id)\" = $bolt_id ]"
check "hotplug add: an interface without state does not even start xdpld" hotplug add lo /bin/false
check "hotplug add: without INTERFACE nothing happens" sh -c \
	"ACTION=add XDPLD=/bin/false XDPLD_STATE_DIR=$SD sh $HOTPLUG"
# A name with a dot (like a VLAN's): state directory r0%2e5; skb mode.
IF=r0.5
dotted_up() { ip -n "$RCV" link add r0.5 type veth peer name p5 && ip -n "$RCV" link set r0.5 up; }
dotted_up
check "dotted: attach sampler to r0.5 in skb mode" X attach --backend static r0.5 "$FW/sampler.o" --mode skb
check "dotted: the state directory is escaped" test -e "$SD/r0%2e5/record"
ip -n "$RCV" link del r0.5 && dotted_up
check "hotplug add r0.5: escaped state directory found, restored" hotplug add r0.5
check "status r0.5: runs again in skb mode" json '.interfaces[0] | .matches and .kernel.mode == "skb"'
IF=

# ---- a changed module file is refused ----
mkdir -p "$TMP/mods"
cp "$FW/fw_acme.o" "$TMP/mods/vendorfw.o"
check "changed: attach from a copy of fw_acme" X attach --backend static r0 "$FW/sampler.o" "$TMP/mods/vendorfw.o"
veth_gone && veth_up
cp "$FW/fw_bolt.o" "$TMP/mods/vendorfw.o"
rec_id=$(X status r0 --json | jq .interfaces[0].prog_id)
check_fails "changed: restore refuses, naming the module and attach" \
	"module vendorfw \(slot 1, $TMP/mods/vendorfw.o\) changed since it was attached.*xdpld attach" \
	X restore r0
check "changed: nothing attached, record unchanged" sh -c "[ -z \"\$(ip -n $RCV -d link show r0 |
	grep prog/xdp)\" ] && [ \"\$(nsenter --net=/run/netns/$RCV $XDPLD status r0 --json --state-dir $SD |
	jq .interfaces[0].prog_id)\" = $rec_id ]"
check_fails "changed: hotplug add fails as well" "changed since it was attached" hotplug add r0
rm "$TMP/mods/vendorfw.o"
check_fails "changed: a missing module file is named" "vendorfw.o: No such file" X restore r0
cp "$FW/fw_acme.o" "$TMP/mods/vendorfw.o"
check "changed: the original bytes restore again" X restore r0
# A pipeline from the manifest: apply takes the new version, not attach.
printf "config module 'vendorfw'\n\toption object '%s'\nconfig pipeline 'wan'\n\toption device 'r0'\n\toption backend 'static'\n\tlist module 'vendorfw'\n" \
	"$TMP/mods/vendorfw.o" >"$TMP/xdpld"
check "changed (manifest): apply the same module from a manifest" X apply -c "$TMP/xdpld"
veth_gone && veth_up
cp "$FW/fw_bolt.o" "$TMP/mods/vendorfw.o"
check_fails "changed (manifest): restore refuses, naming the pipeline and apply, not attach" \
	"module vendorfw \(slot 0, $TMP/mods/vendorfw.o\) changed since it was applied.*pipeline 'wan' comes from the manifest: run 'xdpld apply'" \
	X restore r0
check "changed (manifest): ... and does not say attach" sh -c \
	"! nsenter --net=/run/netns/$RCV $XDPLD restore r0 --state-dir $SD 2>&1 | grep -q 'xdpld attach'"
cp "$FW/fw_acme.o" "$TMP/mods/vendorfw.o"
check "changed (manifest): the original bytes restore again" X restore r0
check "changed (manifest): back to the pipeline attached by hand" sh -c \
	"X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; }; X detach r0 &&
	X attach --backend static r0 $FW/sampler.o $TMP/mods/vendorfw.o"

# ---- a tampered record (untrusted: a bad entry is skipped, with a warning) ----
MODS="$FW/sampler.o $TMP/mods/vendorfw.o"
PIN_RE='s/^\(map\.[0-9]*\.pin=\)vendorfw-rules$/\1'
check "record: a pin name bpffs refuses written into the record" craft_record "$SD/r0/record" "${PIN_RE}bad.name/"
check_out "record: attach warns, naming the record and key, and goes on" \
	"record $SD/r0/record: ignoring map\.[0-9]+\.pin 'bad\.name': not a valid pin name" X attach --backend static r0 $MODS
check "record: the map pin is back under its stable name" test -e "$SD/r0/vendorfw-rules"
check "record: a pin name of 100 characters written into the record" \
	craft_record "$SD/r0/record" "${PIN_RE}$(printf 'a%.0s' $(seq 100))/"
check_out "record: attach warns about the long pin name" \
	"record $SD/r0/record: ignoring map\.[0-9]+\.pin: too long" X attach --backend static r0 $MODS
check "record: bad.name again, and the NIC goes and comes back" \
	sh -c "ip -n $SND link del s0 && ip -n $SND link add s0 type veth peer name r0 netns $RCV &&
	ip -n $SND link set s0 up && ip -n $RCV link set r0 up"
craft_record "$SD/r0/record" "${PIN_RE}bad.name/"
check_out "record: restore warns and restores" \
	"record $SD/r0/record: ignoring map\.[0-9]+\.pin 'bad\.name'" X restore r0
check "record: the restored pipeline runs" json '.interfaces[0].matches'
# Maps of an offloaded pipeline are not kept for a host one (and back).
fw_id=$(map_id vendorfw-rules)
check "record: mode=hw written into the record" craft_record "$SD/r0/record" 's/^mode=native$/mode=hw/'
check_out "record: after hw mode no map is kept, and attach says why" \
	"maps are offloaded to the NIC \(hw mode\), this one's in host memory" X attach --backend static r0 $MODS
check "record: vendorfw-rules is a new map" test "$(map_id vendorfw-rules)" != "$fw_id"
check "detach" X detach r0
