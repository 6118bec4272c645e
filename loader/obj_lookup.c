/* Look-ups in the object model: sections and symbols by name, and what a
 * section or symbol is (for the linker, the loader and messages). */
#include "obj.h"

#include <elf.h>
#include <errno.h>
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
