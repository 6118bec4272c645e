/* Section-type override for legacy program section names: see prog_type.h. */
#include "prog_type.h"

#include "base/log.h"
#include "load.h"
#include "btf/btf.h"
#include "elf/obj.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_MAX 32

/* A type is usable when it names a program type on its own and keeps that
 * type with "/<name>" behind it (so "kprobe/" or "xdp_foo" are not). */
int prog_type_check(const char *what, const char *type)
{
	uint32_t t1, a1, f1, t2, a2, f2;
	char probe[TYPE_MAX + 8];

	if (strlen(type) < TYPE_MAX && type[0] != '?') {
		snprintf(probe, sizeof(probe), "%s/x", type);
		if (!load_prog_type_from_sec(type, &t1, &a1, &f1) &&
		    !load_prog_type_from_sec(probe, &t2, &a2, &f2) &&
		    t1 == t2 && a1 == a2 && f1 == f2)
			return 0;
	}
	pr_err("%s: unknown program type '%s' (xdp, xdp.frags, tc, ...: a section "
	       "name prefix)", what, type);
	return -EINVAL;
}

static int rename_ext_secs(struct btf_ext_info *info, const char *old, const char *new_name)
{
	for (size_t i = 0; i < info->nr_secs; i++) {
		char *n;

		if (strcmp(info->secs[i].sec_name, old))
			continue;
		n = strdup(new_name);
		if (!n)
			return -ENOMEM;
		free(info->secs[i].sec_name);
		info->secs[i].sec_name = n;
	}
	return 0;
}

static int retype_sec(struct obj *o, uint32_t sec, const char *type)
{
	const char *old = o->secs[sec].name;
	size_t len = strlen(type) + strlen(old) + 2;
	char *n = malloc(len);
	int err = 0;

	if (!n)
		return -ENOMEM;
	snprintf(n, len, "%s/%s", type, old);
	if (obj_find_sec(o, n) > 0) {
		pr_err("%s: section '%s' cannot be renamed to '%s' for --type %s: that "
		       "section exists", o->path, old, n, type);
		free(n);
		return -EEXIST;
	}
	if (o->btf_ext) {
		err = rename_ext_secs(&o->btf_ext->func, old, n);
		if (!err)
			err = rename_ext_secs(&o->btf_ext->line, old, n);
		if (!err)
			err = rename_ext_secs(&o->btf_ext->core, old, n);
	}
	if (err) {
		free(n);
		return err;
	}
	pr_debug("%s: section '%s' loads as '%s'", o->path, old, n);
	free(o->secs[sec].name);
	o->secs[sec].name = n;
	return 0;
}

int obj_retype_programs(struct obj *o, const char *type, size_t *nr)
{
	uint32_t t, a, f;
	size_t count = 0;
	int err = 0;

	for (uint32_t sec = 1; !err && sec < o->nr_secs; sec++) {
		if (!obj_sec_is_prog(o, sec) || obj_sec_is_text(o, sec) ||
		    !load_prog_type_from_sec(o->secs[sec].name, &t, &a, &f))
			continue;
		err = retype_sec(o, sec, type);
		count += !err;
	}
	if (nr)
		*nr = count;
	return err;
}
