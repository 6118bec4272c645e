/* What xdpld leaves in the kernel, kept in bpffs (see docs/state.md):
 *
 *   /sys/fs/bpf/xdpld/            mode 0700, root only
 *   /sys/fs/bpf/xdpld/<IFACE>/    mode 0700, one per interface
 *       record                    pinned ARRAY map holding the record text
 *       <name>                    pinned programs, maps, links (mode 0600)
 *
 * bpffs holds no regular files, so the record ("key=value" lines) lives in a
 * frozen BPF_MAP_TYPE_ARRAY of STATE_RECORD_SLOTS x STATE_RECORD_SLOT_SIZE
 * bytes.  Replacing a pin or the record is atomic: the new object is pinned
 * under a temporary name and renamed over the old one.
 */
#ifndef XDPLD_STATE_H
#define XDPLD_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define STATE_DEFAULT_ROOT	"/sys/fs/bpf/xdpld"
#define STATE_RECORD_NAME	"record"
/* NAME-staged: the next pipeline's NAME, pinned before it is attached */
#define STATE_STAGED_SUFFIX	"-staged"
#define STATE_RECORD_SLOT_SIZE	4096u
#define STATE_RECORD_SLOTS	16u
/* Text bytes, without the terminating NUL. */
#define STATE_RECORD_MAX	(STATE_RECORD_SLOT_SIZE * STATE_RECORD_SLOTS - 1)

/* Use another directory than STATE_DEFAULT_ROOT (tests, --state-dir).  Its
 * parent must be a bpffs mount (only /sys/fs/bpf is mounted by xdpld). */
int state_set_root(const char *dir);
const char *state_root(void);

/* Makes sure the root's parent is a bpffs: mounts one on /sys/fs/bpf if
 * that is the parent; any other parent must already be a bpffs mount. */
int state_mount_bpffs(void);
/* true when state_mount_bpffs() had to mount bpffs in this process: no
 * earlier command's record can be in it. */
bool state_bpffs_mounted_here(void);

/* Exclusive lock (flock) on the state root, creating it as needed: held by
 * attach and detach from reading the previous state to writing the new
 * record.  Returns the fd holding the lock; state_unlock releases it, and
 * removes the root again if this lock created it and it is still empty. */
int state_lock(void);
void state_unlock(int fd);

/* buf gets "<root>/<ifname>", with '.' and '%' in ifname written as %2e and
 * %25 (bpffs refuses '.').  Checks the name only, not the interface: state
 * may outlive a NIC that went away. */
int state_dir(const char *ifname, char *buf, size_t len);

/* Pins fd as <root>/<ifname>/<name>, replacing an existing pin atomically;
 * creates the directories (and mounts bpffs) as needed.  name: 1-64
 * letters, digits, '_', '-' (bpffs reserves '.'). */
int state_pin(const char *ifname, const char *name, int fd);
/* name is a valid pin name (the rules above). */
bool state_pin_name_ok(const char *name);
/* Returns a new fd for the pinned object, -ENOENT (not logged) if absent. */
int state_get(const char *ifname, const char *name);
/* Removes one pin; absent is not an error. */
/* rename(2) pin from over pin to, in ifname's directory: atomic for
 * readers of to.  -ENOENT (not logged) when from is not there. */
int state_rename(const char *ifname, const char *from, const char *to);
int state_unpin(const char *ifname, const char *name);
/* Removes ifname's "+..." entries: temporary pins of a state_pin() a
 * crash interrupted.  Only under the state lock (no pin in flight). */
int state_remove_temps(const char *ifname);
/* Removes the record first, then every other pin (and any stray
 * subdirectory) in the interface's directory, then the directory. */
int state_remove(const char *ifname);

/* Calls fn with the (unescaped) interface name of each directory; stops at and returns fn's first
 * non-zero result.  No root directory: 0. */
int state_list_ifaces(int (*fn)(const char *ifname, void *arg), void *arg);

/* The record: text of "key=value\n" lines (key: [A-Za-z0-9_.-]+, value:
 * printable ASCII, may be empty).  Write validates the same rules as read. */
int state_record_write(const char *ifname, const char *text);
/* The same, pinned as pin instead of STATE_RECORD_NAME (a staged record). */
int state_record_write_as(const char *ifname, const char *pin, const char *text);
/* *text is malloc'ed; -ENOENT (not logged) if there is no record. */
int state_record_read(const char *ifname, char **text);
int state_record_read_as(const char *ifname, const char *pin, char **text);
/* Checks the line format; name is used in messages. */
int state_record_validate(const char *name, const char *text, size_t len);
/* Copies the value of the first line with this key into buf; -ENOENT if
 * absent, -ENOSPC if buf is too small. */
int state_record_get(const char *text, const char *key, char *buf, size_t len);

#endif
