// SPDX-License-Identifier: GPL-2.0
/*
 * xot-hostile (test only): guest-tagger/vbd.c, unchanged, compiled again
 * with XOT_HOSTILE (see Kbuild here). Not a copy: the one source serves
 * both modules.
 */
#include "../../guest-tagger/vbd.c"
