/* A pipeline's modules: each slot's file read once and hashed (the bytes
 * hashed are the bytes linked), its entry program, its run config
 * (priority, continue mask), and freeing what a run built. */
#include "pipeline_internal.h"

#include "base/log.h"
#include "base/sha256.h"
#include "elf/obj.h"
#include "elf/runcfg.h"
#include "plan.h"
#include "kernel/load.h"
#include "kernel/prog_type.h"
#include "link/link.h"
#include "link/rootlet.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODULE_MAX_SIZE (64u << 20)

int pipeline_host_byte_order(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one ? ELFDATA2LSB : ELFDATA2MSB;
}

enum entry_kind { NOT_XDP, XDP_DEVICE, XDP_MAP_ONLY };

/* Whether symbol s is an XDP entry program for a device, one for a
 * cpumap/devmap only (the kernel runs it on frames redirected into such a
 * map and refuses it on a device), or neither.  A legacy section counts
 * with the module's --type. */
static enum entry_kind entry_kind(const struct obj *o, const struct obj_sym *s,
				  const char *type, uint32_t *attach)
{
	uint32_t t, flags;

	if (s->type != STT_FUNC || s->bind == STB_LOCAL || s->sec == OBJ_SEC_UNDEF ||
	    s->sec >= o->nr_secs || !obj_sec_is_prog(o, s->sec) || obj_sec_is_text(o, s->sec))
		return NOT_XDP;
	if (load_prog_type_from_sec(o->secs[s->sec].name, &t, attach, &flags) &&
	    (!type || load_prog_type_from_sec(type, &t, attach, &flags)))
		return NOT_XDP;
	if (t != BPF_PROG_TYPE_XDP)
		return NOT_XDP;
	return *attach == BPF_XDP_CPUMAP || *attach == BPF_XDP_DEVMAP ? XDP_MAP_ONLY :
									   XDP_DEVICE;
}

/* Why an object has no XDP entry program, when its programs sit in sections
 * of no known type (SEC("prog"), SEC("xdp_legacy")): how to give the type,
 * as option type in the manifest's module or as --type on the command line. */
static void legacy_hint(const struct pipeline_module *m)
{
	const struct obj *o = m->obj;
	char secs[256] = "";
	size_t n = 0;
	uint32_t t, a, f;

	for (uint32_t i = 1; i < o->nr_secs; i++) {
		if (!obj_sec_is_prog(o, i) || obj_sec_is_text(o, i) ||
		    !load_prog_type_from_sec(o->secs[i].name, &t, &a, &f))
			continue;
		if (strlen(secs) + strlen(o->secs[i].name) + 3 < sizeof(secs))
			snprintf(secs + strlen(secs), sizeof(secs) - strlen(secs), "%s%s",
				 n ? ", " : "", o->secs[i].name);
		n++;
	}
	if (!n)
		return;
	if (m->s->origin)
		pr_err("%s: module '%s': its programs are in sections of no known type (%s): "
		       "for XDP programs add option type 'xdp' to the module", m->s->origin,
		       m->s->label, secs);
	else
		pr_err("%s: its programs are in sections of no known type (%s): for XDP programs "
		       "give --type xdp", m->s->path, secs);
}

static void list_add(char *list, size_t size, const char *name)
{
	size_t n = strlen(list);

	if (n + strlen(name) + 3 < size)
		snprintf(list + n, size - n, "%s%s", n ? ", " : "", name);
}

static int refuse_map_only(const struct pipeline_module *m, const struct obj_sym *s,
			   uint32_t attach)
{
	pr_err("module %s (%s): program %s (section %s) is an XDP program for a %s "
	       "(expected attach type %s): the kernel runs it only on frames redirected "
	       "into such a map, never on a device, so it cannot be a slot", m->s->label,
	       m->s->path, s->name, m->obj->secs[s->sec].name,
	       attach == BPF_XDP_CPUMAP ? "cpumap" : "devmap",
	       attach == BPF_XDP_CPUMAP ? "BPF_XDP_CPUMAP" : "BPF_XDP_DEVMAP");
	return -EINVAL;
}

/* The module's entry program (*sym): the one named, or the only XDP entry
 * program for a device loaded by default (not in a "?" section). */
static int find_entry(struct pipeline_module *m, uint32_t *sym)
{
	const struct obj *o = m->obj;
	const char *want = m->s->prog, *path = m->s->path, *off = NULL;
	char list[512] = "", maponly[256] = "", where[4200] = "";
	size_t n = 0;
	uint32_t attach;

	/* From the manifest: "FILE:LINE: module 'NAME': " first. */
	if (m->s->origin)
		snprintf(where, sizeof(where), "%s: module '%s': ", m->s->origin, m->s->label);
	for (uint32_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];
		enum entry_kind k = entry_kind(o, s, m->s->type, &attach);

		if (k == NOT_XDP)
			continue;
		if (want && !strcmp(want, s->name)) {
			if (k == XDP_MAP_ONLY)
				return refuse_map_only(m, s, attach);
			*sym = i;
			return 0;
		}
		if (k == XDP_MAP_ONLY) {
			list_add(maponly, sizeof(maponly), s->name);
			continue;
		}
		/* SEC("?xdp"), autoload off: the entry only when named */
		if (o->secs[s->sec].name[0] == '?') {
			off = off ? off : s->name;
			continue;
		}
		list_add(list, sizeof(list), s->name);
		*sym = i;
		n++;
	}
	if (want) {
		pr_err("%s%s: no XDP entry program '%s' (XDP entry programs: %s)", where, path,
		       want, *list ? list : "none");
		if (!n)
			legacy_hint(m);
		return -ENOENT;
	}
	if (!n && off) {
		pr_err("%s%s: no XDP entry program loaded by default (%s is in a '?' section, "
		       "autoload off): name it as %s:%s", where, path, off, path, off);
		return -ENOENT;
	}
	if (!n && *maponly) {
		pr_err("module %s (%s): no XDP entry program for a device: %s run only on "
		       "frames redirected into a cpumap or devmap (sections xdp/cpumap, "
		       "xdp/devmap), never on a device", m->s->label, path, maponly);
		return -ENOENT;
	}
	if (!n) {
		pr_err("%s%s: no XDP entry program (no global function in an xdp section)", where,
		       path);
		legacy_hint(m);
		return -ENOENT;
	}
	if (n > 1) {
		pr_err("%s%s: %zu XDP entry programs (%s): name one as %s:PROG", where, path, n,
		       list, path);
		return -EINVAL;
	}
	m->s->prog = strdup(o->syms[*sym].name);
	return m->s->prog ? 0 : -ENOMEM;
}

/* A slot needs its entry program and what that uses, nothing else: the
 * object's other programs (of whatever type, maybe one this loader does
 * not know) are left out, as libbpf leaves a program it does not load;
 * then --type applies to what is left. */
static int keep_entry(struct pipeline_module *m, uint32_t sym)
{
	size_t n;
	int err = obj_keep_program(m->obj, sym, &n);

	if (err) {
		pr_err("module %s (%s): program %s: leaving out the object's other programs "
		       "failed: %s", m->s->label, m->s->path, m->s->prog, strerror(-err));
		return err;
	}
	if (n)
		pr_debug("module %s: program %s: %zu other program(s) or their sections left out",
			 m->s->label, m->s->prog, n);
	if (!m->s->type)
		return 0;
	err = obj_retype_programs(m->obj, m->s->type, &n);
	if (!err && !n)
		pr_info("module %s: --type %s: every program section has a known type already",
			m->s->label, m->s->type);
	return err;
}

/* The whole file, read once (also from a pipe). */
static int read_module(const char *path, void **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0) {
		err = -errno;
		pr_err("module %s: %s", path, strerror(errno));
		return err;
	}
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *nb = cap >= MODULE_MAX_SIZE ? NULL : realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				err = cap >= MODULE_MAX_SIZE ? -EFBIG : -ENOMEM;
				if (err == -EFBIG)
					pr_err("module %s: larger than %u bytes", path,
					       MODULE_MAX_SIZE);
				break;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			pr_err("module %s: %s", path, strerror(errno));
			break;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Restore (and relink, for the other slots) loads exactly the code that
 * was recorded, nothing else. */
static int check_sha256(const struct pipeline *p, size_t i, const char *want, const char *have)
{
	const struct plan_slot *s = &p->plan->slots[i];

	if (!strcmp(want, have))
		return 0;
	if (p->prepared)
		pr_err("apply %s: module %s (slot %zu, %s) changed on disk after it was "
		       "checked (sha256 %.12s..., checked %.12s...); this device is left as it "
		       "was: apply again", p->ifname, s->label, i, s->path, have, want);
	else if (p->strict_slot >= 0)
		pr_err("relink %s: module %s (slot %zu, %s) changed on disk since it was "
		       "attached (sha256 %.12s..., recorded %.12s...); the static backend "
		       "re-links every module: relink that slot first", p->ifname, s->label, i,
		       s->path, have, want);
	else if (p->plan->managed)	/* from the manifest: apply takes it, attach would not */
		pr_err("restore %s: module %s (slot %zu, %s) changed since it was applied "
		       "(sha256 %.12s..., recorded %.12s...); not restoring other code: the "
		       "pipeline '%s' comes from the manifest: run 'xdpld apply' to take the new "
		       "version", p->ifname, s->label, i, s->path, have, want, p->plan->pipeline);
	else
		pr_err("restore %s: module %s (slot %zu, %s) changed since it was attached "
		       "(sha256 %.12s..., recorded %.12s...); not restoring other code: run "
		       "'xdpld attach' to take the new version", p->ifname, s->label, i, s->path,
		       have, want);
	return -ESTALE;
}

/* Reads slot i's file once: the bytes hashed are the bytes linked. */
static int open_module(struct pipeline *p, size_t i, bool expect_sha)
{
	struct pipeline_module *m = &p->mods[i];
	char sha[SHA256_HEX_LEN];
	void *buf = NULL;
	size_t len = 0;
	uint32_t sym = 0;
	int err;

	m->s = &p->plan->slots[i];
	err = read_module(m->s->path, &buf, &len);
	if (err)
		return err;
	sha256_hex(buf, len, sha);
	if (expect_sha)
		err = check_sha256(p, i, m->s->sha256, sha);
	memcpy(m->s->sha256, sha, sizeof(sha));
	if (!err)
		err = obj_read_mem(m->s->path, buf, len, &m->obj);
	free(buf);
	if (err)
		return err;
	if (m->obj->byte_order != pipeline_host_byte_order()) {
		pr_err("%s: byte order differs from this host's", m->s->path);
		return -EINVAL;
	}
	err = find_entry(m, &sym);
	return err ? err : keep_entry(m, sym);
}

/* Every slot's file, entry program and mask (option, run config, default). */
int pipeline_open_modules(struct pipeline *p, bool expect_sha)
{
	struct runcfg rc;
	int err;

	p->mods = calloc(p->plan->nr_slots, sizeof(*p->mods));
	if (!p->mods)
		return -ENOMEM;
	for (size_t i = 0; i < p->plan->nr_slots; i++) {
		struct pipeline_module *m = &p->mods[i];

		p->nr_mods++;
		m->prog_fd = m->link_fd = -1;
		m->s = &p->plan->slots[i];
		m->priority = RUNCFG_DEFAULT_PRIORITY;
		/* A slot swap touches the relinked slot only: the others keep
		 * running what the record says, their files are not needed. */
		if (p->strict_slot >= 0 && (int)i != p->strict_slot &&
		    p->plan->backend != ROOTLET_STATIC)
			continue;
		err = open_module(p, i, expect_sha && (int)i != p->strict_slot);
		if (err)
			return err;
		err = runcfg_read(m->obj, m->s->prog, &rc);
		if (err && err != -ENOENT)
			return err;
		m->priority = err ? RUNCFG_DEFAULT_PRIORITY : rc.priority;
		m->has_priority = !err && rc.has_priority;
		/* A relink keeps the slot's mask, whatever the new run config says. */
		if (m->s->mask_from == PLAN_MASK_OPTION || (int)i == p->strict_slot)
			continue;
		m->s->continue_mask = err ? ROOTLET_DEFAULT_CONTINUE : rc.chain_call_actions;
		m->s->mask_from = err ? PLAN_MASK_DEFAULT : PLAN_MASK_RUNCFG;
	}
	pipeline_report_priorities(p);
	return 0;
}

void pipeline_free(struct pipeline *p)
{
	for (size_t i = 0; i < p->nr_mods; i++) {
		struct pipeline_module *m = &p->mods[i];

		for (size_t k = 0; k < m->nr_maps; k++) {
			free(m->maps[k].orig);
			free(m->maps[k].linked);
		}
		free(m->maps);
		obj_free(m->obj);
		if (m->link_fd >= 0)
			close(m->link_fd);
		loaded_obj_free(m->lo);
	}
	free(p->mods);
	obj_free(p->rootlet);
	if (p->linked.out)
		link_result_free(&p->linked);
	loaded_obj_free(p->lo);
}

