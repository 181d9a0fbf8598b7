// SPDX-License-Identifier: GPL-2.0
/*
 * xot-sim: simulate the xot elevator on synthetic and recorded workloads.
 * Everything is in sim_main() (cli.c), which the unit tests call too.
 */
#include "sim.h"

/* XOT_WARN_ON() in the scheduling core counts here (include/xot/compat.h) */
unsigned long xot_warnings;

int main(int argc, char **argv)
{
	return sim_main(argc, argv);
}
