/* BTF objects the kernel holds (see kbtf.h). */
#include "kbtf.h"
#include "bpf_sys.h"
#include "btf/btf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int kbtf_read(int btf_fd, struct btf **out)
{
	struct bpf_btf_info info;
	uint32_t len = sizeof(info), size;
	char what[48];
	void *data;
	int err;

	*out = NULL;
	memset(&info, 0, sizeof(info));
	err = sys_obj_info(btf_fd, &info, &len);
	if (err)
		return err;
	/* The kernel fills in the info of whatever fd is: for a program, map
	 * or link the first 8 bytes get its type and (non-zero) id, where a
	 * BTF object's info keeps the btf pointer we passed (0). */
	if (info.btf)
		return -EINVAL;
	size = info.btf_size;
	if (!size)
		return -ENODATA;
	if (size > (64u << 20))	/* the kernel takes at most 16 MiB of BTF */
		return -EFBIG;
	data = malloc(size);
	if (!data)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.btf = (uint64_t)(uintptr_t)data;
	info.btf_size = size;
	len = sizeof(info);
	err = sys_obj_info(btf_fd, &info, &len);
	/* BTF objects are immutable: a different size means a different object. */
	if (!err && (info.btf_size != size || info.btf != (uint64_t)(uintptr_t)data))
		err = -EIO;
	if (err)
		goto out;
	snprintf(what, sizeof(what), "kernel BTF object %u", info.id);
	err = btf_parse(data, size, what, out);
out:
	free(data);
	return err;
}

int kbtf_prog_read(int prog_fd, struct btf **out)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd, err;

	*out = NULL;
	memset(&info, 0, sizeof(info));
	err = sys_obj_info(prog_fd, &info, &len);
	if (err)
		return err;
	if (!info.btf_id)
		return -ENODATA;
	fd = sys_btf_fd_by_id(info.btf_id);
	if (fd < 0)
		return fd;
	err = kbtf_read(fd, out);
	close(fd);
	return err;
}

int kbtf_prog_func_id(int prog_fd, const char *name, uint32_t *id)
{
	struct btf *b;
	int64_t found;
	int err = kbtf_prog_read(prog_fd, &b);

	if (err)
		return err;
	found = btf_find(b, name, BTF_KIND_FUNC);
	btf_free(b);
	if (found < 0)
		return -ENOENT;
	*id = (uint32_t)found;
	return 0;
}
