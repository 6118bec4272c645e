#!/bin/sh
# Runs every unit test binary and every tests/t_*.sh, then prints the totals.
# TESTS="t_link t_inspect" limits the shell tests to those files.
cd "$(dirname "$0")/.." || exit 1
: "${O:=build}"
export O
RESULTS=$(mktemp); export RESULTS
trap 'rm -f "$RESULTS"' EXIT

for bin in "$O"/tests/unit/test_*; do
	[ -x "$bin" ] || continue
	echo "# $bin"
	"$bin" 2>&1 | tee "$RESULTS.unit" | grep -E '^(not )?ok' || true
	grep -E '^not ok' "$RESULTS.unit" | sed 's/.*/fail/' >>"$RESULTS"
	grep -E '^ok' "$RESULTS.unit" | sed 's/.*/pass/' >>"$RESULTS"
	if ! grep -qE '^1\.\.[0-9]+' "$RESULTS.unit" || grep -qE 'Sanitizer|runtime error' "$RESULTS.unit"; then
		echo "not ok - $bin did not finish cleanly"; echo fail >>"$RESULTS"
		tail -n 30 "$RESULTS.unit"
	fi
	rm -f "$RESULTS.unit"
done

for t in tests/t_*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "$TESTS" ]; then case " $TESTS " in *" $name "*) ;; *) continue ;; esac; fi
	echo "# $t"
	sh "$t" || { echo "not ok - $t exited with status $?"; echo fail >>"$RESULTS"; }
done

pass=$(grep -c '^pass$' "$RESULTS")
fail=$(grep -c '^fail$' "$RESULTS")
skipped=$(grep -c '^skip$' "$RESULTS")
echo
if [ "$skipped" -gt 0 ]; then echo "$pass passed, $fail failed, $skipped skipped"
else echo "$pass passed, $fail failed"; fi
[ "$fail" -eq 0 ]
