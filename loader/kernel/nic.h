/* Attaching XDP programs to network interfaces over rtnetlink (libnl-3 core
 * API; libnl has no XDP helpers).  Every failure is logged with the
 * interface name and, when the kernel gave one, its extended-ack message.
 *
 * A command resolves its interface name once (nic_ifindex); every netlink
 * operation then takes that ifindex, and the name only for its messages.
 *
 * Safety rules:
 *  - a first attach (expected_fd < 0) never replaces a program that is
 *    already there unless force is set; the error names that program;
 *  - replacing our own program is atomic (XDP_FLAGS_REPLACE with the fd we
 *    expect to find) and fails if someone changed the interface meanwhile;
 *  - detach with an expected program id never removes a foreign program.
 */
#ifndef XDPLD_NIC_H
#define XDPLD_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nic_mode { NIC_MODE_AUTO, NIC_MODE_NATIVE, NIC_MODE_SKB, NIC_MODE_HW };

/* "auto", "native" (alias "drv"), "skb" (alias "generic"), "hw" (alias
 * "offload").  Returns 0 or -EINVAL (not logged: the caller names the
 * config line). */
int nic_mode_parse(const char *s, enum nic_mode *m);
const char *nic_mode_name(enum nic_mode m);

struct nic_xdp {
	uint32_t prog_id;	/* 0: no XDP program attached */
	enum nic_mode mode;	/* mode prog_id runs in (AUTO when none) */
	/* Per-mode ids (a HW program can run next to a native/skb one). */
	uint32_t drv_prog_id, skb_prog_id, hw_prog_id;
};

/* Checks that ifname is a valid name of an existing interface (in the
 * current network namespace).  Returns its ifindex or negative errno, with
 * a message naming the interface; with may_be_absent, 0 (and no message)
 * when the name is valid but no such interface exists. */
int nic_ifindex(const char *ifname, bool may_be_absent);

/* In every call below, ifindex is the interface (> 0, else -ENODEV) and
 * ifname its name for messages. */
int nic_query(int ifindex, const char *ifname, struct nic_xdp *out);

/* Attach prog_fd.  expected_fd < 0: first attach (refuses to replace any
 * program unless force).  expected_fd >= 0: atomic replace of that program.
 * In AUTO mode a first attach tries native, then skb (with a warning saying
 * why native failed), or, when a program is already attached, the mode it
 * runs in (so the error names it, and force replaces it); a replace keeps
 * the mode the old program runs in.  Errors about an occupied interface
 * always quote the kernel's extended ack.
 * *used_mode (may be NULL) gets the mode the program now runs in. */
int nic_attach(int ifindex, const char *ifname, int prog_fd, enum nic_mode mode,
	       int expected_fd, bool force, enum nic_mode *used_mode);

/* Remove the XDP program of the given mode (AUTO: whatever mode the current
 * program runs in).  expected_prog_id != 0: only if that program is the one
 * attached (atomic), else -EEXIST.  Nothing attached: returns 0. */
int nic_detach(int ifindex, const char *ifname, enum nic_mode mode,
	       uint32_t expected_prog_id);

/* "id 42 'xdp_fw'" for messages; falls back to "id 42" if the program
 * cannot be opened. */
void nic_prog_describe(uint32_t prog_id, char *buf, size_t len);
/* The kernel's name of program prog_id (at most 15 characters) into buf;
 * negative errno when it is gone or unreadable. */
int nic_prog_name(uint32_t prog_id, char *buf, size_t len);

#endif
