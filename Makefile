# xdpld host build.  `make` builds build/xdpld and the sample firmware;
# `make check` installs test dependencies, builds everything (plus an
# ASan/UBSan build) and runs the whole test suite; `make demo` runs the demo.
# O=DIR puts every build product under DIR instead of build/.

O        ?= build
CC       ?= cc
CLANG    ?= clang
PKG_CONFIG ?= pkg-config
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS   ?= -O2 -g
XCFLAGS  := -std=c11 -D_DEFAULT_SOURCE $(WARN) $(shell $(PKG_CONFIG) --cflags libnl-3.0 libnl-route-3.0 2>/dev/null)
LDLIBS   := -lelf -lz $(shell $(PKG_CONFIG) --libs libnl-route-3.0 libnl-3.0 2>/dev/null)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# One folder per stage (loader/*/README.md; allowed uses in loader/LAYERS).
# Includes name the folder ("elf/obj.h") except within one folder; objects
# keep the folder (obj/elf/obj.o), so equal file names cannot collide.
LOADER_SRCS := $(sort $(wildcard loader/*/*.c))
LIB_SRCS    := $(filter-out loader/cli/main.c,$(LOADER_SRCS))
LOADER_HDRS := $(wildcard loader/*/*.h)
XCFLAGS  += -Iloader
# Where a kernel without BTF finds the image's target BTF (loader/kernel/load.h;
# firmware/image/build.sh installs it there): `make XDPLD_BTF_DIR=/dir` after
# a `make clean` (objects do not depend on it).
ifdef XDPLD_BTF_DIR
XCFLAGS  += -DXDPLD_BTF_DIR='"$(XDPLD_BTF_DIR)"'
endif

OBJS     := $(LOADER_SRCS:loader/%.c=$(O)/obj/%.o)
SAN_OBJS := $(LOADER_SRCS:loader/%.c=$(O)/san-obj/%.o)
SAN_LIB  := $(filter-out $(O)/san-obj/cli/main.o,$(SAN_OBJS))

BPF_CFLAGS := -O2 -g -Wall -Werror -I/usr/include/$(MULTIARCH) -Ifirmware/include
FW_SRCS  := $(sort $(wildcard firmware/vendor/*.bpf.c))
FW_OBJS  := $(FW_SRCS:firmware/vendor/%.bpf.c=$(O)/firmware/%.o)
FW_BE    := $(FW_SRCS:firmware/vendor/%.bpf.c=$(O)/firmware/be/%.o)
TBPF_SRCS := $(sort $(wildcard tests/bpf/*.bpf.c))
TBPF_OBJS := $(TBPF_SRCS:tests/bpf/%.bpf.c=$(O)/tests/bpf/%.o)
TBPF_BE   := $(TBPF_SRCS:tests/bpf/%.bpf.c=$(O)/tests/bpf/be/%.o)

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/unit/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(O)/tests/tools/%)

.PHONY: all firmware san tests deps check demo clean
all: $(O)/xdpld firmware

firmware: $(FW_OBJS) $(FW_BE)

$(O)/xdpld: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(O)/obj/%.o: loader/%.c $(LOADER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

san: $(O)/san/xdpld
$(O)/san/xdpld: $(SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -g -o $@ $^ $(LDLIBS)

$(O)/san-obj/%.o: loader/%.c $(LOADER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(SANFLAGS) -O1 -g -c -o $@ $<

$(O)/firmware/%.o: firmware/vendor/%.bpf.c $(wildcard firmware/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) -target bpfel $(BPF_CFLAGS) -c -o $@ $<

$(O)/firmware/be/%.o: firmware/vendor/%.bpf.c $(wildcard firmware/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) -target bpfeb $(BPF_CFLAGS) -c -o $@ $<

$(O)/tests/bpf/%.o: tests/bpf/%.bpf.c $(wildcard firmware/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) -target bpfel $(BPF_CFLAGS) -c -o $@ $<

$(O)/tests/bpf/be/%.o: tests/bpf/%.bpf.c $(wildcard firmware/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) -target bpfeb $(BPF_CFLAGS) -c -o $@ $<

# Unit tests link the loader library (sanitized) without main.c.
$(O)/tests/unit/%: tests/unit/%.c $(SAN_LIB) $(LOADER_HDRS) tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(SANFLAGS) -g -o $@ $< $(SAN_LIB) $(LDLIBS)

$(O)/tests/unit/test_core $(O)/tests/unit/test_core_synth $(O)/tests/unit/test_core_bad $(O)/tests/unit/test_core_gen: tests/unit/core_synth.h

# Test tools may use libbpf: it is the reference xdpld is compared against.
$(O)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O1 -g -o $@ $< -lbpf -lelf -lz

tests: all san $(TBPF_OBJS) $(TBPF_BE) $(UNIT_BINS) $(TOOL_BINS)

# Each command installs the packages of its own purpose
# (scripts/install-deps.sh lists them): the demo no cross compilers or qemu.
deps:
	@scripts/install-deps.sh check

check: deps
	@$(MAKE) --no-print-directory tests
	@O=$(O) tests/run.sh

demo:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory all
	@O=$(O) scripts/demo.sh

clean:
	rm -rf $(O)

# `make install [PREFIX=/usr/local] [DESTDIR=DIR]`: xdpld and its man page
# (sbin: the init script runs /usr/sbin/xdpld).
PREFIX ?= /usr/local
.PHONY: install
install: $(O)/xdpld
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(O)/xdpld $(DESTDIR)$(PREFIX)/sbin/xdpld
	install -m 644 docs/xdpld.8 $(DESTDIR)$(PREFIX)/share/man/man8/xdpld.8

# --- static build, image and VM ---
# `make static`: one static musl xdpld in $(O)/static (Makefile.cross).
# `make image`: the initramfs firmware image for the test VM in $(O)/image.
# `make vm`: boot it with a shell on this terminal (and SSH from the host,
# VM_SSH_PORT); `make vm-test`: run the VM scenarios (test-vm/scenarios,
# with their host sides in test-vm/host).  TARGET=aarch64|mipsel: the same
# for a router CPU, on its own Debian kernel.  See docs/image.md.
TARGET      ?= x86_64
VM_BPF_SRCS := $(sort $(wildcard test-vm/bpf/*.bpf.c))
VM_BPF_OBJS := $(VM_BPF_SRCS:test-vm/bpf/%.bpf.c=$(O)/vm/bpf/%.o)

.PHONY: static image vm vm-test
static:
	@$(MAKE) --no-print-directory -f Makefile.cross O=$(O) TARGET=$(TARGET)

# The VM's EXT probe, its bpftool stand-in and progtags use libbpf (tests only),
# linked statically with glibc.
VM_BPF_TOOLS := $(O)/vm/probe_ext $(O)/vm/bpfobj $(O)/vm/progtags
$(VM_BPF_TOOLS): $(O)/vm/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -Os -static -s -o $@ $< -lbpf -lelf -lz

# Test objects the relink, kfunc_module and core_nobtf scenarios need (not all of
# tests/bpf: keep the image small).
VM_TBPF_OBJS := $(O)/tests/bpf/relink_fw_v2.o $(O)/tests/bpf/relink_fw_big.o \
	$(O)/tests/bpf/relink_fw_bad.o $(O)/tests/bpf/extern_ksym.o $(O)/tests/bpf/extern_weak.o
$(VM_TBPF_OBJS): firmware/vendor/fw_acme.bpf.c	# they #include it
# The CO-RE objects (every relocation kind) core_btfgen loads against the VM's kernel.
VM_TBPF_CORE := $(O)/tests/bpf/core_fields.o $(O)/tests/bpf/core_types.o \
	$(O)/tests/bpf/core_multi.o $(O)/tests/bpf/core_calls.o $(O)/tests/bpf/load_core.o

# Packet tools for the attach scenarios, static glibc (no libbpf), and the
# corpus pre-generated on the build host (the image needs no generator run).
VM_PKT_TOOLS := $(O)/vm/pktsend $(O)/vm/pktcorpus
$(O)/vm/pktsend $(O)/vm/pktcorpus: $(O)/vm/%: tests/tools/%.c tests/tools/pkt.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -Os -static -s -o $@ $<

$(O)/vm/corpus/expected.txt: $(O)/vm/pktcorpus
	rm -rf $(@D)
	$< $(@D) >/dev/null

$(O)/vm/bpf/%.o: test-vm/bpf/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) -target bpfel $(BPF_CFLAGS) -c -o $@ $<

ifeq ($(TARGET),x86_64)
image: static firmware $(O)/xdpld $(VM_BPF_TOOLS) $(VM_BPF_OBJS) $(VM_TBPF_OBJS) $(VM_TBPF_CORE) $(VM_PKT_TOOLS) \
	$(O)/vm/corpus/expected.txt
	@O=$(O) XDPLD_BTF_DIR=$(XDPLD_BTF_DIR) sh firmware/image/build.sh

vm: image
	@O=$(O) sh test-vm/run.sh --interactive

vm-test: image
	@O=$(O) sh test-vm/run.sh
else
# Router CPUs (`make image|vm|vm-test TARGET=aarch64|mipsel`): the same
# image for that architecture's Debian kernel (docs/image.md, "Router CPU
# VMs").  The test tools are cross-built static with musl like xdpld
# (Makefile.cross's compiler recipe); probe_ext and bpfobj link a libbpf
# cross-built from Debian's source package (scripts/build-static-libbpf.sh)
# into cache/musl-$(TARGET).  BPF objects and the corpus are the host's.
XVM_TRIPLE_aarch64 := aarch64-linux-gnu
XVM_TRIPLE_mipsel  := mipsel-linux-gnu
XVM_TRIPLE_armhf   := arm-linux-gnueabihf
XVM_MUSL_aarch64   := aarch64-linux-musl
XVM_MUSL_mipsel    := mipsel-linux-musl
XVM_MUSL_armhf     := arm-linux-musleabihf
ifeq ($(XVM_TRIPLE_$(TARGET)),)
$(error TARGET=$(TARGET): make image/vm/vm-test know x86_64, aarch64, mipsel, armhf)
endif
XVM      := $(O)/vm-$(TARGET)
XVM_CC   := $(XVM_TRIPLE_$(TARGET))-gcc -specs /usr/lib/$(XVM_MUSL_$(TARGET))/musl-gcc.specs
XVM_DEPS := cache/musl-$(TARGET)
XVM_BPF_TOOLS := $(XVM)/probe_ext $(XVM)/bpfobj $(XVM)/progtags
XVM_PKT_TOOLS := $(XVM)/pktsend $(XVM)/pktcorpus

$(XVM_DEPS)/lib/libbpf.a:
	@$(MAKE) --no-print-directory -f Makefile.cross O=$(O) TARGET=$(TARGET) static-deps
	sh scripts/build-static-libbpf.sh $(XVM_DEPS) "$(XVM_CC)"

$(XVM_BPF_TOOLS): $(XVM)/%: tests/tools/%.c $(XVM_DEPS)/lib/libbpf.a
	@mkdir -p $(@D)
	$(XVM_CC) -std=gnu11 $(WARN) -Os -static -s -I$(XVM_DEPS)/include -o $@ $< \
		-L$(XVM_DEPS)/lib -lbpf -lelf -lz

$(XVM_PKT_TOOLS): $(XVM)/%: tests/tools/%.c tests/tools/pkt.h $(XVM_DEPS)/lib/libbpf.a
	@mkdir -p $(@D)
	$(XVM_CC) -std=gnu11 $(WARN) -Os -static -s -I$(XVM_DEPS)/include -o $@ $<

image: static firmware $(O)/xdpld $(XVM_BPF_TOOLS) $(VM_BPF_OBJS) $(VM_TBPF_OBJS) $(VM_TBPF_CORE) $(XVM_PKT_TOOLS) \
	$(O)/vm/corpus/expected.txt
	@O=$(O) TARGET=$(TARGET) XDPLD_BTF_DIR=$(XDPLD_BTF_DIR) sh firmware/image/build.sh

vm: image
	@O=$(O) TARGET=$(TARGET) sh test-vm/run.sh --interactive

vm-test: image
	@O=$(O) TARGET=$(TARGET) sh test-vm/run.sh
endif

# --- bench ---
# `make bench`: per-packet cost, re-link latency, cold apply and footprint
# of xdpld vs the floor and libxdp / xdp-loader, in one run (bench/bench.py,
# bench/README.md).  Not part of `make check` (tests/t_bench.sh runs it in
# a quick mode without looking at the numbers).
BENCH_OBJS := $(O)/bench/mod.o $(O)/bench/mod_v2.o $(O)/bench/floor.o
BENCH_HDRS := bench/bpf/bench_mod.h
# The CO-RE part: four vmlinux.h-style modules (bench/bpf/core_mod.bpf.c,
# CORE_MOD=0..3) and libbpf's side (bench/tools/coreload.c).
BENCH_CORE := $(O)/bench/core0.o $(O)/bench/core1.o $(O)/bench/core2.o $(O)/bench/core3.o

.PHONY: bench bench-build
bench:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory bench-build
	@$(MAKE) --no-print-directory -f Makefile.cross O=$(O) TARGET=x86_64 static \
		>$(O)/bench/static-build.log 2>&1 || \
		echo "bench: static build failed ($(O)/bench/static-build.log): commands are timed with $(O)/xdpld"
	@$(MAKE) --no-print-directory image >$(O)/bench/image-build.log 2>&1 || \
		echo "bench: image build failed ($(O)/bench/image-build.log): the VM part is n/a"
	@O=$(O) python3 bench/bench.py

bench-build: $(O)/xdpld firmware $(BENCH_OBJS) $(O)/bench/benchrun $(O)/bench/tools/nowns \
	$(BENCH_CORE) $(O)/bench/coreload

$(O)/bench/core%.o: bench/bpf/core_mod.bpf.c bench/bpf/core_vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -target bpfel $(BPF_CFLAGS) -DCORE_MOD=$* -c -o $@ $<

$(O)/bench/coreload: bench/tools/coreload.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O2 -g -o $@ $< -lbpf -lelf -lz

# A clock for the VM part's busybox shell (bench/vm/bench_vm.sh).
$(O)/bench/tools/nowns: bench/tools/nowns.c
	@mkdir -p $(@D)
	musl-gcc -std=c11 $(WARN) -Os -static -s -o $@ $<

$(O)/bench/mod.o: bench/bpf/bench_mod.bpf.c $(BENCH_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -target bpfel $(BPF_CFLAGS) -c -o $@ $<

$(O)/bench/mod_v2.o: bench/bpf/bench_mod.bpf.c $(BENCH_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -target bpfel $(BPF_CFLAGS) -DBENCH_VARIANT=2 -c -o $@ $<

$(O)/bench/floor.o: bench/bpf/floor.bpf.c $(BENCH_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -target bpfel $(BPF_CFLAGS) -c -o $@ $<

# The bench's BPF_PROG_TEST_RUN driver uses libbpf, like the test tools.
$(O)/bench/benchrun: bench/tools/benchrun.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O2 -g -o $@ $< -lbpf -lelf -lz
