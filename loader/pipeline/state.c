#include "state.h"

#include "base/log.h"
#include "kernel/bpf_sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#define PATH_LEN 512
#define NAME_MAX_LEN 64

static char root_dir[PATH_LEN] = STATE_DEFAULT_ROOT;

int state_set_root(const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!n || dir[0] != '/' || n >= sizeof(root_dir) - 128) {
		pr_err("state directory '%s' must be an absolute path shorter than %zu characters",
		       dir ? dir : "", sizeof(root_dir) - 128);
		return -EINVAL;
	}
	memcpy(root_dir, dir, n);
	root_dir[n] = '\0';
	return 0;
}

const char *state_root(void)
{
	return root_dir;
}

static void root_parent(char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", root_dir);
	slash = strrchr(buf, '/');
	if (slash == buf)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static bool mounted_here;	/* state_mount_bpffs() mounted it in this process */

/* Why a command may see a bpffs of its own: it runs in a mount namespace
 * other than init's (PID 1's; unknown when /proc/1 is not readable, as in
 * some containers), or in a network namespace named by `ip netns`, whose
 * `ip netns exec` remounts /sys for every command.  The name, if any, goes
 * into netns ("" if none). */
static bool mount_ns_private(char *netns, size_t len)
{
	struct stat self, other;
	struct dirent *e;
	char path[300];
	DIR *d;

	netns[0] = '\0';
	if (!stat("/proc/self/ns/net", &self) && (d = opendir("/run/netns"))) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
			if (!stat(path, &other) && other.st_dev == self.st_dev &&
			    other.st_ino == self.st_ino) {
				snprintf(netns, len, "%s", e->d_name);
				break;
			}
		}
		closedir(d);
	}
	if (netns[0])
		return true;
	return !stat("/proc/self/ns/mnt", &self) && !stat("/proc/1/ns/mnt", &other) &&
	       (self.st_dev != other.st_dev || self.st_ino != other.st_ino);
}

/* Only the standard place is mounted by xdpld: mounting over any other
 * root's parent could hide a whole directory tree (--state-dir /tmp/x). */
int state_mount_bpffs(void)
{
	const char *std = "/sys/fs/bpf";
	char parent[PATH_LEN], netns[256];

	root_parent(parent, sizeof(parent));
	if (is_bpffs(parent))
		return 0;
	if (strcmp(parent, std)) {
		pr_err("state directory %s: its parent %s is not a bpffs mount; use a "
		       "directory under %s or mount bpffs there first", root_dir, parent, std);
		return -ENOTSUP;
	}
	if (mkdir(parent, 0700) < 0 && errno != EEXIST) {
		pr_err("cannot create bpffs mount point %s: %s", parent, strerror(errno));
		return -errno;
	}
	if (mount("bpf", parent, "bpf", 0, "mode=0700") < 0) {
		pr_err("cannot mount bpffs on %s: %s", parent, strerror(errno));
		return -errno;
	}
	pr_info("mounted bpffs on %s", parent);
	mounted_here = true;
	if (mount_ns_private(netns, sizeof(netns)))
		pr_warn("bpffs was not mounted on %s here%s%s%s: the one xdpld mounted is gone when "
			"this command ends, and with it the pipeline's record and pins (`ip netns "
			"exec` gives each command a new /sys); run xdpld where the system's bpffs "
			"is: `nsenter --net=/run/netns/%s xdpld ...`", parent,
			netns[0] ? " (network namespace " : "", netns, netns[0] ? ")" : "",
			netns[0] ? netns : "NAME");
	return 0;
}

bool state_bpffs_mounted_here(void)
{
	return mounted_here;
}

/* Pin names; no '.', which bpffs reserves, and no '+', which marks our
 * temporary pins. */
static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* bpffs refuses '.' in names (reserved), but VLAN interfaces such as
 * "eth0.2" are common: escape '%' and '.' as %25 and %2e. */
static int escape_ifname(const char *ifname, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = ifname; *p; p++) {
		int n = (*p == '.' || *p == '%') ?
			snprintf(buf + o, len - o, "%%%02x", (unsigned char)*p) :
			snprintf(buf + o, len - o, "%c", *p);

		if (n < 0 || (size_t)n >= len - o)
			return -ENAMETOOLONG;
		o += (size_t)n;
	}
	return 0;
}

static int unescape_ifname(const char *name, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = name; *p; p++) {
		char c = *p;

		if (c == '%') {
			if (!strncmp(p, "%2e", 3))
				c = '.';
			else if (!strncmp(p, "%25", 3))
				c = '%';
			else
				return -EINVAL;
			p += 2;
		}
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		buf[o++] = c;
	}
	buf[o] = '\0';
	return o ? 0 : -EINVAL;
}

int state_dir(const char *ifname, char *buf, size_t len)
{
	char esc[64];
	int n;

	/* The kernel's own rules for interface names: 1-15 characters, not
	 * "." or "..", no '/', ':' or whitespace. */
	if (!ifname || !*ifname || strlen(ifname) >= 16 || !strcmp(ifname, ".") ||
	    !strcmp(ifname, "..") || strpbrk(ifname, "/: \t\n\r\v\f")) {
		pr_err("invalid interface name '%s' for the state directory",
		       ifname ? ifname : "");
		return -EINVAL;
	}
	if (escape_ifname(ifname, esc, sizeof(esc)) < 0)
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%s/%s", root_dir, esc);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

bool state_pin_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0, sfx = strlen(STATE_STAGED_SUFFIX);

	/* NAME-staged: NAME's staged copy (pipeline_stage.c), NAME up to the limit */
	if (n > NAME_MAX_LEN && n <= NAME_MAX_LEN + sfx && !strcmp(name + n - sfx, STATE_STAGED_SUFFIX))
		n -= sfx;
	if (!n || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(name[i]))
			return false;
	return true;
}

static int pin_path(const char *ifname, const char *name, char *buf, size_t len)
{
	int ret = state_dir(ifname, buf, len);

	if (ret < 0)
		return ret;
	if (!state_pin_name_ok(name)) {
		pr_err("invalid pin name '%s' for interface '%s'", name ? name : "", ifname);
		return -EINVAL;
	}
	if (strlen(buf) + 1 + strlen(name) >= len)
		return -ENAMETOOLONG;
	strcat(buf, "/");
	strcat(buf, name);
	return 0;
}

/* mkdir -m 0700, and tighten an existing directory that is too open.
 * *created (may be NULL) tells whether this call made it. */
static int private_dir(const char *path, bool *created)
{
	struct stat st;
	bool made = mkdir(path, 0700) == 0;

	if (!made && errno != EEXIST) {
		pr_err("cannot create state directory %s: %s", path, strerror(errno));
		return -errno;
	}
	if (created)
		*created = made;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pr_err("state path %s is not a directory", path);
		return -ENOTDIR;
	}
	if ((st.st_mode & 07777) != 0700 && chmod(path, 0700) < 0) {
		pr_err("cannot make state directory %s private: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int prepare_dir(const char *ifname, char *dir, size_t len)
{
	int ret = state_dir(ifname, dir, len);

	if (!ret)
		ret = state_mount_bpffs();
	if (!ret)
		ret = private_dir(root_dir, NULL);
	if (!ret)
		ret = private_dir(dir, NULL);
	return ret;
}

int state_pin(const char *ifname, const char *name, int fd)
{
	char dir[PATH_LEN], path[PATH_LEN], tmp[PATH_LEN + 32];
	int ret;

	ret = pin_path(ifname, name, path, sizeof(path));
	if (!ret)
		ret = prepare_dir(ifname, dir, sizeof(dir));
	if (ret < 0)
		return ret;
	/* Pin under a private temporary name, then rename over the old pin:
	 * readers see the old object or the new one, never nothing. */
	snprintf(tmp, sizeof(tmp), "%s/+%s-%ld", dir, name, (long)getpid());
	unlink(tmp);
	ret = sys_obj_pin(fd, tmp);
	if (ret < 0) {
		pr_err("cannot pin %s for interface '%s' at %s: %s", name, ifname, tmp,
		       strerror(-ret));
		return ret;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		pr_err("cannot rename pin %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return ret;
	}
	return 0;
}

int state_get(const char *ifname, const char *name)
{
	char path[PATH_LEN];
	int ret = pin_path(ifname, name, path, sizeof(path));

	if (ret < 0)
		return ret;
	ret = sys_obj_get(path);
	if (ret < 0 && ret != -ENOENT)
		pr_err("cannot open pinned object %s: %s", path, strerror(-ret));
	return ret;
}

int state_rename(const char *ifname, const char *from, const char *to)
{
	char a[PATH_LEN], b[PATH_LEN];
	int ret = pin_path(ifname, from, a, sizeof(a));

	if (!ret)
		ret = pin_path(ifname, to, b, sizeof(b));
	if (ret < 0)
		return ret;
	if (rename(a, b) < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			pr_err("cannot rename pin %s to %s: %s", a, b, strerror(errno));
		return ret;
	}
	return 0;
}

int state_unpin(const char *ifname, const char *name)
{
	char path[PATH_LEN];
	int ret = pin_path(ifname, name, path, sizeof(path));

	if (ret < 0)
		return ret;
	if (unlink(path) < 0 && errno != ENOENT) {
		pr_err("cannot unpin %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Empties the directory open as dfd (path for messages); subdirectories
 * (nobody's but a stray mkdir's) are removed with their contents, at most
 * depth levels deep. */
static int remove_tree(int dfd, const char *path, int depth)
{
	struct dirent *de;
	DIR *d = fdopendir(dfd);
	int ret = 0;

	if (!d) {
		ret = -errno;
		close(dfd);
		pr_err("cannot read state directory %s: %s", path, strerror(-ret));
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		struct stat st;
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (depth <= 0) {
				pr_err("cannot remove %s/%s: directories nested too deep", path,
				       de->d_name);
				ret = -ELOOP;
				break;
			}
			sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			ret = sub < 0 ? -errno : remove_tree(sub, path, depth - 1);
			if (!ret && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 &&
			    errno != ENOENT)
				ret = -errno;
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			ret = -errno;
		}
		if (ret && ret != -ELOOP)
			pr_err("cannot remove %s/%s: %s", path, de->d_name, strerror(-ret));
	}
	closedir(d);
	return ret;
}

int state_remove_temps(const char *ifname)
{
	char dir[PATH_LEN];
	struct dirent *e;
	int ret = state_dir(ifname, dir, sizeof(dir)), dfd;
	DIR *d;

	if (ret < 0)
		return ret;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] == '+' && unlinkat(dfd, e->d_name, 0) < 0 && errno != ENOENT)
			pr_warn("cannot remove the stale pin %s/%s: %s", dir, e->d_name,
				strerror(errno));
	closedir(d);
	return 0;
}

int state_remove(const char *ifname)
{
	char dir[PATH_LEN], rec[PATH_LEN + 16];
	int ret = state_dir(ifname, dir, sizeof(dir)), dfd;

	if (ret < 0)
		return ret;
	/* The record goes first: a failure below leaves pins without a record
	 * (cleaned up by the next detach --force), never a record whose pins
	 * are gone. */
	snprintf(rec, sizeof(rec), "%s/%s", dir, STATE_RECORD_NAME);
	if (unlink(rec) < 0 && errno != ENOENT) {
		ret = -errno;
		pr_err("cannot remove record %s: %s", rec, strerror(errno));
		return ret;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		pr_err("cannot open state directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	ret = remove_tree(dfd, dir, 4);
	if (!ret && rmdir(dir) < 0 && errno != ENOENT) {
		ret = -errno;
		pr_err("cannot remove state directory %s: %s", dir, strerror(errno));
	}
	return ret;
}

/* Set by state_lock when it created the root: state_unlock removes it
 * again if nothing was put in it (a failed first attach, a detach). */
static bool root_created;

/* Locks the root open as fd; -EAGAIN when the root was removed meanwhile
 * (the lock holder created it and took it away again, empty). */
static int lock_root(int fd)
{
	struct stat held, now;

	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			pr_err("cannot lock state directory %s: %s", root_dir, strerror(errno));
			return -errno;
		}
	}
	if (fstat(fd, &held) < 0 || stat(root_dir, &now) < 0 || held.st_dev != now.st_dev ||
	    held.st_ino != now.st_ino)
		return -EAGAIN;
	return 0;
}

int state_lock(void)
{
	int ret = state_mount_bpffs(), fd;

	for (int tries = 0; !ret && tries < 16; tries++) {
		ret = private_dir(root_dir, &root_created);
		if (ret)
			return ret;
		fd = open(root_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			ret = 0;
			continue;
		}
		if (fd < 0) {
			pr_err("cannot open state directory %s: %s", root_dir, strerror(errno));
			return -errno;
		}
		ret = lock_root(fd);
		if (!ret)
			return fd;
		close(fd);
		if (ret != -EAGAIN)
			return ret;
		ret = 0;
	}
	if (!ret) {
		pr_err("cannot lock state directory %s: it keeps being removed", root_dir);
		ret = -EAGAIN;
	}
	return ret;
}

void state_unlock(int fd)
{
	if (fd < 0)
		return;
	/* Under the lock: a waiter notices (lock_root) and creates it anew. */
	if (root_created)
		rmdir(root_dir);	/* fails, as it should, unless empty */
	root_created = false;
	close(fd);	/* releases the flock */
}

int state_list_ifaces(int (*fn)(const char *ifname, void *arg), void *arg)
{
	char ifname[16];
	struct dirent *de;
	struct stat st;
	int ret = 0;
	DIR *d = opendir(root_dir);

	if (!d) {
		if (errno == ENOENT)
			return 0;
		pr_err("cannot open state directory %s: %s", root_dir, strerror(errno));
		return -errno;
	}
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    unescape_ifname(de->d_name, ifname, sizeof(ifname)) < 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		ret = fn(ifname, arg);
	}
	closedir(d);
	return ret;
}

/* ---- the record ---- */

static bool key_char_ok(char c)
{
	return name_char_ok(c) || c == '.';
}

int state_record_validate(const char *name, const char *text, size_t len)
{
	size_t line = 1, i = 0;

	if (len > STATE_RECORD_MAX) {
		pr_err("record %s is too large (%zu bytes, at most %u)", name, len,
		       STATE_RECORD_MAX);
		return -E2BIG;
	}
	if (len && text[len - 1] != '\n') {
		pr_err("record %s does not end with a newline", name);
		return -EINVAL;
	}
	while (i < len) {
		size_t key_start = i;

		while (i < len && key_char_ok(text[i]))
			i++;
		if (i == key_start || text[i] != '=') {
			pr_err("record %s line %zu: expected key=value", name, line);
			return -EINVAL;
		}
		for (i++; text[i] != '\n'; i++) {
			if (text[i] < 0x20 || text[i] > 0x7e) {
				pr_err("record %s line %zu: value holds a non-printable byte 0x%02x",
				       name, line, (unsigned char)text[i]);
				return -EINVAL;
			}
		}
		i++;
		line++;
	}
	return 0;
}

int state_record_get(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = strcspn(v, "\n");

			if (n >= len)
				return -ENOSPC;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

int state_record_write(const char *ifname, const char *text)
{
	return state_record_write_as(ifname, STATE_RECORD_NAME, text);
}

int state_record_write_as(const char *ifname, const char *pin, const char *text)
{
	const size_t total = (size_t)STATE_RECORD_SLOT_SIZE * STATE_RECORD_SLOTS;
	size_t len = strnlen(text, total);
	char dir[PATH_LEN], name[PATH_LEN + 16];
	uint8_t *buf = NULL;
	int fd = -1, ret;

	ret = state_dir(ifname, dir, sizeof(dir));
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "%s/%s", dir, pin);
	ret = state_record_validate(name, text, len);
	if (ret < 0)
		return ret;
	buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, text, len);
	fd = sys_map_create(BPF_MAP_TYPE_ARRAY, "xdpld_record", sizeof(uint32_t),
			    STATE_RECORD_SLOT_SIZE, STATE_RECORD_SLOTS, 0, NULL);
	if (fd < 0) {
		ret = fd;
		pr_err("cannot create the record map for interface '%s': %s", ifname,
		       strerror(-ret));
		goto out;
	}
	/* A new array is zeroed: only the slots holding text need writing. */
	for (uint32_t slot = 0; slot * STATE_RECORD_SLOT_SIZE <= len; slot++) {
		ret = sys_map_update(fd, &slot, buf + (size_t)slot * STATE_RECORD_SLOT_SIZE,
				     BPF_ANY);
		if (ret < 0) {
			pr_err("cannot fill the record map for interface '%s': %s", ifname,
			       strerror(-ret));
			goto out;
		}
	}
	/* Frozen: nothing can change the record behind our back. */
	ret = sys_map_freeze(fd);
	if (ret < 0) {
		pr_err("cannot freeze the record map for interface '%s': %s", ifname,
		       strerror(-ret));
		goto out;
	}
	ret = state_pin(ifname, pin, fd);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static int record_map_check(int fd, const char *name)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int ret;

	memset(&info, 0, sizeof(info));
	ret = sys_obj_info(fd, &info, &len);
	if (ret < 0) {
		pr_err("record %s is not a BPF map: %s", name, strerror(-ret));
		return ret;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(uint32_t) ||
	    info.value_size != STATE_RECORD_SLOT_SIZE ||
	    info.max_entries != STATE_RECORD_SLOTS) {
		pr_err("record %s has the wrong shape (map type %u, key %u, value %u, "
		       "%u entries)", name, info.type, info.key_size, info.value_size,
		       info.max_entries);
		return -EINVAL;
	}
	return 0;
}

int state_record_read(const char *ifname, char **text)
{
	return state_record_read_as(ifname, STATE_RECORD_NAME, text);
}

int state_record_read_as(const char *ifname, const char *pin, char **text)
{
	const size_t total = (size_t)STATE_RECORD_SLOT_SIZE * STATE_RECORD_SLOTS;
	char dir[PATH_LEN], name[PATH_LEN + 16];
	uint8_t *buf = NULL, *nul;
	int fd, ret;

	*text = NULL;
	ret = state_dir(ifname, dir, sizeof(dir));
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "%s/%s", dir, pin);
	fd = state_get(ifname, pin);
	if (fd < 0)
		return fd;
	ret = record_map_check(fd, name);
	if (ret < 0)
		goto out;
	buf = malloc(total);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t slot = 0; slot < STATE_RECORD_SLOTS; slot++) {
		ret = sys_map_lookup(fd, &slot, buf + (size_t)slot * STATE_RECORD_SLOT_SIZE);
		if (ret < 0) {
			pr_err("cannot read record %s: %s", name, strerror(-ret));
			goto out;
		}
	}
	nul = memchr(buf, 0, total);
	if (!nul) {
		pr_err("record %s is not NUL-terminated", name);
		ret = -EINVAL;
		goto out;
	}
	for (uint8_t *p = nul; p < buf + total; p++) {
		if (*p) {
			pr_err("record %s holds bytes after the end of its text", name);
			ret = -EINVAL;
			goto out;
		}
	}
	ret = state_record_validate(name, (char *)buf, (size_t)(nul - buf));
	if (ret < 0)
		goto out;
	*text = (char *)buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}
