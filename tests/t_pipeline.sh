#!/bin/sh
# The static pipeline end to end: xdpld attach builds rootlet + vendor
# modules, loads them with its own loader and attaches them to a veth in a
# network namespace; real packets from the peer namespace (pktsend) are
# dropped, passed and rewritten as the modules say; status --json reports
# the kernel's view and the per-slot counters; foreign programs are left
# alone without --force; a pipeline swap under load loses and leaks nothing;
# detach restores the NIC.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1	# every xdpld run fails (exit 70) on a leaked fd
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-snd-$$
RCV=xdpld-rcv-$$
SD=/sys/fs/bpf/xdpld-t-pipeline-$$	# bpffs names must not contain dots
SD2=/sys/fs/bpf/xdpld-t-pipeline-new-$$	# a root that does not exist yet
CORPUS=$TMP/corpus
netns_cleanup_trap "$SND" "$RCV" "$SD" "$SD2"

setup() { veth_netns_pair "$SND" "$RCV"; }
if ! setup; then
	not_ok "pipeline: set up namespaces and veth"
	exit 0
fi
ok "pipeline: set up namespaces and veth"

rcv_prog() { ip -n "$RCV" -d link show r0 | sed -n 's/.*prog\/xdp id \([0-9]*\) name \([^ ]*\).*/\1 \2/p'; }
json() { X status r0 --json >"$TMP/status.json" && jq -e "$@" "$TMP/status.json"; }
rx_delta_is() { [ $(( $(s0_rx) - rx0 )) -eq "$1" ]; }
no_change() { [ -z "$(rcv_prog)" ] && [ ! -e "$SD/r0" ]; }

A="$FW/sampler.o $FW/fw_acme.o $FW/fw_bolt.o $FW/lb.o"
B="$FW/sampler.o $FW/fw_acme.o $FW/lb.o"

# ---- refusals before anything changes ----
check_fails "attach: same object twice is refused" "given twice" X attach --backend static r0 "$FW/lb.o" "$FW/lb.o"
check_fails "attach: several XDP programs need OBJ:PROG" \
	"3 XDP entry programs .*xdp_first.*xdp_second.*xdp_third" X attach --backend static r0 "$TBPF/rootlet_runcfg.o"
check_fails "attach: unknown entry program" "no XDP entry program 'nope'" \
	X attach --backend static r0 "$FW/lb.o:nope"
check_fails "attach: bad --continue-on slot" "no slot 'nosuch'" \
	X attach --backend static r0 "$FW/lb.o" --continue-on nosuch=pass
check_fails "attach: missing interface" "nosuch0" X attach --backend static nosuch0 "$FW/lb.o"
check "attach: failures changed nothing" no_change

# ---- continue masks: option > run config > default ----
check "attach: run-config module" X attach --backend static r0 "$TBPF/rootlet_runcfg.o:xdp_first" \
	"$FW/fw_bolt.o" "$FW/sampler.o" --continue-on fw_bolt=pass,tx,redirect --no-counters
check "status: masks from run config, option, default" json '.interfaces[0] |
	(.slots[0].continue_on == ["drop","pass"] and .slots[0].continue_from == "run-config") and
	(.slots[1].continue_on == ["pass","tx","redirect"] and .slots[1].continue_from == "option") and
	(.slots[2].continue_on == ["pass"] and .slots[2].continue_from == "default") and
	(.counters | not) and .slots[0].packets == null'
check "detach: own pipeline" X detach r0
check "detach: NIC and state restored" no_change

# ---- pipeline A on real packets ----
PKTS="ok_ipv4_tcp_443 ok_ipv6_udp_53 acme_drop_ipv4_src acme_drop_ipv6_src
bolt_drop_tcp_23 bolt_drop_udp_2323 acme_drop_ipv4_src_to_tcp_23 lb_vip_tcp_80
lb_vip6_udp_80 acme_drop_ipv4_src_to_vip_80 bad_trunc_ipv4_hdr"
COUNT=7
# expected MODULES...: "slot bucket count" lines for COUNT of each of $PKTS
# through the chain (continue on pass only), from the corpus' verdicts.
expected() {
	awk -v mods="$*" -v pkts="$(echo $PKTS)" -v n=$COUNT '
	/^#/ { for (i = 3; i <= NF; i++) col[$i] = i - 1; next }
	{ v[$1] = $0 }
	END {
		split("aborted drop pass tx redirect", names, " ")
		nm = split(mods, m, " "); np = split(pkts, p, " ")
		for (k = 1; k <= np; k++) {
			split(v[p[k]], f, " ")
			for (s = 1; s <= nm; s++) {
				r = tolower(f[col[m[s]]]); sub("xdp_", "", r)
				c[s - 1, r] += n
				if (r != "pass") break
			}
		}
		for (s = 0; s < nm; s++) for (a = 1; a <= 5; a++)
			print s, names[a], c[s, names[a]] + 0
	}' "$CORPUS/expected.txt"
}
counters_are() {
	X status r0 --json | jq -r '.interfaces[0].slots[] | .index as $i |
		.packets | to_entries[] | select(.key != "invalid") | "\($i) \(.key) \(.value)"' \
		>"$TMP/got" && diff "$1" "$TMP/got"
}
send_all() { in_snd "$TOOLS/pktsend" s0 --count "$1" $(for p in $PKTS; do echo "$CORPUS/$p.pkt"; done); }

check "attach: sampler, fw_acme, fw_bolt, lb" X attach --backend static r0 $A
check "attach: the rootlet runs on r0" sh -c "[ \"\$(ip -n $RCV link show r0 | grep -o 'name xdpld_rootlet')\" ]"
check "status: pins and record in the state dir" sh -c "ls $SD/r0 | grep -qx record &&
	ls $SD/r0 | grep -qx rootlet && ls $SD/r0 | grep -qx xdpld_stats && ls $SD/r0 | grep -qx fw_acme-rules &&
	ls $SD/r0 | grep -qx fw_bolt-rules && ls $SD/r0 | grep -qx lb-backends"
parses() { X status --json >"$TMP/all.json" && python3 -m json.tool "$TMP/all.json" >/dev/null; }
check "status --json (all interfaces) parses" parses
check "status: kernel and record agree" json '.interfaces[0] | .matches and .present and
	.kernel.prog_id == .prog_id and .kernel.mode == "native" and .counters and
	([.slots[].module] == ["sampler","fw_acme","fw_bolt","lb"]) and
	([.slots[].prog] == ["xdp_sampler","xdp_firewall","xdp_firewall","xdp_lb"]) and
	(.slots[0].sha256 | test("^[0-9a-f]{64}$")) and
	([.maps[].name] | index("xdpld_stats") != null)'
expected sampler fw_acme fw_bolt lb >"$TMP/want"
tx_want=$(awk '$2 == "tx" { n += $3 } END { print n }' "$TMP/want")
rx0=$(s0_rx)
# Capture what the balancer sends back out of r0 to s0.
# It sees what pktsend sends too: stop after all of it.
sent=$(( $(echo $PKTS | wc -w) * COUNT + tx_want ))
ip netns exec "$SND" tcpdump -i s0 -B 65536 --immediate-mode -c "$sent" -nn -U \
	-w "$TMP/tx.pcap" 2>"$TMP/tcpdump.err" &
TCPDUMP=$!
wait_for grep -q listening "$TMP/tcpdump.err"
check "traffic: pktsend sends the mix" send_all $COUNT
check "traffic: counters per slot and action equal what was sent" wait_for counters_are "$TMP/want"
check "traffic: XDP_TX packets come back to the sender ($tx_want)" \
	wait_for rx_delta_is "$tx_want"
wait_for sh -c "! kill -0 $TCPDUMP"
kill "$TCPDUMP" 2>/dev/null; wait "$TCPDUMP" 2>/dev/null
tcpdump -r "$TMP/tx.pcap" -nn -e 'ether dst 02:00:00:00:02:21 or ether dst 02:00:00:00:02:22' \
	2>/dev/null >"$TMP/tx.txt"
rewritten() {
	# Every returned packet goes to a default backend, by MAC and IP.
	cat "$TMP/tx.txt" "$TMP/tcpdump.err"
	[ "$(wc -l <"$TMP/tx.txt")" -eq "$tx_want" ] &&
	! grep -v -E '> 02:00:00:00:02:2[12],.* > (192\.0\.2\.2[12]|2001:db8::2[12])\.80:' "$TMP/tx.txt" &&
	! grep -q '198\.51\.100\.' "$TMP/tx.txt"
}
check "traffic: the balancer rewrote MAC and address to a backend" rewritten

# ---- swapping pipelines under load ----
# P passes both firewalls and is bounced by lb in A and B; D comes from
# fw_acme's blocked prefix to the VIP, so only a leak would bounce it.
P=$CORPUS/lb_vip_tcp_80.pkt
D=$CORPUS/acme_drop_ipv4_src_to_vip_80.pkt
rx0=$(s0_rx)
# Both senders are running before the first swap.
flood_start "$P" "$D" 500
swaps_ok=0
for i in 1 2 3 4 5 6; do
	if [ $((i % 2)) -eq 1 ]; then X attach --backend static r0 $B; else X attach --backend static r0 $A; fi >"$TMP/swap" 2>&1 &&
		swaps_ok=$((swaps_ok + 1))
done
flood_stop
N=$(cat "$TMP/p.sent")
check "swap: six atomic replaces during the flood" test "$swaps_ok" -eq 6
check "swap: senders finished" test "$flood_rc" = "00"
check "swap: no bounced packet lost, no dropped packet leaked ($N)" \
	wait_for rx_delta_is "$N"
check "swap: pins have stable per-module names, none of the linker's" \
	sh -c "[ -e $SD/r0/fw_bolt-rules ] && [ ! -e $SD/r0/rules ] && [ ! -e $SD/r0/fw_acme_rules ]"

# ---- module maps survive a re-attach (B1) ----
map_id() { bpftool -j map show pinned "$SD/r0/$1" | jq -r .id; }
acme_has_rule() { bpftool -j map lookup pinned "$SD/r0/fw_acme-rules" key $ACME_KEY | jq -e '.value != null'; }
slot_drops_are() { X status r0 --json | jq -e ".interfaces[0].slots[$1].packets.drop == $2"; }
# Drop P's source 203.0.113.9/32 (key: prefixlen 128, ::ffff:203.0.113.9).
ACME_KEY="128 0 0 0  0 0 0 0 0 0 0 0 0 0 255 255 203 0 113 9"
check "maps: a rule added with bpftool" bpftool map update pinned "$SD/r0/fw_acme-rules" key $ACME_KEY value 1 0 0 0
acme_id=$(map_id fw_acme-rules); bolt_id=$(map_id fw_bolt-rules); stats_id=$(map_id xdpld_stats)
check "maps: re-attach of the same modules" X attach --backend static r0 $A
check "maps: fw_acme's rules map is the same map ($acme_id), rule still there" \
	sh -c "[ \"\$(bpftool -j map show pinned $SD/r0/fw_acme-rules | jq -r .id)\" = $acme_id ] &&
	bpftool -j map lookup pinned $SD/r0/fw_acme-rules key $ACME_KEY | jq -e '.value != null'"
check "maps: xdpld_stats starts fresh on every attach (new map)" \
	sh -c "[ \"\$(bpftool -j map show pinned $SD/r0/xdpld_stats | jq -r .id)\" != $stats_id ]"
in_snd "$TOOLS/pktsend" s0 --count 5 "$P" >/dev/null
check "maps: the kept rule still drops (fw_acme slot dropped 5)" wait_for slot_drops_are 1 5
check "maps: changed module order" X attach --backend static r0 "$FW/lb.o" "$FW/fw_bolt.o" "$FW/sampler.o" "$FW/fw_acme.o"
check "maps: each module keeps its maps in another order" \
	sh -c "[ \"\$(bpftool -j map show pinned $SD/r0/fw_acme-rules | jq -r .id)\" = $acme_id ] &&
	[ \"\$(bpftool -j map show pinned $SD/r0/fw_bolt-rules | jq -r .id)\" = $bolt_id ]"
check "maps: status reports the stable pin paths" \
	json "[.interfaces[0].maps[].pin] | index(\"$SD/r0/fw_acme-rules\") != null"
check "maps: attach without fw_bolt" X attach --backend static r0 $B
check "maps: a module leaving the pipeline takes its pins along" \
	sh -c "[ ! -e $SD/r0/fw_bolt-rules ] && [ -e $SD/r0/fw_acme-rules ]"
# The vendor changed the map's definition: a fresh map and a warning.
rm "$SD/r0/fw_acme-rules"
bpftool map create "$SD/r0/fw_acme-rules" type hash key 20 value 4 entries 8 name old_rules
old_id=$(map_id fw_acme-rules)
check_out "maps: an incompatible kept map is replaced, with a warning naming module and map" \
	"module fw_acme map rules: .*incompatible \(type: kept 1, now 11\)" X attach --backend static r0 $B
check "maps: the replacement is a new LPM trie" \
	sh -c "bpftool -j map show pinned $SD/r0/fw_acme-rules | jq -e '.id != $old_id and .type == \"lpm_trie\"'"

# ---- concurrent attaches serialize on the state lock (B3) ----
for i in 1 2 3 4; do
	if [ $((i % 2)) -eq 1 ]; then X attach --backend static r0 $A; else X attach --backend static r0 $B; fi >"$TMP/conc$i" 2>&1 &
	eval "CP$i=\$!"
done
conc_ok=0
for i in 1 2 3 4; do eval "wait \$CP$i" && conc_ok=$((conc_ok + 1)); done
check "lock: four concurrent attaches all succeed" sh -c "cat $TMP/conc*; [ $conc_ok -eq 4 ]"
check "lock: the record names the program that runs" json '.interfaces[0].matches'

# ---- options and refusals that change nothing ----
check_out "priorities: command-line order wins, and attach says so" \
	"command-line order.*fw_bolt 50 \(default\), rootlet_runcfg 10" \
	X attach --backend static r0 "$FW/fw_bolt.o" "$TBPF/rootlet_runcfg.o:xdp_first" --no-counters
check "priorities: slots in command-line order" json '[.interfaces[0].slots[].module] == ["fw_bolt","rootlet_runcfg"]'
check "detach before the refusals" X detach r0
check_fails "hw mode on a veth: clear message" "interface r0 does not support XDP offload \(hw mode\)" \
	X attach --backend static r0 $A --mode hw
check "hw mode: nothing changed" no_change
mkdir -p "$TMP/notbpf"
check_fails "--state-dir whose parent is no bpffs is refused" "parent $TMP/notbpf is not a bpffs mount" \
	nsenter --net=/run/netns/"$RCV" "$XDPLD" attach r0 "$FW/lb.o" --state-dir "$TMP/notbpf/xdpld"
umount "$TMP/notbpf" 2>/dev/null && echo "bpffs was mounted over $TMP/notbpf"
check "--state-dir refusal: no mount, no program" sh -c "! mountpoint -q $TMP/notbpf && [ -z \"\$(ip -n $RCV -d link show r0 | grep prog/xdp)\" ]"

# The hash in the record is of the bytes that were linked, read once: a
# module from a pipe can be read only once (a second open would block).
mkfifo "$TMP/fifo.o"
cat "$FW/lb.o" >"$TMP/fifo.o" &
FIFO_WRITER=$!
check "sha256: attach from a pipe" timeout 20 nsenter --net=/run/netns/"$RCV" "$XDPLD" attach r0 "$TMP/fifo.o" --state-dir "$SD"
kill $FIFO_WRITER 2>/dev/null; wait $FIFO_WRITER 2>/dev/null
check "sha256: the record hashes the linked bytes" \
	json ".interfaces[0].slots[0] | .sha256 == \"$(sha256sum "$FW/lb.o" | cut -d' ' -f1)\" and .prog == \"xdp_lb\""
# Stray subdirectories in the state dir do not block detach.
mkdir "$SD/r0/stray"
bpftool map create "$SD/r0/stray/m" type array key 4 value 4 entries 1 name stray
check "detach: removes a state dir holding a stray subdirectory" X detach r0
check "detach: state dir gone" no_change
# Interface directory names are untrusted bytes: JSON stays valid.
mkdir "$SD/$(printf 'x\377\177')"
X status --json >"$TMP/odd.json" 2>/dev/null
check "status --json escapes odd bytes in names" python3 -m json.tool "$TMP/odd.json"
rmdir "$SD/$(printf 'x\377\177')"
X attach --backend static r0 $A >/dev/null 2>&1 || not_ok "re-attach A for the foreign-program tests"

# ---- foreign programs ----
check "detach: pipeline" X detach r0
check "detach: NIC and state restored" no_change
# Without a program nothing bounces: once r0 counted the 3 packets, a
# marker sent back from r0 must be the only packet s0 receives.
r0_rx() { ip -n "$RCV" -s -j link show r0 | jq '.[0].stats64.rx.packets'; }
r0_delta_is() { [ $(( $(r0_rx) - r0_0 )) -ge "$1" ]; }
rx0=$(s0_rx); r0_0=$(r0_rx)
in_snd "$TOOLS/pktsend" s0 --count 3 "$P" >/dev/null
check "detach: r0 received the packets" wait_for r0_delta_is 3
ip netns exec "$RCV" "$TOOLS/pktsend" r0 "$CORPUS/ok_ipv4_tcp_443.pkt" >/dev/null
s0_delta_ge() { [ $(( $(s0_rx) - rx0 )) -ge "$1" ]; }
wait_for s0_delta_ge 1 >/dev/null 2>&1
check "detach: nothing bounces any more (only the marker arrives)" rx_delta_is 1
ip -n "$RCV" link set dev r0 xdp obj "$FW/sampler.o" sec xdp
foreign=$(rcv_prog)
check_fails "attach: foreign program left alone without --force" "xdp_sampler" X attach --backend static r0 $A
check "attach: foreign program still there, no state" \
	sh -c "[ \"\$(ip -n $RCV -d link show r0 | grep -o 'prog/xdp id [0-9]*')\" = 'prog/xdp id ${foreign%% *}' ] && [ ! -e $SD/r0 ]"
check "attach --force replaces it" X attach --backend static r0 $A --force
check "status: after --force the record matches" json '.interfaces[0].matches'
ip -n "$RCV" link set dev r0 xdp off
ip -n "$RCV" link set dev r0 xdp obj "$FW/sampler.o" sec xdp
check "status: someone else's program is reported" json \
	'.interfaces[0] | (.matches | not) and .kernel.prog_id != .prog_id'
check_fails "detach: refuses a foreign program" "not the one xdpld attached" X detach r0
check "detach --force removes it" X detach r0 --force
check "detach --force: NIC and state clean" no_change
check_fails "detach: nothing recorded" "xdpld attached nothing" X detach r0

# ---- map reuse and pin names (review fixes) ----
# Devmaps: the kernel reports BPF_F_RDONLY_PROG it added itself; a kept
# devmap must still count as compatible.
check "devmap: attach lb" X attach --backend static r0 "$FW/lb.o"
tx_id=$(map_id lb-tx_port)
X attach --backend static r0 "$FW/lb.o" >"$TMP/devmap" 2>&1
check "devmap: re-attach keeps lb-tx_port ($tx_id), no incompatibility warning" \
	sh -c "cat $TMP/devmap; ! grep -q incompatible $TMP/devmap && [ \"\$(bpftool -j map show pinned $SD/r0/lb-tx_port | jq -r .id)\" = $tx_id ]"
# A kept pin that is a program, not a map: named, and replaced by a map.
rm "$SD/r0/lb-backends"
bpftool prog pin id "$(rcv_prog | cut -d' ' -f1)" "$SD/r0/lb-backends"
check_out "pin: a program under a map's pin is reported as not a map" \
	"module lb map backends: pin lb-backends is not a usable map \(not a map\)" X attach --backend static r0 "$FW/lb.o"
check "pin: lb-backends is a map again" sh -c "bpftool -j map show pinned $SD/r0/lb-backends | jq -e '.type == \"array\"'"
# Two modules with one file name would share map pin names: refused, asking
# for NAME=OBJ (t_link_real attaches them named).
mkdir -p "$TMP/a" "$TMP/b"
cp "$FW/fw_acme.o" "$TMP/a/fw.o"
cp "$FW/fw_bolt.o" "$TMP/b/fw.o"
before=$(rcv_prog)
check_fails "label: two modules named fw are refused, naming both files" \
	"modules $TMP/a/fw.o \(slot 0\) and $TMP/b/fw.o \(slot 1\) are both named 'fw'.*NAME=OBJ" \
	X attach --backend static r0 "$TMP/a/fw.o" "$TMP/b/fw.o"
cp "$FW/fw_acme.o" "$TMP/a/fw.x.o"
cp "$FW/fw_bolt.o" "$TMP/a/fw_x.o"
check_fails "label: fw.x and fw_x would share pin fw_x-rules: refused, naming both" \
	"maps .* \($TMP/a/fw.x.o\) and .* \($TMP/a/fw_x.o\) would both be pinned as 'fw_x-rules'.*NAME=OBJ" \
	X attach --backend static r0 "$TMP/a/fw.x.o" "$TMP/a/fw_x.o"
check "label: the running pipeline is unchanged" test "$(rcv_prog)" = "$before"
# A prog array holds this attach's programs: a module upgrade must run
# the new tail-call target, never the kept one.
mkdir -p "$TMP/tail"
cat >"$TMP/tail/tailcall.bpf.c" <<'SRC'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static int target(struct xdp_md *ctx);
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int (struct xdp_md *));
} jmp SEC(".maps") = { .values = { [0] = (void *)&target } };
SEC("xdp")
static int target(struct xdp_md *ctx) { return VERDICT; }
SEC("xdp")
int xdp_tail(struct xdp_md *ctx) { bpf_tail_call(ctx, &jmp, 0); return XDP_ABORTED; }
char _license[] SEC("license") = "GPL";
SRC
tail_build() {
	"${CLANG:-clang}" -target bpfel -O2 -g -Wall -Werror -I/usr/include/"$(cc -print-multiarch)" \
		-DVERDICT="$1" -c -o "$TMP/tail/tailcall.o" "$TMP/tail/tailcall.bpf.c"
}
send5() { in_snd "$TOOLS/pktsend" s0 --count 5 "$CORPUS/ok_ipv4_tcp_443.pkt" >/dev/null; }
tail_build XDP_DROP
check "tail: attach a module whose tail-call target drops" X attach --backend static r0 "$TMP/tail/tailcall.o"
jmp_id=$(map_id tailcall-jmp)
send5
check "tail: the target drops (slot 0 dropped 5)" wait_for slot_drops_are 0 5
check "tail: the module rebuilt, its target now passes" tail_build XDP_PASS
check "tail: re-attach of the new module" X attach --backend static r0 "$TMP/tail/tailcall.o"
send5
check "tail: the new target runs (slot 0 passed 5, dropped none)" \
	sh -c "X() { nsenter --net=/run/netns/$RCV $XDPLD \"\$@\" --state-dir $SD; }
	for i in \$(seq 50); do X status r0 --json | jq -e '.interfaces[0].slots[0].packets | .pass == 5 and .drop == 0' && exit 0; sleep 0.1; done; exit 1"
check "tail: the prog array is a new map" test "$(map_id tailcall-jmp)" != "$jmp_id"
check "detach: tail-call pipeline" X detach r0
# A failed detach with a new state root leaves no empty root behind.
check_fails "state root: detach with a new --state-dir fails" "xdpld attached nothing" \
	nsenter --net=/run/netns/"$RCV" "$XDPLD" detach r0 --state-dir "$SD2"
check "state root: the new root was removed again" test ! -e "$SD2"
