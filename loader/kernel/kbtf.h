/* BTF objects the kernel holds: read back what a loaded program or a BTF
 * fd refers to, parsed with the validating parser (the kernel hands it out
 * in host byte order).  Split BTF (kernel modules) is not supported. */
#ifndef XDPLD_KBTF_H
#define XDPLD_KBTF_H

#include <stdint.h>

struct btf;

/* Reads the BTF object btf_fd refers to (BPF_OBJ_GET_INFO_BY_FD with a
 * buffer sized from a first call) and parses it with btf_parse (untrusted:
 * validated).  *out is freed with btf_free. */
int kbtf_read(int btf_fd, struct btf **out);
/* The BTF of the loaded program prog_fd (its bpf_prog_info.btf_id), read
 * like kbtf_read; -ENODATA when the program has no BTF. */
int kbtf_prog_read(int prog_fd, struct btf **out);
/* The id of the FUNC named name in the BTF of the loaded program prog_fd
 * (its bpf_prog_info.btf_id); -ENOENT if none, -ENODATA when the program
 * has no BTF. */
int kbtf_prog_func_id(int prog_fd, const char *name, uint32_t *id);

#endif
