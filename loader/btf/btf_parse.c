/* BTF blobs <-> struct btf: parsing with full validation of untrusted input,
 * serialization in either byte order.  Every word of the format (header
 * fields and every kind's tail) is a 32-bit integer, so converting byte order
 * is swapping words. */
#include "btf.h"
#include "btf_priv.h"
#include "base/log.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BTF_HDR_LEN ((uint32_t)sizeof(struct btf_header))

/* ---- parsing ---- */

struct id_check {
	uint32_t nr_types, bad;
};

static int check_id(uint32_t *id, void *ctx)
{
	struct id_check *c = ctx;

	if (*id < c->nr_types)
		return 0;
	c->bad = *id;
	return -EINVAL;
}

struct str_check {
	uint32_t strs_len, bad;
};

static int check_str(uint32_t *off, void *ctx)
{
	struct str_check *c = ctx;

	if (*off < c->strs_len)
		return 0;
	c->bad = *off;
	return -EINVAL;
}

/* Checks of one type that need nothing but the type itself. */
static int check_type_shape(const struct btf_type *t, const char *what, uint32_t id)
{
	uint32_t kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info);
	const char *kn = btf_kind_name(kind);

	if (t->info & 0x60ff0000) {
		pr_err("%s: type [%u] %s: reserved bits set in info 0x%x", what, id, kn, t->info);
		return -EINVAL;
	}
	if (!btf_kind_has_vlen(kind) && vlen && !(kind == BTF_KIND_FUNC && vlen <= BTF_FUNC_EXTERN)) {
		pr_err("%s: type [%u] %s: unexpected vlen %u", what, id, kn, vlen);
		return -EINVAL;
	}
	if (kind == BTF_KIND_INT) {
		uint32_t enc = *(const uint32_t *)(t + 1);

		if (t->size > 16 || BTF_INT_OFFSET(enc) + BTF_INT_BITS(enc) > t->size * 8) {
			pr_err("%s: type [%u] INT: bits %u at offset %u do not fit size %u",
			       what, id, BTF_INT_BITS(enc), BTF_INT_OFFSET(enc), t->size);
			return -EINVAL;
		}
	}
	if (kind == BTF_KIND_DECL_TAG && (int32_t)*(const uint32_t *)(t + 1) < -1) {
		pr_err("%s: type [%u] DECL_TAG: bad component_idx %d", what, id,
		       (int32_t)*(const uint32_t *)(t + 1));
		return -EINVAL;
	}
	return 0;
}

/* As the kernel: every DATASEC entry is a VAR or (extern) FUNC, so that
 * users of a parsed DATASEC may follow its entries without checking. */
static int check_datasec_members(const struct btf *b, uint32_t id, const char *what)
{
	const struct btf_type *t = b->types[id];
	const struct btf_var_secinfo *vsi = (const void *)(t + 1);

	if (BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC)
		return 0;
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const struct btf_type *v = vsi[i].type ? b->types[vsi[i].type] : NULL;
		uint32_t kind = v ? BTF_INFO_KIND(v->info) : 0;

		if (kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC) {
			pr_err("%s: type [%u] DATASEC: entry #%u is type [%u] (%s), not a VAR or FUNC",
			       what, id, i, vsi[i].type, v ? btf_kind_name(kind) : "void");
			return -EINVAL;
		}
	}
	return 0;
}

static int check_type_refs(struct btf *b, uint32_t id, const char *what)
{
	struct btf_type *t = b->types[id];
	const char *kn = btf_kind_name(BTF_INFO_KIND(t->info));
	struct id_check ic = { .nr_types = b->nr_types };
	struct str_check sc = { .strs_len = b->strs_len };

	if (btf_visit_str_offs(t, check_str, &sc)) {
		pr_err("%s: type [%u] %s: string offset %u out of range (%u bytes of strings)",
		       what, id, kn, sc.bad, b->strs_len);
		return -EINVAL;
	}
	if (btf_visit_type_ids(t, check_id, &ic)) {
		pr_err("%s: type [%u] %s: references type [%u], only %u types exist",
		       what, id, kn, ic.bad, b->nr_types - 1);
		return -EINVAL;
	}
	return check_datasec_members(b, id, what);
}

static int parse_types(struct btf *b, const uint8_t *p, uint32_t len, bool swap, const char *what)
{
	uint32_t pos = 0, id, i;
	int err;

	while (pos < len) {
		struct btf_type hdr, *t;
		size_t n;
		uint32_t *words;

		id = b->nr_types;
		if (len - pos < sizeof(hdr)) {
			pr_err("%s: type [%u]: truncated header (%u bytes left)", what, id, len - pos);
			return -EINVAL;
		}
		hdr.name_off = btf_get_u32(p + pos, swap);
		hdr.info = btf_get_u32(p + pos + 4, swap);
		hdr.size = btf_get_u32(p + pos + 8, swap);
		if (BTF_INFO_KIND(hdr.info) < BTF_KIND_INT || BTF_INFO_KIND(hdr.info) > BTF_KIND_ENUM64) {
			pr_err("%s: type [%u]: unknown kind %u", what, id, BTF_INFO_KIND(hdr.info));
			return -EINVAL;
		}
		n = btf_type_size_bytes(&hdr);
		if (n > len - pos) {
			pr_err("%s: type [%u] %s: %zu bytes with vlen %u run past the type section",
			       what, id, btf_kind_name(BTF_INFO_KIND(hdr.info)), n,
			       BTF_INFO_VLEN(hdr.info));
			return -EINVAL;
		}
		t = malloc(n);
		if (!t)
			return -ENOMEM;
		words = (uint32_t *)t;
		for (i = 0; i < n / 4; i++)
			words[i] = btf_get_u32(p + pos + 4 * i, swap);
		err = check_type_shape(t, what, id);
		if (!err) {
			int64_t r = btf_push_type(b, t);

			if (r < 0) {
				pr_err("%s: type [%u]: too many types", what, id);
				err = (int)r;
			}
		}
		if (err) {
			free(t);
			return err;
		}
		pos += n;
	}
	for (id = 1; id < b->nr_types; id++) {
		err = check_type_refs(b, id, what);
		if (err)
			return err;
	}
	return 0;
}

static int parse_strs(struct btf *b, const uint8_t *p, uint32_t len, const char *what)
{
	uint32_t off;
	int err;

	if (!len || p[0] || p[len - 1]) {
		pr_err("%s: string section must start and end with a NUL byte", what);
		return -EINVAL;
	}
	if (len > BTF_MAX_NAME_OFFSET) {
		pr_err("%s: string section too large (%u bytes)", what, len);
		return -EINVAL;
	}
	free(b->strs);
	b->strs = malloc(len);
	if (!b->strs)
		return -ENOMEM;
	memcpy(b->strs, p, len);
	b->strs_len = b->strs_cap = len;
	memset(b->str_index, 0, b->str_index_cap * sizeof(*b->str_index));
	b->str_index_used = 0;
	for (off = 0; off < len; off += strlen(b->strs + off) + 1) {
		err = btf_str_index_add(b, off);
		if (err)
			return err;
	}
	return 0;
}

int btf_parse(const void *data, size_t size, const char *what, struct btf **out)
{
	const uint8_t *p = data;
	uint32_t hdr_len, type_off, type_len, str_off, str_len, i;
	size_t body;
	struct btf *b = NULL;
	bool swap;
	int order, err = -EINVAL;

	*out = NULL;
	if (size < BTF_HDR_LEN) {
		pr_err("%s: %zu bytes is too short for a BTF header", what, size);
		return -EINVAL;
	}
	if (p[0] == 0x9f && p[1] == 0xeb)
		order = ELFDATA2LSB;
	else if (p[0] == 0xeb && p[1] == 0x9f)
		order = ELFDATA2MSB;
	else {
		pr_err("%s: bad BTF magic 0x%02x%02x", what, p[0], p[1]);
		return -EINVAL;
	}
	swap = order != btf_host_order();
	if (p[2] != BTF_VERSION || p[3] != 0) {
		pr_err("%s: unsupported BTF version %u or flags 0x%x", what, p[2], p[3]);
		return -EINVAL;
	}
	hdr_len = btf_get_u32(p + 4, swap);
	if (hdr_len < BTF_HDR_LEN || hdr_len > size || hdr_len % 4) {
		pr_err("%s: bad BTF header length %u (blob is %zu bytes)", what, hdr_len, size);
		return -EINVAL;
	}
	for (i = BTF_HDR_LEN; i < hdr_len; i++) {
		if (p[i]) {
			pr_err("%s: unknown non-zero BTF header field at byte %u", what, i);
			return -EINVAL;
		}
	}
	type_off = btf_get_u32(p + 8, swap);
	type_len = btf_get_u32(p + 12, swap);
	str_off = btf_get_u32(p + 16, swap);
	str_len = btf_get_u32(p + 20, swap);
	body = size - hdr_len;
	if (type_off > body || type_len > body - type_off || str_off > body ||
	    str_len > body - str_off || type_off % 4 || type_len % 4) {
		pr_err("%s: BTF sections (types %u+%u, strings %u+%u) outside the %zu-byte body",
		       what, type_off, type_len, str_off, str_len, body);
		return -EINVAL;
	}
	if ((uint64_t)type_off + type_len > str_off && (uint64_t)str_off + str_len > type_off &&
	    type_len && str_len) {
		pr_err("%s: BTF type and string sections overlap", what);
		return -EINVAL;
	}
	b = btf_new();
	if (!b)
		return -ENOMEM;
	b->byte_order = order;
	err = parse_strs(b, p + hdr_len + str_off, str_len, what);
	if (!err)
		err = parse_types(b, p + hdr_len + type_off, type_len, swap, what);
	if (err) {
		btf_free(b);
		return err;
	}
	*out = b;
	return 0;
}

/* ---- serialization ---- */

int btf_serialize(const struct btf *b, int byte_order, void **data, size_t *size)
{
	bool swap = byte_order != btf_host_order();
	uint64_t type_len = 0, total;
	uint32_t id, i;
	uint8_t *out, *p;

	*data = NULL;
	*size = 0;
	if (byte_order != ELFDATA2LSB && byte_order != ELFDATA2MSB)
		return -EINVAL;
	for (id = 1; id < b->nr_types; id++)
		type_len += btf_type_size_bytes(b->types[id]);
	total = BTF_HDR_LEN + type_len + b->strs_len;
	if (total > UINT32_MAX)
		return -E2BIG;
	out = malloc(total);
	if (!out)
		return -ENOMEM;
	btf_put_magic(out, byte_order);
	out[2] = BTF_VERSION;
	out[3] = 0;
	btf_put_u32(out + 4, BTF_HDR_LEN, swap);
	btf_put_u32(out + 8, 0, swap);
	btf_put_u32(out + 12, (uint32_t)type_len, swap);
	btf_put_u32(out + 16, (uint32_t)type_len, swap);
	btf_put_u32(out + 20, b->strs_len, swap);
	p = out + BTF_HDR_LEN;
	for (id = 1; id < b->nr_types; id++) {
		const uint32_t *words = (const uint32_t *)b->types[id];
		size_t n = btf_type_size_bytes(b->types[id]) / 4;

		for (i = 0; i < n; i++, p += 4)
			btf_put_u32(p, words[i], swap);
	}
	memcpy(p, b->strs, b->strs_len);
	*data = out;
	*size = total;
	return 0;
}
