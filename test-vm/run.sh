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
# is kept in $O/vm/console.log.  Two virtio NICs are joined by a qemu hub,
# and there is no user-mode networking: no packet leaves the VM.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${O:=build}"
: "${VM_TIMEOUT:=600}"
IMG=$O/image/initramfs.cpio.gz
die() { echo "test-vm: $*" >&2; exit 2; }

QEMU=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found (install qemu-system-x86)"
[ -f "$IMG" ] && [ -f "$O/image/kernel" ] || die "no image in $O/image (run make image)"
KERNEL=$(cat "$O/image/kernel")
[ -r "$KERNEL" ] || die "kernel $KERNEL not readable (install linux-image-amd64)"

# KVM hangs after kernel decompression on the CI machines: TCG only.
# qemu_run APPEND [WRAPPER...]: boot with extra kernel arguments APPEND,
# the qemu command prefixed by WRAPPER (e.g. timeout).
qemu_run() {
	_append=$1; shift
	"$@" "$QEMU" -accel tcg -m 512 -smp 1 -nodefaults -no-user-config -nographic \
		-serial mon:stdio -no-reboot \
		-kernel "$KERNEL" -initrd "$IMG" -append "console=ttyS0 panic=-1 $_append" \
		-netdev hubport,id=wan,hubid=0 -device virtio-net-pci,netdev=wan,romfile= \
		-netdev hubport,id=lan,hubid=0 -device virtio-net-pci,netdev=lan,romfile=
}

if [ "${1:-}" = --interactive ]; then
	echo "test-vm: booting $KERNEL with $IMG; Ctrl-A X quits"
	qemu_run "quiet"
	exit $?
fi

if [ $# = 0 ]; then
	for s in test-vm/scenarios/*.sh; do
		[ -f "$s" ] && set -- "$@" "$(basename "$s" .sh)"
	done
fi
[ $# -gt 0 ] || die "no scenarios"
for name in "$@"; do
	case $name in *[!A-Za-z0-9_-]*) die "bad scenario name '$name'" ;; esac
done

mkdir -p "$O/vm"
LOG=$O/vm/console.log
t0=$(date +%s)
qemu_run "quiet loglevel=3 xdpld.test=$(echo "$@" | tr ' ' ',')" \
	timeout -k 5 "$VM_TIMEOUT" </dev/null >"$LOG.raw" 2>&1
qemu_rc=$?
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
	else
		failed=1
		if grep -qx "not ok - $name" "$LOG"; then
			echo "not ok - $name"
		else
			echo "not ok - $name (no result: VM crashed or timed out)"
		fi
		scenario_output "$name"
	fi
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
