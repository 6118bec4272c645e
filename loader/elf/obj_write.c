/* Writing the model as a standard relocatable BPF ELF object: the model's
 * sections, then .rel*, .BTF, .BTF.ext, .symtab, .strtab, .shstrtab. */
#include "obj_internal.h"
#include "base/log.h"
#include "btf/btf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		obj_put_uint(w->be, p, v, n);
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
