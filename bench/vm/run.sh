#!/bin/sh
# The bench's VM part: boots the test image ($O/image, `make image`) under
# qemu (TCG) with an extra initramfs layer holding the bench module builds,
# xdp-loader with its libraries and libxdp's dispatcher object, and the
# scenario bench_vm (bench/vm/bench_vm.sh), which prints the VM's rows.
#
#   bench/vm/run.sh OUTDIR      writes OUTDIR/vm/console.log and prints the
#                               "BENCH ..." / "BENCHNOTE ..." lines
# Needs: $O/image, $O/bench/{mod,mod_v2}.o, $O/bench/tools/nowns, xdp-loader.
# BENCH_VM_TIMEOUT (s, default 400) limits the boot; BENCH_VM_RELINKS and
# BENCH_VM_NMAX go to the guest on the kernel command line (defaults 7, 10).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${O:=build}"
OUT=${1:?usage: bench/vm/run.sh OUTDIR}
W=$OUT/vm
IMG=$O/image/initramfs.cpio.gz
die() { echo "bench-vm: $*" >&2; exit 2; }
[ -f "$IMG" ] && [ -f "$O/image/kernel" ] || die "no image in $O/image (make image)"
KERNEL=$(cat "$O/image/kernel")
XL=$(command -v xdp-loader) || die "xdp-loader missing (xdp-tools)"
DISP=/usr/lib/x86_64-linux-gnu/bpf/xdp-dispatcher.o
[ -f "$DISP" ] || die "$DISP missing (libxdp1)"
QEMU=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 missing"

rm -rf "$W"
R=$W/root/usr/lib/xdpld-bench
mkdir -p "$R/a" "$R/b" "$R/lib" "$R/bpf" "$W/root/usr/lib/xdpld-test/scenarios" || exit 2
i=0
while [ $i -lt 10 ]; do
	cp "$O/bench/mod.o" "$R/a/$(printf 'mod%02d.o' $i)" &&
		cp "$O/bench/mod_v2.o" "$R/b/$(printf 'mod%02d.o' $i)" || exit 2
	i=$((i + 1))
done
cp "$O/bench/tools/nowns" "$XL" "$R/" && cp "$DISP" "$R/bpf/" || exit 2
# xdp-loader's libraries but libc and the loader (the image has glibc)
ldd "$XL" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read -r so path; do
	case $so in libc.so*|ld-linux*) continue ;; esac
	cp -L "$path" "$R/lib/$so" || exit 2
done
cp bench/vm/bench_vm.sh "$W/root/usr/lib/xdpld-test/scenarios/bench_vm.sh" || exit 2
(cd "$W/root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$W/bench.cpio.gz" || exit 2
cat "$IMG" "$W/bench.cpio.gz" >"$W/initramfs.cpio.gz"

timeout "${BENCH_VM_TIMEOUT:-400}" "$QEMU" -accel tcg -m 512 -smp 2 -nodefaults -no-user-config \
	-nographic -serial mon:stdio -no-reboot -kernel "$KERNEL" -initrd "$W/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 quiet loglevel=3 xdpld.test=bench_vm \
bench_vm.relinks=${BENCH_VM_RELINKS:-7} bench_vm.nmax=${BENCH_VM_NMAX:-10} SCENARIO_TIMEOUT=300" \
	-netdev hubport,id=wan,hubid=0 -device virtio-net-pci,netdev=wan,romfile= \
	-netdev hubport,id=lan,hubid=0 -device virtio-net-pci,netdev=lan,romfile= \
	-netdev user,id=mgmt,restrict=on -device virtio-net-pci,netdev=mgmt,mac=52:54:00:6d:67:74,romfile= \
	</dev/null >"$W/console.log" 2>&1
rc=$?
tr -d '\r' <"$W/console.log" | grep -E '^BENCH(NOTE)? ' | sort -u
grep -q 'BENCH done' "$W/console.log" || die "the VM part did not finish (exit $rc; $W/console.log)"
