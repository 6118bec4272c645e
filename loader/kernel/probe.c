/* Kernel feature probes (see probe.h). */
#include "probe.h"
#include "bpf_sys.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const feature_names[PROBE__COUNT] = {
	[PROBE_BTF] = "btf",
	[PROBE_BTF_FUNC] = "func",
	[PROBE_BTF_GLOBAL_FUNC] = "global_func",
	[PROBE_BTF_DATASEC] = "datasec",
	[PROBE_BTF_FLOAT] = "float",
	[PROBE_BTF_DECL_TAG] = "decl_tag",
	[PROBE_BTF_TYPE_TAG] = "type_tag",
	[PROBE_BTF_ENUM64] = "enum64",
	[PROBE_VMLINUX_BTF] = "vmlinux_btf",
	[PROBE_PROG_ARRAY_LOOKUP] = "prog_array_lookup",
};

/* String table shared by every probe blob; offsets below index into it. */
static const char probe_strs[] = "\0int\0f\0x\0.data\0float\0tag\0e\0v";
enum { S_INT = 1, S_F = 5, S_X = 7, S_DATA = 9, S_FLOAT = 15, S_TAG = 21,
       S_E = 25, S_V = 27 };

#define T(kind, vlen, kflag) ((uint32_t)(kflag) << 31 | (uint32_t)(kind) << 24 | (vlen))
#define INT_T(name) name, T(BTF_KIND_INT, 0, 0), 4, (BTF_INT_SIGNED << 24 | 32)

/* Each blob: type words only (little helpers above); [1] is usually int. */
static const uint32_t blob_btf[] = { INT_T(S_INT) };
static const uint32_t blob_func[] = {
	INT_T(S_INT),
	0, T(BTF_KIND_FUNC_PROTO, 0, 0), 1,
	S_F, T(BTF_KIND_FUNC, BTF_FUNC_STATIC, 0), 2,
};
static const uint32_t blob_global_func[] = {
	INT_T(S_INT),
	0, T(BTF_KIND_FUNC_PROTO, 0, 0), 1,
	S_F, T(BTF_KIND_FUNC, BTF_FUNC_GLOBAL, 0), 2,
};
static const uint32_t blob_datasec[] = {
	INT_T(S_INT),
	S_X, T(BTF_KIND_VAR, 0, 0), 1, BTF_VAR_STATIC,
	S_DATA, T(BTF_KIND_DATASEC, 1, 0), 4, 2, 0, 4,
};
static const uint32_t blob_float[] = { S_FLOAT, T(BTF_KIND_FLOAT, 0, 0), 4 };
static const uint32_t blob_decl_tag[] = {
	INT_T(S_INT),
	S_X, T(BTF_KIND_VAR, 0, 0), 1, BTF_VAR_STATIC,
	S_TAG, T(BTF_KIND_DECL_TAG, 0, 0), 2, (uint32_t)-1,
};
static const uint32_t blob_type_tag[] = {
	INT_T(S_INT),
	S_TAG, T(BTF_KIND_TYPE_TAG, 0, 0), 1,
	0, T(BTF_KIND_PTR, 0, 0), 2,
};
static const uint32_t blob_enum64[] = {
	S_E, T(BTF_KIND_ENUM64, 1, 0), 8, S_V, 0, 1,
};

static const struct { const uint32_t *types; size_t size; } blobs[PROBE__COUNT] = {
#define B(f, a) [f] = { a, sizeof(a) }
	B(PROBE_BTF, blob_btf),
	B(PROBE_BTF_FUNC, blob_func),
	B(PROBE_BTF_GLOBAL_FUNC, blob_global_func),
	B(PROBE_BTF_DATASEC, blob_datasec),
	B(PROBE_BTF_FLOAT, blob_float),
	B(PROBE_BTF_DECL_TAG, blob_decl_tag),
	B(PROBE_BTF_TYPE_TAG, blob_type_tag),
	B(PROBE_BTF_ENUM64, blob_enum64),
#undef B
};

static bool forced_missing(enum probe_feature f)
{
	const char *env = getenv("XDPLD_PROBE_MISSING");
	const char *name = feature_names[f];
	size_t len = strlen(name);

	for (const char *p = env; p && *p; ) {
		size_t n = strcspn(p, ",");

		if ((n == len && !strncmp(p, name, len)) || (n == 3 && !strncmp(p, "all", 3)))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static bool probe_btf_blob(const uint32_t *types, size_t types_size)
{
	struct btf_header hdr = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(hdr),
		.type_off = 0, .type_len = (uint32_t)types_size,
		.str_off = (uint32_t)types_size, .str_len = sizeof(probe_strs),
	};
	size_t size = sizeof(hdr) + types_size + sizeof(probe_strs);
	uint8_t *blob = malloc(size);
	int fd;

	if (!blob)
		return false;
	memcpy(blob, &hdr, sizeof(hdr));
	memcpy(blob + sizeof(hdr), types, types_size);
	memcpy(blob + sizeof(hdr) + types_size, probe_strs, sizeof(probe_strs));
	fd = sys_btf_load(blob, (uint32_t)size, NULL, 0, 0);
	free(blob);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* r0 = XDP_TX; exit */
const struct bpf_insn probe_ret_tx[PROBE_RET_TX_LEN] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = PROBE_VERDICT },
	{ .code = BPF_JMP | BPF_EXIT },
};

int probe_load_ret_tx(uint32_t type, uint32_t attach, uint32_t flags)
{
	struct sys_prog_load_args a = {
		.type = type, .insns = probe_ret_tx, .insn_cnt = 2, .license = "GPL",
		.name = "xdpld_probe", .expected_attach_type = attach, .prog_flags = flags,
	};

	return sys_prog_load(&a);
}

bool probe_prog_array_lookup(void)
{
	struct bpf_prog_info info;
	uint32_t key = 1, id = 0, len = sizeof(info);
	int map_fd, prog_fd = -1;
	bool ok = true;		/* when the probe cannot run, trust the lookup */

	map_fd = sys_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xdpld_probe", 4, 4, 2, 0, NULL);
	if (map_fd >= 0)
		prog_fd = probe_load_ret_tx(BPF_PROG_TYPE_XDP, 0, 0);
	memset(&info, 0, sizeof(info));
	if (prog_fd >= 0 && !sys_obj_info(prog_fd, &info, &len) &&
	    !sys_map_update(map_fd, &key, &prog_fd, BPF_ANY))
		ok = !sys_map_lookup(map_fd, &key, &id) && id == info.id;
	if (prog_fd >= 0)
		close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	return ok;
}

bool probe_has(enum probe_feature f)
{
	static signed char cache[PROBE__COUNT];	/* 0 unknown, 1 yes, -1 no */

	if ((unsigned)f >= PROBE__COUNT)
		return false;
	if (!cache[f]) {
		bool btf = f != PROBE_PROG_ARRAY_LOOKUP;
		bool has = !forced_missing(f) &&
			   (f == PROBE_VMLINUX_BTF ? access("/sys/kernel/btf/vmlinux", R_OK) == 0
			    : !btf		   ? probe_prog_array_lookup()
						   : probe_btf_blob(blobs[f].types, blobs[f].size));

		/* Every BTF feature needs BTF itself. */
		if (has && btf && f != PROBE_BTF && !probe_has(PROBE_BTF))
			has = false;
		cache[f] = has ? 1 : -1;
		pr_debug("probe: kernel %s %sfeature '%s'", has ? "has" : "lacks",
			 btf ? "BTF " : "", feature_names[f]);
	}
	return cache[f] > 0;
}

const char *probe_feature_name(enum probe_feature f)
{
	return (unsigned)f < PROBE__COUNT ? feature_names[f] : "?";
}

int probe_jit_enable(void)
{
	char buf[16];
	int fd = open("/proc/sys/net/core/bpf_jit_enable", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	/* (open/read, not stdio: the static binary has no scanf otherwise) */
	if (n < 1 || buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	return buf[0] - '0';
}
