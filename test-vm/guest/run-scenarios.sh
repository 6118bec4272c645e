#!/bin/sh
# Runs inside the VM (from /etc/init.d/rcS): run-scenarios NAME...
# Each scenario /usr/lib/xdpld-test/scenarios/NAME.sh runs in a fresh
# temporary folder with a time limit; its output is printed as "# " lines,
# then "ok - NAME" or "not ok - NAME".  test-vm/run.sh on the host parses
# these lines and the final "xdpld-vm: done" marker.
TESTDIR=/usr/lib/xdpld-test
: "${SCENARIO_TIMEOUT:=180}"	# relink_freplace takes 20-40 s under TCG
# ... and 2-3 minutes on an emulated router CPU (aarch64 under TCG)
[ "$(uname -m)" = x86_64 ] || [ "$SCENARIO_TIMEOUT" != 180 ] || SCENARIO_TIMEOUT=600
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export XDPLD=/usr/sbin/xdpld FW=/usr/lib/xdpld TESTDIR

# "all" (test-vm/run.sh without names): every scenario of the image, in
# the order of the host's test-vm/scenarios/*.sh (the same files), but
# those with a line "# scenario-all: no" (they need a driver on the host,
# e.g. fleet_node: test-vm/fleet.sh); the host's list leaves out the same.
if [ "$*" = all ]; then
	set --
	for s in "$TESTDIR"/scenarios/*.sh; do
		[ -f "$s" ] && ! grep -qx '# scenario-all: no' "$s" && set -- "$@" "$(basename "$s" .sh)"
	done
fi
read -r up _ </proc/uptime
echo "xdpld-vm: start $* (uptime ${up}s, kernel $(uname -r))"
for name in "$@"; do
	script=$TESTDIR/scenarios/$name.sh
	echo "# --- $name"
	if [ ! -f "$script" ]; then
		echo "# no scenario $script"
		echo "not ok - $name"
		continue
	fi
	work=$(mktemp -d /tmp/scenario.XXXXXX)
	# A scenario that waits for a slow host side says how long it may take:
	# a line "# scenario-timeout: SECONDS".
	limit=$(sed -n 's/^# scenario-timeout: \([0-9][0-9]*\)$/\1/p' "$script" | head -n 1)
	start=$(cut -d' ' -f1 /proc/uptime)
	(cd "$work" && timeout "${limit:-$SCENARIO_TIMEOUT}" sh "$script") >"$work.log" 2>&1
	rc=$?
	end=$(cut -d' ' -f1 /proc/uptime)
	sed 's/^/# /' "$work.log"
	if [ "$rc" = 0 ]; then
		echo "ok - $name"
	elif [ "$rc" = 77 ] && [ "$(uname -m)" != x86_64 ]; then
		# skip (lib.sh): a kernel feature this router CPU's kernel lacks.
		# The x86_64 VM's kernel has them all: there 77 is a failure.
		echo "ok - $name # SKIP $(tail -n 1 "$work.log")"
	else
		echo "# exit status $rc"
		echo "not ok - $name"
	fi
	echo "# $name took $(echo "$end - $start" | bc)s"
	rm -rf "$work" "$work.log"
done
read -r up _ </proc/uptime
echo "xdpld-vm: done (uptime ${up}s)"
