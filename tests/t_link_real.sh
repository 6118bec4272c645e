#!/bin/sh
# Linking real objects (issue 20, point 9), with libbpf 1.x (progtags,
# progrun, bpftool) as the reference:
#  - SEC("?xdp") (autoload_off: xdp_on in "xdp", xdp_off in "?xdp") is an
#    xdp section whose program loads only when asked for by name, as libbpf
#    does; verify, run, inspect, link and attach;
#  - link's output has section names libbpf 1.x takes: a legacy section
#    read with --type xdp, or an old "xdp/NAME", is linked into "xdp";
#  - two modules with one file name (vendors' xdp_prog_kern.o) are named
#    apart with NAME=OBJ; their pins follow the names;
#  - --prefix OBJ=pc is separated as the automatic prefix: pc_rules.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-lsnd-$$
RCV=xdpld-lrcv-$$
SD=/sys/fs/bpf/xdpld-t-linkreal-$$
PIN=/sys/fs/bpf/xdpld-t-linkreal-pin-$$
CORPUS=$TMP/corpus
netns_cleanup_trap "$SND" "$RCV" "$SD" "$PIN"

AO=$(realpath "$TBPF/autoload_off.o")
LEG=$(realpath "$TBPF/legacy_sec.o")
PASS=$(realpath "$TBPF/verdict_pass.o")
mkdir -p "$TMP/a" "$TMP/b"
cp "$FW/fw_acme.o" "$TMP/a/xdp_prog_kern.o"
cp "$FW/fw_bolt.o" "$TMP/b/xdp_prog_kern.o"
KA=$TMP/a/xdp_prog_kern.o
KB=$TMP/b/xdp_prog_kern.o
"$TOOLS/pktcorpus" "$CORPUS" >/dev/null
PKT=$CORPUS/ok_ipv4_tcp_443.pkt

inspect_json() { "$XDPLD" inspect -j "$1" | jq -e "$2"; }
# loadall OBJ: bpftool (libbpf 1.1 on bookworm) loads every program of OBJ
# without a type option.
loadall() {
	rm -rf "$PIN"
	bpftool prog loadall "$1" "$PIN" && ls "$PIN"
	_rc=$?
	rm -rf "$PIN"
	return $_rc
}

# ---- SEC("?xdp"): autoload off ----
check "?xdp: verify loads what libbpf loads (xdp_on, not xdp_off)" same_tags_as_libbpf "$AO"
check_out "?xdp: run names xdp_off: it loads (libbpf: autoload on)" "XDP_DROP" \
	"$XDPLD" run "$AO" xdp_off "$PKT"
check_out "?xdp: libbpf runs it the same way" "XDP_DROP" "$TOOLS/progrun" "$AO" xdp_off "$PKT"
check_out "?xdp: run xdp_on" "XDP_PASS" "$XDPLD" run "$AO" xdp_on "$PKT"
check "?xdp: inspect -j says autoload false, true for the other" inspect_json "$AO" \
	'[.programs[] | {(.name): .autoload}] | add == {"xdp_on": true, "xdp_off": false}'
check_out "?xdp: inspect text shows autoload=false" "xdp_off section=\\?xdp .* autoload=false" \
	"$XDPLD" inspect "$AO"
check "?xdp: link keeps the section" sh -c \
	"'$XDPLD' link -o '$TMP/ao.o' '$AO' '$PASS' && '$XDPLD' inspect -j '$TMP/ao.o' |
	 jq -e '[.programs[] | select(.name == \"xdp_off\")][0].section == \"?xdp\"'"
check "?xdp: the linked object loads as libbpf loads it" same_tags_as_libbpf "$TMP/ao.o"
check_fails "verify --type ?xdp is no type" "unknown program type '\\?xdp'" \
	"$XDPLD" verify "$LEG" --type '?xdp'

# ---- libbpf 1.x section names in link's output ----
check "--type xdp: libbpf 1.x does not load the legacy object itself (control)" \
	sh -c "! bpftool prog loadall '$LEG' '$PIN' 2>/dev/null; rm -rf '$PIN'"
check "link --type xdp: the legacy section is linked into 'xdp'" sh -c \
	"'$XDPLD' link -o '$TMP/leg.o' '$LEG' --type xdp &&
	 '$XDPLD' inspect -j '$TMP/leg.o' | jq -e '[.programs[].section] == [\"xdp\"]'"
check "link --type xdp: bpftool prog loadall (libbpf 1.1) loads the output, no type option" \
	loadall "$TMP/leg.o"
check "link --type xdp: same programs as libbpf, same tags" same_tags_as_libbpf "$TMP/leg.o"
check_out "link --type xdp: the output runs without the option" "XDP_DROP" \
	"$XDPLD" run "$TMP/leg.o" legacy_drop "$PKT"
check "link --type xdp with an 'xdp' object: one section, both programs" sh -c \
	"'$XDPLD' link -o '$TMP/leg2.o' '$PASS' '$LEG' --type xdp &&
	 '$XDPLD' inspect -j '$TMP/leg2.o' | jq -e '[.programs[].section] == [\"xdp\", \"xdp\"]'"
check "link --type xdp with an 'xdp' object: bpftool loads both" loadall "$TMP/leg2.o"
check "link --type xdp with an 'xdp' object: libbpf's tags" same_tags_as_libbpf "$TMP/leg2.o"
check_out "link --type xdp with an 'xdp' object: the legacy program still drops" "XDP_DROP" \
	"$TOOLS/progrun" "$TMP/leg2.o" legacy_drop "$PKT"

# ---- --prefix: separated as the automatic prefix ----
check "link --prefix OBJ=pc gives pc_rules (and the other file's prefix)" sh -c \
	"'$XDPLD' link -o '$TMP/p.o' '$FW/fw_acme.o' '$FW/fw_bolt.o' --prefix fw_acme.o=pc \
	 --map-file '$TMP/p.names' && grep -qw pc_rules '$TMP/p.names' && grep -qw fw_bolt_rules '$TMP/p.names'"
check "link --prefix OBJ=pc_ is kept as it is" sh -c \
	"'$XDPLD' link -o '$TMP/p.o' '$FW/fw_acme.o' '$FW/fw_bolt.o' --prefix fw_acme.o=pc_ \
	 --map-file '$TMP/p.names' && grep -qw pc_rules '$TMP/p.names' && ! grep -q pc__ '$TMP/p.names'"

# ---- two modules with one file name ----
check "link: two xdp_prog_kern.o link (numbered prefixes)" \
	"$XDPLD" link -o "$TMP/k.o" "$KA" "$KB"

if ! veth_netns_pair "$SND" "$RCV"; then
	not_ok "link_real: set up namespaces and veth"
	exit 0
fi
ok "link_real: set up namespaces and veth"
json() { X status r0 --json >"$TMP/status.json" && jq -e "$@" "$TMP/status.json"; }
nothing_runs() { ! ip -n "$RCV" link show r0 | grep -q prog/xdp && [ ! -e "$SD/r0" ]; }
send() { in_snd "$TOOLS/pktsend" s0 --count "$1" "$PKT" >/dev/null; }
tailcall=false
"$XDPLD" probe | grep -q '^tailcall *yes' && tailcall=true

check_fails "attach: two modules named after one file name, refused with the way out" \
	"both named 'xdp_prog_kern'.*NAME=OBJ" X attach r0 "$KA" "$KB" --backend static
check_fails "attach: --prefix for each does not name them" "NAME=OBJ" \
	X attach r0 "$KA" "$KB" --backend static --prefix "$KA=acme" --prefix "$KB=bolt"
check_fails "attach: --prefix by the shared file name is ambiguous" \
	"'xdp_prog_kern.o' is the file of modules acme and bolt: use the module name" \
	X attach r0 acme="$KA" bolt="$KB" --backend static --prefix xdp_prog_kern.o=x
check_fails "attach: a bad module name" "bad module name '1x'" \
	X attach r0 1x="$KA" --backend static
check "attach without a module is still a usage error (exit 2)" sh -c \
	"'$XDPLD' attach r0 --state-dir '$SD' >/dev/null 2>&1; [ \$? = 2 ]"
check "attach: refusals changed nothing" nothing_runs
check "attach acme=OBJ bolt=OBJ --prefix acme=pc (static)" \
	X attach r0 acme="$KA" bolt="$KB" --backend static --prefix acme=pc
check "status: the modules have their names, the prefix as given" json \
	'.interfaces[0] | [.slots[].module] == ["acme", "bolt"] and .slots[0].prefix == "pc"'
check "pins are named after the modules" sh -c "[ -e '$SD/r0/acme-rules' ] && [ -e '$SD/r0/bolt-rules' ]"
check "the prefixed map is pc_rules (separator added)" json \
	'[.interfaces[0].maps[] | select(.pin | endswith("/acme-rules")) | .name] == ["pc_rules"]'
send 10
check "traffic: both firewalls pass" wait_for json \
	'.interfaces[0].slots | (.[0].packets.pass == 10 and .[1].packets.pass == 10)'
ip -n "$RCV" link set r0 xdp off
check "restore: the named modules come back" X restore r0
check "restore: same names and pins" json \
	'.interfaces[0] | .matches and [.slots[].module] == ["acme", "bolt"]'
X detach r0 >/dev/null 2>&1

# ---- attach a "?xdp" program ----
check "attach OBJ: the autoload program is the entry" X attach r0 "$AO" --backend static
check "attach OBJ: slot runs xdp_on" json '.interfaces[0].slots[0].prog == "xdp_on"'
X detach r0 >/dev/null 2>&1
backends="static chain"
$tailcall && backends="$backends tailcall"
"$XDPLD" probe | grep -q '^freplace *yes' && backends="$backends freplace"
for b in $backends; do
	check "attach OBJ:xdp_off ($b): named, it loads" X attach r0 "$AO:xdp_off" --backend $b
	send 10
	check "attach OBJ:xdp_off ($b): it drops" wait_for json \
		'.interfaces[0].slots[0] | .prog == "xdp_off" and .packets.drop == 10'
	X detach r0 >/dev/null 2>&1
done
$tailcall || skip "attach OBJ:xdp_off (tailcall): this kernel's JIT does not allow tail calls from subprograms"
