/* Unit tests for loader/kernel/kconfig.c: parsing (first of duplicates wins, as
 * libbpf), malformed files, gzip (as /proc/config.gz), the running
 * kernel's configuration, and encoding values by libbpf's kcfg rules. */
#include "base/log.h"
#include "btf/btf.h"
#include "kernel/kconfig.h"
#include "tap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHECK(cond, ...) do { bool check_ok_ = (cond); TAP_CHECK(check_ok_, __VA_ARGS__); } while (0)

static const char cfg[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n#\n"
	"CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
	"CONFIG_BPF=y\n"
	"CONFIG_NF_CONNTRACK=m\n"
	"# CONFIG_BPF_PRELOAD is not set\n"
	"CONFIG_HZ=250\n"
	"CONFIG_HZ=1000\n"
	"CONFIG_PHYS=0x1000000\n"
	"CONFIG_NEG=-1\n"
	"\n"
	"CONFIG_LAST=n";

static void parsing(void)
{
	struct kconfig *kc = NULL;
	int err = kconfig_parse(cfg, sizeof(cfg) - 1, "t.config", &kc);

	CHECK(!err, "a .config parses");
	if (err)
		return;
	CHECK(kc && !strcmp(kconfig_get(kc, "CONFIG_BPF"), "y"), "CONFIG_BPF=y");
	CHECK(!strcmp(kconfig_get(kc, "CONFIG_NF_CONNTRACK"), "m"), "CONFIG_NF_CONNTRACK=m");
	CHECK(!strcmp(kconfig_get(kc, "CONFIG_HZ"), "250"), "the first of two lines wins (libbpf's rule)");
	CHECK(!strcmp(kconfig_get(kc, "CONFIG_CC_VERSION_TEXT"), "\"gcc (Debian 12.2.0-14) 12.2.0\""),
	      "strings keep their quotes");
	CHECK(!strcmp(kconfig_get(kc, "CONFIG_LAST"), "n"), "a last line without newline");
	CHECK(!kconfig_get(kc, "CONFIG_BPF_PRELOAD"), "'is not set' comments set nothing");
	CHECK(!kconfig_get(kc, "CONFIG_NOPE") && !kconfig_get(kc, "CONFIG_"), "unknown names: NULL");
	kconfig_free(kc);
}

static void malformed(void)
{
	static const char *const bad[] = {
		"CONFIG_X\n", "CONFIG_X=\n", "CONFIG_X Y=1\n", "CONFIG_=1\n", "CONFIG_A=1\nx\0y",
	};
	static const size_t lens[] = { 9, 10, 12, 10, 15 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kconfig *kc = NULL;

		CHECK(kconfig_parse(bad[i], lens[i], "bad.config", &kc) == -EINVAL && !kc,
		      "malformed config %zu refused", i);
	}
}

/* cfg gzip-compressed into path, as the kernel's /proc/config.gz is. */
static int write_gz(const char *path, const char *text, size_t len, bool truncate)
{
	unsigned char out[4096];
	z_stream zs = { 0 };
	FILE *f;
	size_t n;

	if (deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (unsigned char *)(uintptr_t)text;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		return -1;
	}
	n = zs.total_out;
	deflateEnd(&zs);
	if (truncate)
		n /= 2;
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(out, 1, n, f);
	return fclose(f);
}

static void gzip_files(void)
{
	char dir[] = "/tmp/kconfig-test.XXXXXX", path[64];
	struct kconfig *kc = NULL;
	const char *used = NULL;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/config.gz", dir);
	CHECK(!write_gz(path, cfg, sizeof(cfg) - 1, false) && !kconfig_read(path, &kc, &used) &&
	      !strcmp(used, path) && !strcmp(kconfig_get(kc, "CONFIG_NF_CONNTRACK"), "m"),
	      "a gzip config reads like the plain one");
	kconfig_free(kc);
	kc = NULL;
	CHECK(!write_gz(path, cfg, sizeof(cfg) - 1, true) && kconfig_read(path, &kc, NULL) == -EINVAL && !kc,
	      "a truncated gzip config is refused");
	CHECK(kconfig_read("/nonexistent/config", &kc, NULL) == -ENOENT, "a missing file: -ENOENT");
	unlink(path);
	rmdir(dir);
}

/* The running kernel's configuration, where libbpf looks. */
static void running_kernel(void)
{
	struct kconfig *kc = NULL;
	const char *used = NULL;
	int err = kconfig_read(NULL, &kc, &used);

	if (err == -ENOENT) {
		printf("# no /boot/config-$(uname -r) or /proc/config.gz here\n");
		return;
	}
	CHECK(!err && kc && kconfig_get(kc, "CONFIG_BPF") && !strcmp(kconfig_get(kc, "CONFIG_BPF"), "y"),
	      "this kernel's configuration (%s) has CONFIG_BPF=y", used ? used : "?");
	kconfig_free(kc);
}

static void encoding(void)
{
	struct kcfg_type b = { KCFG_BOOL, 1, 1, 0 }, tri = { KCFG_TRISTATE, 4, 4, 0 },
			 ch = { KCFG_CHAR, 1, 1, 1 }, u16 = { KCFG_INT, 2, 2, 0 },
			 s8 = { KCFG_INT, 1, 1, 1 }, i64 = { KCFG_INT, 8, 8, 1 },
			 arr = { KCFG_CHAR_ARR, 6, 1, 0 };
	unsigned char buf[8];
	uint32_t u32;
	uint16_t v16;
	int64_t v64;
	char why[160];

	memset(buf, 0xaa, sizeof(buf));
	CHECK(!kconfig_encode(&b, "CONFIG_BPF", "y", buf, why, sizeof(why)) && buf[0] == 1, "bool y -> 1");
	CHECK(kconfig_encode(&b, "CONFIG_NF_CONNTRACK", "m", buf, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "CONFIG_NF_CONNTRACK=m"), "bool m refused: %s", why);
	CHECK(!kconfig_encode(&tri, "CONFIG_X", "m", buf, why, sizeof(why)) &&
	      (memcpy(&u32, buf, 4), u32 == 2), "tristate m -> 2 (TRI_MODULE)");
	CHECK(!kconfig_encode(&ch, "CONFIG_X", "m", buf, why, sizeof(why)) && buf[0] == 'm', "char m -> 'm'");
	CHECK(!kconfig_encode(&u16, "CONFIG_HZ", "1000", buf, why, sizeof(why)) &&
	      (memcpy(&v16, buf, 2), v16 == 1000), "u16 1000");
	CHECK(!kconfig_encode(&u16, "CONFIG_PHYS", "0xffff", buf, why, sizeof(why)), "u16 0xffff (base 0 as strtoull)");
	CHECK(kconfig_encode(&u16, "CONFIG_PHYS", "0x10000", buf, why, sizeof(why)) == -ERANGE,
	      "u16 0x10000 does not fit: %s", why);
	CHECK(!kconfig_encode(&s8, "CONFIG_NEG", "-1", buf, why, sizeof(why)) && buf[0] == 0xff,
	      "s8 -1 (strtoull wraps, fits signed)");
	CHECK(kconfig_encode(&s8, "CONFIG_X", "200", buf, why, sizeof(why)) == -ERANGE, "s8 200 does not fit");
	CHECK(!kconfig_encode(&i64, "CONFIG_X", "-5", buf, why, sizeof(why)) &&
	      (memcpy(&v64, buf, 8), v64 == -5), "s64 -5");
	CHECK(kconfig_encode(&u16, "CONFIG_X", "12ab", buf, why, sizeof(why)) == -EINVAL, "12ab is no integer");
	CHECK(kconfig_encode(&b, "CONFIG_X", "250", buf, why, sizeof(why)) == -EINVAL, "an integer into a bool refused");
	CHECK(!kconfig_encode(&arr, "CONFIG_S", "\"ab\"", buf, why, sizeof(why)) && !memcmp(buf, "ab", 3),
	      "a string into char[6]");
	CHECK(!kconfig_encode(&arr, "CONFIG_S", "\"abcdefgh\"", buf, why, sizeof(why)) && !memcmp(buf, "abcde", 6),
	      "a long string is cut, NUL-terminated");
	CHECK(kconfig_encode(&arr, "CONFIG_S", "\"ab", buf, why, sizeof(why)) == -EINVAL, "an unterminated string");
	CHECK(kconfig_encode(&u16, "CONFIG_S", "\"ab\"", buf, why, sizeof(why)) == -EINVAL,
	      "a string into an integer refused");
	CHECK(kconfig_kernel_version("6.1.0-57-amd64") == (6u << 16 | 1u << 8) &&
	      kconfig_kernel_version("5.10.300") == (5u << 16 | 10u << 8 | 255u) &&
	      kconfig_kernel_version("six") == 0, "LINUX_KERNEL_VERSION from a release (patch capped at 255)");
}

/* Types as BTF gives them: _Bool, char, u16, enum libbpf_tristate, char[4]. */
static void btf_types(void)
{
	struct btf *b = btf_new();
	struct btf_type t = { 0 };
	uint32_t enc;
	struct btf_enum e[3];
	struct btf_array a;
	struct kcfg_type kt;
	int64_t id_bool, id_char, id_u16, id_tri, id_arr, id_u24;

	if (!b) {
		CHECK(0, "btf_new");
		return;
	}
	t.name_off = (uint32_t)btf_add_str(b, "_Bool");
	t.info = BTF_KIND_INT << 24;
	t.size = 1;
	enc = BTF_INT_BOOL << 24 | 8;
	id_bool = btf_add_type(b, &t, &enc, 4);
	t.name_off = (uint32_t)btf_add_str(b, "char");
	enc = BTF_INT_SIGNED << 24 | 8;
	id_char = btf_add_type(b, &t, &enc, 4);
	t.name_off = (uint32_t)btf_add_str(b, "u16");
	t.size = 2;
	enc = 16;
	id_u16 = btf_add_type(b, &t, &enc, 4);
	t.name_off = (uint32_t)btf_add_str(b, "u24");
	t.size = 3;
	enc = 24;
	id_u24 = btf_add_type(b, &t, &enc, 4);
	t.name_off = (uint32_t)btf_add_str(b, "libbpf_tristate");
	t.info = BTF_KIND_ENUM << 24 | 3;
	t.size = 4;
	for (int i = 0; i < 3; i++)
		e[i] = (struct btf_enum){ (uint32_t)btf_add_str(b, i == 0 ? "TRI_NO" : i == 1 ? "TRI_YES" : "TRI_MODULE"), i };
	id_tri = btf_add_type(b, &t, e, sizeof(e));
	t.name_off = 0;
	t.info = BTF_KIND_ARRAY << 24;
	t.size = 0;
	a = (struct btf_array){ .type = (uint32_t)id_char, .index_type = (uint32_t)id_u16, .nelems = 4 };
	id_arr = btf_add_type(b, &t, &a, sizeof(a));
	CHECK(!kconfig_type_of(b, (uint32_t)id_bool, &kt) && kt.kind == KCFG_BOOL && kt.size == 1, "_Bool: bool");
	CHECK(!kconfig_type_of(b, (uint32_t)id_char, &kt) && kt.kind == KCFG_CHAR, "char: char");
	CHECK(!kconfig_type_of(b, (uint32_t)id_u16, &kt) && kt.kind == KCFG_INT && kt.size == 2 && !kt.is_signed,
	      "u16: 2-byte unsigned int");
	CHECK(!kconfig_type_of(b, (uint32_t)id_u24, &kt) && kt.kind == KCFG_UNKNOWN, "a 3-byte int: unknown");
	CHECK(!kconfig_type_of(b, (uint32_t)id_tri, &kt) && kt.kind == KCFG_TRISTATE, "enum libbpf_tristate");
	CHECK(!kconfig_type_of(b, (uint32_t)id_arr, &kt) && kt.kind == KCFG_CHAR_ARR && kt.size == 4,
	      "char[4]: string of 4 bytes");
	CHECK(kconfig_type_of(b, 999, &kt) == -EINVAL, "a type id out of range");
	btf_free(b);
}

int main(void)
{
	log_set_level(LOG_LVL_ERR);
	parsing();
	malformed();
	gzip_files();
	running_kernel();
	encoding();
	btf_types();
	return tap_done();
}
