/* Shared by the files of the object model (obj*.c); not for use outside
 * them.  obj.c builds the model, obj_lookup.c finds things in it,
 * obj_endian.c reads and writes its bytes, obj_btf.c matches its symbols
 * with .BTF, obj_read.c and obj_write.c convert it from and to ELF; none
 * of them calls back into a file that calls it. */
#ifndef XDPLD_OBJ_INTERNAL_H
#define XDPLD_OBJ_INTERNAL_H

#include "obj.h"

/* Store the n low bytes of v at p, big-endian when be (obj_endian.c). */
void obj_put_uint(bool be, void *p, uint64_t v, int n);

#endif
