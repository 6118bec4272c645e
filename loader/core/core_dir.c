/* Target BTF from a directory laid out as /sys/kernel/btf: vmlinux and one
 * split BTF file per module. */
#include "core_priv.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CORE_BTF_MAX_FILE (256u << 20)	/* no kernel's BTF comes near this */

int core_read_file(const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rbe");
	size_t cap = 1 << 16, n = 0;
	struct stat st;
	char *buf = NULL;
	int ret = 0;

	*data = NULL;
	if (!f)
		return -errno;
	/* a size when there is one (sysfs reports the BTF's): one allocation
	 * of the right size, and the read that finds the end fits in it */
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < CORE_BTF_MAX_FILE)
		cap = (size_t)st.st_size + 1;
	for (;;) {
		char *nb;
		size_t got;

		if (n == cap || !buf) {
			cap = buf ? cap * 2 : cap;
			if (cap > CORE_BTF_MAX_FILE) {
				ret = -EFBIG;
				break;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);	/* sysfs files have no size */
		n += got;
		if (!got) {
			ret = ferror(f) ? -EIO : 0;
			break;
		}
	}
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	*data = buf;
	*size = n;
	return 0;
}

int core_targets_load_dir(struct core_targets *ts, const char *dir, bool big_endian,
			  char *err, size_t errlen)
{
	char path[4096];
	struct dirent **names = NULL;
	void *data = NULL;
	size_t size = 0;
	int ret, n = 0;

	memset(ts, 0, sizeof(*ts));
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	ret = core_read_file(path, &data, &size);
	if (ret) {
		core_errf(err, errlen, "%s: cannot read kernel BTF (%s)", path, strerror(-ret));
		return ret;
	}
	ret = core_targets_init_raw(ts, data, size, path, big_endian, err, errlen);	/* takes data */
	if (ret)
		return ret;
	/* by name: the same targets in the same order on every run */
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		ret = -errno;
		core_errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (name[0] == '.' || !strcmp(name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		ret = core_read_file(path, &data, &size);
		if (ret) {
			core_errf(err, errlen, "%s: %s", path, strerror(-ret));
			goto fail;
		}
		ret = core_targets_add_module(ts, name, data, size, 0, err, errlen);
		free(data);
		if (ret)
			goto fail;
	}
	ret = 0;
	goto out;
fail:
	core_targets_free(ts);
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}
