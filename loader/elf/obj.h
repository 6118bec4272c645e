/* The in-memory model of one relocatable BPF ELF object.
 *
 * It is deliberately close to ELF so that the linker can edit it and write it
 * back: sections with their bytes and their relocations, one symbol table,
 * and the parsed .BTF / .BTF.ext.  Section bytes stay in the object's own
 * byte order (bpfel or bpfeb); use obj_insn_get/put to read and write
 * instructions.  Everything that only ELF bookkeeping needs (.symtab,
 * .strtab, .shstrtab, SHT_REL sections, .llvm_addrsig, .debug_*) is absorbed
 * or dropped on read and regenerated on write.
 *
 * Index 0 of secs[] and syms[] is the ELF null entry.  Section indices are
 * kept on write (model section i is ELF section i; .rel*, .BTF, .BTF.ext,
 * .symtab, .strtab, .shstrtab follow), symbols are renumbered (locals first).
 * secs[], syms[] and each relocs[] are allocated with a capacity of the next
 * power of two of their count: grow them only with obj_add_*, shrinking by
 * lowering the count is fine.
 */
#ifndef XDPLD_OBJ_H
#define XDPLD_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct btf;
struct btf_ext;

/* Special values of obj_sym.sec (same numbers as ELF's SHN_*). */
#define OBJ_SEC_UNDEF  0u
#define OBJ_SEC_ABS    0xfff1u
#define OBJ_SEC_COMMON 0xfff2u

struct obj_reloc {
	uint64_t offset;	/* byte offset inside the target section */
	uint32_t sym;		/* index into obj->syms */
	uint32_t type;		/* R_BPF_64_64, R_BPF_64_ABS64, R_BPF_64_ABS32,
				 * R_BPF_64_NODYLD32, R_BPF_64_32 */
};

struct obj_sec {
	char *name;
	uint32_t type;		/* SHT_PROGBITS, SHT_NOBITS, ... */
	uint64_t flags;		/* SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, ... */
	uint64_t align;		/* at least 1 */
	uint64_t size;
	uint8_t *data;		/* size bytes; NULL for SHT_NOBITS */
	struct obj_reloc *relocs;	/* relocations applied to this section */
	size_t nr_relocs;
};

struct obj_sym {
	char *name;		/* never NULL; "" when unnamed */
	uint8_t bind;		/* STB_LOCAL, STB_GLOBAL, STB_WEAK */
	uint8_t type;		/* STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE */
	uint8_t vis;		/* STV_DEFAULT, STV_HIDDEN, ... */
	uint32_t sec;		/* index into obj->secs, or OBJ_SEC_* */
	uint64_t value;		/* offset inside sec */
	uint64_t size;
};

struct obj {
	char *path;		/* file name used in every message about it */
	int byte_order;		/* ELFDATA2LSB or ELFDATA2MSB */
	struct obj_sec *secs;
	size_t nr_secs;
	struct obj_sym *syms;
	size_t nr_syms;
	struct btf *btf;	/* NULL when the object has no .BTF */
	struct btf_ext *btf_ext;	/* NULL when it has no .BTF.ext */
};

/* Reading validates everything that later stages rely on: it is an EM_BPF
 * ET_REL ELF64 object, section and symbol indices are in range, relocations
 * lie inside their section and name a valid symbol, symbol values lie inside
 * their section, .BTF/.BTF.ext parse.  Errors are logged with the file,
 * section and symbol involved and returned as negative errno. */
int obj_read_file(const char *path, struct obj **out);
int obj_read_mem(const char *name, const void *buf, size_t len, struct obj **out);

/* Writing produces a standard relocatable BPF ELF that libbpf, bpftool and
 * llvm-objdump read.  The output is a pure function of the model (same model,
 * same bytes).  obj_write_file writes a temporary file and renames it, so a
 * failed write leaves no partial output. */
int obj_write_mem(const struct obj *o, void **buf, size_t *len);
int obj_write_file(const struct obj *o, const char *path);

struct obj *obj_new(const char *path, int byte_order);
void obj_free(struct obj *o);

/* Look-ups return an index, or -ENOENT. */
int obj_find_sec(const struct obj *o, const char *name);
int obj_find_sym(const struct obj *o, const char *name);	/* non-local first */

/* Building (used by the linker and the rootlet generator).  Data is copied.
 * Return the new index or negative errno. */
int obj_add_sec(struct obj *o, const char *name, uint32_t type, uint64_t flags,
		uint64_t align, const void *data, uint64_t size);
int obj_add_sym(struct obj *o, const char *name, uint8_t bind, uint8_t type,
		uint8_t vis, uint32_t sec, uint64_t value, uint64_t size);
int obj_add_reloc(struct obj *o, uint32_t sec, uint64_t offset, uint32_t sym,
		  uint32_t type);
/* Append bytes (NULL: zeros) to a section, first padding it to align.
 * Returns the offset at which the bytes start, or negative errno. */
int64_t obj_sec_append(struct obj *o, uint32_t sec, const void *data,
		       uint64_t size, uint64_t align);

/* The non-section symbol named name defined in section sec (how a BTF
 * DATASEC variable is matched to its ELF symbol), or -ENOENT. */
int obj_sec_sym(const struct obj *o, uint32_t sec, const char *name);

/* The non-section symbol named name in section sec; when several share the
 * name (a linked object's statics), the one at offset off; -ENOENT when
 * there is none, -EEXIST when several are left. */
int obj_sec_sym_at(const struct obj *o, uint32_t sec, const char *name, uint64_t off);

/* The BTF type (VAR or FUNC) describing symbol sym, found through its
 * place, not only its name: a data symbol through its section's DATASEC
 * (by offset once the DATASEC is filled in), a function through the
 * .BTF.ext func_info at its first instruction, an extern by name among the
 * extern VAR/FUNC types.  -ENOENT when there is none or it is ambiguous. */
int64_t obj_sym_btf_id(const struct obj *o, uint32_t sym);

/* Keep program entry_sym (an entry program's symbol) and what it needs:
 * every program section that no kept section refers to (another program
 * of the object, of whatever type) is removed with its symbols,
 * relocations and .BTF.ext records, as libbpf leaves a program it does not
 * load.  Non-program sections (maps, data, BTF) and .text stay.  Other
 * programs in entry_sym's own section that nothing refers to are cut out
 * of it too (its code moved up), unless a call or function address there
 * has no relocation naming a function (then they stay).  Symbol and
 * section indices and offsets change.  *nr_dropped (may be NULL):
 * sections and programs removed.  -EINVAL when entry_sym is not defined in
 * a section. */
int obj_keep_program(struct obj *o, uint32_t entry_sym, size_t *nr_dropped);

/* Section classification. */
/* The FUNC symbol with a size starting at (sec, off), or -ENOENT. */
int obj_func_at(const struct obj *o, uint32_t sec, uint64_t off);
/* *out (malloc'ed, size / 8 entries): per instruction of section sec the
 * index of the relocation at it, or -1.  -EINVAL when a relocation is not
 * on an instruction, -EEXIST when two are on one (*bad_off: its offset),
 * -ENOMEM.  Does not log. */
int obj_reloc_index(const struct obj *o, uint32_t sec, int32_t **out, uint64_t *bad_off);
bool obj_sec_is_prog(const struct obj *o, uint32_t sec);	/* SHF_EXECINSTR */
bool obj_sec_is_text(const struct obj *o, uint32_t sec);	/* ".text" */
bool obj_sec_is_maps(const struct obj *o, uint32_t sec);	/* ".maps" or "maps" */

/* Fill in what clang leaves open in .BTF and libbpf's linker fills: every
 * DATASEC's size from its section's size, every VAR's offset from its
 * symbol's value, members sorted by offset.  A DATASEC already filled in
 * (size not 0: a linked object, whose statics may share names) keeps its
 * offsets, which are only checked to lie inside the section.  DATASECs without an ELF section
 * (extern-only .kconfig/.ksyms) are left unchanged: whoever loads them must
 * resolve or drop them.  Idempotent; no-op without .BTF. */
int obj_fixup_btf(struct obj *o);

/* Instructions in the object's byte order <-> host struct bpf_insn.
 * off is a byte offset in the section; caller checks off + 8 <= size. */
void obj_insn_get(const struct obj *o, const struct obj_sec *s, uint64_t off,
		  struct bpf_insn *insn);
void obj_insn_put(const struct obj *o, struct obj_sec *s, uint64_t off,
		  const struct bpf_insn *insn);

/* Integers in the object's byte order. */
uint32_t obj_u32(const struct obj *o, const void *p);
uint64_t obj_u64(const struct obj *o, const void *p);
void obj_put_u32(const struct obj *o, void *p, uint32_t v);
void obj_put_u64(const struct obj *o, void *p, uint64_t v);

/* A printable name for a symbol's kind ("function", "map", "variable",
 * "program", ...), for messages. */
const char *obj_sym_kind(const struct obj *o, const struct obj_sym *s);

#endif
