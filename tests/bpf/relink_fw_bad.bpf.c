// SPDX-License-Identifier: GPL-2.0
/* A build of the ACME firewall the verifier refuses (relink tests). */
#define ACME_BUILD 4
#define ACME_BROKEN
#include "../../firmware/vendor/fw_acme.bpf.c"
