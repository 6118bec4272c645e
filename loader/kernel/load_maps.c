/* Maps: global data sections as single-entry arrays, every map definition
 * (BTF-defined and legacy, with inner map templates), reuse of compatible
 * pins, initial slots, and pinning once everything else succeeded. */
#include "load_internal.h"
#include "bpf_sys.h"
#include "base/log.h"
#include "kbtf.h"
#include "btf/btf.h"
#include "elf/obj.h"
#include "probe.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool load_sec_is_global_data(const char *name)
{
	static const char *const prefixes[] = { ".data", ".rodata", ".bss" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (!strncmp(name, prefixes[i], n) && (!name[n] || name[n] == '.'))
			return true;
	}
	return false;
}

static bool sec_is_rodata(const char *name)
{
	return !strncmp(name, ".rodata", 7) && (!name[7] || name[7] == '.');
}

static struct loaded_map *map_push(struct load_ctx *c, const char *name, struct load_map_src src)
{
	struct loaded_obj *lo = c->lo;
	struct loaded_map *m = realloc(lo->maps, (lo->nr_maps + 1) * sizeof(*m));
	struct load_map_src *s;

	if (!m)
		return NULL;
	lo->maps = m;
	s = realloc(c->src, (lo->nr_maps + 1) * sizeof(*s));
	if (!s)
		return NULL;
	c->src = s;
	m = &lo->maps[lo->nr_maps];
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->name = strdup(name);
	if (!m->name)
		return NULL;
	c->src[lo->nr_maps++] = src;
	return m;
}

/* The kernel name of a global data map: "<stem><section>" in at most 15
 * characters, the stem cut first (to at most 8).  The stem is the object
 * file's name up to its first dot (fw_acme.o's .rodata -> "fw_acme.rodata";
 * a link written with -o out.o is named after out.o).  A link that has no
 * name of its own carries its inputs' names joined by '+' ("a.o+b.o", see
 * link_opts.out_name); its data belongs to no single input, so its stem is
 * "xdpld": "xdpld.rodata", as for the pipeline's linked object. */
static void data_map_kname(const struct obj *o, const char *sec, char kname[BPF_OBJ_NAME_LEN])
{
	const char *base = strrchr(o->path, '/') ? strrchr(o->path, '/') + 1 : o->path;
	size_t stem = strcspn(base, ".");
	size_t room = strlen(sec) < 15 ? 15 - strlen(sec) : 0;
	char buf[64];

	if (strchr(base, '+')) {
		base = "xdpld";
		stem = strlen(base);
	}
	if (stem > room)
		stem = room;
	if (stem > 8)
		stem = 8;
	snprintf(buf, sizeof(buf), "%.*s%s", (int)stem, base, sec);
	sys_obj_name_copy(kname, buf);
}

static void map_fill_info(struct loaded_map *m)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (!sys_obj_info(m->fd, &info, &len))
		m->id = info.id;
}

/* Apply --set style overrides to a copy of .rodata. */
static int apply_rodata_overrides(struct load_ctx *c, uint32_t sec, uint8_t *buf)
{
	const struct load_opts *opts = c->opts;

	for (size_t i = 0; i < opts->nr_rodata; i++) {
		const struct load_rodata_override *ov = &opts->rodata[i];
		uint32_t off, size;

		if (load_btf_find_var(c, sec, ov->var, &off, &size))
			continue;
		if (size != ov->len || (uint64_t)off + size > c->o->secs[sec].size) {
			pr_err("%s: %s: variable %s is %u bytes, the new value has %zu",
			       c->o->path, c->o->secs[sec].name, ov->var, size, ov->len);
			return -EINVAL;
		}
		memcpy(buf + off, ov->val, size);
	}
	return 0;
}

static int check_overrides_found(struct load_ctx *c)
{
	for (size_t i = 0; i < c->opts->nr_rodata; i++) {
		const char *var = c->opts->rodata[i].var;
		uint32_t off, size;
		bool found = false;

		for (size_t s = 1; s < c->o->nr_secs && !found; s++)
			found = sec_is_rodata(c->o->secs[s].name) &&
				!load_btf_find_var(c, (uint32_t)s, var, &off, &size);
		if (!found) {
			pr_err("%s: no variable %s in .rodata", c->o->path, var);
			return -ENOENT;
		}
	}
	return 0;
}

static int create_data_map(struct load_ctx *c, uint32_t sec)
{
	const struct obj_sec *s = &c->o->secs[sec];
	bool ro = sec_is_rodata(s->name);
	struct load_map_src src = { .def = -1, .sec = (int)sec };
	struct sys_map_create_opts mo = { .map_ifindex = c->opts->offload_ifindex };
	struct loaded_map *m;
	uint8_t *buf = NULL;
	uint32_t zero = 0;
	int64_t ds;
	int err;

	if (s->size > UINT32_MAX / 2) {
		pr_err("%s: section %s is too large for a map (%llu bytes)", c->o->path, s->name,
		       (unsigned long long)s->size);
		return -E2BIG;
	}
	if (c->btf_loaded && probe_has(PROBE_BTF_DATASEC) &&
	    (ds = btf_find(c->btf, s->name, BTF_KIND_DATASEC)) > 0)
		src.btf_value_type_id = (uint32_t)ds;
	m = map_push(c, s->name, src);
	if (!m)
		return -ENOMEM;
	data_map_kname(c->o, s->name, m->kname);
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (uint32_t)s->size;
	m->max_entries = 1;
	m->map_flags = ro ? BPF_F_RDONLY_PROG : 0;
	if (src.btf_value_type_id) {
		mo.btf_fd = (uint32_t)c->lo->btf_fd;
		mo.btf_value_type_id = src.btf_value_type_id;
	}
	m->fd = sys_map_create(m->type, m->kname, 4, m->value_size, 1, m->map_flags, &mo);
	if (m->fd < 0 && mo.btf_fd) {
		pr_debug("%s: map %s: retrying without BTF", c->o->path, m->name);
		mo.btf_fd = mo.btf_value_type_id = 0;
		m->fd = sys_map_create(m->type, m->kname, 4, m->value_size, 1, m->map_flags, &mo);
	}
	if (m->fd < 0) {
		err = m->fd;
		pr_err("%s: cannot create the map for section %s: %s", c->o->path, s->name, strerror(-err));
		return err;
	}
	buf = calloc(1, m->value_size);
	if (!buf)
		return -ENOMEM;
	if (s->data)
		memcpy(buf, s->data, s->size);
	err = ro ? apply_rodata_overrides(c, sec, buf) : 0;
	if (!err)
		err = sys_map_update(m->fd, &zero, buf, BPF_ANY);
	free(buf);
	if (!err && ro)
		err = sys_map_freeze(m->fd);
	if (err) {
		pr_err("%s: cannot set the initial contents of %s: %s", c->o->path, s->name, strerror(-err));
		return err;
	}
	map_fill_info(m);
	return 0;
}

/* __kconfig externs' values (load_extern.c): a read-only, frozen array of
 * one element, as libbpf's ".kconfig" map. */
static int create_kconfig_map(struct load_ctx *c)
{
	struct load_map_src src = { .def = -1, .sec = -1 };
	struct sys_map_create_opts mo = { .map_ifindex = c->opts->offload_ifindex };
	struct loaded_map *m;
	uint32_t zero = 0;
	int64_t ds;
	int err;

	if (c->btf_loaded && probe_has(PROBE_BTF_DATASEC) &&
	    (ds = btf_find(c->btf, ".kconfig", BTF_KIND_DATASEC)) > 0)
		src.btf_value_type_id = (uint32_t)ds;
	m = map_push(c, ".kconfig", src);
	if (!m)
		return -ENOMEM;
	data_map_kname(c->o, ".kconfig", m->kname);
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = c->kconfig_size;
	m->max_entries = 1;
	m->map_flags = BPF_F_RDONLY_PROG;
	if (src.btf_value_type_id) {
		mo.btf_fd = (uint32_t)c->lo->btf_fd;
		mo.btf_value_type_id = src.btf_value_type_id;
	}
	m->fd = sys_map_create(m->type, m->kname, 4, m->value_size, 1, m->map_flags, &mo);
	if (m->fd < 0 && mo.btf_fd) {
		mo.btf_fd = mo.btf_value_type_id = 0;
		m->fd = sys_map_create(m->type, m->kname, 4, m->value_size, 1, m->map_flags, &mo);
	}
	err = m->fd < 0 ? m->fd : sys_map_update(m->fd, &zero, c->kconfig_data, BPF_ANY);
	if (!err)
		err = sys_map_freeze(m->fd);
	if (err) {
		pr_err("%s: cannot create the .kconfig map of the __kconfig externs: %s", c->o->path,
		       strerror(-err));
		return err;
	}
	map_fill_info(m);
	return 0;
}

int load_map_for_kconfig(const struct load_ctx *c)
{
	for (size_t i = 0; i < c->lo->nr_maps; i++)
		if (c->src[i].def < 0 && c->src[i].sec < 0 && !strcmp(c->lo->maps[i].name, ".kconfig"))
			return (int)i;
	return -ENOENT;
}

static bool map_type_takes_btf(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY: case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	}
	return false;
}

static uint32_t def_flags(const struct map_def *d)
{
	/* The kernel only accepts LPM tries without preallocation. */
	return d->type == BPF_MAP_TYPE_LPM_TRIE ? d->map_flags | BPF_F_NO_PREALLOC : d->map_flags;
}

/* The flags the kernel reports for a map created from d: it adds
 * BPF_F_RDONLY_PROG to every devmap itself (and refuses it at creation). */
static uint32_t def_flags_reported(const struct map_def *d)
{
	bool devmap = d->type == BPF_MAP_TYPE_DEVMAP || d->type == BPF_MAP_TYPE_DEVMAP_HASH;

	return devmap ? def_flags(d) | BPF_F_RDONLY_PROG : def_flags(d);
}

/* Outer maps and prog arrays hold fds: __array() leaves value_size open. */
static uint32_t def_value_size(const struct map_def *d)
{
	bool holds_fds = d->type == BPF_MAP_TYPE_PROG_ARRAY || d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
			 d->type == BPF_MAP_TYPE_HASH_OF_MAPS;

	return holds_fds && !d->value_size ? 4 : d->value_size;
}

static int create_from_def(struct load_ctx *c, const struct map_def *d, const char *kname, int inner_fd)
{
	struct sys_map_create_opts mo = { .map_extra = d->map_extra, .numa_node = d->numa_node,
					  .map_ifindex = c->opts->offload_ifindex };
	int fd;

	if (inner_fd >= 0)
		mo.inner_map_fd = (uint32_t)inner_fd;
	if (c->btf_loaded && map_type_takes_btf(d->type) && d->btf_value_type_id) {
		mo.btf_fd = (uint32_t)c->lo->btf_fd;
		mo.btf_key_type_id = d->btf_key_type_id;
		mo.btf_value_type_id = d->btf_value_type_id;
	}
	fd = sys_map_create(d->type, kname, d->key_size, def_value_size(d), d->max_entries,
			    def_flags(d), &mo);
	if (fd < 0 && mo.btf_fd) {
		pr_debug("%s: map %s: retrying without BTF", c->o->path, d->name);
		mo.btf_fd = mo.btf_key_type_id = mo.btf_value_type_id = 0;
		fd = sys_map_create(d->type, kname, d->key_size, def_value_size(d), d->max_entries,
				    def_flags(d), &mo);
	}
	return fd;
}

/* BPF_OBJ_GET_INFO_BY_FD answers for programs, links and BTF too (a
 * program's info read as a map's): the object is a map only if the kernel has a
 * map with that id and that map's info is the same.  A program whose id is
 * also a map's would need its tag bytes to equal that map's key and value
 * sizes as well. */
static int info_is_map(const struct bpf_map_info *info)
{
	struct bpf_map_info again;
	uint32_t len = sizeof(again);
	int by_id = sys_map_fd_by_id(info->id), err;

	if (by_id == -ENOENT)
		return -ENOTSUP;
	if (by_id < 0)
		return by_id;
	memset(&again, 0, sizeof(again));
	err = sys_obj_info(by_id, &again, &len);
	close(by_id);
	if (err)
		return err;
	if (again.id != info->id || again.type != info->type ||
	    again.key_size != info->key_size || again.value_size != info->value_size ||
	    again.max_entries != info->max_entries || again.map_flags != info->map_flags ||
	    memcmp(again.name, info->name, sizeof(again.name)))
		return -ENOTSUP;
	return 0;
}

int load_map_check_reuse(const struct map_def *d, int fd, struct load_map_mismatch *mm,
			 uint32_t *id)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	memset(mm, 0, sizeof(*mm));
	err = sys_obj_info(fd, &info, &len);
	if (err)
		return err == -EINVAL ? -ENOTSUP : err;	/* -EINVAL: fd is no BPF object */
	err = info_is_map(&info);
	if (err)
		return err;
#define CMP(f, a, b) if (!mm->field && (a) != (b)) { mm->field = f; mm->have = (a); mm->want = (b); }
	CMP("type", info.type, d->type);
	CMP("key_size", info.key_size, d->key_size);
	CMP("value_size", info.value_size, def_value_size(d));
	CMP("max_entries", info.max_entries, d->max_entries);
	CMP("map_flags", info.map_flags, def_flags_reported(d));
#undef CMP
	if (mm->field)
		return -EINVAL;
	if (id)
		*id = info.id;
	return 0;
}

/* Key or value half: nothing to compare when either side has no type. */
static bool btf_side_equal(const struct btf *kb, uint32_t kid, const struct btf *ob, uint32_t oid,
			   const char *what, char *why, size_t len)
{
	char reason[256];

	if (!kid || !oid)
		return true;
	if (btf_types_equal(kb, btf_skip_mods(kb, kid), ob, btf_skip_mods(ob, oid), reason,
			    sizeof(reason)))
		return true;
	if (why && len)
		snprintf(why, len, "%s type: %s", what, reason);
	return false;
}

int load_map_check_btf(const struct obj *o, const struct map_def *d, int map_fd,
		       char *why, size_t len)
{
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info);
	struct btf *kb = NULL;
	int btf_fd, err;

	if (why && len)
		*why = 0;
	memset(&info, 0, sizeof(info));
	err = sys_obj_info(map_fd, &info, &ilen);
	if (err)
		return err == -EINVAL ? -ENOTSUP : err;	/* -EINVAL: fd is no BPF object */
	err = info_is_map(&info);
	if (err)
		return err;
	if (!o->btf || !info.btf_id ||
	    !((info.btf_key_type_id && d->btf_key_type_id) ||
	      (info.btf_value_type_id && d->btf_value_type_id)))
		return 0;
	btf_fd = sys_btf_fd_by_id(info.btf_id);
	if (btf_fd < 0)
		return btf_fd;
	err = kbtf_read(btf_fd, &kb);
	close(btf_fd);
	if (err)
		return err;
	if (!btf_side_equal(kb, info.btf_key_type_id, o->btf, d->btf_key_type_id, "key", why, len) ||
	    !btf_side_equal(kb, info.btf_value_type_id, o->btf, d->btf_value_type_id, "value", why, len))
		err = -EINVAL;
	btf_free(kb);
	return err;
}

/* Use the map the caller passed in load_opts.reuse for d; -ENOENT if none. */
static int reuse_given(struct load_ctx *c, const struct map_def *d, struct loaded_map *m)
{
	struct load_map_mismatch mm;
	const struct load_map_reuse *r = NULL;
	int err;

	for (size_t i = 0; !r && i < c->opts->nr_reuse; i++)
		if (c->opts->reuse[i].name && !strcmp(c->opts->reuse[i].name, d->name))
			r = &c->opts->reuse[i];
	if (!r)
		return -ENOENT;
	err = load_map_check_reuse(d, r->fd, &mm, &m->id);
	if (err == -EINVAL) {
		pr_err("%s: map %s: the map to reuse is incompatible: %s differs (existing %u, object %u)",
		       c->o->path, d->name, mm.field, mm.have, mm.want);
		return err;
	}
	if (err) {
		pr_err("%s: map %s: the map to reuse is not a map: %s", c->o->path, d->name, strerror(-err));
		return err;
	}
	m->fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
	if (m->fd < 0)
		return -errno;
	m->reused = true;
	pr_debug("%s: map %s: reusing the given map (id %u)", c->o->path, d->name, m->id);
	return 0;
}

/* Reuse a pinned map when it matches; -ENOENT when nothing is pinned. */
static int reuse_pin(struct load_ctx *c, const struct map_def *d, struct loaded_map *m, const char *path)
{
	struct load_map_mismatch mm;
	int fd = sys_obj_get(path), err;

	if (fd == -ENOENT)
		return -ENOENT;
	if (fd < 0) {
		pr_err("%s: map %s: cannot open pin %s: %s", c->o->path, d->name, path, strerror(-fd));
		return fd;
	}
	err = load_map_check_reuse(d, fd, &mm, &m->id);
	if (err == -EINVAL) {
		pr_err("%s: map %s: pinned map %s is incompatible: %s differs (pinned %u, object %u)",
		       c->o->path, d->name, path, mm.field, mm.have, mm.want);
		close(fd);
		return -EINVAL;
	}
	if (err) {
		pr_err("%s: map %s: %s is not a map: %s", c->o->path, d->name, path, strerror(-err));
		close(fd);
		return err == -ENOTSUP ? -EINVAL : err;
	}
	m->fd = fd;
	m->reused_pin = true;
	pr_debug("%s: map %s: reusing pin %s (id %u)", c->o->path, d->name, path, m->id);
	return 0;
}

static int create_def_map(struct load_ctx *c, size_t i)
{
	const struct map_def *d = &c->defs[i];
	struct load_map_src src = { .def = (int)i, .sec = -1 };
	struct loaded_map *m;
	char path[4096];
	int inner_fd = -1, err;

	if (d->is_extern) {
		pr_err("%s: map %s is declared but not defined (extern)", c->o->path, d->name);
		return -ENOENT;
	}
	m = map_push(c, d->name, src);
	if (!m)
		return -ENOMEM;
	sys_obj_name_copy(m->kname, d->name);
	m->type = d->type;
	m->key_size = d->key_size;
	m->value_size = def_value_size(d);
	m->max_entries = d->max_entries;
	m->map_flags = def_flags(d);
	if (d->pinning > 1) {
		pr_err("%s: map %s: unknown pinning type %u", c->o->path, d->name, d->pinning);
		return -EINVAL;
	}
	/* The name comes from the object: it must not leave pin_root. */
	if (d->pinning && !c->opts->no_pin && strchr(d->name, '/')) {
		pr_err("%s: map %s: a pinned map's name cannot contain '/'", c->o->path, d->name);
		return -EINVAL;
	}
	if (d->pinning && !c->opts->no_pin) {
		if (snprintf(path, sizeof(path), "%s/%s", c->pin_root, d->name) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		m->pin_path = strdup(path);	/* new pins: once everything loaded */
		if (!m->pin_path)
			return -ENOMEM;
		err = reuse_pin(c, d, m, path);
		if (err != -ENOENT)
			return err;
	}
	err = reuse_given(c, d, m);
	if (err != -ENOENT)
		return err;
	if (d->inner) {
		char iname[BPF_OBJ_NAME_LEN];

		sys_obj_name_copy(iname, d->inner->name ? d->inner->name : d->name);
		inner_fd = create_from_def(c, d->inner, iname, -1);
		if (inner_fd < 0) {
			pr_err("%s: map %s: cannot create its inner map template (%s, key %u, value %u): %s",
			       c->o->path, d->name, map_type_name(d->inner->type),
			       d->inner->key_size, d->inner->value_size, strerror(-inner_fd));
			return inner_fd;
		}
	}
	m->fd = create_from_def(c, d, m->kname, inner_fd);
	if (inner_fd >= 0)
		close(inner_fd);
	if (m->fd < 0) {
		err = m->fd;
		pr_err("%s: cannot create map %s (%s, key %u, value %u, max_entries %u, flags 0x%x): %s",
		       c->o->path, d->name, map_type_name(d->type), d->key_size, def_value_size(d),
		       d->max_entries, def_flags(d), strerror(-err));
		return err;
	}
	map_fill_info(m);
	return 0;
}

int load_maps_create(struct load_ctx *c)
{
	int err = check_overrides_found(c);

	for (size_t s = 1; !err && s < c->o->nr_secs; s++) {
		const struct obj_sec *sec = &c->o->secs[s];

		if ((sec->flags & SHF_ALLOC) && !(sec->flags & SHF_EXECINSTR) && sec->size &&
		    load_sec_is_global_data(sec->name))
			err = create_data_map(c, (uint32_t)s);
	}
	if (!err && c->kconfig_size)
		err = create_kconfig_map(c);
	for (size_t i = 0; !err && i < c->nr_defs; i++)
		err = create_def_map(c, i);
	return err;
}

/* The map defined by exactly symbol sym; failing that (sym is a name from
 * elsewhere) the map of that name, only when a single map has it: a linked
 * object may hold two static maps of one name. */
int load_map_for_def_sym(const struct load_ctx *c, uint32_t sym)
{
	const struct obj_sym *s;
	int by_name = -ENOENT;

	if (sym >= c->o->nr_syms)
		return -ENOENT;
	s = &c->o->syms[sym];
	for (size_t i = 0; i < c->lo->nr_maps; i++)
		if (c->src[i].def >= 0 && c->defs[c->src[i].def].sym == sym)
			return (int)i;
	if (s->type == STT_SECTION || !s->name[0])
		return -ENOENT;
	for (size_t i = 0; i < c->lo->nr_maps; i++) {
		if (c->src[i].def < 0 || strcmp(c->defs[c->src[i].def].name, s->name))
			continue;
		if (by_name >= 0)
			return -ENOENT;	/* ambiguous */
		by_name = (int)i;
	}
	return by_name;
}

int load_map_for_data_sec(const struct load_ctx *c, uint32_t sec)
{
	for (size_t i = 0; i < c->lo->nr_maps; i++)
		if (c->src[i].sec == (int)sec)
			return (int)i;
	return -ENOENT;
}

/* Where initial slot k of d points: (section, offset).  A named symbol
 * gives its own place; clang refers to statics through the section symbol,
 * with the offset stored in the slot itself.  mapdef.c records the slots
 * in the order of d's relocations, so slot k is d's k-th relocation. */
static int slot_target_place(const struct load_ctx *c, const struct map_def *d, size_t k,
			     uint32_t *sec, uint64_t *off)
{
	const struct obj *o = c->o;
	const struct obj_sym *s = &o->syms[d->init[k].sym];
	const struct obj_sym *ms = &o->syms[d->sym];
	const struct obj_sec *maps = &o->secs[d->sec];
	size_t seen = 0;

	*sec = s->sec;
	*off = s->value;
	if (s->type != STT_SECTION)
		return 0;
	for (size_t r = 0; r < maps->nr_relocs; r++) {
		const struct obj_reloc *rel = &maps->relocs[r];

		if (rel->offset < ms->value || rel->offset - ms->value >= ms->size || seen++ != k)
			continue;
		if (!maps->data || maps->size < 8 || rel->offset > maps->size - 8 || rel->sym != d->init[k].sym)
			return -EINVAL;
		*off = obj_u64(o, maps->data + rel->offset);
		return 0;
	}
	return -EINVAL;
}

/* The symbol of kind `kind` ("program", "map") at (sec, off), or -ENOENT. */
static int sym_at(const struct obj *o, uint32_t sec, uint64_t off, const char *kind)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec == sec && s->value == off && s->type != STT_SECTION &&
		    !strcmp(obj_sym_kind(o, s), kind))
			return (int)i;
	}
	return -ENOENT;
}

/* The loaded program whose entry is symbol sym: load_progs loads one per
 * "program" symbol, in symbol order, so count those before it. */
static int prog_fd_of_sym(const struct load_ctx *c, uint32_t sym)
{
	const struct obj *o = c->o;
	size_t n = 0;

	for (uint32_t i = 1; i < sym; i++)
		n += !strcmp(obj_sym_kind(o, &o->syms[i]), "program");
	if (n >= c->lo->nr_progs || strcmp(c->lo->progs[n].name, o->syms[sym].name))
		return -ENOENT;
	return c->lo->progs[n].fd;
}

/* The fd to place in slot k of d; *what and *name describe it for messages. */
static int slot_target_fd(struct load_ctx *c, const struct map_def *d, size_t k, const char **what,
			  const char **name)
{
	const struct map_init_slot *slot = &d->init[k];
	bool progs = d->type == BPF_MAP_TYPE_PROG_ARRAY;
	uint32_t sec;
	uint64_t off;
	int sym = -ENOENT, fd = -ENOENT;

	*what = progs ? "program" : "map";
	*name = slot->sym < c->o->nr_syms && c->o->syms[slot->sym].name[0] ?
		c->o->syms[slot->sym].name : "(unnamed)";
	if (slot->sym < c->o->nr_syms && !slot_target_place(c, d, k, &sec, &off))
		sym = sym_at(c->o, sec, off, *what);
	if (sym >= 0) {
		*name = c->o->syms[sym].name;
		if (progs) {
			fd = prog_fd_of_sym(c, (uint32_t)sym);
		} else {
			fd = load_map_for_def_sym(c, (uint32_t)sym);
			fd = fd < 0 ? fd : c->lo->maps[fd].fd;
		}
	}
	if (fd < 0)
		pr_err("%s: map %s slot %u: %s %s was not loaded", c->o->path, d->name,
		       slot->index, *what, *name);
	return fd;
}

int load_maps_fill_slots(struct load_ctx *c)
{
	for (size_t i = 0; i < c->lo->nr_maps; i++) {
		const struct map_def *d;

		if (c->src[i].def < 0)
			continue;
		d = &c->defs[c->src[i].def];
		/* A map this load did not create belongs to a running datapath
		 * (a pin, a map kept across attaches): never rewrite its slots. */
		if (c->lo->maps[i].reused_pin || c->lo->maps[i].reused)
			continue;
		for (size_t k = 0; k < d->nr_init; k++) {
			const char *what, *name;
			int fd = slot_target_fd(c, d, k, &what, &name), err;
			uint32_t val = (uint32_t)fd;

			if (fd < 0)
				return fd;
			err = sys_map_update(c->lo->maps[i].fd, &d->init[k].index, &val, BPF_ANY);
			if (err) {
				pr_err("%s: map %s: cannot set slot %u to %s %s: %s", c->o->path, d->name,
				       d->init[k].index, what, name, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

int load_maps_pin(struct load_ctx *c)
{
	size_t i;
	int err = 0;

	for (i = 0; i < c->lo->nr_maps; i++) {
		struct loaded_map *m = &c->lo->maps[i];

		if (!m->pin_path || m->reused_pin || c->opts->no_new_pins)
			continue;
		err = sys_obj_pin(m->fd, m->pin_path);
		if (err) {
			pr_err("%s: map %s: cannot pin at %s: %s", c->o->path, m->name, m->pin_path,
			       strerror(-err));
			break;
		}
	}
	if (!err)
		return 0;
	/* Undo this load's pins so that a failure leaves nothing behind. */
	while (i-- > 0) {
		struct loaded_map *m = &c->lo->maps[i];

		if (m->pin_path && !m->reused_pin && !c->opts->no_new_pins)
			unlink(m->pin_path);
	}
	return err;
}
