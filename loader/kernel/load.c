/* The loader's driver: BTF, then maps, then programs, then initial slots,
 * then pins; on any error everything created so far is released. */
#include "load_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_license(struct load_ctx *c)
{
	int sec = obj_find_sec(c->o, "license");
	const struct obj_sec *s;

	c->license = "";
	if (sec < 0)
		return 0;
	s = &c->o->secs[sec];
	if (!s->data || !s->size || !memchr(s->data, '\0', s->size)) {
		pr_err("%s: section license is not a NUL-terminated string", c->o->path);
		return -EINVAL;
	}
	c->license = (const char *)s->data;
	return 0;
}

static int check_byte_order(const struct obj *o)
{
	int host = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;

	if (o->byte_order == host)
		return 0;
	pr_err("%s: object is %s-endian but this machine is %s-endian", o->path,
	       o->byte_order == ELFDATA2MSB ? "big" : "little", host == ELFDATA2MSB ? "big" : "little");
	return -EINVAL;
}

static bool sec_is_rodata(const char *n)
{
	return !strncmp(n, ".rodata", 7) && (!n[7] || n[7] == '.');
}

/* .rodata overrides as whole variables, for the stage that fills .rodata
 * (load_maps.c), which takes whole variables only. */
struct rodata_whole {
	struct load_opts opts;	/* a copy of the caller's, with ov */
	struct load_rodata_override *ov;
	uint8_t **vals;		/* parallel to ov: owned values, NULL: the caller's */
	size_t nr;
};

/* Every variable with overrides (of members, load_rodata_override.off)
 * gets one override of the whole variable: its initial bytes from the first
 * .rodata* section holding it, with each override applied in order.
 * Overrides of unknown variables pass through (load_maps.c names them). */
static int rodata_whole_vars(struct load_ctx *c, struct rodata_whole *w)
{
	const struct load_opts *in = c->opts;

	if (!in->nr_rodata)
		return 0;
	w->ov = calloc(in->nr_rodata, sizeof(*w->ov));
	w->vals = calloc(in->nr_rodata, sizeof(*w->vals));
	if (!w->ov || !w->vals)
		return -ENOMEM;
	for (size_t i = 0; i < in->nr_rodata; i++) {
		const struct load_rodata_override *ov = &in->rodata[i];
		const struct obj_sec *s = NULL;
		uint32_t off = 0, size = 0;
		size_t j;

		for (size_t k = 1; k < c->o->nr_secs && !s; k++)
			if (sec_is_rodata(c->o->secs[k].name) &&
			    !load_btf_find_var(c, (uint32_t)k, ov->var, &off, &size))
				s = &c->o->secs[k];
		if (!s) {
			w->ov[w->nr++] = *ov;
			continue;
		}
		if (ov->off > size || ov->len > size - ov->off || (uint64_t)off + size > s->size) {
			pr_err("%s: %s: variable %s is %u bytes, the new value has %zu at offset %zu",
			       c->o->path, s->name, ov->var, size, ov->len, ov->off);
			return -EINVAL;
		}
		for (j = 0; j < w->nr && (!w->vals[j] || strcmp(w->ov[j].var, ov->var)); j++)
			;
		if (j == w->nr) {
			w->vals[j] = calloc(1, size ? size : 1);
			if (!w->vals[j])
				return -ENOMEM;
			if (s->data)
				memcpy(w->vals[j], s->data + off, size);
			w->ov[w->nr++] = (struct load_rodata_override){
				.var = ov->var, .val = w->vals[j], .len = size };
		}
		if (ov->len)
			memcpy(w->vals[j] + ov->off, ov->val, ov->len);
	}
	w->opts = *in;
	w->opts.rodata = w->ov;
	w->opts.nr_rodata = w->nr;
	c->opts = &w->opts;
	return 0;
}

int load_object(struct obj *o, const struct load_opts *opts, struct loaded_obj **out)
{
	static const struct load_opts defaults;
	struct load_ctx c = { .o = o, .opts = opts ? opts : &defaults };
	struct rodata_whole rw = { .nr = 0 };
	int err;

	*out = NULL;
	c.pin_root = c.opts->pin_root ? c.opts->pin_root : "/sys/fs/bpf";
	c.lo = calloc(1, sizeof(*c.lo));
	if (!c.lo)
		return -ENOMEM;
	c.lo->btf_fd = -1;
	err = check_byte_order(o);
	if (!err)
		err = read_license(&c);
	if (!err)
		err = load_externs_collect(&c);
	if (!err)
		err = load_externs_resolve(&c);
	if (!err)
		err = load_core_apply(&c);
	if (!err)
		err = obj_map_defs(o, &c.defs, &c.nr_defs);
	if (!err)
		err = load_btf_prepare(&c);
	if (!err)
		err = rodata_whole_vars(&c, &rw);
	if (!err)
		err = load_maps_create(&c);
	if (!err)
		err = load_progs(&c);
	if (!err)
		err = load_maps_fill_slots(&c);
	if (!err)
		err = load_maps_pin(&c);
	if (err == -ENOMEM)
		pr_err("%s: out of memory while loading", o->path);
	btf_free(c.btf);
	load_externs_free(&c);
	load_core_free(&c);
	map_defs_free(c.defs, c.nr_defs);
	free(c.src);
	for (size_t i = 0; rw.vals && i < rw.nr; i++)
		free(rw.vals[i]);
	free(rw.vals);
	free(rw.ov);
	if (err) {
		loaded_obj_free(c.lo);
		return err;
	}
	*out = c.lo;
	return 0;
}

void loaded_obj_free(struct loaded_obj *lo)
{
	if (!lo)
		return;
	for (size_t i = 0; i < lo->nr_progs; i++) {
		if (lo->progs[i].fd >= 0)
			close(lo->progs[i].fd);
		free(lo->progs[i].name);
		free(lo->progs[i].sec);
	}
	for (size_t i = 0; i < lo->nr_maps; i++) {
		if (lo->maps[i].fd >= 0)
			close(lo->maps[i].fd);
		free(lo->maps[i].name);
		free(lo->maps[i].pin_path);
	}
	if (lo->btf_fd >= 0)
		close(lo->btf_fd);
	free(lo->progs);
	free(lo->maps);
	free(lo);
}

const struct loaded_prog *loaded_obj_prog(const struct loaded_obj *lo, const char *name)
{
	for (size_t i = 0; i < lo->nr_progs; i++)
		if (!strcmp(lo->progs[i].name, name))
			return &lo->progs[i];
	return NULL;
}

int loaded_obj_prog_fd(const struct loaded_obj *lo, const char *name)
{
	const struct loaded_prog *p = loaded_obj_prog(lo, name);

	return p ? p->fd : -ENOENT;
}

int loaded_obj_map_fd(const struct loaded_obj *lo, const char *name)
{
	for (size_t i = 0; i < lo->nr_maps; i++)
		if (!strcmp(lo->maps[i].name, name))
			return lo->maps[i].fd;
	return -ENOENT;
}

/* ---- the prepare step: externs and CO-RE, nothing created ---- */

static bool big_host(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

static const char *extern_kind(const struct load_extern *e)
{
	return e->kcfg ? "kconfig" : e->func ? "kfunc" : e->typed ? "ksym" : "typeless_ksym";
}

int load_prepare(struct obj *o, const struct load_opts *opts, struct load_prep **out)
{
	static const struct load_opts defaults;
	struct load_ctx c = { .o = o, .opts = opts ? opts : &defaults, .keep_core_recs = true };
	struct load_prep *p = calloc(1, sizeof(*p));
	int err;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	err = load_externs_collect(&c);
	if (!err)
		err = load_externs_resolve(&c);
	if (!err)
		err = load_core_apply(&c);
	if (err)
		goto out;
	p->core = c.core_recs;
	p->nr_core = c.nr_core_recs;
	c.core_recs = NULL;
	p->exts = calloc(c.nr_exts ? c.nr_exts : 1, sizeof(*p->exts));
	if (!p->exts) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c.nr_exts; i++) {
		const struct load_extern *e = &c.exts[i];
		struct load_extern_rec *r = &p->exts[p->nr_exts++];

		*r = (struct load_extern_rec){ .name = e->name, .kind = extern_kind(e),
			.weak = e->weak, .resolved = e->is_set };
		if (e->kcfg && e->is_set && c.kconfig_data && e->kt.size <= 8) {
			uint8_t v[8] = { 0 };

			memcpy(v + (big_host() ? 8 - e->kt.size : 0), c.kconfig_data + e->data_off,
			       e->kt.size);
			memcpy(&r->value, v, sizeof(v));
		} else if ((e->typed || e->func) && e->is_set) {
			r->btf_id = e->kernel_btf_id;
			r->target = "vmlinux";
		} else if (!e->kcfg) {
			r->value = e->addr;
		}
	}
out:
	load_externs_free(&c);
	load_core_free(&c);
	if (err) {
		load_prep_free(p);
		return err;
	}
	*out = p;
	return 0;
}

void load_prep_free(struct load_prep *p)
{
	if (!p)
		return;
	free(p->core);
	free(p->exts);
	free(p);
}

/* ---- --set VAR[.MEMBER|[INDEX]...]=VALUE ---- */

#define SET_PATH_MAX 16		/* members and indices after the variable */
#define SET_ANON_MAX 8		/* anonymous struct/union levels searched through */
#define SET_VISIT_MAX 4096	/* members looked at per step (BTF is untrusted) */
#define SET_VAR_MAX (1u << 20)

static int rodata_var_sym(const struct obj *o, const char *var)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec < o->nr_secs && s->type == STT_OBJECT && !strcmp(s->name, var) &&
		    !strncmp(o->secs[s->sec].name, ".rodata", 7))
			return (int)i;
	}
	return -ENOENT;
}

static bool is_composite(const struct btf_type *t)
{
	return t && (BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT ||
		     BTF_INFO_KIND(t->info) == BTF_KIND_UNION);
}

/* An INT narrower than its type (the old bit field encoding, no kflag). */
static bool int_is_bitfield(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(b, btf_skip_mods(b, id));
	uint32_t enc;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_INT)
		return false;
	memcpy(&enc, t + 1, sizeof(enc));
	return BTF_INT_OFFSET(enc) || BTF_INT_BITS(enc) != t->size * 8;
}

/* The member name (len bytes) of struct/union t, also inside its anonymous
 * members as C allows: its type and bit offset (base + its own).  0, -ENOENT,
 * or -EDOM for a bit field.  *budget bounds the members looked at. */
static int find_member(const struct btf *b, const struct btf_type *t, const char *name,
		       size_t len, int depth, uint64_t base, int *budget, uint32_t *type,
		       uint64_t *bits)
{
	const struct btf_member *m = (const void *)(t + 1);
	bool kflag = BTF_INFO_KFLAG(t->info);

	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info) && --*budget >= 0; i++, m++) {
		const char *mn = btf_str(b, m->name_off);
		uint64_t off = base + (kflag ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset);
		const struct btf_type *mt;

		if (mn && *mn) {
			if (strncmp(mn, name, len) || mn[len])
				continue;
			*type = m->type;
			*bits = off;
			return (kflag && BTF_MEMBER_BITFIELD_SIZE(m->offset)) || off % 8 ||
			       int_is_bitfield(b, m->type) ? -EDOM : 0;
		}
		mt = btf_type_by_id(b, btf_skip_mods(b, m->type));
		if (depth < SET_ANON_MAX && is_composite(mt)) {
			int err = find_member(b, mt, name, len, depth + 1, off, budget, type, bits);

			if (err != -ENOENT)
				return err;
		}
	}
	return -ENOENT;
}

/* "a, b, c, ..." : the first members of t, for messages. */
static void list_members(const struct btf *b, const struct btf_type *t, char *buf, size_t size)
{
	const struct btf_member *m = (const void *)(t + 1);
	size_t n = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info) && n < size; i++, m++) {
		const char *mn = btf_str(b, m->name_off);

		if (i == 8) {
			snprintf(buf + n, size - n, ", ...");
			break;
		}
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
				      mn && *mn ? mn : "(anonymous)");
	}
}

/* Walks the members and indices after the variable's name (arg[vlen..plen))
 * from the variable's type: *off and *size get the place of what it names,
 * in bytes inside the variable (of *size bytes on entry). */
static int set_path(const struct obj *o, const char *arg, size_t vlen, size_t plen, int sym,
		    uint64_t *off, uint64_t *size)
{
	const struct btf *b = o->btf;
	int64_t var = b ? obj_sym_btf_id(o, (uint32_t)sym) : -ENOENT;
	const struct btf_type *t = var > 0 ? btf_type_by_id(b, (uint32_t)var) : NULL;
	uint64_t vsize = *size, bits;
	uint32_t id;
	int64_t sz;
	const char *tname, *want;
	char list[160];
	size_t p;
	int depth = 0, err;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_VAR) {
		pr_err("%s: --set %s: no BTF for variable %.*s, so its members are unknown",
		       o->path, arg, (int)vlen, arg);
		return -ENOENT;
	}
	for (p = vlen; p < plen; p++)
		depth += arg[p] == '.' || arg[p] == '[';
	if (depth > SET_PATH_MAX) {
		pr_err("%s: --set %s: more than %d members deep", o->path, arg, SET_PATH_MAX);
		return -E2BIG;
	}
	id = t->type;
	*off = 0;
	for (p = vlen; p < plen && *off <= vsize;) {
		const char *at = arg + p;
		size_t len = strcspn(at + 1, ".[=");
		char *end;
		unsigned long long idx;
		int budget = SET_VISIT_MAX;

		t = btf_type_by_id(b, btf_skip_mods(b, id));
		tname = btf_type_name(b, btf_skip_mods(b, id));
		if (*at == '.') {
			want = "a struct or union";
			if (!is_composite(t))
				goto wrong_kind;
			err = len ? find_member(b, t, at + 1, len, 0, 0, &budget, &id, &bits) : -ENOENT;
			if (err == -ENOENT) {
				list_members(b, t, list, sizeof(list));
				pr_err("%s: --set %s: %s %s (%.*s) has no member '%.*s'; its members: %s",
				       o->path, arg, BTF_INFO_KIND(t->info) == BTF_KIND_UNION ? "union" : "struct",
				       *tname ? tname : "(anonymous)", (int)p, arg, (int)len, at + 1, list);
				return err;
			}
			if (err) {
				pr_err("%s: --set %s: %.*s is a bit field; --set sets whole bytes only",
				       o->path, arg, (int)(p + 1 + len), arg);
				return -EINVAL;
			}
			*off += bits / 8;
			p += 1 + len;
			continue;
		}
		errno = 0;
		idx = strtoull(at + 1, &end, 10);
		if (*at != '[' || errno || at[1] < '0' || at[1] > '9' || *end != ']') {
			pr_err("%s: --set %s: expected .MEMBER or [INDEX] after %.*s", o->path, arg,
			       (int)p, arg);
			return -EINVAL;
		}
		want = "an array";
		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_ARRAY)
			goto wrong_kind;
		id = ((const struct btf_array *)(t + 1))->type;
		sz = btf_resolve_size(b, id);
		if (idx >= ((const struct btf_array *)(t + 1))->nelems || sz <= 0 ||
		    (uint64_t)sz > vsize) {
			pr_err("%s: --set %s: index %llu is outside %.*s[%u]", o->path, arg, idx,
			       (int)p, arg, ((const struct btf_array *)(t + 1))->nelems);
			return -ERANGE;
		}
		*off += idx * (uint64_t)sz;
		p = (size_t)(end + 1 - arg);
	}
	sz = btf_resolve_size(b, id);
	if (sz <= 0 || *off > vsize || (uint64_t)sz > vsize - *off) {
		pr_err("%s: --set %s: %.*s lies outside variable %.*s (%" PRIu64 " bytes)", o->path,
		       arg, (int)plen, arg, (int)vlen, arg, vsize);
		return -EINVAL;
	}
	*size = (uint64_t)sz;
	return 0;
wrong_kind:
	pr_err("%s: --set %s: %.*s is %s%s%s, not %s", o->path, arg, (int)p, arg,
	       t ? btf_kind_name(BTF_INFO_KIND(t->info)) : "void", *tname ? " " : "", tname, want);
	return -EINVAL;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int parse_value(const char *s, uint64_t size, uint8_t *buf)
{
	char *end;

	if (size == 1 || size == 2 || size == 4 || size == 8) {
		int neg = s[0] == '-';
		uint64_t v;
		uint64_t max = size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;

		errno = 0;
		v = neg ? (uint64_t)strtoll(s, &end, 0) : strtoull(s, &end, 0);
		if (errno || end == s || *end)
			return -EINVAL;
		if (!neg && v > max)
			return -ERANGE;
		if (neg && size < 8 && (int64_t)v < -(int64_t)(1ull << (size * 8 - 1)))
			return -ERANGE;
		/* Host order: objects of the other byte order are refused anyway. */
		switch (size) {
		case 1: buf[0] = (uint8_t)v; break;
		case 2: { uint16_t x = (uint16_t)v; memcpy(buf, &x, 2); break; }
		case 4: { uint32_t x = (uint32_t)v; memcpy(buf, &x, 4); break; }
		default: memcpy(buf, &v, 8);
		}
		return 0;
	}
	if (strncmp(s, "0x", 2) || strlen(s + 2) != size * 2)
		return -EINVAL;
	for (uint64_t i = 0; i < size; i++) {
		int hi = hex_digit(s[2 + 2 * i]), lo = hex_digit(s[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int load_parse_rodata_set(const struct obj *o, const char *arg,
			  struct load_rodata_override *ov, void **val)
{
	const char *eq = strchr(arg, '=');
	size_t vlen = strcspn(arg, ".[="), plen = eq ? (size_t)(eq - arg) : 0;
	uint64_t off = 0, size = 0;
	uint8_t *buf = NULL;
	char *var;
	int sym, err;

	*val = NULL;
	if (!eq || !vlen) {
		pr_err("--set %s: expected VAR=VALUE", arg);
		return -EINVAL;
	}
	var = strndup(arg, vlen);
	if (!var)
		return -ENOMEM;
	sym = rodata_var_sym(o, var);
	if (sym > 0)
		size = o->syms[sym].size;
	if (sym < 0 || !size || size > SET_VAR_MAX) {
		pr_err("%s: --set %s: no variable %s in .rodata", o->path, arg, var);
		err = -ENOENT;
		goto out;
	}
	err = vlen < plen ? set_path(o, arg, vlen, plen, sym, &off, &size) : 0;
	if (err)
		goto out;
	/* The name lives in the same allocation as the value (after it). */
	buf = malloc(size + vlen + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	err = parse_value(eq + 1, size, buf);
	if (err) {
		pr_err("%s: --set %s: %s %.*s is %" PRIu64 " bytes; give %s", o->path, arg,
		       vlen < plen ? "member" : "variable", (int)plen, arg, size,
		       size <= 8 && !(size & (size - 1)) ? "an integer that fits" : "0x and 2 hex digits per byte");
		free(buf);
		goto out;
	}
	memcpy(buf + size, var, vlen + 1);
	ov->var = (const char *)buf + size;
	ov->val = buf;
	ov->len = (size_t)size;
	ov->off = (size_t)off;
	*val = buf;
out:
	free(var);
	return err;
}
