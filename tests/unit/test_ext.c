/* The freplace rootlet and extension (EXT) loading against the real kernel:
 * the rootlet's two targets per slot and its selector (placeholders abort,
 * counted), the targets' BTF ids as the kernel reports them, and
 * load_opts.ext: an EXT load of fw_acme's xdp_firewall onto xdpld_slot0_a
 * (refused with EPERM on the development host, which allows no EXT
 * programs), a missing program, and missing BTF, each with a clear message
 * and no descriptor left open.  Needs root and $O/firmware/fw_acme.o. */
#include "btf/btf.h"
#include "elf/obj.h"
#include "kernel/bpf_sys.h"
#include "kernel/kbtf.h"
#include "kernel/load.h"
#include "link/rootlet.h"
#include "tap.h"

/* TAP_CHECK evaluates its condition twice: evaluate once. */
#define CHECK(cond, ...) do { int ok_ = !!(cond); TAP_CHECK(ok_, __VA_ARGS__); } while (0)

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* the directory's own */
}

/* load_object with stderr captured into msg; *leaked gets the number of
 * descriptors left open by a failed load. */
static int load_captured(struct obj *o, const struct load_opts *opts, struct loaded_obj **lo,
			 char *msg, size_t len, int *leaked)
{
	char path[] = "/tmp/xdpld-test-ext.XXXXXX";
	int before = count_fds(), tmp = mkstemp(path), saved, err;
	ssize_t n;

	msg[0] = '\0';
	if (tmp < 0)
		return -errno;
	unlink(path);
	fflush(stderr);
	saved = dup(2);
	dup2(tmp, 2);
	err = load_object(o, opts, lo);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(tmp, msg, len - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(tmp);
	*leaked = err ? count_fds() - before : 0;
	fprintf(stderr, "%s", msg);	/* still visible in the test log */
	return err;
}

static unsigned int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned int a = 0, b = 0;
	int n = f ? fscanf(f, "%u-%u", &a, &b) : 0;

	if (f)
		fclose(f);
	return n == 2 ? b + 1 : 1;
}

static int run(int prog_fd, uint32_t *retval)
{
	uint8_t pkt[64] = { 0 };
	struct sys_test_run_args a = { .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1 };
	int err = sys_prog_test_run(prog_fd, &a);

	*retval = a.retval;
	return err;
}

static uint64_t aborted_count(int stats_fd, uint32_t slot)
{
	uint32_t key = rootlet_stats_key(slot, XDP_ABORTED);
	unsigned int cpus = possible_cpus();
	uint64_t *vals = calloc(cpus, sizeof(*vals)), sum = UINT64_MAX;

	if (vals && !sys_map_lookup(stats_fd, &key, vals))
		sum = rootlet_stats_sum(vals, cpus);
	free(vals);
	return sum;
}

/* The rootlet alone: targets, selector, placeholders, BTF ids. */
static int test_rootlet(struct obj **root, struct loaded_obj **rlo, uint32_t *slot0_a)
{
	struct load_opts opts = { .no_pin = true };
	struct rootlet_cfg cfg;
	uint32_t key = 0, one = 1, ret = 99, id_b = 0, id_b1 = 0, id = 0;
	char name[32], msg[2048];
	int fd, sel, stats, leaked;

	CHECK(!strcmp(rootlet_target_name(3, 0, name, sizeof(name)), "xdpld_slot3_a") &&
	      !strcmp(rootlet_target_name(63, 1, name, sizeof(name)), "xdpld_slot63_b"),
	      "rootlet_target_name: xdpld_slot<i>_a, _b");
	CHECK(!rootlet_target_name(0, ROOTLET_NR_TARGETS, name, sizeof(name)) &&
	      !rootlet_target_name(10, 0, name, 12), "rootlet_target_name: bad target, short buffer");

	rootlet_cfg_init(&cfg, 2, ROOTLET_FREPLACE);
	CHECK(rootlet_build(&cfg, ELFDATA2LSB, root) == 0, "freplace rootlet with 2 slots builds");
	if (!*root)
		return -1;
	CHECK(load_captured(*root, &opts, rlo, msg, sizeof(msg), &leaked) == 0,
	      "the freplace rootlet loads as an XDP program");
	if (!*rlo)
		return -1;
	fd = loaded_obj_prog_fd(*rlo, ROOTLET_ENTRY_NAME);
	sel = loaded_obj_map_fd(*rlo, ROOTLET_SEL_MAP);
	stats = loaded_obj_map_fd(*rlo, ROOTLET_STATS_MAP);
	CHECK(fd >= 0 && sel >= 0 && stats >= 0, "entry program, " ROOTLET_SEL_MAP " and stats maps");
	CHECK(loaded_obj_prog(*rlo, ROOTLET_ENTRY_NAME)->prog_type == BPF_PROG_TYPE_XDP,
	      "the rootlet is loaded as XDP");

	CHECK(run(fd, &ret) == 0 && ret == XDP_ABORTED, "selector 0: the placeholder aborts (%u)", ret);
	CHECK(sys_map_update(sel, &key, &one, BPF_ANY) == 0, "selector of slot 0 set to 1 (target b)");
	CHECK(run(fd, &ret) == 0 && ret == XDP_ABORTED, "selector 1: the placeholder aborts (%u)", ret);
	CHECK(aborted_count(stats, 0) == 2 && aborted_count(stats, 1) == 0,
	      "slot 0 counted 2 aborted, slot 1 never ran");

	CHECK(kbtf_prog_func_id(fd, "xdpld_slot0_a", slot0_a) == 0 && *slot0_a,
	      "kernel BTF id of xdpld_slot0_a: %u", *slot0_a);
	CHECK(kbtf_prog_func_id(fd, "xdpld_slot0_b", &id_b) == 0 &&
	      kbtf_prog_func_id(fd, "xdpld_slot1_b", &id_b1) == 0 &&
	      id_b && id_b != *slot0_a && id_b1 != id_b, "targets have ids of their own (%u, %u)",
	      id_b, id_b1);
	CHECK(btf_find((*root)->btf, "xdpld_slot0_a", BTF_KIND_FUNC) == (int64_t)*slot0_a,
	      "the kernel's id equals the object's (the loader keeps ids)");
	CHECK(kbtf_prog_func_id(fd, "xdpld_slot0", &id) == -ENOENT,
	      "no plain xdpld_slot0 in a freplace rootlet");
	return 0;
}

static struct obj *read_obj(const char *path)
{
	struct obj *o = NULL;

	CHECK(obj_read_file(path, &o) == 0, "read %s", path);
	return o;
}

int main(void)
{
	const char *build = getenv("O") ? getenv("O") : "build";
	struct obj *root = NULL, *fw = NULL, *nb = NULL;
	struct loaded_obj *rlo = NULL, *lo = NULL;
	struct load_ext_target ext = { "xdp_firewall", -1, 0 };
	struct load_opts opts = { .no_pin = true, .ext = &ext };
	struct rootlet_cfg cfg;
	char path[512], msg[4096];
	int err, leaked = 0;

	snprintf(path, sizeof(path), "%s/firmware/fw_acme.o", build);
	if (test_rootlet(&root, &rlo, &ext.target_btf_id) || !(fw = read_obj(path)))
		goto out;
	ext.target_fd = loaded_obj_prog_fd(rlo, ROOTLET_ENTRY_NAME);

	/* The real thing: refused on the host (EPERM before the verifier). */
	err = load_captured(fw, &opts, &lo, msg, sizeof(msg), &leaked);
	if (err == 0) {
		const struct loaded_prog *p = loaded_obj_prog(lo, "xdp_firewall");

		CHECK(p && p->prog_type == BPF_PROG_TYPE_EXT && p->expected_attach_type == 0,
		      "this kernel takes EXT programs: xdp_firewall loaded as EXT");
		loaded_obj_free(lo);
		lo = NULL;
	} else {
		CHECK(err == -EPERM, "EXT load of xdp_firewall onto xdpld_slot0_a: %s (host: EPERM)",
		      strerror(-err));
		CHECK(strstr(msg, "program xdp_firewall (section xdp, as an extension) was rejected") &&
		      strstr(msg, "Operation not permitted") && strstr(msg, "fw_acme.o"),
		      "the message names the object, the program and EPERM");
		CHECK(!lo && leaked == 0, "no descriptor left open (%d)", leaked);
	}

	/* Without ext the same object loads as its section says. */
	opts.ext = NULL;
	CHECK(load_captured(fw, &opts, &lo, msg, sizeof(msg), &leaked) == 0 &&
	      loaded_obj_prog(lo, "xdp_firewall")->prog_type == BPF_PROG_TYPE_XDP,
	      "without ext xdp_firewall loads as XDP");
	loaded_obj_free(lo);
	lo = NULL;
	opts.ext = &ext;

	ext.prog = "no_such_prog";
	err = load_captured(fw, &opts, &lo, msg, sizeof(msg), &leaked);
	CHECK(err == -ENOENT && strstr(msg, "fw_acme.o: no entry program no_such_prog to load as an extension"),
	      "ext naming no entry program: -ENOENT naming object and program");
	CHECK(!lo && leaked == 0, "no descriptor left open (%d)", leaked);
	ext.prog = "xdp_firewall";

	opts.no_btf = true;
	err = load_captured(fw, &opts, &lo, msg, sizeof(msg), &leaked);
	CHECK(err == -EINVAL && strstr(msg, "program xdp_firewall: an extension program needs BTF and func_info, but loading without BTF was asked for"),
	      "ext with no_btf: refused, saying why");
	CHECK(!lo && leaked == 0, "no descriptor left open (%d)", leaked);
	opts.no_btf = false;

	/* An object without .BTF (a static rootlet without maps, BTF dropped). */
	rootlet_cfg_init(&cfg, 1, ROOTLET_STATIC);
	cfg.counters = false;
	if (rootlet_build(&cfg, ELFDATA2LSB, &nb) == 0) {
		btf_ext_free(nb->btf_ext);
		btf_free(nb->btf);
		nb->btf_ext = NULL;
		nb->btf = NULL;
		ext.prog = ROOTLET_ENTRY_NAME;
		err = load_captured(nb, &opts, &lo, msg, sizeof(msg), &leaked);
		CHECK(err == -EINVAL && strstr(msg, "xdpld-rootlet.o: program xdpld_rootlet: an extension program needs BTF (.BTF) in the object"),
		      "ext of an object without BTF: refused, saying so");
		CHECK(!lo && leaked == 0, "no descriptor left open (%d)", leaked);
	}
out:
	loaded_obj_free(rlo);
	obj_free(nb);
	obj_free(fw);
	obj_free(root);
	return tap_done();
}
