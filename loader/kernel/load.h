/* xdpld's kernel loader: turns one struct obj (a single file or the output
 * of link_objects) into kernel objects with bpf(2) directly: BTF (fixed up
 * and rewritten for what the running kernel knows), maps (including global
 * data and map-in-map), programs with their reachable subprograms, and
 * initial prog-array / map-in-map slots.  Pinned maps are reused when
 * compatible; new pins are created only after the whole load succeeded.
 * See docs/loader.md. */
#ifndef XDPLD_LOAD_H
#define XDPLD_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct obj;
struct map_def;

/* Replace len bytes at off inside a .rodata variable before loading: the
 * whole variable (off 0, len its size) or one member of it (off + len must
 * not exceed the variable's size).  Several overrides of one variable are
 * applied in order. */
struct load_rodata_override {
	const char *var;
	const void *val;
	size_t len;
	size_t off;		/* bytes into the variable */
};

/* An existing map to use instead of creating the object's map `name` (a
 * map definition, not global data).  It must match the definition exactly
 * like a reused pin (type, key/value size, max_entries, flags) or the load
 * fails naming the map and field; its contents and slots are left alone. */
struct load_map_reuse {
	const char *name;	/* map name in the object */
	int fd;			/* borrowed: the loader takes its own reference */
};

/* Where an extension (freplace) program goes: load_opts.ext. */
struct load_ext_target {
	const char *prog;	/* entry program name in the object */
	int target_fd;		/* program whose function it replaces */
	uint32_t target_btf_id;	/* BTF id of that function in target_fd's BTF */
};

struct load_opts {
	const char *pin_root;	/* NULL: /sys/fs/bpf */
	const struct load_rodata_override *rodata;
	size_t nr_rodata;
	bool no_btf;		/* never pass BTF to the kernel */
	/* When the kernel refuses the object's (sanitized) BTF, warn with its
	 * log and load without BTF.  Default: the load fails with the
	 * kernel's log (a kernel lacking BTF altogether is not a refusal). */
	bool btf_optional;
	bool no_pin;		/* ignore pinning: neither reuse nor create pins */
	bool no_new_pins;	/* reuse (and check) existing pins, create none */
	const struct load_map_reuse *reuse;
	size_t nr_reuse;
	uint32_t offload_ifindex;	/* hw mode: programs and maps for this NIC; 0: host */
	/* Load the entry program `prog` as an extension (BPF_PROG_TYPE_EXT)
	 * of the function target_btf_id of the loaded program target_fd
	 * (freplace); every other program loads as its section says. */
	const struct load_ext_target *ext;
	/* Entry programs in sections named "?..." (libbpf's SEC("?xdp"):
	 * autoload off) are not loaded, except this one (and ext->prog): the
	 * program asked for by name.  NULL: none of them. */
	const char *autoload;
	/* __kconfig externs: the kernel configuration to read (plain or gzip);
	 * NULL: /boot/config-$(uname -r), then /proc/config.gz (as libbpf). */
	const char *kconfig_path;
	/* Target BTF for CO-RE relocations, typed __ksym externs and kfuncs:
	 * a BTF file (taken as vmlinux, no modules) or a directory laid out
	 * as /sys/kernel/btf (vmlinux + module files); NULL: what
	 * load_set_kernel_btf() set, else /sys/kernel/btf, else (the kernel
	 * has no /sys/kernel/btf/vmlinux) the image's file for this kernel
	 * release, XDPLD_BTF_DIR/$(uname -r).btf.  Typed __ksym externs and
	 * kfuncs always use the running kernel's own BTF. */
	const char *kernel_btf_path;
	/* How messages name a program: "module fw (/x/fw.o), program xdp_fw"
	 * rather than "OBJ: program NAME", for objects xdpld generates (whose
	 * programs are named xdpld_rootlet, xdpld_slotN, ...).  Writes a
	 * description of program `prog` into buf and returns true, or false
	 * for the default.  NULL: the default. */
	bool (*prog_desc)(void *ctx, const char *prog, char *buf, size_t size);
	void *prog_desc_ctx;
};

struct loaded_map {
	char *name;		/* object-level name: symbol, or ".rodata" etc. */
	char kname[16];		/* name given to the kernel */
	int fd;
	uint32_t id;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	bool reused_pin;	/* fd comes from an existing pin */
	bool reused;		/* fd comes from load_opts.reuse */
	char *pin_path;		/* set when pinned by name (after success) */
};

struct loaded_prog {
	char *name;		/* entry function name */
	char *sec;		/* its ELF section */
	int fd;
	uint32_t id;
	uint32_t prog_type, expected_attach_type, prog_flags;	/* as loaded (EXT for opts.ext) */
	uint32_t insn_cnt;	/* instructions submitted (with subprograms) */
	uint32_t verified_insns;	/* from the kernel; 0 if it does not say */
	uint8_t tag[8];		/* the kernel's program tag (as bpftool shows it) */
	uint32_t xlated_len;	/* bytes of translated instructions */
};

struct loaded_obj {
	int btf_fd;		/* -1 when loaded without BTF */
	struct loaded_map *maps;
	size_t nr_maps;
	struct loaded_prog *progs;
	size_t nr_progs;
};

/* Load everything in o.  On error every fd is closed, nothing is pinned,
 * and the messages name the file, section, program or map involved. */
int load_object(struct obj *o, const struct load_opts *opts, struct loaded_obj **out);
void loaded_obj_free(struct loaded_obj *lo);	/* closes every fd */

/* Where a kernel without BTF finds its target BTF in the image, one file
 * per kernel release: XDPLD_BTF_DIR/RELEASE.btf.  The firmware build
 * (firmware/image/build.sh) installs it there; `make XDPLD_BTF_DIR=...`
 * moves it. */
#ifndef XDPLD_BTF_DIR
#define XDPLD_BTF_DIR "/lib/xdpld/btf"
#endif

/* The process-wide default of load_opts.kernel_btf_path (xdpld
 * --kernel-btf, the manifest's option kernel_btf); NULL: /sys/kernel/btf,
 * else the image's file.  path must outlive the loads. */
void load_set_kernel_btf(const char *path);
const char *load_get_kernel_btf(void);
/* The image's target BTF for the running kernel (XDPLD_BTF_DIR/$(uname
 * -r).btf) into buf; -ENAMETOOLONG, -EINVAL (a release with a '/'). */
int load_image_btf_path(char *buf, size_t size);

/* ---- the prepare step: what a load would decide, nothing created ---- */

/* One CO-RE relocation as decided. */
struct load_core_rec {
	const char *sec;	/* the ELF section */
	const char *func;	/* the function holding the instruction */
	uint32_t relo;		/* record index in the section (libbpf's "relo #") */
	struct core_decision d;	/* d.insn_idx: in the function (libbpf's "insn #") */
	char target[64];	/* "vmlinux", a module's name, or "": no target */
};

/* One extern as resolved. */
struct load_extern_rec {
	const char *name;
	const char *kind;	/* "kconfig", "ksym", "typeless_ksym", "kfunc" */
	bool weak, resolved;
	uint32_t btf_id;	/* ksym, kfunc: in the target BTF */
	const char *target;	/* ksym, kfunc: "vmlinux"; NULL otherwise */
	uint64_t value;		/* kconfig: its value (up to 8 bytes); typeless ksym: address */
};

struct load_prep {
	struct load_core_rec *core;
	size_t nr_core;
	struct load_extern_rec *exts;
	size_t nr_exts;
};

/* Resolve o's CO-RE relocations and externs as load_object() would, with
 * opts' target BTF, creating no map, program or BTF object (no root
 * needed when the target BTF is readable).  Errors as load_object's.  The
 * records point into o (names), which must outlive *out. */
int load_prepare(struct obj *o, const struct load_opts *opts, struct load_prep **out);
void load_prep_free(struct load_prep *p);

/* Why an existing map cannot stand in for a definition. */
struct load_map_mismatch {
	const char *field;	/* "type", "key_size", "value_size", "max_entries", "map_flags" */
	uint32_t have, want;	/* the existing map's value, the definition's */
};

/* 0 when the map fd matches what d would create (*id gets its id; may be
 * NULL); -EINVAL with *mm filled when a field differs; -ENOTSUP when fd is
 * not a map (a program, link, BTF or no BPF object); another negative errno
 * when the kernel cannot tell.  map_flags are compared as the kernel
 * reports them (it adds BPF_F_RDONLY_PROG to devmaps).  Does not log. */
int load_map_check_reuse(const struct map_def *d, int fd, struct load_map_mismatch *mm,
			 uint32_t *id);

/* BTF half of the reuse check: whether the key and value types of the map
 * map_fd (from its kernel BTF) are structurally the same as d's (from
 * o->btf, the object's own BTF as read): btf_types_equal() after skipping
 * top-level typedefs and modifiers on both sides.  A half is compared only
 * when both the map and d have a type for it (a key given by key_size only
 * leaves the value).  0 when the types are equal or there is nothing to
 * compare (the map has no BTF, o has no BTF, d has no types); -EINVAL with
 * why filled ("key type: ...", "value type: ...", the existing map's side
 * first) when they differ; -ENOTSUP when map_fd is not a map; another
 * negative errno when the kernel BTF could not be read.  Does not log
 * (except btf_parse's message if the kernel's BTF did not parse).  Note: a
 * map created on a kernel lacking FLOAT, ENUM64 or TYPE_TAG holds the
 * loader's rewritten types (load_btf.c), which then differ from o->btf. */
int load_map_check_btf(const struct obj *o, const struct map_def *d, int map_fd,
		       char *why, size_t len);

/* -ENOENT when there is no such program / map. */
int loaded_obj_prog_fd(const struct loaded_obj *lo, const char *name);
int loaded_obj_map_fd(const struct loaded_obj *lo, const char *name);
const struct loaded_prog *loaded_obj_prog(const struct loaded_obj *lo, const char *name);

/* Program type, expected attach type and prog_flags for an ELF section
 * name; -EOPNOTSUPP when the section is not a known program section. */
int load_prog_type_from_sec(const char *sec, uint32_t *prog_type,
			    uint32_t *expected_attach_type, uint32_t *prog_flags);

/* Parse "VAR=VALUE" into an override for a variable of the object's
 * .rodata, or "VAR.MEMBER...=VALUE" for a member of a struct/union
 * variable (also nested, through anonymous members, and array elements
 * "VAR.arr[2]"), resolved through the object's BTF (typedefs and
 * modifiers skipped; bit fields refused).  VALUE is a decimal/hex integer
 * sized like the variable or member, or "0x" followed by exactly 2*size
 * hex digits taken as raw bytes.  The value buffer is malloc'ed into *val
 * (caller frees). */
int load_parse_rodata_set(const struct obj *o, const char *arg,
			  struct load_rodata_override *ov, void **val);

#endif
