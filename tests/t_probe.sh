#!/bin/sh
# xdpld probe [--json]: which rootlet backends the kernel runs, from test
# loads.  On this host: static, tailcall and chain yes; freplace as bpftool's own
# probe says (this kernel refuses EXT programs: then "no" naming extension
# programs).  The JSON agrees with the text, XDPLD_PROBE_MISSING forces
# backends off, no loader message leaks out, no descriptor stays open.
# The VM scenario probe_backends checks a kernel where freplace works.
. tests/lib.sh

# probe NAME [ENV=VALUE...] -- ARGS...: runs xdpld probe into $TMP/NAME.out
# (stdout) and $TMP/NAME.err (stderr).
probe() {
	_n=$1; shift
	env "$@" >"$TMP/$_n.out" 2>"$TMP/$_n.err"
}
# line NAME REGEX: the text output NAME has a line matching REGEX (whole line).
line() { grep -qxE "$2" "$TMP/$1.out" || { cat "$TMP/$1.out" "$TMP/$1.err"; return 1; }; }
# jqis NAME FILTER VALUE: jq -r FILTER on NAME's JSON prints VALUE.
jqis() {
	_v=$(jq -r "$2" "$TMP/$1.out") || return 1
	[ "$_v" = "$3" ] || { echo "$2 is '$_v', expected '$3'"; return 1; }
}

check "probe: runs and exits 0" probe text "$XDPLD" probe
check "probe: static yes" line text 'static    yes'
check "probe: tailcall yes (x86_64 JIT: tail calls from subprograms)" line text 'tailcall  yes'
if bpftool feature probe kernel 2>/dev/null | grep -q 'program_type ext is NOT available'; then
	check "probe: freplace no, the kernel refuses extension programs (as bpftool says)" \
		line text 'freplace  no   the kernel refuses extension programs \(BPF_PROG_TYPE_EXT\): .+'
	check "probe: auto is chain" line text 'auto      chain'
else
	check "probe: freplace yes or a reason (bpftool says EXT programs load)" \
		line text 'freplace  (yes|no   .+)'
	check "probe: auto is the best supported" line text 'auto      (freplace|chain)'
fi
check "probe: five lines, nothing on stderr (probe failures are quiet)" \
	sh -c "[ \$(wc -l <'$TMP/text.out') = 5 ] && [ ! -s '$TMP/text.err' ]"

check "probe --json: runs" probe json "$XDPLD" probe --json
check "probe --json: valid JSON with the documented keys" jq -e \
	'(.backends | keys) == ["chain", "freplace", "static", "tailcall"] and (.auto | type) == "string"
	 and ([.backends[] | .supported | type] | unique) == ["boolean"]' "$TMP/json.out"
# same NAME: the JSON agrees with the text for every backend and auto.
same() {
	for _b in static tailcall freplace chain; do
		_t=$(sed -n "s/^$_b  *//p" "$TMP/$1.out")
		case $_t in
		yes) jqis "$1-json" ".backends.$_b | [.supported, has(\"why\")] | @text" '[true,false]' ;;
		"no   "*) jqis "$1-json" ".backends.$_b.supported" false &&
			jqis "$1-json" ".backends.$_b.why" "${_t#no   }" ;;
		*) echo "$_b: unexpected text '$_t'"; false ;;
		esac || return 1
	done
	jqis "$1-json" .auto "$(sed -n 's/^auto  *//p' "$TMP/$1.out")"
}
cp "$TMP/json.out" "$TMP/text-json.out"
check "probe --json: agrees with the text output" same text

check "probe: XDPLD_PROBE_MISSING=tailcall runs" probe mt XDPLD_PROBE_MISSING=tailcall "$XDPLD" probe
check "probe: XDPLD_PROBE_MISSING=tailcall: tailcall no, saying so" \
	line mt 'tailcall  no   disabled by XDPLD_PROBE_MISSING'
check "probe: XDPLD_PROBE_MISSING=tailcall: static still yes" line mt 'static    yes'
check "probe: XDPLD_PROBE_MISSING=tailcall,freplace,chain: auto static" sh -c \
	"XDPLD_PROBE_MISSING=tailcall,freplace,chain $XDPLD probe | grep -qx 'auto      static'"
check "probe: XDPLD_PROBE_MISSING=freplace --json" probe mf-json \
	XDPLD_PROBE_MISSING=freplace "$XDPLD" probe --json
check "probe: XDPLD_PROBE_MISSING=freplace: JSON says why, auto chain" jq -e \
	'.backends.freplace == {"supported": false, "why": "disabled by XDPLD_PROBE_MISSING"}
	 and .auto == "chain"' "$TMP/mf-json.out"
check "probe: XDPLD_PROBE_MISSING=all: only static, auto static" probe all \
	XDPLD_PROBE_MISSING=all "$XDPLD" probe
check "probe: XDPLD_PROBE_MISSING=all: the text" sh -c \
	"grep -qx 'static    yes' '$TMP/all.out' && grep -qx 'auto      static' '$TMP/all.out' &&
	 [ \$(grep -c 'no   disabled by XDPLD_PROBE_MISSING' '$TMP/all.out') = 3 ]"
check "probe: XDPLD_PROBE_MISSING=vmlinux_btf: freplace no, no kernel BTF" sh -c \
	"XDPLD_PROBE_MISSING=vmlinux_btf $XDPLD probe | grep -qx 'freplace  no   the kernel has no BTF (/sys/kernel/btf/vmlinux)'"
check "probe: XDPLD_PROBE_MISSING takes whole names only (freplacex, tail)" sh -c \
	"XDPLD_PROBE_MISSING=freplacex,tail $XDPLD probe | grep -qx 'tailcall  yes'"

check "probe: no descriptor left open (XDPLD_CHECK_FD_LEAKS=1)" \
	probe fd XDPLD_CHECK_FD_LEAKS=1 "$XDPLD" probe
check "probe --json: no descriptor left open either" \
	probe fdj XDPLD_CHECK_FD_LEAKS=1 XDPLD_PROBE_MISSING=vmlinux_btf "$XDPLD" probe --json
check "probe -v: the loader's messages show as debug output" sh -c \
	"$XDPLD -v probe 2>&1 >/dev/null | grep -q 'probe: backend freplace: '"
check_fails "probe: an extra argument is a usage error" 'usage: xdpld probe \[--json\]' \
	"$XDPLD" probe eth0
check_fails "probe: an unknown option is refused" 'unrecognized option' "$XDPLD" probe --yaml
if id nobody >/dev/null 2>&1; then
	check_fails "probe: without privileges it fails, saying why" \
		'static backend: loading BPF programs is not permitted' \
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$XDPLD" probe
fi
