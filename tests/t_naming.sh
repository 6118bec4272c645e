#!/bin/sh
# Naming options of a pipeline (issue 10, bug 8) and the section-type
# override.  name_fw and name_lb collide after automatic renaming (name_fw's
# `hits` becomes name_fw_hits, which name_lb defines itself), so attach
# fails until --prefix or --rename settles it, like link; each module passes
# only while it sees its own values, so a wrong resolution shows as drops
# in the slot counters on real packets.  legacy_sec has its program in the
# legacy section "xdp_legacy": --type xdp (manifest: option type) reads it
# as xdp/xdp_legacy in link, verify, run, attach and apply (link's output
# has it in section xdp, see t_link_real).  The rules are
# recorded: restore, relink and status keep and show them; the record
# reader refuses a tampered rule.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-nsnd-$$
RCV=xdpld-nrcv-$$
SD=/sys/fs/bpf/xdpld-t-naming-$$
CORPUS=$TMP/corpus
M=$TMP/xdpld
netns_cleanup_trap "$SND" "$RCV" "$SD"

if ! veth_netns_pair "$SND" "$RCV"; then
	not_ok "naming: set up namespaces and veth"
	exit 0
fi
ok "naming: set up namespaces and veth"

NFW=$(realpath "$TBPF/name_fw.o")
NLB=$(realpath "$TBPF/name_lb.o")
LEG=$(realpath "$TBPF/legacy_sec.o")
PKT=$CORPUS/ok_ipv4_tcp_443.pkt
json() { X status r0 --json >"$TMP/status.json" && jq -e "$@" "$TMP/status.json"; }
nothing_runs() { ! ip -n "$RCV" link show r0 | grep -q prog/xdp && [ ! -e "$SD/r0" ]; }
# counters_after N EXPR: send N packets, then EXPR holds on the interface's status.
send() { in_snd "$TOOLS/pktsend" s0 --count "$1" "$PKT" >/dev/null; }

# ---- link: the collision, and what settles it ----
check_fails "link: automatic renames collide, naming both objects" \
	"name_fw_hits.*name_fw.o.*collide.*name_lb.o.*--prefix" \
	"$XDPLD" link -o "$TMP/x.o" "$NFW" "$NLB"
check "link: --prefix settles it" "$XDPLD" link -o "$TMP/p.o" "$NFW" "$NLB" --prefix name_fw.o=acme_
check_out "link: the linked pair passes (each module sees its own hits)" "XDP_PASS" \
	"$XDPLD" run "$TMP/p.o" xdp_name_lb "$PKT"

# ---- attach: the same options ----
check_fails "attach: the collision is refused, with the options that settle it" \
	"linking the pipeline failed: name the modules' symbols with --prefix MODULE=PFX or --rename MODULE:OLD=NEW" \
	X attach r0 "$NFW" "$NLB" --backend static
check "attach: the refusal changed nothing" nothing_runs
check_fails "attach: --prefix naming no module" "no module 'nosuch'" \
	X attach r0 "$NFW" "$NLB" --backend static --prefix nosuch=x_
check_fails "attach: --rename of a bad name" "bad --rename '1x=y'" \
	X attach r0 "$NFW" "$NLB" --backend static --rename 1x=y
check_fails "attach: --no-rename refuses the shared name" "hits" \
	X attach r0 "$NFW" "$NLB" --backend static --no-rename
check "attach: refusals changed nothing" nothing_runs
check "attach: --prefix name_fw=acme_ (static)" \
	X attach r0 "$NFW" "$NLB" --backend static --prefix name_fw=acme_
send 20
check "traffic: both modules pass every packet (their own values)" wait_for json \
	'.interfaces[0].slots | (.[0].packets.pass == 20 and .[1].packets.pass == 20 and .[0].packets.drop == 0 and .[1].packets.drop == 0)'
check "status: the prefix is shown and recorded" json \
	'.interfaces[0] | .slots[0].prefix == "acme_" and .slots[1].prefix == null and .renames == [] and (.no_rename | not)'
check_out "status: text shows the prefix" "linked with prefix acme_" X status r0

# ---- restore links the same way ----
ip -n "$RCV" link set r0 xdp off
check "restore: re-links with the recorded prefix" X restore r0
check "restore: runs again with the prefix" json '.interfaces[0] | .matches and .slots[0].prefix == "acme_"'

# ---- --rename instead: a new pipeline replaces it ----
check "attach: --rename name_lb:name_fw_hits=lb_fw_hits instead" \
	X attach r0 "$NFW" "$NLB" --backend static --rename name_lb:name_fw_hits=lb_fw_hits
send 10
check "traffic: still every packet passes both" wait_for json \
	'.interfaces[0].slots | (.[0].packets.pass == 10 and .[1].packets.pass == 10)'
check "status: the rule is shown, the prefix gone" json \
	'.interfaces[0] | .renames == [{"module":"name_lb","old":"name_fw_hits","new":"lb_fw_hits"}] and .slots[0].prefix == null'
check_out "record: the rule's keys" "rename.0.module=name_lb" record_text "$SD/r0/record"
check "record: a rule for a module not in the pipeline, crafted" \
	craft_record "$SD/r0/record" "s/^rename.0.module=.*/rename.0.module=nosuch/"
status_says() { X status r0 2>&1 | grep -qE "$1"; }
check "status: the crafted record is malformed, naming the key" \
	status_says "malformed record.*rename.0.module is not a module of the pipeline"
check_fails "restore: refuses the crafted record" "rename.0.module" X restore r0
ip -n "$RCV" link set r0 xdp off
rm -rf "$SD/r0"

# ---- relink keeps the slot's rules; given ones replace them ----
if "$XDPLD" probe | grep -q '^tailcall *yes'; then
	check "attach: tailcall with a prefix" X attach r0 "$NFW" "$NLB" --backend tailcall --prefix name_fw=acme_
	check_out "relink: without naming options the prefix stays (nothing to do)" \
		"runs this code already" X relink r0 name_fw "$NFW"
	check "relink: kept" json '.interfaces[0].slots[0] | .prefix == "acme_" and .relinks == 0'
	check "relink: --prefix replaces it" X relink r0 name_fw "$NFW" --prefix name_fw=other_
	check "relink: replaced, re-link counted" json \
		'.interfaces[0].slots[0] | .prefix == "other_" and .relinks == 1'
	check_fails "relink: a rule for another module is refused" "names module name_lb, not name_fw" \
		X relink r0 name_fw "$NFW" --rename name_lb:hits=x
	check "relink: refusal kept the rules" json '.interfaces[0].slots[0].prefix == "other_"'
	X detach r0 >/dev/null 2>&1
else
	skip "relink: this kernel's JIT does not allow tail calls from subprograms"
fi

# ---- --type for legacy section names ----
check_fails "verify: a legacy section has no type" "unknown program section 'xdp_legacy'" \
	"$XDPLD" verify "$LEG"
check "verify --type xdp: loads" "$XDPLD" verify "$LEG" --type xdp
check_out "run --type xdp: the verdict" "XDP_DROP" "$XDPLD" run "$LEG" legacy_drop "$PKT" --type xdp
check_fails "verify --type: an unknown type" "unknown program type 'frob'" \
	"$XDPLD" verify "$LEG" --type frob
check "link --type xdp: the program is in section xdp in the output (libbpf 1.x's name)" sh -c \
	"'$XDPLD' link -o '$TMP/leg.o' '$LEG' --type xdp && '$XDPLD' inspect '$TMP/leg.o' | grep -q 'legacy_drop section=xdp '"
check "link --type xdp: the output verifies without the option" "$XDPLD" verify "$TMP/leg.o"
check_fails "attach: a legacy module without --type" "no XDP entry program" \
	X attach r0 "$LEG" --backend static
check_fails "attach: ... the legacy section named, and --type xdp suggested" \
	"$LEG: its programs are in sections of no known type \\(xdp_legacy\\): for XDP programs give --type xdp" \
	X attach r0 "$LEG" --backend static
check "attach --type xdp (static)" X attach r0 "$NFW" "$LEG" --backend static --type xdp
send 10
check "traffic: the legacy module drops" wait_for json \
	'.interfaces[0].slots | (.[0].packets.pass == 10 and .[1].packets.drop == 10)'
check "status: the type is recorded per module" json \
	'[.interfaces[0].slots[].type] == ["xdp","xdp"]'
X detach r0 >/dev/null 2>&1

# ---- the manifest ----
manifest() {
	cat >"$M" <<EOF
config module 'fw'
	option object '$NFW'
	$1
config module 'lb'
	option object '$NLB'
config module 'legacy'
	option object '$LEG'
	$2
config pipeline 'wan'
	option device 'r0'
	option backend 'static'
	$3
	list module 'fw'
	list module 'lb'
	list module 'legacy'
EOF
}
MA="X apply -c $M"
manifest "" "option type 'xdp'"
check_fails "manifest: the collision is named with FILE:LINE" "$M:10: pipeline 'wan' \\(device r0\\) does not load" $MA
manifest "option prefix 'acme_'" ""
check_fails "manifest: the legacy module without a type" "no XDP entry program" $MA
check_fails "manifest: ... named with FILE:LINE of its module" \
	"$M:6: module 'legacy': $LEG: no XDP entry program" $MA
check_fails "manifest: ... option type 'xdp' suggested, not --type" \
	"$M:6: module 'legacy': its programs are in sections of no known type \\(xdp_legacy\\): for XDP programs add option type 'xdp' to the module" $MA
manifest "option prefix 'acme_'" "option type 'frob'"
check_fails "manifest: a bad type, with FILE:LINE" "$M:8: module 'legacy': option type: unknown program type 'frob'" $MA
manifest "option prefix '1x'" "option type 'xdp'"
check_fails "manifest: a bad prefix, with FILE:LINE" "$M:3: module 'fw': prefix: '1x' is not a name" $MA
manifest "list rename 'hits'" "option type 'xdp'"
check_fails "manifest: a bad rename, with FILE:LINE" "$M:3: module 'fw': rename: 'hits' is not OLD=NEW" $MA
manifest "option prefix 'acme_'" "option type 'xdp'" "option no_rename '1'"
check_fails "manifest: no_rename refuses the shared name" "hits" $MA
check "manifest: the failures changed nothing" nothing_runs
manifest "option prefix 'acme_'" "option type 'xdp'"
check "apply: prefix and type from the manifest" $MA
check "apply: recorded" json '.interfaces[0] | .managed and .slots[0].prefix == "acme_" and .slots[2].type == "xdp"'
id1=$(X status r0 --json | jq '.interfaces[0].prog_id')
check_out "apply again: unchanged" "nothing to change" $MA
manifest "list rename 'hits=fw_own_hits'" "option type 'xdp'"
check_out "apply: a rule instead of the prefix re-links" "attached|re-linked" $MA
check "apply: new rootlet with the rule" json \
	".interfaces[0] | .prog_id != $id1 and .renames == [{\"module\":\"fw\",\"old\":\"hits\",\"new\":\"fw_own_hits\"}] and .slots[0].prefix == null"
send 10
check "traffic: fw and lb pass, legacy drops" wait_for json \
	'.interfaces[0].slots | (.[0].packets.pass == 10 and .[1].packets.pass == 10 and .[2].packets.drop == 10)'
X detach r0 >/dev/null 2>&1
