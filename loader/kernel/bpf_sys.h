/* Thin wrappers over the bpf(2) system call, nothing else: each fills a
 * zeroed union bpf_attr, makes the call and returns a new fd, 0, or -errno.
 * No logging here: callers know which file, map or program was involved and
 * say so in their own message.
 *
 * Names are sys_<noun>_<verb> (sys_map_create, sys_prog_load): deliberately
 * not libbpf's bpf_* names, whose signatures differ, so that a test tool
 * linking both, or a reader who knows libbpf, is never misled.
 *
 * Object names (maps, programs) are passed through sys_obj_name_copy, which
 * keeps the first 15 characters and turns anything but [A-Za-z0-9_.] into
 * '_', since the kernel refuses other names. */
#ifndef XDPLD_BPF_SYS_H
#define XDPLD_BPF_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* The kernel's internal ENOTSUPP (include/linux/errno.h, not in the UAPI):
 * what a JIT that cannot compile a program may return. */
#define KERNEL_ENOTSUPP 524
/* strerror() for what bpf(2) returns (err negative or positive), knowing the
 * kernel-internal ENOTSUPP (524) that libcs have no text for: the JIT or
 * the kernel cannot run what the verifier accepted (ARM32: calls between BPF
 * functions, 64-bit atomics next to a tail call; the interpreter compiled
 * out). */
const char *sys_strerror(int err);

/* dst gets at most BPF_OBJ_NAME_LEN - 1 characters plus NUL; NULL name -> "". */
void sys_obj_name_copy(char dst[BPF_OBJ_NAME_LEN], const char *name);

/* Maps. */
struct sys_map_create_opts {
	uint32_t btf_fd;		/* 0: no BTF */
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	uint32_t inner_map_fd;		/* map-in-map template; 0: none */
	uint64_t map_extra;
	uint32_t numa_node;		/* used only with BPF_F_NUMA_NODE */
	uint32_t map_ifindex;		/* offload; 0: host */
};

/* opts may be NULL. */
int sys_map_create(enum bpf_map_type type, const char *name, uint32_t key_size,
		   uint32_t value_size, uint32_t max_entries, uint32_t flags,
		   const struct sys_map_create_opts *opts);
int sys_map_update(int map_fd, const void *key, const void *value, uint64_t flags);
int sys_map_lookup(int map_fd, const void *key, void *value);
int sys_map_delete(int map_fd, const void *key);
/* key NULL: first key.  -ENOENT after the last key. */
int sys_map_next_key(int map_fd, const void *key, void *next_key);
int sys_map_freeze(int map_fd);

/* Programs. */
struct sys_prog_load_args {
	enum bpf_prog_type type;
	const struct bpf_insn *insns;
	uint32_t insn_cnt;
	const char *license;		/* NULL: sent as "" (no GPL-only helpers) */
	const char *name;		/* NULL: unnamed */
	enum bpf_attach_type expected_attach_type;
	uint32_t prog_btf_fd;		/* 0: no BTF */
	const void *func_info;
	uint32_t func_info_cnt;
	uint32_t func_info_rec_size;
	const void *line_info;
	uint32_t line_info_cnt;
	uint32_t line_info_rec_size;
	uint32_t attach_btf_id;
	uint32_t attach_prog_fd;	/* freplace target program */
	uint32_t attach_btf_obj_fd;	/* module BTF (shares the attr slot with
					 * attach_prog_fd; set only one) */
	uint32_t prog_flags;		/* BPF_F_XDP_HAS_FRAGS, ... */
	uint32_t prog_ifindex;		/* offload; 0: host */
	const int *fd_array;		/* for BPF_PSEUDO_MAP_IDX; may be NULL */
	char *log_buf;			/* verifier log; NULL: none */
	uint32_t log_size;
	uint32_t log_level;
};

int sys_prog_load(const struct sys_prog_load_args *a);

struct sys_test_run_args {
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;			/* may be NULL */
	uint32_t data_size_out;		/* in: buffer size; out: bytes written */
	const void *ctx_in;		/* e.g. struct xdp_md; may be NULL */
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;		/* in/out like data_size_out */
	uint32_t repeat;		/* 0 is treated as 1 by the kernel */
	uint32_t flags;
	uint32_t retval;		/* out: the program's return value */
	uint32_t duration;		/* out: average ns per run */
};

int sys_prog_test_run(int prog_fd, struct sys_test_run_args *a);

/* BTF. */
int sys_btf_load(const void *data, uint32_t size, char *log_buf,
		 uint32_t log_size, uint32_t log_level);

/* bpffs. */
int sys_obj_pin(int fd, const char *path);
int sys_obj_get(const char *path);

/* Ids and info. */
int sys_prog_fd_by_id(uint32_t id);
int sys_map_fd_by_id(uint32_t id);
int sys_btf_fd_by_id(uint32_t id);
int sys_link_fd_by_id(uint32_t id);
/* -ENOENT after the last id. */
int sys_prog_next_id(uint32_t start_id, uint32_t *next_id);
int sys_map_next_id(uint32_t start_id, uint32_t *next_id);
int sys_btf_next_id(uint32_t start_id, uint32_t *next_id);
/* info is struct bpf_prog_info / bpf_map_info / bpf_btf_info / bpf_link_info;
 * *info_len in: its size (zero it first), out: the size the kernel filled. */
int sys_obj_info(int fd, void *info, uint32_t *info_len);

/* Links. */
int sys_link_create(int prog_fd, int target_fd, enum bpf_attach_type type,
		    uint32_t flags, uint32_t target_btf_id);
/* old_prog_fd is used only with BPF_F_REPLACE in flags. */
int sys_link_update(int link_fd, int new_prog_fd, uint32_t flags, int old_prog_fd);
int sys_link_detach(int link_fd);

#endif
