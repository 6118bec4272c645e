// SPDX-License-Identifier: GPL-2.0
/* A build of the ACME firewall whose rule table is twice as large: its
 * `rules` map cannot take over the running one (relink tests). */
#define ACME_BUILD 3
#define ACME_RULES_MAX 2048
#include "../../firmware/vendor/fw_acme.bpf.c"
