/* ELF constants for BPF objects that not every libc's <elf.h> has (musl's
 * and older glibc's lack some).  The one place for them: include this
 * after <elf.h> or <gelf.h>. */
#ifndef XDPLD_ELF_BPF_H
#define XDPLD_ELF_BPF_H

#include <elf.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif
/* Relocation types (see the kernel's Documentation/bpf/llvm_reloc.rst). */
#ifndef R_BPF_64_64
#define R_BPF_64_64 1		/* ld_imm64: map, global data, subprogram address */
#endif
#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2	/* 64-bit data: .maps inner-map slots, .BTF */
#endif
#ifndef R_BPF_64_ABS32
#define R_BPF_64_ABS32 3	/* 32-bit data: .BTF.ext, DWARF */
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10		/* call imm: bpf-to-bpf and extern calls */
#endif

#endif
