/* Static linking driver: the stages run in order, each one filling in the
 * shared context (see link_internal.h); nothing is returned unless all of
 * them succeed. */
#include "link_internal.h"
#include "base/log.h"
#include "elf/mapdef.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int check_byte_order(struct obj *const *in, size_t nr_in)
{
	for (size_t i = 1; i < nr_in; i++) {
		if (in[i]->byte_order == in[0]->byte_order)
			continue;
		pr_err("%s is %s but %s is %s: cannot link objects of different byte order",
		       in[i]->path, in[i]->byte_order == ELFDATA2MSB ? "big-endian (bpfeb)"
		       : "little-endian (bpfel)", in[0]->path,
		       in[0]->byte_order == ELFDATA2MSB ? "big-endian (bpfeb)" : "little-endian (bpfel)");
		return -EINVAL;
	}
	return 0;
}

static void free_names(struct link_name_map *names, size_t nr)
{
	for (size_t k = 0; k < nr; k++) {
		free(names[k].old_name);
		free(names[k].new_name);
	}
	free(names);
}

static void ctx_free(struct link_ctx *c)
{
	for (size_t i = 0; i < c->nr_in; i++) {
		if (c->prefixes)
			free(c->prefixes[i]);
		if (c->defs && c->defs[i])
			map_defs_free(c->defs[i], c->nr_defs[i]);
		if (c->sym_lsym)
			free(c->sym_lsym[i]);
		if (c->sym_out)
			free(c->sym_out[i]);
		for (size_t s = 0; c->layout && c->layout[i] && s < c->in[i]->nr_secs; s++)
			free(c->layout[i][s].pieces);
		if (c->layout)
			free(c->layout[i]);
	}
	for (size_t k = 0; k < c->nr_syms; k++)
		free(c->syms[k].name);
	free(c->syms);
	free(c->prefixes);
	free(c->defs);
	free(c->nr_defs);
	free(c->sym_lsym);
	free(c->sym_out);
	free(c->layout);
	free(c->sec_sym);
	free_names(c->names, c->nr_names);
	obj_free(c->out);
}

/* "a.o+b.o": what the output is made of, for messages about it. */
static char *joined_name(struct obj *const *in, size_t nr_in)
{
	size_t len = 1;
	char *name;

	for (size_t i = 0; i < nr_in; i++)
		len += strlen(link_basename(in[i]->path)) + 1;
	name = malloc(len);
	if (!name)
		return NULL;
	name[0] = 0;
	for (size_t i = 0; i < nr_in; i++) {
		if (i)
			strcat(name, "+");
		strcat(name, link_basename(in[i]->path));
	}
	return name;
}

static int ctx_alloc(struct link_ctx *c)
{
	size_t n = c->nr_in;
	char *name = c->opts->out_name ? NULL : joined_name(c->in, n);

	c->prefixes = calloc(n, sizeof(*c->prefixes));
	c->defs = calloc(n, sizeof(*c->defs));
	c->nr_defs = calloc(n, sizeof(*c->nr_defs));
	c->sym_lsym = calloc(n, sizeof(*c->sym_lsym));
	c->sym_out = calloc(n, sizeof(*c->sym_out));
	c->layout = calloc(n, sizeof(*c->layout));
	if (c->opts->out_name || name)
		c->out = obj_new(name ? name : c->opts->out_name, c->in[0]->byte_order);
	free(name);
	if (!c->prefixes || !c->defs || !c->nr_defs || !c->sym_lsym || !c->sym_out ||
	    !c->layout || !c->out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int err = obj_map_defs(c->in[i], &c->defs[i], &c->nr_defs[i]);

		if (err)
			return err;
	}
	return 0;
}

int link_objects(struct obj *const *in, size_t nr_in, const struct link_opts *opts,
		 struct link_result *res)
{
	static const struct link_opts no_opts;
	struct link_ctx c = { .in = in, .nr_in = nr_in, .opts = opts ? opts : &no_opts };
	int err;

	memset(res, 0, sizeof(*res));
	if (!nr_in) {
		pr_err("link: no input objects");
		return -EINVAL;
	}
	err = check_byte_order(in, nr_in);
	if (!err)
		err = ctx_alloc(&c);
	if (!err)
		err = link_collect_syms(&c);
	if (!err)
		err = link_make_prefixes(&c);
	if (!err)
		err = link_apply_rules(&c);
	if (!err)
		err = link_share_pinned(&c);
	if (!err)
		err = link_rename_conflicts(&c);
	if (!err)
		err = link_resolve(&c);
	if (!err)
		err = link_layout(&c);
	if (!err)
		err = link_merge_syms(&c);
	if (!err)
		err = link_merge_relocs(&c);
	if (!err)
		err = link_merge_btf(&c);
	if (!err && c.opts->flatten)
		err = link_flatten(c.out);
	if (!err) {
		res->out = c.out;
		res->names = c.names;
		res->nr_names = c.nr_names;
		c.out = NULL;
		c.names = NULL;
		c.nr_names = 0;
	}
	ctx_free(&c);
	return err;
}

void link_result_free(struct link_result *res)
{
	obj_free(res->out);
	free_names(res->names, res->nr_names);
	memset(res, 0, sizeof(*res));
}

int link_write_name_map(const struct link_result *res, FILE *f)
{
	for (size_t k = 0; k < res->nr_names; k++) {
		const struct link_name_map *m = &res->names[k];

		if (fprintf(f, "%s %s %s %s\n", m->obj, m->kind, m->old_name, m->new_name) < 0)
			return -EIO;
	}
	return 0;
}
