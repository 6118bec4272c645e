/* CO-RE candidate search: target types of a compatible kind whose essential
 * name (without "___flavor") equals the local type's, in vmlinux BTF first
 * and, only when vmlinux has none, in every module BTF (each module's own
 * types: ids from its start id).  As libbpf's bpf_core_find_cands(). */
#include "core_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int push_cand(struct core_cands *out, uint32_t target, uint32_t id)
{
	if ((out->nr & (out->nr - 1)) == 0 || !out->nr) {
		uint32_t cap = out->nr ? 2 * out->nr : 4;
		struct core_cand *n = realloc(out->c, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		out->c = n;
	}
	out->c[out->nr++] = (struct core_cand){ .target = target, .id = id };
	return 0;
}

static int add_cands(const struct btf_type *local_t, const char *local_name, size_t essent_len,
		     const struct core_targets *ts, uint32_t ti, uint32_t start_id,
		     struct core_cands *out)
{
	const struct core_btf *tb = &ts->t[ti].btf;

	for (uint32_t id = start_id; id < tb->nr_types; id++) {
		const struct btf_type *t = core_type(tb, id);
		const char *name;
		int ret;

		if (!t || !core_kind_compat(t, local_t))
			continue;
		name = core_name(tb, id);
		if (!*name || core_essential_len(name) != essent_len ||
		    strncmp(name, local_name, essent_len))
			continue;
		ret = push_cand(out, ti, id);
		if (ret)
			return ret;
	}
	return 0;
}

int core_find_cands(const struct core_btf *local, uint32_t local_id,
		    const struct core_targets *ts, struct core_cands *out)
{
	const struct btf_type *local_t = local_id ? core_type(local, local_id) : NULL;
	const char *name;
	size_t len;
	int ret;

	out->nr = 0;
	if (!local_t || !ts->nr)
		return -EINVAL;
	name = core_name(local, local_id);
	if (!*name)
		return -EINVAL;
	len = core_essential_len(name);
	ret = add_cands(local_t, name, len, ts, 0, 1, out);
	if (ret || out->nr)
		return ret;
	for (uint32_t ti = 1; !ret && ti < ts->nr; ti++)
		ret = add_cands(local_t, name, len, ts, ti, ts->t[ti].btf.start_id, out);
	return ret;
}

struct core_cache *core_cache_new(const struct btf *local)
{
	struct core_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->nr_local = btf_nr_types(local);
	c->by_id = calloc(c->nr_local ? c->nr_local : 1, sizeof(*c->by_id));
	if (!c->by_id) {
		free(c);
		return NULL;
	}
	return c;
}

void core_cache_free(struct core_cache *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->nr_local; i++)
		free(c->by_id[i].c);
	free(c->by_id);
	free(c);
}
