/* The naming rules of a plan (see plan.h): what `xdpld link` takes as
 * --rename, --prefix and --no-rename, for the modules of a pipeline, plus
 * each module's section-type override.  Rules name modules by label, so
 * they survive a relink to a file with another name. */
#include "plan.h"

#include "base/log.h"
#include "kernel/prog_type.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 127	/* BTF names are longer, vendors' are not */

/* As link takes them: an existing name may hold '.' (clang's names), a new
 * name or prefix may not (it can become a pin name, and bpffs refuses '.'). */
static bool is_name(const char *s, size_t n, bool allow_dot)
{
	if (!n || n > NAME_MAX_LEN || (*s >= '0' && *s <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || (allow_dot && s[i] == '.')))
			return false;
	return true;
}

#define is_ident(s, n) is_name(s, n, false)

bool plan_name_ok(const char *s, bool allow_dot)
{
	return is_name(s, strlen(s), allow_dot);
}

static bool is_str(const char *s, const char *mod, size_t len)
{
	return strlen(s) == len && !strncmp(s, mod, len);
}

/* MODULE is slot s's path or file name. */
static bool names_file(const struct plan_slot *s, const char *mod, size_t len)
{
	return is_str(s->path, mod, len) || is_str(strrchr(s->path, '/') + 1, mod, len);
}

/* Slot for MODULE (label, else path or file name), or -1 (logged).  Two
 * modules may share a file name (then they are named: NAME=OBJ). */
static int module_slot(const struct plan *p, const char *opt, const char *arg,
		       const char *mod, size_t len)
{
	int hit = -1;

	for (size_t i = 0; i < p->nr_slots; i++)
		if (is_str(p->slots[i].label, mod, len))
			return (int)i;
	for (size_t i = 0; i < p->nr_slots; i++) {
		if (!names_file(&p->slots[i], mod, len))
			continue;
		if (hit >= 0) {
			pr_err("%s '%s': '%.*s' is the file of modules %s and %s: use the module "
			       "name", opt, arg, (int)len, mod, p->slots[hit].label,
			       p->slots[i].label);
			return -1;
		}
		hit = (int)i;
	}
	if (hit < 0)
		pr_err("%s '%s': no module '%.*s' in the pipeline", opt, arg, (int)len, mod);
	return hit;
}

/* The label a rule names: MODULE checked against only_label. */
static int rule_label(const struct plan *p, const char *opt, const char *arg, const char *mod,
		      size_t len, const char *only_label, const char **label)
{
	int i;

	*label = only_label;
	if (!mod)
		return 0;
	i = module_slot(p, opt, arg, mod, len);
	if (i < 0)
		return -EINVAL;
	if (only_label && strcmp(p->slots[i].label, only_label)) {
		pr_err("%s '%s': names module %s, not %s (the module being re-linked)", opt, arg,
		       p->slots[i].label, only_label);
		return -EINVAL;
	}
	*label = p->slots[i].label;
	return 0;
}

int plan_add_rename(struct plan *p, const char *arg, const char *only_label)
{
	const char *eq = strchr(arg, '='), *colon, *old, *label;
	struct plan_rename *r;
	int err;

	if (!eq)
		goto bad;
	/* The last ':' before '=': a module path may hold one. */
	for (colon = eq; colon > arg && colon[-1] != ':'; colon--)
		;
	old = colon;
	if (!is_name(old, (size_t)(eq - old), true) || !is_ident(eq + 1, strlen(eq + 1)))
		goto bad;
	err = rule_label(p, "--rename", arg, colon > arg ? arg : NULL,
			 colon > arg ? (size_t)(colon - 1 - arg) : 0, only_label, &label);
	if (err)
		return err;
	r = realloc(p->renames, (p->nr_renames + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	p->renames = r;
	r += p->nr_renames;
	r->module = label ? strdup(label) : NULL;
	r->old_name = strndup(old, (size_t)(eq - old));
	r->new_name = strdup(eq + 1);
	p->nr_renames++;
	if ((label && !r->module) || !r->old_name || !r->new_name)
		return -ENOMEM;	/* the entry is freed with the plan */
	return 0;
bad:
	pr_err("bad --rename '%s' (expected [MODULE:]OLD=NEW, NEW of letters, digits "
	       "and '_')", arg);
	return -EINVAL;
}

int plan_set_prefix(struct plan *p, const char *arg, const char *only_label)
{
	const char *eq = strrchr(arg, '='), *label;
	char *dup;
	int err;

	if (!eq || eq == arg || !is_ident(eq + 1, strlen(eq + 1)) || strlen(eq + 1) > 32) {
		pr_err("bad --prefix '%s' (expected MODULE=PFX, PFX of at most 32 letters, "
		       "digits and '_')", arg);
		return -EINVAL;
	}
	err = rule_label(p, "--prefix", arg, arg, (size_t)(eq - arg), only_label, &label);
	if (err)
		return err;
	for (size_t i = 0; i < p->nr_slots; i++) {
		if (strcmp(p->slots[i].label, label))
			continue;
		dup = strdup(eq + 1);
		if (!dup)
			return -ENOMEM;
		free(p->slots[i].prefix);
		p->slots[i].prefix = dup;
	}
	return 0;
}

int plan_set_type(struct plan *p, size_t i, const char *type)
{
	char *dup = NULL;

	if (type && prog_type_check(p->slots[i].label, type))
		return -EINVAL;
	if (type && !(dup = strdup(type)))
		return -ENOMEM;
	free(p->slots[i].type);
	p->slots[i].type = dup;
	return 0;
}

void plan_renames_free(struct plan_rename *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(r[i].module);
		free(r[i].old_name);
		free(r[i].new_name);
	}
	free(r);
}

static void drop_renames(struct plan *p, const char *label)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nr_renames; i++) {
		struct plan_rename *r = &p->renames[i];

		if (r->module && !strcmp(r->module, label)) {
			free(r->module);
			free(r->old_name);
			free(r->new_name);
			continue;
		}
		p->renames[k++] = *r;
	}
	p->nr_renames = k;
}

int plan_apply_naming(struct plan *p, const struct plan_naming_args *a, const char *only_label)
{
	int err = 0;

	if (only_label && a->nr_renames)
		drop_renames(p, only_label);
	for (size_t i = 0; !err && i < a->nr_renames; i++)
		err = plan_add_rename(p, a->renames[i], only_label);
	for (size_t i = 0; !err && i < a->nr_prefixes; i++)
		err = plan_set_prefix(p, a->prefixes[i], only_label);
	for (size_t i = 0; !err && a->type && i < p->nr_slots; i++)
		if (!only_label || !strcmp(p->slots[i].label, only_label))
			err = plan_set_type(p, i, a->type);
	p->no_rename |= a->no_rename;
	return err;
}

static bool rule_for(const struct plan_rename *r, const char *label)
{
	return label ? r->module && !strcmp(r->module, label) : !r->module;
}

/* The k-th rule of p for label, or NULL. */
static const struct plan_rename *nth_rule(const struct plan *p, const char *label, size_t k)
{
	for (size_t i = 0; i < p->nr_renames; i++)
		if (rule_for(&p->renames[i], label) && !k--)
			return &p->renames[i];
	return NULL;
}

bool plan_naming_same(const struct plan *a, const struct plan *b, const char *label)
{
	if (!label && a->no_rename != b->no_rename)
		return false;
	for (size_t k = 0;; k++) {
		const struct plan_rename *x = nth_rule(a, label, k), *y = nth_rule(b, label, k);

		if (!x || !y)
			return x == y;
		if (strcmp(x->old_name, y->old_name) || strcmp(x->new_name, y->new_name))
			return false;
	}
}

int plan_naming_adopt(struct plan *a, const struct plan *b)
{
	struct plan_rename *r = calloc(b->nr_renames ? b->nr_renames : 1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < b->nr_renames; i++) {
		const struct plan_rename *s = &b->renames[i];

		r[i].module = s->module ? strdup(s->module) : NULL;
		r[i].old_name = strdup(s->old_name);
		r[i].new_name = strdup(s->new_name);
		if ((s->module && !r[i].module) || !r[i].old_name || !r[i].new_name) {
			plan_renames_free(r, i + 1);
			return -ENOMEM;
		}
	}
	plan_renames_free(a->renames, a->nr_renames);
	a->renames = r;
	a->nr_renames = b->nr_renames;
	a->no_rename = b->no_rename;
	return 0;
}
