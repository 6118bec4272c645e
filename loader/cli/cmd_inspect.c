/* xdpld inspect OBJ [--json] [--rewrite OUT.o]: what a BPF object contains.
 *
 * One emitter prints both forms: JSON (fields documented in docs/inspect.md)
 * or text, where top-level scalars are "key: value" lines, every element of
 * a top-level list is one indented line of key=value pairs (its name first),
 * and nested values are written inline. */
#include "base/json.h"
#include "cli.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/mapdef.h"
#include "elf/obj.h"

#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 16

struct emit {
	FILE *f;
	bool json;
	int depth;
	bool first[MAX_DEPTH];
	bool is_list[MAX_DEPTH];
};


/* Separator and key before a value at the current depth. */
static void em_key_sep(struct emit *e, const char *key, bool list)
{
	bool first = e->first[e->depth];

	e->first[e->depth] = false;
	if (e->json) {
		if (!first)
			fputc(',', e->f);
		if (key) {
			json_str(e->f, key);
			fputc(':', e->f);
		}
	} else if (e->depth == 1) {
		fprintf(e->f, "%s:%s", key, list ? "\n" : " ");
	} else if (e->depth == 2 && e->is_list[2]) {
		fputs("  ", e->f);	/* one line per element of a top-level list */
	} else {
		if (!first)
			fputc(' ', e->f);
		if (key && strcmp(key, "name"))
			fprintf(e->f, "%s=", key);
	}
}

static void em_key(struct emit *e, const char *key)
{
	em_key_sep(e, key, false);
}

static void em_scalar_end(struct emit *e)
{
	if (!e->json && e->depth == 1)
		fputc('\n', e->f);
}

static void em_open(struct emit *e, const char *key, char c)
{
	em_key_sep(e, key, c == '[');
	if (e->json)
		fputc(c, e->f);
	else if (e->depth >= 2 && !(e->depth == 2 && e->is_list[2]))
		fputc(c, e->f);
	if (e->depth + 1 < MAX_DEPTH)
		e->depth++;
	e->first[e->depth] = true;
	e->is_list[e->depth] = c == '[';
}

static void em_close(struct emit *e, char c)
{
	if (!e->json && e->depth == 2 && c == ']' && e->first[2])
		fputs("  (none)\n", e->f);
	e->depth--;
	if (e->json)
		fputc(c, e->f);
	else if (e->depth == 1 && c == '}')
		fputc('\n', e->f);
	else if (e->depth == 2 && e->is_list[2])
		fputc('\n', e->f);
	else if (e->depth >= 2)
		fputc(c, e->f);
}

static void em_str(struct emit *e, const char *key, const char *v)
{
	em_key(e, key);
	if (!v)
		fputs(e->json ? "null" : "-", e->f);
	else if (e->json)
		json_str(e->f, v);
	else
		fputs(*v ? v : "\"\"", e->f);
	em_scalar_end(e);
}

static void em_num(struct emit *e, const char *key, unsigned long long v)
{
	em_key(e, key);
	fprintf(e->f, "%llu", v);
	em_scalar_end(e);
}

static void em_hex(struct emit *e, const char *key, unsigned long long v)
{
	em_key(e, key);
	fprintf(e->f, e->json ? "%llu" : "0x%llx", v);
	em_scalar_end(e);
}

static void em_bool(struct emit *e, const char *key, bool v)
{
	em_key(e, key);
	fputs(v ? "true" : "false", e->f);
	em_scalar_end(e);
}

/* ---- the parts of the report ---- */

static const char *bind_name(uint8_t bind)
{
	return bind == STB_LOCAL ? "local" : bind == STB_GLOBAL ? "global" :
	       bind == STB_WEAK ? "weak" : "other";
}

static const char *sec_type_name(uint32_t type)
{
	switch (type) {
	case SHT_PROGBITS: return "progbits";
	case SHT_NOBITS: return "nobits";
	case SHT_STRTAB: return "strtab";
	case SHT_NOTE: return "note";
	default: return "other";
	}
}

static void emit_sections(struct emit *e, const struct obj *o)
{
	em_open(e, "sections", '[');
	for (size_t i = 1; i < o->nr_secs; i++) {
		const struct obj_sec *s = &o->secs[i];
		char flags[8];
		size_t n = 0;

		if (s->flags & SHF_WRITE)
			flags[n++] = 'W';
		if (s->flags & SHF_ALLOC)
			flags[n++] = 'A';
		if (s->flags & SHF_EXECINSTR)
			flags[n++] = 'X';
		if (s->flags & SHF_MERGE)
			flags[n++] = 'M';
		if (s->flags & SHF_STRINGS)
			flags[n++] = 'S';
		flags[n] = 0;
		em_open(e, NULL, '{');
		em_str(e, "name", s->name);
		em_num(e, "index", i);
		em_str(e, "type", sec_type_name(s->type));
		em_str(e, "flags", flags);
		em_num(e, "size", s->size);
		em_num(e, "align", s->align);
		em_num(e, "relocations", s->nr_relocs);
		em_close(e, '}');
	}
	em_close(e, ']');
}

static void emit_license(struct emit *e, const struct obj *o)
{
	int sec = obj_find_sec(o, "license");
	const struct obj_sec *s = sec > 0 ? &o->secs[sec] : NULL;

	if (s && s->data && memchr(s->data, 0, s->size))
		em_str(e, "license", (const char *)s->data);
	else
		em_str(e, "license", NULL);
}

/* Programs (exec sections other than .text) or subprograms (.text). */
static void emit_functions(struct emit *e, const struct obj *o, bool text)
{
	em_open(e, text ? "subprograms" : "programs", '[');
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->type != STT_FUNC || !obj_sec_is_prog(o, s->sec) ||
		    obj_sec_is_text(o, s->sec) != text)
			continue;
		em_open(e, NULL, '{');
		em_str(e, "name", s->name);
		if (!text)
			em_str(e, "section", o->secs[s->sec].name);
		em_num(e, "insns", s->size / 8);
		em_str(e, "binding", bind_name(s->bind));
		/* SEC("?xdp"): libbpf and xdpld load it only when asked for */
		if (!text && (e->json || o->secs[s->sec].name[0] == '?'))
			em_bool(e, "autoload", o->secs[s->sec].name[0] != '?');
		em_close(e, '}');
	}
	em_close(e, ']');
}

static void emit_map_fields(struct emit *e, const struct obj *o, const struct map_def *d)
{
	em_str(e, "type", map_type_name(d->type));
	em_num(e, "type_id", d->type);
	em_num(e, "key_size", d->key_size);
	em_num(e, "value_size", d->value_size);
	em_num(e, "max_entries", d->max_entries);
	em_hex(e, "flags", d->map_flags);
	em_str(e, "pinning", d->pinning == 0 ? "none" : d->pinning == 1 ? "by_name" : "other");
	if (d->inner) {
		em_open(e, "inner", '{');
		emit_map_fields(e, o, d->inner);
		em_close(e, '}');
	} else if (e->json) {
		em_key(e, "inner");
		fputs("null", e->f);
	}
	if (d->nr_init || e->json) {
		em_open(e, "initial", '[');
		for (size_t i = 0; i < d->nr_init; i++) {
			em_open(e, NULL, '{');
			em_num(e, "index", d->init[i].index);
			em_str(e, "symbol", o->syms[d->init[i].sym].name);
			em_close(e, '}');
		}
		em_close(e, ']');
	}
}

static void emit_maps(struct emit *e, const struct obj *o, const struct map_def *defs, size_t n)
{
	em_open(e, "maps", '[');
	for (size_t i = 0; i < n; i++) {
		em_open(e, NULL, '{');
		em_str(e, "name", defs[i].name);
		em_str(e, "definition", defs[i].legacy ? "legacy" : "btf");
		if (defs[i].is_extern || e->json)
			em_bool(e, "extern", defs[i].is_extern);
		emit_map_fields(e, o, &defs[i]);
		em_close(e, '}');
	}
	em_close(e, ']');
}

static void emit_variables(struct emit *e, const struct obj *o)
{
	em_open(e, "variables", '[');
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (strcmp(obj_sym_kind(o, s), "variable") || !s->name[0] ||
		    (s->type != STT_OBJECT && s->type != STT_NOTYPE) ||
		    !strcmp(o->secs[s->sec].name, "license"))
			continue;
		em_open(e, NULL, '{');
		em_str(e, "name", s->name);
		em_str(e, "section", o->secs[s->sec].name);
		em_num(e, "size", s->size);
		em_str(e, "binding", bind_name(s->bind));
		em_close(e, '}');
	}
	em_close(e, ']');
}

/* What an undefined symbol is, from the BTF clang wrote for it. */
static const char *extern_kind(const struct obj *o, const char *name, const char **where)
{
	int64_t id;

	*where = NULL;
	if (!o->btf)
		return "unknown";
	if (btf_find(o->btf, name, BTF_KIND_FUNC) > 0)
		return "function";
	id = btf_find(o->btf, name, BTF_KIND_VAR);
	if (id <= 0)
		return "unknown";
	for (uint32_t t = 1; t < btf_nr_types(o->btf); t++) {
		const struct btf_type *ds = btf_type_by_id(o->btf, t);
		const struct btf_var_secinfo *vi = (const struct btf_var_secinfo *)(ds + 1);

		if (BTF_INFO_KIND(ds->info) != BTF_KIND_DATASEC)
			continue;
		for (uint16_t i = 0; i < BTF_INFO_VLEN(ds->info); i++)
			if (vi[i].type == id)
				*where = btf_type_name(o->btf, t);
	}
	return *where && !strcmp(*where, ".maps") ? "map" : "variable";
}

static void emit_externs(struct emit *e, const struct obj *o)
{
	em_open(e, "externs", '[');
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];
		const char *where;

		if (s->sec != OBJ_SEC_UNDEF || !s->name[0] || s->type == STT_SECTION)
			continue;
		em_open(e, NULL, '{');
		em_str(e, "name", s->name);
		em_str(e, "kind", extern_kind(o, s->name, &where));
		if (where || e->json)
			em_str(e, "datasec", where);
		em_str(e, "binding", bind_name(s->bind));
		em_close(e, '}');
	}
	em_close(e, ']');
}

static unsigned long long ext_count(const struct btf_ext_info *info)
{
	unsigned long long n = 0;

	for (size_t i = 0; i < info->nr_secs; i++)
		n += info->secs[i].nr;
	return n;
}

static void emit_btf(struct emit *e, const struct obj *o)
{
	unsigned int kinds[32] = { 0 };
	uint32_t n;

	if (!o->btf) {
		em_str(e, "btf", NULL);
		return;
	}
	n = btf_nr_types(o->btf);
	for (uint32_t id = 1; id < n; id++)
		kinds[BTF_INFO_KIND(btf_type_by_id(o->btf, id)->info) & 31]++;
	em_open(e, "btf", '{');
	em_num(e, "types", n - 1);
	em_open(e, "kinds", '{');
	for (uint32_t k = 1; k < 32; k++)
		if (kinds[k])
			em_num(e, btf_kind_name(k), kinds[k]);
	em_close(e, '}');
	if (o->btf_ext) {
		em_open(e, "ext", '{');
		em_num(e, "func_info", ext_count(&o->btf_ext->func));
		em_num(e, "line_info", ext_count(&o->btf_ext->line));
		em_num(e, "core_relo", ext_count(&o->btf_ext->core));
		em_close(e, '}');
	} else {
		em_str(e, "ext", NULL);
	}
	em_close(e, '}');
}

static void emit_report(FILE *f, bool json, const struct obj *o, const struct map_def *defs,
			size_t nr_defs)
{
	struct emit e = { .f = f, .json = json, .first[0] = true };

	em_open(&e, NULL, '{');
	em_str(&e, "file", o->path);
	em_str(&e, "byte_order", o->byte_order == ELFDATA2MSB ? "big" : "little");
	emit_license(&e, o);
	emit_btf(&e, o);
	emit_functions(&e, o, false);
	emit_functions(&e, o, true);
	emit_maps(&e, o, defs, nr_defs);
	emit_variables(&e, o);
	emit_externs(&e, o);
	emit_sections(&e, o);
	em_close(&e, '}');
	if (json)
		fputc('\n', f);
}

static int run_inspect(struct cli *c)
{
	const char *rewrite = NULL;
	struct map_def *defs = NULL;
	size_t nr_defs = 0;
	struct obj *o = NULL;
	bool json = false;
	int opt, ret = 1;

	while ((opt = cli_next(c)) > 0) {
		switch (opt) {
		case 'j': json = true; break;
		case 'w': rewrite = c->arg; break;
		}
	}
	if (opt < 0)
		return c->rc;
	if (obj_read_file(c->pos[0], &o) || obj_map_defs(o, &defs, &nr_defs))
		goto out;
	if (rewrite) {
		if (obj_write_file(o, rewrite))
			goto out;
	} else {
		emit_report(stdout, json, o, defs, nr_defs);
	}
	if (fflush(stdout) || ferror(stdout)) {
		pr_err("inspect: cannot write output");
		goto out;
	}
	ret = 0;
out:
	map_defs_free(defs, nr_defs);
	obj_free(o);
	return ret;
}

const struct cli_cmd cmd_inspect = {
	"inspect", "OBJ", "show the programs, maps, symbols and BTF of an object", run_inspect,
	(const struct cli_opt[]){
		{ 'j', CLI_SHORT, "json", NULL, "print JSON (docs/inspect.md)" },
		{ 'w', CLI_SHORT, "rewrite", "OUT.o",
		  "write the object as xdpld reads it, no report" },
		{ 0 },
	},
};
