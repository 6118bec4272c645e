#!/bin/sh
# Prove the README's two commands on a machine that has none of the
# project's packages: a new Debian bookworm root made with debootstrap
# (minbase), given only what a new machine of this kind has to start with
# (gcc, make, git), and in it a fresh clone of this repository's HEAD:
# `make demo`, then `make check` (what .ci/run runs).  Prints the times.
#
#   scripts/fresh-check.sh [DIR]          (default /var/tmp/xdpld-fresh)
#
# FRESH_STEPS="demo check" chooses the steps (e.g. FRESH_STEPS=demo).
# The root runs in a mount namespace of its own: its /proc, /sys (so its
# own bpffs), /run (its own netns names) and /dev are gone when it ends.
# It shares this machine's kernel and network: apt reaches the same
# archive, tests run on the same kernel, as CI does.  Root only.
set -eu
cd "$(dirname "$0")/.."
REPO=$(pwd)
DIR=${1:-/var/tmp/xdpld-fresh}
STEPS=${FRESH_STEPS:-demo check}
SUITE=bookworm
BASE_PKGS="gcc make git ca-certificates"
log() { echo "fresh-check: $*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot, mounts)"; exit 1; }
command -v debootstrap >/dev/null || {
	log "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}
# The mirror this machine uses (first URIs line of its deb822 sources).
MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# Processes and mounts left by an interrupted run would keep rm from working.
if [ -d "$DIR" ]; then
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$DIR" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	grep -o " $DIR/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$DIR"
fi
t0=$(date +%s)
log "debootstrap $SUITE (minbase) into $DIR from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$DIR" "$MIRROR" >"$DIR.debootstrap.log" 2>&1 ||
	{ tail -n 20 "$DIR.debootstrap.log" >&2; exit 1; }
# The same apt setup as this machine (its suites, including security and
# updates, and its apt.conf.d settings), as a new machine of this kind has.
rm -f "$DIR/etc/apt/sources.list"
cp /etc/apt/sources.list.d/* "$DIR/etc/apt/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$DIR/etc/apt/"
cp /etc/apt/apt.conf.d/* "$DIR/etc/apt/apt.conf.d/" 2>/dev/null || true
cp /etc/resolv.conf "$DIR/etc/resolv.conf"
git clone -q --no-hardlinks "$REPO" "$DIR/root/xdpld"
head=$(git -C "$DIR/root/xdpld" log --oneline -1)
t1=$(date +%s)
log "root ready in $((t1 - t0)) s; testing $head"

cat >"$DIR/root/fresh.sh" <<EOF
set -u
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends $BASE_PKGS >/dev/null || exit 1
echo "fresh-check: the new machine's packages: \$(dpkg-query -W -f='\${Package}\n' | wc -l) (with $BASE_PKGS)"
cd /root/xdpld
rc=0
for step in $STEPS; do
	s=\$(date +%s)
	make \$step >/root/\$step.log 2>&1; r=\$?
	e=\$(date +%s)
	echo "fresh-check: make \$step: exit \$r in \$((e - s)) s (\$(tail -n 1 /root/\$step.log))"
	[ \$r = 0 ] || { tail -n 40 /root/\$step.log; rc=1; }
	if [ \$step = demo ]; then
		extra=\$(dpkg-query -W -f='\${Package}\n' | grep -E '^(gcc-.*-linux-gnu.*|qemu-system-.*|gnuplot.*|qemu-user.*)\$' | tr '\n' ' ')
		if [ -n "\$extra" ]; then echo "fresh-check: make demo installed: \$extra"; rc=1
		else echo "fresh-check: make demo installed no cross compiler, qemu or gnuplot"; fi
	fi
done
exit \$rc
EOF

# Own mount namespace: proc, sysfs, /dev, tmpfs /run for the root.
# The root bind-mounted on itself: `ip netns exec` makes / a slave mount,
# which only works on a mount point.
unshare --mount --propagation private sh -c "
	mount --bind '$DIR' '$DIR' &&
	mount -t proc proc '$DIR/proc' &&
	mount -t sysfs sysfs '$DIR/sys' &&
	mount --rbind /dev '$DIR/dev' &&
	mount -t tmpfs tmpfs '$DIR/run' &&
	exec chroot '$DIR' /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root TERM=dumb LANG=C.UTF-8 /bin/sh /root/fresh.sh" && rc=0 || rc=$?
t2=$(date +%s)
log "done in $((t2 - t0)) s (root $((t1 - t0)) s); logs: $DIR/root/{demo,check}.log"
exit $rc
