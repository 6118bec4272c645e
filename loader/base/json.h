/* The one JSON string writer of xdpld's --json outputs. */
#ifndef XDPLD_JSON_H
#define XDPLD_JSON_H

#include <stdio.h>

/* s as a JSON string (NULL as ""): '"' and '\' escaped, every byte below
 * 0x20 or from 0x7f up as \u00XX, so names from objects, bpffs and the
 * kernel never make the output invalid JSON (or invalid UTF-8). */
void json_str(FILE *f, const char *s);

#endif
