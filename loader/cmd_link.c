/* xdpld link -o OUT.o IN.o... [--rename [OBJ:]OLD=NEW]... [--prefix OBJ=PFX]...
 *            [--no-rename] [--partial] [--map-file FILE]
 * Nothing is written unless the whole link succeeds. */
#include "cli.h"
#include "link.h"
#include "log.h"
#include "obj.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct link_args {
	const char *out, *map_file;
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

enum { OPT_RENAME = 256, OPT_PREFIX, OPT_NO_RENAME, OPT_PARTIAL, OPT_MAP_FILE };

static const struct option link_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "rename", required_argument, NULL, OPT_RENAME },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "no-rename", no_argument, NULL, OPT_NO_RENAME },
	{ "partial", no_argument, NULL, OPT_PARTIAL },
	{ "map-file", required_argument, NULL, OPT_MAP_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xdpld link -o OUT.o IN.o... [--rename [OBJ:]OLD=NEW]... "
		"[--prefix OBJ=PFX]...\n"
		"                  [--no-rename] [--partial] [--map-file FILE]\n");
}

/* Returns 0, an exit code for usage errors (2), or negative errno. */
static int parse_args(struct link_args *a, int argc, char **argv)
{
	int opt, err = 0;

	optind = 1;
	opterr = 0;
	while (!err && (opt = getopt_long(argc, argv, "o:h", link_options, NULL)) != -1) {
		switch (opt) {
		case 'o': a->out = optarg; break;
		case OPT_RENAME: err = parse_rename(a, optarg); break;
		case OPT_PREFIX: err = parse_prefix(a, optarg); break;
		case OPT_NO_RENAME: a->opts.no_rename = true; break;
		case OPT_PARTIAL: a->opts.allow_unresolved = true; break;
		case OPT_MAP_FILE: a->map_file = optarg; break;
		case 'h': usage(stdout); return 1;
		default:
			pr_err("link: unknown option or missing argument '%s'", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (err)
		return 2;
	if (!a->out || optind >= argc) {
		pr_err("link: %s", !a->out ? "-o OUT.o is required" : "no input objects");
		usage(stderr);
		return 2;
	}
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

int cmd_link(int argc, char **argv)
{
	struct link_args a = { 0 };
	struct link_result res = { 0 };
	struct obj **in = NULL;
	char *map_tmp = NULL;
	size_t nr_in = 0;
	int ret = 1, err;

	err = parse_args(&a, argc, argv);
	if (err) {
		ret = err == 1 ? 0 : 2;
		goto out;
	}
	in = calloc((size_t)(argc - optind), sizeof(*in));
	if (!in)
		goto out;
	for (int k = optind; k < argc; k++, nr_in++)
		if (obj_read_file(argv[k], &in[nr_in]))
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
