/* libxdp ".xdp_run_config" metadata reader: see runcfg.h. */
#include "runcfg.h"
#include "base/log.h"
#include "btf/btf.h"
#include "obj.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const sec_names[] = {
	".xdp_run_config", "xdp_run_config", ".data.xdp_run_config",
};

static const char *const action_names[] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
};

void runcfg_init(struct runcfg *rc)
{
	rc->priority = RUNCFG_DEFAULT_PRIORITY;
	rc->chain_call_actions = RUNCFG_DEFAULT_ACTIONS;
	rc->has_priority = false;
}

static bool is_run_config_sec(const char *name)
{
	for (size_t i = 0; i < sizeof(sec_names) / sizeof(sec_names[0]); i++)
		if (!strcmp(name, sec_names[i]))
			return true;
	return false;
}

static int action_index(const char *name)
{
	for (int i = 0; i < (int)(sizeof(action_names) / sizeof(action_names[0])); i++)
		if (!strcmp(name, action_names[i]))
			return i;
	return -1;
}

/* Value of an __uint-encoded member: `int (*name)[value]`. */
static int member_value(const struct btf *b, const struct btf_member *m, uint32_t *val)
{
	const struct btf_type *ptr = btf_type_by_id(b, btf_skip_mods(b, m->type));

	if (!ptr || BTF_INFO_KIND(ptr->info) != BTF_KIND_PTR)
		return -EINVAL;
	const struct btf_type *arr = btf_type_by_id(b, ptr->type);
	if (!arr || BTF_INFO_KIND(arr->info) != BTF_KIND_ARRAY)
		return -EINVAL;
	*val = ((const struct btf_array *)(arr + 1))->nelems;
	return 0;
}

static int parse_struct(const struct obj *o, const struct btf *b, const char *var_name,
			uint32_t type_id, struct runcfg *rc)
{
	const struct btf_type *t = btf_type_by_id(b, btf_skip_mods(b, type_id));

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT) {
		pr_err("%s: .xdp_run_config: variable '%s' is not a struct", o->path, var_name);
		return -EINVAL;
	}
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++, m++) {
		const char *name = btf_str(b, m->name_off);
		uint32_t val;

		if (!name || member_value(b, m, &val)) {
			pr_err("%s: .xdp_run_config: '%s' member #%u ('%s') is not an "
			       "int (*name)[value] field", o->path, var_name, i, name ? name : "?");
			return -EINVAL;
		}
		int act = action_index(name);
		if (!strcmp(name, "priority")) {
			rc->priority = val;
			rc->has_priority = true;
		} else if (act >= 0) {
			if (val)
				rc->chain_call_actions |= 1u << act;
			else
				rc->chain_call_actions &= ~(1u << act);
		} else {
			pr_err("%s: .xdp_run_config: '%s' has unknown member '%s' "
			       "(expected priority or XDP_<ACTION>)", o->path, var_name, name);
			return -EINVAL;
		}
	}
	return 0;
}

int runcfg_read(const struct obj *o, const char *prog_name, struct runcfg *out)
{
	const struct btf *b = o->btf;
	char want[160];

	runcfg_init(out);
	if (!b)
		return -ENOENT;
	int n = snprintf(want, sizeof(want), "_%s", prog_name);
	if (n < 0 || (size_t)n >= sizeof(want))
		return -ENOENT;

	for (uint32_t id = 1; id < btf_nr_types(b); id++) {
		const struct btf_type *sec = btf_type_by_id(b, id);
		if (!sec || BTF_INFO_KIND(sec->info) != BTF_KIND_DATASEC)
			continue;
		const char *sec_name = btf_str(b, sec->name_off);
		if (!sec_name || !is_run_config_sec(sec_name))
			continue;
		const struct btf_var_secinfo *vs = (const struct btf_var_secinfo *)(sec + 1);
		for (uint32_t i = 0; i < BTF_INFO_VLEN(sec->info); i++, vs++) {
			const struct btf_type *var = btf_type_by_id(b, vs->type);
			const char *name = var ? btf_str(b, var->name_off) : NULL;

			if (!var || BTF_INFO_KIND(var->info) != BTF_KIND_VAR || !name ||
			    strcmp(name, want))
				continue;
			int err = parse_struct(o, b, name, var->type, out);
			if (err)
				runcfg_init(out);
			return err;
		}
	}
	return -ENOENT;
}
