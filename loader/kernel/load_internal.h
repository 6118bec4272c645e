/* Shared state of the loader's stages (load.c, load_btf.c, load_maps.c,
 * load_reloc.c, load_prog.c, load_log.c); not for use outside the loader.
 * The driver (load.c) calls the stages; the stages never call the driver. */
#ifndef XDPLD_LOAD_INTERNAL_H
#define XDPLD_LOAD_INTERNAL_H

#include "kconfig.h"
#include "load.h"
#include "base/log.h"
#include "core/core.h"
#include "elf/mapdef.h"

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

struct btf;

/* Where a loaded map came from: a map definition or a global data section. */
struct load_map_src {
	int def;		/* index into ctx->defs, or -1 */
	int sec;		/* global data section index, or -1 */
	uint32_t btf_value_type_id;	/* DATASEC id for global data, 0: none */
};

/* An extern of the object (load_extern.c). */
struct load_extern {
	uint32_t sym;		/* its symbol in o->syms */
	const char *name;	/* the symbol's name */
	bool kcfg;		/* __kconfig (DATASEC .kconfig), else .ksyms */
	bool func;		/* a kfunc */
	bool typed;		/* a __ksym variable with a type (not const void) */
	bool weak, is_set;
	uint32_t btf_id;	/* the object's VAR or FUNC */
	uint32_t type_id;	/* its type (modifiers skipped) or FUNC_PROTO */
	struct kcfg_type kt;	/* __kconfig: how it takes a value */
	uint32_t data_off;	/* __kconfig: offset in the .kconfig map */
	uint64_t addr;		/* typeless __ksym: /proc/kallsyms address */
	uint32_t kernel_btf_id;	/* typed __ksym, kfunc: VAR/FUNC id in kernel BTF */
	int kernel_btf_obj_fd;	/* 0: vmlinux */
	int16_t fd_idx;		/* kfunc call's fd_array index; 0: vmlinux */
};

/* A kernel module's BTF object (load_kmod.c). */
struct load_kmod {
	char name[64];
	int fd;
	uint8_t *raw;		/* the module's split BTF as the kernel gave it */
	uint32_t raw_size;
	struct btf *btf;	/* vmlinux's types, then the module's: kernel ids;
				 * NULL until a name is looked for in it */
	uint32_t first_id;	/* the module's first type id */
	int16_t fd_idx;		/* its index in fd_array; 0: not used yet */
};

struct load_ctx {
	struct obj *o;
	const struct load_opts *opts;
	const char *pin_root;
	struct btf *btf;	/* fixed-up, rewritten copy of o->btf, or NULL */
	bool btf_loaded;	/* lo->btf_fd is valid */
	bool func_info_ok;	/* kernel takes func_info / line_info */
	struct map_def *defs;
	size_t nr_defs;
	struct load_map_src *src;	/* parallel to lo->maps */
	struct loaded_obj *lo;
	const char *license;
	uint32_t kern_version;
	struct load_extern *exts;	/* sorted: __kconfig first, in map layout order */
	size_t nr_exts;
	uint32_t kconfig_size;	/* bytes of the .kconfig map; 0: none */
	uint8_t *kconfig_data;	/* its contents */
	uint8_t *vmlinux_raw;	/* the kernel's BTF as read, for module BTF */
	size_t vmlinux_raw_size;
	uint32_t vmlinux_nr_types;
	struct load_kmod *kmods;	/* every module's BTF, once one is needed */
	size_t nr_kmods;
	bool kmods_loaded;
	bool no_kernel_btf;	/* no /sys/kernel/btf/vmlinux: weak kfunc calls poisoned */
	int *fd_array;		/* module BTF fds of kfunc calls (BPF_PROG_LOAD) */
	uint32_t nr_fd_array;
	/* Target BTF (load_core.c), read once when needed: vmlinux + modules. */
	struct core_targets kt;
	bool kt_loaded;
	int kt_err;		/* the first failure to read it, repeated */
	struct bpf_insn **core_insns;	/* per section: CO-RE-patched instructions, or NULL */
	bool keep_core_recs;	/* load_prepare: keep every decision */
	struct load_core_rec *core_recs;	/* every decision, in record order */
	size_t nr_core_recs, core_recs_cap;
};

/* A program image: the entry function followed by every subprogram it
 * reaches, relocated, with func_info / line_info in instruction units. */
struct prog_image {
	struct bpf_insn *insns;
	uint32_t nr_insns;
	struct bpf_func_info *func_info;
	uint32_t nr_func_info;
	struct bpf_line_info *line_info;
	uint32_t nr_line_info;
};

/* load_btf.c */
int load_btf_prepare(struct load_ctx *c);
/* Offset and size of a variable in a data section, from the fixed-up BTF
 * (or the symbol table without BTF).  -ENOENT if not found. */
int load_btf_find_var(const struct load_ctx *c, uint32_t sec, const char *var,
		      uint32_t *off, uint32_t *size);

/* load_maps.c */
int load_maps_create(struct load_ctx *c);
int load_maps_fill_slots(struct load_ctx *c);
int load_maps_pin(struct load_ctx *c);
bool load_sec_is_global_data(const char *name);
/* Index into lo->maps of the map a relocation symbol refers to, or -ENOENT. */
int load_map_for_def_sym(const struct load_ctx *c, uint32_t sym);
int load_map_for_data_sec(const struct load_ctx *c, uint32_t sec);
int load_map_for_kconfig(const struct load_ctx *c);

/* load_extern.c */
/* Finds the object's externs and lays out the .kconfig map. */
int load_externs_collect(struct load_ctx *c);
/* .kconfig and .ksyms DATASECs of c->btf as the kernel takes them. */
int load_externs_fixup_btf(struct load_ctx *c);
/* Resolves every extern against the running kernel (or the files in opts). */
int load_externs_resolve(struct load_ctx *c);
const struct load_extern *load_extern_for_sym(const struct load_ctx *c, uint32_t sym);
void load_externs_free(struct load_ctx *c);

/* load_kmod.c: kfuncs and typed ksyms in kernel modules.  Finds a FUNC or
 * VAR (kind) named name in the modules' BTF (after vmlinux's, which
 * c->vmlinux_raw holds): its module and kernel type id; -ESRCH if none. */
int load_kmod_find(struct load_ctx *c, const char *name, int kind, struct load_kmod **mod,
		   uint32_t *id);
/* The module's index in c->fd_array, added at its first use. */
int load_kmod_fd_idx(struct load_ctx *c, struct load_kmod *m);
void load_kmods_free(struct load_ctx *c);
/* load_core.c */
/* Reads the target BTF (c->kt) the first time; why names
 * what needs it, for the message. */
int load_kernel_btf(struct load_ctx *c, const char *why);
/* Applies every CO-RE record to c->core_insns, keeping the decisions. */
int load_core_apply(struct load_ctx *c);
void load_core_free(struct load_ctx *c);

/* load_reloc.c */
int load_prog_image_build(struct load_ctx *c, uint32_t entry_sym, struct prog_image *img);
void prog_image_free(struct prog_image *img);

/* load_prog.c */
int load_progs(struct load_ctx *c);

/* load_log.c */
/* The last lines of a kernel log, each prefixed with what. */
void load_log_tail(enum log_level lvl, const char *what, const char *log);
/* "OBJ: program NAME" into buf, or what opts.prog_desc calls it. */
const char *load_prog_what(const struct load_ctx *c, const char *name, char *buf, size_t size);

#endif
