#!/bin/sh
# Boot the firmware image ($O/image, from `make image`) under qemu (TCG).
#
#   test-vm/run.sh [SCENARIO...]   run scenarios (default: all in
#                                  test-vm/scenarios/), print TAP-like
#                                  "ok - NAME"/"not ok - NAME" lines, exit 1
#                                  on any failure, missing result or timeout
#   test-vm/run.sh --interactive   a shell on the serial console (Ctrl-A X quits)
#
# VM_TIMEOUT (seconds, default 600) limits the whole run.  The console log
# is kept in $O/vm/console.log.  Two virtio NICs are joined by a qemu hub
# (no packet leaves the VM); a third one, the management port, is on qemu's
# user-mode network with restrict=on: the guest reaches nothing outside, and
# the host reaches its SSH server through 127.0.0.1:$VM_SSH_PORT (default: a
# free port picked at run time), with the key $O/image/ssh_key.
#
# A scenario NAME may have a host side, test-vm/host/NAME.sh: it runs on
# this machine while the VM runs (see test-vm/host/lib.sh), and its
# "ok - NAME: ..."/"not ok - NAME: ..." lines are printed after the
# scenario's own and count like them.
#
# TARGET=aarch64|mipsel|armhf (default x86_64) boots $O/image-$TARGET (`make
# image TARGET=...`) on that architecture's qemu instead, and keeps its log
# in $O/vm-$TARGET.  The images of all four carry the same tools (dropbear
# included); a scenario needing a kernel feature that architecture's kernel
# lacks skips itself in the guest (test-vm/guest/lib.sh, `skip`).
#
# VM_DIR=FOLDER keeps the log (and the host sides' output) there instead of
# $O/vm: for several VMs at once, each with its own VM_DIR and VM_SSH_PORT
# (test-vm/fleet.sh boots two).  A scenario with a line "# scenario-all: no"
# runs only when named (it needs such a driver).
set -u
cd "$(dirname "$0")/.." || exit 1
: "${O:=build}"
: "${VM_TIMEOUT:=600}"
: "${TARGET:=x86_64}"
die() { echo "test-vm: $*" >&2; exit 2; }

# Per architecture: the image and log folders, qemu and its machine, the
# serial console.
case $TARGET in
x86_64)
	IMGDIR=$O/image VMDIR=$O/vm CONSOLE=ttyS0
	QEMU=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found (install qemu-system-x86)"
	MACHINE="-accel tcg -m 512 -smp 2" ;;
aarch64)
	IMGDIR=$O/image-$TARGET VMDIR=$O/vm-$TARGET CONSOLE=ttyAMA0
	QEMU=$(command -v qemu-system-aarch64) || die "qemu-system-aarch64 not found (install qemu-system-arm)"
	MACHINE="-M virt -cpu max -accel tcg -m 512 -smp 2" ;;
mipsel)
	IMGDIR=$O/image-$TARGET VMDIR=$O/vm-$TARGET CONSOLE=ttyS0
	QEMU=$(command -v qemu-system-mipsel) || die "qemu-system-mipsel not found (install qemu-system-mips)"
	MACHINE="-M malta -accel tcg -m 256" ;;
armhf)	# armmp has no LPAE: keep the PCIe window below 4 GiB
	IMGDIR=$O/image-$TARGET VMDIR=$O/vm-$TARGET CONSOLE=ttyAMA0
	QEMU=$(command -v qemu-system-arm) || die "qemu-system-arm not found (install qemu-system-arm)"
	MACHINE="-M virt,highmem=off -cpu cortex-a15 -accel tcg -m 512 -smp 2" ;;
*) die "TARGET=$TARGET: one of x86_64, aarch64, mipsel, armhf" ;;
esac
IMG=$IMGDIR/initramfs.cpio.gz
VMDIR=${VM_DIR:-$VMDIR}

[ -f "$IMG" ] && [ -f "$IMGDIR/kernel" ] || die "no image in $IMGDIR (run make image)"
KERNEL=$(cat "$IMGDIR/kernel")
[ -r "$KERNEL" ] || die "kernel $KERNEL not readable (install linux-image-amd64)"

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
VM_SSH_PORT=${VM_SSH_PORT:-$(free_port)}
[ -n "$VM_SSH_PORT" ] || die "no free TCP port for the VM's SSH forward (python3 missing?)"
SSH_KEY=$IMGDIR/ssh_key
MGMT_MAC=52:54:00:6d:67:74	# firmware/image/rootfs/etc/init.d/network looks for it

# KVM hangs after kernel decompression on the CI machines: TCG only.
# qemu_run APPEND [WRAPPER...]: boot with extra kernel arguments APPEND,
# the qemu command prefixed by WRAPPER (e.g. timeout).
qemu_run() {
	_append=$1; shift
	"$@" "$QEMU" $MACHINE -nodefaults -no-user-config -nographic \
		-serial mon:stdio -no-reboot \
		-kernel "$KERNEL" -initrd "$IMG" -append "console=$CONSOLE panic=-1 $_append" \
		-netdev hubport,id=wan,hubid=0 -device virtio-net-pci,netdev=wan,romfile= \
		-netdev hubport,id=lan,hubid=0 -device virtio-net-pci,netdev=lan,romfile= \
		-netdev "user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:$VM_SSH_PORT-:22" \
		-device virtio-net-pci,netdev=mgmt,mac=$MGMT_MAC,romfile=
}

if [ "${1:-}" = --interactive ]; then
	echo "test-vm: booting $KERNEL with $IMG; Ctrl-A X quits"
	echo "test-vm: ssh -i $SSH_KEY -p $VM_SSH_PORT -o StrictHostKeyChecking=no" \
		"-o UserKnownHostsFile=/dev/null root@127.0.0.1"
	qemu_run "quiet"
	exit $?
fi

ALL=
if [ $# = 0 ]; then
	ALL=1
	for s in test-vm/scenarios/*.sh; do	# the guest's "all" is the same list
		[ -f "$s" ] && ! grep -qx '# scenario-all: no' "$s" && set -- "$@" "$(basename "$s" .sh)"
	done
fi
[ $# -gt 0 ] || die "no scenarios"
for name in "$@"; do
	case $name in *[!A-Za-z0-9_-]*) die "bad scenario name '$name'" ;; esac
done
# The scenarios go to the guest on the kernel command line; qemu's malta
# board (mipsel) passes at most 255 bytes of it (its boot environment
# entries are 256 bytes) and cuts the rest: "all" when no names were given.
if [ -n "$ALL" ]; then
	TESTARG=all
else
	TESTARG=$(echo "$@" | tr ' ' ',')
	_cmdline="console=$CONSOLE panic=-1 quiet loglevel=3 xdpld.test=$TESTARG"
	[ ${#_cmdline} -le 255 ] ||
		die "the scenario names make a kernel command line of ${#_cmdline} bytes; qemu's malta board (mipsel) keeps 255: name fewer, or none (all)"
fi
mkdir -p "$VMDIR"
LOG=$VMDIR/console.log
rm -f "$VMDIR"/*.host.out "$LOG.raw"	# host sides must not read an old log
t0=$(date +%s)
qemu_run "quiet loglevel=3 xdpld.test=$TESTARG" \
	timeout -k 5 "$VM_TIMEOUT" </dev/null >"$LOG.raw" 2>&1 &
vm_pid=$!
host_pids=
trap 'kill $vm_pid $host_pids 2>/dev/null; exit 130' INT TERM HUP
# Host sides: started with the VM; each waits for its scenario's marker on
# the console (test-vm/host/lib.sh) and gives up when the VM is gone.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
for name in "$@"; do
	[ -f "test-vm/host/$name.sh" ] || continue
	VM_CONSOLE=$(abs "$LOG.raw") VM_PID=$vm_pid VM_SSH_PORT=$VM_SSH_PORT VM_SSH_KEY=$(abs "$SSH_KEY") \
		VM_WORK=$(abs "$VMDIR/host-$name") O=$O sh "test-vm/host/$name.sh" </dev/null >"$VMDIR/$name.host.out" 2>&1 &
	host_pids="$host_pids $!"
done
wait $vm_pid
qemu_rc=$?
for pid in $host_pids; do	# they stop by themselves once the VM is gone
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
t1=$(date +%s)
tr -d '\r' <"$LOG.raw" >"$LOG" && rm -f "$LOG.raw"

# scenario_output NAME: the lines the guest printed for NAME.
scenario_output() {
	sed -n "/^# --- $1\$/,/^\(not \)\{0,1\}ok - $1\$/p" "$LOG" | sed 's/^/    /'
}

failed=0
for name in "$@"; do
	if grep -qx "ok - $name" "$LOG"; then
		echo "ok - $name"
	elif grep -q "^ok - $name # SKIP " "$LOG"; then	# only outside x86_64 (run-scenarios)
		grep "^ok - $name # SKIP " "$LOG" | head -n 1
	else
		failed=1
		if grep -qx "not ok - $name" "$LOG"; then
			echo "not ok - $name"
		else
			echo "not ok - $name (no result: VM crashed or timed out)"
		fi
		scenario_output "$name"
	fi
	# The host side's results, with whatever else it printed indented.
	hout=$VMDIR/$name.host.out
	[ -f "test-vm/host/$name.sh" ] || continue
	if ! grep -qE "^(not )?ok - " "$hout" 2>/dev/null; then
		failed=1
		echo "not ok - $name: host side printed no result"
	elif grep -qE "^not ok - " "$hout"; then
		failed=1
	fi
	[ -f "$hout" ] && sed -E '/^(not )?ok - /!s/^/    /' "$hout"
done
if ! grep -q '^xdpld-vm: done' "$LOG"; then
	failed=1
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		echo "test-vm: timed out after ${VM_TIMEOUT}s; console log tail:"
	else
		echo "test-vm: the VM stopped before finishing (qemu exit $qemu_rc); console log tail:"
	fi
	tail -n 40 "$LOG" | sed 's/^/    /'
fi
boot=$(sed -n 's/.*xdpld-vm: start .*(uptime \([0-9.]*\)s.*/\1/p' "$LOG")
echo "test-vm: $# scenario(s) in $((t1 - t0))s wall time (guest uptime at first scenario: ${boot:-?}s); log: $LOG"
exit "$failed"
