/* Reading a BPF ELF object into the model with libelf; every offset,
 * index and count is validated (see obj_read_mem in obj.h). */
#include "obj.h"
#include "base/log.h"
#include "elf_bpf.h"
#include "btf/btf.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
