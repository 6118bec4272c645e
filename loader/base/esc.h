/* Untrusted bytes in a message: a file name, a manifest value or a name
 * read from a file may hold a newline or a terminal escape, which must
 * neither split a message (stderr, syslog) nor reach a terminal raw. */
#ifndef XDPLD_ESC_H
#define XDPLD_ESC_H

#include <stdbool.h>
#include <stddef.h>

/* The first n bytes of s into out (len bytes, always NUL-terminated):
 * printable ASCII (space to '~') as it is, every other byte as \xNN
 * ("a\nb" is "a\x0ab").  What does not fit ends in "...".  Returns out. */
const char *esc_bytes(char *out, size_t len, const char *s, size_t n);
/* The same for a NUL-terminated string. */
const char *esc_str(char *out, size_t len, const char *s);
/* s holds only printable ASCII (space to '~'). */
bool esc_printable(const char *s);
/* The first byte of s that is not printable ASCII, or NULL. */
const char *esc_first_bad(const char *s);

#endif
