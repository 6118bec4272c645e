/* The object's BTF as the kernel will see it: a copy of o->btf with
 * DATASEC sizes and VAR offsets filled in (obj_fixup_btf), hidden globals made
 * static, and every kind the running kernel does not know rewritten into an
 * older kind of the same size (type ids never move, so func_info and map
 * type ids stay valid). */
#include "load_internal.h"
#include "bpf_sys.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/obj.h"
#include "probe.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INFO_ENC(kind, kflag, vlen) \
	((uint32_t)(kflag) << 31 | (uint32_t)(kind) << 24 | (uint32_t)(vlen))
#define INT_ENC(enc, off, bits) ((uint32_t)(enc) << 24 | (uint32_t)(off) << 16 | (uint32_t)(bits))

static int btf_copy(const struct btf *src, const char *what, struct btf **out)
{
	void *data;
	size_t size;
	int err = btf_serialize(src, btf_byte_order(src), &data, &size);

	if (err)
		return err;
	err = btf_parse(data, size, what, out);
	free(data);
	return err;
}

/* The symbol named name defined in section sec, or NULL. */
static const struct obj_sym *sym_in_sec(const struct obj *o, uint32_t sec, const char *name)
{
	for (size_t i = 1; i < o->nr_syms; i++)
		if (o->syms[i].sec == sec && o->syms[i].type != STT_SECTION &&
		    !strcmp(o->syms[i].name, name))
			return &o->syms[i];
	return NULL;
}

static bool sym_is_hidden_global(const struct obj_sym *s)
{
	return s && s->bind != STB_LOCAL && s->vis == STV_HIDDEN;
}

/* Hidden globals are private to the object: their VARs become static. */
static void fixup_hidden_vars(struct load_ctx *c, struct btf_type *t)
{
	const char *name = btf_str(c->btf, t->name_off);
	const struct btf_var_secinfo *vsi = (const struct btf_var_secinfo *)(t + 1);
	int sec = name ? obj_find_sec(c->o, name) : -ENOENT;

	for (uint32_t i = 0; sec > 0 && i < BTF_INFO_VLEN(t->info); i++) {
		struct btf_type *var = btf_type_mut(c->btf, vsi[i].type);
		struct btf_var *v = (struct btf_var *)(var + 1);

		if (var && BTF_INFO_KIND(var->info) == BTF_KIND_VAR &&
		    v->linkage == BTF_VAR_GLOBAL_ALLOCATED &&
		    sym_is_hidden_global(sym_in_sec(c->o, (uint32_t)sec, btf_type_name(c->btf, vsi[i].type))))
			v->linkage = BTF_VAR_STATIC;
	}
}

/* Global functions are verified on their own; hidden ones must behave like
 * static ones (as with libbpf), so their FUNC linkage becomes static. */
static void fixup_hidden_func(struct load_ctx *c, struct btf_type *t)
{
	const char *name = btf_str(c->btf, t->name_off);
	int sym = name ? obj_find_sym(c->o, name) : -ENOENT;

	if (sym > 0 && c->o->syms[sym].type == STT_FUNC &&
	    sym_is_hidden_global(&c->o->syms[sym]) && BTF_INFO_VLEN(t->info) == BTF_FUNC_GLOBAL)
		t->info = INFO_ENC(BTF_KIND_FUNC, 0, BTF_FUNC_STATIC);
}

static int set_int(struct btf *b, uint32_t id, uint32_t name_off, uint32_t size)
{
	struct btf_type t = { .name_off = name_off, .info = INFO_ENC(BTF_KIND_INT, 0, 0), .size = size };
	uint32_t enc = INT_ENC(0, 0, size * 8);

	return btf_set_type(b, id, &t, &enc, sizeof(enc));
}

static int set_empty(struct btf *b, uint32_t id, int kind, uint32_t name_off, uint32_t size)
{
	struct btf_type t = { .name_off = name_off, .info = INFO_ENC(kind, 0, 0), .size = size };

	return btf_set_type(b, id, &t, NULL, 0);
}

/* A tag whose target was rewritten (a VAR or FUNC turned into an INT or
 * TYPEDEF) would be refused: such tags go too. */
static bool decl_tag_target_ok(const struct btf *b, uint32_t target)
{
	const struct btf_type *t = btf_type_by_id(b, target);

	switch (t ? BTF_INFO_KIND(t->info) : 0) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_VAR:
	case BTF_KIND_FUNC: case BTF_KIND_TYPEDEF:
		return !(BTF_INFO_KIND(t->info) == BTF_KIND_TYPEDEF && !probe_has(PROBE_BTF_FUNC));
	}
	return false;
}

/* Rewrite one type for what the kernel lacks.  Names that would be invalid
 * for the new kind (".data", tag strings) are dropped. */
static int rewrite_type(struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(b, id);
	struct btf_type nt = *t;

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_FUNC_PROTO:
		if (!probe_has(PROBE_BTF_FUNC))
			return set_int(b, id, 0, 4);
		break;
	case BTF_KIND_FUNC:
		if (!probe_has(PROBE_BTF_FUNC)) {
			nt.info = INFO_ENC(BTF_KIND_TYPEDEF, 0, 0);
			return btf_set_type(b, id, &nt, NULL, 0);
		}
		/* A global function is verified on its own, and one taking the
		 * context (struct xdp_md *) only verifies when the kernel has its
		 * own BTF: stock OpenWrt kernels do not, so there every function
		 * is verified in its caller's context, as a static one. */
		if (BTF_INFO_VLEN(t->info) == BTF_FUNC_GLOBAL &&
		    (!probe_has(PROBE_BTF_GLOBAL_FUNC) || !probe_has(PROBE_VMLINUX_BTF)))
			btf_type_mut(b, id)->info = INFO_ENC(BTF_KIND_FUNC, 0, BTF_FUNC_STATIC);
		break;
	case BTF_KIND_VAR:
		if (!probe_has(PROBE_BTF_DATASEC))
			return set_int(b, id, t->name_off, 1);
		break;
	case BTF_KIND_DATASEC:
		if (!probe_has(PROBE_BTF_DATASEC))
			return set_empty(b, id, BTF_KIND_STRUCT, 0, t->size);
		break;
	case BTF_KIND_FLOAT:
		if (!probe_has(PROBE_BTF_FLOAT))
			return set_empty(b, id, BTF_KIND_STRUCT, t->name_off, t->size);
		break;
	case BTF_KIND_DECL_TAG:
		if (!probe_has(PROBE_BTF_DECL_TAG) || !decl_tag_target_ok(b, t->type))
			return set_int(b, id, 0, 1);
		break;
	case BTF_KIND_TYPE_TAG:
		if (!probe_has(PROBE_BTF_TYPE_TAG)) {
			nt.name_off = 0;
			nt.info = INFO_ENC(BTF_KIND_CONST, 0, 0);
			return btf_set_type(b, id, &nt, NULL, 0);
		}
		break;
	case BTF_KIND_ENUM64:
		if (!probe_has(PROBE_BTF_ENUM64))
			return set_empty(b, id, BTF_KIND_UNION, t->name_off, t->size);
		break;
	}
	return 0;
}

static int fixup_and_rewrite(struct load_ctx *c)
{
	uint32_t n = btf_nr_types(c->btf), rewritten = 0;
	int err;

	for (uint32_t id = 1; id < n; id++) {
		struct btf_type *t = btf_type_mut(c->btf, id);

		if (BTF_INFO_KIND(t->info) == BTF_KIND_DATASEC)
			fixup_hidden_vars(c, t);
		else if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC) {
			fixup_hidden_func(c, t);
		}
	}
	/* Two passes: DECL_TAGs are judged by their targets' final kinds. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t id = 1; id < n; id++) {
			const struct btf_type *t = btf_type_by_id(c->btf, id);
			uint32_t before = t->info;

			if ((BTF_INFO_KIND(t->info) == BTF_KIND_DECL_TAG) != (pass == 1))
				continue;
			err = rewrite_type(c->btf, id);
			if (err)
				return err;
			rewritten += btf_type_by_id(c->btf, id)->info != before;
		}
	}
	if (rewritten)
		pr_debug("%s: rewrote %u BTF types for this kernel", c->o->path, rewritten);
	return 0;
}

/* BPF_BTF_LOAD; on failure fetch the kernel's log and show its tail: an
 * error, or with opts.btf_optional a warning (the object loads without BTF). */
static int btf_load_logged(struct load_ctx *c, const void *data, size_t size)
{
	bool opt = c->opts->btf_optional;
	enum log_level lvl = opt ? LOG_LVL_WARN : LOG_LVL_ERR;
	uint32_t log_size = 1u << 16;
	char *log = NULL;
	int fd = sys_btf_load(data, (uint32_t)size, NULL, 0, 0);

	if (fd >= 0)
		return fd;
	for (; log_size <= (1u << 24); log_size <<= 2) {
		char *nl = realloc(log, log_size);
		int fd2;

		if (!nl)
			break;
		log = nl;
		log[0] = '\0';
		fd2 = sys_btf_load(data, (uint32_t)size, log, log_size, 1);
		if (fd2 >= 0) {
			close(fd2);
			break;
		}
		if (fd2 != -ENOSPC)
			break;
	}
	log_msg(lvl, "%s: the kernel refused the object's BTF (%s)%s", c->o->path,
		strerror(-fd), opt ? "; loading WITHOUT BTF, as asked" : "");
	if (log)
		load_log_tail(lvl, ".BTF", log);
	free(log);
	return fd;
}

int load_btf_prepare(struct load_ctx *c)
{
	void *data = NULL;
	size_t size;
	char what[512];
	int err, fd;

	c->lo->btf_fd = -1;
	if (!c->o->btf)
		return 0;
	err = obj_fixup_btf(c->o);	/* DATASEC sizes, VAR offsets */
	if (err)
		return err;
	snprintf(what, sizeof(what), "%s: .BTF", c->o->path);
	err = btf_copy(c->o->btf, what, &c->btf);
	if (err)
		return err;
	err = load_externs_fixup_btf(c);
	if (!err)
		err = fixup_and_rewrite(c);
	if (err)
		return err;
	if (c->opts->no_btf || !probe_has(PROBE_BTF))
		return 0;
	err = btf_serialize(c->btf, __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB, &data, &size);
	if (err)
		return err;
	if (size > UINT32_MAX) {
		free(data);
		return -E2BIG;
	}
	fd = btf_load_logged(c, data, size);
	free(data);
	if (fd < 0)
		return c->opts->btf_optional ? 0 : fd;
	c->lo->btf_fd = fd;
	c->btf_loaded = true;
	c->func_info_ok = probe_has(PROBE_BTF_FUNC) && c->o->btf_ext;
	return 0;
}

int load_btf_find_var(const struct load_ctx *c, uint32_t sec, const char *var,
		      uint32_t *off, uint32_t *size)
{
	const struct obj_sym *s = sym_in_sec(c->o, sec, var);
	int64_t ds = c->btf && probe_has(PROBE_BTF_DATASEC) ?
		btf_find(c->btf, c->o->secs[sec].name, BTF_KIND_DATASEC) : -ENOENT;

	if (ds > 0) {
		const struct btf_type *t = btf_type_by_id(c->btf, (uint32_t)ds);
		const struct btf_var_secinfo *vsi = (const void *)(t + 1);

		for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
			if (strcmp(btf_type_name(c->btf, vsi[i].type), var))
				continue;
			*off = vsi[i].offset;
			*size = vsi[i].size;
			return 0;
		}
		return -ENOENT;
	}
	if (!s || s->size > UINT32_MAX)
		return -ENOENT;
	*off = (uint32_t)s->value;
	*size = (uint32_t)s->size;
	return 0;
}
