/* Kfuncs and typed __ksym externs that live in kernel modules (netfilter's
 * conntrack and flowtable kfuncs when nf_conntrack / nf_flow_table are
 * modules).  A name that vmlinux's BTF lacks is looked up in every module's
 * BTF in the kernel's order of BTF ids, as libbpf does.
 *
 * A module's BTF is split BTF: its type ids and string offsets continue
 * vmlinux's.  Its bytes appended to vmlinux's (types after types, strings
 * after strings) therefore make one whole BTF in which every id is the
 * kernel's, and the loader checks a module's types exactly as vmlinux's.
 * Only a module whose strings hold the name is merged and parsed.
 * The module's BTF object stays open until the programs are loaded: a kfunc
 * call names it by its index in the programs' fd_array (libbpf's indexes:
 * 1, 2, ... in order of first use; 0 is vmlinux), a typed __ksym by its fd. */
#include "load_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/obj.h"
#include "kernel/bpf_sys.h"

#include <errno.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The bounds of a raw BTF blob's two sections; -EINVAL if malformed. */
static int blob_secs(const uint8_t *b, size_t size, const uint8_t **types, uint32_t *tlen,
		     const uint8_t **strs, uint32_t *slen)
{
	struct btf_header h;

	if (size < sizeof(h))
		return -EINVAL;
	memcpy(&h, b, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > size ||
	    h.type_off > size - h.hdr_len || h.type_len > size - h.hdr_len - h.type_off ||
	    h.str_off > size - h.hdr_len || h.str_len > size - h.hdr_len - h.str_off)
		return -EINVAL;
	*types = b + h.hdr_len + h.type_off;
	*tlen = h.type_len;
	*strs = b + h.hdr_len + h.str_off;
	*slen = h.str_len;
	return 0;
}

/* vmlinux's blob with the module's split blob appended, parsed. */
static int merge_parse(const uint8_t *vm, size_t vsize, const uint8_t *mod, size_t msize,
		       const char *what, struct btf **out)
{
	const uint8_t *vt, *vs, *mt, *ms;
	uint32_t vtl, vsl, mtl, msl;
	struct btf_header h = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h) };
	uint8_t *blob;
	size_t size;
	int err;

	if (blob_secs(vm, vsize, &vt, &vtl, &vs, &vsl) || blob_secs(mod, msize, &mt, &mtl, &ms, &msl))
		return -EINVAL;
	if ((uint64_t)vtl + mtl > UINT32_MAX / 2 || (uint64_t)vsl + msl > UINT32_MAX / 2)
		return -EFBIG;
	h.type_len = vtl + mtl;
	h.str_off = h.type_len;
	h.str_len = vsl + msl;
	size = sizeof(h) + (size_t)h.type_len + h.str_len;
	blob = malloc(size);
	if (!blob)
		return -ENOMEM;
	memcpy(blob, &h, sizeof(h));
	memcpy(blob + sizeof(h), vt, vtl);
	memcpy(blob + sizeof(h) + vtl, mt, mtl);
	memcpy(blob + sizeof(h) + h.type_len, vs, vsl);
	memcpy(blob + sizeof(h) + h.type_len + vsl, ms, msl);
	err = btf_parse(blob, size, what, out);
	free(blob);
	return err;
}

/* One module's BTF object: its name, fd and merged BTF; -ENOENT for a BTF
 * object that is no module's (a program's, or vmlinux). */
static int kmod_open(struct load_ctx *c, uint32_t id, struct load_kmod *m)
{
	struct bpf_btf_info info;
	uint32_t len = sizeof(info);
	uint8_t *data = NULL;
	int fd, err;

	memset(m, 0, sizeof(*m));
	fd = sys_btf_fd_by_id(id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	info.name = (uint64_t)(uintptr_t)m->name;
	info.name_len = sizeof(m->name);
	err = sys_obj_info(fd, &info, &len);
	if (err || !info.kernel_btf || !m->name[0] || !strcmp(m->name, "vmlinux") ||
	    !info.btf_size || info.btf_size > (64u << 20)) {
		close(fd);
		return err ? err : -ENOENT;
	}
	m->name[sizeof(m->name) - 1] = 0;
	data = malloc(info.btf_size);
	if (!data) {
		close(fd);
		return -ENOMEM;
	}
	len = sizeof(info);
	{
		uint32_t size = info.btf_size;

		memset(&info, 0, sizeof(info));
		info.btf = (uint64_t)(uintptr_t)data;
		info.btf_size = size;
		err = sys_obj_info(fd, &info, &len);
		if (!err && info.btf_size > size)
			err = -EAGAIN;	/* changed under us */
	}
	if (err) {
		pr_err("%s: kernel module %s's BTF: %s", c->o->path, m->name, strerror(-err));
		free(data);
		close(fd);
		return err;
	}
	m->fd = fd;
	m->raw = data;
	m->raw_size = info.btf_size;
	m->first_id = c->vmlinux_nr_types;
	return 0;
}

/* Whether name is one of the strings of the module's own string section:
 * parsing vmlinux's BTF again for each module costs seconds on a router
 * CPU, so only a module that can have the name is parsed. */
static bool kmod_has_string(const struct load_kmod *m, const char *name)
{
	const uint8_t *t, *strs;
	uint32_t tl, sl;
	size_t n = strlen(name);

	if (blob_secs(m->raw, m->raw_size, &t, &tl, &strs, &sl))
		return true;	/* let the parse report it */
	for (uint32_t off = 0; off + n < sl; ) {
		const uint8_t *z = memchr(strs + off, 0, sl - off);
		size_t len = z ? (size_t)(z - (strs + off)) : sl - off;

		if (len == n && !memcmp(strs + off, name, n))
			return true;
		off += (uint32_t)len + 1;
	}
	return false;
}

static int kmod_parse(struct load_ctx *c, struct load_kmod *m)
{
	char what[96];
	int err;

	if (m->btf)
		return 0;
	snprintf(what, sizeof(what), "kernel module %s's BTF", m->name);
	err = merge_parse(c->vmlinux_raw, c->vmlinux_raw_size, m->raw, m->raw_size, what, &m->btf);
	if (err)
		pr_err("%s: %s: %s", c->o->path, what, strerror(-err));
	return err;
}

/* Every module BTF the kernel has, once. */
static int kmods_load(struct load_ctx *c)
{
	uint32_t id = 0;
	int err;

	if (c->kmods_loaded)
		return 0;
	c->kmods_loaded = true;
	while (!(err = sys_btf_next_id(id, &id))) {
		struct load_kmod m, *n;

		err = kmod_open(c, id, &m);
		if (err == -ENOENT)
			continue;	/* gone since, or not a module's */
		if (err)
			return err;
		n = realloc(c->kmods, (c->nr_kmods + 1) * sizeof(*n));
		if (!n) {
			free(m.raw);
			close(m.fd);
			return -ENOMEM;
		}
		c->kmods = n;
		c->kmods[c->nr_kmods++] = m;
	}
	return err == -ENOENT ? 0 : err;
}

int load_kmod_find(struct load_ctx *c, const char *name, int kind, struct load_kmod **mod,
		   uint32_t *id)
{
	int err = kmods_load(c);

	if (err)
		return err;
	for (size_t i = 0; i < c->nr_kmods; i++) {
		struct load_kmod *m = &c->kmods[i];
		uint32_t nr;

		if (!kmod_has_string(m, name))
			continue;
		err = kmod_parse(c, m);
		if (err)
			return err;
		nr = btf_nr_types(m->btf);
		for (uint32_t t = m->first_id; t < nr; t++) {
			const struct btf_type *bt = btf_type_by_id(m->btf, t);

			if (bt && (int)BTF_INFO_KIND(bt->info) == kind && !strcmp(btf_type_name(m->btf, t), name)) {
				*mod = m;
				*id = t;
				return 0;
			}
		}
	}
	return -ESRCH;
}

int load_kmod_fd_idx(struct load_ctx *c, struct load_kmod *m)
{
	int *n;

	if (m->fd_idx)
		return m->fd_idx;
	if (c->nr_fd_array >= INT16_MAX)
		return -E2BIG;
	/* Index 0 means vmlinux: the first module gets 1. */
	n = realloc(c->fd_array, (c->nr_fd_array + 2) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->fd_array = n;
	if (!c->nr_fd_array)
		c->fd_array[c->nr_fd_array++] = -1;
	m->fd_idx = (int16_t)c->nr_fd_array;
	c->fd_array[c->nr_fd_array++] = m->fd;
	return m->fd_idx;
}

void load_kmods_free(struct load_ctx *c)
{
	for (size_t i = 0; i < c->nr_kmods; i++) {
		btf_free(c->kmods[i].btf);
		free(c->kmods[i].raw);
		close(c->kmods[i].fd);
	}
	free(c->kmods);
	free(c->fd_array);
	free(c->vmlinux_raw);
	c->kmods = NULL;
	c->nr_kmods = 0;
	c->kmods_loaded = false;
	c->fd_array = NULL;
	c->nr_fd_array = 0;
	c->vmlinux_raw = NULL;
}
