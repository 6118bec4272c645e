/* The one label-value writer of status --prometheus (the Prometheus text
 * exposition format 0.0.4). */
#ifndef XDPLD_PROM_H
#define XDPLD_PROM_H

#include <stdio.h>

/* s as a quoted label value (NULL as ""): '\', '"' and a newline escaped
 * as \\, \" and \n (the format's only escapes), a byte from 0xa0 up as
 * that Latin-1 character in UTF-8 (the code point status --json's \u00XX
 * names), and every other control byte (below 0x20, 0x7f to 0x9f) as
 * U+FFFD: the output stays valid UTF-8 and never carries a raw terminal
 * escape. */
void prom_str(FILE *f, const char *s);

#endif
