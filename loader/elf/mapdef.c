/* Map definitions: BTF-defined maps in ".maps" (each a VAR whose struct
 * type encodes the attributes, as bpf_helpers.h writes them) and legacy
 * struct bpf_map_def records in "maps". */
#include "mapdef.h"
#include "base/log.h"
#include "elf_bpf.h"
#include "btf/btf.h"
#include "obj.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LEGACY_DEF_MIN 20	/* type, key_size, value_size, max_entries, map_flags */
#define MAX_INNER_DEPTH 4	/* the kernel nests map-in-map only once; this bounds BTF cycles */

struct map_ctx {
	const struct obj *o;
	int maps_sec;		/* ".maps" section index, or -1 */
	int64_t datasec;	/* its BTF DATASEC id, or -1 */
	int *depth;		/* inner map templates being parsed */
};

static void map_def_clear(struct map_def *d)
{
	if (d->inner) {
		map_def_clear(d->inner);
		free(d->inner);
	}
	free(d->name);
	free(d->init);
	memset(d, 0, sizeof(*d));
}

void map_defs_free(struct map_def *defs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		map_def_clear(&defs[i]);
	free(defs);
}

/* __uint(name, val) is `int (*name)[val]`: the value is the array's nelems. */
static int member_uint(const struct btf *btf, const struct btf_member *m, uint32_t *val)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, m->type));
	const struct btf_type *arr;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
		return -EINVAL;
	arr = btf_type_by_id(btf, btf_skip_mods(btf, t->type));
	if (!arr || BTF_INFO_KIND(arr->info) != BTF_KIND_ARRAY)
		return -EINVAL;
	*val = ((const struct btf_array *)(arr + 1))->nelems;
	return 0;
}

/* __type(name, T) is `T *name`: returns T's id and size. */
static int member_type(const struct btf *btf, const struct btf_member *m, uint32_t *id,
		       uint32_t *size)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, m->type));
	int64_t sz;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
		return -EINVAL;
	sz = btf_resolve_size(btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return -EINVAL;
	*id = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static int set_size(const struct map_ctx *c, struct map_def *d, const char *field,
		    uint32_t *slot, uint32_t val)
{
	if (*slot && *slot != val) {
		pr_err("%s: map '%s': %s is %u but its type has size %u", c->o->path, d->name,
		       field, *slot, val);
		return -EINVAL;
	}
	*slot = val;
	return 0;
}

static int parse_btf_struct(const struct map_ctx *c, uint32_t struct_id, struct map_def *d,
			    uint32_t *values_off);

/* `values` is `typeof(T) *values[]`: T is the inner map struct (map-in-map)
 * or a function prototype (prog array). */
static int parse_values(const struct map_ctx *c, const struct btf_member *m, struct map_def *d)
{
	const struct btf *btf = c->o->btf;
	const struct btf_type *arr = btf_type_by_id(btf, btf_skip_mods(btf, m->type));
	const struct btf_type *ptr, *inner;
	uint32_t inner_id, dummy;
	int err;

	if (!arr || BTF_INFO_KIND(arr->info) != BTF_KIND_ARRAY)
		goto bad;
	ptr = btf_type_by_id(btf, btf_skip_mods(btf, ((const struct btf_array *)(arr + 1))->type));
	if (!ptr || BTF_INFO_KIND(ptr->info) != BTF_KIND_PTR)
		goto bad;
	inner_id = btf_skip_mods(btf, ptr->type);
	inner = btf_type_by_id(btf, inner_id);
	if (!inner)
		goto bad;
	if (BTF_INFO_KIND(inner->info) == BTF_KIND_FUNC_PROTO)
		return 0;
	if (BTF_INFO_KIND(inner->info) != BTF_KIND_STRUCT)
		goto bad;
	if (d->inner) {
		pr_err("%s: map '%s': more than one 'values' field", c->o->path, d->name);
		return -EINVAL;
	}
	d->inner = calloc(1, sizeof(*d->inner));
	if (!d->inner)
		return -ENOMEM;
	d->inner->name = malloc(strlen(d->name) + sizeof(".inner"));
	if (!d->inner->name)
		return -ENOMEM;
	strcpy(d->inner->name, d->name);
	strcat(d->inner->name, ".inner");
	d->inner->sym = d->sym;
	d->inner->sec = d->sec;
	if (++*c->depth > MAX_INNER_DEPTH) {
		pr_err("%s: map '%s': inner maps nested too deeply", c->o->path, d->name);
		return -EINVAL;
	}
	err = parse_btf_struct(c, inner_id, d->inner, &dummy);
	--*c->depth;
	return err;
bad:
	pr_err("%s: map '%s': 'values' is not an array of pointers to a map or function",
	       c->o->path, d->name);
	return -EINVAL;
}

static int parse_member(const struct map_ctx *c, const struct btf_member *m, struct map_def *d)
{
	const struct btf *btf = c->o->btf;
	const char *name = btf_str(btf, m->name_off);
	uint32_t v = 0, id = 0;
	int err = 0;

	if (!name)
		name = "";
	if (!strcmp(name, "key") || !strcmp(name, "value")) {
		bool key = name[0] == 'k';

		err = member_type(btf, m, &id, &v);
		if (!err) {
			err = set_size(c, d, key ? "key_size" : "value_size",
				       key ? &d->key_size : &d->value_size, v);
			if (err)
				return err;
			*(key ? &d->btf_key_type_id : &d->btf_value_type_id) = id;
		}
	} else if (!strcmp(name, "values")) {
		return parse_values(c, m, d);
	} else {
		err = member_uint(btf, m, &v);
		if (err)
			goto bad;
		if (!strcmp(name, "type"))
			d->type = v;
		else if (!strcmp(name, "max_entries"))
			d->max_entries = v;
		else if (!strcmp(name, "map_flags"))
			d->map_flags = v;
		else if (!strcmp(name, "numa_node"))
			d->numa_node = v;
		else if (!strcmp(name, "map_extra"))
			d->map_extra = v;
		else if (!strcmp(name, "pinning"))
			d->pinning = v;
		else if (!strcmp(name, "key_size"))
			err = set_size(c, d, "key_size", &d->key_size, v);
		else if (!strcmp(name, "value_size"))
			err = set_size(c, d, "value_size", &d->value_size, v);
		else {
			pr_err("%s: map '%s': unknown field '%s'", c->o->path, d->name, name);
			return -ENOTSUP;
		}
		return err;
	}
	if (!err)
		return 0;
bad:
	pr_err("%s: map '%s': field '%s' is not a __uint() or __type() declaration",
	       c->o->path, d->name, name);
	return -EINVAL;
}

static int parse_btf_struct(const struct map_ctx *c, uint32_t struct_id, struct map_def *d,
			    uint32_t *values_off)
{
	const struct btf_type *t = btf_type_by_id(c->o->btf, struct_id);
	const struct btf_member *m;
	int err;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT) {
		pr_err("%s: map '%s': definition is not a struct", c->o->path, d->name);
		return -EINVAL;
	}
	m = (const struct btf_member *)(t + 1);
	*values_off = UINT32_MAX;
	for (uint16_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const char *n = btf_str(c->o->btf, m[i].name_off);

		if (n && !strcmp(n, "values"))
			*values_off = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) / 8
							      : m[i].offset / 8;
		err = parse_member(c, &m[i], d);
		if (err)
			return err;
	}
	return 0;
}

static int push_init(struct map_def *d, uint32_t index, uint32_t sym)
{
	struct map_init_slot *p = realloc(d->init, (d->nr_init + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	d->init = p;
	d->init[d->nr_init++] = (struct map_init_slot){ .index = index, .sym = sym };
	return 0;
}

/* Initial slots: relocations in .maps at values_off + 8 * i inside the map. */
static int collect_init(const struct map_ctx *c, struct map_def *d, uint32_t values_off)
{
	const struct obj_sec *s = &c->o->secs[d->sec];
	const struct obj_sym *sym = &c->o->syms[d->sym];
	uint64_t start = sym->value + values_off, end = sym->value + sym->size;

	for (size_t i = 0; i < s->nr_relocs; i++) {
		const struct obj_reloc *r = &s->relocs[i];
		uint64_t slot;
		int err;

		if (r->offset < sym->value || r->offset >= end)
			continue;
		if (values_off == UINT32_MAX || r->offset < start || (r->offset - start) % 8) {
			pr_err("%s: map '%s': relocation at offset 0x%llx is not in its 'values'",
			       c->o->path, d->name, (unsigned long long)r->offset);
			return -EINVAL;
		}
		slot = (r->offset - start) / 8;
		if (slot >= d->max_entries) {
			pr_err("%s: map '%s': initial value for slot %llu exceeds max_entries %u",
			       c->o->path, d->name, (unsigned long long)slot, d->max_entries);
			return -EINVAL;
		}
		err = push_init(d, (uint32_t)slot, r->sym);
		if (err)
			return err;
	}
	return 0;
}

/* The VAR in the .maps DATASEC named like the symbol, as its type id. */
static int64_t find_map_var(const struct map_ctx *c, const char *name)
{
	const struct btf *btf = c->o->btf;
	const struct btf_type *ds;
	const struct btf_var_secinfo *vi;

	if (!btf || c->datasec < 0)
		return -ENOENT;
	ds = btf_type_by_id(btf, (uint32_t)c->datasec);
	vi = (const struct btf_var_secinfo *)(ds + 1);
	for (uint16_t i = 0; i < BTF_INFO_VLEN(ds->info); i++) {
		const struct btf_type *v = btf_type_by_id(btf, vi[i].type);

		if (v && BTF_INFO_KIND(v->info) == BTF_KIND_VAR &&
		    !strcmp(btf_type_name(btf, vi[i].type), name))
			return v->type;
	}
	return -ENOENT;
}

/* The map's VAR through its place: two static maps of a linked object may
 * share a name. */
static int64_t map_var_type(const struct map_ctx *c, const struct map_def *d)
{
	int64_t id = obj_sym_btf_id(c->o, d->sym);
	const struct btf_type *v = id > 0 ? btf_type_by_id(c->o->btf, (uint32_t)id) : NULL;

	if (v && BTF_INFO_KIND(v->info) == BTF_KIND_VAR)
		return v->type;
	return find_map_var(c, d->name);
}

static int parse_btf_map(const struct map_ctx *c, struct map_def *d)
{
	int64_t type_id = map_var_type(c, d);
	uint32_t values_off;
	int err;

	if (type_id < 0) {
		pr_err("%s: map '%s': no BTF variable in DATASEC '.maps'", c->o->path, d->name);
		return -EINVAL;
	}
	err = parse_btf_struct(c, btf_skip_mods(c->o->btf, (uint32_t)type_id), d, &values_off);
	if (err || d->is_extern)
		return err;
	return collect_init(c, d, values_off);
}

static int parse_legacy_map(const struct map_ctx *c, struct map_def *d, uint64_t def_size)
{
	const struct obj_sec *s = &c->o->secs[d->sec];
	const struct obj_sym *sym = &c->o->syms[d->sym];
	const uint8_t *p;

	if (def_size < LEGACY_DEF_MIN || sym->value > s->size ||
	    def_size > s->size - sym->value || !s->data) {
		pr_err("%s: section 'maps': map '%s' at offset 0x%llx: definition of %llu bytes does not fit (need at least %u)",
		       c->o->path, d->name, (unsigned long long)sym->value,
		       (unsigned long long)def_size, LEGACY_DEF_MIN);
		return -EINVAL;
	}
	p = s->data + sym->value;
	d->type = obj_u32(c->o, p);
	d->key_size = obj_u32(c->o, p + 4);
	d->value_size = obj_u32(c->o, p + 8);
	d->max_entries = obj_u32(c->o, p + 12);
	d->map_flags = obj_u32(c->o, p + 16);
	return 0;
}

static bool is_map_sym(const struct map_ctx *c, const struct obj_sym *s, bool *is_extern)
{
	*is_extern = false;
	if (s->type == STT_SECTION || s->type == STT_FILE || !s->name[0])
		return false;
	if (s->sec != OBJ_SEC_UNDEF)
		return obj_sec_is_maps(c->o, s->sec);
	*is_extern = find_map_var(c, s->name) >= 0;
	return *is_extern;
}

static size_t legacy_count(const struct obj *o, uint32_t sec)
{
	size_t n = 0;

	for (size_t i = 1; i < o->nr_syms; i++)
		n += o->syms[i].sec == sec && o->syms[i].type != STT_SECTION &&
		     o->syms[i].name[0];
	return n;
}

int obj_map_defs(const struct obj *o, struct map_def **defs, size_t *nr)
{
	int depth = 0;
	struct map_ctx c = { .o = o, .maps_sec = obj_find_sec(o, ".maps"), .datasec = -1,
			     .depth = &depth };
	int legacy_sec = obj_find_sec(o, "maps");
	struct map_def *out = NULL;
	size_t n = 0, nr_legacy = legacy_sec > 0 ? legacy_count(o, (uint32_t)legacy_sec) : 0;
	int err = 0;

	if (o->btf)
		c.datasec = btf_find(o->btf, ".maps", BTF_KIND_DATASEC);
	if (c.maps_sec > 0 && c.datasec < 0) {
		pr_err("%s: section '.maps' needs BTF, but the object has no DATASEC '.maps'",
		       o->path);
		return -EINVAL;
	}
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];
		struct map_def *d, *p;
		bool ext;

		if (!is_map_sym(&c, s, &ext))
			continue;
		p = realloc(out, (n + 1) * sizeof(*out));
		if (!p) {
			err = -ENOMEM;
			break;
		}
		out = p;
		d = &out[n++];
		memset(d, 0, sizeof(*d));
		d->name = strdup(s->name);
		d->sym = (uint32_t)i;
		d->sec = ext ? (uint32_t)c.maps_sec : s->sec;
		d->is_extern = ext;
		d->legacy = legacy_sec > 0 && s->sec == (uint32_t)legacy_sec;
		if (!d->name) {
			err = -ENOMEM;
			break;
		}
		/* A linked "maps" may mix definition sizes (20 and 36 bytes):
		 * each symbol's size says; without one, they share the section. */
		if (d->legacy)
			err = parse_legacy_map(&c, d, s->size ? s->size
						: o->secs[legacy_sec].size / nr_legacy);
		else
			err = parse_btf_map(&c, d);
		if (err)
			break;
	}
	if (err) {
		map_defs_free(out, n);
		return err;
	}
	*defs = out;
	*nr = n;
	return 0;
}

int map_def_compat(const struct map_def *a, const struct map_def *b, const char **why)
{
#define DIFF(field) if (a->field != b->field) { *why = #field; return -EINVAL; }
	DIFF(type);
	DIFF(key_size);
	DIFF(value_size);
	DIFF(max_entries);
	DIFF(map_flags);
	DIFF(numa_node);
	DIFF(map_extra);
	DIFF(pinning);
#undef DIFF
	if (!a->inner != !b->inner) {
		*why = "inner map";
		return -EINVAL;
	}
	if (a->inner && map_def_compat(a->inner, b->inner, why)) {
		*why = "inner map";
		return -EINVAL;
	}
	*why = NULL;
	return 0;
}

const char *map_type_name(uint32_t type)
{
	static const char *const names[] = {
		"unspec", "hash", "array", "prog_array", "perf_event_array",
		"percpu_hash", "percpu_array", "stack_trace", "cgroup_array",
		"lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps",
		"hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash",
		"cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage",
		"queue", "stack", "sk_storage", "devmap_hash", "struct_ops",
		"ringbuf", "inode_storage", "task_storage", "bloom_filter",
		"user_ringbuf", "cgrp_storage", "arena",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}
