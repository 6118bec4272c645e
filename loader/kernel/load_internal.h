/* Shared state of the loader's stages (load.c, load_btf.c, load_maps.c,
 * load_reloc.c, load_prog.c, load_log.c); not for use outside the loader.
 * The driver (load.c) calls the stages; the stages never call the driver. */
#ifndef XDPLD_LOAD_INTERNAL_H
#define XDPLD_LOAD_INTERNAL_H

#include "load.h"
#include "base/log.h"
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

/* load_reloc.c */
int load_prog_image_build(struct load_ctx *c, uint32_t entry_sym, struct prog_image *img);
void prog_image_free(struct prog_image *img);

/* load_prog.c */
int load_progs(struct load_ctx *c);

/* load_log.c */
/* The last lines of a kernel log, each prefixed with what. */
void load_log_tail(enum log_level lvl, const char *what, const char *log);

#endif
