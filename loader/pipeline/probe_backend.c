/* Which rootlet backends the running kernel can run (see probe.h): each is
 * decided by loading what the backend needs and running it once with
 * BPF_PROG_TEST_RUN, never from version numbers.  See docs/pipeline.md. */
#include "probe_backend.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/obj.h"
#include "kernel/bpf_sys.h"
#include "kernel/kbtf.h"
#include "kernel/load.h"
#include "kernel/probe.h"
#include "link/link.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NR_BACKENDS 4
#define WHY_LEN 256

/* The extension program's own BTF: [1] int, [2] struct xdp_md (the kernel
 * matches the context by name only), [3] ptr to it, [4] int (ctx) with a
 * named parameter, [5] global FUNC.  Words in host byte order. */
static const char ext_strs[] = "\0int\0xdp_md\0ctx\0xdpld_probe";
enum { ES_INT = 1, ES_XDP_MD = 5, ES_CTX = 12, ES_NAME = 16 };
#define K(kind, vlen) ((uint32_t)(kind) << 24 | (vlen))
static const uint32_t ext_types[] = {
	ES_INT, K(BTF_KIND_INT, 0), 4, BTF_INT_SIGNED << 24 | 32,
	ES_XDP_MD, K(BTF_KIND_STRUCT, 0), 24,
	0, K(BTF_KIND_PTR, 0), 2,
	0, K(BTF_KIND_FUNC_PROTO, 1), 1, ES_CTX, 3,
	ES_NAME, K(BTF_KIND_FUNC, BTF_FUNC_GLOBAL), 4,
};
#define EXT_FUNC_ID 5

static int say(char *why, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(char *why, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return ret;
}

/* Same list syntax as probe.c: names separated by commas, or "all". */
static bool forced_missing(const char *name)
{
	const char *p = getenv("XDPLD_PROBE_MISSING");
	size_t len = strlen(name);

	while (p && *p) {
		size_t n = strcspn(p, ",");

		if ((n == len && !strncmp(p, name, len)) || (n == 3 && !strncmp(p, "all", 3)))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* One BPF_PROG_TEST_RUN of the rootlet over a 64-byte zero packet: 1 when
 * it returns PROBE_VERDICT, i.e. what (the tail-called or extension
 * program) ran. */
static int verdict_is_ours(int prog_fd, char *why, const char *what)
{
	static const unsigned char pkt[64];
	struct sys_test_run_args a = { .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1 };
	int err = sys_prog_test_run(prog_fd, &a);

	if (err)
		return say(why, err, "BPF_PROG_TEST_RUN of the rootlet failed: %s", strerror(-err));
	if (a.retval != PROBE_VERDICT)
		return say(why, 0, "the %s did not run (verdict %u, not %u)", what, a.retval,
			   PROBE_VERDICT);
	return 1;
}

static int host_order(void)
{
	return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
}

/* Loads o (unpinned) into *lo: 0 when loaded, 1 when the kernel refused it
 * (msg, WHY_LEN bytes, gets the loader's last error, captured rather than
 * printed), or negative errno when the probe could not run (why says so). */
static int load_captured(struct obj *o, const struct load_opts *opts, struct loaded_obj **lo,
			 char *why, char *msg)
{
	int ret;

	log_capture_begin(msg, WHY_LEN);
	ret = load_object(o, opts, lo);
	log_capture_end();
	obj_free(o);
	if (ret == -ENOMEM)
		return say(why, ret, "out of memory");
	if (ret && !msg[0])
		snprintf(msg, WHY_LEN, "%s", strerror(-ret));
	return ret ? 1 : 0;
}

/* Loads a rootlet of backend b with nr slots (counters off) into *lo:
 * 0 when loaded, 1 when the kernel refused it (msg, WHY_LEN bytes, gets the
 * loader's last error, captured rather than printed), or negative errno
 * when the probe could not run (why says so). */
static int load_rootlet(enum rootlet_backend b, uint32_t nr, struct loaded_obj **lo, char *why,
			char *msg)
{
	struct load_opts opts = { .no_pin = true };
	struct rootlet_cfg cfg;
	struct obj *o;
	int ret;

	rootlet_cfg_init(&cfg, nr, b);
	cfg.counters = false;
	ret = rootlet_build(&cfg, host_order(), &o);
	if (ret)
		return say(why, ret, "generating a %s rootlet failed: %s", rootlet_backend_name(b),
			   strerror(-ret));
	return load_captured(o, &opts, lo, why, msg);
}

/* The quotable part of a captured message: verifier log lines come indented. */
static const char *quote(const char *msg)
{
	return msg + strspn(msg, " ");
}

static int probe_static(char *why)
{
	int fd = probe_load_ret_tx(BPF_PROG_TYPE_XDP, BPF_XDP, 0);

	if (fd == -EPERM)
		return say(why, fd, "loading BPF programs is not permitted (run as root)");
	if (fd < 0)
		return say(why, 0, "the kernel refuses XDP programs: %s", strerror(-fd));
	close(fd);
	return 1;
}

/* A refused program that tail-calls and has a bpf-to-bpf call. */
static int refused(char *why, const char *msg, const char *what)
{
	if (strstr(msg, "ail_call") || strstr(msg, "ail call"))
		return say(why, 0, "the JIT does not allow tail calls from programs with "
			   "bpf-to-bpf calls (verifier: %s)", quote(msg));
	return say(why, 0, "the kernel refuses %s: %s", what, quote(msg));
}

static int probe_tailcall(char *why)
{
	struct loaded_obj *lo = NULL;
	const struct loaded_prog *p;
	char msg[WHY_LEN];
	uint32_t key = 0;
	int map_fd, fd = -1, ret;

	ret = load_rootlet(ROOTLET_TAILCALL, 1, &lo, why, msg);
	if (ret < 0)
		return ret;
	if (ret) {
		ret = refused(why, msg, "a tail-calling rootlet");
		goto out;
	}
	p = loaded_obj_prog(lo, ROOTLET_ENTRY_NAME);
	map_fd = loaded_obj_map_fd(lo, ROOTLET_SLOTS_MAP);
	if (!p || map_fd < 0) {
		ret = say(why, -ENOENT, "the generated rootlet lacks %s or %s", ROOTLET_ENTRY_NAME,
			  ROOTLET_SLOTS_MAP);
		goto out;
	}
	/* Same type, attach type and flags as the rootlet: prog arrays insist. */
	fd = probe_load_ret_tx(p->prog_type, p->expected_attach_type, p->prog_flags);
	if (fd < 0) {
		ret = say(why, 0, "the kernel refuses the slot program: %s", strerror(-fd));
		goto out;
	}
	ret = sys_map_update(map_fd, &key, &fd, BPF_ANY);
	if (ret) {
		ret = say(why, 0, "the kernel refuses a program in the rootlet's prog array: %s",
			  strerror(-ret));
		goto out;
	}
	ret = verdict_is_ours(p->fd, why, "tail call from the slot function");
out:
	if (fd >= 0)
		close(fd);
	loaded_obj_free(lo);
	return ret;
}

/* The third program of the chain probe: a 64-bit atomic add (as in nearly
 * every module's counters) next to a constant-key tail call to index 3.
 * A JIT without 64-bit atomics (ARM32 in 6.1: "NOT YET: opcode db") then
 * fails the whole program with ENOTSUPP, where a program without the tail
 * call would fall back to the interpreter: so chain slots work on such a
 * CPU only while the JIT is off. */
static int load_atomic_tail_call(const struct loaded_prog *like, int prog_array_fd)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_1 },
		{ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = -8, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1, .off = -8, .imm = BPF_ADD },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_6 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = prog_array_fd },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = 3 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct sys_prog_load_args a = {
		.type = like->prog_type, .insns = insns, .insn_cnt = sizeof(insns) / sizeof(insns[0]),
		.license = "GPL", .name = "xdpld_probe", .expected_attach_type =
		like->expected_attach_type, .prog_flags = like->prog_flags,
	};

	return sys_prog_load(&a);
}

/* chain: a 4-slot chain rootlet, the generated slot programs 0 and 1
 * (their placeholders, which return XDP_PASS and so continue, inlined as
 * attach inlines a module), the atomic one above at index 2 and r0 =
 * XDP_TX at index 3: XDP_TX from one test run shows that every slot
 * program ran and tail-called the next. */
static int probe_chain(char *why)
{
	struct loaded_obj *lo = NULL, *slo[2] = { NULL, NULL };
	struct load_map_reuse r = { ROOTLET_SLOTS_MAP, -1 };
	struct load_opts opts = { .no_pin = true, .reuse = &r, .nr_reuse = 1 };
	const struct loaded_prog *p, *sp;
	struct rootlet_cfg cfg;
	char msg[WHY_LEN], name[32];
	int fd = -1, ret;
	struct obj *o;

	ret = load_rootlet(ROOTLET_CHAIN, 4, &lo, why, msg);
	if (ret) {
		ret = ret < 0 ? ret : say(why, 0, "the kernel refuses a chain rootlet: %s", quote(msg));
		goto out;
	}
	p = loaded_obj_prog(lo, ROOTLET_ENTRY_NAME);
	r.fd = loaded_obj_map_fd(lo, ROOTLET_SLOTS_MAP);
	if (!p || r.fd < 0) {
		ret = say(why, -ENOENT, "the generated rootlet lacks %s or %s", ROOTLET_ENTRY_NAME,
			  ROOTLET_SLOTS_MAP);
		goto out;
	}
	rootlet_cfg_init(&cfg, 4, ROOTLET_CHAIN);
	cfg.counters = false;
	for (uint32_t k = 0; k < 4; k++) {
		if (k < 2) {
			/* flattened, as attach builds them: no call next to the tail call */
			ret = rootlet_chain_slot_build(&cfg, k, host_order(), &o);
			if (!ret && (ret = link_flatten(o)))
				obj_free(o);
			ret = ret ? say(why, ret, "generating a chain slot program failed: %s",
					strerror(-ret)) : load_captured(o, &opts, &slo[k], why, msg);
			if (ret) {
				ret = ret < 0 ? ret : refused(why, msg, "a chain slot program");
				goto out;
			}
			sp = loaded_obj_prog(slo[k], rootlet_chain_name(k, name, sizeof(name)));
			ret = sp ? sys_map_update(r.fd, &k, &sp->fd, BPF_ANY) : -ENOENT;
		} else if (k == 2) {
			fd = load_atomic_tail_call(p, r.fd);
			if (fd < 0) {
				ret = say(why, 0, "the kernel refuses a chain slot program with a "
					  "64-bit atomic add: %s%s", sys_strerror(fd), fd == -KERNEL_ENOTSUPP ?
					  " (the JIT lacks 64-bit atomics; with the JIT off, "
					  "net.core.bpf_jit_enable=0, chain works)" : "");
				goto out;
			}
			ret = sys_map_update(r.fd, &k, &fd, BPF_ANY);
			close(fd);
			fd = -1;
		} else {
			/* Same type, attach type and flags as the rootlet: prog arrays insist. */
			fd = probe_load_ret_tx(p->prog_type, p->expected_attach_type, p->prog_flags);
			ret = fd < 0 ? fd : sys_map_update(r.fd, &k, &fd, BPF_ANY);
		}
		if (ret) {
			ret = say(why, 0, "the kernel refuses program %u of the chain in the prog "
				  "array: %s", k, strerror(-ret));
			goto out;
		}
	}
	ret = verdict_is_ours(p->fd, why, "chain of slot programs");
out:
	if (fd >= 0)
		close(fd);
	loaded_obj_free(slo[0]);
	loaded_obj_free(slo[1]);
	loaded_obj_free(lo);
	return ret;
}

/* The first global FUNC named ROOTLET_SLOT_PREFIX... in the loaded
 * program's BTF (its id in *id), so slot naming may change. */
static int find_slot_func(int prog_fd, uint32_t *id)
{
	struct btf *b;
	int ret = kbtf_prog_read(prog_fd, &b);

	if (ret)
		return ret;
	ret = -ENOENT;
	for (uint32_t i = 1; i < btf_nr_types(b); i++) {
		const struct btf_type *t = btf_type_by_id(b, i);

		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
		    BTF_INFO_VLEN(t->info) == BTF_FUNC_GLOBAL &&
		    !strncmp(btf_type_name(b, i), ROOTLET_SLOT_PREFIX, strlen(ROOTLET_SLOT_PREFIX))) {
			*id = i;
			ret = 0;
			break;
		}
	}
	btf_free(b);
	return ret;
}

static int load_ext_btf(void)
{
	struct btf_header hdr = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(hdr),
		.type_len = sizeof(ext_types), .str_off = sizeof(ext_types),
		.str_len = sizeof(ext_strs),
	};
	unsigned char blob[sizeof(hdr) + sizeof(ext_types) + sizeof(ext_strs)];

	memcpy(blob, &hdr, sizeof(hdr));
	memcpy(blob + sizeof(hdr), ext_types, sizeof(ext_types));
	memcpy(blob + sizeof(hdr) + sizeof(ext_types), ext_strs, sizeof(ext_strs));
	return sys_btf_load(blob, sizeof(blob), NULL, 0, 0);
}

/* The last non-empty line of a verifier log, or "". */
static const char *last_line(char *log)
{
	size_t n = strlen(log);
	char *nl;

	while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
		log[--n] = '\0';
	nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

static int probe_freplace(char *why)
{
	struct bpf_func_info fi = { .insn_off = 0, .type_id = EXT_FUNC_ID };
	struct sys_prog_load_args a = {
		.type = BPF_PROG_TYPE_EXT, .insns = probe_ret_tx, .insn_cnt = 2, .license = "GPL",
		.name = "xdpld_probe", .func_info = &fi, .func_info_cnt = 1,
		.func_info_rec_size = sizeof(fi),
	};
	struct loaded_obj *lo = NULL;
	const struct loaded_prog *p;
	char msg[WHY_LEN], vlog[4096];
	int btf_fd = -1, ext_fd = -1, link_fd = -1, ret;
	uint32_t id;

	if (!probe_has(PROBE_VMLINUX_BTF))
		return say(why, 0, "the kernel has no BTF (/sys/kernel/btf/vmlinux)");
	if (!probe_has(PROBE_BTF_GLOBAL_FUNC))
		return say(why, 0, "the kernel's BTF has no global functions (BTF_FUNC_GLOBAL)");
	ret = load_rootlet(ROOTLET_FREPLACE, 1, &lo, why, msg);
	if (ret < 0)
		return ret;
	if (ret) {
		ret = say(why, 0, "the kernel refuses a rootlet with global slot functions: %s",
			  quote(msg));
		goto out;
	}
	p = loaded_obj_prog(lo, ROOTLET_ENTRY_NAME);
	ret = p ? find_slot_func(p->fd, &id) : -ENOENT;
	if (ret) {
		ret = say(why, ret, "no global %s* function in the loaded rootlet's BTF: %s",
			  ROOTLET_SLOT_PREFIX, strerror(-ret));
		goto out;
	}
	btf_fd = load_ext_btf();
	if (btf_fd < 0) {
		ret = say(why, 0, "the kernel refuses the extension program's BTF: %s",
			  strerror(-btf_fd));
		goto out;
	}
	a.prog_btf_fd = (uint32_t)btf_fd;
	a.attach_prog_fd = (uint32_t)p->fd;
	a.attach_btf_id = id;
	a.log_buf = vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	ext_fd = sys_prog_load(&a);
	if (ext_fd < 0) {
		const char *line = last_line(vlog);

		ret = say(why, 0, "the kernel refuses extension programs (BPF_PROG_TYPE_EXT): %s%s%s%s",
			  strerror(-ext_fd), *line ? " (verifier: " : "", line, *line ? ")" : "");
		goto out;
	}
	link_fd = sys_link_create(ext_fd, p->fd, 0, 0, id);
	if (link_fd < 0) {
		ret = say(why, 0, "the kernel cannot attach extension programs (no BPF trampoline): %s",
			  strerror(-link_fd));
		goto out;
	}
	ret = verdict_is_ours(p->fd, why, "attached extension program");
out:
	if (link_fd >= 0)
		close(link_fd);
	if (ext_fd >= 0)
		close(ext_fd);
	if (btf_fd >= 0)
		close(btf_fd);
	loaded_obj_free(lo);
	return ret;
}

int probe_backend(enum rootlet_backend b, char *why, size_t len)
{
	static const char *const env_names[NR_BACKENDS] = { NULL, "tailcall", "freplace", "chain" };
	static int result[NR_BACKENDS];
	static bool done[NR_BACKENDS];
	static char reason[NR_BACKENDS][WHY_LEN];

	if ((unsigned int)b >= NR_BACKENDS)
		return -EINVAL;
	if (!done[b]) {
		int r;

		if (env_names[b] && forced_missing(env_names[b]))
			r = say(reason[b], 0, "disabled by XDPLD_PROBE_MISSING");
		else if (b == ROOTLET_STATIC)
			r = probe_static(reason[b]);
		/* The others need XDP itself: without it, static's answer. */
		else if ((r = probe_backend(ROOTLET_STATIC, reason[b], WHY_LEN)) > 0)
			r = b == ROOTLET_TAILCALL ? probe_tailcall(reason[b]) :
			    b == ROOTLET_CHAIN ? probe_chain(reason[b]) : probe_freplace(reason[b]);
		if (r > 0)
			reason[b][0] = '\0';
		result[b] = r;
		done[b] = true;
		pr_debug("probe: backend %s: %s%s%s", rootlet_backend_name(b),
			 r > 0 ? "supported" : r == 0 ? "not supported" : "probe failed",
			 r > 0 ? "" : ": ", reason[b]);
	}
	if (why && len)
		snprintf(why, len, "%s", reason[b]);
	return result[b];
}

enum rootlet_backend probe_best_backend(void)
{
	if (probe_backend(ROOTLET_FREPLACE, NULL, 0) > 0)
		return ROOTLET_FREPLACE;
	/* chain before tailcall: cheaper per slot once the modules are inlined
	 * (docs/pipeline.md, "Which backend auto takes") */
	if (probe_backend(ROOTLET_CHAIN, NULL, 0) > 0)
		return ROOTLET_CHAIN;
	if (probe_backend(ROOTLET_TAILCALL, NULL, 0) > 0)
		return ROOTLET_TAILCALL;
	return ROOTLET_STATIC;
}
