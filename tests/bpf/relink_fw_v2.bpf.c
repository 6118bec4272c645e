// SPDX-License-Identifier: GPL-2.0
/* Build 2 of the ACME firewall: same maps, other bytes (relink tests). */
#define ACME_BUILD 2
#include "../../firmware/vendor/fw_acme.bpf.c"
