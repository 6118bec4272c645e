/* Unit tests for loader/kernel/kbtf.c: reading back BTF the kernel holds, for a
 * hand-made BTF blob and for a loaded freplace rootlet (whose slot target
 * names are taken from the generated object, so they may change), plus
 * the errors (-ENOENT, -ENODATA, not a BTF fd).  Needs root for bpf(2). */
#include "base/log.h"
#include "btf/btf.h"
#include "elf/obj.h"
#include "kernel/bpf_sys.h"
#include "kernel/kbtf.h"
#include "kernel/load.h"
#include "link/rootlet.h"
#include "tap.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond, ...) do { bool check_ok_ = (cond); TAP_CHECK(check_ok_, __VA_ARGS__); } while (0)
#define HOST_ORDER (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB)

/* A blob of our own: [1] int, [2] struct kbtf_test { int x; }. */
static void hand_made(void)
{
	static const char strs[] = "\0int\0kbtf_test\0x";
	static const uint32_t types[] = {
		1, BTF_KIND_INT << 24, 4, BTF_INT_SIGNED << 24 | 32,
		5, BTF_KIND_STRUCT << 24 | 1, 4, 15, 1, 0,
	};
	struct btf_header hdr = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(hdr),
		.type_len = sizeof(types), .str_off = sizeof(types), .str_len = sizeof(strs),
	};
	unsigned char blob[sizeof(hdr) + sizeof(types) + sizeof(strs)];
	struct btf *b = NULL;
	int fd, err;

	memcpy(blob, &hdr, sizeof(hdr));
	memcpy(blob + sizeof(hdr), types, sizeof(types));
	memcpy(blob + sizeof(hdr) + sizeof(types), strs, sizeof(strs));
	fd = sys_btf_load(blob, sizeof(blob), NULL, 0, 0);
	CHECK(fd >= 0, "hand-made BTF loads (%d)", fd);
	if (fd < 0)
		return;
	err = kbtf_read(fd, &b);
	CHECK(err == 0 && b, "kbtf_read reads it back (%d)", err);
	if (b) {
		CHECK(btf_nr_types(b) == 3, "3 types (void, int, struct): %u", btf_nr_types(b));
		CHECK(btf_find(b, "kbtf_test", BTF_KIND_STRUCT) == 2, "struct kbtf_test is [2]");
		CHECK(btf_resolve_size(b, 2) == 4, "its size survived");
	}
	btf_free(b);
	close(fd);
}

/* Every global FUNC of the generated rootlet named like a slot is found in
 * the loaded program's BTF under the same id.  Returns how many. */
static int check_slot_funcs(const struct btf *ob, const struct btf *kb, int prog_fd)
{
	int found = 0;

	for (uint32_t i = 1; i < btf_nr_types(ob); i++) {
		const struct btf_type *t = btf_type_by_id(ob, i);
		const char *name = btf_type_name(ob, i);
		const struct btf_type *kt;
		uint32_t id = 0;
		int err;

		if (BTF_INFO_KIND(t->info) != BTF_KIND_FUNC || BTF_INFO_VLEN(t->info) != BTF_FUNC_GLOBAL ||
		    strncmp(name, ROOTLET_SLOT_PREFIX, strlen(ROOTLET_SLOT_PREFIX)))
			continue;
		err = kbtf_prog_func_id(prog_fd, name, &id);
		kt = btf_type_by_id(kb, id);
		CHECK(err == 0 && id == i && kt && BTF_INFO_KIND(kt->info) == BTF_KIND_FUNC &&
		      BTF_INFO_VLEN(kt->info) == BTF_FUNC_GLOBAL && !strcmp(btf_type_name(kb, id), name),
		      "slot target %s: kernel BTF id %u is the global FUNC [%u] (%d)", name, id, i, err);
		found++;
	}
	return found;
}

static void loaded_rootlet(void)
{
	struct load_opts opts = { .no_pin = true };
	struct loaded_obj *lo = NULL;
	struct btf *kb = NULL, *pb = NULL, *nb = NULL;
	struct rootlet_cfg cfg;
	struct obj *o = NULL;
	uint32_t id = 0;
	int64_t want;
	int err, fd;

	rootlet_cfg_init(&cfg, 2, ROOTLET_FREPLACE);
	err = rootlet_build(&cfg, HOST_ORDER, &o);
	CHECK(err == 0, "2-slot freplace rootlet generated (%d)", err);
	if (err)
		return;
	err = load_object(o, &opts, &lo);
	CHECK(err == 0, "it loads (%d)", err);
	if (err)
		goto out;
	fd = loaded_obj_prog_fd(lo, ROOTLET_ENTRY_NAME);
	err = kbtf_read(lo->btf_fd, &kb);
	CHECK(err == 0 && btf_nr_types(kb) >= btf_nr_types(o->btf),
	      "kbtf_read of the loaded BTF: %u types, the object has %u (%d)",
	      kb ? btf_nr_types(kb) : 0, btf_nr_types(o->btf), err);
	err = kbtf_prog_read(fd, &pb);
	CHECK(err == 0 && pb && kb && btf_nr_types(pb) == btf_nr_types(kb),
	      "kbtf_prog_read finds the same BTF through the program (%d)", err);
	if (!kb || !pb)
		goto out;

	want = btf_find(o->btf, ROOTLET_ENTRY_NAME, BTF_KIND_FUNC);
	err = kbtf_prog_func_id(fd, ROOTLET_ENTRY_NAME, &id);
	CHECK(err == 0 && want > 0 && id == (uint32_t)want,
	      "kbtf_prog_func_id(%s) = %u, the object's id %lld (%d)", ROOTLET_ENTRY_NAME, id,
	      (long long)want, err);
	err = check_slot_funcs(o->btf, pb, fd);
	CHECK(err >= 2, "at least one global slot target per slot (%d)", err);

	err = kbtf_prog_func_id(fd, "xdpld_no_such_func", &id);
	CHECK(err == -ENOENT, "a missing FUNC is -ENOENT (%d)", err);
	err = kbtf_prog_func_id(fd, ROOTLET_CFG_NAME, &id);
	CHECK(err == -ENOENT, "a VAR of that name is no FUNC: -ENOENT (%d)", err);
	err = kbtf_read(fd, &nb);	/* a program fd is no BTF object */
	CHECK(err == -EINVAL && !nb, "kbtf_read of a program fd is -EINVAL (%d)", err);
	err = lo->nr_maps ? kbtf_read(lo->maps[0].fd, &nb) : -ENOENT;
	CHECK(err == -EINVAL && !nb, "kbtf_read of a map fd is -EINVAL (%d)", err);
out:
	btf_free(kb);
	btf_free(pb);
	loaded_obj_free(lo);
	obj_free(o);
}

static void errors(void)
{
	static const struct bpf_insn ret_pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct sys_prog_load_args a = {
		.type = BPF_PROG_TYPE_XDP, .insns = ret_pass, .insn_cnt = 2, .license = "GPL",
		.name = "kbtf_nobtf",
	};
	struct btf *b = NULL;
	uint32_t id = 0;
	int fd, err;

	err = kbtf_read(-1, &b);
	CHECK((err == -EBADF || err == -EBADFD) && !b, "kbtf_read(-1) is -EBADF(D) (%d)", err);
	fd = sys_prog_load(&a);
	CHECK(fd >= 0, "a program without BTF loads (%d)", fd);
	if (fd < 0)
		return;
	err = kbtf_prog_func_id(fd, "kbtf_nobtf", &id);
	CHECK(err == -ENODATA, "kbtf_prog_func_id of a program without BTF is -ENODATA (%d)", err);
	err = kbtf_prog_read(fd, &b);
	CHECK(err == -ENODATA && !b, "kbtf_prog_read of it too (%d)", err);
	close(fd);
}

int main(void)
{
	log_set_level(LOG_LVL_ERR);
	if (geteuid() != 0) {
		printf("ok %d - # SKIP needs root for bpf(2)\n", ++tap_n);
		return tap_done();
	}
	hand_made();
	loaded_rootlet();
	errors();
	return tap_done();
}
