#include "bpf_sys.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t ptr_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int bpf_syscall(enum bpf_cmd cmd, union bpf_attr *attr)
{
	long ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : (int)ret;
}

void sys_obj_name_copy(char dst[BPF_OBJ_NAME_LEN], const char *name)
{
	size_t i = 0;

	for (; name && name[i] && i < BPF_OBJ_NAME_LEN - 1; i++) {
		char c = name[i];
		int valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_' || c == '.';

		dst[i] = valid ? c : '_';
	}
	memset(dst + i, 0, BPF_OBJ_NAME_LEN - i);
}

int sys_map_create(enum bpf_map_type type, const char *name, uint32_t key_size,
		   uint32_t value_size, uint32_t max_entries, uint32_t flags,
		   const struct sys_map_create_opts *opts)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	sys_obj_name_copy(attr.map_name, name);
	if (opts) {
		attr.btf_fd = opts->btf_fd;
		attr.btf_key_type_id = opts->btf_key_type_id;
		attr.btf_value_type_id = opts->btf_value_type_id;
		attr.inner_map_fd = opts->inner_map_fd;
		attr.map_extra = opts->map_extra;
		attr.numa_node = opts->numa_node;
		attr.map_ifindex = opts->map_ifindex;
	}
	return bpf_syscall(BPF_MAP_CREATE, &attr);
}

static int map_elem(enum bpf_cmd cmd, int map_fd, const void *key, void *value,
		    uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = ptr_u64(key);
	attr.value = ptr_u64(value);	/* same slot as next_key */
	attr.flags = flags;
	return bpf_syscall(cmd, &attr);
}

int sys_map_update(int map_fd, const void *key, const void *value, uint64_t flags)
{
	return map_elem(BPF_MAP_UPDATE_ELEM, map_fd, key, (void *)value, flags);
}

int sys_map_lookup(int map_fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, map_fd, key, value, 0);
}

int sys_map_delete(int map_fd, const void *key)
{
	return map_elem(BPF_MAP_DELETE_ELEM, map_fd, key, NULL, 0);
}

int sys_map_next_key(int map_fd, const void *key, void *next_key)
{
	return map_elem(BPF_MAP_GET_NEXT_KEY, map_fd, key, next_key, 0);
}

int sys_map_freeze(int map_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	return bpf_syscall(BPF_MAP_FREEZE, &attr);
}

int sys_prog_load(const struct sys_prog_load_args *a)
{
	union bpf_attr attr;
	int ret, tries = 5;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = a->type;
	attr.insns = ptr_u64(a->insns);
	attr.insn_cnt = a->insn_cnt;
	attr.license = ptr_u64(a->license ? a->license : "");
	sys_obj_name_copy(attr.prog_name, a->name);
	attr.expected_attach_type = a->expected_attach_type;
	attr.prog_btf_fd = a->prog_btf_fd;
	attr.func_info = ptr_u64(a->func_info);
	attr.func_info_cnt = a->func_info_cnt;
	attr.func_info_rec_size = a->func_info_rec_size;
	attr.line_info = ptr_u64(a->line_info);
	attr.line_info_cnt = a->line_info_cnt;
	attr.line_info_rec_size = a->line_info_rec_size;
	attr.attach_btf_id = a->attach_btf_id;
	if (a->attach_prog_fd)
		attr.attach_prog_fd = a->attach_prog_fd;
	else
		attr.attach_btf_obj_fd = a->attach_btf_obj_fd;
	attr.prog_flags = a->prog_flags;
	attr.prog_ifindex = a->prog_ifindex;
	attr.fd_array = ptr_u64(a->fd_array);
	if (a->log_buf && a->log_size) {
		attr.log_buf = ptr_u64(a->log_buf);
		attr.log_size = a->log_size;
		attr.log_level = a->log_level;
		a->log_buf[0] = '\0';
	}
	/* The kernel returns EAGAIN when a signal interrupted verification. */
	do
		ret = bpf_syscall(BPF_PROG_LOAD, &attr);
	while (ret == -EAGAIN && --tries);
	return ret;
}

int sys_prog_test_run(int prog_fd, struct sys_test_run_args *a)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = ptr_u64(a->data_in);
	attr.test.data_size_in = a->data_size_in;
	attr.test.data_out = ptr_u64(a->data_out);
	attr.test.data_size_out = a->data_size_out;
	attr.test.ctx_in = ptr_u64(a->ctx_in);
	attr.test.ctx_size_in = a->ctx_size_in;
	attr.test.ctx_out = ptr_u64(a->ctx_out);
	attr.test.ctx_size_out = a->ctx_size_out;
	attr.test.repeat = a->repeat;
	attr.test.flags = a->flags;
	ret = bpf_syscall(BPF_PROG_TEST_RUN, &attr);
	/* Sizes are reported even on -ENOSPC. */
	a->data_size_out = attr.test.data_size_out;
	a->ctx_size_out = attr.test.ctx_size_out;
	a->retval = attr.test.retval;
	a->duration = attr.test.duration;
	return ret;
}

int sys_btf_load(const void *data, uint32_t size, char *log_buf,
		 uint32_t log_size, uint32_t log_level)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.btf = ptr_u64(data);
	attr.btf_size = size;
	if (log_buf && log_size) {
		attr.btf_log_buf = ptr_u64(log_buf);
		attr.btf_log_size = log_size;
		attr.btf_log_level = log_level;
		log_buf[0] = '\0';
	}
	return bpf_syscall(BPF_BTF_LOAD, &attr);
}

int sys_obj_pin(int fd, const char *path)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = ptr_u64(path);
	attr.bpf_fd = fd;
	return bpf_syscall(BPF_OBJ_PIN, &attr);
}

int sys_obj_get(const char *path)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = ptr_u64(path);
	return bpf_syscall(BPF_OBJ_GET, &attr);
}

static int fd_by_id(enum bpf_cmd cmd, uint32_t id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;	/* same slot as map_id, btf_id, link_id */
	return bpf_syscall(cmd, &attr);
}

int sys_prog_fd_by_id(uint32_t id) { return fd_by_id(BPF_PROG_GET_FD_BY_ID, id); }
int sys_map_fd_by_id(uint32_t id) { return fd_by_id(BPF_MAP_GET_FD_BY_ID, id); }
int sys_btf_fd_by_id(uint32_t id) { return fd_by_id(BPF_BTF_GET_FD_BY_ID, id); }
int sys_link_fd_by_id(uint32_t id) { return fd_by_id(BPF_LINK_GET_FD_BY_ID, id); }

static int get_next_id(enum bpf_cmd cmd, uint32_t start_id, uint32_t *next)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = start_id;
	ret = bpf_syscall(cmd, &attr);
	if (!ret)
		*next = attr.next_id;
	return ret;
}

int sys_prog_next_id(uint32_t start_id, uint32_t *next_id)
{
	return get_next_id(BPF_PROG_GET_NEXT_ID, start_id, next_id);
}

int sys_map_next_id(uint32_t start_id, uint32_t *next_id)
{
	return get_next_id(BPF_MAP_GET_NEXT_ID, start_id, next_id);
}

int sys_btf_next_id(uint32_t start_id, uint32_t *next_id)
{
	return get_next_id(BPF_BTF_GET_NEXT_ID, start_id, next_id);
}

int sys_obj_info(int fd, void *info, uint32_t *info_len)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = *info_len;
	attr.info.info = ptr_u64(info);
	ret = bpf_syscall(BPF_OBJ_GET_INFO_BY_FD, &attr);
	if (!ret)
		*info_len = attr.info.info_len;
	return ret;
}

int sys_link_create(int prog_fd, int target_fd, enum bpf_attach_type type,
		    uint32_t flags, uint32_t target_btf_id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_fd = target_fd;
	attr.link_create.attach_type = type;
	attr.link_create.flags = flags;
	attr.link_create.target_btf_id = target_btf_id;
	return bpf_syscall(BPF_LINK_CREATE, &attr);
}

int sys_link_update(int link_fd, int new_prog_fd, uint32_t flags, int old_prog_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.link_update.link_fd = link_fd;
	attr.link_update.new_prog_fd = new_prog_fd;
	attr.link_update.flags = flags;
	if (flags & BPF_F_REPLACE)
		attr.link_update.old_prog_fd = old_prog_fd;
	return bpf_syscall(BPF_LINK_UPDATE, &attr);
}

int sys_link_detach(int link_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.link_detach.link_fd = link_fd;
	return bpf_syscall(BPF_LINK_DETACH, &attr);
}


const char *sys_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == KERNEL_ENOTSUPP)
		return "not supported by this kernel or its JIT (ENOTSUPP, 524)";
	return strerror(err);
}
