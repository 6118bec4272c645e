/* CO-RE decisions: the value of each relocation kind for the
 * local and the target spec, the ambiguity check across matching
 * candidates, and poisoning when nothing matches (as libbpf's
 * bpf_core_calc_relo_insn); core_patch.c writes the decision. */
#include "core_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define POISON_REQ 1	/* internal: "no target, poison the instruction" */

struct relo_res {
	uint64_t orig_val, new_val;
	uint32_t orig_sz, new_sz, orig_type_id, new_type_id;
	bool poison, validate, fail_memsz_adjust;
};

static int calc_field(const struct core_spec *spec, uint32_t kind, bool big_endian,
		      uint64_t *val, uint32_t *field_sz, uint32_t *type_id, bool *validate)
{
	const struct core_acc *acc;
	const struct btf_type *t, *mt;
	uint32_t byte_off, byte_sz, bit_off, bit_sz, field_type_id = 0;
	bool bitfield;
	int64_t sz;

	*field_sz = 0;
	if (kind == CORE_FIELD_EXISTS) {
		*val = spec ? 1 : 0;
		return 0;
	}
	if (!spec)
		return POISON_REQ;
	if (spec->len < 1)
		return -EINVAL;
	acc = &spec->acc[spec->len - 1];
	t = core_type(spec->btf, acc->type_id);
	if (!t)
		return -EINVAL;
	if (!acc->name) {	/* a[n]: only offset and size make sense */
		sz = core_resolve_size(spec->btf, acc->type_id);
		if (sz < 0)
			return -EINVAL;
		if (kind == CORE_FIELD_BYTE_OFFSET) {
			*val = spec->bit_offset / 8;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else if (kind == CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			return -EDOM;
		}
		if (validate)
			*validate = true;
		return 0;
	}
	if (!core_is_composite(t) || acc->idx >= core_vlen(t))
		return -EINVAL;
	mt = core_skip_mods(spec->btf, ((const struct btf_member *)(t + 1))[acc->idx].type,
			    &field_type_id);
	if (!mt)
		return -EINVAL;
	bit_off = spec->bit_offset;
	bit_sz = core_member_bitfield_sz(t, acc->idx);
	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if ((core_kind(mt) != BTF_KIND_INT && !core_is_any_enum(mt)) || !byte_sz ||
		    byte_sz > 8 || (byte_sz & (byte_sz - 1)))
			return -EINVAL;
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		/* the smallest load that holds the whole bitfield */
		while ((uint64_t)bit_off + bit_sz - (uint64_t)byte_off * 8 > (uint64_t)byte_sz * 8) {
			if (byte_sz >= 8)
				return -E2BIG;
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = core_resolve_size(spec->btf, field_type_id);
		if (sz < 0 || sz > UINT32_MAX / 8)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = spec->bit_offset / 8;
		bit_sz = byte_sz * 8;
	}
	/* for bitfields only the signedness and the right shift are certain */
	if (validate)
		*validate = !bitfield;
	switch (kind) {
	case CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*type_id = field_type_id;
		}
		break;
	case CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case CORE_FIELD_SIGNED:
		*val = (core_is_any_enum(mt) && BTF_INFO_KFLAG(mt->info)) ||
		       (core_kind(mt) == BTF_KIND_INT &&
			(BTF_INT_ENCODING(*(const uint32_t *)(mt + 1)) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		break;
	case CORE_FIELD_LSHIFT_U64:
		if (big_endian)
			*val = (8 - (uint64_t)byte_sz) * 8 + (bit_off - byte_off * 8);
		else
			*val = 64 - ((uint64_t)bit_off + bit_sz - (uint64_t)byte_off * 8);
		break;
	case CORE_FIELD_RSHIFT_U64:
		*val = 64 - (uint64_t)bit_sz;
		if (validate)
			*validate = true;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int calc_type(const struct core_spec *spec, uint32_t kind, uint64_t *val, bool *validate)
{
	int64_t sz;

	if (!spec) {	/* type relocations give 0 when there is no target type */
		*val = 0;
		return 0;
	}
	switch (kind) {
	case CORE_TYPE_ID_TARGET:
		*val = spec->root_id;
		if (validate)	/* ids change in linking: not checked */
			*validate = false;
		return 0;
	case CORE_TYPE_EXISTS:
	case CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case CORE_TYPE_SIZE:
		sz = core_resolve_size(spec->btf, spec->root_id);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		return 0;
	default:
		return -EINVAL;
	}
}

static int calc_enumval(const struct core_spec *spec, uint32_t kind, uint64_t *val)
{
	const struct btf_type *t;
	uint32_t idx;

	if (kind == CORE_ENUMVAL_EXISTS) {
		*val = spec ? 1 : 0;
		return 0;
	}
	if (!spec)
		return POISON_REQ;
	t = core_type(spec->btf, spec->acc[0].type_id);
	idx = spec->acc[0].idx;
	if (!t || !core_is_any_enum(t) || idx >= core_vlen(t))
		return -EINVAL;
	if (core_kind(t) == BTF_KIND_ENUM) {
		*val = (uint64_t)(int64_t)((const struct btf_enum *)(t + 1))[idx].val;
	} else {
		const struct btf_enum64 *e = (const struct btf_enum64 *)(t + 1) + idx;

		*val = ((uint64_t)e->val_hi32 << 32) | e->val_lo32;
	}
	return 0;
}

static bool is_unsigned_int(const struct btf_type *t)
{
	return t && core_kind(t) == BTF_KIND_INT &&
	       !(BTF_INT_ENCODING(*(const uint32_t *)(t + 1)) & BTF_INT_SIGNED);
}

static int calc_relo(const struct core_spec *local, const struct core_spec *targ,
		     bool big_endian, struct relo_res *res)
{
	uint32_t kind = local->kind;
	int ret = -EINVAL;

	memset(res, 0, sizeof(*res));
	res->validate = true;
	if (core_kind_is_field(kind)) {
		ret = calc_field(local, kind, big_endian, &res->orig_val, &res->orig_sz,
				 &res->orig_type_id, &res->validate);
		if (!ret)
			ret = calc_field(targ, kind, big_endian, &res->new_val, &res->new_sz,
					 &res->new_type_id, NULL);
		if (!ret && res->orig_sz != res->new_sz) {
			/* a load may change size only for pointers (32-bit kernels)
			 * and unsigned ints: zero extension keeps the value */
			const struct btf_type *ot = core_type(local->btf, res->orig_type_id);
			const struct btf_type *nt = core_type(targ->btf, res->new_type_id);
			bool ptrs = ot && nt && core_kind(ot) == BTF_KIND_PTR &&
				    core_kind(nt) == BTF_KIND_PTR;

			res->fail_memsz_adjust = !ptrs && !(is_unsigned_int(ot) && is_unsigned_int(nt));
		}
	} else if (core_kind_is_type(kind)) {
		ret = calc_type(local, kind, &res->orig_val, &res->validate);
		if (!ret)
			ret = calc_type(targ, kind, &res->new_val, NULL);
	} else if (core_kind_is_enumval(kind)) {
		ret = calc_enumval(local, kind, &res->orig_val);
		if (!ret)
			ret = calc_enumval(targ, kind, &res->new_val);
	}
	if (ret == POISON_REQ) {
		res->poison = true;
		ret = 0;
	}
	return ret;
}

static void fill(struct core_decision *d, const struct relo_res *r)
{
	d->orig_val = r->orig_val;
	d->new_val = r->new_val;
	d->orig_sz = r->orig_sz;
	d->new_sz = r->new_sz;
	d->poison = r->poison;
	d->validate = r->validate;
	d->fail_memsz_adjust = r->fail_memsz_adjust;
}

static const char *why(int err)
{
	switch (err) {
	case -E2BIG: return "too deep, or a bitfield no 64-bit load can hold";
	case -EDOM: return "this kind cannot be applied to an array element";
	case -ERANGE: return "offset out of range";
	default: return "malformed BTF";
	}
}

/* Try each cached candidate; keep those that match (narrowing the cache). */
static int match_cands(struct core_spec *local, const struct core_targets *ts,
		       struct core_cands *cands, struct core_decision *d, char *err, size_t errlen)
{
	struct core_spec cand, first;
	struct relo_res res, best = { 0 };
	uint32_t j = 0;
	int ret;

	for (uint32_t i = 0; i < cands->nr; i++) {
		const struct core_target *tg = &ts->t[cands->c[i].target];

		ret = core_spec_match(local, &tg->btf, cands->c[i].id, &cand);
		if (ret < 0) {
			core_errf(err, errlen, "%s: %s: error matching candidate [%u] %s in %s: %s",
				  d->local_spec, core_kind_name(local->kind), cands->c[i].id,
				  core_name(&tg->btf, cands->c[i].id), tg->name, why(ret));
			return ret;
		}
		if (!ret)
			continue;
		ret = calc_relo(local, &cand, ts->big_endian, &res);
		if (ret) {
			core_errf(err, errlen, "%s: %s: %s", d->local_spec,
				  core_kind_name(local->kind), why(ret));
			return ret;
		}
		if (!j) {
			best = res;
			first = cand;
			d->target = (int)cands->c[i].target;
			d->target_id = cands->c[i].id;
			core_format_spec(&cand, d->target_spec, sizeof(d->target_spec));
		} else if (cand.bit_offset != first.bit_offset) {
			core_errf(err, errlen, "%s: field offset ambiguity: %u != %u (candidates [%u] and [%u])",
				  d->local_spec, first.bit_offset, cand.bit_offset, d->target_id,
				  cands->c[i].id);
			return -EINVAL;
		} else if (res.poison != best.poison || res.new_val != best.new_val) {
			core_errf(err, errlen, "%s: %s: relocation decision ambiguity: %s %llu != %s %llu",
				  d->local_spec, core_kind_name(local->kind),
				  best.poison ? "failure" : "success", (unsigned long long)best.new_val,
				  res.poison ? "failure" : "success", (unsigned long long)res.new_val);
			return -EINVAL;
		}
		cands->c[j++] = cands->c[i];
	}
	d->nr_matched = j;
	if (j) {
		cands->nr = j;
		fill(d, &best);
		snprintf(d->reason, sizeof(d->reason), "%u of %u candidates match", j, d->nr_cands);
		return 0;
	}
	ret = calc_relo(local, NULL, ts->big_endian, &res);
	if (ret) {
		core_errf(err, errlen, "%s: %s: %s", d->local_spec, core_kind_name(local->kind), why(ret));
		return ret;
	}
	fill(d, &res);
	snprintf(d->reason, sizeof(d->reason), "no matching target among %u candidates%s",
		 d->nr_cands, res.poison ? ": instruction poisoned" : "");
	return 0;
}

int core_resolve(const struct btf *local_btf, const struct btf_ext_core *rec,
		 const struct core_targets *ts, struct core_cache *cache,
		 struct core_decision *d, char *err, size_t errlen)
{
	struct core_btf lv;
	struct core_spec local;
	const struct btf_type *lt;
	const char *access, *name;
	struct core_cands *cands;
	char why_buf[160] = "";
	int ret;

	memset(d, 0, sizeof(*d));
	d->insn_idx = rec->insn_off / 8;
	d->kind = rec->kind;
	d->local_id = rec->type_id;
	d->target = -1;
	core_btf_view(&lv, local_btf);
	if (rec->insn_off % 8) {
		core_errf(err, errlen, "%s relocation at byte %u: not an instruction boundary",
			  core_kind_name(rec->kind), rec->insn_off);
		return -EINVAL;
	}
	lt = rec->type_id ? core_type(&lv, rec->type_id) : NULL;
	access = btf_str(local_btf, rec->access_str_off);
	if (!lt || !access) {
		core_errf(err, errlen, "%s relocation: bad %s (type [%u], access string offset %u)",
			  core_kind_name(rec->kind), lt ? "access string offset" : "type id",
			  rec->type_id, rec->access_str_off);
		return -EINVAL;
	}
	name = core_name(&lv, rec->type_id);
	snprintf(d->access, sizeof(d->access), "%s", access);
	snprintf(d->local_name, sizeof(d->local_name), "%s %s", core_kind_str(lt),
		 *name ? name : "<anon>");
	ret = core_parse_spec(&lv, rec->type_id, access, rec->kind, &local, why_buf,
			      sizeof(why_buf));
	if (ret) {
		core_errf(err, errlen, "%s relocation: parsing [%u] %s + \"%s\" failed: %s",
			  core_kind_name(rec->kind), rec->type_id, d->local_name, d->access, why_buf);
		return -EINVAL;
	}
	core_format_spec(&local, d->local_spec, sizeof(d->local_spec));
	if (rec->kind == CORE_TYPE_ID_LOCAL) {
		d->orig_val = d->new_val = local.root_id;
		snprintf(d->reason, sizeof(d->reason), "local type id");
		return 0;
	}
	if (!*name) {
		core_errf(err, errlen, "%s: %s relocation of an anonymous type is not supported",
			  d->local_spec, core_kind_name(rec->kind));
		return -EOPNOTSUPP;
	}
	if (!cache || rec->type_id >= cache->nr_local) {
		core_errf(err, errlen, "%s: no candidate cache for this BTF", d->local_spec);
		return -EINVAL;
	}
	cands = &cache->by_id[rec->type_id];
	if (!cands->searched) {
		ret = core_find_cands(&lv, rec->type_id, ts, cands);
		if (ret) {
			core_errf(err, errlen, "%s: target candidate search failed", d->local_spec);
			return ret;
		}
		cands->searched = true;
	}
	d->nr_cands = cands->nr;
	return match_cands(&local, ts, cands, d, err, errlen);
}
