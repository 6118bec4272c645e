/* Kernel configuration for __kconfig externs (kconfig.h). */
#include "kconfig.h"
#include "base/log.h"
#include "btf/btf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

/* A real .config is about 300 KB; anything far bigger is not one. */
#define KCONFIG_MAX (16u << 20)

struct kconfig_ent {
	const char *name;	/* "CONFIG_..." inside text */
	const char *value;
};

struct kconfig {
	char *text;		/* the file, lines cut at '=' and '\n' */
	struct kconfig_ent *ents;	/* sorted by name; first of duplicates kept */
	size_t nr;
};

static int cmp_ent(const void *a, const void *b)
{
	const struct kconfig_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* Stable for duplicates: the earlier line first (libbpf keeps the first). */
	return c ? c : (x->name < y->name ? -1 : x->name > y->name);
}

static bool name_ok(const char *s)
{
	if (strncmp(s, "CONFIG_", 7) || !s[7])
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

int kconfig_parse(const char *text, size_t len, const char *what, struct kconfig **out)
{
	struct kconfig *kc = calloc(1, sizeof(*kc));
	size_t cap = 0, line = 0;
	int err = -ENOMEM;
	char *p, *end;

	if (!kc)
		return -ENOMEM;
	kc->text = malloc(len + 1);
	if (!kc->text)
		goto fail;
	memcpy(kc->text, text, len);
	kc->text[len] = '\0';
	err = -EINVAL;
	if (memchr(kc->text, '\0', len)) {
		pr_err("%s: not a kernel configuration (binary data)", what);
		goto fail;
	}
	for (p = kc->text; *p; p = end) {
		char *nl = strchr(p, '\n'), *eq;

		end = nl ? nl + 1 : p + strlen(p);
		if (nl)
			*nl = '\0';
		line++;
		if (strncmp(p, "CONFIG_", 7))
			continue;	/* comments ("# CONFIG_X is not set"), blanks */
		eq = strchr(p, '=');
		if (!eq || !eq[1]) {
			pr_err("%s:%zu: '%s': no value", what, line, p);
			goto fail;
		}
		*eq = '\0';
		if (!name_ok(p)) {
			pr_err("%s:%zu: '%s' is not a configuration name", what, line, p);
			goto fail;
		}
		if (kc->nr == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct kconfig_ent *n = realloc(kc->ents, ncap * sizeof(*n));

			if (!n) {
				err = -ENOMEM;
				goto fail;
			}
			kc->ents = n;
			cap = ncap;
		}
		kc->ents[kc->nr++] = (struct kconfig_ent){ .name = p, .value = eq + 1 };
	}
	qsort(kc->ents, kc->nr, sizeof(*kc->ents), cmp_ent);
	*out = kc;
	return 0;
fail:
	kconfig_free(kc);
	return err;
}

void kconfig_free(struct kconfig *kc)
{
	if (!kc)
		return;
	free(kc->text);
	free(kc->ents);
	free(kc);
}

const char *kconfig_get(const struct kconfig *kc, const char *name)
{
	size_t lo = 0, hi = kc->nr;

	/* The first entry of the name: duplicates sort in file order. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(kc->ents[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kc->nr && !strcmp(kc->ents[lo].name, name) ? kc->ents[lo].value : NULL;
}

/* Reads up to KCONFIG_MAX bytes of path into *buf (NUL-terminated). */
static int read_all(const char *path, unsigned char **buf, size_t *len)
{
	unsigned char *b = NULL;
	size_t n = 0, cap = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			unsigned char *nb;

			if (cap >= KCONFIG_MAX) {
				err = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(b, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	if (!b && !(b = malloc(1)))
		return -ENOMEM;
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Skips a gzip member header (RFC 1952) and inflates the raw deflate data
 * behind it.  Raw inflate: the static zlib is built without gzip support. */
static int gunzip(const char *what, const unsigned char *in, size_t len, char **out, size_t *out_len)
{
	size_t pos = 10;
	uint8_t flg;
	z_stream zs = { 0 };
	char *o = NULL;
	size_t cap = 0;
	int zerr, err = -EINVAL;

	if (len < 18 || in[2] != 8 || (in[3] & 0xe0))
		goto bad;
	flg = in[3];
	if (flg & 4) {		/* FEXTRA */
		if (pos + 2 > len)
			goto bad;
		pos += 2 + (size_t)(in[pos] | in[pos + 1] << 8);
	}
	for (int f = 8; f <= 16; f <<= 1) {	/* FNAME, FCOMMENT */
		if (!(flg & f))
			continue;
		while (pos < len && in[pos])
			pos++;
		pos++;
	}
	if (flg & 2)		/* FHCRC */
		pos += 2;
	if (pos >= len)
		goto bad;
	if (inflateInit2(&zs, -15) != Z_OK)
		return -ENOMEM;
	zs.next_in = (unsigned char *)(uintptr_t)(in + pos);
	zs.avail_in = (uInt)(len - pos > UINT_MAX ? UINT_MAX : len - pos);
	do {
		if (zs.total_out == cap) {
			char *n;

			if (cap >= KCONFIG_MAX) {
				pr_err("%s: more than %u bytes uncompressed", what, KCONFIG_MAX);
				err = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 262144;
			n = realloc(o, cap + 1);
			if (!n) {
				err = -ENOMEM;
				goto out;
			}
			o = n;
		}
		zs.next_out = (unsigned char *)o + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		zerr = inflate(&zs, Z_NO_FLUSH);
	} while (zerr == Z_OK);
	if (zerr != Z_STREAM_END) {
		pr_err("%s: corrupt gzip data (%s)", what, zs.msg ? zs.msg : "truncated");
		goto out;
	}
	o[zs.total_out] = '\0';
	*out = o;
	*out_len = zs.total_out;
	o = NULL;
	err = 0;
out:
	inflateEnd(&zs);
	free(o);
	return err;
bad:
	pr_err("%s: not a gzip file xdpld can read", what);
	return -EINVAL;
}

int kconfig_read(const char *path, struct kconfig **out, const char **used)
{
	static char boot[300];
	unsigned char *raw = NULL;
	char *text = NULL;
	size_t len = 0, tlen = 0;
	int err;

	if (!path) {
		struct utsname u;

		path = "/proc/config.gz";
		if (!uname(&u)) {
			snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
			if (!access(boot, R_OK))
				path = boot;
		}
	}
	if (used)
		*used = path;
	err = read_all(path, &raw, &len);
	if (err == -EFBIG)
		pr_err("%s: more than %u bytes: not a kernel configuration", path, KCONFIG_MAX);
	if (err)
		return err;
	if (len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
		err = gunzip(path, raw, len, &text, &tlen);
		if (!err)
			err = kconfig_parse(text, tlen, path, out);
		free(text);
	} else {
		err = kconfig_parse((const char *)raw, len, path, out);
	}
	free(raw);
	return err;
}

int kconfig_type_of(const struct btf *btf, uint32_t id, struct kcfg_type *kt)
{
	uint32_t tid = btf_skip_mods(btf, id);
	const struct btf_type *t = btf_type_by_id(btf, tid);
	int64_t sz;

	memset(kt, 0, sizeof(*kt));
	if (!t)
		return -EINVAL;
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: {
		uint32_t enc = BTF_INT_ENCODING(*(const uint32_t *)(t + 1));

		kt->size = kt->align = t->size;
		if (enc & BTF_INT_BOOL)
			kt->kind = t->size == 1 ? KCFG_BOOL : KCFG_UNKNOWN;
		else if (t->size == 1)
			kt->kind = KCFG_CHAR;
		else if (t->size <= 8 && !(t->size & (t->size - 1)))
			kt->kind = KCFG_INT;
		kt->is_signed = !(enc & BTF_INT_BOOL) && (enc & BTF_INT_SIGNED);
		break;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		kt->size = kt->align = t->size;
		if ((BTF_INFO_KIND(t->info) == BTF_KIND_ENUM64 || t->size == 4) &&
		    !strcmp(btf_type_name(btf, tid), "libbpf_tristate"))
			kt->kind = KCFG_TRISTATE;
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const struct btf_array *)(t + 1);
		struct kcfg_type el;

		sz = btf_resolve_size(btf, tid);
		if (a->nelems && sz > 0 && sz <= UINT32_MAX && !kconfig_type_of(btf, a->type, &el) &&
		    el.kind == KCFG_CHAR) {
			kt->kind = KCFG_CHAR_ARR;
			kt->size = (uint32_t)sz;
			kt->align = 1;
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

static bool fits(const struct kcfg_type *kt, uint64_t v)
{
	unsigned bits = kt->size * 8;

	if (kt->size >= 8)
		return true;
	if (kt->is_signed)
		return v + (1ULL << (bits - 1)) < (1ULL << bits);
	return !(v >> bits);
}

static void put_uint(void *buf, uint32_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	switch (size) {
	case 1: memcpy(buf, &u8, 1); break;
	case 2: memcpy(buf, &u16, 2); break;
	case 4: memcpy(buf, &u32, 4); break;
	default: memcpy(buf, &v, 8); break;
	}
}

#define WHY(...) (snprintf(why, why_len, __VA_ARGS__), -EINVAL)

int kconfig_encode(const struct kcfg_type *kt, const char *name, const char *value,
		   void *buf, char *why, size_t why_len)
{
	size_t len = strlen(value);
	uint64_t num;
	char *end;

	switch (value[0]) {
	case 'y':
	case 'n':
	case 'm':
		if (kt->kind == KCFG_BOOL) {
			if (value[0] == 'm')
				return WHY("%s=m: a bool extern cannot hold 'm' (declare it enum libbpf_tristate or char)", name);
			put_uint(buf, 1, value[0] == 'y');
		} else if (kt->kind == KCFG_TRISTATE) {
			put_uint(buf, kt->size, value[0] == 'y' ? 1 : value[0] == 'm' ? 2 : 0);
		} else if (kt->kind == KCFG_CHAR) {
			put_uint(buf, 1, (uint8_t)value[0]);
		} else {
			return WHY("%s=%c: the extern is no bool, tristate or char", name, value[0]);
		}
		return 0;
	case '"':
		if (kt->kind != KCFG_CHAR_ARR)
			return WHY("%s=%s: a string needs a char array extern", name, value);
		if (len < 2 || value[len - 1] != '"')
			return WHY("%s=%s: unterminated string", name, value);
		len -= 2;
		if (len >= kt->size) {
			pr_warn("extern %s: string %s cut to %u bytes", name, value, kt->size - 1);
			len = kt->size - 1;
		}
		memcpy(buf, value + 1, len);
		((char *)buf)[len] = '\0';
		return 0;
	default:
		errno = 0;
		num = strtoull(value, &end, 0);
		if (errno || end == value || *end)
			return WHY("%s=%s: not an integer", name, value);
		if (kt->kind != KCFG_INT && kt->kind != KCFG_CHAR)
			return WHY("%s=%s: an integer needs an integer or char extern", name, value);
		if (!fits(kt, num)) {
			snprintf(why, why_len, "%s=%s does not fit in %u bytes", name, value, kt->size);
			return -ERANGE;
		}
		put_uint(buf, kt->size, num);
		return 0;
	}
}

uint32_t kconfig_kernel_version(const char *release)
{
	unsigned a, b, c;

	if (sscanf(release, "%u.%u.%u", &a, &b, &c) != 3)
		return 0;
	return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}
