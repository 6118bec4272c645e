#!/bin/sh
# The VM scenarios (test-vm/scenarios/*.sh): the firmware image booted under
# qemu with Debian's kernel, for what the host kernel refuses (EXT programs)
# and for the static musl xdpld.  One ok/not ok per scenario.  Missing qemu
# or kernel is a failure, never a skip: CI installs both (scripts/install-deps.sh).
. tests/lib.sh

if ! command -v qemu-system-x86_64 >/dev/null; then
	not_ok "vm: qemu-system-x86_64 not found (install qemu-system-x86)"; exit 0
fi
if ! ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1; then
	not_ok "vm: no /boot/vmlinuz-*-amd64 (install linux-image-amd64)"; exit 0
fi
check "vm: make image" make --no-print-directory -s O="$O" image
[ -f "$O/image/initramfs.cpio.gz" ] || exit 0

# The router binary: one static musl executable within the flash budget.
check "static: file says statically linked" sh -c "file '$O/static/xdpld' | grep -q 'statically linked'"
size=$(wc -c <"$O/static/xdpld")
check "static: stripped size $size bytes is under 400 KiB" test "$size" -lt 409600

sh test-vm/run.sh >"$TMP/vm.out" 2>&1
vm_report "$TMP/vm.out" $? vm
