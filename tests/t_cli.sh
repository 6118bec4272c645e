#!/bin/sh
# The command line: every command answers --help and refuses an unknown
# option or a missing argument (exit 2), and its options are the same in
# the three places that list them: --help (generated from the command's
# table in loader/cli/cmd_*.c), its section of docs/xdpld.8 and its table in
# README.md, with the same short letter, argument name and "(repeatable)"
# and "(required)" marks.  MAN_PAGE and README_MD name other files to compare
# (to see the test catch a difference).
. tests/lib.sh

MAN=${MAN_PAGE:-docs/xdpld.8}
README=${README_MD:-README.md}

# usage_error NAME PATTERN CMD...: CMD exits 2 and prints PATTERN (grep -E).
usage_error() {
	_name=$1; _pat=$2; shift 2
	"$@" >"$TMP/ue" 2>&1
	_rc=$?
	if [ $_rc -eq 2 ] && grep -qE -- "$_pat" "$TMP/ue" &&
	   ! grep -qE 'Sanitizer|runtime error' "$TMP/ue"; then ok "$_name"; else
		not_ok "$_name (exit $_rc)"; sed 's/^/    /' "$TMP/ue" | tail -n 20; fi
}

# Each lister prints one line per option: "KEY<TAB>MARKS", KEY as --help
# writes it ("-o, --output OUT.o", "--mode native|skb|hw|auto"), MARKS R
# for repeatable and Q for required.
help_opts() {
	"$XDPLD" "$1" --help | awk '
	function flush() { if (key != "") print key "\t" (r ? "R" : "") (q ? "Q" : ""); key = ""; r = q = 0 }
	function marks(s) { if (s ~ /\(repeatable\)/) r = 1; if (s ~ /\(required\)/) q = 1 }
	/^options:/ { on = 1; next }
	!on { next }
	/^ +-/ {
		flush(); line = $0; sub(/^ +/, "", line); i = index(line, "  ")
		if (i) { key = substr(line, 1, i - 1); marks(substr(line, i)) } else key = line
		next
	}
	/^ +[^ -]/ { marks($0) }
	END { flush() }' | sort
}

# An option of docs/xdpld.8 is a .TP in the command's .SS "xdpld CMD"; its
# tag line is the key in roff ("\fB\-o\fR, \fB\-\-output\fR \fIOUT.o\fR").
man_opts() {
	awk -v cmd="$1" '
	function flush() { if (key != "") print key "\t" (r ? "R" : "") (q ? "Q" : ""); key = ""; r = q = 0 }
	/^\.S[SH]/ { flush(); insec = ($0 == ".SS \"xdpld " cmd "\""); next }
	!insec { next }
	/^\.TP/ { flush(); tag = 1; next }
	tag { key = $0; gsub(/\\f[BIRP]/, "", key); gsub(/\\-/, "-", key); gsub(/\\&/, "", key); tag = 0; next }
	/^\.(PP|LP|P)$/ { flush(); next }
	key != "" { if ($0 ~ /\(repeatable\)/) r = 1; if ($0 ~ /\(required\)/) q = 1 }
	END { flush() }' "$MAN" | sort
}

# README.md: the rows of the table under "#### `xdpld CMD`", the key in the
# first column ("`-o`, `--output OUT.o`", "|" written "\|").
readme_opts() {
	awk -v cmd="$1" '
	/^#/ { insec = ($0 == "#### `xdpld " cmd "`"); next }
	insec && /^\| `/ {
		i = index($0, " | "); key = substr($0, 3, i - 3); rest = substr($0, i)
		gsub(/`/, "", key); gsub(/\\\|/, "|", key)
		print key "\t" (rest ~ /\(repeatable\)/ ? "R" : "") (rest ~ /\(required\)/ ? "Q" : "")
	}' "$README" | sort
}

# same_opts CMD LISTER: LISTER's options of CMD are exactly --help's.
same_opts() {
	help_opts "$1" >"$TMP/help.$1" && "$2" "$1" >"$TMP/$2.$1" &&
		[ -s "$TMP/help.$1" ] && diff "$TMP/help.$1" "$TMP/$2.$1"
}

# drop_man_opt CMD PATTERN: the man page without CMD's option whose tag
# matches PATTERN.
drop_man_opt() {
	awk -v cmd="$1" -v pat="$2" '
	/^\.S[SH]/ { insec = ($0 == ".SS \"xdpld " cmd "\""); drop = 0 }
	insec && /^\.TP/ { getline tag; drop = (tag ~ pat); if (!drop) { print; print tag }; next }
	/^\.(PP|LP|P)$/ { drop = 0 }
	!drop' "$MAN"
}

# ---- xdpld --help and the command list ----
check_out "xdpld --help exits 0 with its usage" '^usage: xdpld ' "$XDPLD" --help
check_out "xdpld help exits 0 with its usage" '^usage: xdpld ' "$XDPLD" help
usage_error "xdpld without a command: usage error" '^usage: xdpld ' "$XDPLD"
usage_error "xdpld --bogus: usage error" "unknown option '--bogus'" "$XDPLD" --bogus
usage_error "xdpld help of an unknown command: usage error" "unknown command 'nosuch'" \
	"$XDPLD" help nosuch

# "  NAME  SUMMARY" lines after "commands:"
"$XDPLD" --help | awk '/^commands:/ { on = 1; next } on && NF == 0 { exit } on' >"$TMP/cmds"
CMDS=$(awk '{ print $1 }' "$TMP/cmds")
check "xdpld --help lists the 15 commands, each with a summary" sh -c \
	"[ \$(wc -l <'$TMP/cmds') -eq 15 ] && awk 'NF < 3 { exit 1 }' '$TMP/cmds'"
help_cmds=$(echo "$CMDS" | sort | tr '\n' ' ')
man_cmds=$(sed -n 's/^\.SS "xdpld \(.*\)"$/\1/p' "$MAN" | sort | tr '\n' ' ')
readme_cmds=$(sed -n 's/^#### `xdpld \(.*\)`$/\1/p' "$README" | sort | tr '\n' ' ')
check "docs/xdpld.8: one section per command of --help" test "$man_cmds" = "$help_cmds"
check "README.md: one option table per command of --help" test "$readme_cmds" = "$help_cmds"

# ---- each command ----
for c in $CMDS; do
	check_out "$c --help exits 0 and prints its usage" "^usage: xdpld $c( |\$)" "$XDPLD" "$c" --help
	check "help $c and $c -h print what $c --help does" sh -c \
		"'$XDPLD' $c --help >'$TMP/h1' && '$XDPLD' help $c | cmp - '$TMP/h1' &&
		 '$XDPLD' $c -h | cmp - '$TMP/h1'"
	usage_error "$c --no-such-option: exit 2, naming it" \
		"$c: unrecognized option '--no-such-option'" "$XDPLD" "$c" --no-such-option
	# the first option that takes an argument, given none
	opt=$(help_opts "$c" | cut -f1 | awk '{ sub(/^-., /, "") } / / { print $1; exit }')
	if [ -n "$opt" ]; then
		usage_error "$c $opt without its argument: exit 2, naming it" \
			"$c: missing argument for '$opt'" "$XDPLD" "$c" "$opt"
	fi
	check "$c: docs/xdpld.8 lists the options --help lists" same_opts "$c" man_opts
	check "$c: README.md lists the options --help lists" same_opts "$c" readme_opts
done

# ---- the comparison catches each kind of difference ----
# caught NAME CMD LISTER VAR FILE: with VAR (MAN or README) set to FILE,
# the comparison of CMD's options with LISTER's fails.
caught() {
	if ( eval "$4=\$5"; same_opts "$2" "$3" ) >/dev/null 2>&1; then not_ok "$1"; else ok "$1"; fi
}
drop_man_opt detach force >"$TMP/d1.8"
caught "caught: detach's --force missing from the man page" detach man_opts MAN "$TMP/d1.8"
awk '{ print } $0 == ".SS \"xdpld probe\"" { print ".TP"; print "\\fB\\-\\-yaml\\fR"; print "YAML." }' \
	"$MAN" >"$TMP/d2.8"
caught "caught: an option only the man page has (probe --yaml)" probe man_opts MAN "$TMP/d2.8"
sed 's/\\-\\-slots\\fR \\fIN\\fR/\\-\\-slots\\fR \\fICOUNT\\fR/' "$MAN" >"$TMP/d3.8"
caught "caught: another argument name in the man page (rootlet --slots COUNT)" \
	rootlet man_opts MAN "$TMP/d3.8"
grep -v '^| `--partial` |' "$README" >"$TMP/d1.md"
caught "caught: link's --partial missing from README.md" link readme_opts README "$TMP/d1.md"
sed 's/^\(| `--set VAR=VALUE` |.*\) (repeatable)/\1/' "$README" >"$TMP/d2.md"
caught "caught: README.md not saying --set is repeatable" verify readme_opts README "$TMP/d2.md"
sed 's/^| `-j`, `--json` |/| `--json` |/' "$README" >"$TMP/d3.md"
caught "caught: README.md without inspect's -j" inspect readme_opts README "$TMP/d3.md"

# ---- the man page renders, and make install installs it ----
if command -v groff >/dev/null; then
	check "docs/xdpld.8 renders without warnings (groff -man -ww)" sh -c \
		"groff -man -ww -z '$MAN' 2>'$TMP/groff' && ! [ -s '$TMP/groff' ] || { cat '$TMP/groff'; false; }"
else
	not_ok "docs/xdpld.8: groff not found (install groff-base)"
fi
check "make install: xdpld in sbin, xdpld.8 in share/man/man8 (DESTDIR, PREFIX)" sh -c \
	"make -s --no-print-directory O='$O' DESTDIR='$TMP/inst' PREFIX=/usr install >/dev/null &&
	 test -x '$TMP/inst/usr/sbin/xdpld' && cmp docs/xdpld.8 '$TMP/inst/usr/share/man/man8/xdpld.8'"
