/* Externs (__kconfig, __ksym, kfuncs), resolved against the running kernel
 * the way libbpf resolves them, so that a program loads with the same
 * instructions, and so the same tag, as under libbpf:
 *  - __kconfig: CONFIG_* from the kernel's configuration (kconfig.c) and
 *    the virtual LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE and
 *    LINUX_HAS_SYSCALL_WRAPPER, laid out in a read-only ".kconfig" map by
 *    descending alignment, ascending size, then name;
 *  - typed __ksym variables and kfuncs: by name in the kernel's BTF
 *    (vmlinux), their types checked for compatibility;
 *  - typeless __ksym (const void): their address from /proc/kallsyms.
 * A __weak extern that does not resolve is zero; a strong one is an error
 * naming it.  Typed __ksym externs and kfuncs not in vmlinux are looked
 * for in the loaded modules' BTF (load_kmod.c).  A kernel without BTF
 * resolves none: weak ones are 0 (a weak kfunc's call poisoned, as
 * libbpf >= 1.2 does), strong ones are refused, naming the program. */
#include "load_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/obj.h"
#include "kernel/bpf_sys.h"
#include "kernel/kconfig.h"
#include "kernel/probe.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define KSYMS_SEC ".ksyms"
#define KCONFIG_SEC ".kconfig"
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* The arch's prefix of wrapped syscalls (__x64_sys_bpf), libbpf's table;
 * "" where libbpf knows none (LINUX_HAS_SYSCALL_WRAPPER is then 0). */
#if defined(__x86_64__)
#define SYSCALL_PFX "x64"
#elif defined(__i386__)
#define SYSCALL_PFX "ia32"
#elif defined(__s390x__)
#define SYSCALL_PFX "s390x"
#elif defined(__s390__)
#define SYSCALL_PFX "s390"
#elif defined(__arm__)
#define SYSCALL_PFX "arm"
#elif defined(__aarch64__)
#define SYSCALL_PFX "arm64"
#elif defined(__mips__)
#define SYSCALL_PFX "mips"
#elif defined(__riscv)
#define SYSCALL_PFX "riscv"
#elif defined(__powerpc64__)
#define SYSCALL_PFX "powerpc64"
#elif defined(__powerpc__)
#define SYSCALL_PFX "powerpc"
#else
#define SYSCALL_PFX ""
#endif

/* The VAR or FUNC of extern name in DATASEC .kconfig / .ksyms: its id, and
 * the DATASEC's name in *sec. */
static int64_t extern_btf(const struct btf *b, const char *name, const char **sec)
{
	uint32_t n = btf_nr_types(b);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf_type_by_id(b, id);
		const struct btf_var_secinfo *vs = (const void *)(t + 1);
		const char *sn = btf_type_name(b, id);

		if (BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC ||
		    (strcmp(sn, KSYMS_SEC) && strcmp(sn, KCONFIG_SEC)))
			continue;
		for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
			if (strcmp(btf_type_name(b, vs[i].type), name))
				continue;
			*sec = sn;
			return vs[i].type;
		}
	}
	return -ENOENT;
}

static int cmp_ext(const void *a, const void *b)
{
	const struct load_extern *x = a, *y = b;

	if (x->kcfg != y->kcfg)
		return x->kcfg ? -1 : 1;
	if (x->kcfg && x->kt.align != y->kt.align)
		return x->kt.align > y->kt.align ? -1 : 1;
	if (x->kcfg && x->kt.size != y->kt.size)
		return x->kt.size < y->kt.size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int classify(struct load_ctx *c, struct load_extern *e)
{
	const struct obj *o = c->o;
	const struct btf *b = o->btf;
	const char *sec = NULL;
	int64_t id = b ? extern_btf(b, e->name, &sec) : -ENOENT;
	const struct btf_type *t;
	int64_t sz;

	if (id < 0 && b) {
		/* Most often a function or variable another vendor object
		 * defines: the loader resolves only what the kernel provides. */
		pr_err("%s: extern %s is defined in no object given (link the object that defines it); "
		       "only __kconfig and __ksym externs are resolved at load time", o->path, e->name);
		return -ESRCH;
	}
	if (id < 0) {
		pr_err("%s: extern %s: the object has no BTF to tell what it is; __kconfig and __ksym externs need it",
		       o->path, e->name);
		return -ESRCH;
	}
	t = btf_type_by_id(b, (uint32_t)id);
	e->btf_id = (uint32_t)id;
	e->func = BTF_INFO_KIND(t->info) == BTF_KIND_FUNC;
	e->kcfg = !strcmp(sec, KCONFIG_SEC);
	e->type_id = btf_skip_mods(b, t->type);
	if (!e->kcfg) {
		e->typed = e->type_id != 0;
		return 0;
	}
	if (e->func) {
		pr_err("%s: extern function %s in section .kconfig", o->path, e->name);
		return -ENOTSUP;
	}
	sz = btf_resolve_size(b, e->type_id);
	if (kconfig_type_of(b, e->type_id, &e->kt) || e->kt.kind == KCFG_UNKNOWN || sz <= 0) {
		pr_err("%s: __kconfig extern %s: its type (%s %s) is none of bool, char, tristate, an integer of 1, 2, 4 or 8 bytes, or a char array",
		       o->path, e->name, btf_kind_name(BTF_INFO_KIND(btf_type_by_id(b, e->type_id) ?
				btf_type_by_id(b, e->type_id)->info : 0)), btf_type_name(b, e->type_id));
		return -ENOTSUP;
	}
	return 0;
}

int load_externs_collect(struct load_ctx *c)
{
	const struct obj *o = c->o;
	uint32_t off = 0;
	int err;

	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];
		struct load_extern *n;

		if (s->sec != OBJ_SEC_UNDEF || s->type != STT_NOTYPE || !s->name[0] ||
		    (s->bind != STB_GLOBAL && s->bind != STB_WEAK))
			continue;
		n = realloc(c->exts, (c->nr_exts + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->exts = n;
		n = &c->exts[c->nr_exts++];
		memset(n, 0, sizeof(*n));
		n->sym = (uint32_t)i;
		n->name = s->name;
		n->weak = s->bind == STB_WEAK;
		err = classify(c, n);
		if (err)
			return err;
	}
	if (c->nr_exts)
		qsort(c->exts, c->nr_exts, sizeof(*c->exts), cmp_ext);
	for (size_t i = 0; i < c->nr_exts; i++) {
		struct load_extern *e = &c->exts[i];

		if (!e->kcfg)
			continue;
		off = (off + e->kt.align - 1) / e->kt.align * e->kt.align;
		e->data_off = off;
		off += e->kt.size;
	}
	c->kconfig_size = off;
	return 0;
}

const struct load_extern *load_extern_for_sym(const struct load_ctx *c, uint32_t sym)
{
	for (size_t i = 0; i < c->nr_exts; i++)
		if (c->exts[i].sym == sym)
			return &c->exts[i];
	return NULL;
}

/* ---- BTF as the kernel takes it ---- */

static int64_t int_type(struct btf *b)
{
	int64_t id = btf_find(b, "int", BTF_KIND_INT);
	struct btf_type t = { .info = BTF_KIND_INT << 24, .size = 4 };
	uint32_t enc = BTF_INT_SIGNED << 24 | 32;
	int64_t name;

	if (id > 0)
		return id;
	name = btf_add_str(b, "int");
	if (name < 0)
		return name;
	t.name_off = (uint32_t)name;
	return btf_add_type(b, &t, &enc, sizeof(enc));
}

/* .ksyms: every VAR an int, every FUNC replaced by a dummy int VAR (the FUNC
 * made global, its unnamed parameters named), 4 bytes each; .kconfig: the
 * map's layout.  As libbpf, so the kernel takes the object's BTF. */
static int fixup_ksyms(struct load_ctx *c, uint32_t id)
{
	struct btf *b = c->btf;
	int64_t int_id = int_type(b), name, dummy = 0;
	struct btf_type *t;
	struct btf_var_secinfo *vs;
	uint32_t n;

	if (int_id < 0)
		return (int)int_id;
	t = btf_type_mut(b, id);
	n = BTF_INFO_VLEN(t->info);
	for (uint32_t i = 0; i < n; i++) {
		struct btf_type *vt;

		t = btf_type_mut(b, id);	/* adding types may move nothing, but be safe */
		vs = (struct btf_var_secinfo *)(t + 1);
		vt = btf_type_mut(b, vs[i].type);
		if (!vt)
			return -EINVAL;
		if (BTF_INFO_KIND(vt->info) == BTF_KIND_FUNC) {
			struct btf_type *proto = btf_type_mut(b, vt->type);

			if (!dummy) {
				struct btf_type dv = { .info = BTF_KIND_VAR << 24, .type = (uint32_t)int_id };
				struct btf_var link = { .linkage = BTF_VAR_GLOBAL_ALLOCATED };

				name = btf_add_str(b, "dummy_ksym_var");
				if (name < 0)
					return (int)name;
				dv.name_off = (uint32_t)name;
				dummy = btf_add_type(b, &dv, &link, sizeof(link));
				if (dummy < 0)
					return (int)dummy;
				t = btf_type_mut(b, id);
				vs = (struct btf_var_secinfo *)(t + 1);
				vt = btf_type_mut(b, vs[i].type);
				proto = btf_type_mut(b, vt->type);
			}
			if (proto && BTF_INFO_KIND(proto->info) == BTF_KIND_FUNC_PROTO) {
				struct btf_param *p = (struct btf_param *)(proto + 1);

				for (uint32_t k = 0; k < BTF_INFO_VLEN(proto->info); k++)
					if (p[k].type && !p[k].name_off)
						p[k].name_off = btf_type_by_id(b, (uint32_t)dummy)->name_off;
			}
			vt->info = BTF_KIND_FUNC << 24 | BTF_FUNC_GLOBAL;
			vs[i].type = (uint32_t)dummy;
		} else if (BTF_INFO_KIND(vt->info) == BTF_KIND_VAR) {
			((struct btf_var *)(vt + 1))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
			vt->type = (uint32_t)int_id;
		}
		vs[i].offset = i * 4;
		vs[i].size = 4;
	}
	btf_type_mut(b, id)->size = n * 4;
	return 0;
}

static int fixup_kconfig(struct load_ctx *c, uint32_t id)
{
	struct btf_type *t = btf_type_mut(c->btf, id);
	struct btf_var_secinfo *vs = (struct btf_var_secinfo *)(t + 1);

	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		struct btf_type *vt = btf_type_mut(c->btf, vs[i].type);
		const char *name = btf_type_name(c->btf, vs[i].type);
		size_t k;

		for (k = 0; k < c->nr_exts && (!c->exts[k].kcfg || strcmp(c->exts[k].name, name)); k++)
			;
		if (k == c->nr_exts || !vt || BTF_INFO_KIND(vt->info) != BTF_KIND_VAR) {
			pr_err("%s: .BTF: DATASEC .kconfig: %s is no extern of the object", c->o->path, name);
			return -ESRCH;
		}
		((struct btf_var *)(vt + 1))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
		vs[i].offset = c->exts[k].data_off;
	}
	/* The kernel wants a DATASEC's variables in ascending offsets (libbpf
	 * sorts them too); the layout above is by alignment and size. */
	for (uint32_t i = 1; i < BTF_INFO_VLEN(t->info); i++) {
		struct btf_var_secinfo cur = vs[i];
		uint32_t j = i;

		for (; j > 0 && vs[j - 1].offset > cur.offset; j--)
			vs[j] = vs[j - 1];
		vs[j] = cur;
	}
	t->size = c->kconfig_size;
	return 0;
}

int load_externs_fixup_btf(struct load_ctx *c)
{
	int64_t ks = btf_find(c->btf, KSYMS_SEC, BTF_KIND_DATASEC);
	int64_t kc = btf_find(c->btf, KCONFIG_SEC, BTF_KIND_DATASEC);
	int err = 0;

	if (ks > 0)
		err = fixup_ksyms(c, (uint32_t)ks);
	if (!err && kc > 0)
		err = fixup_kconfig(c, (uint32_t)kc);
	return err;
}

/* ---- resolving ---- */

static int set_kconfig(struct load_ctx *c, struct load_extern *e, const char *value,
		       const char *from)
{
	char why[256];
	int err = kconfig_encode(&e->kt, e->name, value, c->kconfig_data + e->data_off, why, sizeof(why));

	if (err) {
		pr_err("%s: __kconfig extern %s: %s (%s)", c->o->path, e->name, why, from);
		return err;
	}
	e->is_set = true;
	return 0;
}

/* LINUX_HAS_BPF_COOKIE: bpf_get_attach_cookie (helper 174) in a kprobe. */
static bool has_bpf_cookie(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = 174 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct sys_prog_load_args a = { .type = BPF_PROG_TYPE_KPROBE, .insns = insns,
					.insn_cnt = 2, .license = "GPL" };
	int fd = sys_prog_load(&a);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int resolve_virtual(struct load_ctx *c, struct load_extern *e)
{
	char why[256];
	struct utsname u;
	uint64_t v = 0;
	char num[24];

	if (!strcmp(e->name, "LINUX_KERNEL_VERSION")) {
		v = uname(&u) ? 0 : kconfig_kernel_version(u.release);
		if (!v) {
			pr_err("%s: __kconfig extern %s: cannot tell the kernel's version", c->o->path, e->name);
			return -EINVAL;
		}
	} else if (!strcmp(e->name, "LINUX_HAS_BPF_COOKIE")) {
		v = has_bpf_cookie();
	} else if (!strcmp(e->name, "LINUX_HAS_SYSCALL_WRAPPER")) {
		v = SYSCALL_PFX[0] && probe_kprobe_possible("__" SYSCALL_PFX "_sys_bpf");
	} else if (!e->weak) {
		pr_err("%s: __kconfig extern %s: unknown (LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER are known; make it __weak to read 0)",
		       c->o->path, e->name);
		return -EINVAL;
	}
	if (e->kt.kind == KCFG_BOOL && v > 1)
		return -EINVAL;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	if (e->kt.kind == KCFG_BOOL) {
		c->kconfig_data[e->data_off] = (uint8_t)v;
		e->is_set = true;
		return 0;
	}
	if (e->kt.kind != KCFG_INT && e->kt.kind != KCFG_CHAR) {
		pr_err("%s: __kconfig extern %s: needs an integer, char or bool type", c->o->path, e->name);
		return -EINVAL;
	}
	if (kconfig_encode(&e->kt, e->name, num, c->kconfig_data + e->data_off, why, sizeof(why))) {
		pr_err("%s: __kconfig extern %s: %s", c->o->path, e->name, why);
		return -ERANGE;
	}
	e->is_set = true;
	return 0;
}

static int resolve_kconfig(struct load_ctx *c)
{
	struct kconfig *kc = NULL;
	const char *from = NULL;
	bool need = false;
	int err = 0;

	if (c->kconfig_size) {
		c->kconfig_data = calloc(1, c->kconfig_size);
		if (!c->kconfig_data)
			return -ENOMEM;
	}
	for (size_t i = 0; !err && i < c->nr_exts; i++) {
		struct load_extern *e = &c->exts[i];

		if (!e->kcfg)
			continue;
		if (!strncmp(e->name, "CONFIG_", 7))
			need = true;
		else if (!strncmp(e->name, "LINUX_", 6))
			err = resolve_virtual(c, e);
		else {
			pr_err("%s: __kconfig extern %s: only CONFIG_* and LINUX_* externs exist", c->o->path, e->name);
			err = -EINVAL;
		}
	}
	if (err || !need)
		return err;
	err = kconfig_read(c->opts->kconfig_path, &kc, &from);
	if (err) {
		pr_err("%s: __kconfig externs need the kernel's configuration: %s: %s", c->o->path,
		       from ? from : "/proc/config.gz", strerror(-err));
		return err;
	}
	for (size_t i = 0; !err && i < c->nr_exts; i++) {
		struct load_extern *e = &c->exts[i];
		const char *v;

		if (!e->kcfg || strncmp(e->name, "CONFIG_", 7))
			continue;
		v = kconfig_get(kc, e->name);
		if (v)
			err = set_kconfig(c, e, v, from);
	}
	kconfig_free(kc);
	return err;
}

/* Typeless ksyms: addresses from /proc/kallsyms (a name seen twice with two
 * addresses is ambiguous, as libbpf says). */
static int read_kallsyms(struct load_ctx *c)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[600], name[500];
	unsigned long long addr;
	char type;
	int err = 0;

	if (!f) {
		err = -errno;
		pr_err("%s: typeless __ksym externs need /proc/kallsyms: %s", c->o->path, strerror(-err));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %499s", &addr, &type, name) != 3)
			continue;
		for (size_t i = 0; i < c->nr_exts; i++) {
			struct load_extern *e = &c->exts[i];

			if (e->kcfg || e->typed || e->func || strcmp(e->name, name))
				continue;
			if (e->is_set && e->addr != addr) {
				pr_err("%s: __ksym extern %s: ambiguous in /proc/kallsyms: 0x%llx or 0x%llx",
				       c->o->path, e->name, (unsigned long long)e->addr, addr);
				err = -EINVAL;
			}
			e->addr = addr;
			e->is_set = true;
		}
	}
	fclose(f);
	return err;
}

/* libbpf's CO-RE compatibility of two types (names aside): same kinds
 * through pointers, arrays and function prototypes; any two ints (no bit
 * offsets), structs, unions, enums and forward declarations. */
static int types_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid, int level)
{
	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *l, *t;
		int lk, tk;

		lid = btf_skip_mods(lb, lid);
		tid = btf_skip_mods(tb, tid);
		l = btf_type_by_id(lb, lid);
		t = btf_type_by_id(tb, tid);
		if (!l || !t)
			return !l && !t && !lid && !tid;	/* void and void */
		lk = BTF_INFO_KIND(l->info);
		tk = BTF_INFO_KIND(t->info);
		if ((lk == BTF_KIND_ENUM || lk == BTF_KIND_ENUM64) && (tk == BTF_KIND_ENUM || tk == BTF_KIND_ENUM64))
			return 1;
		if (lk != tk)
			return 0;
		switch (lk) {
		case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return !BTF_INT_OFFSET(*(const uint32_t *)(l + 1)) &&
			       !BTF_INT_OFFSET(*(const uint32_t *)(t + 1));
		case BTF_KIND_PTR:
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = ((const struct btf_array *)(l + 1))->type;
			tid = ((const struct btf_array *)(t + 1))->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = (const void *)(l + 1), *tp = (const void *)(t + 1);

			if (BTF_INFO_VLEN(l->info) != BTF_INFO_VLEN(t->info))
				return 0;
			for (uint32_t i = 0; i < BTF_INFO_VLEN(l->info); i++) {
				int r;

				if (level <= 0)
					return -EINVAL;
				r = types_compat(lb, lp[i].type, tb, tp[i].type, level - 1);
				if (r <= 0)
					return r;
			}
			lid = l->type;
			tid = t->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* The kernel's BTF, parsed; its bytes stay in c->vmlinux_raw for the
 * modules' split BTF (load_kmod.c). */
static int read_vmlinux_btf(struct load_ctx *c, struct btf **out)
{
	const char *path = VMLINUX_BTF;	/* the running kernel's, as libbpf: --kernel-btf is for CO-RE */
	FILE *f = fopen(path, "re");
	uint8_t *data = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (!f) {
		err = -errno;
		if (err != -ENOENT)	/* none at all: resolve_btf_ksyms() says it per extern */
			pr_err("%s: typed __ksym externs and kfuncs need the kernel's BTF: %s: %s",
			       c->o->path, path, strerror(-err));
		return err;
	}
	for (;;) {
		size_t r;

		if (n == cap) {
			uint8_t *nd;

			if (cap >= (256u << 20)) {
				err = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : (8u << 20);
			nd = realloc(data, cap);
			if (!nd) {
				err = -ENOMEM;
				break;
			}
			data = nd;
		}
		r = fread(data + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	if (!err)
		err = btf_parse(data, n, path, out);
	if (err) {
		free(data);
		return err;
	}
	c->vmlinux_raw = data;
	c->vmlinux_raw_size = n;
	c->vmlinux_nr_types = btf_nr_types(*out);
	return 0;
}

/* The function (entry program or subprogram) whose code first refers to
 * symbol sym, for messages; "?" if no relocation does. */
static const char *extern_user(const struct obj *o, uint32_t sym)
{
	for (uint32_t si = 0; si < o->nr_secs; si++) {
		const struct obj_sec *s = &o->secs[si];

		if (!obj_sec_is_prog(o, si))
			continue;
		for (size_t r = 0; r < s->nr_relocs; r++) {
			if (s->relocs[r].sym != sym)
				continue;
			for (size_t i = 1; i < o->nr_syms; i++) {
				const struct obj_sym *f = &o->syms[i];

				if (f->sec == si && f->type == STT_FUNC && f->name[0] &&
				    s->relocs[r].offset >= f->value &&
				    s->relocs[r].offset - f->value < f->size)
					return f->name;
			}
		}
	}
	return "?";
}

/* The kernel has no BTF (no /sys/kernel/btf/vmlinux): typed __ksym
 * externs and kfuncs cannot be resolved.  A weak one stays unset (0; a
 * weak kfunc's call is poisoned, load_reloc.c), a strong one is refused,
 * naming the function that uses it. */
static int no_kernel_btf(struct load_ctx *c)
{
	int err = 0;

	c->no_kernel_btf = true;
	for (size_t i = 0; i < c->nr_exts; i++) {
		const struct load_extern *e = &c->exts[i];

		if (e->kcfg || (!e->typed && !e->func) || e->weak)
			continue;
		pr_err("%s: program %s: %s %s needs the kernel's own BTF, and this kernel has none "
		       "(no %s: built without CONFIG_DEBUG_INFO_BTF); --kernel-btf, the manifest's "
		       "kernel_btf and the image's BTF serve CO-RE relocations only (declare it __weak "
		       "and guard its use with bpf_ksym_exists() to load without it)", c->o->path,
		       extern_user(c->o, e->sym), e->func ? "kfunc" : "typed __ksym extern", e->name,
		       VMLINUX_BTF);
		err = -ENOTSUP;
	}
	return err;
}

static int resolve_btf_ksyms(struct load_ctx *c)
{
	struct btf *kb = NULL;
	int err = 0;

	for (size_t i = 0; !err && i < c->nr_exts; i++) {
		struct load_extern *e = &c->exts[i];
		int kind = e->func ? BTF_KIND_FUNC : BTF_KIND_VAR;
		const struct btf_type *kt;
		const struct btf *tb;
		struct load_kmod *mod;
		uint32_t ktype;
		int64_t id;
		int ok;

		if (e->kcfg || (!e->typed && !e->func))
			continue;
		if (!kb && (err = read_vmlinux_btf(c, &kb))) {
			if (err == -ENOENT)
				err = no_kernel_btf(c);
			break;
		}
		tb = kb;
		mod = NULL;
		id = btf_find(kb, e->name, kind);
		if (id < 0) {
			uint32_t mid;

			err = load_kmod_find(c, e->name, kind, &mod, &mid);
			if (err == -ESRCH) {
				err = 0;
				if (e->weak)
					continue;
				pr_err("%s: %s %s: not in the kernel's BTF (vmlinux or a loaded module's)",
				       c->o->path, e->func ? "kfunc" : "__ksym extern", e->name);
				err = -ESRCH;
			}
			if (err)
				break;
			tb = mod->btf;
			id = mid;
		}
		kt = btf_type_by_id(tb, (uint32_t)id);
		ktype = kt->type;
		ok = types_compat(c->o->btf, e->type_id, tb, ktype, 32);
		if (ok <= 0) {
			if (e->weak)
				continue;
			pr_err("%s: %s %s: its type (%s %s) does not match the kernel's (%s %s, BTF id %lld%s%s)",
			       c->o->path, e->func ? "kfunc" : "__ksym extern", e->name,
			       btf_kind_name(BTF_INFO_KIND(btf_type_by_id(c->o->btf, e->type_id) ?
					btf_type_by_id(c->o->btf, e->type_id)->info : 0)),
			       btf_type_name(c->o->btf, e->type_id),
			       btf_kind_name(BTF_INFO_KIND(btf_type_by_id(tb, btf_skip_mods(tb, ktype)) ?
					btf_type_by_id(tb, btf_skip_mods(tb, ktype))->info : 0)),
			       btf_type_name(tb, btf_skip_mods(tb, ktype)), (long long)id,
			       mod ? " in module " : "", mod ? mod->name : "");
			err = -EINVAL;
			break;
		}
		e->is_set = true;
		e->kernel_btf_id = (uint32_t)id;
		e->kernel_btf_obj_fd = mod ? mod->fd : 0;	/* 0: vmlinux */
		e->fd_idx = 0;
		if (mod && e->func) {
			int idx = load_kmod_fd_idx(c, mod);

			if (idx < 0) {
				err = idx;
				break;
			}
			e->fd_idx = (int16_t)idx;
		}
	}
	btf_free(kb);
	return err;
}

int load_externs_resolve(struct load_ctx *c)
{
	bool need_kallsyms = false;
	int err;

	for (size_t i = 0; i < c->nr_exts; i++)
		need_kallsyms |= !c->exts[i].kcfg && !c->exts[i].typed && !c->exts[i].func;
	err = need_kallsyms ? read_kallsyms(c) : 0;
	if (!err)
		err = resolve_kconfig(c);
	if (!err)
		err = resolve_btf_ksyms(c);
	for (size_t i = 0; !err && i < c->nr_exts; i++) {
		const struct load_extern *e = &c->exts[i];

		if (e->is_set || e->weak)
			continue;
		pr_err("%s: extern %s (%s) is not in the kernel%s", c->o->path, e->name,
		       e->kcfg ? "__kconfig" : e->func ? "kfunc" : e->typed ? "__ksym" : "typeless __ksym",
		       e->kcfg ? "'s configuration (declare it __weak to read 0 when it is not set)" :
		       e->typed || e->func ? "'s BTF" : "'s symbols (/proc/kallsyms)");
		err = -ESRCH;
	}
	return err;
}

void load_externs_free(struct load_ctx *c)
{
	load_kmods_free(c);
	free(c->exts);
	free(c->kconfig_data);
	c->exts = NULL;
	c->kconfig_data = NULL;
	c->nr_exts = 0;
}
