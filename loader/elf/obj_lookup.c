/* Look-ups in the object model: sections and symbols by name, and what a
 * section or symbol is (for the linker, the loader and messages). */
#include "obj.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int obj_func_at(const struct obj *o, uint32_t sec, uint64_t off)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec == sec && s->type == STT_FUNC && s->value == off && s->size)
			return (int)i;
	}
	return -ENOENT;
}

int obj_reloc_index(const struct obj *o, uint32_t sec, int32_t **out, uint64_t *bad_off)
{
	const struct obj_sec *s = &o->secs[sec];
	size_t n = s->size / 8;
	int32_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	int err = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = -1;
	for (size_t r = 0; !err && r < s->nr_relocs; r++) {
		uint64_t off = s->relocs[r].offset;

		*bad_off = off;
		if (off % 8 || off / 8 >= n || s->nr_relocs > INT32_MAX)
			err = -EINVAL;
		else if (idx[off / 8] >= 0)
			err = -EEXIST;
		else
			idx[off / 8] = (int32_t)r;
	}
	if (err) {
		free(idx);
		return err;
	}
	*out = idx;
	return 0;
}
