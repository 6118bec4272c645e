#!/bin/sh
# The manifest read as OpenWrt's uci reads it (issue 20, point 10), through
# `xdpld check`: an unnamed section continued under uci's id for it
# (cfgIITTTT), a line join " \" whose next line is read as the next
# statement, and an empty last word; what uci refuses is refused with
# FILE:LINE (a CR right after the statement word); a value with a newline is
# refused with FILE:LINE and the byte written \x0a, and `list continue_on ''`
# is refused; every path in a message is written \xNN.  Needs no device:
# check verifies, it attaches nothing.
. tests/lib.sh

M=$TMP/xdpld
SAMPLER=$(realpath "$FW/sampler.o")
LB=$(realpath "$FW/lb.o")
XC() { "$XDPLD" check -c "$M"; }

# ---- what uci reads is read the same ----
cat >"$M" <<EOF
config pipeline
	option device 'nosuch0' \\
	option backend 'static'
config module 'sampler'
	option object '$SAMPLER' ''
config module 'lb'
	option object '$LB'
config pipeline 'cfg01cf1b'
	list module 'sampler' '' list module 'lb'
EOF
check_out "uci's id: config pipeline 'cfg01cf1b' continues the unnamed first pipeline" \
	"1 pipeline\\(s\\) on 1 device\\(s\\) check out" XC
printf "config pipeline\n\toption device 'nosuch0'\n\toption backend 'static'\nconfig module 'sampler'\n\toption object '%s'\nconfig pipeline 'cfg02cf1b'\n\tlist module 'sampler'\n" \
	"$SAMPLER" >"$M"
check_fails "uci's id: another index is another section (and the first has no module)" \
	"$M:1: pipeline '@pipeline\\[0\\]': list module is missing" XC

# ---- what uci refuses is refused ----
printf "config module 'sampler'\n\toption\r object '%s'\n" "$SAMPLER" >"$M"
check_fails "a CR after the statement word: refused as uci refuses it" \
	"$M:2: 'option\\\\x0d': a space or tab must follow the statement word \\(uci refuses this line too: invalid command\\)" XC
printf "config module 'sampler'\n\toption object '%s' '' \n" "$SAMPLER" >"$M"
check_fails "blanks after an empty last word: refused as uci refuses it" \
	"$M:2: blanks after an empty last word" XC

# ---- bytes that are not printable, empty actions ----
printf "config module 'lb'\n\toption object '%s\n.o'\nconfig pipeline 'wan'\n\toption device 'nosuch0'\n\tlist module 'lb'\n" \
	"${LB%.o}" >"$M"
check_fails "a newline in the object path: FILE:LINE and \\x0a" \
	"$M:2: module 'lb': option object: '${LB%.o}\\\\x0a\\.o' holds a control byte\$" XC
check "... and no raw newline in the message" sh -c "! '$XDPLD' check -c '$M' 2>&1 | grep -q '^\\.o'"
printf "config module 'lb'\n\toption object '%s'\n\tlist continue_on ''\nconfig pipeline 'wan'\n\toption device 'nosuch0'\n\tlist module 'lb'\n" \
	"$LB" >"$M"
check_fails "list continue_on '': refused with FILE:LINE" \
	"$M:3: module 'lb': continue_on: an empty item \\(''\\) is no action" XC
NL='
'
check_fails "the manifest's own path with a newline: written \\x0a" "$TMP/a\\\\x0ab: No such file" \
	"$XDPLD" check -c "$TMP/a${NL}b"
check "... and no raw newline in the message" sh -c "! '$XDPLD' check -c '$TMP/a${NL}b' 2>&1 | grep -q '^b'"
# The same for a module path given on the command line.
touch "$TMP/m${NL}x.o"
check_fails "attach: a module path with a newline: written \\x0a" \
	"module $TMP/m\\\\x0ax\\.o: path has non-printable characters" \
	"$XDPLD" attach nosuch0 "$TMP/m${NL}x.o" --state-dir "$TMP/sd"
