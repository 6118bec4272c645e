#!/bin/sh
# The loader's stages, one folder each under loader/ (each with a README.md
# saying what it owns and may use), use each other one way only; which
# folders each may use is written once, in loader/LAYERS.  Read from the
# built objects ($O/obj/FOLDER/FILE.o, nm): each undefined global symbol of
# a file that another file defines is a use of that file.  A use across
# folders must be allowed by LAYERS, LAYERS itself must have no circle, and
# no files may use each other in a circle, not even inside one folder.
# Includes of another folder's header ("elf/obj.h") must be allowed too.
# The checks also run on a made-up use, a made-up LAYERS circle and a
# made-up circle of files, which they must refuse.  LAYERS_FILE names
# another LAYERS file (to see the test catch a forbidden use).
. tests/lib.sh

LAYERS=${LAYERS_FILE:-loader/LAYERS}
OBJ=$O/obj

# obj_uses DIR: "FROM TO SYMBOL" for every use of a symbol of file TO by
# file FROM (files named FOLDER/NAME after DIR/FOLDER/NAME.o).
obj_uses() {
	for _o in "$1"/*/*.o; do
		[ -f "$_o" ] || continue
		_f=${_o#"$1"/}
		nm -P "$_o" | awk -v f="${_f%.o}" '
			$2 == "U" { print f, "U", $1 }
			$2 ~ /^[TDBRCGSVW]$/ { print f, "D", $1 }'
	done | awk '
		$2 == "D" { def[$3] = $1; next }
		{ from[++n] = $1; sym[n] = $3 }
		END {
			for (i = 1; i <= n; i++)
				if ((sym[i] in def) && def[sym[i]] != from[i])
					print from[i], def[sym[i]], sym[i]
		}'
}

# include_uses: "FROM TO #include" for every include of another folder's
# header in loader/FOLDER/*.[ch] (TO is FOLDER/NAME like obj_uses').
include_uses() {
	for _s in loader/*/*.c loader/*/*.h; do
		_f=${_s#loader/}
		sed -n 's/^#include "\([a-z_]*\/[a-z_0-9]*\)\.h".*/\1/p' "$_s" |
			while read -r _h; do echo "${_f%.*} $_h #include"; done
	done
}

# layers_ok LAYERS USES: 0 when every use across folders is one LAYERS
# allows and every folder of USES has a line there; else each bad use.
layers_ok() {
	awk '
		FNR == NR {
			if ($0 ~ /^[ \t]*(#|$)/) next
			sub(/:/, " "); known[$1] = 1
			for (i = 2; i <= NF; i++) may[$1 " " $i] = 1
			next
		}
		{
			a = $1; b = $2; sub(/\/.*/, "", a); sub(/\/.*/, "", b)
			if (a == b) next
			if (!(a in known)) { print "folder " a "/ has no line in LAYERS"; bad = 1 }
			else if (!((a " " b) in may)) {
				print $1 " uses " $2 " (" $3 "): " a "/ may not use " b "/"; bad = 1
			}
		}
		END { exit bad }' "$1" "$2"
}

# circles EDGES: 0 when the graph of "FROM TO ..." lines has no circle;
# else prints the nodes on circles (and between them).  Removes nodes
# without outgoing edges, then nodes without incoming ones, until none go.
circles() {
	awk '
		$1 != $2 { e[$1 " " $2] = 1; node[$1] = 1; node[$2] = 1 }
		END {
			do {
				changed = 0
				for (n in node) { out[n] = 0; inc[n] = 0 }
				for (k in e) {
					split(k, p, " ")
					if ((p[1] in node) && (p[2] in node)) { out[p[1]]++; inc[p[2]]++ }
				}
				for (n in node)
					if (!out[n] || !inc[n]) { delete node[n]; changed = 1 }
			} while (changed)
			for (n in node) { print "on a circle: " n; left = 1 }
			exit left
		}' "$1"
}

# layers_edges LAYERS: the allowed uses as "FROM TO" lines.
layers_edges() {
	awk '!/^[ \t]*(#|$)/ { sub(/:/, " "); for (i = 2; i <= NF; i++) print $1, $i }' "$1"
}

# folder_edges USES: the uses between folders, "FROM TO" once each.
folder_edges() {
	awk '{ a = $1; b = $2; sub(/\/.*/, "", a); sub(/\/.*/, "", b); if (a != b) print a, b }' "$1" |
		sort -u
}

check "the loader is built ($OBJ/*/*.o)" sh -c "ls '$OBJ'/*/*.o >/dev/null"
obj_uses "$OBJ" >"$TMP/uses"
include_uses >"$TMP/incl"
layers_edges "$LAYERS" >"$TMP/allowed"
folder_edges "$TMP/uses" >"$TMP/folders"

check "no .c file directly in loader/ (one folder per stage)" \
	sh -c "! ls loader/*.c 2>/dev/null | grep -q ."
check "at least six stage folders, each with a README.md and a line in LAYERS" sh -c "
	n=0
	for d in loader/*/; do
		d=\${d%/}; [ -f \"\$d/README.md\" ] || { echo \"\$d: no README.md\"; exit 1; }
		grep -q \"^\${d#loader/}:\" '$LAYERS' || { echo \"\$d: no line in $LAYERS\"; exit 1; }
		n=\$((n + 1))
	done
	[ \$n -ge 6 ]"
check "uses read from the objects (cli/main uses base/log)" \
	grep -q '^cli/main base/log ' "$TMP/uses"
check "loader/LAYERS has no circle" circles "$TMP/allowed"
check "uses between folders (nm of the objects) follow loader/LAYERS" layers_ok "$LAYERS" "$TMP/uses"
check "includes between folders follow loader/LAYERS" layers_ok "$LAYERS" "$TMP/incl"
check "the folders' uses have no circle" circles "$TMP/folders"
check "no circle of files (nm of the objects), not even inside a folder" circles "$TMP/uses"

# The checks can fail: a made-up use of cli/ by base/, a LAYERS where btf/
# and elf/ may use each other, and two link/ files using each other.
cat "$TMP/uses" >"$TMP/bad_uses"
echo "base/log cli/main made_up_symbol" >>"$TMP/bad_uses"
check_fails "self-check: a use of cli/ by base/ is refused" \
	"base/log uses cli/main \(made_up_symbol\): base/ may not use cli/" \
	layers_ok "$LAYERS" "$TMP/bad_uses"
sed 's/^btf:.*/btf: base elf/' "$LAYERS" >"$TMP/bad_layers"
layers_edges "$TMP/bad_layers" >"$TMP/bad_allowed"
check_fails "self-check: a circle in LAYERS is found" "on a circle: (btf|elf)" \
	circles "$TMP/bad_allowed"
cat "$TMP/uses" >"$TMP/bad_files"
printf 'link/a link/b x\nlink/b link/c y\nlink/c link/a z\n' >>"$TMP/bad_files"
check_fails "self-check: a circle of files inside a folder is found" "on a circle: link/[abc]" \
	circles "$TMP/bad_files"
{ cat "$TMP/uses"; echo "extra/x base/log made_up_symbol"; } >"$TMP/bad_folder"
check_fails "self-check: a folder missing from LAYERS is refused" "folder extra/ has no line" \
	layers_ok "$LAYERS" "$TMP/bad_folder"

# What the objects say, for whoever reads the log.
awk '{ u[$1] = u[$1] " " $2 } END { for (f in u) print "# " f " uses" u[f] }' "$TMP/folders" | sort
