// SPDX-License-Identifier: GPL-2.0
/* The next build of core_fw: also drops port 2323 (the relink in core_nobtf). */
#define CORE_FW_V2
#include "core_fw.bpf.c"
