/* The loader's driver: BTF, then maps, then programs, then initial slots,
 * then pins; on any error everything created so far is released. */
#include "load_internal.h"
#include "btf.h"
#include "log.h"
#include "obj.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_TAIL_LINES 20

void load_log_tail(enum log_level lvl, const char *what, const char *log)
{
	size_t len = strlen(log);
	const char *p = log + len;
	int lines = 0;

	while (len && (log[len - 1] == '\n' || log[len - 1] == ' '))
		len--;
	for (p = log + len; p > log && lines <= LOG_TAIL_LINES; p--)
		if (p[-1] == '\n' && ++lines > LOG_TAIL_LINES)
			break;
	log_msg(lvl, "%s: verifier log (last lines):", what);
	while (p < log + len) {
		const char *nl = memchr(p, '\n', (size_t)(log + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(log + len - p);

		log_msg(lvl, "  %.*s", (int)n, p);
		p += n + 1;
	}
}

static int read_license(struct load_ctx *c)
{
	int sec = obj_find_sec(c->o, "license");
	const struct obj_sec *s;

	c->license = "";
	if (sec < 0)
		return 0;
	s = &c->o->secs[sec];
	if (!s->data || !s->size || !memchr(s->data, '\0', s->size)) {
		pr_err("%s: section license is not a NUL-terminated string", c->o->path);
		return -EINVAL;
	}
	c->license = (const char *)s->data;
	return 0;
}

static int check_byte_order(const struct obj *o)
{
	int host = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;

	if (o->byte_order == host)
		return 0;
	pr_err("%s: object is %s-endian but this machine is %s-endian", o->path,
	       o->byte_order == ELFDATA2MSB ? "big" : "little", host == ELFDATA2MSB ? "big" : "little");
	return -EINVAL;
}

/* Externs (__ksym, __kconfig, kfuncs) need resolving against the kernel,
 * which this loader does not do yet: refuse them before touching it. */
static int check_no_externs(const struct obj *o)
{
	for (size_t s = 1; s < o->nr_secs; s++) {
		if (!obj_sec_is_prog(o, (uint32_t)s))
			continue;
		for (size_t r = 0; r < o->secs[s].nr_relocs; r++) {
			const struct obj_sym *sym = &o->syms[o->secs[s].relocs[r].sym];

			if (sym->sec != OBJ_SEC_UNDEF)
				continue;
			pr_err("%s: not supported yet: extern symbol %s (__ksym/__kconfig/kfunc) used in section %s",
			       o->path, sym->name, o->secs[s].name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

int load_object(struct obj *o, const struct load_opts *opts, struct loaded_obj **out)
{
	static const struct load_opts defaults;
	struct load_ctx c = { .o = o, .opts = opts ? opts : &defaults };
	int err;

	*out = NULL;
	c.pin_root = c.opts->pin_root ? c.opts->pin_root : "/sys/fs/bpf";
	c.lo = calloc(1, sizeof(*c.lo));
	if (!c.lo)
		return -ENOMEM;
	c.lo->btf_fd = -1;
	err = check_byte_order(o);
	if (!err)
		err = check_no_externs(o);
	if (!err)
		err = read_license(&c);
	if (!err)
		err = obj_map_defs(o, &c.defs, &c.nr_defs);
	if (!err)
		err = load_btf_prepare(&c);
	if (!err)
		err = load_maps_create(&c);
	if (!err)
		err = load_progs(&c);
	if (!err)
		err = load_maps_fill_slots(&c);
	if (!err)
		err = load_maps_pin(&c);
	if (err == -ENOMEM)
		pr_err("%s: out of memory while loading", o->path);
	btf_free(c.btf);
	map_defs_free(c.defs, c.nr_defs);
	free(c.src);
	if (err) {
		loaded_obj_free(c.lo);
		return err;
	}
	*out = c.lo;
	return 0;
}

void loaded_obj_free(struct loaded_obj *lo)
{
	if (!lo)
		return;
	for (size_t i = 0; i < lo->nr_progs; i++) {
		if (lo->progs[i].fd >= 0)
			close(lo->progs[i].fd);
		free(lo->progs[i].name);
		free(lo->progs[i].sec);
	}
	for (size_t i = 0; i < lo->nr_maps; i++) {
		if (lo->maps[i].fd >= 0)
			close(lo->maps[i].fd);
		free(lo->maps[i].name);
		free(lo->maps[i].pin_path);
	}
	if (lo->btf_fd >= 0)
		close(lo->btf_fd);
	free(lo->progs);
	free(lo->maps);
	free(lo);
}

const struct loaded_prog *loaded_obj_prog(const struct loaded_obj *lo, const char *name)
{
	for (size_t i = 0; i < lo->nr_progs; i++)
		if (!strcmp(lo->progs[i].name, name))
			return &lo->progs[i];
	return NULL;
}

int loaded_obj_prog_fd(const struct loaded_obj *lo, const char *name)
{
	const struct loaded_prog *p = loaded_obj_prog(lo, name);

	return p ? p->fd : -ENOENT;
}

int loaded_obj_map_fd(const struct loaded_obj *lo, const char *name)
{
	for (size_t i = 0; i < lo->nr_maps; i++)
		if (!strcmp(lo->maps[i].name, name))
			return lo->maps[i].fd;
	return -ENOENT;
}

/* ---- --set VAR=VALUE ---- */

static int rodata_var_size(const struct obj *o, const char *var, uint64_t *size)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec < o->nr_secs && s->type == STT_OBJECT && !strcmp(s->name, var) &&
		    !strncmp(o->secs[s->sec].name, ".rodata", 7)) {
			*size = s->size;
			return 0;
		}
	}
	return -ENOENT;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int parse_value(const char *s, uint64_t size, uint8_t *buf)
{
	char *end;

	if (size == 1 || size == 2 || size == 4 || size == 8) {
		int neg = s[0] == '-';
		uint64_t v;
		uint64_t max = size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;

		errno = 0;
		v = neg ? (uint64_t)strtoll(s, &end, 0) : strtoull(s, &end, 0);
		if (errno || end == s || *end)
			return -EINVAL;
		if (!neg && v > max)
			return -ERANGE;
		if (neg && size < 8 && (int64_t)v < -(int64_t)(1ull << (size * 8 - 1)))
			return -ERANGE;
		/* Host order: objects of the other byte order are refused anyway. */
		switch (size) {
		case 1: buf[0] = (uint8_t)v; break;
		case 2: { uint16_t x = (uint16_t)v; memcpy(buf, &x, 2); break; }
		case 4: { uint32_t x = (uint32_t)v; memcpy(buf, &x, 4); break; }
		default: memcpy(buf, &v, 8);
		}
		return 0;
	}
	if (strncmp(s, "0x", 2) || strlen(s + 2) != size * 2)
		return -EINVAL;
	for (uint64_t i = 0; i < size; i++) {
		int hi = hex_digit(s[2 + 2 * i]), lo = hex_digit(s[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int load_parse_rodata_set(const struct obj *o, const char *arg,
			  struct load_rodata_override *ov, void **val)
{
	const char *eq = strchr(arg, '=');
	uint64_t size;
	char *var;
	uint8_t *buf;
	int err;

	*val = NULL;
	if (!eq || eq == arg) {
		pr_err("--set %s: expected VAR=VALUE", arg);
		return -EINVAL;
	}
	var = strndup(arg, (size_t)(eq - arg));
	if (!var)
		return -ENOMEM;
	err = rodata_var_size(o, var, &size);
	if (err || !size || size > 1u << 20) {
		pr_err("%s: --set %s: no variable %s in .rodata", o->path, arg, var);
		free(var);
		return -ENOENT;
	}
	buf = malloc(size);
	if (!buf) {
		free(var);
		return -ENOMEM;
	}
	err = parse_value(eq + 1, size, buf);
	if (err) {
		pr_err("%s: --set %s: variable %s is %" PRIu64 " bytes; give %s", o->path, arg, var, size,
		       size <= 8 && !(size & (size - 1)) ? "an integer that fits" : "0x and 2 hex digits per byte");
		free(buf);
		free(var);
		return err;
	}
	/* The name lives in the same allocation as the value (after it). */
	uint8_t *both = realloc(buf, size + strlen(var) + 1);

	if (!both) {
		free(buf);
		free(var);
		return -ENOMEM;
	}
	strcpy((char *)both + size, var);
	free(var);
	ov->var = (const char *)both + size;
	ov->val = both;
	ov->len = (size_t)size;
	*val = both;
	return 0;
}
