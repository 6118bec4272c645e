/* The kernel's build configuration, for __kconfig externs: read from a
 * file (plain or gzip, like /proc/config.gz), looked up by name, and each
 * value encoded into an extern's bytes by libbpf's rules (bool, tristate,
 * char, integers of 1/2/4/8 bytes, char arrays for strings). */
#ifndef XDPLD_KCONFIG_H
#define XDPLD_KCONFIG_H

#include <stddef.h>
#include <stdint.h>

struct btf;
struct kconfig;

/* Reads path, or when path is NULL the running kernel's configuration
 * where libbpf looks: /boot/config-$(uname -r), then /proc/config.gz.
 * *used (may be NULL) points at the path read (static storage or path).
 * -ENOENT when none exists; -EINVAL (with a message naming the file and
 * line) for a malformed file. */
int kconfig_read(const char *path, struct kconfig **out, const char **used);
/* Parses configuration text (what == file name, for messages). */
int kconfig_parse(const char *text, size_t len, const char *what, struct kconfig **out);
void kconfig_free(struct kconfig *kc);
/* The value of CONFIG_NAME as written ("y", "m", "\"str\"", "0x10"), or
 * NULL when the configuration does not set it. */
const char *kconfig_get(const struct kconfig *kc, const char *name);

/* How an extern's type takes a value (libbpf's kcfg types). */
enum kcfg_kind { KCFG_UNKNOWN, KCFG_CHAR, KCFG_BOOL, KCFG_INT, KCFG_TRISTATE, KCFG_CHAR_ARR };
struct kcfg_type {
	enum kcfg_kind kind;
	uint32_t size, align;
	int is_signed;
};
/* The kcfg type of BTF type id (modifiers and typedefs skipped). */
int kconfig_type_of(const struct btf *btf, uint32_t id, struct kcfg_type *kt);
/* Writes value (as kconfig_get returns it) into buf (kt->size bytes) for
 * the extern called name; on an error returns -EINVAL/-ERANGE and writes
 * the reason into why. */
int kconfig_encode(const struct kcfg_type *kt, const char *name, const char *value,
		   void *buf, char *why, size_t why_len);
/* LINUX_KERNEL_VERSION as libbpf computes it from a release string
 * ("6.1.0-57-amd64" -> KERNEL_VERSION(6, 1, 0)); 0 when it does not parse. */
uint32_t kconfig_kernel_version(const char *release);

#endif
