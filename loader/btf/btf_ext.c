/* .BTF.ext: func_info, line_info and CO-RE relocation records per section.
 *
 * Layout: a header (magic, version, flags, hdr_len, then offset/length pairs
 * for func_info, line_info and, when hdr_len allows, core_relo, relative to
 * the end of the header).  Each info block is a u32 rec_size followed by
 * { u32 sec_name_off; u32 num_info; num_info records of rec_size bytes }. */
#include "btf.h"
#include "btf_priv.h"
#include "base/log.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EXT_HDR_BASE 24u	/* up to line_info_len */
#define EXT_HDR_CORE 32u	/* with core_relo_off/len */

enum ext_block { EXT_FUNC, EXT_LINE, EXT_CORE, EXT_NR };

static const char *const block_names[EXT_NR] = { "func_info", "line_info", "core_relo" };
static const uint32_t rec_sizes[EXT_NR] = {
	sizeof(struct btf_ext_func), sizeof(struct btf_ext_line), sizeof(struct btf_ext_core),
};

static struct btf_ext_info *ext_block(struct btf_ext *ext, enum ext_block k)
{
	return k == EXT_FUNC ? &ext->func : k == EXT_LINE ? &ext->line : &ext->core;
}

static const struct btf_ext_info *ext_block_const(const struct btf_ext *ext, enum ext_block k)
{
	return k == EXT_FUNC ? &ext->func : k == EXT_LINE ? &ext->line : &ext->core;
}

struct btf_ext *btf_ext_new(void)
{
	struct btf_ext *ext = calloc(1, sizeof(*ext));
	int k;

	if (!ext)
		return NULL;
	for (k = 0; k < EXT_NR; k++)
		ext_block(ext, k)->rec_size = rec_sizes[k];
	return ext;
}

static void ext_info_clear(struct btf_ext_info *info)
{
	size_t i;

	for (i = 0; i < info->nr_secs; i++) {
		free(info->secs[i].sec_name);
		free(info->secs[i].recs);
	}
	free(info->secs);
	info->secs = NULL;
	info->nr_secs = 0;
}

void btf_ext_free(struct btf_ext *ext)
{
	int k;

	if (!ext)
		return;
	for (k = 0; k < EXT_NR; k++)
		ext_info_clear(ext_block(ext, k));
	free(ext);
}

struct btf_ext_sec *btf_ext_sec_find(const struct btf_ext_info *info, const char *sec_name)
{
	for (size_t i = 0; i < info->nr_secs; i++)
		if (!strcmp(info->secs[i].sec_name, sec_name))
			return &info->secs[i];
	return NULL;
}

struct btf_ext_sec *btf_ext_sec_get(struct btf_ext_info *info, const char *sec_name)
{
	struct btf_ext_sec *secs, *s = btf_ext_sec_find(info, sec_name);

	if (s)
		return s;
	secs = realloc(info->secs, (info->nr_secs + 1) * sizeof(*secs));
	if (!secs)
		return NULL;
	info->secs = secs;
	s = &secs[info->nr_secs];
	memset(s, 0, sizeof(*s));
	s->sec_name = strdup(sec_name);
	if (!s->sec_name)
		return NULL;
	info->nr_secs++;
	return s;
}

/* Append n records of info->rec_size bytes. */
static int sec_append(const struct btf_ext_info *info, struct btf_ext_sec *s,
		      const void *recs, uint32_t n)
{
	void *p;

	if (n > UINT32_MAX - s->nr)
		return -E2BIG;
	p = realloc(s->recs, ((size_t)s->nr + n) * info->rec_size);
	if (!p)
		return -ENOMEM;
	s->recs = p;
	memcpy((uint8_t *)p + (size_t)s->nr * info->rec_size, recs, (size_t)n * info->rec_size);
	s->nr += n;
	return 0;
}

int btf_ext_sec_push(struct btf_ext_info *info, struct btf_ext_sec *s, const void *rec)
{
	return sec_append(info, s, rec, 1);
}

/* ---- parsing ---- */

struct ext_parse {
	const struct btf *btf;
	const char *what;
	bool swap;
};

static int check_rec(const struct ext_parse *ep, enum ext_block k, const char *sec,
		     uint32_t i, const uint32_t *w)
{
	const char *bn = block_names[k];

	if (w[0] % 8) {
		pr_err("%s: %s of section %s: record %u: insn_off %u is not a multiple of 8",
		       ep->what, bn, sec, i, w[0]);
		return -EINVAL;
	}
	if ((k == EXT_FUNC || k == EXT_CORE) && w[1] >= btf_nr_types(ep->btf)) {
		pr_err("%s: %s of section %s: record %u: type [%u] does not exist",
		       ep->what, bn, sec, i, w[1]);
		return -EINVAL;
	}
	if (k == EXT_LINE && (!btf_str(ep->btf, w[1]) || !btf_str(ep->btf, w[2]))) {
		pr_err("%s: line_info of section %s: record %u: string offset out of range",
		       ep->what, sec, i);
		return -EINVAL;
	}
	if (k == EXT_CORE && !btf_str(ep->btf, w[2])) {
		pr_err("%s: core_relo of section %s: record %u: access string offset %u out of range",
		       ep->what, sec, i, w[2]);
		return -EINVAL;
	}
	return 0;
}

static int parse_block(const struct ext_parse *ep, struct btf_ext_info *info, enum ext_block k,
		       const uint8_t *p, uint32_t len)
{
	uint32_t rec_size, pos, words = rec_sizes[k] / 4;
	uint32_t rec[4];
	const char *bn = block_names[k];
	int err;

	if (!len)
		return 0;
	if (len < 4) {
		pr_err("%s: %s: block of %u bytes has no record size", ep->what, bn, len);
		return -EINVAL;
	}
	rec_size = btf_get_u32(p, ep->swap);
	if (rec_size < rec_sizes[k] || rec_size % 4) {
		pr_err("%s: %s: bad record size %u", ep->what, bn, rec_size);
		return -EINVAL;
	}
	for (pos = 4; pos < len;) {
		uint32_t name_off, num, i, w;
		const char *name;
		struct btf_ext_sec *s;

		if (len - pos < 8) {
			pr_err("%s: %s: truncated section header at byte %u", ep->what, bn, pos);
			return -EINVAL;
		}
		name_off = btf_get_u32(p + pos, ep->swap);
		num = btf_get_u32(p + pos + 4, ep->swap);
		pos += 8;
		name = btf_str(ep->btf, name_off);
		if (!name || !*name) {
			pr_err("%s: %s: bad section name offset %u", ep->what, bn, name_off);
			return -EINVAL;
		}
		if (!num || (uint64_t)num * rec_size > len - pos) {
			pr_err("%s: %s of section %s: %u records of %u bytes do not fit",
			       ep->what, bn, name, num, rec_size);
			return -EINVAL;
		}
		s = btf_ext_sec_get(info, name);
		if (!s)
			return -ENOMEM;
		for (i = 0; i < num; i++, pos += rec_size) {
			for (w = 0; w < words; w++)
				rec[w] = btf_get_u32(p + pos + 4 * w, ep->swap);
			err = check_rec(ep, k, name, i, rec);
			if (!err)
				err = btf_ext_sec_push(info, s, rec);
			if (err)
				return err;
		}
	}
	return 0;
}

int btf_ext_parse(const void *data, size_t size, const struct btf *btf,
		  const char *what, struct btf_ext **out)
{
	const uint8_t *p = data;
	struct ext_parse ep = { .btf = btf, .what = what };
	struct btf_ext *ext;
	uint32_t hdr_len, off[EXT_NR] = { 0 }, len[EXT_NR] = { 0 };
	size_t body;
	int k, err = 0;

	*out = NULL;
	if (size < EXT_HDR_BASE) {
		pr_err("%s: %zu bytes is too short for a .BTF.ext header", what, size);
		return -EINVAL;
	}
	if (p[0] == 0x9f && p[1] == 0xeb)
		ep.swap = btf_host_order() != ELFDATA2LSB;
	else if (p[0] == 0xeb && p[1] == 0x9f)
		ep.swap = btf_host_order() != ELFDATA2MSB;
	else {
		pr_err("%s: bad .BTF.ext magic 0x%02x%02x", what, p[0], p[1]);
		return -EINVAL;
	}
	if (p[2] != 1 || p[3] != 0) {
		pr_err("%s: unsupported .BTF.ext version %u or flags 0x%x", what, p[2], p[3]);
		return -EINVAL;
	}
	hdr_len = btf_get_u32(p + 4, ep.swap);
	if (hdr_len < EXT_HDR_BASE || hdr_len > size) {
		pr_err("%s: bad .BTF.ext header length %u (%zu bytes)", what, hdr_len, size);
		return -EINVAL;
	}
	body = size - hdr_len;
	for (k = 0; k < EXT_NR; k++) {
		if (k == EXT_CORE && hdr_len < EXT_HDR_CORE)
			break;
		off[k] = btf_get_u32(p + 8 + 8 * k, ep.swap);
		len[k] = btf_get_u32(p + 12 + 8 * k, ep.swap);
		if (off[k] > body || len[k] > body - off[k] || off[k] % 4) {
			pr_err("%s: %s (%u+%u) lies outside the %zu-byte .BTF.ext body",
			       what, block_names[k], off[k], len[k], body);
			return -EINVAL;
		}
	}
	ext = btf_ext_new();
	if (!ext)
		return -ENOMEM;
	for (k = 0; k < EXT_NR && !err; k++)
		err = parse_block(&ep, ext_block(ext, k), k, p + hdr_len + off[k], len[k]);
	if (err) {
		btf_ext_free(ext);
		return err;
	}
	*out = ext;
	return 0;
}

/* ---- serialization ---- */

static uint64_t block_size(const struct btf_ext_info *info, uint32_t rec_size)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < info->nr_secs; i++)
		if (info->secs[i].nr)
			n += 8 + (uint64_t)info->secs[i].nr * rec_size;
	return n ? n + 4 : 0;
}

static int write_block(const struct btf_ext_info *info, enum ext_block k, struct btf *btf,
		       bool swap, uint8_t *p)
{
	uint32_t words = rec_sizes[k] / 4, i, w;
	size_t si;

	btf_put_u32(p, rec_sizes[k], swap);
	p += 4;
	for (si = 0; si < info->nr_secs; si++) {
		const struct btf_ext_sec *s = &info->secs[si];
		int64_t name_off;

		if (!s->nr)
			continue;
		name_off = btf_add_str(btf, s->sec_name);
		if (name_off < 0)
			return (int)name_off;
		btf_put_u32(p, (uint32_t)name_off, swap);
		btf_put_u32(p + 4, s->nr, swap);
		p += 8;
		/* Records may be longer in memory than known (rec_size > known):
		 * only the known words are written. */
		for (i = 0; i < s->nr; i++) {
			const uint8_t *rec = (const uint8_t *)s->recs + (size_t)i * info->rec_size;

			for (w = 0; w < words; w++, p += 4)
				btf_put_u32(p, btf_get_u32(rec + 4 * w, false), swap);
		}
	}
	return 0;
}

int btf_ext_serialize(const struct btf_ext *ext, struct btf *btf, int byte_order,
		      void **data, size_t *size)
{
	bool swap = byte_order != btf_host_order();
	uint64_t len[EXT_NR], total = EXT_HDR_CORE, off = 0;
	uint8_t *out;
	int k, err;

	*data = NULL;
	*size = 0;
	if (byte_order != ELFDATA2LSB && byte_order != ELFDATA2MSB)
		return -EINVAL;
	for (k = 0; k < EXT_NR; k++) {
		const struct btf_ext_info *info = ext_block_const(ext, k);

		if (info->nr_secs && info->rec_size < rec_sizes[k])
			return -EINVAL;
		len[k] = block_size(info, rec_sizes[k]);
		total += len[k];
	}
	if (total > UINT32_MAX)
		return -E2BIG;
	out = calloc(1, total);
	if (!out)
		return -ENOMEM;
	btf_put_magic(out, byte_order);
	out[2] = 1;
	btf_put_u32(out + 4, EXT_HDR_CORE, swap);
	for (k = 0; k < EXT_NR; k++) {
		btf_put_u32(out + 8 + 8 * k, (uint32_t)off, swap);
		btf_put_u32(out + 12 + 8 * k, (uint32_t)len[k], swap);
		if (len[k]) {
			err = write_block(ext_block_const(ext, k), k, btf, swap,
					  out + EXT_HDR_CORE + off);
			if (err) {
				free(out);
				return err;
			}
		}
		off += len[k];
	}
	*data = out;
	*size = total;
	return 0;
}
