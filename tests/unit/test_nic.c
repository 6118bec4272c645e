/* bpf_sys, nic and state against the real kernel: two tiny XDP programs
 * (PASS, DROP) attached to a veth pair between two network namespaces this
 * test creates, with real pings across it, and the bpffs state under a
 * private root.  Needs root; everything it creates is removed at exit. */
#define _GNU_SOURCE
#include "base/log.h"
#include "base/sha256.h"
#include "kernel/bpf_sys.h"
#include "kernel/nic.h"
#include "pipeline/state.h"
#include "tap.h"

/* TAP_CHECK evaluates its condition twice; every check here has side
 * effects, so evaluate once. */
#define CHECK(cond, ...) do { int ok_ = !!(cond); TAP_CHECK(ok_, __VA_ARGS__); } while (0)

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char ns_a[32], ns_b[32], if_a[16], if_b[16], state_root_dir[64];
static int setup_done;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cleanup(void)
{
	char path[96];

	if (!setup_done)
		return;
	sh("ip netns del %s 2>/dev/null", ns_a);
	sh("ip netns del %s 2>/dev/null", ns_b);
	snprintf(path, sizeof(path), "rm -rf %s", state_root_dir);
	if (state_root_dir[0])
		sh("%s", path);
	setup_done = 0;
}

/* A run killed by a sanitizer leaves its namespaces and pins behind:
 * remove those whose pid is gone. */
static void remove_stale(const char *dir, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		long pid;
		char *end;

		if (strncmp(de->d_name, prefix, plen))
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (!strcmp(dir, "/run/netns"))
			sh("ip netns del %s", de->d_name);
		else
			sh("rm -rf %s/%s", dir, de->d_name);
	}
	if (d)
		closedir(d);
}

/* ---- capture what the loader logs ---- */

static char logbuf[8192];
static int saved_stderr = -1;
static FILE *capture_file;

static void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_stderr = dup(2);
	dup2(fileno(capture_file), 2);
}

static const char *capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capture_file);
	n = fread(logbuf, 1, sizeof(logbuf) - 1, capture_file);
	logbuf[n] = '\0';
	fclose(capture_file);
	fprintf(stderr, "%s", logbuf);	/* keep it visible in the test output */
	return logbuf;
}

/* ---- programs ---- */

static int load_verdict_prog(const char *name, int verdict, char *log, size_t log_len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = verdict },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct sys_prog_load_args a = {
		.type = BPF_PROG_TYPE_XDP, .insns = insns, .insn_cnt = 2,
		.license = "GPL", .name = name, .log_buf = log,
		.log_size = (uint32_t)log_len, .log_level = 1,
	};

	return sys_prog_load(&a);
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return sys_obj_info(fd, &info, &len) ? 0 : info.id;
}

static void test_bpf_sys(int pass_fd, int drop_fd)
{
	TAP_CHECK(strstr(sys_strerror(-524), "ENOTSUPP, 524") != NULL,
		  "sys_strerror: the kernel's ENOTSUPP has a text (%s)", sys_strerror(-524));
	TAP_CHECK(!strcmp(sys_strerror(-ENOENT), strerror(ENOENT)), "sys_strerror: others as strerror");
	unsigned char pkt[64] = { 0 };
	struct sys_test_run_args run = { .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1 };
	char name[BPF_OBJ_NAME_LEN];
	uint32_t key = 0, val = 7, out = 0, next = 0, id = 0;
	int map, ret, fd;

	CHECK(sys_prog_test_run(pass_fd, &run) == 0 && run.retval == XDP_PASS,
		  "test_run of the PASS program returns XDP_PASS");
	CHECK(sys_prog_test_run(drop_fd, &run) == 0 && run.retval == XDP_DROP,
		  "test_run of the DROP program returns XDP_DROP");

	sys_obj_name_copy(name, "a-very.long/name with spaces");
	CHECK(!strcmp(name, "a_very.long_nam"), "object names are cut to 15 kernel-safe chars (%s)", name);
	sys_obj_name_copy(name, NULL);
	CHECK(name[0] == '\0', "NULL name gives an empty name");

	map = sys_map_create(BPF_MAP_TYPE_HASH, "weird name!", 4, 4, 4, 0, NULL);
	CHECK(map >= 0, "hash map with a sanitized name is created (%d)", map);
	CHECK(sys_map_update(map, &key, &val, BPF_NOEXIST) == 0, "map update");
	CHECK(sys_map_update(map, &key, &val, BPF_NOEXIST) == -EEXIST, "map update NOEXIST gives -EEXIST");
	CHECK(sys_map_lookup(map, &key, &out) == 0 && out == 7, "map lookup");
	CHECK(sys_map_next_key(map, NULL, &next) == 0 && next == 0, "first key");
	CHECK(sys_map_next_key(map, &key, &next) == -ENOENT, "no key after the last");
	CHECK(sys_map_delete(map, &key) == 0 && sys_map_lookup(map, &key, &out) == -ENOENT,
		  "delete removes the key");
	CHECK(sys_map_freeze(map) == 0 && sys_map_update(map, &key, &val, BPF_ANY) == -EPERM,
		  "frozen map refuses updates");
	close(map);

	ret = sys_prog_next_id(0, &id);
	CHECK(ret == 0 && id > 0, "prog_get_next_id finds a program");
	fd = sys_prog_fd_by_id(prog_id(pass_fd));
	CHECK(fd >= 0 && prog_id(fd) == prog_id(pass_fd), "prog_get_fd_by_id opens the same program");
	if (fd >= 0)
		close(fd);
	CHECK(sys_prog_fd_by_id(0xfffffff0u) == -ENOENT, "unknown prog id gives -ENOENT");
}

static int bad_prog_load(void)
{
	struct bpf_insn insns[] = { { .code = BPF_JMP | BPF_EXIT } };	/* r0 unset */
	char log[4096];
	struct sys_prog_load_args a = {
		.type = BPF_PROG_TYPE_XDP, .insns = insns, .insn_cnt = 1,
		.license = "GPL", .log_buf = log, .log_size = sizeof(log), .log_level = 1,
	};
	int fd = sys_prog_load(&a);

	CHECK(fd == -EACCES && strstr(log, "R0 !read_ok"),
		  "verifier rejection returns -EACCES with the verifier log");
	return fd;
}

/* ---- namespaces ---- */

static int setup_netns(void)
{
	char path[64];
	int fd;

	remove_stale("/run/netns", "xnicA");
	remove_stale("/run/netns", "xnicB");
	remove_stale("/sys/fs/bpf", "xdpld-test-");
	snprintf(ns_a, sizeof(ns_a), "xnicA%d", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "xnicB%d", (int)getpid());
	snprintf(if_a, sizeof(if_a), "xa%d", (int)getpid());
	snprintf(if_b, sizeof(if_b), "xb%d", (int)getpid());
	setup_done = 1;
	if (sh("ip netns add %s && ip netns add %s", ns_a, ns_b) ||
	    sh("ip link add %s netns %s type veth peer name %s netns %s",
	       if_a, ns_a, if_b, ns_b) ||
	    sh("ip -n %s addr add 192.0.2.1/24 dev %s && ip -n %s link set %s up && "
	       "ip -n %s link set lo up", ns_a, if_a, ns_a, if_a, ns_a) ||
	    sh("ip -n %s addr add 192.0.2.2/24 dev %s && ip -n %s link set %s up",
	       ns_b, if_b, ns_b, if_b))
		return -1;
	/* Only the network namespace changes: bpffs stays visible. */
	snprintf(path, sizeof(path), "/run/netns/%s", ns_a);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		return -1;
	close(fd);
	return 0;
}

static int ping_from_b(void)
{
	return sh("ip netns exec %s ping -c 3 -i 0.2 -W 1 192.0.2.1 >/dev/null 2>&1", ns_b);
}

static void test_nic(int pass_fd, int drop_fd)
{
	uint32_t pass_id = prog_id(pass_fd), drop_id = prog_id(drop_fd);
	struct nic_xdp x;
	enum nic_mode used = NIC_MODE_AUTO, m;
	const char *log;
	char want[64];
	int ret, ia, lo;

	CHECK(nic_mode_parse("native", &m) == 0 && m == NIC_MODE_NATIVE &&
		  nic_mode_parse("generic", &m) == 0 && m == NIC_MODE_SKB &&
		  nic_mode_parse("bogus", &m) == -EINVAL, "mode names parse");
	CHECK(!strcmp(nic_mode_name(NIC_MODE_SKB), "skb"), "mode name");

	/* The name is resolved once; every netlink call takes the index. */
	ia = nic_ifindex(if_a, false);
	lo = nic_ifindex("lo", true);
	CHECK(ia > 0 && ia == (int)if_nametoindex(if_a) && lo > 0,
	      "%s resolves to ifindex %d, lo to %d", if_a, ia, lo);

	CHECK(nic_query(ia, if_a, &x) == 0 && x.prog_id == 0, "fresh veth has no XDP program");
	CHECK(ping_from_b() == 0, "ping across the veth works before attach");

	ret = nic_attach(ia, if_a, pass_fd, NIC_MODE_NATIVE, -1, false, &used);
	CHECK(ret == 0 && used == NIC_MODE_NATIVE, "native attach of PASS (%d)", ret);
	CHECK(nic_query(ia, if_a, &x) == 0 && x.prog_id == pass_id && x.mode == NIC_MODE_NATIVE &&
		  x.drv_prog_id == pass_id, "query shows PASS id %u in native mode (got %u %s)",
		  pass_id, x.prog_id, nic_mode_name(x.mode));
	CHECK(ping_from_b() == 0, "ping works with PASS attached");

	snprintf(want, sizeof(want), "id %u 'xdpld_pass'", pass_id);
	capture_start();
	ret = nic_attach(ia, if_a, drop_fd, NIC_MODE_NATIVE, -1, false, NULL);
	log = capture_end();
	CHECK(ret == -EBUSY && strstr(log, want) && strstr(log, if_a),
		  "second first-attach without force fails naming %s", want);

	ret = nic_attach(ia, if_a, drop_fd, NIC_MODE_AUTO, pass_fd, false, &used);
	CHECK(ret == 0 && used == NIC_MODE_NATIVE, "atomic replace PASS -> DROP keeps native mode");
	CHECK(nic_query(ia, if_a, &x) == 0 && x.prog_id == drop_id, "query shows DROP");
	CHECK(ping_from_b() != 0, "ping fails with DROP attached");

	capture_start();
	ret = nic_attach(ia, if_a, pass_fd, NIC_MODE_NATIVE, pass_fd, false, NULL);
	log = capture_end();
	CHECK(ret == -EEXIST && strstr(log, "changed meanwhile"),
		  "replace with a wrong expected fd fails");
	CHECK(nic_query(ia, if_a, &x) == 0 && x.prog_id == drop_id, "DROP is still attached");

	capture_start();
	ret = nic_detach(ia, if_a, NIC_MODE_AUTO, pass_id);
	log = capture_end();
	CHECK(ret == -EEXIST && strstr(log, "xdpld_drop"),
		  "detach expecting another program refuses and names the attached one");
	CHECK(nic_detach(ia, if_a, NIC_MODE_AUTO, drop_id) == 0 &&
		  nic_query(ia, if_a, &x) == 0 && x.prog_id == 0, "detach with the right expected id");
	CHECK(nic_detach(ia, if_a, NIC_MODE_AUTO, 0) == 0, "detach with nothing attached is a no-op");
	CHECK(ping_from_b() == 0, "ping works again after detach");

	ret = nic_attach(ia, if_a, pass_fd, NIC_MODE_SKB, -1, false, &used);
	CHECK(ret == 0 && used == NIC_MODE_SKB && nic_query(ia, if_a, &x) == 0 &&
		  x.prog_id == pass_id && x.mode == NIC_MODE_SKB && x.skb_prog_id == pass_id,
		  "skb attach shows up as skb mode");
	capture_start();
	ret = nic_attach(ia, if_a, drop_fd, NIC_MODE_NATIVE, -1, true, NULL);
	log = capture_end();
	CHECK(ret < 0 && strstr(log, want) && strstr(log, "skb mode") &&
	      strstr(log, "Native and generic XDP"),
	      "native attach next to a foreign skb program fails even with force, naming it "
	      "and quoting the kernel's extended ack");
	capture_start();
	ret = nic_attach(ia, if_a, drop_fd, NIC_MODE_AUTO, -1, false, NULL);
	log = capture_end();
	CHECK(ret == -EBUSY && strstr(log, want) && strstr(log, "skb mode") &&
	      strstr(log, "--force"),
	      "auto attach next to a foreign skb program names it and mentions --force");
	ret = nic_attach(ia, if_a, drop_fd, NIC_MODE_AUTO, -1, true, &used);
	CHECK(ret == 0 && used == NIC_MODE_SKB && nic_query(ia, if_a, &x) == 0 &&
	      x.skb_prog_id == drop_id, "auto attach with force replaces it in its skb mode");
	CHECK(nic_detach(ia, if_a, NIC_MODE_SKB, 0) == 0 && nic_query(ia, if_a, &x) == 0 &&
		  x.prog_id == 0, "skb detach");

	/* A bpf_link holds the hook: even force cannot replace it, and the
	 * message says why (the kernel's extended ack), not "without force". */
	ret = sys_link_create(pass_fd, (int)if_nametoindex(if_a), BPF_XDP, XDP_FLAGS_DRV_MODE, 0);
	CHECK(ret >= 0, "XDP bpf_link created (%d)", ret);
	if (ret >= 0) {
		int link_fd = ret;

		capture_start();
		ret = nic_attach(ia, if_a, drop_fd, NIC_MODE_NATIVE, -1, true, NULL);
		log = capture_end();
		CHECK(ret < 0 && strstr(log, want) && strstr(log, "even with --force") &&
		      strstr(log, "Can't replace active BPF XDP link") &&
		      !strstr(log, "without force"),
		      "force against a bpf_link quotes the kernel's reason");
		close(link_fd);
	}
	CHECK(nic_query(ia, if_a, &x) == 0 && x.prog_id == 0, "link closed: nothing attached");

	CHECK(nic_attach(ia, if_a, pass_fd, NIC_MODE_NATIVE, -1, false, NULL) == 0 &&
		  nic_attach(ia, if_a, drop_fd, NIC_MODE_NATIVE, -1, true, NULL) == 0 &&
		  nic_query(ia, if_a, &x) == 0 && x.prog_id == drop_id,
		  "force replaces a foreign program");
	CHECK(nic_detach(ia, if_a, NIC_MODE_NATIVE, 0) == 0, "detach any");

	capture_start();
	ret = nic_attach(lo, "lo", pass_fd, NIC_MODE_AUTO, -1, false, &used);
	log = capture_end();
	CHECK(ret == 0 && used == NIC_MODE_SKB && strstr(log, "falling back") &&
		  strstr(log, "'lo'") && strstr(log, "does not support XDP in native mode"),
		  "auto mode on lo falls back to skb with a warning saying why");
	CHECK(nic_query(lo, "lo", &x) == 0 && x.prog_id == pass_id && x.mode == NIC_MODE_SKB,
		  "lo runs PASS in skb mode");
	CHECK(nic_detach(lo, "lo", NIC_MODE_AUTO, pass_id) == 0, "lo detach");

	capture_start();
	ret = nic_attach(ia, if_a, pass_fd, NIC_MODE_HW, -1, false, NULL);
	log = capture_end();
	CHECK(ret < 0 && strstr(log, if_a) && strstr(log, "hw mode"),
		  "hw mode on veth fails with a message naming the interface");

	capture_start();
	ret = nic_ifindex("nosuch0", false);
	log = capture_end();
	CHECK(ret == -ENODEV && strstr(log, "'nosuch0' does not exist"), "nonexistent interface");
	capture_start();
	ret = nic_ifindex("nosuch0", true);
	log = capture_end();
	CHECK(ret == 0 && !log[0], "nonexistent interface that may be absent: 0, no message");
	capture_start();
	ret = nic_attach(ret, "nosuch0", pass_fd, NIC_MODE_NATIVE, -1, false, NULL);
	log = capture_end();
	CHECK(ret == -ENODEV && strstr(log, "'nosuch0' does not exist"),
	      "attach to an unresolved interface (ifindex 0) fails naming it");
	capture_start();
	ret = nic_query(0x7ffffff0, "gone0", &x);
	log = capture_end();
	CHECK(ret == -ENODEV && strstr(log, "'gone0'") && x.prog_id == 0,
	      "query of an ifindex no interface has: the kernel's ENODEV, named");
	capture_start();
	ret = nic_detach(0x7ffffff0, "gone0", NIC_MODE_AUTO, 0);
	log = capture_end();
	CHECK(ret == -ENODEV && strstr(log, "'gone0'"), "detach from an ifindex that is gone");
	capture_start();
	ret = nic_ifindex("averyveryverylongname", true);
	log = capture_end();
	CHECK(ret == -EINVAL && strstr(log, "averyveryverylongname") && strstr(log, "too long"),
		  "overlong interface name (even when it may be absent)");
	capture_start();
	ret = nic_ifindex("lo:1", true);
	log = capture_end();
	CHECK(ret == -EINVAL && strstr(log, "'lo:1'"), "alias name refused, not resolved to lo");
}

/* ---- state ---- */

static int count_iface(const char *ifname, void *arg)
{
	if (!strcmp(ifname, if_a))
		++*(int *)arg;
	if (!strcmp(ifname, "eth0.2%"))
		*(int *)arg += 10;
	return 0;
}

static int garbage_record(const char *fill, size_t len, uint32_t value_size)
{
	char path[128];
	uint8_t *slot = calloc(1, value_size);
	uint32_t key = 0;
	int fd = sys_map_create(BPF_MAP_TYPE_ARRAY, "garbage", 4, value_size, STATE_RECORD_SLOTS, 0, NULL);
	int ret = fd;

	if (fd >= 0 && slot) {
		memcpy(slot, fill, len < value_size ? len : value_size);
		ret = sys_map_update(fd, &key, slot, BPF_ANY);
		snprintf(path, sizeof(path), "%s/%s/record", state_root_dir, if_a);
		unlink(path);
		if (!ret)
			ret = sys_obj_pin(fd, path);
	}
	free(slot);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void test_state(int pass_fd)
{
	const char *rec = "modules=fw,nat\nmode=native\nempty=\nprog_id=42\n";
	char dir[128], val[32], *text = NULL, big[STATE_RECORD_MAX + 2], path[192];
	struct stat st;
	const char *log;
	pid_t child;
	int status, ret, fd, seen = 0;

	snprintf(state_root_dir, sizeof(state_root_dir), "/sys/fs/bpf/xdpld-test-%d", (int)getpid());
	CHECK(state_set_root(state_root_dir) == 0, "state root set");
	CHECK(state_record_read(if_a, &text) == -ENOENT, "no record yet");
	CHECK(state_record_write(if_a, rec) == 0, "record written");
	CHECK(state_record_read(if_a, &text) == 0 && text && !strcmp(text, rec),
		  "record read back unchanged");
	CHECK(text && state_record_get(text, "mode", val, sizeof(val)) == 0 &&
		  !strcmp(val, "native") && state_record_get(text, "empty", val, sizeof(val)) == 0 &&
		  !val[0] && state_record_get(text, "mod", val, sizeof(val)) == -ENOENT,
		  "record_get finds keys exactly");
	free(text);
	text = NULL;
	CHECK(state_record_write(if_a, "mode=skb\n") == 0 && state_record_read(if_a, &text) == 0 &&
		  !strcmp(text, "mode=skb\n"), "record replaced");
	free(text);
	text = NULL;

	CHECK(state_dir(if_a, dir, sizeof(dir)) == 0 && stat(dir, &st) == 0 &&
		  (st.st_mode & 0777) == 0700 && stat(state_root_dir, &st) == 0 &&
		  (st.st_mode & 0777) == 0700, "state directories are mode 0700");

	CHECK(state_pin(if_a, "rootlet", pass_fd) == 0, "program pinned");
	CHECK(state_pin(if_a, "rootlet", pass_fd) == 0, "pinning again replaces the pin");
	fflush(stdout);
	child = fork();
	if (child == 0) {
		int cfd = state_get(if_a, "rootlet");

		_exit(cfd >= 0 && prog_id(cfd) == prog_id(pass_fd) ? 0 : 1);
	}
	CHECK(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0, "a second process finds the pinned program");
	CHECK(state_get(if_a, "nothing") == -ENOENT, "absent pin gives -ENOENT");
	capture_start();
	ret = state_pin(if_a, "../escape", pass_fd);
	ret = ret == -EINVAL && state_pin("../x", "p", pass_fd) == -EINVAL;
	log = capture_end();
	CHECK(ret && strstr(log, "../escape"), "path-like names are refused");
	CHECK(state_list_ifaces(count_iface, &seen) == 0 && seen == 1, "interface listed");
	ret = state_record_write("eth0.2%", "vlan=2\n");
	seen = 0;
	CHECK(ret == 0 && state_list_ifaces(count_iface, &seen) == 0 && seen == 11 &&
	      state_record_read("eth0.2%", &text) == 0 && !strcmp(text, "vlan=2\n") &&
	      state_remove("eth0.2%") == 0, "names with '.' and '%%' (VLANs) round-trip through bpffs");
	free(text);
	text = NULL;

	capture_start();
	ret = state_record_write(if_a, "no newline");
	ret = ret == -EINVAL && state_record_write(if_a, "=x\n") == -EINVAL &&
	      state_record_write(if_a, "k=tab\there\n") == -EINVAL;
	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'k';
	big[1] = '=';
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	ret = ret && state_record_write(if_a, big) == -E2BIG;
	log = capture_end();
	CHECK(ret && strstr(log, "line 1"), "malformed or oversized records are not written");
	CHECK(state_record_read(if_a, &text) == 0 && !strcmp(text, "mode=skb\n"),
		  "failed writes leave the old record");
	free(text);
	text = NULL;

	capture_start();
	ret = garbage_record("mode=x\nbroken line\n", 19, STATE_RECORD_SLOT_SIZE) == 0 &&
	      state_record_read(if_a, &text) == -EINVAL && !text;
	log = capture_end();
	CHECK(ret && strstr(log, "line 2"), "record with a bad line is rejected");
	capture_start();
	memset(big, 'x', STATE_RECORD_SLOT_SIZE);
	ret = garbage_record(big, STATE_RECORD_SLOT_SIZE, STATE_RECORD_SLOT_SIZE) == 0 &&
	      state_record_read(if_a, &text) == -EINVAL;
	log = capture_end();
	CHECK(ret && strstr(log, "record"), "record full of garbage is rejected");
	capture_start();
	ret = garbage_record("a=b\n", 4, 64) == 0 && state_record_read(if_a, &text) == -EINVAL;
	log = capture_end();
	CHECK(ret && strstr(log, "wrong shape"), "record map of the wrong shape is rejected");

	snprintf(path, sizeof(path), "%s/stray", dir);
	ret = mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/stray/deeper", dir);
	ret = ret ? ret : mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/stray/deeper/p", dir);
	CHECK(ret == 0 && sys_obj_pin(pass_fd, path) == 0, "stray subdirectories with a pin");
	CHECK(state_remove(if_a) == 0 && stat(dir, &st) < 0 && errno == ENOENT,
		  "remove unpins everything, stray subdirectories too, and removes the directory");
	fd = state_get(if_a, "rootlet");
	CHECK(fd == -ENOENT, "pin is gone");
	CHECK(state_remove(if_a) == 0, "removing again is a no-op");
	rmdir(state_root_dir);
}

static void test_sha256(void)
{
	static const struct { const char *in, *hex; } kat[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char hex[SHA256_HEX_LEN], ref[SHA256_HEX_LEN + 8], path[] = "/tmp/xdpld-sha-XXXXXX";
	unsigned char data[300];
	int same = 1, fd;

	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		sha256_hex(kat[i].in, strlen(kat[i].in), hex);
		CHECK(!strcmp(hex, kat[i].hex), "sha256 of '%s'", kat[i].in);
	}
	/* Every length around the padding boundaries, against sha256sum. */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len < sizeof(data) && same; len += len < 130 ? 1 : 37) {
		FILE *p;
		char cmd[64];

		fd = mkstemp(path);
		if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
			same = 0;
			break;
		}
		close(fd);
		snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
		p = popen(cmd, "r");
		same = p && fgets(ref, sizeof(ref), p) && sha256_file_hex(path, hex) == 0 &&
		       !strncmp(hex, ref, 64);
		if (p)
			pclose(p);
		unlink(path);
		strcpy(path, "/tmp/xdpld-sha-XXXXXX");
	}
	CHECK(same, "sha256_file_hex matches sha256sum for lengths 0..299");
}

int main(void)
{
	char log[4096];
	int pass_fd, drop_fd;

	test_sha256();
	if (geteuid() != 0) {
		printf("ok %d - # SKIP needs root for bpf(2) and network namespaces\n", ++tap_n);
		return tap_done();
	}
	atexit(cleanup);
	pass_fd = load_verdict_prog("xdpld_pass", XDP_PASS, log, sizeof(log));
	CHECK(pass_fd >= 0, "PASS program loads (%d)", pass_fd);
	drop_fd = load_verdict_prog("xdpld_drop", XDP_DROP, NULL, 0);
	CHECK(drop_fd >= 0, "DROP program loads (%d)", drop_fd);
	if (pass_fd < 0 || drop_fd < 0)
		return tap_done();
	test_bpf_sys(pass_fd, drop_fd);
	bad_prog_load();

	CHECK(setup_netns() == 0, "netns %s/%s with veth %s/%s set up", ns_a, ns_b, if_a, if_b);
	if (tap_failed)
		return tap_done();
	test_nic(pass_fd, drop_fd);
	test_state(pass_fd);
	close(pass_fd);
	close(drop_fd);
	cleanup();
	return tap_done();
}
