/* xdpld link -o OUT.o IN.o... (options: the table at the end).
 * Nothing is written unless the whole link succeeds. */
#include "cli.h"
#include "base/log.h"
#include "elf/obj.h"
#include "kernel/prog_type.h"
#include "link/link.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct link_args {
	const char *out, *map_file;
	const char *type;	/* --type */
	struct link_rename *renames;
	struct link_prefix *prefixes;
	char **strings;		/* every string the rules point into */
	size_t nr_strings;
	struct link_opts opts;
};

/* An existing name may hold '.' (clang's names); a new name or prefix may
 * not: it becomes a pin name in bpffs, which refuses '.'. */
static bool is_symbol_name(const char *s, size_t len, bool allow_dot)
{
	if (!len || isdigit((unsigned char)s[0]))
		return false;
	for (size_t k = 0; k < len; k++)
		if (!isalnum((unsigned char)s[k]) && s[k] != '_' && !(allow_dot && s[k] == '.'))
			return false;
	return true;
}

static char *keep_str(struct link_args *a, const char *s, size_t len)
{
	char **p = realloc(a->strings, (a->nr_strings + 1) * sizeof(*p));
	char *copy;

	if (!p)
		return NULL;
	a->strings = p;
	copy = strndup(s, len);
	if (copy)
		a->strings[a->nr_strings++] = copy;
	return copy;
}

/* [OBJ:]OLD=NEW; OBJ may contain ':' (a path), so split at the last one. */
static int parse_rename(struct link_args *a, const char *arg)
{
	const char *eq = strchr(arg, '='), *colon, *old;
	struct link_rename r = { 0 }, *p;

	if (!eq)
		goto bad;
	for (colon = eq; colon > arg && colon[-1] != ':'; colon--)
		;
	old = colon;
	if (colon > arg && !(r.obj = keep_str(a, arg, (size_t)(colon - 1 - arg))))
		return -ENOMEM;
	if (colon > arg && !r.obj[0])
		goto bad;
	if (!is_symbol_name(old, (size_t)(eq - old), true) ||
	    !is_symbol_name(eq + 1, strlen(eq + 1), false))
		goto bad;
	r.old_name = keep_str(a, old, (size_t)(eq - old));
	r.new_name = keep_str(a, eq + 1, strlen(eq + 1));
	p = realloc(a->renames, (a->opts.nr_renames + 1) * sizeof(*p));
	if (!r.old_name || !r.new_name || !p)
		return -ENOMEM;
	a->renames = p;
	a->renames[a->opts.nr_renames++] = r;
	return 0;
bad:
	pr_err("bad --rename '%s': expected [OBJ:]OLD=NEW, NEW made of letters, digits and '_' "
	       "(OLD may also hold '.')", arg);
	return -EINVAL;
}

static int parse_prefix(struct link_args *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct link_prefix x, *p;

	if (!eq || eq == arg || !is_symbol_name(eq + 1, strlen(eq + 1), false)) {
		pr_err("bad --prefix '%s': expected OBJ=PFX, PFX made of letters, digits and '_'", arg);
		return -EINVAL;
	}
	x.obj = keep_str(a, arg, (size_t)(eq - arg));
	x.prefix = keep_str(a, eq + 1, strlen(eq + 1));
	p = realloc(a->prefixes, (a->opts.nr_prefixes + 1) * sizeof(*p));
	if (!x.obj || !x.prefix || !p)
		return -ENOMEM;
	a->prefixes = p;
	a->prefixes[a->opts.nr_prefixes++] = x;
	return 0;
}

/* Sets a from the options; 0, or 2 for a usage error, or -1 (c->rc) for
 * --help or a usage error cli_next reported. */
static int parse_args(struct link_args *a, struct cli *c)
{
	int opt, err = 0;

	while (!err && (opt = cli_next(c)) > 0) {
		switch (opt) {
		case 'o': a->out = c->arg; break;
		case 'r': err = parse_rename(a, c->arg); break;
		case 'p': err = parse_prefix(a, c->arg); break;
		case 'n': a->opts.no_rename = true; break;
		case 'P': a->opts.allow_unresolved = true; break;
		case 'm': a->map_file = c->arg; break;
		case 'F': a->opts.flatten = true; break;
		case 'N': a->opts.flatten = false; break;
		case 'T': err = prog_type_check("link --type", c->arg) ? 2 : 0;
			a->type = c->arg;
			break;
		}
	}
	if (err)
		return 2;
	if (opt < 0)
		return -1;
	a->opts.out_name = a->out;
	a->opts.renames = a->renames;
	a->opts.prefixes = a->prefixes;
	return 0;
}

/* Writes the name map to a temporary file next to path (*tmp, caller
 * frees), so that nothing is in place until the whole link succeeded. */
static int write_map_tmp(const struct link_result *res, const char *path, char **tmp)
{
	FILE *f;
	int fd, err;

	*tmp = malloc(strlen(path) + sizeof(".tmpXXXXXX"));
	if (!*tmp)
		return -ENOMEM;
	sprintf(*tmp, "%s.tmpXXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		err = -errno;
		pr_err("%s: cannot create map file: %s", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		err = -EIO;
	} else {
		err = link_write_name_map(res, f);
		if (fclose(f))
			err = -EIO;
	}
	if (err) {
		pr_err("%s: cannot write map file", path);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return err;
}

static void log_name_map(const struct link_result *res)
{
	for (size_t k = 0; k < res->nr_names; k++)
		pr_debug("name map: %s %s %s %s%s", res->names[k].obj, res->names[k].kind,
			 res->names[k].old_name, res->names[k].new_name,
			 res->names[k].explicit_rule ? " (--rename)" : "");
}

static int run_link(struct cli *c)
{
	struct link_args a = { 0 };
	struct link_result res = { 0 };
	struct obj **in = NULL;
	char *map_tmp = NULL;
	size_t nr_in = 0;
	int ret = 1, err;

	err = parse_args(&a, c);
	if (err) {
		ret = err < 0 ? c->rc : 2;
		goto out;
	}
	in = calloc((size_t)c->nr_pos, sizeof(*in));
	if (!in)
		goto out;
	for (int k = 0; k < c->nr_pos; k++, nr_in++)
		if (obj_read_file(c->pos[k], &in[nr_in]) ||
		    (a.type && obj_retype_programs(in[nr_in], a.type, NULL)))
			goto out;
	if (link_objects(in, nr_in, &a.opts, &res))
		goto out;
	log_name_map(&res);
	if (a.map_file && write_map_tmp(&res, a.map_file, &map_tmp))
		goto out;
	if (obj_write_file(res.out, a.out))
		goto out;
	if (map_tmp && rename(map_tmp, a.map_file)) {
		pr_err("%s: cannot rename map file into place: %s", a.map_file, strerror(errno));
		unlink(a.out);	/* all or nothing */
		goto out;
	}
	free(map_tmp);
	map_tmp = NULL;
	ret = 0;
out:
	if (map_tmp) {
		unlink(map_tmp);
		free(map_tmp);
	}
	link_result_free(&res);
	for (size_t k = 0; k < nr_in; k++)
		obj_free(in[k]);
	free(in);
	for (size_t k = 0; k < a.nr_strings; k++)
		free(a.strings[k]);
	free(a.strings);
	free(a.renames);
	free(a.prefixes);
	return ret;
}

const struct cli_cmd cmd_link = {
	"link", "IN.o...", "link BPF objects into one, renaming what conflicts", run_link,
	(const struct cli_opt[]){
		{ 'o', CLI_SHORT | CLI_REQ, "output", "OUT.o", "write the linked object to OUT.o" },
		{ 'r', CLI_MULTI, "rename", "[OBJ:]OLD=NEW", "rename OLD (of OBJ only) to NEW" },
		{ 'p', CLI_MULTI, "prefix", "OBJ=PFX", "prefix of OBJ's renamed names" },
		{ 'n', 0, "no-rename", NULL, "a name conflict is an error" },
		{ 'P', 0, "partial", NULL, "keep unresolved externs" },
		{ 'm', 0, "map-file", "FILE", "write the old and new names to FILE" },
		{ 'F', 0, "flatten", NULL, "inline bpf-to-bpf calls into the programs" },
		{ 'N', 0, "no-flatten", NULL, "keep calls as calls (the default)" },
		CLI_OPT_TYPE,
		{ 0 },
	},
};
