#!/bin/sh
# Counters for monitoring: `xdpld status --prometheus` on a pipeline on a
# veth in a network namespace, with known traffic: promtool accepts it, each
# value is what status --json says, the counters grew by what was sent, a
# re-link counts, the info metrics carry status --json's ids, label values
# are escaped (a device named m"x\y, an object under a directory with a
# quote and a backslash in its name: xdpld refuses a newline in a path), no pipeline is empty valid
# output.  Then the same samples through the prometheus-node-exporter-lua
# collector (init/prometheus-collectors/xdpld.lua, run by a stand-in of the
# exporter under lua5.1) and through the collectd exec script
# (init/collectd/xdpld-collectd.sh) read by a real collectd as nobody.
. tests/lib.sh

export XDPLD_CHECK_FD_LEAKS=1	# every xdpld run fails (exit 70) on a leaked fd
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
SND=xdpld-msnd-$$
RCV=xdpld-mrcv-$$
SD=/sys/fs/bpf/xdpld-t-metrics-$$
CORPUS=$TMP/corpus
# collectd's exec user (nobody) reads the script's snapshot here.
PUB=$(mktemp -d "${TMPDIR:-/tmp}/xdpld-metrics.XXXXXX") && chmod 755 "$PUB"
netns_cleanup_trap "$SND" "$RCV" "$SD" "$PUB"

if ! veth_netns_pair "$SND" "$RCV"; then
	not_ok "metrics: set up namespaces and veth"
	exit 0
fi
ok "metrics: set up namespaces and veth"

WEIRD='m"x\y'	# a device name that needs escaping
ip -n "$RCV" link add "$WEIRD" type veth peer name m1 && ip -n "$RCV" link set "$WEIRD" up &&
	ip -n "$RCV" link set m1 up

BE=static
"$XDPLD" probe | grep -q '^tailcall *yes' && BE=tailcall

prom() { X status --prometheus "$@"; }
# promtool_clean FILE: promtool check metrics accepts FILE and says nothing.
promtool_clean() {
	promtool check metrics <"$1" >"$TMP/lint" 2>&1; _rc=$?
	cat "$TMP/lint"
	[ $_rc -eq 0 ] && [ ! -s "$TMP/lint" ]
}
# promtool_ok FILE: the same for a FILE that must hold samples.
promtool_ok() { [ -s "$1" ] && promtool_clean "$1"; }
# samples FILE: FILE's sample lines with their labels sorted by name, so
# two writers that order labels differently compare equal.
samples() {
	awk '/^#/ { next }
	{
		i = index($0, "{")
		if (!i) { print; next }
		name = substr($0, 1, i - 1); rest = substr($0, i + 1); n = 0
		while (match(rest, /^[a-z_]+="([^"\\]|\\.)*"[,}]/)) {
			p[++n] = substr(rest, 1, RLENGTH - 1); rest = substr(rest, RLENGTH + 1)
		}
		for (a = 2; a <= n; a++)
			for (b = a; b > 1 && p[b - 1] > p[b]; b--) { t = p[b]; p[b] = p[b - 1]; p[b - 1] = t }
		s = name "{"
		for (a = 1; a <= n; a++) s = s (a > 1 ? "," : "") p[a]
		print s "}" rest
	}' "$1" | sort
}

# ---- no pipeline ----
nothing() { prom >"$TMP/p0" && [ ! -s "$TMP/p0" ] && promtool_clean "$TMP/p0"; }
check "no pipeline: empty output, exit 0, promtool accepts it" nothing
check "no pipeline on a named device: empty output, exit 0" sh -c \
	"nsenter --net=/run/netns/$RCV $XDPLD status --prometheus r0 --state-dir $SD >$TMP/p0 && [ ! -s $TMP/p0 ]"
check_fails "--json and --prometheus exclude each other" "exclude each other" \
	X status --json --prometheus

# ---- a pipeline and traffic ----
# lb's object sits in a directory whose name needs escaping.
ODIR=$TMP/'o"b\j'
mkdir -p "$ODIR" && cp "$FW/lb.o" "$ODIR/lb.o"
check "attach: sampler, fw_acme, lb ($BE)" X attach --backend $BE r0 "$FW/sampler.o" "$FW/fw_acme.o" "$ODIR/lb.o"
# The second pipeline comes from a manifest: its pipeline label.
cat >"$TMP/manifest" <<EOF
config module 'sampler'
	option object '$FW/sampler.o'

config pipeline 'edge'
	option device '$WEIRD'
	option backend 'static'
	list module 'sampler'
EOF
check "apply: a second pipeline, 'edge', on a device named $WEIRD" X apply -c "$TMP/manifest"

P=$CORPUS/lb_vip_tcp_80.pkt
snap() { X status --json >"$TMP/$1.json" && prom >"$TMP/$1.prom"; }
# fam FILE FAMILY LABEL...: each sample of FAMILY in FILE as the values of
# LABELs, unescaped, and the sample's value, tab-separated, sorted.
fam() {
	_f=$1 _n=$2; shift 2
	awk -v fam="$_n" -v want="$*" '
	function unesc(s,   out, c) {
		out = ""
		while (match(s, /\\./)) {
			c = substr(s, RSTART + 1, 1)
			out = out substr(s, 1, RSTART - 1) (c == "n" ? "\n" : c)
			s = substr(s, RSTART + 2)
		}
		return out s
	}
	index($0, fam "{") == 1 {
		rest = substr($0, length(fam) + 2); split("", l)
		while (match(rest, /^[a-z_]+="([^"\\]|\\.)*"[,}]/)) {
			kv = substr(rest, 1, RLENGTH - 1); eq = index(kv, "=")
			rest = substr(rest, RLENGTH + 1)	# before unesc (its match sets RLENGTH)
			l[substr(kv, 1, eq - 1)] = unesc(substr(kv, eq + 2, length(kv) - eq - 2))
		}
		n = split(want, w, " "); out = ""
		for (i = 1; i <= n; i++) out = out l[w[i]] "\t"
		print out $NF
	}' "$_f" | sort
}
counts() { fam "$1" xdpld_slot_packets_total device slot verdict; }
json_counts() {
	jq -r '.interfaces[] | .iface as $d | .slots[] | .index as $i | .packets |
		to_entries[] | "\($d)\t\($i)\t\(.key)\t\(.value)"' "$1" | sort
}
check "traffic: pktsend 100 packets" in_snd "$TOOLS/pktsend" s0 --count 100 "$P"
# The counters settle (veths deliver in softirq) before the two readings.
settled() { snap a && sleep 0.2 && snap b && [ "$(counts "$TMP/a.prom")" = "$(counts "$TMP/b.prom")" ]; }
check "traffic: counters settle" wait_for settled
check "promtool check metrics accepts status --prometheus, no lint" promtool_ok "$TMP/b.prom"
counts "$TMP/b.prom" >"$TMP/pc"
json_counts "$TMP/b.json" >"$TMP/jc"
check "xdpld_slot_packets_total: every value is status --json's packets" sh -c \
	"[ -s $TMP/jc ] && diff $TMP/jc $TMP/pc"
slot0() { counts "$1" | awk -F '\t' '$1 == "r0" && $2 == 0 { n += $4 } END { print n + 0 }'; }
before=$(slot0 "$TMP/b.prom")
check "traffic: pktsend 250 more" in_snd "$TOOLS/pktsend" s0 --count 250 "$P"
grew() { snap c && [ $(( $(slot0 "$TMP/c.prom") - before )) -eq 250 ]; }
check "xdpld_slot_packets_total: slot 0 grew by the 250 sent" wait_for grew

# ---- info metrics, escaping ----
# Both carry status --json's ids, backend, mode, module and object path
# ("" where status --json says null).
rootlets_ok() {
	fam "$TMP/c.prom" xdpld_rootlet_info device prog_id backend mode >"$TMP/ri" &&
	jq -r '.interfaces[] | "\(.iface)\t\(.prog_id)\t\(.backend)\t\(.mode)\t1"' "$TMP/c.json" |
		sort | diff - "$TMP/ri"
}
check "xdpld_rootlet_info: status --json's program id, backend, mode" rootlets_ok
slots_ok() {
	fam "$TMP/c.prom" xdpld_slot_info device slot module prog_id object >"$TMP/si" &&
	jq -r '.interfaces[] | .iface as $d | .slots[] |
		"\($d)\t\(.index)\t\(.module)\t\(.prog_id // "")\t\(.path)\t1"' "$TMP/c.json" |
		sort | diff - "$TMP/si"
}
check "xdpld_slot_info: status --json's slot program ids, modules, object paths" slots_ok
check "xdpld_slot_info: the $BE slots run programs of their own" sh -c \
	"[ $BE = static ] || [ \$(grep -c '^r0	[0-9]	[a-z_]*	[0-9][0-9]*	' $TMP/si) -eq 3 ]"
# The text itself: m"x\y is "m\"x\\y", o"b\j is "o\"b\\j".
escaped() {
	grep -F 'xdpld_pipeline_matches{device="m\"x\\y"} 1' "$TMP/c.prom" &&
	grep -F "$(printf 'object="%s/o\\"b\\\\j/lb.o"' "$TMP")" "$TMP/c.prom"
}
check "escaping: a device and an object path with a quote and a backslash" escaped
labels_pipeline() {
	printf '%s\t%s\t1\n' "$WEIRD" edge r0 "" | sort >"$TMP/want"
	fam "$TMP/c.prom" xdpld_rootlet_info device pipeline | diff "$TMP/want" - &&
	fam "$TMP/c.prom" xdpld_slot_packets_total device pipeline |
		sed 's/\t[0-9]*$/\t1/' | sort -u | diff "$TMP/want" -
}
check "pipeline label: the manifest's pipeline on its rootlet and packets, none on r0's" labels_pipeline

# ---- a re-link counts ----
V2=$TBPF/relink_fw_v2.o
check "relink: slot 1 (fw_acme) to relink_fw_v2" X relink r0 fw_acme "$V2"
relinked() {
	snap c && fam "$TMP/c.prom" xdpld_slot_relinks_total device slot >"$TMP/rl" &&
	printf '%s\t0\t0\nr0\t0\t0\nr0\t1\t1\nr0\t2\t0\n' "$WEIRD" | sort | diff - "$TMP/rl" &&
	jq -r '.interfaces[] | .iface as $d | .slots[] | "\($d)\t\(.index)\t\(.relinks)"' \
		"$TMP/c.json" | sort | diff - "$TMP/rl"
}
check "xdpld_slot_relinks_total: 1 for the re-linked slot, 0 elsewhere, as status --json" relinked
check "xdpld_slot_info: after the re-link, status --json's new program id" slots_ok
check "promtool check metrics accepts it after the re-link" promtool_ok "$TMP/c.prom"

# ---- the prometheus-node-exporter-lua collector ----
# xdpld as the collector and the collectd script run it (here: in $RCV,
# with this test's state directory).
cat >"$PUB/xdpld" <<EOF
#!/bin/sh
exec nsenter --net=/run/netns/$RCV "$XDPLD" "\$@" --state-dir "$SD"
EOF
chmod 755 "$PUB/xdpld"
lua_scrape() {
	XDPLD_STATUS_CMD="$PUB/xdpld status --prometheus" \
		lua5.1 tests/tools/node_exporter_lua.lua init/prometheus-collectors/xdpld.lua
}
lua_scrape >"$TMP/lua.prom" 2>"$TMP/lua.err"; lua_rc=$?
prom >"$TMP/d.prom"
samples "$TMP/d.prom" >"$TMP/ds"; samples "$TMP/lua.prom" >"$TMP/ls"
grep '^# TYPE' "$TMP/d.prom" >"$TMP/dt"; grep '^#' "$TMP/lua.prom" >"$TMP/lt"
check "lua collector: runs, no error" sh -c "cat $TMP/lua.err; [ $lua_rc -eq 0 ] && [ ! -s $TMP/lua.err ]"
check "lua collector: the same samples as status --prometheus" sh -c \
	"[ -s $TMP/ls ] && diff -u $TMP/ds $TMP/ls"
check "lua collector: one TYPE per family, xdpld's, in its order" sh -c \
	"[ \$(wc -l <$TMP/dt) -eq 5 ] && diff -u $TMP/dt $TMP/lt"
# Crafted input: a counter past 2^53 keeps its digits, escaped values stay
# escaped, a sample without its family's TYPE and a HELP line are dropped.
cat >"$TMP/crafted.prom" <<'EOF'
# HELP a_total x
# TYPE a_total counter
a_total{device="m\"x\\y",v="a\nb"} 18446744073709551615
b_total{device="r0"} 1
# TYPE c gauge
c 7
EOF
printf '%s\n' '# TYPE a_total counter' 'a_total{device="m\"x\\y",v="a\nb"} 18446744073709551615' \
	'# TYPE c gauge' 'c 7' >"$TMP/crafted.want"
lua_crafted() {
	XDPLD_STATUS_CMD="cat $TMP/crafted.prom" lua5.1 tests/tools/node_exporter_lua.lua \
		init/prometheus-collectors/xdpld.lua >"$TMP/crafted.out" &&
	diff -u "$TMP/crafted.want" "$TMP/crafted.out"
}
check "lua collector: big counters exact, escapes kept, stray samples and HELP dropped" lua_crafted
# The exporter writes no HELP lines (metric() prints TYPE only): promtool's
# "no help text" lint of each family is the exporter's, any other line is not.
lua_lint() {
	promtool check metrics <"$TMP/lua.prom" >"$TMP/lint" 2>&1
	cat "$TMP/lint"
	[ "$(grep -c . "$TMP/lint")" -eq 5 ] && ! grep -vE '^xdpld_[a-z_]+ no help text$' "$TMP/lint"
}
check "lua collector: promtool accepts it (its only lint: the exporter's missing HELP)" lua_lint

# ---- the collectd exec script ----
CD=init/collectd/xdpld-collectd.sh
SNAPF=$PUB/run/metrics.prom
cd_env() { env XDPLD="$PUB/xdpld" XDPLD_SNAPSHOT="$SNAPF" COLLECTD_HOSTNAME=rt1 "$@"; }
check "collectd script: --snapshot (root) writes the snapshot" cd_env sh "$CD" --snapshot
prom >"$TMP/e.prom"
check "collectd script: the snapshot is status --prometheus, readable by all" sh -c \
	"[ -s $SNAPF ] && diff $TMP/e.prom $SNAPF && [ \$(stat -c %a $SNAPF) = 644 ] && [ ! -e $SNAPF.tmp.* ]"
# want: the PUTVAL lines the snapshot must give, from fam (no sanitizing
# needed but the device's quote and backslash).
want_putvals() {
T=$(date -r "$SNAPF" +%s)
{
	fam "$SNAPF" xdpld_slot_packets_total device slot module verdict |
		awk -F '\t' '{ printf "rt1/xdpld-%s/packets-slot%s_%s_%s %s\n", $1, $2, $3, $4, $5 }'
	fam "$SNAPF" xdpld_slot_relinks_total device slot module |
		awk -F '\t' '{ printf "rt1/xdpld-%s/derive-slot%s_%s_relinks %s\n", $1, $2, $3, $4 }'
	fam "$SNAPF" xdpld_pipeline_matches device |
		awk -F '\t' '{ printf "rt1/xdpld-%s/gauge-matches %s\n", $1, $2 }'
} | sed 's|^rt1/xdpld-m"x\\y/|rt1/xdpld-m_x_y/|' | sort >"$TMP/cd.want"
}
want_putvals
cd_env sh "$CD" --once >"$TMP/cd.out"; cd_rc=$?
putval_format() {
	cat "$TMP/cd.out"
	[ $cd_rc -eq 0 ] && [ "$(wc -l <"$TMP/cd.want")" -eq 30 ] &&
	! grep -vE '^PUTVAL "rt1/xdpld-[A-Za-z0-9_-]{1,127}/(packets|derive|gauge)-[A-Za-z0-9_-]{1,127}" interval=60 '"$T"':[0-9]+$' \
		"$TMP/cd.out"
}
check "collectd script: --once prints only well-formed PUTVAL lines (snapshot time, interval 60)" putval_format
check "collectd script: one PUTVAL per value, each value the snapshot's" sh -c \
	"[ -s $TMP/cd.want ] && sed 's/^PUTVAL \"\([^\"]*\)\" interval=60 [0-9]*:/\1 /' $TMP/cd.out | sort | diff -u $TMP/cd.want -"
# The router runs it with busybox: its sh, awk, date and the rest.
if command -v busybox >/dev/null; then
	mkdir -p "$TMP/bb"
	for a in sh awk date sort sed cat mkdir mv hostname sleep env; do ln -sf "$(command -v busybox)" "$TMP/bb/$a"; done
	check "collectd script: busybox sh and awk print the same lines" sh -c \
		"COLLECTD_HOSTNAME=rt1 PATH=$TMP/bb $TMP/bb/sh $CD --once --file $SNAPF >$TMP/cd.bb &&
		[ -s $TMP/cd.bb ] && diff -u $TMP/cd.out $TMP/cd.bb"
else
	skip "collectd script under busybox: no busybox"
fi
check "collectd script: --interval sets interval=" sh -c \
	"COLLECTD_HOSTNAME=rt1 sh $CD --once --file $SNAPF --interval 15 | grep -c ' interval=15 ' | grep -qx 30"
check_fails "collectd script: a bad --interval is refused" "no number of seconds" sh "$CD" --interval 1x

# The real collectd (exec plugin, script run as nobody; csv plugin): the
# values it stores are the snapshot's, stamped with the snapshot's time.
if ! command -v collectd >/dev/null || [ ! -f /usr/lib/collectd/exec.so ]; then
	skip "collectd: not installed (collectd-core)"
else
	mkdir -p "$TMP/cd" "$TMP/csv"
	cp "$CD" "$PUB/xdpld-collectd.sh" && chmod 755 "$PUB/xdpld-collectd.sh"
	cat >"$TMP/cd/collectd.conf" <<EOF
Hostname "rt1"
FQDNLookup false
Interval 1
BaseDir "$TMP/cd"
PIDFile "$TMP/cd/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin exec
LoadPlugin csv
<Plugin csv>
	DataDir "$TMP/csv"
	StoreRates false
</Plugin>
<Plugin exec>
	Exec "nobody" "$PUB/xdpld-collectd.sh" "--file" "$SNAPF"
</Plugin>
EOF
	collectd -f -C "$TMP/cd/collectd.conf" >"$TMP/cd/log" 2>&1 &
	CDPID=$!
	# csv_values: "IDENT VALUE" from the newest line of each csv file
	# (DataDir/HOST/PLUGIN-INSTANCE/TYPE-INSTANCE-DATE), the time checked.
	csv_values() {
		for _f in "$TMP"/csv/rt1/*/*-20[0-9][0-9]-*; do
			[ -f "$_f" ] || continue
			_id=${_f#"$TMP/csv/"}; _id=${_id%-20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]}
			tail -n 1 "$_f" | awk -F, -v id="$_id" -v t="$T" \
				'int($1) == t { print id, (id ~ /\/gauge-/ ? $2 + 0 : $2) }
				int($1) != t { print id, "time", $1, "not", t }'
		done | sort
	}
	collectd_got() { [ -s "$TMP/cd.want" ] && csv_values >"$TMP/cd.got" && diff -u "$TMP/cd.want" "$TMP/cd.got"; }
	check "collectd: as nobody the script's values reach the csv files, the snapshot's values and time" \
		wait_for collectd_got
	# A new snapshot (a second later: its time differs) after 50 packets.
	pass0() { awk '$1 == "rt1/xdpld-r0/packets-slot0_sampler_pass" { print $2 }' "$TMP/cd.want"; }
	p0=$(pass0)
	in_snd "$TOOLS/pktsend" s0 --count 50 "$P" >/dev/null
	wait_for settled
	sleep 1
	cd_env sh "$CD" --snapshot
	want_putvals
	check "collectd: a new snapshot counts the 50 packets sent since ($p0 + 50)" \
		test "$(pass0)" -eq $((p0 + 50))
	check "collectd: the new snapshot's values and time reach the csv files" wait_for collectd_got
	kill "$CDPID" 2>/dev/null; wait "$CDPID" 2>/dev/null
	check "collectd: no complaint in its log" sh -c \
		"cat $TMP/cd/log; ! grep -iE 'error|refus|fail|warn' $TMP/cd/log"
fi

# ---- the state is not sane ----
ip -n "$RCV" link set dev r0 xdp off
matches_are() { prom >"$TMP/f.prom"; fam "$TMP/f.prom" xdpld_pipeline_matches device >"$TMP/m" &&
	printf '%s\t%s\nr0\t%s\n' "$WEIRD" "$1" "$2" | sort | diff - "$TMP/m"; }
check "xdpld_pipeline_matches: 0 for r0 once its rootlet is detached by hand" matches_are 1 0
check "promtool accepts it with r0 detached" promtool_ok "$TMP/f.prom"
check "restore: r0 runs its pipeline again" X restore r0
check "xdpld_pipeline_matches: 1 again after the restore" matches_are 1 1
check "record: the $WEIRD pipeline's record crafted malformed" \
	craft_record "$SD/$WEIRD/record" "s/^backend=.*/backend=nosuch/"
bad_record() {
	prom >"$TMP/g.prom" 2>"$TMP/g.err"; _rc=$?
	cat "$TMP/g.err"
	[ $_rc -eq 1 ] && grep -qF "$WEIRD: malformed record" "$TMP/g.err" &&
	fam "$TMP/g.prom" xdpld_pipeline_matches device | grep -qxF "$(printf '%s\t0' "$WEIRD")" &&
	! fam "$TMP/g.prom" xdpld_rootlet_info device | grep -qF "$WEIRD" &&
	fam "$TMP/g.prom" xdpld_rootlet_info device | grep -q '^r0'
}
check "a malformed record: exit 1 naming it, matches 0, no other line of it, r0's lines stay" bad_record
check "promtool accepts the output with the malformed record" promtool_ok "$TMP/g.prom"
