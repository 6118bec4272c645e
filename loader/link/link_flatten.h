/* Shared by the flattening files: link_flatten.c (reading, analysing and
 * inlining function bodies) and link_flatten_write.c (encoding a body
 * over the program).  Not an API: link.h has link_flatten(). */
#ifndef XDPLD_LINK_FLATTEN_H
#define XDPLD_LINK_FLATTEN_H

#include "btf/btf.h"

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct obj;

#define STACK_MAX	512
#define MAX_INSNS	1000000u	/* the kernel's limit for privileged loads */
#define MAX_NEST	8		/* the verifier's call frames */
#define TAIL_CALL_ID	12		/* BPF_FUNC_tail_call */
#define R6_R9		0x3c0u

struct fi {
	struct bpf_insn insn;
	int32_t tgt;		/* jump target: body index, -1 none */
	int32_t rsym;		/* relocation symbol, -1 none */
	uint32_t rtype;
	bool hi;		/* second half of an ld_imm64 */
	bool raw_tgt;		/* tgt is still an index of the raw function */
	bool has_line;
	struct btf_ext_line line;
	bool has_core;		/* a CO-RE record moves with the instruction */
	struct btf_ext_core core;
};

struct body {
	struct fi *v;
	size_t n, cap;
	uint32_t depth;		/* stack bytes below r10 */
	uint16_t writes;	/* registers written */
	uint32_t inlined;
};

struct flat {
	struct obj *o;
	const char *prog, *sec;	/* the program being flattened, its section */
	int32_t **rel_at;	/* per section: insn -> reloc index */
	struct { uint32_t sec; uint64_t start; } stack[MAX_NEST];
	unsigned int level;
	bool kept_tail;		/* a call kept because its callee tail-calls */
	char why[192];
};

/* Writes body b over program symbol psym's bytes (its jumps must fit their
 * offset fields). */
int flatten_rewrite(struct flat *f, uint32_t psym, const struct body *b);

#endif
