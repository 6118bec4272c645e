/* CO-RE access specs: kinds, essential names, parsing an access string
 * ("0:1:2") against the local BTF, and rendering a spec as libbpf does
 * ("[7] struct ethhdr.h_proto (0:2 @ offset 12)"). */
#include "core_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
	[CORE_FIELD_BYTE_OFFSET] = "byte_off",
	[CORE_FIELD_BYTE_SIZE] = "byte_sz",
	[CORE_FIELD_EXISTS] = "field_exists",
	[CORE_FIELD_SIGNED] = "signed",
	[CORE_FIELD_LSHIFT_U64] = "lshift_u64",
	[CORE_FIELD_RSHIFT_U64] = "rshift_u64",
	[CORE_TYPE_ID_LOCAL] = "local_type_id",
	[CORE_TYPE_ID_TARGET] = "target_type_id",
	[CORE_TYPE_EXISTS] = "type_exists",
	[CORE_TYPE_SIZE] = "type_size",
	[CORE_ENUMVAL_EXISTS] = "enumval_exists",
	[CORE_ENUMVAL_VALUE] = "enumval_value",
	[CORE_TYPE_MATCHES] = "type_matches",
};

const char *core_kind_name(uint32_t kind)
{
	return kind <= CORE_KIND_MAX ? kind_names[kind] : "unknown";
}

bool core_kind_is_field(uint32_t kind)
{
	return kind <= CORE_FIELD_RSHIFT_U64;
}

bool core_kind_is_type(uint32_t kind)
{
	return (kind >= CORE_TYPE_ID_LOCAL && kind <= CORE_TYPE_SIZE) || kind == CORE_TYPE_MATCHES;
}

bool core_kind_is_enumval(uint32_t kind)
{
	return kind == CORE_ENUMVAL_EXISTS || kind == CORE_ENUMVAL_VALUE;
}

const char *core_kind_str(const struct btf_type *t)
{
	static const char *const names[] = {
		"void", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef",
		"volatile", "const", "restrict", "func", "func_proto", "var", "datasec",
		"float", "decl_tag", "type_tag", "enum64",
	};
	uint32_t k = core_kind(t);

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

/* X___Y with X and Y not underscores: a flavor separator. */
static bool is_flavor_sep(const char *s)
{
	return s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_';
}

size_t core_essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;) {
		if (is_flavor_sep(name + i))
			return i + 1;
	}
	return n;
}

bool core_names_match(const char *a, const char *b)
{
	size_t la = core_essential_len(a), lb = core_essential_len(b);

	return la == lb && !strncmp(a, b, la);
}

/* Digits separated by single colons, each <= INT32_MAX, at most CORE_SPEC_MAX. */
static int parse_raw(const char *s, struct core_spec *spec)
{
	while (*s) {
		uint64_t v = 0;

		if (spec->raw_len && *s++ != ':')
			return -EINVAL;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > INT32_MAX)
				return -ERANGE;
		}
		if (spec->raw_len == CORE_SPEC_MAX)
			return -E2BIG;
		spec->raw[spec->raw_len++] = (uint32_t)v;
	}
	return spec->raw_len ? 0 : -EINVAL;
}

bool core_is_flex_arr(const struct core_btf *b, const struct core_acc *acc,
		      const struct btf_array *arr)
{
	const struct btf_type *t;

	if (!acc->name || arr->nelems > 0)
		return false;
	t = core_type(b, acc->type_id);
	return t && acc->idx + 1 == core_vlen(t);
}

/* bit_offset += idx * elem_size * 8, refusing overflow (libbpf wraps). */
static int add_bits(struct core_spec *spec, uint32_t idx, int64_t sz)
{
	uint64_t bits;

	if (sz < 0)
		return (int)sz;
	bits = (uint64_t)idx * (uint64_t)sz * 8;
	if (bits > UINT32_MAX - spec->bit_offset)
		return -ERANGE;
	spec->bit_offset += (uint32_t)bits;
	return 0;
}

static int parse_field(const struct core_btf *b, uint32_t id, struct core_spec *spec,
		       char *err, size_t errlen)
{
	int ret = add_bits(spec, spec->raw[0], core_resolve_size(b, id));

	if (ret) {
		core_errf(err, errlen, "root type [%u] has no usable size", id);
		return ret;
	}
	for (int i = 1; i < spec->raw_len; i++) {
		const struct btf_type *t = core_skip_mods(b, id, &id);
		uint32_t idx = spec->raw[i];
		struct core_acc *acc = &spec->acc[spec->len];

		if (!t)
			return -EINVAL;
		if (core_is_composite(t)) {
			const struct btf_member *m;
			uint32_t bit = idx < core_vlen(t) ? core_member_bit_off(t, idx) : 0;

			if (idx >= core_vlen(t) || bit > UINT32_MAX - spec->bit_offset) {
				core_errf(err, errlen, "index %u: %s %s has %u members", idx,
					  core_kind_str(t), core_name(b, id), core_vlen(t));
				return -EINVAL;
			}
			m = (const struct btf_member *)(t + 1) + idx;
			spec->bit_offset += bit;
			if (m->name_off) {
				const char *name = core_str(b, m->name_off);

				if (!name || !*name)
					return -EINVAL;
				*acc = (struct core_acc){ .type_id = id, .idx = idx, .name = name };
				spec->len++;
			}
			id = m->type;
		} else if (core_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *a = (const struct btf_array *)(t + 1);
			bool flex = core_is_flex_arr(b, acc - 1, a);

			if (!core_skip_mods(b, a->type, &id))
				return -EINVAL;
			if (!flex && idx >= a->nelems) {
				core_errf(err, errlen, "index %u beyond array of %u", idx, a->nelems);
				return -EINVAL;
			}
			*acc = (struct core_acc){ .type_id = id, .idx = idx };
			spec->len++;
			ret = add_bits(spec, idx, core_resolve_size(b, id));
			if (ret) {
				core_errf(err, errlen, "array element type [%u]: bad size", id);
				return ret;
			}
		} else {
			core_errf(err, errlen, "index #%d captures type [%u] of unexpected kind %s",
				  i, id, core_kind_str(t));
			return -EINVAL;
		}
	}
	return 0;
}

int core_parse_spec(const struct core_btf *b, uint32_t type_id, const char *access,
		    uint32_t kind, struct core_spec *spec, char *err, size_t errlen)
{
	const struct btf_type *t;
	uint32_t id;
	int ret;

	memset(spec, 0, sizeof(*spec));
	spec->btf = b;
	spec->root_id = type_id;
	spec->kind = kind;
	if (kind > CORE_KIND_MAX) {
		core_errf(err, errlen, "unknown relocation kind %u", kind);
		return -EINVAL;
	}
	ret = parse_raw(access, spec);
	if (ret) {
		core_errf(err, errlen, "malformed access string");
		return ret;
	}
	if (core_kind_is_type(kind)) {
		if (strcmp(access, "0")) {
			core_errf(err, errlen, "type relocation with access string other than \"0\"");
			return -EINVAL;
		}
		return 0;
	}
	t = core_skip_mods(b, type_id, &id);
	if (!t || !id) {
		core_errf(err, errlen, "bad root type [%u]", type_id);
		return -EINVAL;
	}
	spec->acc[0] = (struct core_acc){ .type_id = id, .idx = spec->raw[0] };
	spec->len = 1;
	if (core_kind_is_enumval(kind)) {
		if (!core_is_any_enum(t) || spec->raw_len > 1 || spec->raw[0] >= core_vlen(t)) {
			core_errf(err, errlen, "enumerator %u: not an enum or out of range",
				  spec->raw[0]);
			return -EINVAL;
		}
		spec->acc[0].name = core_str(b, core_enum_name_off(t, spec->raw[0]));
		if (!spec->acc[0].name)
			return -EINVAL;
		return 0;
	}
	return parse_field(b, id, spec, err, errlen);
}

struct sbuf {
	char *p;
	size_t len, used;
};

static void sb_add(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->used >= s->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->p + s->used, s->len - s->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->used += (size_t)n;
}

void core_format_spec(const struct core_spec *spec, char *buf, size_t len)
{
	struct sbuf s = { buf, len, 0 };
	const struct btf_type *t = core_type(spec->btf, spec->root_id);
	const char *name = core_name(spec->btf, spec->root_id);

	if (!len)
		return;
	buf[0] = '\0';
	if (!t)
		return sb_add(&s, "[%u] <bad type>", spec->root_id);
	sb_add(&s, "[%u] %s %s", spec->root_id, core_kind_str(t), *name ? name : "<anon>");
	if (core_kind_is_type(spec->kind) || !spec->raw_len)
		return;
	if (core_kind_is_enumval(spec->kind)) {
		t = core_skip_mods(spec->btf, spec->root_id, NULL);
		if (!t || !core_is_any_enum(t) || spec->raw[0] >= core_vlen(t))
			return;
		name = core_str(spec->btf, core_enum_name_off(t, spec->raw[0]));
		if (core_kind(t) == BTF_KIND_ENUM) {
			int32_t v = ((const struct btf_enum *)(t + 1))[spec->raw[0]].val;

			if (BTF_INFO_KFLAG(t->info))
				sb_add(&s, "::%s = %d", name ? name : "", v);
			else
				sb_add(&s, "::%s = %u", name ? name : "", (uint32_t)v);
		} else {
			const struct btf_enum64 *e = (const struct btf_enum64 *)(t + 1) + spec->raw[0];
			uint64_t v = ((uint64_t)e->val_hi32 << 32) | e->val_lo32;

			if (BTF_INFO_KFLAG(t->info))
				sb_add(&s, "::%s = %lld", name ? name : "", (long long)v);
			else
				sb_add(&s, "::%s = %llu", name ? name : "", (unsigned long long)v);
		}
		return;
	}
	for (int i = 0; i < spec->len; i++) {
		if (spec->acc[i].name)
			sb_add(&s, ".%s", spec->acc[i].name);
		else if (i > 0 || spec->acc[i].idx > 0)
			sb_add(&s, "[%u]", spec->acc[i].idx);
	}
	sb_add(&s, " (");
	for (int i = 0; i < spec->raw_len; i++)
		sb_add(&s, "%s%u", i ? ":" : "", spec->raw[i]);
	if (spec->bit_offset % 8)
		sb_add(&s, " @ offset %u.%u)", spec->bit_offset / 8, spec->bit_offset % 8);
	else
		sb_add(&s, " @ offset %u)", spec->bit_offset / 8);
}
