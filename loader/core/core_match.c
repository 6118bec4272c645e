/* CO-RE matching of a local spec against one target candidate, with
 * libbpf's rules: named members found by name (anonymous struct/union
 * members searched through), field types compatible, arrays bounded (flex
 * arrays excepted), enumerators by essential name; type compatibility for
 * type relocations, and TYPE_MATCHES' stricter structural match. */
#include "core_priv.h"

#include <errno.h>
#include <string.h>

static int fields_compat(const struct core_btf *lb, uint32_t lid, const struct core_btf *tb,
			 uint32_t tid)
{
	for (int depth = 0; depth < CORE_MAX_DEPTH; depth++) {
		const struct btf_type *lt = core_skip_mods(lb, lid, &lid);
		const struct btf_type *tt = core_skip_mods(tb, tid, &tid);

		if (!lt || !tt)
			return -EINVAL;
		if (core_is_composite(lt) && core_is_composite(tt))
			return 1;
		if (!core_kind_compat(lt, tt))
			return 0;
		switch (core_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			const char *ln = core_name(lb, lid), *tn = core_name(tb, tid);

			/* anonymous on either side, or the same essential name */
			return !core_essential_len(ln) || !core_essential_len(tn) ||
			       core_names_match(ln, tn);
		}
		case BTF_KIND_INT:
			/* only deprecated bitfield-like ints are refused */
			return BTF_INT_OFFSET(*(const uint32_t *)(lt + 1)) == 0 &&
			       BTF_INT_OFFSET(*(const uint32_t *)(tt + 1)) == 0;
		case BTF_KIND_ARRAY:
			lid = ((const struct btf_array *)(lt + 1))->type;
			tid = ((const struct btf_array *)(tt + 1))->type;
			break;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Find local_acc's member by name in target composite targ_id, descending
 * into anonymous members; raw indexes and bit offset speculated and undone. */
static int match_member(const struct core_spec *local, const struct core_acc *local_acc,
			uint32_t targ_id, struct core_spec *spec, uint32_t *next_id)
{
	const struct core_btf *tb = spec->btf;
	const struct btf_type *tt = core_skip_mods(tb, targ_id, &targ_id);
	const struct btf_type *lt = core_type(local->btf, local_acc->type_id);
	const struct btf_member *lm, *m;
	const char *lname;

	if (!tt || !lt || !core_is_composite(lt) || local_acc->idx >= core_vlen(lt))
		return -EINVAL;
	if (!core_is_composite(tt))
		return 0;
	lm = (const struct btf_member *)(lt + 1) + local_acc->idx;
	lname = core_str(local->btf, lm->name_off);
	if (!lname)
		return -EINVAL;
	m = (const struct btf_member *)(tt + 1);
	for (uint32_t i = 0; i < core_vlen(tt); i++, m++) {
		uint32_t bit = core_member_bit_off(tt, i);
		const char *tname = core_str(tb, m->name_off);
		int found;

		if (spec->raw_len == CORE_SPEC_MAX || --spec->budget < 0)
			return -E2BIG;
		spec->bit_offset += bit;
		spec->raw[spec->raw_len++] = i;
		if (!tname || !*tname) {
			found = match_member(local, local_acc, m->type, spec, next_id);
			if (found)
				return found;
		} else if (!strcmp(lname, tname)) {
			spec->acc[spec->len++] = (struct core_acc){ .type_id = targ_id, .idx = i,
								    .name = tname };
			*next_id = m->type;
			found = fields_compat(local->btf, lm->type, tb, m->type);
			if (found <= 0)
				spec->len--;
			return found;
		}
		spec->bit_offset -= bit;
		spec->raw_len--;
	}
	return 0;
}

static int match_enumval(const struct core_spec *local, uint32_t targ_id, struct core_spec *out)
{
	const struct btf_type *tt = core_skip_mods(out->btf, targ_id, &targ_id);

	if (!tt || !core_is_any_enum(tt))
		return 0;
	for (uint32_t i = 0; i < core_vlen(tt); i++) {
		const char *n = core_str(out->btf, core_enum_name_off(tt, i));

		if (n && core_names_match(local->acc[0].name, n)) {
			out->acc[0] = (struct core_acc){ .type_id = targ_id, .idx = i, .name = n };
			out->len = 1;
			out->raw[0] = i;
			out->raw_len = 1;
			return 1;
		}
	}
	return 0;
}

int core_spec_match(const struct core_spec *local, const struct core_btf *tb, uint32_t targ_id,
		    struct core_spec *out)
{
	memset(out, 0, sizeof(*out));
	out->btf = tb;
	out->root_id = targ_id;
	out->kind = local->kind;
	out->budget = CORE_BUDGET;
	if (core_kind_is_type(local->kind)) {
		if (local->kind == CORE_TYPE_MATCHES)
			return core_types_match(local->btf, local->root_id, tb, targ_id, false,
						CORE_MAX_DEPTH, &out->budget);
		return core_types_compat(local->btf, local->root_id, tb, targ_id, CORE_MAX_DEPTH,
					 &out->budget);
	}
	if (core_kind_is_enumval(local->kind))
		return match_enumval(local, targ_id, out);
	if (!core_kind_is_field(local->kind))
		return -EINVAL;
	for (int i = 0; i < local->len; i++) {
		const struct core_acc *la = &local->acc[i];
		const struct btf_type *tt = core_skip_mods(tb, targ_id, &targ_id);
		int64_t sz;
		int ret;

		if (!tt)
			return -EINVAL;
		if (la->name) {
			ret = match_member(local, la, targ_id, out, &targ_id);
			if (ret <= 0)
				return ret;
			continue;
		}
		/* i == 0: the root itself is the "element" */
		if (i > 0) {
			const struct btf_array *a = (const struct btf_array *)(tt + 1);

			if (core_kind(tt) != BTF_KIND_ARRAY)
				return 0;
			if (!core_is_flex_arr(tb, &out->acc[out->len - 1], a) && la->idx >= a->nelems)
				return 0;
			if (!core_skip_mods(tb, a->type, &targ_id))
				return -EINVAL;
		}
		if (out->raw_len == CORE_SPEC_MAX)
			return -E2BIG;
		out->acc[out->len++] = (struct core_acc){ .type_id = targ_id, .idx = la->idx };
		out->raw[out->raw_len++] = la->idx;
		sz = core_resolve_size(tb, targ_id);
		if (sz < 0)
			return (int)sz;
		if ((uint64_t)la->idx * (uint64_t)sz * 8 > UINT32_MAX - out->bit_offset)
			return -ERANGE;
		out->bit_offset += (uint32_t)((uint64_t)la->idx * (uint64_t)sz * 8);
	}
	return 1;
}

/* ---- type relocations ---- */

int core_types_compat(const struct core_btf *lb, uint32_t lid, const struct core_btf *tb,
		      uint32_t tid, int level, int *budget)
{
	const struct btf_type *lt = core_type(lb, lid), *tt = core_type(tb, tid);

	if (!lt || !tt)
		return -EINVAL;
	if (!core_kind_compat(lt, tt))
		return 0;
	for (int depth = 0; depth < CORE_MAX_DEPTH; depth++) {
		if (--*budget < 0)
			return -E2BIG;
		lt = core_skip_mods(lb, lid, &lid);
		tt = core_skip_mods(tb, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (!core_kind_compat(lt, tt))
			return 0;
		switch (core_kind(lt)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM64:
			return 1;
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(*(const uint32_t *)(lt + 1)) == 0 &&
			       BTF_INT_OFFSET(*(const uint32_t *)(tt + 1)) == 0;
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			break;
		case BTF_KIND_ARRAY:
			lid = ((const struct btf_array *)(lt + 1))->type;
			tid = ((const struct btf_array *)(tt + 1))->type;
			break;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = (const void *)(lt + 1), *tp = (const void *)(tt + 1);

			if (core_vlen(lt) != core_vlen(tt))
				return 0;
			for (uint32_t i = 0; i < core_vlen(lt); i++) {
				uint32_t a = 0, b = 0;
				int ret;

				if (level <= 0)
					return -EINVAL;
				if (!core_skip_mods(lb, lp[i].type, &a) ||
				    !core_skip_mods(tb, tp[i].type, &b))
					return -EINVAL;
				ret = core_types_compat(lb, a, tb, b, level - 1, budget);
				if (ret <= 0)
					return ret;
			}
			lid = lt->type;
			tid = tt->type;
			break;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Essential names equal; an anonymous target matches only an anonymous local. */
static bool names_match_off(const struct core_btf *lb, uint32_t loff, const struct core_btf *tb,
			    uint32_t toff)
{
	const char *ln = core_str(lb, loff), *tn = core_str(tb, toff);

	if (!ln || !tn)
		return false;
	if (!*tn)
		return !*ln;
	return core_names_match(ln, tn);
}

static int enums_match(const struct core_btf *lb, const struct btf_type *lt,
		       const struct core_btf *tb, const struct btf_type *tt, int *budget)
{
	if (lt->size != tt->size || core_vlen(lt) > core_vlen(tt))
		return 0;
	for (uint32_t i = 0; i < core_vlen(lt); i++) {
		bool matched = false;

		for (uint32_t j = 0; j < core_vlen(tt) && !matched; j++) {
			if (--*budget < 0)
				return -E2BIG;
			matched = names_match_off(lb, core_enum_name_off(lt, i), tb,
						  core_enum_name_off(tt, j));
		}
		if (!matched)
			return 0;
	}
	return 1;
}

static int composites_match(const struct core_btf *lb, const struct btf_type *lt,
			    const struct core_btf *tb, const struct btf_type *tt,
			    bool behind_ptr, int level, int *budget)
{
	const struct btf_member *lm = (const void *)(lt + 1);

	if (core_vlen(lt) > core_vlen(tt))
		return 0;
	for (uint32_t i = 0; i < core_vlen(lt); i++, lm++) {
		const struct btf_member *tm = (const void *)(tt + 1);
		bool matched = false;

		for (uint32_t j = 0; j < core_vlen(tt) && !matched; j++, tm++) {
			int ret;

			if (--*budget < 0)
				return -E2BIG;
			if (!names_match_off(lb, lm->name_off, tb, tm->name_off))
				continue;
			ret = core_types_match(lb, lm->type, tb, tm->type, behind_ptr, level - 1,
					       budget);
			if (ret < 0)
				return ret;
			matched = ret > 0;
		}
		if (!matched)
			return 0;
	}
	return 1;
}

int core_types_match(const struct core_btf *lb, uint32_t lid, const struct core_btf *tb,
		     uint32_t tid, bool behind_ptr, int level, int *budget)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < CORE_MAX_DEPTH; depth++) {
		if (--*budget < 0)
			return -E2BIG;
		const struct btf_type *lt = core_skip_mods(lb, lid, &lid);
		const struct btf_type *tt = core_skip_mods(tb, tid, &tid);
		uint32_t lk, tk;

		if (!lt || !tt)
			return -EINVAL;
		if (!names_match_off(lb, lt->name_off, tb, tt->name_off))
			return 0;
		lk = core_kind(lt);
		tk = core_kind(tt);
		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD: {
			bool lf = BTF_INFO_KFLAG(lt->info);

			if (lk == tk)
				return lf == BTF_INFO_KFLAG(tt->info);
			/* behind a pointer a fwd matches the struct (0) or union (1) */
			return behind_ptr && ((tk == BTF_KIND_STRUCT && !lf) ||
					      (tk == BTF_KIND_UNION && lf));
		}
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return core_is_any_enum(tt) ? enums_match(lb, lt, tb, tt, budget) : 0;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr) {
				if (lk == tk)
					return 1;
				return tk == BTF_KIND_FWD &&
				       (lk == BTF_KIND_UNION) == !!BTF_INFO_KFLAG(tt->info);
			}
			if (lk != tk)
				return 0;
			return composites_match(lb, lt, tb, tt, behind_ptr, level, budget);
		case BTF_KIND_INT: {
			uint32_t le = *(const uint32_t *)(lt + 1), te;

			if (lk != tk)
				return 0;
			te = *(const uint32_t *)(tt + 1);
			return lt->size == tt->size &&
			       (BTF_INT_ENCODING(le) & BTF_INT_SIGNED) ==
				       (BTF_INT_ENCODING(te) & BTF_INT_SIGNED);
		}
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			lid = lt->type;
			tid = tt->type;
			break;
		case BTF_KIND_ARRAY: {
			const struct btf_array *la = (const void *)(lt + 1), *ta = (const void *)(tt + 1);

			if (lk != tk || la->nelems != ta->nelems)
				return 0;
			lid = la->type;
			tid = ta->type;
			break;
		}
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = (const void *)(lt + 1), *tp = (const void *)(tt + 1);

			if (lk != tk || core_vlen(lt) != core_vlen(tt))
				return 0;
			for (uint32_t i = 0; i < core_vlen(lt); i++) {
				int ret = core_types_match(lb, lp[i].type, tb, tp[i].type, behind_ptr,
							   level - 1, budget);

				if (ret <= 0)
					return ret;
			}
			lid = lt->type;
			tid = tt->type;
			break;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}
