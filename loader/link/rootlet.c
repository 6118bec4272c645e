/* Rootlet generator: the dispatcher as instructions + BTF, built in memory.
 * See rootlet.h for the contract and docs/rootlet.md for the layout. */
#include "rootlet.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/elf_bpf.h"
#include "elf/obj.h"

#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XDP_ABORTED_V 0
#define XDP_PASS_V 2

/* ---- instruction buffer with relocations and label fix-ups ---- */

enum label { LABEL_OUT, LABEL_ABORTED, NR_LABELS };

struct code_reloc { size_t insn; uint32_t sym; uint32_t type; };
struct code_fixup { size_t insn; enum label label; };

struct code {
	struct bpf_insn *insns;
	size_t nr, cap;
	struct code_reloc *relocs;
	size_t nr_relocs, cap_relocs;
	struct code_fixup *fixups;
	size_t nr_fixups, cap_fixups;
	int err;
};

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static void code_free(struct code *c)
{
	free(c->insns);
	free(c->relocs);
	free(c->fixups);
	memset(c, 0, sizeof(*c));
}

static size_t emit(struct code *c, uint8_t op, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (c->err || !grow((void **)&c->insns, &c->cap, c->nr + 1, sizeof(*c->insns))) {
		c->err = -ENOMEM;
		return 0;
	}
	struct bpf_insn *i = &c->insns[c->nr];
	memset(i, 0, sizeof(*i));
	i->code = op;
	i->dst_reg = dst;
	i->src_reg = src;
	i->off = off;
	i->imm = imm;
	return c->nr++;
}

/* The next instruction emitted refers to sym. */
static void reloc_next(struct code *c, uint32_t sym, uint32_t type)
{
	if (c->err || !grow((void **)&c->relocs, &c->cap_relocs, c->nr_relocs + 1,
			    sizeof(*c->relocs))) {
		c->err = -ENOMEM;
		return;
	}
	c->relocs[c->nr_relocs++] = (struct code_reloc){ c->nr, sym, type };
}

/* Conditional jump to a label resolved by code_bind_labels. */
static void jump_to(struct code *c, uint8_t op, uint8_t dst, int32_t imm, enum label l)
{
	size_t at = emit(c, BPF_JMP | op | BPF_K, dst, 0, 0, imm);

	if (c->err || !grow((void **)&c->fixups, &c->cap_fixups, c->nr_fixups + 1,
			    sizeof(*c->fixups))) {
		c->err = -ENOMEM;
		return;
	}
	c->fixups[c->nr_fixups++] = (struct code_fixup){ at, l };
}

static void patch_jump(struct code *c, size_t at, size_t target)
{
	long off = (long)target - (long)at - 1;

	if (c->err)
		return;
	if (off < INT16_MIN || off > INT16_MAX) {
		c->err = -E2BIG;
		return;
	}
	c->insns[at].off = (int16_t)off;
}

static void code_bind_labels(struct code *c, const size_t *labels)
{
	for (size_t i = 0; i < c->nr_fixups; i++)
		patch_jump(c, c->fixups[i].insn, labels[c->fixups[i].label]);
}

#define MOV64_REG(c, d, s)	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV32_REG(c, d, s)	emit(c, BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV32_IMM(c, d, v)	emit(c, BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, v)
#define ALU32_REG(c, op, d, s)	emit(c, BPF_ALU | op | BPF_X, d, s, 0, 0)
#define ALU32_IMM(c, op, d, v)	emit(c, BPF_ALU | op | BPF_K, d, 0, 0, v)
#define ALU64_IMM(c, op, d, v)	emit(c, BPF_ALU64 | op | BPF_K, d, 0, 0, v)
#define LDX(c, sz, d, s, o)	emit(c, BPF_LDX | sz | BPF_MEM, d, s, o, 0)
#define STX(c, sz, d, s, o)	emit(c, BPF_STX | sz | BPF_MEM, d, s, o, 0)
#define JMP_IMM(c, op, d, v, o)	emit(c, BPF_JMP | op | BPF_K, d, 0, o, v)
#define CALL_HELPER(c, id)	emit(c, BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT(c)			emit(c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* ld_imm64 of a map or variable address: libbpf's (and xdpld's) loader
 * fills in the map fd / map value from the R_BPF_64_64 relocation. */
static void ld_sym(struct code *c, uint8_t dst, uint32_t sym)
{
	reloc_next(c, sym, R_BPF_64_64);
	emit(c, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, 0);
	emit(c, 0, 0, 0, 0, 0);
}

/* bpf-to-bpf call through the symbol (imm -1, as clang emits for global
 * functions), so the linker can point it at whatever defines the name. */
static void call_sym(struct code *c, uint32_t sym)
{
	reloc_next(c, sym, R_BPF_64_32);
	emit(c, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -1);
}

/* ---- generator state ---- */

struct gen {
	const struct rootlet_cfg *cfg;
	struct obj *o;
	struct btf *btf;
	struct btf_ext *ext;
	int err;
	uint32_t text_sec, entry_sec, rodata_sec, maps_sec;
	uint32_t cfg_sym, stats_sym, slots_map_sym, sel_map_sym;
	uint32_t slot_sym[ROOTLET_MAX_SLOTS][ROOTLET_NR_TARGETS];
	/* BTF ids */
	uint32_t t_int, t_u32, t_u64, t_proto;
	struct btf_var_secinfo maps_vars[3];
	uint32_t nr_maps;
	int64_t chain_slot;	/* chain: the slot program built, -1: the rootlet */
};

/* ---- slot bodies, one emitter per backend ---- */

struct slot_backend {
	const char *name;
	const char *comment;	/* in the slot's line_info */
	uint8_t sym_bind;	/* ELF binding of the slot symbol */
	uint16_t btf_linkage;	/* BTF FUNC linkage */
	bool slots_map;		/* needs ROOTLET_SLOTS_MAP */
	bool two_targets;	/* ROOTLET_NR_TARGETS functions per slot + ROOTLET_SEL_MAP */
	void (*emit_body)(struct gen *g, struct code *c, uint32_t slot);
};

static void emit_pass_body(struct gen *g, struct code *c, uint32_t slot)
{
	(void)g; (void)slot;
	MOV32_IMM(c, BPF_REG_0, XDP_PASS_V);
	EXIT(c);
}

/* freplace targets fail closed: a placeholder that runs in a live pipeline
 * is counted as aborted and fires the xdp_exception tracepoint. */
static void emit_aborted_body(struct gen *g, struct code *c, uint32_t slot)
{
	(void)g; (void)slot;
	MOV32_IMM(c, BPF_REG_0, XDP_ABORTED_V);
	EXIT(c);
}

/* r1 (ctx) is still the argument; an empty prog array entry falls through. */
static void emit_tailcall_body(struct gen *g, struct code *c, uint32_t slot)
{
	ld_sym(c, BPF_REG_2, g->slots_map_sym);
	MOV32_IMM(c, BPF_REG_3, (int32_t)slot);
	CALL_HELPER(c, BPF_FUNC_tail_call);
	MOV32_IMM(c, BPF_REG_0, XDP_PASS_V);
	EXIT(c);
}

/* Static-backend slots are weak ELF symbols (a vendor entry aliased onto the
 * name wins at link time) but BTF-static: a global function taking
 * struct xdp_md * only verifies on kernels with vmlinux BTF.  freplace needs
 * global functions, so that backend requires kernel BTF anyway; it has two
 * per slot so that a new extension can be attached to the idle one before
 * the selector flips (the kernel allows one extension per target). */
static const struct slot_backend backends[] = {
	[ROOTLET_STATIC] = { "static", "placeholder, returns XDP_PASS",
			     STB_WEAK, BTF_FUNC_STATIC, false, false, emit_pass_body },
	[ROOTLET_TAILCALL] = { "tailcall", "tail call into " ROOTLET_SLOTS_MAP,
			       STB_GLOBAL, BTF_FUNC_STATIC, true, false, emit_tailcall_body },
	[ROOTLET_FREPLACE] = { "freplace", "freplace target, returns XDP_ABORTED",
			       STB_GLOBAL, BTF_FUNC_GLOBAL, false, true, emit_aborted_body },
	[ROOTLET_CHAIN] = { "chain", "placeholder, returns XDP_PASS",
			    STB_WEAK, BTF_FUNC_STATIC, true, false, emit_pass_body },
};

/* ---- BTF construction; failures are sticky in g->err ---- */

static uint32_t str_off(struct gen *g, const char *s)
{
	if (g->err || !s || !*s)
		return 0;
	int64_t off = btf_add_str(g->btf, s);
	if (off < 0) {
		g->err = (int)off;
		return 0;
	}
	return (uint32_t)off;
}

static uint32_t add_type(struct gen *g, const char *name, uint32_t kind, uint32_t vlen,
			 uint32_t size_or_type, const void *tail, size_t tail_len)
{
	struct btf_type t = { .name_off = str_off(g, name), .info = (kind << 24) | vlen };

	t.size = size_or_type;
	if (g->err)
		return 0;
	int64_t id = btf_add_type(g->btf, &t, tail, tail_len);
	if (id < 0) {
		g->err = (int)id;
		return 0;
	}
	return (uint32_t)id;
}

static uint32_t add_int(struct gen *g, const char *name, uint32_t bytes, bool is_signed)
{
	uint32_t enc = ((is_signed ? BTF_INT_SIGNED : 0u) << 24) | (bytes * 8);

	return add_type(g, name, BTF_KIND_INT, 0, bytes, &enc, sizeof(enc));
}

static uint32_t add_array(struct gen *g, uint32_t elem, uint32_t nelems)
{
	struct btf_array a = { .type = elem, .index_type = g->t_int, .nelems = nelems };

	return add_type(g, NULL, BTF_KIND_ARRAY, 0, 0, &a, sizeof(a));
}

static uint32_t add_ptr(struct gen *g, uint32_t to)
{
	return add_type(g, NULL, BTF_KIND_PTR, 0, to, NULL, 0);
}

struct member_spec { const char *name; uint32_t type; uint32_t bit_off; };

static uint32_t add_struct(struct gen *g, const char *name, uint32_t size,
			   const struct member_spec *ms, uint32_t n)
{
	struct btf_member m[8];

	if (n > 8) {
		g->err = -EINVAL;
		return 0;
	}
	for (uint32_t i = 0; i < n; i++)
		m[i] = (struct btf_member){ str_off(g, ms[i].name), ms[i].type, ms[i].bit_off };
	return add_type(g, name, BTF_KIND_STRUCT, n, size, m, n * sizeof(m[0]));
}

static uint32_t add_var(struct gen *g, const char *name, uint32_t type)
{
	struct btf_var v = { .linkage = BTF_VAR_GLOBAL_ALLOCATED };

	return add_type(g, name, BTF_KIND_VAR, 0, type, &v, sizeof(v));
}

static void add_base_types(struct gen *g)
{
	g->t_int = add_int(g, "int", 4, true);
	uint32_t uint = add_int(g, "unsigned int", 4, false);
	g->t_u32 = add_type(g, "__u32", BTF_KIND_TYPEDEF, 0, uint, NULL, 0);
	uint32_t ull = add_int(g, "unsigned long long", 8, false);
	g->t_u64 = add_type(g, "__u64", BTF_KIND_TYPEDEF, 0, ull, NULL, 0);

	/* struct xdp_md exactly as the kernel's uapi declares it */
	static const char *const xdp_md_fields[] = { "data", "data_end", "data_meta",
		"ingress_ifindex", "rx_queue_index", "egress_ifindex" };
	struct member_spec ms[6];
	for (uint32_t i = 0; i < 6; i++)
		ms[i] = (struct member_spec){ xdp_md_fields[i], g->t_u32, i * 32 };
	uint32_t xdp_md = add_struct(g, "xdp_md", 24, ms, 6);
	uint32_t ctx_ptr = add_ptr(g, xdp_md);

	struct btf_param p = { .name_off = str_off(g, "ctx"), .type = ctx_ptr };
	g->t_proto = add_type(g, NULL, BTF_KIND_FUNC_PROTO, 1, g->t_int, &p, sizeof(p));
}

/* One field of a libbpf-style map definition: __uint(name, value) is
 * `int (*name)[value]`, __type(name, T) is `T *name`. */
struct map_field { const char *name; uint32_t value; uint32_t type; };

static void add_map(struct gen *g, const char *name, const struct map_field *f, uint32_t n,
		    uint32_t *sym)
{
	struct member_spec ms[8];

	for (uint32_t i = 0; i < n && i < 8; i++) {
		uint32_t target = f[i].type ? f[i].type : add_array(g, g->t_int, f[i].value);
		ms[i] = (struct member_spec){ f[i].name, add_ptr(g, target), i * 64 };
	}
	uint32_t def = add_struct(g, NULL, n * 8, ms, n);
	uint32_t var = add_var(g, name, def);
	if (g->err)
		return;
	int64_t off = obj_sec_append(g->o, g->maps_sec, NULL, n * 8, 8);
	int s = off < 0 ? (int)off :
		obj_add_sym(g->o, name, STB_GLOBAL, STT_OBJECT, STV_DEFAULT, g->maps_sec,
			    (uint64_t)off, n * 8);
	if (s < 0) {
		g->err = s;
		return;
	}
	*sym = (uint32_t)s;
	g->maps_vars[g->nr_maps++] = (struct btf_var_secinfo){ var, (uint32_t)off, n * 8 };
}

static void add_maps(struct gen *g)
{
	uint32_t n = g->cfg->nr_slots;

	if (g->cfg->counters) {
		const struct map_field f[] = {
			{ "type", BPF_MAP_TYPE_PERCPU_ARRAY, 0 },
			{ "max_entries", n * ROOTLET_NR_BUCKETS, 0 },
			{ "key", 0, g->t_u32 },
			{ "value", 0, g->t_u64 },
		};
		add_map(g, ROOTLET_STATS_MAP, f, 4, &g->stats_sym);
	}
	if (backends[g->cfg->backend].slots_map) {
		const struct map_field f[] = {
			{ "type", BPF_MAP_TYPE_PROG_ARRAY, 0 },
			{ "max_entries", n, 0 },
			{ "key_size", 4, 0 },
			{ "value_size", 4, 0 },
		};
		add_map(g, ROOTLET_SLOTS_MAP, f, 4, &g->slots_map_sym);
	}
	if (backends[g->cfg->backend].two_targets) {
		const struct map_field f[] = {
			{ "type", BPF_MAP_TYPE_ARRAY, 0 },
			{ "max_entries", n, 0 },
			{ "key", 0, g->t_u32 },
			{ "value", 0, g->t_u32 },
		};
		add_map(g, ROOTLET_SEL_MAP, f, 4, &g->sel_map_sym);
	}
	if (!g->err && g->nr_maps) {
		uint64_t size = g->o->secs[g->maps_sec].size;
		add_type(g, ".maps", BTF_KIND_DATASEC, g->nr_maps, (uint32_t)size, g->maps_vars,
			 g->nr_maps * sizeof(g->maps_vars[0]));
	}
}

/* .rodata: `const volatile struct xdpld_cfg xdpld_cfg` with the defaults. */
static void add_config(struct gen *g, int byte_order)
{
	uint32_t n = g->cfg->nr_slots;
	size_t size = rootlet_cfg_size(n);
	uint8_t image[ROOTLET_CFG_OFF_MASKS + 4 * ROOTLET_MAX_SLOTS];

	const struct member_spec ms[] = {
		{ "nr_slots", g->t_u32, ROOTLET_CFG_OFF_NR_SLOTS * 8 },
		{ "counters", g->t_u32, ROOTLET_CFG_OFF_COUNTERS * 8 },
		{ "continue_mask", add_array(g, g->t_u32, n), ROOTLET_CFG_OFF_MASKS * 8 },
	};
	uint32_t st = add_struct(g, ROOTLET_CFG_NAME, (uint32_t)size, ms, 3);
	uint32_t vol = add_type(g, NULL, BTF_KIND_VOLATILE, 0, st, NULL, 0);
	uint32_t cst = add_type(g, NULL, BTF_KIND_CONST, 0, vol, NULL, 0);
	uint32_t var = add_var(g, ROOTLET_CFG_NAME, cst);
	struct btf_var_secinfo vs = { var, 0, (uint32_t)size };
	add_type(g, ".rodata", BTF_KIND_DATASEC, 1, (uint32_t)size, &vs, sizeof(vs));
	if (g->err)
		return;

	int err = rootlet_cfg_encode(g->cfg, byte_order, image, size);
	int64_t off = err ? err : obj_sec_append(g->o, g->rodata_sec, image, size, 4);
	int s = off < 0 ? (int)off :
		obj_add_sym(g->o, ROOTLET_CFG_NAME, STB_GLOBAL, STT_OBJECT, STV_DEFAULT,
			    g->rodata_sec, (uint64_t)off, size);
	if (s < 0)
		g->err = s;
	else
		g->cfg_sym = (uint32_t)s;
}

/* Copies c into section sec (8-aligned), with its relocations; defines the
 * function symbol and its BTF FUNC + func_info.  Returns the symbol. */
static uint32_t place_func(struct gen *g, struct code *c, uint32_t sec, const char *name,
			   uint8_t bind, uint16_t linkage, const char *comment)
{
	if (!g->err && c->err)
		g->err = c->err;
	uint32_t func = add_type(g, name, BTF_KIND_FUNC, linkage, g->t_proto, NULL, 0);
	if (g->err)
		return 0;

	uint64_t size = c->nr * sizeof(struct bpf_insn);
	int64_t off = obj_sec_append(g->o, sec, NULL, size, 8);
	if (off < 0)
		goto fail_off;
	for (size_t i = 0; i < c->nr; i++)
		obj_insn_put(g->o, &g->o->secs[sec], (uint64_t)off + 8 * i, &c->insns[i]);
	for (size_t i = 0; i < c->nr_relocs; i++) {
		int err = obj_add_reloc(g->o, sec, (uint64_t)off + 8 * c->relocs[i].insn,
					c->relocs[i].sym, c->relocs[i].type);
		if (err < 0) {
			g->err = err;
			return 0;
		}
	}
	int sym = obj_add_sym(g->o, name, bind, STT_FUNC, STV_DEFAULT, sec, (uint64_t)off, size);
	if (sym < 0) {
		g->err = sym;
		return 0;
	}

	struct btf_ext_func rec = { (uint32_t)off, func };
	struct btf_ext_sec *es = btf_ext_sec_get(&g->ext->func, g->o->secs[sec].name);
	int err = es ? btf_ext_sec_push(&g->ext->func, es, &rec) : -ENOMEM;
	/* One line_info at the function start (the kernel wants one per
	 * subprogram if any): the "source line" names what the function is. */
	char what[64];
	snprintf(what, sizeof(what), "%s: %s", name, comment);
	struct btf_ext_line line = { (uint32_t)off, str_off(g, "xdpld-rootlet"),
				     str_off(g, what), 1u << 10 };
	struct btf_ext_sec *ls = btf_ext_sec_get(&g->ext->line, g->o->secs[sec].name);
	if (!err)
		err = ls ? btf_ext_sec_push(&g->ext->line, ls, &line) : -ENOMEM;
	if (err < 0 && !g->err)
		g->err = err;
	return (uint32_t)sym;

fail_off:
	g->err = (int)off;
	return 0;
}

static void add_slots(struct gen *g)
{
	const struct slot_backend *be = &backends[g->cfg->backend];
	uint32_t nt = be->two_targets ? ROOTLET_NR_TARGETS : 1;
	char name[32];

	for (uint32_t i = 0; i < g->cfg->nr_slots && !g->err; i++) {
		for (uint32_t t = 0; t < nt && !g->err; t++) {
			struct code c = { 0 };

			be->emit_body(g, &c, i);
			g->slot_sym[i][t] = place_func(g, &c, g->text_sec, be->two_targets ?
						       rootlet_target_name(i, t, name, sizeof(name)) :
						       rootlet_slot_name(i, name, sizeof(name)),
						       be->sym_bind, be->btf_linkage, be->comment);
			code_free(&c);
		}
	}
}

/* freplace: calls target b of slot i when xdpld_sel[i] is non-zero, else
 * target a (also when the lookup fails); ctx is in r6, r0 gets the verdict.
 * 12 instruction slots more than one call (the verifier inlines the array
 * lookup).  The key is stored with a register (no BPF_ST): older
 * llvm-objdump cannot show BPF_ST. */
static void emit_select_call(struct gen *g, struct code *c, uint32_t i)
{
	MOV32_IMM(c, BPF_REG_1, (int32_t)i);
	STX(c, BPF_W, BPF_REG_10, BPF_REG_1, -4);
	MOV64_REG(c, BPF_REG_2, BPF_REG_10);
	ALU64_IMM(c, BPF_ADD, BPF_REG_2, -4);
	ld_sym(c, BPF_REG_1, g->sel_map_sym);
	CALL_HELPER(c, BPF_FUNC_map_lookup_elem);
	MOV64_REG(c, BPF_REG_1, BPF_REG_6);
	size_t null_jump = JMP_IMM(c, BPF_JEQ, BPF_REG_0, 0, 0);
	LDX(c, BPF_W, BPF_REG_0, BPF_REG_0, 0);
	size_t b_jump = JMP_IMM(c, BPF_JNE, BPF_REG_0, 0, 0);
	patch_jump(c, null_jump, c->nr);
	call_sym(c, g->slot_sym[i][0]);
	size_t join_jump = emit(c, BPF_JMP | BPF_JA, 0, 0, 0, 0);
	patch_jump(c, b_jump, c->nr);
	call_sym(c, g->slot_sym[i][1]);
	patch_jump(c, join_jump, c->nr);
}

/* Counts the verdict in r7, bucket in r9, for slot i when cfg.counters. */
static void emit_count(struct gen *g, struct code *c, uint32_t i)
{
	MOV32_IMM(c, BPF_REG_9, ROOTLET_BUCKET_INVALID);
	JMP_IMM(c, BPF_JGT, BPF_REG_7, ROOTLET_NR_ACTIONS - 1, 1);
	MOV32_REG(c, BPF_REG_9, BPF_REG_7);
	LDX(c, BPF_W, BPF_REG_1, BPF_REG_8, ROOTLET_CFG_OFF_COUNTERS);
	size_t off_jump = JMP_IMM(c, BPF_JEQ, BPF_REG_1, 0, 0);
	MOV32_IMM(c, BPF_REG_1, (int32_t)rootlet_stats_key(i, 0));
	ALU32_REG(c, BPF_ADD, BPF_REG_1, BPF_REG_9);
	STX(c, BPF_W, BPF_REG_10, BPF_REG_1, -4);
	MOV64_REG(c, BPF_REG_2, BPF_REG_10);
	ALU64_IMM(c, BPF_ADD, BPF_REG_2, -4);
	ld_sym(c, BPF_REG_1, g->stats_sym);
	CALL_HELPER(c, BPF_FUNC_map_lookup_elem);
	size_t null_jump = JMP_IMM(c, BPF_JEQ, BPF_REG_0, 0, 0);
	/* per-CPU value: a plain add is race-free */
	LDX(c, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	ALU64_IMM(c, BPF_ADD, BPF_REG_1, 1);
	STX(c, BPF_DW, BPF_REG_0, BPF_REG_1, 0);
	patch_jump(c, off_jump, c->nr);
	patch_jump(c, null_jump, c->nr);
}

/* Registers: r6 ctx, r7 verdict, r8 &xdpld_cfg, r9 counter bucket. */
static void add_entry(struct gen *g)
{
	struct code c = { 0 };
	size_t labels[NR_LABELS];

	MOV64_REG(&c, BPF_REG_6, BPF_REG_1);
	ld_sym(&c, BPF_REG_8, g->cfg_sym);
	MOV32_IMM(&c, BPF_REG_7, XDP_PASS_V);
	for (uint32_t i = 0; i < g->cfg->nr_slots; i++) {
		LDX(&c, BPF_W, BPF_REG_1, BPF_REG_8, ROOTLET_CFG_OFF_NR_SLOTS);
		jump_to(&c, BPF_JLE, BPF_REG_1, (int32_t)i, LABEL_OUT);
		if (backends[g->cfg->backend].two_targets) {
			emit_select_call(g, &c, i);
		} else {
			MOV64_REG(&c, BPF_REG_1, BPF_REG_6);
			call_sym(&c, g->slot_sym[i][0]);
		}
		MOV32_REG(&c, BPF_REG_7, BPF_REG_0);	/* int verdict, zero-extended */
		if (g->cfg->counters)
			emit_count(g, &c, i);
		jump_to(&c, BPF_JGT, BPF_REG_7, ROOTLET_NR_ACTIONS - 1, LABEL_ABORTED);
		if (i + 1 == g->cfg->nr_slots)
			break;	/* after the last slot both ways return r7 */
		LDX(&c, BPF_W, BPF_REG_1, BPF_REG_8, (int16_t)(ROOTLET_CFG_OFF_MASKS + 4 * i));
		ALU32_REG(&c, BPF_RSH, BPF_REG_1, BPF_REG_7);
		ALU32_IMM(&c, BPF_AND, BPF_REG_1, 1);
		jump_to(&c, BPF_JEQ, BPF_REG_1, 0, LABEL_OUT);
	}
	labels[LABEL_OUT] = c.nr;
	MOV32_REG(&c, BPF_REG_0, BPF_REG_7);
	EXIT(&c);
	labels[LABEL_ABORTED] = c.nr;
	MOV32_IMM(&c, BPF_REG_0, XDP_ABORTED_V);
	EXIT(&c);
	code_bind_labels(&c, labels);
	place_func(g, &c, g->entry_sec, ROOTLET_ENTRY_NAME, STB_GLOBAL, BTF_FUNC_GLOBAL,
		   "calls the slots in order");
	code_free(&c);
}

/* ---- chain backend: a program per slot (see rootlet_chain_slot_build) ----
 * Stack: fp-8 ctx, fp-16 verdict, fp-20 stats key.  No live value stays in
 * r6-r9 across the slot's call, so the call can be inlined. */

/* bpf_tail_call(ctx = r1, &xdpld_slots, idx) */
static void emit_tail_call(struct gen *g, struct code *c, uint32_t idx)
{
	ld_sym(c, BPF_REG_2, g->slots_map_sym);
	MOV32_IMM(c, BPF_REG_3, (int32_t)idx);
	CALL_HELPER(c, BPF_FUNC_tail_call);
}

/* stats[i * 6 + bucket(verdict in r0)]++; r0 is the verdict again after. */
static void emit_chain_count(struct gen *g, struct code *c, uint32_t i)
{
	MOV32_IMM(c, BPF_REG_1, ROOTLET_BUCKET_INVALID);
	JMP_IMM(c, BPF_JGT, BPF_REG_0, ROOTLET_NR_ACTIONS - 1, 1);
	MOV32_REG(c, BPF_REG_1, BPF_REG_0);
	if (i)
		ALU32_IMM(c, BPF_ADD, BPF_REG_1, (int32_t)rootlet_stats_key(i, 0));
	STX(c, BPF_W, BPF_REG_10, BPF_REG_1, -20);
	MOV64_REG(c, BPF_REG_2, BPF_REG_10);
	ALU64_IMM(c, BPF_ADD, BPF_REG_2, -20);
	ld_sym(c, BPF_REG_1, g->stats_sym);
	CALL_HELPER(c, BPF_FUNC_map_lookup_elem);
	JMP_IMM(c, BPF_JEQ, BPF_REG_0, 0, 3);
	LDX(c, BPF_DW, BPF_REG_1, BPF_REG_0, 0);	/* per-CPU: a plain add */
	ALU64_IMM(c, BPF_ADD, BPF_REG_1, 1);
	STX(c, BPF_DW, BPF_REG_0, BPF_REG_1, 0);
	LDX(c, BPF_DW, BPF_REG_0, BPF_REG_10, -16);
}

static void add_chain_entry(struct gen *g)
{
	uint32_t i = (uint32_t)g->chain_slot, mask;
	struct code c = { 0 };
	size_t labels[NR_LABELS];
	char name[32];

	if (g->chain_slot < 0) {	/* the rootlet: slot 0, or fail closed */
		emit_tail_call(g, &c, 0);
		MOV32_IMM(&c, BPF_REG_0, XDP_ABORTED_V);
		EXIT(&c);
		place_func(g, &c, g->entry_sec, ROOTLET_ENTRY_NAME, STB_GLOBAL, BTF_FUNC_GLOBAL,
			   "tail call into slot 0, else XDP_ABORTED");
		code_free(&c);
		return;
	}
	mask = g->cfg->continue_mask[i];
	emit_pass_body(g, &c, i);	/* the weak placeholder a module replaces */
	g->slot_sym[i][0] = place_func(g, &c, g->text_sec, rootlet_slot_name(i, name, sizeof(name)),
				       STB_WEAK, BTF_FUNC_STATIC, backends[ROOTLET_CHAIN].comment);
	code_free(&c);
	STX(&c, BPF_DW, BPF_REG_10, BPF_REG_1, -8);
	call_sym(&c, g->slot_sym[i][0]);
	MOV32_REG(&c, BPF_REG_0, BPF_REG_0);	/* int verdict, zero-extended */
	STX(&c, BPF_DW, BPF_REG_10, BPF_REG_0, -16);
	if (g->cfg->counters)
		emit_chain_count(g, &c, i);
	jump_to(&c, BPF_JGT, BPF_REG_0, ROOTLET_NR_ACTIONS - 1, LABEL_ABORTED);
	if (i + 1 < g->cfg->nr_slots && mask) {
		MOV32_IMM(&c, BPF_REG_1, (int32_t)mask);
		ALU32_REG(&c, BPF_RSH, BPF_REG_1, BPF_REG_0);
		ALU32_IMM(&c, BPF_AND, BPF_REG_1, 1);
		jump_to(&c, BPF_JEQ, BPF_REG_1, 0, LABEL_OUT);
		LDX(&c, BPF_DW, BPF_REG_1, BPF_REG_10, -8);
		emit_tail_call(g, &c, i + 1);
		LDX(&c, BPF_DW, BPF_REG_0, BPF_REG_10, -16);	/* next slot empty */
	}
	labels[LABEL_OUT] = c.nr;
	EXIT(&c);
	labels[LABEL_ABORTED] = c.nr;
	MOV32_IMM(&c, BPF_REG_0, XDP_ABORTED_V);
	EXIT(&c);
	code_bind_labels(&c, labels);
	place_func(g, &c, g->entry_sec, rootlet_chain_name(i, name, sizeof(name)), STB_GLOBAL,
		   BTF_FUNC_GLOBAL, "calls its slot, tail-calls the next");
	code_free(&c);
}

static int check_cfg(const struct rootlet_cfg *cfg, int byte_order)
{
	if (cfg->nr_slots < 1 || cfg->nr_slots > ROOTLET_MAX_SLOTS) {
		pr_err("rootlet: %u slots requested, supported are 1..%u", cfg->nr_slots,
		       ROOTLET_MAX_SLOTS);
		return -EINVAL;
	}
	if ((unsigned int)cfg->backend >= sizeof(backends) / sizeof(backends[0])) {
		pr_err("rootlet: unknown backend %d", (int)cfg->backend);
		return -EINVAL;
	}
	if (cfg->backend == ROOTLET_CHAIN && cfg->nr_slots > ROOTLET_CHAIN_MAX_SLOTS) {
		pr_err("rootlet: %u slots requested; the chain backend takes at most %u (one "
		       "tail call per slot, %u per packet)", cfg->nr_slots,
		       ROOTLET_CHAIN_MAX_SLOTS, ROOTLET_CHAIN_MAX_SLOTS + 1);
		return -EINVAL;
	}
	if (byte_order != ELFDATA2LSB && byte_order != ELFDATA2MSB) {
		pr_err("rootlet: unknown byte order %d", byte_order);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cfg->nr_slots; i++) {
		if (cfg->continue_mask[i] & ~ROOTLET_ACTION_MASK) {
			pr_err("rootlet: slot %u: continue mask 0x%x has bits beyond XDP_REDIRECT",
			       i, cfg->continue_mask[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int add_sec(struct gen *g, const char *name, uint64_t flags, uint64_t align,
		   uint32_t *idx)
{
	int s = obj_add_sec(g->o, name, SHT_PROGBITS, flags, align, NULL, 0);

	if (s < 0)
		return s;
	*idx = (uint32_t)s;
	return 0;
}

/* The rootlet (chain_slot -1) or the chain backend's slot program. */
static int build(const struct rootlet_cfg *cfg, int64_t chain_slot, int byte_order,
		 struct obj **out)
{
	struct gen g = { .cfg = cfg, .chain_slot = chain_slot };
	bool chain = cfg->backend == ROOTLET_CHAIN;
	int err = check_cfg(cfg, byte_order);

	*out = NULL;
	if (err)
		return err;
	g.o = obj_new("xdpld-rootlet.o", byte_order);
	g.btf = btf_new();
	g.ext = btf_ext_new();
	err = -ENOMEM;
	if (!g.o || !g.btf || !g.ext)
		goto fail;
	/* A chain rootlet has no slot functions, a slot program no config. */
	if ((!(chain && chain_slot < 0) &&
	     (err = add_sec(&g, ".text", SHF_ALLOC | SHF_EXECINSTR, 8, &g.text_sec))) ||
	    (err = add_sec(&g, ROOTLET_ENTRY_SEC, SHF_ALLOC | SHF_EXECINSTR, 8, &g.entry_sec)) ||
	    (chain_slot < 0 && (err = add_sec(&g, ".rodata", SHF_ALLOC, 4, &g.rodata_sec))))
		goto fail;
	if ((cfg->counters || backends[cfg->backend].slots_map ||
	     backends[cfg->backend].two_targets) &&
	    (err = add_sec(&g, ".maps", SHF_ALLOC | SHF_WRITE, 8, &g.maps_sec)))
		goto fail;

	add_base_types(&g);
	add_maps(&g);
	if (chain_slot < 0)
		add_config(&g, byte_order);
	if (!chain)
		add_slots(&g);
	if (!g.err && chain)
		add_chain_entry(&g);
	else if (!g.err)
		add_entry(&g);
	err = g.err;
	if (err)
		goto fail;
	g.o->btf = g.btf;
	g.o->btf_ext = g.ext;
	*out = g.o;
	pr_debug("rootlet: %u slots, backend %s, counters %s", cfg->nr_slots,
		 backends[cfg->backend].name, cfg->counters ? "on" : "off");
	return 0;
fail:
	pr_err("rootlet: generating %u slots failed: %s", cfg->nr_slots, strerror(-err));
	btf_ext_free(g.ext);
	btf_free(g.btf);
	obj_free(g.o);
	return err;
}

int rootlet_build(const struct rootlet_cfg *cfg, int byte_order, struct obj **out)
{
	return build(cfg, -1, byte_order, out);
}

int rootlet_chain_slot_build(const struct rootlet_cfg *cfg, uint32_t slot, int byte_order,
			     struct obj **out)
{
	*out = NULL;
	if (cfg->backend != ROOTLET_CHAIN || slot >= cfg->nr_slots)
		return -EINVAL;
	return build(cfg, slot, byte_order, out);
}

/* ---- backend names ---- */

const char *rootlet_backend_name(enum rootlet_backend b)
{
	if ((unsigned int)b >= sizeof(backends) / sizeof(backends[0]))
		return NULL;
	return backends[b].name;
}

int rootlet_backend_parse(const char *name, enum rootlet_backend *b)
{
	for (unsigned int i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (!strcmp(name, backends[i].name)) {
			*b = (enum rootlet_backend)i;
			return 0;
		}
	}
	return -EINVAL;
}
