/* The in-memory BPF object: creating, freeing and building it (sections,
 * symbols, relocations).  See obj.h for the model; reading and writing ELF
 * are obj_read.c and obj_write.c. */
#include "obj.h"
#include "btf/btf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
