/* The in-memory BPF object: building, look-ups, byte order helpers, reading
 * with libelf (every offset, index and count validated) and writing a
 * standard relocatable ELF again.  See obj.h for the model. */
#include "obj.h"
#include "btf.h"
#include "elf_bpf.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- growable arrays ----
 * secs[], syms[] and relocs[] have a capacity of the next power of two of
 * their count, so appending only reallocates when the count is a power of 2. */

static int grow_for_one_more(void **arr, size_t nr, size_t elem)
{
	void *p;

	if (nr && (nr & (nr - 1)))
		return 0;
	p = realloc(*arr, (nr ? nr * 2 : 1) * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

/* ---- building ---- */

struct obj *obj_new(const char *path, int byte_order)
{
	struct obj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->byte_order = byte_order;
	o->path = strdup(path ? path : "");
	o->secs = calloc(1, sizeof(*o->secs));
	o->syms = calloc(1, sizeof(*o->syms));
	if (!o->path || !o->secs || !o->syms)
		goto err;
	o->secs[0].name = strdup("");
	o->syms[0].name = strdup("");
	o->nr_secs = o->nr_syms = 1;
	if (!o->secs[0].name || !o->syms[0].name)
		goto err;
	o->secs[0].align = 1;
	return o;
err:
	obj_free(o);
	return NULL;
}

void obj_free(struct obj *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nr_secs; i++) {
		free(o->secs[i].name);
		free(o->secs[i].data);
		free(o->secs[i].relocs);
	}
	for (size_t i = 0; i < o->nr_syms; i++)
		free(o->syms[i].name);
	free(o->secs);
	free(o->syms);
	btf_ext_free(o->btf_ext);
	btf_free(o->btf);
	free(o->path);
	free(o);
}

int obj_add_sec(struct obj *o, const char *name, uint32_t type, uint64_t flags,
		uint64_t align, const void *data, uint64_t size)
{
	struct obj_sec s = { .type = type, .flags = flags, .align = align ? align : 1,
			     .size = size };

	if (s.align & (s.align - 1))
		return -EINVAL;
	if (size > SIZE_MAX / 2)
		return -E2BIG;
	if (grow_for_one_more((void **)&o->secs, o->nr_secs, sizeof(s)))
		return -ENOMEM;
	s.name = strdup(name);
	if (!s.name)
		return -ENOMEM;
	if (type != SHT_NOBITS && size) {
		s.data = data ? malloc(size) : calloc(1, size);
		if (!s.data) {
			free(s.name);
			return -ENOMEM;
		}
		if (data)
			memcpy(s.data, data, size);
	}
	o->secs[o->nr_secs] = s;
	return (int)o->nr_secs++;
}

int obj_add_sym(struct obj *o, const char *name, uint8_t bind, uint8_t type,
		uint8_t vis, uint32_t sec, uint64_t value, uint64_t size)
{
	struct obj_sym s = { .bind = bind, .type = type, .vis = vis, .sec = sec,
			     .value = value, .size = size };

	if (sec >= o->nr_secs && sec != OBJ_SEC_ABS && sec != OBJ_SEC_COMMON)
		return -EINVAL;
	if (grow_for_one_more((void **)&o->syms, o->nr_syms, sizeof(s)))
		return -ENOMEM;
	s.name = strdup(name ? name : "");
	if (!s.name)
		return -ENOMEM;
	o->syms[o->nr_syms] = s;
	return (int)o->nr_syms++;
}

int obj_add_reloc(struct obj *o, uint32_t sec, uint64_t offset, uint32_t sym,
		  uint32_t type)
{
	struct obj_sec *s;

	if (sec == 0 || sec >= o->nr_secs || sym >= o->nr_syms)
		return -EINVAL;
	s = &o->secs[sec];
	if (grow_for_one_more((void **)&s->relocs, s->nr_relocs, sizeof(*s->relocs)))
		return -ENOMEM;
	s->relocs[s->nr_relocs] = (struct obj_reloc){ .offset = offset, .sym = sym,
						      .type = type };
	return (int)s->nr_relocs++;
}

int64_t obj_sec_append(struct obj *o, uint32_t sec, const void *data,
		       uint64_t size, uint64_t align)
{
	struct obj_sec *s;
	uint64_t start, end;
	uint8_t *p;

	if (sec == 0 || sec >= o->nr_secs)
		return -EINVAL;
	if (!align)
		align = 1;
	if (align & (align - 1))
		return -EINVAL;
	s = &o->secs[sec];
	start = (s->size + align - 1) & ~(align - 1);
	end = start + size;
	if (start < s->size || end < start || end > SIZE_MAX / 2)
		return -E2BIG;
	if (s->type == SHT_NOBITS && end > UINT32_MAX)
		return -E2BIG;	/* as obj_read accepts */
	if (s->type != SHT_NOBITS && end) {
		p = realloc(s->data, end);
		if (!p)
			return -ENOMEM;
		memset(p + s->size, 0, start - s->size);
		if (data)
			memcpy(p + start, data, size);
		else
			memset(p + start, 0, size);
		s->data = p;
	}
	s->size = end;
	if (align > s->align)
		s->align = align;
	return (int64_t)start;
}

/* ---- look-ups and classification ---- */

int obj_find_sec(const struct obj *o, const char *name)
{
	for (size_t i = 1; i < o->nr_secs; i++)
		if (!strcmp(o->secs[i].name, name))
			return (int)i;
	return -ENOENT;
}

int obj_find_sym(const struct obj *o, const char *name)
{
	int local = -ENOENT;

	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->type == STT_SECTION || s->type == STT_FILE || strcmp(s->name, name))
			continue;
		if (s->bind != STB_LOCAL)
			return (int)i;
		if (local < 0)
			local = (int)i;
	}
	return local;
}

int obj_sec_sym(const struct obj *o, uint32_t sec, const char *name)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec == sec && s->type != STT_SECTION && s->type != STT_FILE &&
		    !strcmp(s->name, name))
			return (int)i;
	}
	return -ENOENT;
}

bool obj_sec_is_prog(const struct obj *o, uint32_t sec)
{
	return sec > 0 && sec < o->nr_secs && (o->secs[sec].flags & SHF_EXECINSTR);
}

bool obj_sec_is_text(const struct obj *o, uint32_t sec)
{
	return sec > 0 && sec < o->nr_secs && !strcmp(o->secs[sec].name, ".text");
}

static bool sec_named(const struct obj *o, uint32_t sec, const char *name)
{
	return sec > 0 && sec < o->nr_secs && !strcmp(o->secs[sec].name, name);
}

bool obj_sec_is_maps(const struct obj *o, uint32_t sec)
{
	return sec_named(o, sec, ".maps") || sec_named(o, sec, "maps");
}

const char *obj_sym_kind(const struct obj *o, const struct obj_sym *s)
{
	if (s->type == STT_SECTION)
		return "section";
	if (s->type == STT_FILE)
		return "file";
	if (s->sec == OBJ_SEC_UNDEF)
		return "extern";
	if (s->sec == OBJ_SEC_ABS)
		return "absolute";
	if (s->sec == OBJ_SEC_COMMON)
		return "common";
	if (obj_sec_is_maps(o, s->sec))
		return "map";
	if (obj_sec_is_prog(o, s->sec)) {
		if (s->type != STT_FUNC)
			return "label";
		return obj_sec_is_text(o, s->sec) ? "function" : "program";
	}
	if (s->type == STT_OBJECT || s->type == STT_NOTYPE)
		return "variable";
	return "symbol";
}

/* ---- byte order ---- */

static bool obj_is_be(const struct obj *o)
{
	return o->byte_order == ELFDATA2MSB;
}

static uint64_t get_uint(bool be, const void *p, int n)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)b[be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static void put_uint(bool be, void *p, uint64_t v, int n)
{
	uint8_t *b = p;

	for (int i = 0; i < n; i++)
		b[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

uint32_t obj_u32(const struct obj *o, const void *p) { return (uint32_t)get_uint(obj_is_be(o), p, 4); }
uint64_t obj_u64(const struct obj *o, const void *p) { return get_uint(obj_is_be(o), p, 8); }
void obj_put_u32(const struct obj *o, void *p, uint32_t v) { put_uint(obj_is_be(o), p, v, 4); }
void obj_put_u64(const struct obj *o, void *p, uint64_t v) { put_uint(obj_is_be(o), p, v, 8); }

/* In bpfeb objects dst_reg is the high nibble of byte 1, src_reg the low. */
void obj_insn_get(const struct obj *o, const struct obj_sec *s, uint64_t off,
		  struct bpf_insn *insn)
{
	const uint8_t *p = s->data + off;
	bool be = obj_is_be(o);

	insn->code = p[0];
	insn->dst_reg = be ? p[1] >> 4 : p[1] & 0xf;
	insn->src_reg = be ? p[1] & 0xf : p[1] >> 4;
	insn->off = (int16_t)get_uint(be, p + 2, 2);
	insn->imm = (int32_t)get_uint(be, p + 4, 4);
}

void obj_insn_put(const struct obj *o, struct obj_sec *s, uint64_t off,
		  const struct bpf_insn *insn)
{
	uint8_t *p = s->data + off;
	bool be = obj_is_be(o);

	p[0] = insn->code;
	p[1] = be ? (uint8_t)(insn->dst_reg << 4 | insn->src_reg)
		  : (uint8_t)(insn->src_reg << 4 | insn->dst_reg);
	put_uint(be, p + 2, (uint16_t)insn->off, 2);
	put_uint(be, p + 4, (uint32_t)insn->imm, 4);
}

/* ---- BTF fix-up ---- */

static int cmp_secinfo(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

static int fixup_datasec(struct obj *o, uint32_t id, struct btf_type *t)
{
	const char *sec_name = btf_type_name(o->btf, id);
	struct btf_var_secinfo *vi = (struct btf_var_secinfo *)(t + 1);
	uint16_t vlen = BTF_INFO_VLEN(t->info);
	int sec = obj_find_sec(o, sec_name);
	bool filled;

	/* Extern-only DATASECs (.kconfig, .ksyms) have no ELF section: they
	 * are left as clang wrote them for the loader to resolve or drop. */
	if (sec < 0) {
		pr_debug("%s: .BTF: DATASEC '%s' has no section, left as is", o->path, sec_name);
		return 0;
	}
	if (o->secs[sec].size > UINT32_MAX) {
		pr_err("%s: section '%s' is too large for BTF", o->path, sec_name);
		return -E2BIG;
	}
	/* A filled-in DATASEC (a linked object) keeps its offsets: its names
	 * need not be unique (one static 'counter' per linked input). */
	filled = t->size != 0;
	t->size = (uint32_t)o->secs[sec].size;
	for (uint16_t i = 0; i < vlen; i++) {
		const struct btf_type *v = btf_type_by_id(o->btf, vi[i].type);
		const char *var_name;
		int sym;

		if (!v || BTF_INFO_KIND(v->info) != BTF_KIND_VAR)
			continue;	/* extern FUNCs in .ksyms */
		if (((const struct btf_var *)(v + 1))->linkage == BTF_VAR_GLOBAL_EXTERN)
			continue;
		var_name = btf_type_name(o->btf, vi[i].type);
		if (filled) {
			if ((uint64_t)vi[i].offset + vi[i].size > o->secs[sec].size) {
				pr_err("%s: .BTF: DATASEC '%s': variable '%s' (size %u at 0x%x) is outside the section",
				       o->path, sec_name, var_name, vi[i].size, vi[i].offset);
				return -EINVAL;
			}
			continue;
		}
		sym = obj_sec_sym_at(o, (uint32_t)sec, var_name, vi[i].offset);
		if (sym < 0) {
			pr_err("%s: .BTF: DATASEC '%s': %s symbol for variable '%s'",
			       o->path, sec_name, sym == -EEXIST ? "more than one" : "no", var_name);
			return sym;
		}
		if (o->syms[sym].value + vi[i].size > o->secs[sec].size) {
			pr_err("%s: .BTF: DATASEC '%s': variable '%s' (size %u at 0x%llx) is outside the section",
			       o->path, sec_name, var_name, vi[i].size,
			       (unsigned long long)o->syms[sym].value);
			return -EINVAL;
		}
		vi[i].offset = (uint32_t)o->syms[sym].value;
	}
	qsort(vi, vlen, sizeof(*vi), cmp_secinfo);
	return 0;
}

int obj_fixup_btf(struct obj *o)
{
	uint32_t n;

	if (!o->btf)
		return 0;
	n = btf_nr_types(o->btf);
	for (uint32_t id = 1; id < n; id++) {
		struct btf_type *t = btf_type_mut(o->btf, id);
		int err;

		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC)
			continue;
		err = fixup_datasec(o, id, t);
		if (err)
			return err;
	}
	return 0;
}

/* ---- reading ---- */

struct elf_reader {
	struct obj *o;
	const uint8_t *buf;
	size_t len;
	Elf *elf;
	size_t shnum, shstrndx;
	size_t symtab, strtab;	/* ELF indices; 0 when absent */
	size_t btf, btf_ext;
	int64_t *sec_map;	/* ELF section index -> model index, -1: dropped */
	int64_t *sym_map;	/* ELF symbol index -> model index, -1: dropped */
	size_t nr_elf_syms;
};

static const char *elf_sec_name(struct elf_reader *r, size_t idx)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(r->elf, idx);
	const char *n;

	if (!scn || !gelf_getshdr(scn, &sh))
		return "?";
	n = elf_strptr(r->elf, r->shstrndx, sh.sh_name);
	return n ? n : "?";
}

static int check_header(struct elf_reader *r)
{
	const char *path = r->o->path;
	GElf_Ehdr eh;
	char *ident;

	if (elf_kind(r->elf) != ELF_K_ELF) {
		pr_err("%s: not an ELF file", path);
		return -EINVAL;
	}
	ident = elf_getident(r->elf, NULL);
	if (!ident || ident[EI_CLASS] != ELFCLASS64) {
		pr_err("%s: not a 64-bit ELF file (BPF objects are ELF64)", path);
		return -EINVAL;
	}
	if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB) {
		pr_err("%s: unknown ELF byte order %d", path, ident[EI_DATA]);
		return -EINVAL;
	}
	r->o->byte_order = ident[EI_DATA];
	if (!gelf_getehdr(r->elf, &eh)) {
		pr_err("%s: bad ELF header: %s", path, elf_errmsg(-1));
		return -EINVAL;
	}
	if (eh.e_machine != EM_BPF) {
		pr_err("%s: not a BPF object (ELF machine %u, expected %u)", path,
		       eh.e_machine, EM_BPF);
		return -EINVAL;
	}
	if (eh.e_type != ET_REL) {
		pr_err("%s: not a relocatable object (ELF type %u)", path, eh.e_type);
		return -EINVAL;
	}
	if (eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_shoff > r->len || eh.e_shnum > (r->len - eh.e_shoff) / sizeof(Elf64_Shdr)) {
		pr_err("%s: section header table is outside the file", path);
		return -EINVAL;
	}
	if (elf_getshdrnum(r->elf, &r->shnum) || elf_getshdrstrndx(r->elf, &r->shstrndx)) {
		pr_err("%s: bad section headers: %s", path, elf_errmsg(-1));
		return -EINVAL;
	}
	if (r->shnum != eh.e_shnum || r->shnum >= SHN_LORESERVE) {
		pr_err("%s: extended section numbering is not supported", path);
		return -EINVAL;
	}
	if (r->shstrndx == 0 || r->shstrndx >= r->shnum) {
		pr_err("%s: section name table index %zu is out of range", path, r->shstrndx);
		return -EINVAL;
	}
	return 0;
}

static bool is_dropped_name(const char *n)
{
	return !strncmp(n, ".debug_", 7) || !strcmp(n, ".BTF") || !strcmp(n, ".BTF.ext");
}

/* The symbol table and its string table are bookkeeping: find them first. */
static int find_symtab(struct elf_reader *r)
{
	for (size_t i = 1; i < r->shnum; i++) {
		GElf_Shdr sh;

		if (!gelf_getshdr(elf_getscn(r->elf, i), &sh)) {
			pr_err("%s: section #%zu: bad header: %s", r->o->path, i, elf_errmsg(-1));
			return -EINVAL;
		}
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		if (r->symtab) {
			pr_err("%s: more than one symbol table", r->o->path);
			return -EINVAL;
		}
		r->symtab = i;
		r->strtab = sh.sh_link;
	}
	if (r->symtab && (r->strtab == 0 || r->strtab >= r->shnum)) {
		pr_err("%s: symbol table links to invalid string table #%zu", r->o->path, r->strtab);
		return -EINVAL;
	}
	return 0;
}

#define OBJ_MAX_ALIGN 4096u

/* Sections whose bytes are read (code, BTF, license, map definitions):
 * NOBITS would leave them without data. */
static bool needs_bytes(const char *name, uint64_t flags)
{
	static const char *const names[] = { ".BTF", ".BTF.ext", "license", "version",
					     ".maps", "maps" };

	if (flags & SHF_EXECINSTR)
		return true;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (!strcmp(name, names[k]))
			return true;
	return false;
}

/* Copies the kept sections into the model and notes .BTF / .BTF.ext. */
static int read_sections(struct elf_reader *r)
{
	const char *path = r->o->path;
	int err = find_symtab(r);

	if (err)
		return err;
	for (size_t i = 1; i < r->shnum; i++) {
		GElf_Shdr sh;
		const char *name;
		int idx;

		r->sec_map[i] = -1;
		gelf_getshdr(elf_getscn(r->elf, i), &sh);
		name = elf_strptr(r->elf, r->shstrndx, sh.sh_name);
		if (!name) {
			pr_err("%s: section #%zu: name offset 0x%x is invalid", path, i, sh.sh_name);
			return -EINVAL;
		}
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > r->len || sh.sh_size > r->len - sh.sh_offset)) {
			pr_err("%s: section '%s': data (offset 0x%llx, size 0x%llx) is outside the file (size 0x%zx)",
			       path, name, (unsigned long long)sh.sh_offset,
			       (unsigned long long)sh.sh_size, r->len);
			return -EINVAL;
		}
		if (sh.sh_addralign & (sh.sh_addralign - 1)) {
			pr_err("%s: section '%s': alignment %llu is not a power of two", path,
			       name, (unsigned long long)sh.sh_addralign);
			return -EINVAL;
		}
		/* Writing pads to the alignment: a huge one would be a huge file. */
		if (sh.sh_addralign > OBJ_MAX_ALIGN) {
			pr_err("%s: section '%s': alignment %llu is larger than %u", path,
			       name, (unsigned long long)sh.sh_addralign, OBJ_MAX_ALIGN);
			return -EINVAL;
		}
		switch (sh.sh_type) {
		case SHT_SYMTAB:
		case SHT_REL:
		case SHT_LLVM_ADDRSIG:
			continue;
		case SHT_RELA:
			pr_err("%s: section '%s': RELA relocations are not used by BPF", path, name);
			return -EINVAL;
		case SHT_DYNSYM:
		case SHT_DYNAMIC:
		case SHT_GROUP:
			pr_err("%s: section '%s': section type %u is not supported", path, name,
			       sh.sh_type);
			return -EINVAL;
		}
		if (i == r->shstrndx || (r->symtab && i == r->strtab))
			continue;
		if (sh.sh_type == SHT_NOBITS && needs_bytes(name, sh.sh_flags)) {
			pr_err("%s: section '%s': has no data (NOBITS), but its contents are needed",
			       path, name);
			return -EINVAL;
		}
		if (!strcmp(name, ".BTF"))
			r->btf = i;
		else if (!strcmp(name, ".BTF.ext"))
			r->btf_ext = i;
		if (is_dropped_name(name))
			continue;
		if (sh.sh_type == SHT_NOBITS && (sh.sh_flags & SHF_EXECINSTR)) {
			pr_err("%s: section '%s': executable but without data (NOBITS)", path, name);
			return -EINVAL;
		}
		if (sh.sh_type == SHT_NOBITS && sh.sh_size > UINT32_MAX) {
			pr_err("%s: section '%s' is too large", path, name);
			return -E2BIG;
		}
		/* NOBITS: sh_offset is meaningless and may point anywhere */
		idx = obj_add_sec(r->o, name, sh.sh_type, sh.sh_flags, sh.sh_addralign,
				  sh.sh_type == SHT_NOBITS ? NULL : r->buf + sh.sh_offset,
				  sh.sh_size);
		if (idx < 0)
			return idx;
		r->sec_map[i] = idx;
	}
	return 0;
}

static Elf_Data *table_data(struct elf_reader *r, size_t idx, size_t entsize, size_t *count)
{
	Elf_Scn *scn = elf_getscn(r->elf, idx);
	GElf_Shdr sh;
	Elf_Data *d;

	if (!scn || !gelf_getshdr(scn, &sh)) {
		pr_err("%s: section #%zu: cannot read its header: %s", r->o->path, idx,
		       elf_errmsg(-1));
		return NULL;
	}
	if (sh.sh_entsize != entsize) {
		pr_err("%s: section '%s': entry size %llu, expected %zu", r->o->path,
		       elf_sec_name(r, idx), (unsigned long long)sh.sh_entsize, entsize);
		return NULL;
	}
	d = elf_getdata(scn, NULL);
	if (!d || d->d_size != sh.sh_size) {
		pr_err("%s: section '%s': cannot read: %s", r->o->path, elf_sec_name(r, idx),
		       elf_errmsg(-1));
		return NULL;
	}
	*count = sh.sh_size / entsize;
	return d;
}

static int read_symbols(struct elf_reader *r)
{
	const char *path = r->o->path;
	size_t n;
	Elf_Data *d;

	if (!r->symtab)
		return 0;
	d = table_data(r, r->symtab, sizeof(Elf64_Sym), &n);
	if (!d)
		return -EINVAL;
	r->nr_elf_syms = n;
	r->sym_map = calloc(n ? n : 1, sizeof(*r->sym_map));
	if (!r->sym_map)
		return -ENOMEM;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		const char *name;
		uint32_t sec;
		int idx;

		r->sym_map[i] = -1;
		if (!gelf_getsym(d, (int)i, &s)) {
			pr_err("%s: symbol #%zu: cannot read: %s", path, i, elf_errmsg(-1));
			return -EINVAL;
		}
		name = elf_strptr(r->elf, r->strtab, s.st_name);
		if (!name) {
			pr_err("%s: symbol #%zu: name offset 0x%x is invalid", path, i, s.st_name);
			return -EINVAL;
		}
		if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS || s.st_shndx == SHN_COMMON) {
			sec = s.st_shndx;
		} else if (s.st_shndx >= r->shnum) {
			pr_err("%s: symbol '%s': section index %u is out of range", path, name,
			       s.st_shndx);
			return -EINVAL;
		} else if (r->sec_map[s.st_shndx] < 0) {
			continue;	/* in a dropped section (.debug_*, .BTF) */
		} else {
			const struct obj_sec *os;

			sec = (uint32_t)r->sec_map[s.st_shndx];
			os = &r->o->secs[sec];
			if (s.st_value > os->size || s.st_size > os->size - s.st_value) {
				pr_err("%s: symbol '%s' (offset 0x%llx, size 0x%llx) is outside section '%s' (size 0x%llx)",
				       path, name, (unsigned long long)s.st_value,
				       (unsigned long long)s.st_size, os->name,
				       (unsigned long long)os->size);
				return -EINVAL;
			}
			/* The linker and loader cut code at functions. */
			if (GELF_ST_TYPE(s.st_info) == STT_FUNC && (os->flags & SHF_EXECINSTR) &&
			    (s.st_value % sizeof(struct bpf_insn) || s.st_size % sizeof(struct bpf_insn))) {
				pr_err("%s: function '%s' (offset 0x%llx, size 0x%llx) in section '%s' is not whole instructions",
				       path, name, (unsigned long long)s.st_value,
				       (unsigned long long)s.st_size, os->name);
				return -EINVAL;
			}
		}
		idx = obj_add_sym(r->o, name, GELF_ST_BIND(s.st_info), GELF_ST_TYPE(s.st_info),
				  GELF_ST_VISIBILITY(s.st_other), sec, s.st_value, s.st_size);
		if (idx < 0)
			return idx;
		r->sym_map[i] = idx;
	}
	return 0;
}

/* Bytes a relocation of this type patches, in a section of this kind. */
static uint64_t reloc_width(uint32_t type, bool exec)
{
	if (exec)
		return type == R_BPF_64_64 ? 16 : 8;
	return type == R_BPF_64_ABS64 ? 8 : 4;
}

static int read_rel_section(struct elf_reader *r, size_t idx, const GElf_Shdr *sh)
{
	const char *path = r->o->path, *name = elf_sec_name(r, idx);
	struct obj_sec *target;
	size_t n;
	Elf_Data *d;
	uint32_t sec;
	bool exec;

	if (sh->sh_info == 0 || sh->sh_info >= r->shnum) {
		pr_err("%s: section '%s': target section #%u is out of range", path, name,
		       sh->sh_info);
		return -EINVAL;
	}
	if (r->sec_map[sh->sh_info] < 0)
		return 0;	/* relocations of dropped sections (.debug_*, .BTF.ext) */
	if (!r->symtab || sh->sh_link != r->symtab) {
		pr_err("%s: section '%s': does not link to the symbol table", path, name);
		return -EINVAL;
	}
	sec = (uint32_t)r->sec_map[sh->sh_info];
	target = &r->o->secs[sec];
	if (target->type == SHT_NOBITS && sh->sh_size) {
		pr_err("%s: section '%s': relocations for section '%s' which has no data",
		       path, name, target->name);
		return -EINVAL;
	}
	exec = obj_sec_is_prog(r->o, sec);
	d = table_data(r, idx, sizeof(Elf64_Rel), &n);
	if (!d)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		GElf_Rel rel;
		uint64_t sym, type, w;
		int err;

		if (!gelf_getrel(d, (int)i, &rel)) {
			pr_err("%s: section '%s': relocation #%zu: cannot read: %s", path, name, i,
			       elf_errmsg(-1));
			return -EINVAL;
		}
		sym = GELF_R_SYM(rel.r_info);
		type = GELF_R_TYPE(rel.r_info);
		w = reloc_width((uint32_t)type, exec);
		if (rel.r_offset > target->size || w > target->size - rel.r_offset) {
			pr_err("%s: section '%s': relocation #%zu at offset 0x%llx is outside the section (size 0x%llx)",
			       path, target->name, i, (unsigned long long)rel.r_offset,
			       (unsigned long long)target->size);
			return -EINVAL;
		}
		if (exec && rel.r_offset % 8) {
			pr_err("%s: section '%s': relocation #%zu at offset 0x%llx is not on an instruction",
			       path, target->name, i, (unsigned long long)rel.r_offset);
			return -EINVAL;
		}
		if (sym == 0 || sym >= r->nr_elf_syms || r->sym_map[sym] < 0) {
			pr_err("%s: section '%s': relocation #%zu at offset 0x%llx refers to invalid symbol #%llu",
			       path, target->name, i, (unsigned long long)rel.r_offset,
			       (unsigned long long)sym);
			return -EINVAL;
		}
		err = obj_add_reloc(r->o, sec, rel.r_offset, (uint32_t)r->sym_map[sym],
				    (uint32_t)type);
		if (err < 0)
			return err;
	}
	return 0;
}

static int read_relocs(struct elf_reader *r)
{
	for (size_t i = 1; i < r->shnum; i++) {
		GElf_Shdr sh;
		int err;

		if (!gelf_getshdr(elf_getscn(r->elf, i), &sh) || sh.sh_type != SHT_REL)
			continue;
		err = read_rel_section(r, i, &sh);
		if (err)
			return err;
	}
	return 0;
}

/* .BTF.ext records describe instructions: of a code section, inside it. */
static int check_btf_ext_info(const struct obj *o, const struct btf_ext_info *info,
			      const char *kind)
{
	for (size_t i = 0; i < info->nr_secs; i++) {
		const struct btf_ext_sec *es = &info->secs[i];
		int sec = obj_find_sec(o, es->sec_name);

		if (!es->nr)
			continue;
		if (sec < 0 || !obj_sec_is_prog(o, (uint32_t)sec)) {
			pr_err("%s: .BTF.ext: %s for section '%s', which is not a code section",
			       o->path, kind, es->sec_name);
			return -EINVAL;
		}
		for (uint32_t k = 0; k < es->nr; k++) {
			uint32_t off = *(const uint32_t *)((const uint8_t *)es->recs +
							   (size_t)k * info->rec_size);

			if (off >= o->secs[sec].size) {
				pr_err("%s: .BTF.ext: %s of section '%s': record %u at 0x%x is outside the section",
				       o->path, kind, es->sec_name, k, off);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int read_btf(struct elf_reader *r)
{
	char what[512];
	GElf_Shdr sh;
	int err;

	if (r->btf) {
		gelf_getshdr(elf_getscn(r->elf, r->btf), &sh);
		snprintf(what, sizeof(what), "%s: .BTF", r->o->path);
		err = btf_parse(r->buf + sh.sh_offset, sh.sh_size, what, &r->o->btf);
		if (err)
			return err;
	}
	if (r->btf_ext) {
		if (!r->o->btf) {
			pr_err("%s: has .BTF.ext but no .BTF", r->o->path);
			return -EINVAL;
		}
		gelf_getshdr(elf_getscn(r->elf, r->btf_ext), &sh);
		snprintf(what, sizeof(what), "%s: .BTF.ext", r->o->path);
		err = btf_ext_parse(r->buf + sh.sh_offset, sh.sh_size, r->o->btf, what,
				    &r->o->btf_ext);
		if (!err)
			err = check_btf_ext_info(r->o, &r->o->btf_ext->func, "func_info");
		if (!err)
			err = check_btf_ext_info(r->o, &r->o->btf_ext->line, "line_info");
		if (!err)
			err = check_btf_ext_info(r->o, &r->o->btf_ext->core, "core_relo");
		if (err)
			return err;
	}
	return 0;
}

int obj_read_mem(const char *name, const void *buf, size_t len, struct obj **out)
{
	struct elf_reader r = { .len = len };
	char *copy = NULL;
	int err = -ENOMEM;

	*out = NULL;
	r.o = obj_new(name, ELFDATA2LSB);
	if (!r.o)
		return -ENOMEM;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		pr_err("%s: libelf is unusable: %s", name, elf_errmsg(-1));
		err = -EINVAL;
		goto out;
	}
	/* libelf wants a writable, aligned image */
	copy = malloc(len ? len : 1);
	if (!copy)
		goto out;
	memcpy(copy, buf, len);
	r.buf = (const uint8_t *)copy;
	if (len < EI_NIDENT || memcmp(copy, ELFMAG, SELFMAG)) {
		pr_err("%s: not an ELF file", name);
		err = -EINVAL;
		goto out;
	}
	if (copy[EI_CLASS] != ELFCLASS64 || len < sizeof(Elf64_Ehdr)) {
		pr_err("%s: not a complete 64-bit ELF file (BPF objects are ELF64)", name);
		err = -EINVAL;
		goto out;
	}
	r.elf = elf_memory(copy, len);
	if (!r.elf) {
		pr_err("%s: cannot read ELF: %s", name, elf_errmsg(-1));
		err = -EINVAL;
		goto out;
	}
	err = check_header(&r);
	if (err)
		goto out;
	r.sec_map = calloc(r.shnum, sizeof(*r.sec_map));
	if (!r.sec_map) {
		err = -ENOMEM;
		goto out;
	}
	err = read_sections(&r);
	if (!err)
		err = read_symbols(&r);
	if (!err)
		err = read_relocs(&r);
	if (!err)
		err = read_btf(&r);
out:
	if (r.elf)
		elf_end(r.elf);
	free(r.sec_map);
	free(r.sym_map);
	free(copy);
	if (err)
		obj_free(r.o);
	else
		*out = r.o;
	return err;
}

int obj_read_file(const char *path, struct obj **out)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t len = 0, cap = 0, n;
	int err;

	*out = NULL;
	if (!f) {
		err = -errno;
		pr_err("%s: cannot open: %s", path, strerror(errno));
		return err;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap);
			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		err = -EIO;
		pr_err("%s: read error", path);
		goto out;
	}
	err = obj_read_mem(path, buf, len, out);
out:
	free(buf);
	fclose(f);
	return err;
}

/* ---- writing ---- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool be;
	int err;
};

static uint8_t *wb_reserve(struct wbuf *w, size_t n)
{
	if (w->err)
		return NULL;
	if (n > SIZE_MAX / 4 - w->len) {
		w->err = -E2BIG;
		return NULL;
	}
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *p;

		while (cap < w->len + n)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->err = -ENOMEM;
			return NULL;
		}
		w->p = p;
		w->cap = cap;
	}
	w->len += n;
	return w->p + w->len - n;
}

static void wb_put(struct wbuf *w, const void *data, size_t n)
{
	uint8_t *p = wb_reserve(w, n);

	if (p && n)
		memcpy(p, data, n);
}

static void wb_int(struct wbuf *w, uint64_t v, int n)
{
	uint8_t *p = wb_reserve(w, (size_t)n);

	if (p)
		put_uint(w->be, p, v, n);
}

static void wb_pad(struct wbuf *w, uint64_t align)
{
	size_t n = (size_t)((align - w->len % align) % align);
	uint8_t *p = wb_reserve(w, n);

	if (p)
		memset(p, 0, n);
}

/* Appends a NUL-terminated string; returns its offset. */
static uint32_t wb_str(struct wbuf *w, const char *s)
{
	size_t off = w->len;

	wb_put(w, s, strlen(s) + 1);
	if (off > UINT32_MAX && !w->err)
		w->err = -E2BIG;
	return (uint32_t)off;
}

struct out_sec {
	const char *name;
	char *owned_name;
	uint32_t type, link, info;
	uint64_t flags, align, entsize;
	const void *data;
	uint64_t size;
	uint64_t offset;
};

struct elf_writer {
	const struct obj *o;
	bool be;
	struct out_sec *secs;
	size_t nr;
	struct wbuf symtab, strtab, shstrtab;
	struct wbuf *rels;	/* one per model section */
	void *btf, *btf_ext;
	size_t btf_len, btf_ext_len;
	uint32_t *sym_out;	/* model symbol index -> output index */
};

static void sym_entry(struct elf_writer *w, const struct obj_sym *s)
{
	uint16_t shndx = (uint16_t)s->sec;

	wb_int(&w->symtab, wb_str(&w->strtab, s->name), 4);
	wb_int(&w->symtab, GELF_ST_INFO(s->bind, s->type), 1);
	wb_int(&w->symtab, s->vis & 3, 1);
	wb_int(&w->symtab, shndx, 2);
	wb_int(&w->symtab, s->value, 8);
	wb_int(&w->symtab, s->size, 8);
}

/* Locals first, as ELF requires; returns the index of the first non-local. */
static int build_symtab(struct elf_writer *w, uint32_t *first_global)
{
	const struct obj *o = w->o;
	uint32_t next = 1;

	w->sym_out = calloc(o->nr_syms, sizeof(*w->sym_out));
	if (!w->sym_out)
		return -ENOMEM;
	wb_str(&w->strtab, "");
	wb_reserve(&w->symtab, sizeof(Elf64_Sym));
	if (w->symtab.p)
		memset(w->symtab.p, 0, sizeof(Elf64_Sym));
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			*first_global = next;
		for (size_t i = 1; i < o->nr_syms; i++) {
			const struct obj_sym *s = &o->syms[i];

			if ((s->bind == STB_LOCAL) != (pass == 0))
				continue;
			if (s->sec >= o->nr_secs && s->sec != OBJ_SEC_ABS &&
			    s->sec != OBJ_SEC_COMMON) {
				pr_err("%s: symbol '%s': section index %u is out of range",
				       o->path, s->name, s->sec);
				return -EINVAL;
			}
			w->sym_out[i] = next++;
			sym_entry(w, s);
		}
	}
	return w->symtab.err ? w->symtab.err : w->strtab.err;
}

static int build_rels(struct elf_writer *w)
{
	const struct obj *o = w->o;

	w->rels = calloc(o->nr_secs, sizeof(*w->rels));
	if (!w->rels)
		return -ENOMEM;
	for (size_t i = 1; i < o->nr_secs; i++) {
		const struct obj_sec *s = &o->secs[i];

		w->rels[i].be = w->be;
		for (size_t j = 0; j < s->nr_relocs; j++) {
			const struct obj_reloc *rl = &s->relocs[j];

			if (rl->sym >= o->nr_syms) {
				pr_err("%s: section '%s': relocation #%zu refers to invalid symbol #%u",
				       o->path, s->name, j, rl->sym);
				return -EINVAL;
			}
			wb_int(&w->rels[i], rl->offset, 8);
			wb_int(&w->rels[i], GELF_R_INFO(w->sym_out[rl->sym], rl->type), 8);
		}
		if (w->rels[i].err)
			return w->rels[i].err;
	}
	return 0;
}

static struct out_sec *add_out(struct elf_writer *w, const char *name, uint32_t type,
			       uint64_t align, const void *data, uint64_t size)
{
	struct out_sec *s = &w->secs[w->nr++];

	*s = (struct out_sec){ .name = name, .type = type, .align = align ? align : 1,
			       .data = data, .size = size };
	return s;
}

static int build_sections(struct elf_writer *w)
{
	const struct obj *o = w->o;
	size_t max = o->nr_secs * 2 + 6, symtab_idx, nr_rel = 0;
	uint32_t first_global = 1;
	struct out_sec *s;
	int err;

	for (size_t i = 1; i < o->nr_secs; i++)
		nr_rel += o->secs[i].nr_relocs > 0;
	if (max >= SHN_LORESERVE) {
		pr_err("%s: too many sections (%zu)", o->path, o->nr_secs);
		return -E2BIG;
	}
	w->secs = calloc(max, sizeof(*w->secs));
	if (!w->secs)
		return -ENOMEM;
	w->nr = 1;	/* null section */
	err = build_symtab(w, &first_global);
	if (!err)
		err = build_rels(w);
	if (err)
		return err;
	for (size_t i = 1; i < o->nr_secs; i++) {
		const struct obj_sec *m = &o->secs[i];

		s = add_out(w, m->name, m->type, m->align, m->data, m->size);
		s->flags = m->flags;
		if ((m->flags & SHF_MERGE) && (m->flags & SHF_STRINGS))
			s->entsize = 1;
	}
	symtab_idx = o->nr_secs + nr_rel + (o->btf ? 1 : 0) + (o->btf_ext ? 1 : 0);
	for (size_t i = 1; i < o->nr_secs; i++) {
		char *n;

		if (!o->secs[i].nr_relocs)
			continue;
		n = malloc(strlen(o->secs[i].name) + 5);
		if (!n)
			return -ENOMEM;
		strcpy(n, ".rel");
		strcat(n, o->secs[i].name);
		s = add_out(w, n, SHT_REL, 8, w->rels[i].p, w->rels[i].len);
		s->owned_name = n;
		s->flags = SHF_INFO_LINK;
		s->link = (uint32_t)symtab_idx;
		s->info = (uint32_t)i;
		s->entsize = sizeof(Elf64_Rel);
	}
	if (o->btf)
		add_out(w, ".BTF", SHT_PROGBITS, 4, w->btf, w->btf_len);
	if (o->btf_ext)
		add_out(w, ".BTF.ext", SHT_PROGBITS, 4, w->btf_ext, w->btf_ext_len);
	s = add_out(w, ".symtab", SHT_SYMTAB, 8, w->symtab.p, w->symtab.len);
	s->link = (uint32_t)w->nr;	/* .strtab comes next */
	s->info = first_global;
	s->entsize = sizeof(Elf64_Sym);
	add_out(w, ".strtab", SHT_STRTAB, 1, w->strtab.p, w->strtab.len);
	add_out(w, ".shstrtab", SHT_STRTAB, 1, NULL, 0);
	return 0;
}

static int emit(struct elf_writer *w, void **buf, size_t *len)
{
	struct wbuf out = { .be = w->be };
	struct wbuf *shs = &w->shstrtab;
	uint32_t *name_off = calloc(w->nr, sizeof(*name_off));
	struct out_sec *last = &w->secs[w->nr - 1];
	uint64_t off = sizeof(Elf64_Ehdr), shoff;

	if (!name_off)
		return -ENOMEM;
	wb_str(shs, "");
	for (size_t i = 1; i < w->nr; i++)
		name_off[i] = wb_str(shs, w->secs[i].name);
	last->data = shs->p;
	last->size = shs->len;
	/* NOBITS sections take no bytes and no padding in the file (the write
	 * loop below skips them), so they must not move off either. */
	for (size_t i = 1; i < w->nr; i++) {
		struct out_sec *s = &w->secs[i];

		s->offset = (off + s->align - 1) & ~(s->align - 1);
		if (s->type != SHT_NOBITS)
			off = s->offset + s->size;
	}
	shoff = (off + 7) & ~7ull;

	wb_put(&out, ELFMAG, SELFMAG);
	wb_int(&out, ELFCLASS64, 1);
	wb_int(&out, w->be ? ELFDATA2MSB : ELFDATA2LSB, 1);
	wb_int(&out, EV_CURRENT, 1);
	wb_pad(&out, EI_NIDENT);
	wb_int(&out, ET_REL, 2);
	wb_int(&out, EM_BPF, 2);
	wb_int(&out, EV_CURRENT, 4);
	wb_int(&out, 0, 8);		/* e_entry */
	wb_int(&out, 0, 8);		/* e_phoff */
	wb_int(&out, shoff, 8);
	wb_int(&out, 0, 4);		/* e_flags */
	wb_int(&out, sizeof(Elf64_Ehdr), 2);
	wb_int(&out, 0, 2);		/* e_phentsize */
	wb_int(&out, 0, 2);		/* e_phnum */
	wb_int(&out, sizeof(Elf64_Shdr), 2);
	wb_int(&out, w->nr, 2);
	wb_int(&out, w->nr - 1, 2);	/* .shstrtab is last */
	for (size_t i = 1; i < w->nr; i++) {
		const struct out_sec *s = &w->secs[i];

		if (s->type == SHT_NOBITS)
			continue;
		wb_pad(&out, s->align);
		wb_put(&out, s->data, s->size);
	}
	wb_pad(&out, 8);
	for (size_t i = 0; i < w->nr; i++) {
		const struct out_sec *s = &w->secs[i];

		wb_int(&out, name_off[i], 4);
		wb_int(&out, s->type, 4);
		wb_int(&out, s->flags, 8);
		wb_int(&out, 0, 8);	/* sh_addr */
		wb_int(&out, i ? s->offset : 0, 8);
		wb_int(&out, s->size, 8);
		wb_int(&out, s->link, 4);
		wb_int(&out, s->info, 4);
		wb_int(&out, i ? s->align : 0, 8);
		wb_int(&out, s->entsize, 8);
	}
	free(name_off);
	if (out.err || shs->err) {
		free(out.p);
		return out.err ? out.err : shs->err;
	}
	*buf = out.p;
	*len = out.len;
	return 0;
}

int obj_write_mem(const struct obj *o, void **buf, size_t *len)
{
	bool be = o->byte_order == ELFDATA2MSB;
	struct elf_writer w = { .o = o, .be = be, .symtab.be = be, .strtab.be = be };
	int err = 0;

	*buf = NULL;
	*len = 0;
	if (o->btf_ext && !o->btf) {
		pr_err("%s: .BTF.ext without .BTF", o->path);
		return -EINVAL;
	}
	/* .BTF.ext first: it adds its section names to the BTF strings.  The
	 * strings are deduplicated, so the model does not change in meaning. */
	if (o->btf_ext)
		err = btf_ext_serialize(o->btf_ext, (struct btf *)o->btf, o->byte_order,
					&w.btf_ext, &w.btf_ext_len);
	if (!err && o->btf)
		err = btf_serialize(o->btf, o->byte_order, &w.btf, &w.btf_len);
	if (!err)
		err = build_sections(&w);
	if (!err)
		err = emit(&w, buf, len);
	for (size_t i = 0; i < w.nr; i++)
		free(w.secs[i].owned_name);
	if (w.rels)
		for (size_t i = 0; i < o->nr_secs; i++)
			free(w.rels[i].p);
	free(w.rels);
	free(w.secs);
	free(w.symtab.p);
	free(w.strtab.p);
	free(w.shstrtab.p);
	free(w.sym_out);
	free(w.btf);
	free(w.btf_ext);
	if (err && err != -ENOMEM && err != -EINVAL)
		pr_err("%s: cannot build ELF: %s", o->path, strerror(-err));
	return err;
}

int obj_write_file(const struct obj *o, const char *path)
{
	size_t len, done = 0;
	char *tmp = NULL;
	void *buf;
	bool created = false;
	int fd = -1, err;

	err = obj_write_mem(o, &buf, &len);
	if (err)
		return err;
	tmp = malloc(strlen(path) + 12);
	if (!tmp) {
		err = -ENOMEM;
		goto out;
	}
	sprintf(tmp, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		pr_err("%s: cannot create temporary file: %s", path, strerror(errno));
		goto out;
	}
	created = true;
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			pr_err("%s: write failed: %s", path, strerror(-err));
			goto out;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, 0644) || fsync(fd)) {
		err = -errno;
		pr_err("%s: write failed: %s", path, strerror(-err));
		goto out;
	}
	err = close(fd) ? -errno : 0;
	fd = -1;
	if (err) {
		pr_err("%s: write failed: %s", path, strerror(-err));
		goto out;
	}
	if (rename(tmp, path)) {
		err = -errno;
		pr_err("%s: cannot rename temporary file: %s", path, strerror(-err));
	}
out:
	if (fd >= 0)
		close(fd);
	if (err && created)
		unlink(tmp);
	free(tmp);
	free(buf);
	return err;
}
