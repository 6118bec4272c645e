/* The policy manifest: UCI sections checked against the schema (see
 * manifest.h, policies/README.md). */
#include "manifest.h"

#include "base/esc.h"
#include "base/log.h"
#include "btf/btf.h"
#include "kernel/prog_type.h"
#include "link/rootlet.h"
#include "uci.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Options each section type takes; anything else is an error. */
static const char *const module_opts[] = { "object", "program", "continue_on", "enabled",
					   "rename", "prefix", "type", "description", NULL };
static const char *const pipeline_opts[] = { "device", "mode", "backend", "counters", "module",
					     "no_rename", "enabled", "description", NULL };
static const char *const globals_opts[] = { "kernel_btf", "description", NULL };

/* The largest target BTF file taken (a full vmlinux BTF is 5-6 MB). */
#define KERNEL_BTF_MAX (256u << 20)

struct ctx {
	const char *path;
	struct manifest *m;
};

/* "FILE:LINE: TYPE 'NAME': what": values may hold newlines or escape
 * sequences, written \xNN so that the message stays one plain line. */
static int bad(const struct ctx *c, unsigned int line, const char *type, const char *name,
	       const char *fmt, const char *a, const char *b)
{
	char what[512], e_what[1024], e_path[256], e_name[160];

	snprintf(what, sizeof(what), fmt, a, b);
	pr_err("%s:%u: %s '%s': %s", esc_str(e_path, sizeof(e_path), c->path), line, type,
	       esc_str(e_name, sizeof(e_name), name), esc_str(e_what, sizeof(e_what), what));
	return -EINVAL;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true", "enabled" };
	static const char *const no[] = { "0", "no", "off", "false", "disabled" };

	for (size_t i = 0; i < 5; i++) {
		if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
			*out = !strcmp(v, yes[i]);
			return 0;
		}
	}
	return -EINVAL;
}

static bool known(const char *const *opts, const char *name)
{
	for (; *opts; opts++)
		if (!strcmp(*opts, name))
			return true;
	return false;
}

/* Checks option names, that single-valued ones are not lists, and that no
 * value but a description holds a control byte (a newline in a quoted
 * value names no file, device or module). */
static int check_opts(const struct ctx *c, const struct uci_section *s, const char *name,
		      const char *const *opts, const char *const *lists)
{
	for (size_t i = 0; i < s->nr_opts; i++) {
		const struct uci_option *o = &s->opts[i];

		if (!known(opts, o->name))
			return bad(c, o->line, s->type, name, "unknown option '%s'%s", o->name, "");
		if (o->is_list && !known(lists, o->name))
			return bad(c, o->line, s->type, name, "'%s' takes one value (option, not "
				   "list)%s", o->name, "");
		for (size_t k = 0; strcmp(o->name, "description") && k < o->nr_values; k++) {
			for (const char *v = o->values[k]; *v; v++)
				if ((unsigned char)*v < 0x20 || *v == 0x7f)
					return bad(c, o->lines[k], s->type, name, "option %s: '%s' "
						   "holds a control byte", o->name, o->values[k]);
		}
	}
	return 0;
}

static const char *value(const struct uci_section *s, const char *opt, unsigned int *line)
{
	const struct uci_option *o = uci_option(s, opt);

	if (!o || !o->nr_values)
		return NULL;
	if (line)
		*line = o->line;
	return o->values[0];
}

static int get_bool(const struct ctx *c, const struct uci_section *s, const char *name,
		    const char *opt, bool *out)
{
	unsigned int line = 0;
	const char *v = value(s, opt, &line);

	if (v && parse_bool(v, out))
		return bad(c, line, s->type, name, "option %s: '%s' is not a boolean (1/0, yes/no, "
			   "on/off, true/false)", opt, v);
	return 0;
}

/* rename (list of OLD=NEW), prefix and type: how the module is linked. */
static int add_naming(struct ctx *c, const struct uci_section *s, struct manifest_module *mod)
{
	const struct uci_option *ren = uci_option(s, "rename");
	unsigned int line = 0;
	const char *v;
	char what[320];

	for (size_t i = 0; ren && i < ren->nr_values; i++) {
		char *r = strdup(ren->values[i]), *eq = r ? strchr(r, '=') : NULL;
		bool ok = eq && (*eq = '\0', plan_name_ok(r, true)) && plan_name_ok(eq + 1, false);

		free(r);
		if (!ok)
			return bad(c, ren->lines[i], s->type, s->name, "rename: '%s' is not "
				   "OLD=NEW (names of letters, digits and '_')%s", ren->values[i], "");
	}
	if (ren && !(mod->renames = calloc(ren->nr_values, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; ren && i < ren->nr_values; i++)
		if (!(mod->renames[mod->nr_renames++] = strdup(ren->values[i])))
			return -ENOMEM;
	if ((v = value(s, "prefix", &line))) {
		if (!plan_name_ok(v, false) || strlen(v) > 32)
			return bad(c, line, s->type, s->name, "prefix: '%s' is not a name of at "
				   "most 32 letters, digits and '_'%s", v, "");
		if (!(mod->prefix = strdup(v)))
			return -ENOMEM;
	}
	if ((v = value(s, "type", &line))) {
		snprintf(what, sizeof(what), "%s:%u: module '%s': option type", c->path, line,
			 s->name);
		if (prog_type_check(what, v))
			return -EINVAL;
		if (!(mod->type = strdup(v)))
			return -ENOMEM;
	}
	return 0;
}

static int add_module(struct ctx *c, const struct uci_section *s)
{
	static const char *const lists[] = { "continue_on", "rename", NULL };
	struct manifest_module *mod = &c->m->modules[c->m->nr_modules];
	const struct uci_option *cont = uci_option(s, "continue_on");
	const char *v;
	int err;

	if (!s->name)
		return bad(c, s->line, s->type, "(anonymous)", "a module needs a name (config "
			   "module 'NAME'): pipelines list it by name%s%s", "", "");
	/* It names the module's map pins ("NAME-map", at most 64 characters). */
	if (strlen(s->name) > MANIFEST_NAME_MAX)
		return bad(c, s->line, s->type, s->name, "the name is longer than %s "
			   "characters%s", "32", "");
	for (size_t i = 0; i < c->m->nr_modules; i++) {
		char first[16];

		if (strcmp(c->m->modules[i].name, s->name))
			continue;
		snprintf(first, sizeof(first), "%u", c->m->modules[i].line);
		return bad(c, s->line, s->type, s->name, "defined twice (first at line %s)%s",
			   first, "");
	}
	err = check_opts(c, s, s->name, module_opts, lists);
	if (err)
		return err;
	mod->name = strdup(s->name);
	mod->line = s->line;
	mod->enabled = true;
	c->m->nr_modules++;
	if (!mod->name)
		return -ENOMEM;
	v = value(s, "object", &mod->object_line);
	if (!v || !*v)
		return bad(c, s->line, s->type, s->name, "option object is missing (the module's "
			   "BPF object file)%s%s", "", "");
	if (!esc_printable(v))	/* as attach takes paths: printable ASCII */
		return bad(c, mod->object_line, s->type, s->name, "option object: '%s' holds a "
			   "byte that is not printable ASCII%s", v, "");
	mod->object = strdup(v);
	v = value(s, "program", NULL);
	mod->program = v && *v ? strdup(v) : NULL;
	if (!mod->object || (v && *v && !mod->program))
		return -ENOMEM;
	for (size_t i = 0; cont && i < cont->nr_values; i++) {
		uint32_t mask;

		if (!*cont->values[i])	/* `list continue_on ''`: not "none" by accident */
			return bad(c, cont->lines[i], s->type, s->name, "continue_on: an empty item "
				   "('') is no action (aborted, drop, pass, tx, redirect, or none for "
				   "no verdict)%s%s", "", "");
		if (rootlet_actions_parse(cont->values[i], &mask))
			return bad(c, cont->lines[i], s->type, s->name, "continue_on: '%s' is not an "
				   "action (aborted, drop, pass, tx, redirect, none)%s",
				   cont->values[i], "");
		mod->continue_mask |= mask;
		mod->has_mask = true;
	}
	err = add_naming(c, s, mod);
	return err ? err : get_bool(c, s, s->name, "enabled", &mod->enabled);
}

static int find_module(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nr_modules; i++)
		if (!strcmp(m->modules[i].name, name))
			return (int)i;
	return -1;
}

/* The device given twice (here or in an earlier pipeline)? */
static unsigned int device_taken(const struct manifest *m, const char *dev)
{
	for (size_t p = 0; p < m->nr_pipelines; p++)
		for (size_t d = 0; d < m->pipelines[p].nr_devices; d++)
			if (!strcmp(m->pipelines[p].devices[d].name, dev))
				return m->pipelines[p].devices[d].line;
	return 0;
}

static int add_devices(struct ctx *c, const struct uci_section *s, struct manifest_pipeline *pl)
{
	const struct uci_option *o = uci_option(s, "device");
	char line[16];

	if (!o || !o->nr_values)
		return bad(c, s->line, s->type, pl->name, "option device is missing (the NIC to "
			   "run on)%s%s", "", "");
	pl->devices = calloc(o->nr_values, sizeof(*pl->devices));
	if (!pl->devices)
		return -ENOMEM;
	for (size_t i = 0; i < o->nr_values; i++) {
		const char *dev = o->values[i];
		unsigned int first = device_taken(c->m, dev);

		if (!*dev || strlen(dev) >= IF_NAMESIZE || strpbrk(dev, "/: \t"))
			return bad(c, o->lines[i], s->type, pl->name, "device '%s' is not an interface "
				   "name%s", dev, "");
		for (size_t k = 0; !first && k < pl->nr_devices; k++)
			if (!strcmp(pl->devices[k].name, dev))
				first = pl->devices[k].line;
		if (first) {
			snprintf(line, sizeof(line), "%u", first);
			return bad(c, o->lines[i], s->type, pl->name, "device %s is given twice "
				   "(also at line %s): one pipeline per NIC", dev, line);
		}
		pl->devices[pl->nr_devices].name = strdup(dev);
		pl->devices[pl->nr_devices].line = o->lines[i];
		if (!pl->devices[pl->nr_devices++].name)
			return -ENOMEM;
	}
	return 0;
}

static int add_slots(struct ctx *c, const struct uci_section *s, struct manifest_pipeline *pl)
{
	const struct uci_option *o = uci_option(s, "module");

	if (!o || !o->nr_values)
		return bad(c, s->line, s->type, pl->name, "list module is missing (the modules, "
			   "in slot order)%s%s", "", "");
	if (o->nr_values > ROOTLET_MAX_SLOTS)
		return bad(c, o->line, s->type, pl->name, "more than 64 modules%s%s", "", "");
	pl->modules = calloc(o->nr_values, sizeof(*pl->modules));
	pl->module_lines = calloc(o->nr_values, sizeof(*pl->module_lines));
	if (!pl->modules || !pl->module_lines)
		return -ENOMEM;
	for (size_t i = 0; i < o->nr_values; i++) {
		int k = find_module(c->m, o->values[i]);

		if (k < 0)
			return bad(c, o->lines[i], s->type, pl->name, "module '%s' is not defined (no "
				   "config module '%s')", o->values[i], o->values[i]);
		for (size_t j = 0; j < pl->nr_modules; j++)
			if (pl->modules[j] == (size_t)k)
				return bad(c, o->lines[i], s->type, pl->name, "module '%s' is "
					   "listed twice%s", o->values[i], "");
		pl->modules[pl->nr_modules] = (size_t)k;
		pl->module_lines[pl->nr_modules++] = o->lines[i];
	}
	return 0;
}

static int add_pipeline(struct ctx *c, const struct uci_section *s, size_t anon)
{
	static const char *const lists[] = { "device", "module", NULL };
	struct manifest_pipeline *pl = &c->m->pipelines[c->m->nr_pipelines];
	char name[64];
	unsigned int line = 0;
	const char *v;
	int err;

	if (s->name && strlen(s->name) > MANIFEST_NAME_MAX)
		return bad(c, s->line, s->type, s->name, "the name is longer than %s "
			   "characters%s", "32", "");
	snprintf(name, sizeof(name), "@pipeline[%zu]", anon);
	pl->name = strdup(s->name ? s->name : name);
	pl->line = s->line;
	pl->counters = pl->enabled = true;
	pl->mode = NIC_MODE_AUTO;
	if (!pl->name)
		return -ENOMEM;
	err = check_opts(c, s, pl->name, pipeline_opts, lists);
	if (!err && (v = value(s, "mode", &line)) && nic_mode_parse(v, &pl->mode))
		err = bad(c, line, s->type, pl->name, "option mode: '%s' is not native, skb, hw "
			  "or auto%s", v, "");
	if (!err && (v = value(s, "backend", &line))) {
		enum rootlet_backend b;

		if (strcmp(v, "auto") && rootlet_backend_parse(v, &b))
			err = bad(c, line, s->type, pl->name, "option backend: '%s' is not auto, "
				  "freplace, chain, tailcall or static%s", v, "");
		else if (!(pl->backend = strdup(v)))
			err = -ENOMEM;
	}
	if (!err)
		err = get_bool(c, s, pl->name, "counters", &pl->counters);
	if (!err)
		err = get_bool(c, s, pl->name, "enabled", &pl->enabled);
	if (!err)
		err = get_bool(c, s, pl->name, "no_rename", &pl->no_rename);
	if (!err)
		err = add_slots(c, s, pl);
	/* Counted before its devices: device_taken sees only earlier ones. */
	if (!err)
		err = add_devices(c, s, pl);
	c->m->nr_pipelines++;
	return err;
}

/* Reads the BTF file at path (at most KERNEL_BTF_MAX bytes) and parses it. */
static int check_btf_file(const char *path, char *why, size_t whylen)
{
	FILE *f = fopen(path, "re");
	uint8_t *data = NULL;
	struct btf *b = NULL;
	size_t n = 0;
	long len;
	int err = 0;

	if (!f) {
		err = -errno;
		snprintf(why, whylen, "%s", strerror(-err));
		return err;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		err = -EIO;
		snprintf(why, whylen, "cannot read it");
		goto out;
	}
	if ((unsigned long)len > KERNEL_BTF_MAX) {
		err = -EFBIG;
		snprintf(why, whylen, "larger than %u MiB", KERNEL_BTF_MAX >> 20);
		goto out;
	}
	data = malloc(len ? (size_t)len : 1);
	if (!data) {
		err = -ENOMEM;
		goto out;
	}
	n = fread(data, 1, (size_t)len, f);
	if (n != (size_t)len || ferror(f)) {
		err = -EIO;
		snprintf(why, whylen, "cannot read it");
		goto out;
	}
	err = btf_parse(data, n, path, &b);
	if (err)
		snprintf(why, whylen, "not a valid BTF file");
out:
	btf_free(b);
	free(data);
	fclose(f);
	return err;
}

/* config globals: kernel_btf, the target BTF of CO-RE relocations (as
 * `xdpld --kernel-btf`): an absolute path of a BTF file, or of a folder
 * laid out as /sys/kernel/btf; checked here so that errors name the line. */
static int add_globals(struct ctx *c, const struct uci_section *s, unsigned int *first)
{
	static const char *const lists[] = { NULL };
	const char *name = s->name ? s->name : "(anonymous)";
	char why[128] = "", vm[4096];
	unsigned int line = 0;
	struct stat st;
	const char *v;
	int err;

	if (*first) {
		char at[16];

		snprintf(at, sizeof(at), "%u", *first);
		return bad(c, s->line, s->type, name, "a second globals section (the first is at "
			   "line %s)%s", at, "");
	}
	*first = s->line;
	err = check_opts(c, s, name, globals_opts, lists);
	if (err)
		return err;
	v = value(s, "kernel_btf", &line);
	if (!v)
		return 0;
	if (v[0] != '/')
		return bad(c, line, s->type, name, "option kernel_btf: '%s' is not an absolute path "
			   "(a BTF file, or a folder laid out as /sys/kernel/btf)%s", v, "");
	if (stat(v, &st)) {
		err = -errno;
		return bad(c, line, s->type, name, "option kernel_btf: %s: %s", v, strerror(-err));
	}
	if (S_ISDIR(st.st_mode)) {
		if ((size_t)snprintf(vm, sizeof(vm), "%s/vmlinux", v) >= sizeof(vm))
			return bad(c, line, s->type, name, "option kernel_btf: path too long%s%s", "", "");
	} else {
		snprintf(vm, sizeof(vm), "%s", v);
	}
	err = check_btf_file(vm, why, sizeof(why));
	if (err == -ENOMEM)
		return err;
	if (err)
		return bad(c, line, s->type, name, "option kernel_btf: %s: %s", vm, why);
	c->m->kernel_btf = strdup(v);
	c->m->kernel_btf_line = line;
	return c->m->kernel_btf ? 0 : -ENOMEM;
}

int manifest_load(const char *path, struct manifest **out)
{
	struct uci_file *f = NULL;
	struct ctx c = { .path = path };
	unsigned int globals = 0;
	size_t anon = 0;
	int err;

	*out = NULL;
	err = uci_load(path, &f);
	if (err)
		return err;
	c.m = calloc(1, sizeof(*c.m));
	if (c.m) {
		c.m->path = strdup(path);
		c.m->modules = calloc(f->nr_secs + 1, sizeof(*c.m->modules));
		c.m->pipelines = calloc(f->nr_secs + 1, sizeof(*c.m->pipelines));
	}
	if (!c.m || !c.m->path || !c.m->modules || !c.m->pipelines) {
		err = -ENOMEM;
		goto out;
	}
	/* Modules first: a pipeline may name a module defined after it. */
	for (size_t i = 0; !err && i < f->nr_secs; i++) {
		const struct uci_section *s = &f->secs[i];

		if (!strcmp(s->type, "module"))
			err = add_module(&c, s);
		else if (!strcmp(s->type, "globals"))
			err = add_globals(&c, s, &globals);
		else if (strcmp(s->type, "pipeline"))
			err = bad(&c, s->line, "section", s->type, "unknown section type (globals, "
				  "module or pipeline)%s%s", "", "");
	}
	for (size_t i = 0; !err && i < f->nr_secs; i++)
		if (!strcmp(f->secs[i].type, "pipeline"))
			err = add_pipeline(&c, &f->secs[i], anon++);
out:
	uci_free(f);
	if (err)
		manifest_free(c.m);
	else
		*out = c.m;
	return err;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr_modules; i++) {
		free(m->modules[i].name);
		free(m->modules[i].object);
		free(m->modules[i].program);
		for (size_t k = 0; k < m->modules[i].nr_renames; k++)
			free(m->modules[i].renames[k]);
		free(m->modules[i].renames);
		free(m->modules[i].prefix);
		free(m->modules[i].type);
	}
	for (size_t i = 0; i < m->nr_pipelines; i++) {
		struct manifest_pipeline *pl = &m->pipelines[i];

		for (size_t d = 0; d < pl->nr_devices; d++)
			free(pl->devices[d].name);
		free(pl->devices);
		free(pl->name);
		free(pl->backend);
		free(pl->modules);
		free(pl->module_lines);
	}
	free(m->modules);
	free(m->pipelines);
	free(m->kernel_btf);
	free(m->path);
	free(m);
}

static int module_naming(const struct manifest *m, struct plan *w,
			 const struct manifest_module *mod, struct plan_slot *s)
{
	char path[4096], where[sizeof(path) + 16];
	int err = 0;

	/* Errors about the module (pipeline_modules.c) name its section. */
	snprintf(where, sizeof(where), "%s:%u", esc_str(path, sizeof(path), m->path), mod->line);
	if (!(s->origin = strdup(where)))
		return -ENOMEM;

	if ((mod->prefix && !(s->prefix = strdup(mod->prefix))) ||
	    (mod->type && !(s->type = strdup(mod->type))))
		return -ENOMEM;
	for (size_t i = 0; !err && i < mod->nr_renames; i++)
		err = plan_add_rename(w, mod->renames[i], mod->name);
	return err;
}

int manifest_plan(const struct manifest *m, size_t p, size_t d, struct plan *out)
{
	char e_path[256];
	const struct manifest_pipeline *pl = &m->pipelines[p];
	struct plan *w = out;
	int err = 0;

	plan_init(w);
	snprintf(w->ifname, sizeof(w->ifname), "%s", pl->devices[d].name);
	snprintf(w->pipeline, sizeof(w->pipeline), "%s", pl->name);
	w->managed = true;
	w->mode = pl->mode;
	w->counters = pl->counters;
	w->backend_auto = !pl->backend || !strcmp(pl->backend, "auto");
	if (!w->backend_auto)
		rootlet_backend_parse(pl->backend, &w->backend);
	w->slots = calloc(pl->nr_modules, sizeof(*w->slots));
	if (!w->slots)
		return -ENOMEM;
	for (size_t i = 0; !err && i < pl->nr_modules; i++) {
		const struct manifest_module *mod = &m->modules[pl->modules[i]];
		struct plan_slot *s = &w->slots[w->nr_slots];

		if (!mod->enabled)
			continue;
		if (access(mod->object, R_OK)) {
			err = -errno;
			pr_err("%s:%u: module '%s': object %s: %s",
			       esc_str(e_path, sizeof(e_path), m->path), mod->object_line,
			       mod->name, mod->object, strerror(errno));
			break;
		}
		err = plan_slot_set(s, mod->object, mod->program, mod->name);
		if (err)
			break;
		for (size_t k = 0; k < w->nr_slots; k++) {
			if (strcmp(w->slots[k].path, s->path))
				continue;
			pr_err("%s:%u: pipeline '%s': modules '%s' and '%s' are the same object %s; "
			       "each object can be in a pipeline once",
			       esc_str(e_path, sizeof(e_path), m->path), pl->module_lines[i],
			       pl->name, w->slots[k].label, mod->name, s->path);
			plan_slot_free(s);
			err = -EINVAL;
			break;
		}
		if (err)
			break;
		w->nr_slots++;
		if (mod->has_mask) {
			s->continue_mask = mod->continue_mask;
			s->mask_from = PLAN_MASK_OPTION;
		}
		err = module_naming(m, w, mod, s);
	}
	w->no_rename = pl->no_rename;
	if (!err && !w->nr_slots)
		err = -ENODATA;	/* every module disabled: nothing to run */
	if (err)
		plan_free(w);
	return err;
}
