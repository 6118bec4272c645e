#!/bin/sh
# make demo: link the sample vendor modules, show what was renamed, and inspect
# the result.
set -e
cd "$(dirname "$0")/.."
: "${O:=build}"
X=$O/xdpld
FW=$O/firmware
OUT=$O/demo
mkdir -p "$OUT"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Four vendor objects, with colliding names"
for m in fw_acme fw_bolt lb sampler; do
	printf '%-10s ' "$m:"
	"$X" inspect "$FW/$m.o" --json | tr ',' '\n' | grep -o '"name": *"[a-z_]*"' |
		sed 's/"name": *//' | tr -d '"' | tr '\n' ' '
	echo
done

say "xdpld link: renaming what conflicts"
"$X" -v link -o "$OUT/pipeline.o" "$FW/fw_acme.o" "$FW/fw_bolt.o" "$FW/lb.o" \
	"$FW/sampler.o" --map-file "$OUT/pipeline.names"

say "The name map ($OUT/pipeline.names)"
cat "$OUT/pipeline.names"

say "xdpld inspect $OUT/pipeline.o"
"$X" inspect "$OUT/pipeline.o"
