/* xdpld btfgen -o OUT.btf [--btf FILE] OBJ...: minimized target BTF for
 * the objects' CO-RE relocations (core/core_gen.h), as `bpftool gen
 * min_core_btf` makes it.  An object without .BTF or .BTF.ext is an error
 * (as with bpftool); one whose relocations match nothing contributes
 * nothing, and when no object does, the output is an empty BTF, with a
 * warning. */
#include "cli.h"
#include "base/log.h"
#include "btf/btf.h"
#include "core/core_gen.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BTFGEN_DEFAULT_BTF "/sys/kernel/btf/vmlinux"
#define BTFGEN_MAX_FILE (256u << 20)	/* no kernel's BTF comes near this */

/* Reads all of path (sysfs files have no size). */
static int read_all(const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf = NULL, *nb;
	int ret = 0;

	*data = NULL;
	*size = 0;
	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (!buf || n == cap) {
			cap = buf ? cap * 2 : cap;
			if (cap > BTFGEN_MAX_FILE) {
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
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				ret = -EIO;
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

/* Written to a temporary name next to path, then renamed over it. */
static int write_atomic(const char *path, const void *data, size_t size)
{
	char *tmp = malloc(strlen(path) + sizeof(".tmpXXXXXX"));
	FILE *f = NULL;
	mode_t mask;
	int fd, ret = 0;

	if (!tmp)
		return -ENOMEM;
	sprintf(tmp, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	mask = umask(0);	/* mkstemp made it 0600: a plain file's mode */
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
		ret = -errno;
	f = ret ? NULL : fdopen(fd, "wb");
	if (!f) {
		ret = ret ? ret : -errno;
		close(fd);
	} else {
		if (fwrite(data, 1, size, f) != size)
			ret = -EIO;
		if (fclose(f) && !ret)
			ret = -EIO;
	}
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	return ret;
}

/* Reads path into *o and records its relocations; *o must outlive g. */
static int add_object(struct core_gen *g, const char *path, struct obj **o)
{
	char err[512];
	int ret;

	ret = obj_read_file(path, o);
	if (ret)
		return ret;	/* obj_read_file said why */
	if (!(*o)->btf || !(*o)->btf_ext) {
		pr_err("btfgen: %s: no %s section: nothing says which kernel types it uses", path,
		       (*o)->btf ? ".BTF.ext" : ".BTF");
		return -ENOENT;
	}
	if (!(*o)->btf_ext->core.nr_secs)
		pr_info("btfgen: %s: no CO-RE relocations", path);
	ret = core_gen_add(g, (*o)->btf, (*o)->btf_ext, (*o)->byte_order == ELFDATA2MSB, path, err,
			   sizeof(err));
	if (ret)
		pr_err("btfgen: %s", err);
	return ret;
}

static int run_btfgen(struct cli *c)
{
	const char *out = NULL, *btf_path = BTFGEN_DEFAULT_BTF;
	struct core_gen_stats st = { 0 };
	struct core_gen *g = NULL;
	struct btf *target = NULL;
	struct obj **objs = NULL;
	void *data = NULL, *res = NULL;
	size_t size = 0, res_size = 0;
	char err[512];
	int opt, ret, rc = 1;

	while ((opt = cli_next(c)) > 0) {
		switch (opt) {
		case 'o': out = c->arg; break;
		case 'b': btf_path = c->arg; break;
		}
	}
	if (opt < 0)
		return c->rc;
	ret = read_all(btf_path, &data, &size);
	if (ret) {
		pr_err("btfgen: cannot read target BTF %s: %s", btf_path, strerror(-ret));
		goto out;
	}
	ret = btf_parse(data, size, btf_path, &target);
	if (ret) {
		pr_err("btfgen: %s: not a valid BTF file (%s)", btf_path, strerror(-ret));
		goto out;
	}
	ret = core_gen_new(target, &g);
	if (ret) {
		pr_err("btfgen: %s: %s", btf_path, strerror(-ret));
		goto out;
	}
	objs = calloc((size_t)c->nr_pos, sizeof(*objs));
	if (!objs) {
		pr_err("btfgen: out of memory");
		goto out;
	}
	for (int i = 0; i < c->nr_pos; i++)
		if (add_object(g, c->pos[i], &objs[i]))
			goto out;
	ret = core_gen_write(g, &res, &res_size, &st, err, sizeof(err));
	if (ret) {
		pr_err("btfgen: %s", err);
		goto out;
	}
	if (!st.types)
		pr_warn("btfgen: no relocation of %s matches a type of %s: %s is an empty BTF",
			c->nr_pos > 1 ? "these objects" : c->pos[0], btf_path, out);
	ret = write_atomic(out, res, res_size);
	if (ret) {
		pr_err("btfgen: cannot write %s: %s", out, strerror(-ret));
		goto out;
	}
	pr_info("btfgen: %s: %u types, %u members, %zu bytes (%u of %u relocations matched%s)",
		out, st.types, st.members, res_size, st.matched, st.relos,
		st.all_cands ? "; every matching candidate kept" : "");
	rc = 0;
out:
	free(res);
	core_gen_free(g);
	for (int i = 0; objs && i < c->nr_pos; i++)
		obj_free(objs[i]);
	free(objs);
	btf_free(target);
	free(data);
	return rc;
}

const struct cli_cmd cmd_btfgen = {
	"btfgen", "OBJ...", "write the kernel BTF that objects' CO-RE relocations need",
	run_btfgen,
	(const struct cli_opt[]){
		{ 'o', CLI_SHORT | CLI_REQ, "output", "OUT.btf", "write the minimized BTF to OUT.btf" },
		{ 'b', 0, "btf", "FILE", "target BTF (default " BTFGEN_DEFAULT_BTF ")" },
		{ 0 },
	},
};
