# Sourced by every tests/t_*.sh.  Each check prints "ok - NAME" or
# "not ok - NAME" (with the command's output) and records the result in
# $RESULTS, which tests/run.sh totals.
: "${O:=build}"
: "${XDPLD:=$O/san/xdpld}"
FW=$O/firmware
TBPF=$O/tests/bpf
TOOLS=$O/tests/tools
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xdpld-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

_record() { echo "$1" >>"${RESULTS:-/dev/null}"; }
ok() { echo "ok - $*"; _record pass; }
not_ok() { echo "not ok - $*"; _record fail; }

# check NAME CMD...: passes when CMD exits 0.
check() {
	_name=$1; shift
	if "$@" >"$TMP/out" 2>&1; then ok "$_name"; else
		not_ok "$_name"; sed 's/^/    /' "$TMP/out" | tail -n 40; fi
}

# check_fails NAME PATTERN CMD...: passes when CMD exits non-zero, prints
# PATTERN (grep -E) and shows no sanitizer report.
check_fails() {
	_name=$1; _pat=$2; shift 2
	if "$@" >"$TMP/out" 2>&1; then
		not_ok "$_name (exit 0)"; sed 's/^/    /' "$TMP/out" | tail -n 20; return
	fi
	if grep -qE 'Sanitizer|runtime error' "$TMP/out"; then
		not_ok "$_name (sanitizer report)"; sed 's/^/    /' "$TMP/out" | tail -n 40; return
	fi
	if grep -qE -- "$_pat" "$TMP/out"; then ok "$_name"; else
		not_ok "$_name (message does not match '$_pat')"; sed 's/^/    /' "$TMP/out" | tail -n 20; fi
}

# check_out NAME PATTERN CMD...: passes when CMD exits 0 and prints PATTERN.
check_out() {
	_name=$1; _pat=$2; shift 2
	if "$@" >"$TMP/co" 2>&1 && grep -qE -- "$_pat" "$TMP/co"; then ok "$_name"; else
		not_ok "$_name"; sed 's/^/    /' "$TMP/co" | tail -n 20; fi
}

# wait_for CMD...: polls CMD for up to 10 s (veths deliver in softirq,
# the kernel frees programs after an RCU grace period).
wait_for() {
	_i=0
	while [ $_i -lt 100 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; _i=$((_i + 1)); done
	"$@"
}

# veth_netns_pair SND RCV: namespaces SND and RCV joined by a veth pair
# s0 (in SND) -- r0 (in RCV), both up, no IPv6 chatter; the sampler on s0
# gives XDP_TX out of r0 its NAPI context; the packet corpus in $CORPUS.
veth_netns_pair() {
	ip netns add "$1" && ip netns add "$2" || return 1
	for _n in "$1" "$2"; do
		ip netns exec "$_n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip -n "$1" link add s0 type veth peer name r0 netns "$2" &&
		ip -n "$1" link set s0 up && ip -n "$2" link set r0 up || return 1
	ip -n "$1" link set dev s0 xdp obj "$FW/sampler.o" sec xdp &&
		"$TOOLS/pktcorpus" "$CORPUS" >/dev/null
}

# netns_cleanup_trap SND RCV DIR...: on exit, stop flood_start's senders
# and delete the namespaces SND and RCV (their veths go along), the DIRs
# and $TMP; INT and TERM exit 1.
netns_cleanup_trap() {
	_trap_ns="$1 $2"; shift 2
	_trap_dirs="$*"
	trap _netns_cleanup EXIT
	trap 'exit 1' INT TERM
}
_netns_cleanup() {
	touch "$TMP/stop"
	for _n in $_trap_ns; do ip netns del "$_n" 2>/dev/null; done
	rm -rf $_trap_dirs "$TMP"
}
# X ARGS...: xdpld in $RCV's network namespace with state dir $SD.  It
# keeps the host's mounts, so bpffs stays visible (ip netns exec would
# remount /sys).
X() { nsenter --net=/run/netns/"$RCV" "$XDPLD" "$@" --state-dir "$SD"; }
# in_snd CMD...: CMD in $SND's network namespace.
in_snd() { ip netns exec "$SND" "$@"; }
# s0_rx: the packets s0 (veth_netns_pair's sender) received so far.
s0_rx() { ip -n "$SND" -s -j link show s0 | jq '.[0].stats64.rx.packets'; }

# flood_start PKT_P PKT_D MAX: two senders in the background on s0, each
# sending its packet in pktsend runs of 2000 until flood_stop (at most MAX
# runs); $TMP/p.sent and $TMP/d.sent hold how many each sent so far.
# Returns once both are sending.
flood_start() {
	rm -f "$TMP/stop" "$TMP/p.sent" "$TMP/d.sent"
	_flood "$1" p "$3" &
	_flood_p=$!
	_flood "$2" d "$3" &
	_flood_d=$!
	wait_for test -s "$TMP/p.sent" -a -s "$TMP/d.sent"
}
_flood() {
	_n=0
	while [ ! -e "$TMP/stop" ] && [ $_n -lt "$3" ]; do
		in_snd "$TOOLS/pktsend" s0 --count 2000 "$1" >/dev/null || return 1
		_n=$((_n + 1)); echo $((_n * 2000)) >"$TMP/$2.sent"
	done
}
# flood_stop: stops the senders and waits for them; flood_rc is "00" when
# both ended well.
flood_stop() {
	touch "$TMP/stop"
	wait $_flood_p; _rc_p=$?
	wait $_flood_d; flood_rc=$_rc_p$?
}

# same_tags_as_libbpf OBJ [XDPLD ARGS...]: every program of OBJ loaded by
# xdpld (verify --json) has the kernel tag and translated length libbpf's
# load gives it (tests/tools/progtags): the same instructions reached the
# kernel after relocation.  Prints both lists.
same_tags_as_libbpf() {
	_obj=$1; shift
	"$TOOLS/progtags" "$_obj" | sort >"$TMP/tags.libbpf" || return 1
	"$XDPLD" verify --json "$@" "$_obj" >"$TMP/tags.json" || return 1
	jq -r '.programs[] | "\(.name) \(.tag) \(.xlated_len)"' "$TMP/tags.json" |
		sort >"$TMP/tags.xdpld" || return 1
	echo "libbpf:"; cat "$TMP/tags.libbpf"; echo "xdpld:"; cat "$TMP/tags.xdpld"
	[ -s "$TMP/tags.libbpf" ] && cmp -s "$TMP/tags.libbpf" "$TMP/tags.xdpld"
}

# Skips are not allowed to hide missing features: only use for a feature
# the running kernel lacks, and say which.
skip() { echo "ok - $* # SKIP"; _record skip; }

# vm_report FILE RC PREFIX: test-vm/run.sh's output (in FILE, its exit
# status RC) as checks named "PREFIX: SCENARIO..."; a scenario the VM's
# kernel cannot run ("ok - NAME # SKIP ...") counts as skipped.
vm_report() {
	_failures=0
	while IFS= read -r _line; do
		case $_line in
		"ok - "*"# SKIP "*) _line=${_line#ok - }
			echo "ok - $3: ${_line%% \# SKIP *} # SKIP ${_line#* \# SKIP }"; _record skip ;;
		"ok - "*) ok "$3: ${_line#ok - }" ;;
		"not ok - "*) not_ok "$3: ${_line#not ok - }"; _failures=$((_failures + 1)) ;;
		"test-vm: "*) echo "# ${_line#test-vm: }" ;;
		*) echo "$_line" ;;
		esac
	done <"$1"
	if [ "$2" != 0 ] && [ "$_failures" = 0 ]; then
		not_ok "$3: test-vm/run.sh failed (exit $2)"
	fi
}

# craft_record RECORD SED-EXPR: a pinned xdpld record rewritten through sed,
# as a new (unfrozen) record map of the same shape (the frozen one cannot
# change): tests of records xdpld did not write.
craft_record() {
	python3 - "$1" "$2" <<'PY'
import json, os, subprocess, sys
path, expr = sys.argv[1], sys.argv[2]
slots = {}
for e in json.loads(subprocess.check_output(["bpftool", "-j", "map", "dump", "pinned", path])):
    key = int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little")
    slots[key] = bytes(int(b, 16) for b in e["value"])
text = b"".join(slots[i] for i in range(16)).split(b"\0")[0].decode()
if expr == "-":    # record_text: print it
    sys.stdout.write(text)
    sys.exit(0)
text = subprocess.run(["sed", "-e", expr], input=text, capture_output=True, text=True,
                      check=True).stdout.encode().ljust(16 * 4096, b"\0")
os.unlink(path)
subprocess.check_call(["bpftool", "map", "create", path, "type", "array", "key", "4",
                       "value", "4096", "entries", "16", "name", "xdpld_record"])
for i in range(16):
    chunk = text[i * 4096:(i + 1) * 4096]
    if any(chunk):
        subprocess.check_call(["bpftool", "map", "update", "pinned", path, "key"] +
                              [str(b) for b in i.to_bytes(4, "little")] + ["value"] +
                              [str(b) for b in chunk])
PY
}
# record_text RECORD: the text of a pinned xdpld record.
record_text() { craft_record "$1" -; }